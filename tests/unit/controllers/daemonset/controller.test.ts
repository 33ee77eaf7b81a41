import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COALESCE_MAX_MS,
  COALESCE_US_PER_NODE,
  DaemonSetController,
  daemonSetController,
} from '../../../../controllers/daemonset/controller.js';
import type { ControllerRevision, DaemonSet, Node, Pod } from '../../../../controllers/daemonset/types.js';
import type { WorkQueue } from '../../../../controllers/machinery/types.js';
import { apiError, daemonPod, daemonSet, FakeCluster, node, RESOURCES } from './fakes.js';

const KEY = 'default/foo';

/** Syncs queued keys until the queue is empty (delayed and rate-limited keys stay delayed). */
async function drain(c: DaemonSetController, max = 100): Promise<number> {
  const signal = new AbortController().signal;
  let n = 0;
  while (c.queue.length() > 0 && n < max) {
    await c.processNext(signal);
    n++;
  }
  return n;
}

/** Lets the watch deliver everything, then syncs, until nothing changes. */
async function settle(cluster: FakeCluster, c: DaemonSetController): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const delivered = cluster.flush();
    const synced = await drain(c);
    if (delivered === 0 && synced === 0) return;
  }
  throw new Error('did not settle');
}

function world(nodes: Node[], ds: DaemonSet = daemonSet(), opts: { burstReplicas?: number } = {}) {
  const cluster = new FakeCluster();
  const c = new DaemonSetController(cluster.context(), opts);
  for (const n of nodes) cluster.seed(RESOURCES.nodes, n);
  cluster.seed(RESOURCES.daemonsets, ds);
  return { cluster, c };
}

const podsOf = (cluster: FakeCluster) => cluster.objects<Pod>(RESOURCES.pods);
const dsOf = (cluster: FakeCluster) => cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!;
const nodeNames = (pods: Pod[]) => pods.map((p) => p.spec!.nodeName).sort();

