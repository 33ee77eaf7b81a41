// The Deployment controller with the ReplicaSet controller against the fake cluster: the new ReplicaSet and its
// annotations, a rolling update stepped by pods becoming ready (never beyond maxSurge, never below
// replicas - maxUnavailable available), proportional scaling annotations, Recreate ordering.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DeploymentController } from '../../../../controllers/deployment/controller.js';
import { ReplicaSetController } from '../../../../controllers/replicaset/controller.js';
import type { Deployment, Pod, ReplicaSet } from '../../../../controllers/replicaset/types.js';
import { FakeCluster, RESOURCES } from '../daemonset/fakes.js';

function deployment(replicas: number, strategy: Deployment['spec']['strategy']): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
      strategy,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

function world(d: Deployment) {
  const cluster = new FakeCluster();
  const rsc = new ReplicaSetController(cluster.context());
  const dc = new DeploymentController(cluster.context());
  cluster.seed(RESOURCES.deployments, d);
  return { cluster, rsc, dc };
}

async function settle(cluster: FakeCluster, ...controllers: Array<ReplicaSetController | DeploymentController>) {
  const signal = new AbortController().signal;
  for (let i = 0; i < 50; i++) {
    let work = cluster.flush();
    for (const c of controllers) {
      let n = 0;
      while (c.queue.length() > 0 && n < 100) {
        await c.processNext(signal);
        n++;
      }
      work += n;
    }
    if (work === 0) return;
  }
  throw new Error('did not settle');
}

const replicaSets = (cluster: FakeCluster) =>
  cluster.objects<ReplicaSet>(RESOURCES.replicasets).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const imageOf = (rs: ReplicaSet) => (rs.spec.template!.spec!.containers as Array<{ image: string }>)[0]!.image;

/** Marks every pod not yet ready as Running and Ready (the kubelet's part). */
async function markReady(cluster: FakeCluster): Promise<number> {
  let n = 0;
  for (const p of cluster.objects<Pod>(RESOURCES.pods)) {
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    await cluster.update(
      RESOURCES.pods,
      'default',
      {
        ...p,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
        },
      },
      { subresource: 'status' },
    );
    n++;
  }
  return n;
}

async function setImage(cluster: FakeCluster, image: string): Promise<void> {
  const d = structuredClone(cluster.objects<Deployment>(RESOURCES.deployments)[0]!);
  (d.spec.template.spec!.containers as Array<{ image: string }>)[0]!.image = image;
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
  await cluster.update(RESOURCES.deployments, 'default', d);
}

describe('DeploymentController', () => {
  it('creates the new ReplicaSet with the hash label, revision and replica annotations', async () => {
    const { cluster, rsc, dc } = world(
      deployment(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }),
    );
    await settle(cluster, dc, rsc);
    const [rs] = replicaSets(cluster);
    assert.ok(rs);
    const hash = rs.metadata.labels!['pod-template-hash']!;
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(rs.metadata.annotations, {
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    assert.equal(rs.metadata.ownerReferences?.[0]?.uid, 'd-uid');
    assert.equal(cluster.objects<Pod>(RESOURCES.pods).length, 3);
    assert.ok(
      cluster.recorder.events.some(
        (e) => e.reason === 'ScalingReplicaSet' && /Scaled up replica set web-\w+ to 3 from 0/.test(e.message),
      ),
    );
  });

  it('rolls a template change within maxSurge 1 / maxUnavailable 0', async () => {
    const { cluster, rsc, dc } = world(
      deployment(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }),
    );
    await settle(cluster, dc, rsc);
    await markReady(cluster);
    await settle(cluster, dc, rsc);
    await setImage(cluster, 'v2');
    for (let step = 0; step < 20; step++) {
      await settle(cluster, dc, rsc);
      const rss = replicaSets(cluster);
      const total = rss.reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
      assert.ok(total <= 4, `at most 4 replicas wanted, got ${total}`);
      const ready = cluster
        .objects<Pod>(RESOURCES.pods)
        .filter((p) => p.status?.conditions?.some((c) => c.status === 'True')).length;
      assert.ok(ready >= 3, `at least 3 ready pods, got ${ready}`);
      if (rss.length === 2 && rss.every((r) => (r.spec.replicas ?? 0) === (imageOf(r) === 'v2' ? 3 : 0))) break;
      await markReady(cluster);
    }
    const rss = replicaSets(cluster);
    assert.deepEqual(rss.map((r) => [imageOf(r), r.spec.replicas]).sort(), [
      ['v1', 0],
      ['v2', 3],
    ]);
    const newRS = rss.find((r) => imageOf(r) === 'v2')!;
    assert.equal(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  });

  it('Recreate scales the old ReplicaSet to 0 and creates the new one only once its pods are gone', async () => {
    const { cluster, rsc, dc } = world(deployment(2, { type: 'Recreate' }));
    await settle(cluster, dc, rsc);
    await markReady(cluster);
    await settle(cluster, dc, rsc);
    await setImage(cluster, 'v2');
    // the deployment controller acts alone first: the old ReplicaSet goes to 0, no new one yet
    cluster.flush();
    const signal = new AbortController().signal;
    while (dc.queue.length() > 0) await dc.processNext(signal);
    cluster.flush();
    let rss = replicaSets(cluster);
    assert.equal(rss.length, 1);
    assert.equal(rss[0]!.spec.replicas, 0);
    // the old pods still exist: syncing again creates nothing
    dc.queue.add('default/web');
    while (dc.queue.length() > 0) await dc.processNext(signal);
    assert.equal(replicaSets(cluster).length, 1);
    await settle(cluster, dc, rsc);
    rss = replicaSets(cluster);
    assert.deepEqual(rss.map((r) => [imageOf(r), r.spec.replicas]).sort(), [
      ['v1', 0],
      ['v2', 2],
    ]);
  });
});
