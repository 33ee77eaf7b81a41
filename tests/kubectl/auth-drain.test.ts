/**
 * `kubectl auth can-i`, `auth can-i --list`, `auth whoami` and `drain` with the JSON-speaking kubectl versions
 * (1.20, 1.27, 1.28) against `npm start -- --nodes 1` (API server and controller manager, so that graceful deletions
 * finish): the self-reviews answer, and drain evicts a bare pod through pods/eviction while the DaemonSet's pod stays.
 * kubectl sends no bearer token over plain HTTP (client-go sets credentials only for TLS), so the caller is anonymous.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, speaksProtobuf } from '../helpers/kubectl.js';

const NS = 'default';
const DS = 'drain-agent';

const RULES_TABLE = [
  'Resources   Non-Resource URLs   Resource Names   Verbs',
  '*.*         []                  []               [*]',
  '            [*]                 []               [*]',
];

/** The lines of kubectl's combined output, trimmed, without empty ones. */
const linesOf = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

describe('kubectl auth and drain', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  let node: string;
  let dsPod: string;
  const kubectls: Kubectl[] = [];

  const podsOnNode = async (): Promise<
    Array<{
      metadata: { name: string; ownerReferences?: Array<{ kind: string }>; deletionTimestamp?: string };
      status?: { phase?: string };
    }>
  > => (await cluster.api('GET', `/api/v1/namespaces/${NS}/pods?fieldSelector=spec.nodeName%3D${node}`)).body.items;

  before(async () => {
    cluster = await startCluster({ nodes: 1 });
    node = (await cluster.api('GET', '/api/v1/nodes')).body.items[0].metadata.name;
    const created = await cluster.api('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: DS },
      spec: {
        selector: { matchLabels: { app: DS } },
        template: {
          metadata: { labels: { app: DS } },
          spec: { containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.9' }] },
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    dsPod = (await eventually(
      async () =>
        (
          await podsOnNode()
        ).find((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet' && p.status?.phase === 'Running')?.metadata
          .name,
      { what: 'the DaemonSet pod to run', timeoutMs: 30_000 },
    ))!;
  });
  after(async () => {
    for (const k of kubectls) k.dispose();
    await cluster?.stop();
  });

  // The protobuf-speaking versions run the same in tests/kubectl/protobuf.test.ts.
  for (const version of KUBECTL_VERSIONS.filter((v) => !speaksProtobuf(v))) {
    describe(`kubectl ${version}`, () => {
      let k: Kubectl;
      before(() => {
        k = new Kubectl(cluster.kubeconfig, version);
        kubectls.push(k);
      });

      it('auth can-i create pods: yes', async () => {
        assert.equal(await k.ok(['auth', 'can-i', 'create', 'pods']), 'yes\n');
        assert.equal(await k.ok(['auth', 'can-i', 'delete', 'nodes', '--all-namespaces']), 'yes\n');
        assert.equal(await k.ok(['auth', 'can-i', 'get', '/healthz']), 'yes\n');
      });

      it('auth can-i --list: every verb on every resource and non-resource URL', async () => {
        assert.deepEqual((await k.ok(['auth', 'can-i', '--list'])).trimEnd().split('\n'), RULES_TABLE);
      });

      it('api-resources lists the reviews (verb create) and nothing of policy; get all is not disturbed', async () => {
        const r = await k.run(['api-resources']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        const rows = linesOf(r.stdout).map((l) => l.split(/\s+/));
        const row = (name: string) => rows.find((cols) => cols[0] === name);
        assert.deepEqual(row('selfsubjectaccessreviews'), [
          'selfsubjectaccessreviews',
          'authorization.k8s.io/v1',
          'false',
          'SelfSubjectAccessReview',
        ]);
        assert.deepEqual(row('selfsubjectrulesreviews'), [
          'selfsubjectrulesreviews',
          'authorization.k8s.io/v1',
          'false',
          'SelfSubjectRulesReview',
        ]);
        assert.deepEqual(row('selfsubjectreviews'), [
          'selfsubjectreviews',
          'authentication.k8s.io/v1',
          'false',
          'SelfSubjectReview',
        ]);
        assert.ok(!rows.some((cols) => cols.some((c) => c.startsWith('policy/'))), r.stdout);
        const creatable = await k.ok(['api-resources', '--verbs=create', '-o', 'name']);
        assert.ok(linesOf(creatable).includes('selfsubjectaccessreviews.authorization.k8s.io'), creatable);
        const listable = await k.ok(['api-resources', '--verbs=list', '-o', 'name']);
        assert.ok(!listable.includes('selfsubject'), listable);

        const all = await k.run(['get', 'all']);
        assert.equal(all.code, 0, all.stderr);
        assert.equal(all.stderr, '');
        assert.match(all.stdout, new RegExp(`daemonset\\.apps/${DS}\\s`));
        assert.match(all.stdout, new RegExp(`pod/${DS}-`));
      });

      it('explain selfsubjectaccessreview.spec: the schema from the served OpenAPI documents', async () => {
        const out = await k.ok(['explain', 'selfsubjectaccessreview.spec']);
        assert.match(out, /SelfSubjectAccessReview/);
        assert.match(out, /nonResourceAttributes\s+<(Object|NonResourceAttributes)>/);
        assert.match(out, /resourceAttributes\s+<(Object|ResourceAttributes)>/);
      });

      if (version !== '1.20') {
        // auth whoami came in 1.26 (v1alpha1); 1.27 asks authentication.k8s.io/v1beta1, 1.28 asks v1.
        it(`auth whoami: the anonymous user, asked through authentication.k8s.io/${version === '1.27' ? 'v1beta1' : 'v1'}`, async () => {
          const r = await k.run(['auth', 'whoami', '-v=6']);
          assert.equal(r.code, 0, r.stderr);
          assert.deepEqual(linesOf(r.stdout), [
            'ATTRIBUTE   VALUE',
            'Username    system:anonymous',
            'Groups      [system:unauthenticated]',
          ]);
          const wanted = version === '1.27' ? 'v1beta1' : 'v1';
          assert.match(
            r.stderr,
            new RegExp(`POST http://[^ ]+/apis/authentication\\.k8s\\.io/${wanted}/selfsubjectreviews 201 Created`),
          );
          const json = JSON.parse(await k.ok(['auth', 'whoami', '-o', 'json']));
          assert.deepEqual(json.status, {
            userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
          });
        });
      }

      it('drain --ignore-daemonsets --force: the bare pod is evicted and gone, the DaemonSet pod stays', async () => {
        await k.ok(['uncordon', node]);
        const bare = `bare-${version.replace('.', '-')}`;
        const created = await cluster.api('POST', `/api/v1/namespaces/${NS}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: bare },
          spec: { nodeName: node, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        await eventually(
          async () =>
            (await cluster.api('GET', `/api/v1/namespaces/${NS}/pods/${bare}`)).body.status?.phase === 'Running',
          { what: `${bare} to run` },
        );

        const r = await k.run(['drain', node, '--ignore-daemonsets', '--force', '-v=6'], { timeoutMs: 60_000 });
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        const out = linesOf(`${r.stdout}\n${r.stderr}`).filter((l) => !/^I\d{4} /.test(l));
        assert.ok(out.includes(`node/${node} cordoned`), out.join('\n'));
        assert.ok(out.includes(`evicting pod ${NS}/${bare}`), out.join('\n'));
        assert.ok(out.includes(`pod/${bare} evicted`), out.join('\n'));
        // kubectl 1.20 reuses the printer of its last eviction for the node (a client quirk fixed in 1.21).
        assert.ok(out.includes(`node/${node} ${version === '1.20' ? 'evicted' : 'drained'}`), out.join('\n'));
        assert.ok(
          out.some(
            (l) =>
              /^(Warning|WARNING): .*ignoring DaemonSet-managed Pods: default\//.test(l) &&
              l.includes(`${NS}/${dsPod}`),
          ),
          out.join('\n'),
        );
        // Through the eviction subresource, not a DELETE of the pod.
        assert.match(
          r.stderr,
          new RegExp(`POST http://[^ ]+/api/v1/namespaces/${NS}/pods/${bare}/eviction 201 Created`),
        );
        assert.doesNotMatch(r.stderr, new RegExp(`DELETE http://[^ ]+/pods/${bare}`));

        assert.equal((await cluster.api('GET', `/api/v1/namespaces/${NS}/pods/${bare}`)).status, 404);
        const ds = (await cluster.api('GET', `/api/v1/namespaces/${NS}/pods/${dsPod}`)).body;
        assert.equal(ds.metadata?.name, dsPod);
        assert.equal(ds.metadata.deletionTimestamp, undefined);
        const nodeNow = (await cluster.api('GET', `/api/v1/nodes/${node}`)).body;
        assert.equal(nodeNow.spec.unschedulable, true);
      });
    });
  }

  it('the DaemonSet pod, evicted through the API, is replaced by its controller', async () => {
    const res = await cluster.api('POST', `/api/v1/namespaces/${NS}/pods/${dsPod}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: dsPod },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    await eventually(async () => (await cluster.api('GET', `/api/v1/namespaces/${NS}/pods/${dsPod}`)).status === 404, {
      what: `${dsPod} to be gone`,
    });
    const replacement = await eventually(
      async () =>
        (await podsOnNode()).find(
          (p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet' && !p.metadata.deletionTimestamp,
        )?.metadata.name,
      { what: 'a new DaemonSet pod', timeoutMs: 30_000 },
    );
    assert.notEqual(replacement, dsPod);
  });
});