describe('DaemonSetController.sync', () => {
  it('creates exactly one pod per eligible node, then nothing on later syncs', async () => {
    const { cluster, c } = world([
      node('n1'),
      node('n2'),
      node('not-ready', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }),
      node('cordoned', {
        unschedulable: true,
        taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
      }),
      node('control-plane', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
    ]);
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 4);
    assert.equal(cluster.callsOf('create', 'controllerrevisions').length, 1);
    await settle(cluster, c);
    assert.deepEqual(nodeNames(podsOf(cluster)), ['cordoned', 'n1', 'n2', 'not-ready']);
    const before = cluster.calls.length;
    // and lists no node: its steps look at the nodes that changed (at 100,000 nodes a list is 800 KB per sync)
    const lister = c.nodes.lister;
    const list = lister.list.bind(lister);
    let listed = 0;
    lister.list = (ns?: string) => {
      listed++;
      return list(ns);
    };
    try {
      await c.sync(KEY);
    } finally {
      lister.list = list;
    }
    assert.equal(cluster.calls.length, before, 'a second sync makes no call at all');
    assert.equal(listed, 0, 'a second sync lists no node');
    const st = dsOf(cluster).status!;
    assert.deepEqual(
      [
        st.desiredNumberScheduled,
        st.currentNumberScheduled,
        st.numberMisscheduled,
        st.updatedNumberScheduled,
        st.observedGeneration,
      ],
      [4, 4, 0, 4, 1],
    );
    const events = cluster.recorder.events.filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(
      events.map((e) => e.message).sort(),
      podsOf(cluster)
        .map((p) => `Created pod: ${p.metadata.name}`)
        .sort(),
    );
  });

  it('pods carry the revision hash, template generation and controller reference', async () => {
    const { cluster, c } = world([node('n1')]);
    await settle(cluster, c);
    const [pod] = podsOf(cluster);
    const [rev] = cluster.objects(RESOURCES.controllerrevisions);
    assert.equal(pod!.metadata.labels!['controller-revision-hash'], rev!.metadata.labels!['controller-revision-hash']);
    assert.equal(pod!.metadata.labels!['pod-template-generation'], '1');
    assert.equal(pod!.metadata.ownerReferences![0]!.uid, 'ds-uid-foo');
    assert.equal(pod!.metadata.name!.startsWith('foo-'), true);
  });

  it('a slow watch never causes duplicate pods', async () => {
    const { cluster, c } = world([node('n1'), node('n2'), node('n3')]);
    await c.sync(KEY);
    assert.equal(cluster.callsOf('create', 'pods').length, 3);
    await c.sync(KEY);
    cluster.flush(cluster.pendingEvents() - 1); // all but the last pod seen
    await c.sync(KEY);
    assert.equal(cluster.callsOf('create', 'pods').length, 3, 'expectations hold creation back');
    await settle(cluster, c);
    assert.equal(podsOf(cluster).length, 3);
  });

  it('a restarted controller lists the existing pods first and creates nothing', async () => {
    const { cluster, c } = world([node('n1'), node('n2')]);
    await c.sync(KEY); // pods created, their watch events never seen by this controller
    assert.equal(podsOf(cluster).length, 2);
    cluster.restart();
    const restarted = new DaemonSetController(cluster.context());
    cluster.relist();
    await drain(restarted);
    assert.equal(cluster.callsOf('create', 'pods').length, 2);
    assert.equal(cluster.callsOf('create', 'controllerrevisions').length, 1);
  });

  it('an empty selector only records a SelectingAll warning', async () => {
    const { cluster, c } = world(
      [node('n1')],
      daemonSet('foo', (d) => (d.spec.selector = {})),
    );
    await drain(c);
    assert.deepEqual(
      cluster.recorder.events.map((e) => [e.type, e.reason, e.message]),
      [['Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.']],
    );
    assert.equal(cluster.calls.length, 0);
  });

  it('a DaemonSet being deleted is left alone (not even status)', async () => {
    const ds = daemonSet('foo', (d) => (d.metadata.deletionTimestamp = '2024-01-01T00:00:00Z'));
    const { cluster, c } = world([node('n1')], ds);
    cluster.seed(RESOURCES.pods, daemonPod(ds, 'orphan', 'n1', { orphan: true }));
    await drain(c);
    assert.equal(cluster.calls.length, 0);
  });

  it('a deleted DaemonSet is a no-op and forgets its expectations', async () => {
    const { cluster, c } = world([node('n1')]);
    await c.sync(KEY);
    assert.ok(!c.expectations.satisfied(KEY));
    await cluster.delete(RESOURCES.daemonsets, 'default', 'foo');
    cluster.flush();
    await drain(c);
    assert.equal(c.expectations.get(KEY), undefined);
  });

  it('deletes a failed pod with a warning, fails the sync, and replaces the pod on a later sync', async () => {
    const ds = daemonSet();
    const { cluster, c } = world([node('n1')], ds);
    await settle(cluster, c);
    const [pod] = podsOf(cluster);
    await cluster.update(
      RESOURCES.pods,
      'default',
      { ...pod!, status: { phase: 'Failed' } },
      { subresource: 'status' },
    );
    cluster.flush();
    await drain(c);
    assert.deepEqual(
      cluster.callsOf('delete', 'pods').map((d) => d.name),
      [pod!.metadata.name],
    );
    const warning = cluster.recorder.events.find((e) => e.reason === 'FailedDaemonPod')!;
    assert.equal(
      warning.message,
      `Found failed daemon pod default/${pod!.metadata.name} on node n1, will try to kill it`,
    );
    assert.equal(c.queue.retries(KEY), 1, 'the sync failed and was rate-limited');
    await settle(cluster, c);
    assert.equal(podsOf(cluster).length, 1);
    assert.notEqual(podsOf(cluster)[0]!.metadata.name, pod!.metadata.name);
  });

  it('follows node labels: pod appears when the node matches and goes when it stops matching', async () => {
    const ds = daemonSet('foo', (d) => (d.spec.template.spec!.nodeSelector = { color: 'blue' }));
    const { cluster, c } = world([node('n1'), node('n2')], ds);
    await settle(cluster, c);
    assert.equal(podsOf(cluster).length, 0);
    const n1 = cluster.objects<Node>(RESOURCES.nodes).find((n) => n.metadata.name === 'n1')!;
    await cluster.update(RESOURCES.nodes, undefined, {
      ...n1,
      metadata: { ...n1.metadata, labels: { ...n1.metadata.labels, color: 'blue' } },
    });
    await settle(cluster, c);
    assert.deepEqual(nodeNames(podsOf(cluster)), ['n1']);
    const blue = cluster.objects<Node>(RESOURCES.nodes).find((n) => n.metadata.name === 'n1')!;
    await cluster.update(RESOURCES.nodes, undefined, {
      ...blue,
      metadata: { ...blue.metadata, labels: { ...blue.metadata.labels, color: 'green' } },
    });
    await settle(cluster, c);
    assert.equal(podsOf(cluster).length, 0);
    assert.ok(cluster.recorder.events.some((e) => e.reason === 'SuccessfulDelete'));
  });

  it('adopts matching orphans instead of creating, and releases pods that stopped matching', async () => {
    const ds = daemonSet();
    const { cluster, c } = world([node('n1'), node('n2')], ds);
    cluster.seed(RESOURCES.pods, daemonPod(ds, 'orphan', 'n1', { orphan: true }));
    const stray = cluster.seed(RESOURCES.pods, daemonPod(ds, 'stray', 'n2', { labels: { name: 'other' } }));
    await settle(cluster, c);
    const byName = new Map(podsOf(cluster).map((p) => [p.metadata.name, p]));
    assert.equal(byName.get('orphan')!.metadata.ownerReferences![0]!.uid, ds.metadata.uid);
    assert.deepEqual(byName.get('stray')!.metadata.ownerReferences, []);
    assert.equal(cluster.callsOf('get', 'daemonsets').length >= 1, true, 'adoption re-checked the DaemonSet live');
    assert.deepEqual(
      cluster.callsOf('create', 'pods').map((p) => (p.body as Pod).spec!.nodeName),
      ['n2'],
    );
    assert.equal(cluster.callsOf('patch', 'pods').length, 2, 'one adoption and one release, never repeated');
    assert.ok(stray);
  });

  it('slow start: 100 nodes and a quota of 10 pods → 15 create calls per attempt; status 100 desired, 10 current', async () => {
    const nodes = Array.from({ length: 100 }, (_, i) => node(`node-${i}`));
    const { cluster, c } = world(nodes);
    let ok = 0;
    cluster.fail = (call) =>
      call.verb === 'create' && call.resource === 'pods' && ++ok > 10
        ? apiError(403, 'Forbidden', 'exceeded quota')
        : undefined;
    await drain(c);
    assert.equal(
      cluster.callsOf('create', 'pods').length,
      15,
      'batches 1, 2, 4, 8: the fourth fails and the rest are skipped',
    );
    cluster.flush();
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 16, 'the next sync starts again with a batch of 1');
    const st = dsOf(cluster).status!;
    assert.deepEqual([st.desiredNumberScheduled, st.currentNumberScheduled, st.updatedNumberScheduled], [100, 10, 10]);
  });

  it('coalesces the syncs pod changes ask for on a large cluster, not on a small one', async () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => node(`node-${i}`));
    const { cluster, c } = world(nodes, daemonSet(), { burstReplicas: 10 });
    const waitMs = (2000 * COALESCE_US_PER_NODE) / 1000;
    assert.equal(c.coalescingMs(), waitMs);
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 10);
    // 9 of 10 creations observed: the status can wait for more changes
    cluster.flush(9);
    assert.equal(c.queue.length(), 0, 'not queued at once');
    await cluster.clock.tick(waitMs - 1);
    assert.equal(c.queue.length(), 0);
    await cluster.clock.tick(1);
    assert.equal(c.queue.length(), 1, 'queued once, after the wait');
    await drain(c);
    cluster.flush();
    await cluster.clock.tick(waitMs);
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 20, 'the next batch');
    // a change that satisfies the expectations (the next batch may start) is queued at once
    const ds = dsOf(cluster);
    c.expectations.expectCreations(KEY, 1);
    c.enqueueCoalesced(ds);
    assert.equal(c.queue.length(), 0);
    c.expectations.creationObserved(KEY);
    c.enqueueCoalesced(ds);
    assert.equal(c.queue.length(), 1);
    // a small cluster syncs at once
    const small = world([node('n1'), node('n2')]);
    assert.equal(small.c.coalescingMs(), 0);
    assert.ok(COALESCE_MAX_MS <= 1000);
  });

  it('once every pod exists, a pod turning Ready on a large cluster waits for more changes (status only)', async () => {
    const { cluster, c } = world(
      Array.from({ length: 600 }, (_, i) => node(`node-${i}`)),
      daemonSet(),
      { burstReplicas: 1000 },
    );
    const waitMs = c.coalescingMs();
    assert.ok(waitMs >= 5);
    for (let i = 0; i < 20 && (cluster.pendingEvents() > 0 || c.queue.length() > 0 || i < 2); i++) {
      cluster.flush();
      await drain(c);
      await cluster.clock.tick(waitMs);
    }
    assert.equal(podsOf(cluster).length, 600);
    assert.equal(c.queue.length(), 0);
    const pod = podsOf(cluster)[0]!;
    await cluster.update(
      RESOURCES.pods,
      'default',
      { ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      { subresource: 'status' },
    );
    cluster.flush();
    assert.equal(c.queue.length(), 0, 'the status can wait');
    await cluster.clock.tick(waitMs);
    assert.equal(c.queue.length(), 1);
    await drain(c);
    assert.equal(dsOf(cluster).status!.numberReady, 1);
  });

  it('creates at most BurstReplicas pods per sync', async () => {
    const nodes = Array.from({ length: 30 }, (_, i) => node(`node-${i}`));
    const { cluster, c } = world(nodes, daemonSet(), { burstReplicas: 8 });
    await c.sync(KEY);
    assert.equal(cluster.callsOf('create', 'pods').length, 8);
    await settle(cluster, c);
    assert.equal(podsOf(cluster).length, 30);
  });

  it('status: ready pods counted; written only when changed; observedGeneration follows generation', async () => {
    const { cluster, c } = world([node('n1'), node('n2')]);
    await settle(cluster, c);
    assert.equal(dsOf(cluster).status!.numberReady, 0);
    for (const pod of podsOf(cluster)) {
      await cluster.update(
        RESOURCES.pods,
        'default',
        {
          ...pod,
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
          },
        },
        { subresource: 'status' },
      );
    }
    await settle(cluster, c);
    const st = dsOf(cluster).status!;
    assert.deepEqual([st.numberReady, st.numberAvailable, st.numberUnavailable ?? 0], [2, 2, 0]);
    const writes = cluster.callsOf('update', 'daemonsets').length;
    await c.sync(KEY);
    assert.equal(cluster.callsOf('update', 'daemonsets').length, writes, 'unchanged status is not written');
    const cur = dsOf(cluster);
    await cluster.update(RESOURCES.daemonsets, 'default', { ...cur, metadata: { ...cur.metadata, generation: 2 } });
    await settle(cluster, c);
    assert.equal(dsOf(cluster).status!.observedGeneration, 2);
  });

  it('a node that disappears re-syncs the DaemonSets with pods on it', async () => {
    const { cluster, c } = world([node('n1'), node('n2')]);
    await settle(cluster, c);
    assert.equal(dsOf(cluster).status!.desiredNumberScheduled, 2);
    await cluster.delete(RESOURCES.nodes, undefined, 'n2');
    await settle(cluster, c);
    assert.equal(dsOf(cluster).status!.desiredNumberScheduled, 1);
  });

  it('a template change creates a second revision and, with OnDelete, leaves pods alone', async () => {
    const { cluster, c } = world([node('n1')]);
    await settle(cluster, c);
    const cur = dsOf(cluster);
    const changed = structuredClone(cur);
    changed.spec.template.spec!.containers = [{ name: 'foo', image: 'foo/baz' }];
    changed.metadata.annotations = { 'deprecated.daemonset.template.generation': '2' };
    await cluster.update(RESOURCES.daemonsets, 'default', changed);
    await settle(cluster, c);
    const revs = cluster.objects<ControllerRevision>(RESOURCES.controllerrevisions);
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    assert.equal(cluster.callsOf('delete', 'pods').length, 0);
    assert.equal(dsOf(cluster).status!.updatedNumberScheduled ?? 0, 0);
  });
});

