/**
 * The garbage collector, the simulated kubelet and the pod GC end to end: a real API server in-process and the
 * components run by the real controller manager (HTTP client, shared informers, work queues, event recorder).
 * Pods serve as owners and dependents where no controller interferes: unbound pods are no kubelet's business.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { garbageCollector } from '../../controllers/garbage-collector/index.js';
import { kubelet } from '../../controllers/kubelet/index.js';
import { HttpApiClient } from '../../controllers/machinery/client.js';
import type { Logger } from '../../controllers/machinery/types.js';
import { startControllerManager, type RunningControllerManager } from '../../controllers/manager.js';
import { podGC } from '../../controllers/podgc.js';
import { Api, podManifest, sleep, type Json } from '../helpers/http.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

const quiet: Logger = {
  debug() {},
  info() {},
  warn: (o, m) => void (process.env.DEBUG_TESTS && console.log('WARN', m, JSON.stringify(o))),
  error: (o, m) => void (process.env.DEBUG_TESTS && console.log('ERROR', m, JSON.stringify(o))),
  child: () => quiet,
};
const NS = 'gc-test';
const pods = `/api/v1/namespaces/${NS}/pods`;

/**
 * Polls `check` until it returns a truthy value (returned) or `timeoutMs` passes (then fails with the last value).
 * Generous: the controllers share two cores with another test file on CI, and a pass is usually well under 2 s.
 */
async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await sleep(25);
  }
}

