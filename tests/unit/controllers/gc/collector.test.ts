import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../../../apimachinery/objects.js';
import { GarbageCollector } from '../../../../controllers/garbage-collector/collector.js';
import { wellKnownResources } from '../../../../controllers/garbage-collector/discovery.js';
import type { DeleteOptions } from '../../../../controllers/machinery/types.js';
import { apiError, FakeCluster, RESOURCES } from '../kubelet/fake-cluster.js';

type Any = Record<string, any>;

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

/** Creates pods named `names` (unbound: deleted at once, as an API server does) and starts the collector. */
async function setup(names: string[]) {
  const cluster = new FakeCluster();
  const uids: Record<string, string> = {};
  for (const n of names) uids[n] = (await cluster.create(RESOURCES.pods, 'default', pod(n))).metadata.uid!;
  const gc = new GarbageCollector(cluster.context(), { discovery: wellKnownResources() });
  const stop = new AbortController();
  running.push({ stop, done: gc.run(stop.signal) });
  await cluster.settle();
  return { cluster, uids, gc };
}

function pod(name: string, owners: OwnerReference[] = []): KubeObject {
  return {
    metadata: { name, namespace: 'default', ownerReferences: owners },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  };
}

const owner = (name: string, uid: string, block = false): OwnerReference => ({
  apiVersion: 'v1',
  kind: 'Pod',
  name,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});

/** Sets the ownerReferences of a pod. */
async function own(cluster: FakeCluster, name: string, refs: OwnerReference[]): Promise<void> {
  await cluster.patch(RESOURCES.pods, 'default', name, 'merge', { metadata: { ownerReferences: refs } });
}

const names = (c: FakeCluster) =>
  c
    .objects(RESOURCES.pods)
    .map((p) => p.metadata.name)
    .sort();
const get = (c: FakeCluster, name: string) => c.object(RESOURCES.pods, 'default', name) as Any | undefined;

async function remove(c: FakeCluster, name: string, opts: DeleteOptions) {
  await c.delete(RESOURCES.pods, 'default', name, opts);
  await c.tick(1000);
}