/** A queue that records what the handlers ask for. */
class RecordingQueue implements WorkQueue {
  readonly added: string[] = [];
  readonly after: Array<[string, number]> = [];
  add(key: string) {
    this.added.push(key);
  }
  addAfter(key: string, ms: number) {
    this.after.push([key, ms]);
  }
  addRateLimited() {}
  forget() {}
  retries() {
    return 0;
  }
  async next() {
    return undefined;
  }
  done() {}
  length() {
    return 0;
  }
  shutDown() {}
}

describe('DaemonSetController handlers', () => {
  function setup(ds = daemonSet()) {
    const cluster = new FakeCluster();
    const queue = new RecordingQueue();
    const c = new DaemonSetController(cluster.context(), { queue });
    cluster.seed(RESOURCES.daemonsets, ds);
    queue.added.length = 0;
    return { cluster, c, queue, ds };
  }

  it('a pod becoming Ready requeues after minReadySeconds + 1 s', async () => {
    const { cluster, queue, ds } = setup(daemonSet('foo', (d) => (d.spec.minReadySeconds = 10)));
    const pod = cluster.seed(RESOURCES.pods, daemonPod(ds, 'p', 'n1', { ready: false }));
    await cluster.update(
      RESOURCES.pods,
      'default',
      { ...pod, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { subresource: 'status' },
    );
    cluster.flush();
    assert.deepEqual(queue.after, [[KEY, 11_000]]);
  });

  it('an orphan pod enqueues every DaemonSet selecting it; a pod without labels none', async () => {
    const { cluster, queue, ds } = setup();
    cluster.seed(RESOURCES.daemonsets, daemonSet('bar'));
    queue.added.length = 0;
    cluster.seed(RESOURCES.pods, daemonPod(ds, 'o', 'n1', { orphan: true }));
    assert.deepEqual(queue.added.sort(), ['default/bar', 'default/foo']);
    queue.added.length = 0;
    cluster.seed(RESOURCES.pods, daemonPod(ds, 'bare', 'n1', { orphan: true, labels: {} }));
    assert.deepEqual(queue.added, []);
  });

  it('pod events count expectations down', async () => {
    const { cluster, c, ds } = setup();
    c.expectations.setExpectations(KEY, 1, 1);
    const pod = cluster.seed(RESOURCES.pods, daemonPod(ds, 'p', 'n1'));
    assert.deepEqual(c.expectations.get(KEY)?.add, 0);
    await cluster.delete(RESOURCES.pods, 'default', pod.metadata.name!);
    cluster.flush();
    assert.ok(c.expectations.satisfied(KEY));
  });

  it('node updates enqueue only when eligibility changes', async () => {
    const { cluster, queue } = setup(daemonSet('foo', (d) => (d.spec.template.spec!.nodeSelector = { color: 'blue' })));
    const n = cluster.seed(RESOURCES.nodes, node('n1'));
    assert.deepEqual(queue.added, [], 'a node the DaemonSet cannot run on does not enqueue it');
    const beat = await cluster.update(
      RESOURCES.nodes,
      undefined,
      { ...n, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'later' }] } },
      { subresource: 'status' },
    );
    assert.equal(cluster.objects<Node>(RESOURCES.nodes)[0]!.status!.conditions![0]!.lastHeartbeatTime, 'later');
    await cluster.update(RESOURCES.nodes, undefined, {
      ...beat,
      metadata: { ...beat.metadata, labels: { other: 'x' } },
    });
    cluster.flush();
    assert.deepEqual(queue.added, [], 'heartbeats and irrelevant labels are ignored');
    const cur = cluster.objects<Node>(RESOURCES.nodes)[0]!;
    await cluster.update(RESOURCES.nodes, undefined, {
      ...cur,
      metadata: { ...cur.metadata, labels: { color: 'blue' } },
    });
    cluster.flush();
    assert.deepEqual(queue.added, [KEY]);
  });

  it('the component factory builds the controller', () => {
    const cluster = new FakeCluster();
    const comp = daemonSetController(cluster.context());
    assert.equal(comp.name, 'daemonset-controller');
    assert.ok(comp instanceof DaemonSetController);
  });
});
