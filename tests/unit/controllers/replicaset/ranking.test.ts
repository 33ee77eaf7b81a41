// The order in which a ReplicaSet deletes pods when it scales down (upstream ActivePodsWithRanks).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podsToDelete, POD_DELETION_COST } from '../../../../controllers/replicaset/ranking.js';
import type { Pod } from '../../../../controllers/replicaset/types.js';

function pod(
  name: string,
  o: {
    node?: string;
    phase?: string;
    ready?: boolean;
    readySince?: string;
    created?: string;
    restarts?: number;
    cost?: number;
  } = {},
): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: o.readySince ?? '2024-01-01T00:00:10Z',
        },
      ],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.cost !== undefined) p.metadata.annotations = { [POD_DELETION_COST]: String(o.cost) };
  return p;
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata.name);

describe('podsToDelete (ActivePodsWithRanks)', () => {
  it('unassigned < assigned, pending < unknown < running, not ready < ready', () => {
    const pods = [
      pod('running-ready', { node: 'n1' }),
      pod('running-notready', { node: 'n2', ready: false }),
      pod('unknown', { node: 'n3', phase: 'Unknown' }),
      pod('pending', { node: 'n4', phase: 'Pending', ready: false }),
      pod('unassigned', { phase: 'Pending', ready: false }),
    ];
    assert.deepEqual(names(podsToDelete(pods, pods, 4)), ['unassigned', 'pending', 'unknown', 'running-notready']);
  });

  it('a lower deletion cost goes first, then pods doubled up on a node', () => {
    const pods = [
      pod('a', { node: 'n1' }),
      pod('b', { node: 'n2' }),
      pod('c', { node: 'n2' }),
      pod('cheap', { node: 'n3', cost: -5 }),
    ];
    const order = names(podsToDelete(pods, pods, 3));
    assert.equal(order[0], 'cheap');
    assert.deepEqual(order.slice(1).sort(), ['b', 'c']);
  });

  it('ready for less time, more restarts, newer go first', () => {
    const a = pod('ready-long', { node: 'a', readySince: '2024-01-01T00:00:10Z' });
    const b = pod('ready-short', { node: 'b', readySince: '2024-01-01T00:05:00Z' });
    assert.deepEqual(names(podsToDelete([a, b], [a, b], 1)), ['ready-short']);
    const c = pod('restarted', { node: 'c', restarts: 3 });
    const d = pod('steady', { node: 'd' });
    assert.deepEqual(names(podsToDelete([d, c], [c, d], 1)), ['restarted']);
    const e = pod('old', { node: 'e', created: '2024-01-01T00:00:00Z' });
    const f = pod('new', { node: 'f', created: '2024-02-01T00:00:00Z' });
    assert.deepEqual(names(podsToDelete([e, f], [e, f], 1)), ['new']);
  });

  it('asking for as many as there are returns them all', () => {
    const pods = [pod('x'), pod('y')];
    assert.equal(podsToDelete(pods, pods, 5).length, 2);
  });
});
