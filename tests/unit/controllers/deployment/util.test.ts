// The arithmetic of the Deployment controller: fenceposts, the size of the new ReplicaSet, proportional shares,
// the new ReplicaSet among many, conditions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  calculateStatus,
  findNewReplicaSet,
  maxSurge,
  maxUnavailable,
  MAX_REPLICAS_ANNOTATION,
  newRSNewReplicas,
  proportion,
  setCondition,
  newCondition,
} from '../../../../controllers/deployment/util.js';
import type { Deployment, ReplicaSet } from '../../../../controllers/replicaset/types.js';

function deployment(replicas: number, maxSurgeV: number | string, maxUnavailableV: number | string): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: maxSurgeV, maxUnavailable: maxUnavailableV } },
    },
  };
}

function rs(
  name: string,
  replicas: number,
  o: { image?: string; available?: number; maxReplicas?: number; created?: string } = {},
): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      annotations: o.maxReplicas !== undefined ? { [MAX_REPLICAS_ANNOTATION]: String(o.maxReplicas) } : {},
    },
    spec: {
      replicas,
      template: {
        metadata: { labels: { app: 'd', 'pod-template-hash': name } },
        spec: { containers: [{ name: 'c', image: o.image ?? 'v1' }] },
      },
    },
    status: { replicas, availableReplicas: o.available ?? replicas, readyReplicas: o.available ?? replicas },
  };
}

describe('deployment util', () => {
  it('fenceposts: surge rounds up, unavailable rounds down, never both zero', () => {
    assert.deepEqual([maxSurge(deployment(10, '25%', '25%')), maxUnavailable(deployment(10, '25%', '25%'))], [3, 2]);
    assert.deepEqual([maxSurge(deployment(1, '25%', '25%')), maxUnavailable(deployment(1, '25%', '25%'))], [1, 0]);
    assert.equal(maxUnavailable(deployment(3, 0, 0)), 1);
    assert.equal(maxUnavailable(deployment(2, 0, 5)), 2, 'at most replicas');
    const recreate = deployment(3, 1, 1);
    recreate.spec.strategy = { type: 'Recreate' };
    assert.deepEqual([maxSurge(recreate), maxUnavailable(recreate)], [0, 0]);
  });

  it('newRSNewReplicas: grows the new ReplicaSet up to replicas + maxSurge in total', () => {
    const d = deployment(10, 2, 1);
    const old = rs('old', 10);
    const fresh = rs('new', 0, { image: 'v2' });
    assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 2);
    assert.equal(newRSNewReplicas(d, [rs('old', 9), rs('new', 3, { image: 'v2' })], rs('new', 3)), 3);
    assert.equal(newRSNewReplicas(d, [rs('old', 2), rs('new', 9)], rs('new', 9)), 10, 'never beyond replicas');
    // An old ReplicaSet just scaled down to 8 whose 9th pod is not yet marked for deletion (status.replicas 9)
    // still counts 9: the new one waits, so the pods never exceed 12.
    const lagging = { ...rs('old', 8), status: { replicas: 9 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [lagging, rs('new', 3, { image: 'v2' })], rs('new', 3)), 3);
    const caughtUp = { ...rs('old', 8), status: { replicas: 8 } } as ReplicaSet;
    assert.equal(newRSNewReplicas(d, [caughtUp, rs('new', 3, { image: 'v2' })], rs('new', 3)), 4);
  });

  it('proportion: the upstream e2e split of 30 replicas (8/5 of 13 become 20/13 of 33)', () => {
    const d = deployment(30, 3, 2);
    const first = rs('first', 8, { maxReplicas: 13 });
    const second = rs('second', 5, { maxReplicas: 13 });
    const toAdd = 33 - 13;
    const p1 = proportion(first, d, toAdd, 0);
    const p2 = proportion(second, d, toAdd, p1);
    assert.deepEqual([8 + p1, 5 + p2], [20, 13]);
  });

  it('findNewReplicaSet ignores the pod-template-hash label and picks the oldest match', () => {
    const d = deployment(3, 1, 1);
    const a = rs('a', 1, { created: '2024-01-02T00:00:00Z' });
    const b = rs('b', 1, { created: '2024-01-01T00:00:00Z' });
    const other = rs('c', 1, { image: 'v2' });
    assert.equal(findNewReplicaSet(d, [a, other, b])?.metadata.name, 'b');
    assert.equal(findNewReplicaSet(d, [other]), undefined);
  });

  it('calculateStatus: counters and the Available condition; setCondition keeps the transition time', () => {
    const d = deployment(10, 2, 1);
    const s = calculateStatus(
      [rs('old', 2, { image: 'v0' }), rs('new', 8, { available: 7 })],
      rs('new', 8, { available: 7 }),
      d,
      Date.parse('2024-01-01T00:00:00Z'),
    );
    assert.deepEqual(
      [s.replicas, s.updatedReplicas, s.availableReplicas, s.unavailableReplicas, s.observedGeneration],
      [10, 8, 9, 1, 1],
    );
    assert.equal(s.conditions?.[0]?.reason, 'MinimumReplicasAvailable');
    const later = newCondition('Available', 'True', 'Other', 'x', Date.parse('2024-01-02T00:00:00Z'));
    setCondition(s, later);
    assert.equal(s.conditions?.[0]?.lastTransitionTime, '2024-01-01T00:00:00Z');
    assert.equal(s.conditions?.[0]?.reason, 'Other');
  });
});
