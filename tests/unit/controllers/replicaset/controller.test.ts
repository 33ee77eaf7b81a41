// The ReplicaSet controller against the fake cluster: creation in slow-start batches with expectations, no
// duplicates while the watch lags, adoption and release, deletion on scale-down, status, ReplicaFailure.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ReplicaSetController } from '../../../../controllers/replicaset/controller.js';
import type { Pod, ReplicaSet } from '../../../../controllers/replicaset/types.js';
import { apiError, FakeCluster, RESOURCES } from '../daemonset/fakes.js';

const KEY = 'default/rs';

function replicaSet(replicas: number): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'default', uid: 'rs-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
    status: { replicas: 0 },
  };
}

async function drain(c: ReplicaSetController): Promise<number> {
  const signal = new AbortController().signal;
  let n = 0;
  while (c.queue.length() > 0 && n < 100) {
    await c.processNext(signal);
    n++;
  }
  return n;
}

async function settle(cluster: FakeCluster, c: ReplicaSetController): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const delivered = cluster.flush();
    const synced = await drain(c);
    if (delivered === 0 && synced === 0) return;
  }
  throw new Error('did not settle');
}

function world(rs: ReplicaSet) {
  const cluster = new FakeCluster();
  const c = new ReplicaSetController(cluster.context());
  cluster.seed(RESOURCES.replicasets, rs);
  return { cluster, c };
}

const pods = (cluster: FakeCluster) => cluster.objects<Pod>(RESOURCES.pods);

describe('ReplicaSetController.sync', () => {
  it('creates the missing pods once, with the controller reference and generateName, despite a lagging watch', async () => {
    const { cluster, c } = world(replicaSet(3));
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 3);
    // the creations are not observed yet: a second sync creates nothing
    c.queue.add(KEY);
    await drain(c);
    assert.equal(cluster.callsOf('create', 'pods').length, 3);
    await settle(cluster, c);
    const ps = pods(cluster);
    assert.equal(ps.length, 3);
    for (const p of ps) {
      assert.equal(p.metadata.generateName, 'rs-');
      assert.deepEqual(p.metadata.ownerReferences?.[0]?.uid, 'rs-uid');
    }
    const rs = cluster.objects<ReplicaSet>(RESOURCES.replicasets)[0]!;
    assert.deepEqual([rs.status?.replicas, rs.status?.observedGeneration], [3, 1]);
    assert.equal(cluster.recorder.reasons().filter((r) => r === 'SuccessfulCreate').length, 3);
  });

  it('creates in slow-start batches and stops at the first failing batch (ReplicaFailure)', async () => {
    const { cluster, c } = world(replicaSet(10));
    let n = 0;
    cluster.fail = (call) =>
      call.verb === 'create' && call.resource === 'pods' && ++n > 3
        ? apiError(403, 'Forbidden', 'quota exceeded')
        : undefined;
    await drain(c);
    // batches 1, 2, then a batch of 4 with failures: 7 attempts, the rest skipped
    assert.equal(cluster.callsOf('create', 'pods').length, 7);
    cluster.flush();
    const rs = cluster.objects<ReplicaSet>(RESOURCES.replicasets)[0]!;
    const cond = rs.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    assert.equal(cond?.reason, 'FailedCreate');
    assert.ok(cluster.recorder.reasons().includes('FailedCreate'));
    cluster.fail = undefined;
    await settle(cluster, c);
    assert.equal(pods(cluster).length, 10);
    const after = cluster.objects<ReplicaSet>(RESOURCES.replicasets)[0]!;
    assert.equal(after.status?.conditions, undefined, 'ReplicaFailure removed once creations succeed');
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const cluster = new FakeCluster();
    const c = new ReplicaSetController(cluster.context());
    cluster.seed(RESOURCES.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', namespace: 'default', labels: { app: 'x' } },
      spec: { containers: [] },
    } as Pod);
    cluster.seed(RESOURCES.replicasets, replicaSet(1));
    await settle(cluster, c);
    assert.equal(cluster.callsOf('create', 'pods').length, 0);
    const orphan = pods(cluster).find((p) => p.metadata.name === 'orphan')!;
    assert.equal(orphan.metadata.ownerReferences?.[0]?.uid, 'rs-uid');
    await cluster.patch(RESOURCES.pods, 'default', 'orphan', 'merge', { metadata: { labels: { app: 'y' } } });
    await settle(cluster, c);
    assert.equal(pods(cluster).find((p) => p.metadata.name === 'orphan')!.metadata.ownerReferences?.length ?? 0, 0);
    assert.equal(pods(cluster).length, 2, 'a replacement was created');
  });

  it('scales down deleting the excess pods', async () => {
    const { cluster, c } = world(replicaSet(4));
    await settle(cluster, c);
    const rs = structuredClone(cluster.objects<ReplicaSet>(RESOURCES.replicasets)[0]!);
    rs.spec.replicas = 1;
    await cluster.update(RESOURCES.replicasets, 'default', rs);
    await settle(cluster, c);
    assert.equal(cluster.callsOf('delete', 'pods').length, 3);
    assert.equal(pods(cluster).length, 1);
  });
});
