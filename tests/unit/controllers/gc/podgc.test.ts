import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PodGarbageCollector } from '../../../../controllers/podgc.js';
import { FakeCluster, nodeObj, podObj, RESOURCES } from '../kubelet/fake-cluster.js';

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

function start(cluster: FakeCluster, speed = 1) {
  const gc = new PodGarbageCollector(cluster.context(speed));
  const stop = new AbortController();
  running.push({ stop, done: gc.run(stop.signal) });
  return gc;
}

const names = (c: FakeCluster) =>
  c
    .objects(RESOURCES.pods)
    .map((p) => p.metadata.name)
    .sort();

describe('pod GC', () => {
  const rows: Array<[string, number, number, string[]]> = [
    // name, speed, ms advanced, pods left
    ['an orphaned pod stays during the quarantine', 1, 4999, ['bound', 'orphan', 'unbound']],
    ['an orphaned pod is force-deleted after 5 s', 1, 5000, ['bound', 'unbound']],
    ['the quarantine scales with speed', 0.1, 500, ['bound', 'unbound']],
  ];
  for (const [name, speed, ms, left] of rows) {
    it(name, async () => {
      const cluster = new FakeCluster();
      cluster.seed(RESOURCES.nodes, nodeObj('n1'));
      cluster.seed(RESOURCES.pods, podObj('bound', 'n1'));
      cluster.seed(RESOURCES.pods, podObj('orphan', 'gone'));
      cluster.seed(RESOURCES.pods, podObj('unbound', ''));
      start(cluster, speed);
      await cluster.tick(ms);
      assert.deepEqual(names(cluster), left);
    });
  }

  it('deletes with grace period 0 and the uid precondition, also a pod already terminating', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.nodes, nodeObj('n1'));
    const pod = cluster.seed(RESOURCES.pods, podObj('p', 'n1'));
    start(cluster);
    await cluster.delete(RESOURCES.pods, 'default', 'p');
    assert.ok(cluster.object(RESOURCES.pods, 'default', 'p'), 'terminating for 30 s');
    await cluster.delete(RESOURCES.nodes, undefined, 'n1');
    await cluster.tick(5000);
    assert.deepEqual(names(cluster), []);
    assert.deepEqual(cluster.callsOf('delete', 'pods').at(-1)!.opts, {
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata.uid },
    });
  });

  it('keeps pods whose node the cache missed but the API server has', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.pods, podObj('p', 'late'));
    start(cluster);
    await cluster.settle();
    // The node exists on the server; the informer has not seen it (as with a lagging watch).
    (cluster as unknown as { store(ref: unknown): Map<string, unknown> })
      .store(RESOURCES.nodes)
      .set('late', { metadata: { name: 'late', uid: 'x' } });
    await cluster.tick(5000);
    assert.deepEqual(names(cluster), ['p']);
    assert.equal(cluster.callsOf('get', 'nodes').length, 1);
  });

  it('a node recreated within the quarantine saves its pods', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.nodes, nodeObj('n1'));
    cluster.seed(RESOURCES.pods, podObj('p', 'n1'));
    start(cluster);
    await cluster.delete(RESOURCES.nodes, undefined, 'n1');
    await cluster.tick(2000);
    await cluster.create(RESOURCES.nodes, undefined, nodeObj('n1'));
    await cluster.tick(5000);
    assert.deepEqual(names(cluster), ['p']);
  });
});
