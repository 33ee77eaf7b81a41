// The clusterrole-aggregation controller against a fake cluster: which rules an aggregated cluster role gets (per
// selector, matches in name order, each distinct rule once, itself excluded), that it writes them with a forced
// server-side apply as `clusterrole-aggregation-controller` only when they differ, and that any cluster role change
// brings the aggregated ones up to date.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  aggregatedRules,
  CLUSTER_ROLES,
  ClusterRoleAggregationController,
  semanticEqual,
  type ClusterRole,
} from '../../../controllers/clusterrole-aggregation/controller.js';
import { HttpApiClient } from '../../../controllers/machinery/client.js';
import type { PatchOptions, PatchType, ResourceRef } from '../../../controllers/machinery/types.js';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { FakeCluster } from './kubelet/fake-cluster.js';

/** The fake cluster, with server-side apply of a cluster role's rules (what the controller sends). */
class ApplyingCluster extends FakeCluster {
  readonly applies: Array<{ name: string; body: any; opts: PatchOptions | undefined }> = [];
  override async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: PatchOptions,
  ): Promise<T> {
    if (type !== 'apply') return super.patch(ref, namespace, name, type, patch, opts);
    this.applies.push({ name, body: structuredClone(patch), opts });
    const cur = this.object(ref, namespace, name)!;
    delete cur.metadata.resourceVersion;
    const rules = (patch as { rules?: unknown }).rules;
    return this.update(ref, namespace, { ...cur, rules: rules ?? null } as KubeObject) as Promise<T>;
  }
}

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

function start(cluster: FakeCluster): ClusterRoleAggregationController {
  const c = new ClusterRoleAggregationController(cluster.context());
  const stop = new AbortController();
  running.push({ stop, done: c.run(stop.signal) });
  return c;
}

const rule = (resources: string[], verbs = ['get', 'list', 'watch']) => ({ verbs, apiGroups: [''], resources });
const cr = (
  name: string,
  labels: Record<string, string>,
  rules: unknown[] | null,
  selectors?: unknown[],
): ClusterRole =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels },
    rules,
    ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors } } : {}),
  }) as ClusterRole;
const rulesOf = (cluster: FakeCluster, name: string) => (cluster.object(CLUSTER_ROLES, undefined, name) as any)?.rules;

describe('aggregatedRules', () => {
  const monitoring = cr('monitoring', {}, null, [
    { matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } },
  ]);
  const agg = { 'rbac.example.com/aggregate-to-monitoring': 'true' };

  it('unions the matching roles in name order, each distinct rule once, without itself', () => {
    const all = [
      monitoring,
      cr('b-services', agg, [rule(['services']), rule(['pods'])]),
      cr('a-pods', agg, [rule(['pods'])]),
      cr('c-other', {}, [rule(['secrets'])]),
      {
        ...cr('monitoring-self', agg, [rule(['nodes'])]),
        metadata: { name: 'monitoring', labels: agg },
      } as ClusterRole,
    ];
    assert.deepEqual(aggregatedRules(monitoring, all), [rule(['pods']), rule(['services'])]);
  });

  it('selectors are taken in order; a role matched twice adds nothing new', () => {
    const two = cr('two', {}, null, [
      { matchLabels: { b: 'x' } },
      { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
    ]);
    const all = [two, cr('r-a', { a: '1' }, [rule(['a'])]), cr('r-ab', { a: '1', b: 'x' }, [rule(['ab'])])];
    assert.deepEqual(aggregatedRules(two, all), [rule(['ab']), rule(['a'])]);
  });

  it('nil and empty lists are the same rule, as Go compares them', () => {
    assert.ok(semanticEqual({ verbs: ['get'], resourceNames: [] }, { verbs: ['get'] }));
    assert.ok(semanticEqual([], null));
    assert.ok(!semanticEqual([rule(['pods'])], [rule(['pods'], ['get'])]));
  });

  it('a selector that cannot be parsed is an error (the key is retried)', () => {
    assert.throws(
      () => aggregatedRules(cr('x', {}, null, [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }]), []),
      /not a valid label selector operator/,
    );
  });
});