describe('garbage collector', () => {
  it('background: dependents of a deleted owner are deleted, with a uid precondition', async () => {
    const { cluster, uids } = await setup(['owner', 'a', 'b']);
    await own(cluster, 'a', [owner('owner', uids.owner!, true)]);
    await own(cluster, 'b', [owner('owner', uids.owner!)]);
    await remove(cluster, 'owner', { propagationPolicy: 'Background' });
    assert.deepEqual(names(cluster), []);
    const deletes = cluster.callsOf('delete', 'pods').filter((c) => c.name !== 'owner');
    assert.deepEqual(deletes.map((c) => [c.name, c.opts?.propagationPolicy, c.opts?.preconditions?.uid]).sort(), [
      ['a', 'Background', uids.a],
      ['b', 'Background', uids.b],
    ]);
  });

  it('orphan: dependents lose the reference and survive; the owner goes once its finalizer is removed', async () => {
    const { cluster, uids } = await setup(['owner', 'other', 'a']);
    await own(cluster, 'a', [owner('owner', uids.owner!, true), owner('other', uids.other!)]);
    await remove(cluster, 'owner', { propagationPolicy: 'Orphan' });
    assert.deepEqual(names(cluster), ['a', 'other']);
    assert.deepEqual(get(cluster, 'a')!.metadata.ownerReferences, [owner('other', uids.other!)]);
  });

  it('orphan of the only owner removes ownerReferences entirely', async () => {
    const { cluster, uids } = await setup(['owner', 'a']);
    await own(cluster, 'a', [owner('owner', uids.owner!, true)]);
    await remove(cluster, 'owner', { propagationPolicy: 'Orphan' });
    assert.deepEqual(names(cluster), ['a']);
    assert.equal(get(cluster, 'a')!.metadata.ownerReferences, undefined);
  });

  it('foreground: the owner stays with its finalizer until blocking dependents are gone', async () => {
    const { cluster, uids } = await setup(['owner', 'a', 'fin']);
    await own(cluster, 'a', [owner('owner', uids.owner!, true)]);
    // A dependent held by someone else's finalizer keeps the owner waiting.
    await cluster.patch(RESOURCES.pods, 'default', 'fin', 'merge', {
      metadata: { ownerReferences: [owner('owner', uids.owner!, true)], finalizers: ['example.com/hold'] },
    });
    await remove(cluster, 'owner', { propagationPolicy: 'Foreground' });
    assert.deepEqual(names(cluster), ['fin', 'owner']);
    const o = get(cluster, 'owner')!;
    assert.deepEqual([!!o.metadata.deletionTimestamp, o.metadata.finalizers], [true, ['foregroundDeletion']]);
    await cluster.patch(RESOURCES.pods, 'default', 'fin', 'merge', { metadata: { finalizers: null } });
    await cluster.tick(1000);
    assert.deepEqual(names(cluster), []);
  });

  it('foreground: a dependent with a second, live owner survives without the waiting owner', async () => {
    const { cluster, uids } = await setup(['owner', 'other', 'a']);
    await own(cluster, 'a', [owner('owner', uids.owner!, true), owner('other', uids.other!)]);
    await remove(cluster, 'owner', { propagationPolicy: 'Foreground' });
    assert.deepEqual(names(cluster), ['a', 'other']);
    assert.deepEqual(get(cluster, 'a')!.metadata.ownerReferences, [owner('other', uids.other!)]);
  });

  it('multiple owners: a dangling reference is removed while another owner remains', async () => {
    const { cluster, uids } = await setup(['live', 'a']);
    await own(cluster, 'a', [owner('live', uids.live!), owner('ghost', 'uid-ghost')]);
    await cluster.tick(1000);
    assert.deepEqual(names(cluster), ['a', 'live']);
    assert.deepEqual(get(cluster, 'a')!.metadata.ownerReferences, [owner('live', uids.live!)]);
  });

  it('a reference to a same-named object with another uid is dangling', async () => {
    const { cluster } = await setup(['impostor', 'a']);
    await own(cluster, 'a', [owner('impostor', 'uid-old')]);
    await cluster.tick(1000);
    assert.deepEqual(names(cluster), ['impostor']);
  });

  it('dependency circle: pod1←pod3, pod2←pod1, pod3←pod2, foreground deletion of pod1 removes all three', async () => {
    const { cluster, uids } = await setup(['pod1', 'pod2', 'pod3']);
    await own(cluster, 'pod1', [owner('pod3', uids.pod3!, true)]);
    await own(cluster, 'pod2', [owner('pod1', uids.pod1!, true)]);
    await own(cluster, 'pod3', [owner('pod2', uids.pod2!, true)]);
    await cluster.tick(1000);
    assert.deepEqual(names(cluster), ['pod1', 'pod2', 'pod3']);
    await remove(cluster, 'pod1', { propagationPolicy: 'Foreground' });
    await cluster.tick(5000);
    assert.deepEqual(names(cluster), []);
    // The cycle was broken by making a reference non-blocking before a foreground delete.
    const unblocked = cluster
      .callsOf('patch', 'pods')
      .filter((c) => c.body?.metadata?.ownerReferences?.[0]?.blockOwnerDeletion === false);
    assert.equal(unblocked.length, 1);
    assert.deepEqual(
      cluster.callsOf('delete', 'pods').map((c) => [c.name, c.opts?.propagationPolicy]),
      [
        ['pod1', 'Foreground'],
        ['pod2', 'Foreground'],
        ['pod3', 'Foreground'],
      ],
    );
  });

  it('dependents of an owner deleted while the collector was down are collected on start', async () => {
    const cluster = new FakeCluster();
    await cluster.create(RESOURCES.pods, 'default', pod('a', [owner('gone', 'uid-gone', true)]));
    const gc = new GarbageCollector(cluster.context(), { discovery: wellKnownResources() });
    const stop = new AbortController();
    running.push({ stop, done: gc.run(stop.signal) });
    await cluster.tick(1000);
    assert.deepEqual(names(cluster), []);
  });

  it('the Lease of a deleted node goes with it (cluster-scoped owner of a namespaced object)', async () => {
    const cluster = new FakeCluster();
    const node: KubeObject = await cluster.create(RESOURCES.nodes, undefined, {
      metadata: { name: 'n1' },
    } as KubeObject);
    await cluster.create(RESOURCES.leases, 'kube-node-lease', {
      metadata: {
        name: 'n1',
        namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node.metadata.uid! }],
      },
    });
    const gc = new GarbageCollector(cluster.context(), { discovery: wellKnownResources() });
    const stop = new AbortController();
    running.push({ stop, done: gc.run(stop.signal) });
    await cluster.settle();
    assert.equal(cluster.objects(RESOURCES.leases).length, 1);
    await cluster.delete(RESOURCES.nodes, undefined, 'n1');
    await cluster.tick(1000);
    assert.equal(cluster.objects(RESOURCES.leases).length, 0);
  });

  it('retries with backoff, not in a hot loop, when the API fails', async () => {
    const { cluster, uids } = await setup(['owner', 'a']);
    await own(cluster, 'a', [owner('owner', uids.owner!)]);
    cluster.failures.set(`get pods a`, apiError(500, 'InternalError'));
    await cluster.delete(RESOURCES.pods, 'default', 'owner', { propagationPolicy: 'Background' });
    const before = cluster.calls.length;
    await cluster.tick(100);
    // One failure is retried after 5 ms, 10 ms, 20 ms, 40 ms...: a handful of calls in 100 ms, not thousands.
    assert.ok(cluster.calls.length - before < 20, String(cluster.calls.length - before));
    await cluster.tick(2000);
    assert.deepEqual(names(cluster), []);
  });
});
