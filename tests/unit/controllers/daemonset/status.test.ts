import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupByNode } from '../../../../controllers/daemonset/manage.js';
import {
  computeStatus,
  statusUpToDate,
  storeStatus,
  type StatusCounts,
} from '../../../../controllers/daemonset/status.js';
import type { DaemonSet, Pod } from '../../../../controllers/daemonset/types.js';
import { apiError, daemonPod, daemonSet, FakeCluster, node, RESOURCES } from './fakes.js';

const NOW = Date.UTC(2024, 0, 1, 0, 1, 0); // 60 s after the pods became ready
const zero: StatusCounts = {
  desiredNumberScheduled: 0,
  currentNumberScheduled: 0,
  numberMisscheduled: 0,
  numberReady: 0,
  updatedNumberScheduled: 0,
  numberAvailable: 0,
  numberUnavailable: 0,
};
const labels = (hash: string, gen?: string) => ({
  name: 'simple-daemon',
  type: 'production',
  'controller-revision-hash': hash,
  ...(gen ? { 'pod-template-generation': gen } : {}),
});

describe('computeStatus', () => {
  const rows: Array<[string, (ds: DaemonSet) => Pod[], (d: DaemonSet) => void, Partial<StatusCounts>]> = [
    ['no pods: all desired are unavailable', () => [], () => {}, { desiredNumberScheduled: 3, numberUnavailable: 3 }],
    [
      'ready and updated pods on every node',
      (ds) => ['n1', 'n2', 'n3'].map((n) => daemonPod(ds, `p-${n}`, n, { labels: labels('cur') })),
      () => {},
      {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
      },
    ],
    [
      'not ready pods count as current but not ready',
      (ds) => ['n1', 'n2'].map((n) => daemonPod(ds, `p-${n}`, n, { ready: false, labels: labels('cur') })),
      () => {},
      { desiredNumberScheduled: 3, currentNumberScheduled: 2, updatedNumberScheduled: 2, numberUnavailable: 3 },
    ],
    [
      'minReadySeconds not yet elapsed: ready but not available',
      (ds) => [
        daemonPod(ds, 'a', 'n1', { labels: labels('cur'), readySince: '2024-01-01T00:00:30Z' }),
        daemonPod(ds, 'b', 'n2', { labels: labels('cur') }),
      ],
      (d) => (d.spec.minReadySeconds = 45),
      {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 1,
        numberUnavailable: 2,
      },
    ],
    [
      'exactly minReadySeconds is not yet available',
      (ds) => [daemonPod(ds, 'a', 'n1', { labels: labels('cur') })],
      (d) => (d.spec.minReadySeconds = 60),
      {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberUnavailable: 3,
      },
    ],
    [
      'old hash but matching templateGeneration counts as updated',
      (ds) => [
        daemonPod(ds, 'a', 'n1', { labels: labels('old', '1') }),
        daemonPod(ds, 'b', 'n2', { labels: labels('old', '0') }),
      ],
      () => {},
      {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 2,
        numberReady: 2,
        updatedNumberScheduled: 1,
        numberAvailable: 2,
        numberUnavailable: 1,
      },
    ],
    [
      'pods on a node that should not run one are misscheduled',
      (ds) => [
        daemonPod(ds, 'a', 'n1', { labels: labels('cur') }),
        daemonPod(ds, 'b', 'tainted', { labels: labels('cur') }),
      ],
      () => {},
      {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
        numberUnavailable: 2,
        numberMisscheduled: 1,
      },
    ],
    [
      'the oldest pod of a node decides',
      (ds) => [
        daemonPod(ds, 'young', 'n1', { created: '2024-01-01T00:00:10Z', labels: labels('cur') }),
        daemonPod(ds, 'old', 'n1', { ready: false, labels: labels('prev') }),
      ],
      () => {},
      { desiredNumberScheduled: 3, currentNumberScheduled: 1, numberUnavailable: 3 },
    ],
  ];
  for (const [name, pods, patch, want] of rows) {
    it(name, () => {
      const ds = daemonSet('foo', patch);
      const nodes = [
        node('n1'),
        node('n2'),
        node('n3'),
        node('tainted', { taints: [{ key: 'x', effect: 'NoExecute' }] }),
      ];
      assert.deepEqual(computeStatus(ds, nodes, groupByNode(pods(ds)), 'cur', NOW), { ...zero, ...want });
    });
  }
});

describe('storeStatus', () => {
  const counts: StatusCounts = { ...zero, desiredNumberScheduled: 2, currentNumberScheduled: 2, numberUnavailable: 2 };

  it('writes nothing when the status is up to date', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet('foo', (d) => (d.status = { ...counts, observedGeneration: 1 }));
    assert.ok(statusUpToDate(ds, counts));
    assert.equal(await storeStatus(cluster, ds, counts, true), false);
    assert.equal(cluster.calls.length, 0);
  });

  it('PUTs /status with the counters and observedGeneration', async () => {
    const cluster = new FakeCluster();
    const ds = cluster.seed(RESOURCES.daemonsets, daemonSet());
    assert.equal(await storeStatus(cluster, ds, counts, true), true);
    const [call] = cluster.callsOf('update', 'daemonsets');
    assert.equal(call!.subresource, 'status');
    assert.deepEqual((call!.body as DaemonSet).status, { ...counts, observedGeneration: 1 });
  });

  it('does not raise observedGeneration while expectations are pending', async () => {
    const cluster = new FakeCluster();
    const ds = cluster.seed(RESOURCES.daemonsets, daemonSet());
    await storeStatus(cluster, ds, counts, false);
    assert.equal((cluster.callsOf('update')[0]!.body as DaemonSet).status!.observedGeneration, undefined);
  });

  it('an out-of-date observedGeneration alone triggers a write', async () => {
    const cluster = new FakeCluster();
    const ds = cluster.seed(
      RESOURCES.daemonsets,
      daemonSet('foo', (d) => ((d.status = { ...counts, observedGeneration: 1 }), (d.metadata.generation = 2))),
    );
    assert.equal(await storeStatus(cluster, ds, counts, true), true);
  });

  it('retries once from a fresh GET after a conflict', async () => {
    const cluster = new FakeCluster();
    const stale = cluster.seed(RESOURCES.daemonsets, daemonSet());
    await cluster.update(RESOURCES.daemonsets, 'default', {
      ...stale,
      metadata: { ...stale.metadata, labels: { x: 'y' } },
    });
    assert.equal(await storeStatus(cluster, stale, counts, true), true);
    assert.equal(cluster.callsOf('get').length, 1);
    assert.equal(cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!.status!.desiredNumberScheduled, 2);
  });

  it('gives up after the second failure', async () => {
    const cluster = new FakeCluster();
    const ds = cluster.seed(RESOURCES.daemonsets, daemonSet());
    cluster.fail = (c) => (c.verb === 'update' ? apiError(500, 'InternalError') : undefined);
    await assert.rejects(storeStatus(cluster, ds, counts, true));
    assert.equal(cluster.callsOf('update').length, 2);
  });
});