describe('garbage collector, kubelet and pod GC against the API server', () => {
  let srv: InProcessServer;
  let api: Api;
  let cm: RunningControllerManager;
  const stop = new AbortController();

  before(async () => {
    srv = await startInProcess();
    api = new Api(srv.url);
    await api.createNamespace(NS);
    const client = new HttpApiClient({ server: srv.url });
    const discovery = async (path: string) => (await api.expect(200, 'GET', path)) as unknown;
    cm = await startControllerManager({
      client,
      log: quiet,
      speed: 0.05,
      workers: 2,
      components: [kubelet, podGC, (ctx) => garbageCollector(ctx, { discovery })],
      signal: stop.signal,
    });
  });

  after(async () => {
    stop.abort();
    await cm?.done.catch(() => {});
    await srv?.close();
  });

  async function pod(name: string, owners: Json[] = [], extra: Json = {}): Promise<Json> {
    const m = podManifest(name);
    m.metadata.ownerReferences = owners;
    Object.assign(m.metadata, extra.metadata ?? {});
    Object.assign(m.spec, extra.spec ?? {});
    return api.expect(201, 'POST', pods, { body: m });
  }
  const ref = (p: Json, block = false) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    name: p.metadata.name,
    uid: p.metadata.uid,
    ...(block ? { blockOwnerDeletion: true } : {}),
  });
  const get = async (name: string) => {
    const r = await api.get(`${pods}/${name}`);
    return r.status === 200 ? r.body : undefined;
  };
  const gone = (name: string) => eventually(`${name} deleted`, async () => (await get(name)) === undefined);

  it('orphan: the owner goes, dependents survive without the ownerReference', async () => {
    const owner = await pod('orphan-owner');
    await pod('orphan-a', [ref(owner, true)]);
    await pod('orphan-b', [ref(owner)]);
    await api.expect(200, 'DELETE', `${pods}/orphan-owner`, { body: { propagationPolicy: 'Orphan' } });
    await gone('orphan-owner');
    await sleep(500);
    for (const n of ['orphan-a', 'orphan-b']) {
      const p = await get(n);
      assert.ok(p, `${n} survives`);
      assert.equal(p.metadata.ownerReferences, undefined);
    }
  });

  it('background: dependents are deleted after the owner', async () => {
    const owner = await pod('bg-owner');
    await pod('bg-a', [ref(owner, true)]);
    await pod('bg-b', [ref(owner)]);
    await api.expect(200, 'DELETE', `${pods}/bg-owner`, { body: { propagationPolicy: 'Background' } });
    await gone('bg-a');
    await gone('bg-b');
  });

  it('foreground: the owner stays with its finalizer until the blocking dependents are gone', async () => {
    const owner = await pod('fg-owner');
    await pod('fg-a', [ref(owner, true)], { metadata: { finalizers: ['example.com/hold'] } });
    await pod('fg-b', [ref(owner, true)]);
    await api.expect(200, 'DELETE', `${pods}/fg-owner`, { body: { propagationPolicy: 'Foreground' } });
    await gone('fg-b');
    const waiting = await eventually(
      'fg-a marked for deletion',
      async () => (await get('fg-a'))?.metadata.deletionTimestamp,
    );
    assert.ok(waiting);
    await sleep(300);
    const o = await get('fg-owner');
    assert.ok(o?.metadata.deletionTimestamp, 'owner still there, being deleted');
    assert.deepEqual(o.metadata.finalizers, ['foregroundDeletion']);
    await api.expect(200, 'PATCH', `${pods}/fg-a`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    await gone('fg-a');
    await gone('fg-owner');
  });

  it('a dependent with another live owner survives foreground deletion of one owner', async () => {
    const owner = await pod('two-owner');
    const other = await pod('two-other');
    await pod('two-dep', [ref(owner, true), ref(other)]);
    await api.expect(200, 'DELETE', `${pods}/two-owner`, { body: { propagationPolicy: 'Foreground' } });
    await gone('two-owner');
    const dep = await get('two-dep');
    assert.deepEqual(dep.metadata.ownerReferences, [ref(other)]);
  });

  it('is not blocked by a dependency circle', async () => {
    const p1 = await pod('circle-1');
    const p2 = await pod('circle-2', [ref(p1, true)]);
    const p3 = await pod('circle-3', [ref(p2, true)]);
    await api.expect(200, 'PATCH', `${pods}/circle-1`, {
      body: { metadata: { ownerReferences: [ref(p3, true)] } },
      contentType: 'application/merge-patch+json',
    });
    await sleep(200);
    assert.ok(await get('circle-1'));
    await api.expect(200, 'DELETE', `${pods}/circle-1`, {
      body: { propagationPolicy: 'Foreground', preconditions: { uid: p1.metadata.uid } },
    });
    for (const n of ['circle-1', 'circle-2', 'circle-3']) await gone(n);
  });

  it('the kubelet runs a bound pod, heartbeats its node and finishes graceful deletion', async () => {
    await api.expect(201, 'POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'e2e-node' } },
    });
    const node = await eventually('node Ready', async () => {
      const n = (await api.get('/api/v1/nodes/e2e-node')).body;
      return n.status?.conditions?.find((c: Json) => c.type === 'Ready')?.status === 'True' && n.spec?.podCIDR
        ? n
        : undefined;
    });
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.32.0');
    const lease = await eventually(
      'lease',
      async () => (await api.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/e2e-node')).body.spec,
    );
    assert.equal(lease.holderIdentity, 'e2e-node');

    await pod('runs', [], { spec: { nodeName: 'e2e-node' } });
    await pod('never', [], { spec: { nodeName: 'e2e-node', containers: [{ name: 'c', image: 'foo:non-existent' }] } });
    const running = await eventually('pod Running', async () => {
      const p = await get('runs');
      return p?.status?.phase === 'Running' ? p : undefined;
    });
    assert.equal(running.status.containerStatuses[0].ready, true);
    assert.ok(running.status.podIP.startsWith(node.spec.podCIDR.split('.').slice(0, 3).join('.')));
    await eventually('ErrImagePull', async () =>
      ['ErrImagePull', 'ImagePullBackOff'].includes(
        (await get('never'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason,
      ),
    );
    assert.equal((await get('never')).status.phase, 'Pending');

    // Nothing is rewritten once the pod runs.
    const rv = running.metadata.resourceVersion;
    await sleep(300);
    assert.equal((await get('runs')).metadata.resourceVersion, rv);

    // the kubelet's events are written asynchronously by its recorder
    await eventually('the kubelet events', async () => {
      const events = (await api.get(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name=runs`)).body
        .items;
      return ['Pulling', 'Pulled', 'Created', 'Started'].every((r) =>
        events.some((e: Json) => e.reason === r && e.source.host === 'e2e-node' && e.source.component === 'kubelet'),
      );
    });

    const del = await api.expect(200, 'DELETE', `${pods}/runs`);
    assert.ok(del.metadata.deletionTimestamp, 'graceful');
    await gone('runs');
  });

  it('foreground deletion of a pod bound to a node finishes after the kubelet stopped it', async () => {
    await api.expect(201, 'POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'fg-node' } },
    });
    const owner = await pod('bound-owner', [], { spec: { nodeName: 'fg-node' } });
    await pod('bound-dep', [ref(owner, true)], { metadata: { finalizers: ['example.com/hold'] } });
    await eventually('owner Running', async () => (await get('bound-owner'))?.status?.phase === 'Running');
    await api.expect(200, 'DELETE', `${pods}/bound-owner`, { body: { propagationPolicy: 'Foreground' } });
    // The kubelet finishes (grace 30 s capped at 2 s, × 0.05) while the dependent still blocks the owner.
    await sleep(400);
    assert.ok((await get('bound-owner'))?.metadata.finalizers?.includes('foregroundDeletion'));
    await api.expect(200, 'PATCH', `${pods}/bound-dep`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    await gone('bound-dep');
    await gone('bound-owner');
  });

  it('the pod GC deletes the pods of a deleted node; the GC its Lease', async () => {
    await api.expect(201, 'POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'doomed' } },
    });
    await eventually(
      'lease',
      async () =>
        (await api.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/doomed')).status === 200,
    );
    await pod('on-doomed', [], { spec: { nodeName: 'doomed' } });
    await eventually('pod Running', async () => (await get('on-doomed'))?.status?.phase === 'Running');
    await api.expect(200, 'DELETE', '/api/v1/nodes/doomed');
    await gone('on-doomed');
    await eventually(
      'lease deleted',
      async () =>
        (await api.get('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/doomed')).status === 404,
    );
  });
});