describe('clusterrole-aggregation controller', () => {
  const agg = { 'rbac.example.com/aggregate-to-monitoring': 'true' };
  const selectors = [{ matchLabels: agg }];

  it('fills the rules with a forced apply as clusterrole-aggregation-controller, then follows changes', async () => {
    const cluster = new ApplyingCluster();
    cluster.seed(CLUSTER_ROLES, cr('monitoring', {}, null, selectors));
    cluster.seed(CLUSTER_ROLES, cr('monitoring-endpoints', agg, [rule(['services', 'endpoints', 'pods'])]));
    start(cluster);
    await cluster.settle();
    assert.deepEqual(rulesOf(cluster, 'monitoring'), [rule(['services', 'endpoints', 'pods'])]);
    assert.equal(cluster.applies.length, 1);
    assert.deepEqual(cluster.applies[0]!.opts, { fieldManager: 'clusterrole-aggregation-controller', force: true });
    assert.deepEqual(cluster.applies[0]!.body, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'monitoring' },
      rules: [rule(['services', 'endpoints', 'pods'])],
    });

    // A new matching role adds its rules; an unlabelled one changes nothing.
    await cluster.create(CLUSTER_ROLES, undefined, cr('monitoring-nodes', agg, [rule(['nodes'])]));
    await cluster.create(CLUSTER_ROLES, undefined, cr('unrelated', {}, [rule(['secrets'])]));
    await cluster.settle();
    assert.deepEqual(rulesOf(cluster, 'monitoring'), [rule(['services', 'endpoints', 'pods']), rule(['nodes'])]);
    assert.equal(cluster.applies.length, 2);

    // Rules written by hand are replaced; a deleted source takes its rules away; the last one leaves none.
    const cur = cluster.object(CLUSTER_ROLES, undefined, 'monitoring')!;
    await cluster.update(CLUSTER_ROLES, undefined, { ...cur, rules: [rule(['*'], ['*'])] } as KubeObject);
    await cluster.settle();
    assert.deepEqual(rulesOf(cluster, 'monitoring'), [rule(['services', 'endpoints', 'pods']), rule(['nodes'])]);
    await cluster.delete(CLUSTER_ROLES, undefined, 'monitoring-endpoints');
    await cluster.settle();
    assert.deepEqual(rulesOf(cluster, 'monitoring'), [rule(['nodes'])]);
    await cluster.delete(CLUSTER_ROLES, undefined, 'monitoring-nodes');
    await cluster.settle();
    assert.equal(rulesOf(cluster, 'monitoring'), null);
    assert.equal(cluster.applies.at(-1)!.body.rules, undefined, 'no rules: the field is left out of the apply');
  });

  it('writes nothing when the rules are already right, and ignores roles without an aggregation rule', async () => {
    const cluster = new ApplyingCluster();
    cluster.seed(CLUSTER_ROLES, cr('done', {}, [rule(['pods'])], selectors));
    cluster.seed(CLUSTER_ROLES, cr('src', agg, [rule(['pods'])]));
    cluster.seed(CLUSTER_ROLES, cr('empty', {}, null, [{ matchLabels: { nothing: 'matches' } }]));
    cluster.seed(CLUSTER_ROLES, cr('plain', {}, [rule(['configmaps'])]));
    const c = start(cluster);
    await cluster.settle();
    assert.equal(cluster.applies.length, 0);
    await c.sync('plain');
    await c.sync('missing');
    assert.equal(cluster.applies.length, 0);
  });
});

describe('HttpApiClient apply patches', () => {
  it('PATCH with application/apply-patch+yaml, fieldManager and force in the query', async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ kind: 'ClusterRole', metadata: { name: 'monitoring' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new HttpApiClient({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const body = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'monitoring' },
      };
      await client.patch(CLUSTER_ROLES, undefined, 'monitoring', 'apply', body, {
        fieldManager: 'clusterrole-aggregation-controller',
        force: true,
      });
      await client.patch(CLUSTER_ROLES, undefined, 'monitoring', 'merge', { metadata: { labels: { a: 'b' } } });
      assert.deepEqual(
        seen.map((r) => [r.method, r.url, r.type]),
        [
          [
            'PATCH',
            '/apis/rbac.authorization.k8s.io/v1/clusterroles/monitoring?fieldManager=clusterrole-aggregation-controller&force=true',
            'application/apply-patch+yaml',
          ],
          ['PATCH', '/apis/rbac.authorization.k8s.io/v1/clusterroles/monitoring', 'application/merge-patch+json'],
        ],
      );
      assert.deepEqual(JSON.parse(seen[0]!.body), body);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
