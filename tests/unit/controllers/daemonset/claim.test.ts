import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromObject } from '../../../../apimachinery/labels.js';
import { claim, recheckDaemonSet } from '../../../../controllers/daemonset/claim.js';
import type { DaemonSet, Pod } from '../../../../controllers/daemonset/types.js';
import { apiError, daemonPod, daemonSet, FakeCluster, RESOURCES } from './fakes.js';

function setup(dsPatch?: (d: DaemonSet) => void) {
  const cluster = new FakeCluster();
  const ds = cluster.seed(RESOURCES.daemonsets, daemonSet('foo', dsPatch));
  const opts = {
    client: cluster,
    ref: RESOURCES.pods,
    ds,
    selector: labelSelectorFromObject(ds.spec.selector),
    canAdopt: recheckDaemonSet(cluster, RESOURCES.daemonsets, ds),
  };
  return { cluster, ds, opts };
}
const other = { name: 'x', type: 'y' };

describe('claim', () => {
  it('keeps owned matching pods without calls', async () => {
    const { cluster, ds, opts } = setup();
    const res = await claim(opts, [daemonPod(ds, 'a', 'n1')]);
    assert.deepEqual(
      res.claimed.map((p) => p.metadata.name),
      ['a'],
    );
    assert.equal(cluster.calls.length, 0);
  });

  it('adopts a matching orphan after one live GET, with a uid precondition', async () => {
    const { cluster, ds, opts } = setup();
    const a = cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1', { orphan: true }));
    const b = cluster.seed(RESOURCES.pods, daemonPod(ds, 'b', 'n2', { orphan: true }));
    const res = await claim(opts, [a, b]);
    assert.deepEqual(
      res.claimed.map((p) => p.metadata.name),
      ['a', 'b'],
    );
    assert.equal(cluster.callsOf('get', 'daemonsets').length, 1, 'the DaemonSet is re-checked once');
    const patches = cluster.callsOf('patch', 'pods');
    assert.deepEqual(
      patches.map((p) => p.patchType),
      ['strategic', 'strategic'],
    );
    assert.deepEqual(patches[0]!.body, {
      metadata: {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'foo',
            uid: ds.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: a.metadata.uid,
      },
    });
    assert.equal(cluster.objects<Pod>(RESOURCES.pods)[0]!.metadata.ownerReferences![0]!.uid, ds.metadata.uid);
  });

  it('releases owned pods whose labels no longer match', async () => {
    const { cluster, ds, opts } = setup();
    const p = cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1', { labels: other }));
    const res = await claim(opts, [p]);
    assert.deepEqual(res.claimed, []);
    assert.deepEqual(cluster.callsOf('patch')[0]!.body, {
      metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata.uid }], uid: p.metadata.uid },
    });
    assert.deepEqual(cluster.objects<Pod>(RESOURCES.pods)[0]!.metadata.ownerReferences, []);
  });

  const ignored: Array<[string, (ds: DaemonSet) => Pod]> = [
    ['orphans that do not match', (ds) => daemonPod(ds, 'a', 'n1', { orphan: true, labels: other })],
    [
      'pods controlled by another owner',
      (ds) => {
        const p = daemonPod(ds, 'a', 'n1');
        p.metadata.ownerReferences = [{ ...p.metadata.ownerReferences![0]!, uid: 'someone-else' }];
        return p;
      },
    ],
    ['orphans being deleted', (ds) => daemonPod(ds, 'a', 'n1', { orphan: true, deleting: true })],
    [
      'orphans of another namespace',
      (ds) => ({
        ...daemonPod(ds, 'a', 'n1', { orphan: true }),
        metadata: { ...daemonPod(ds, 'a', 'n1', { orphan: true }).metadata, namespace: 'other' },
      }),
    ],
  ];
  for (const [name, make] of ignored) {
    it(`ignores ${name}`, async () => {
      const { cluster, ds, opts } = setup();
      const res = await claim(opts, [make(ds)]);
      assert.deepEqual(res, { claimed: [], errors: [] });
      assert.equal(cluster.calls.length, 0);
    });
  }

  it('does not adopt when the live DaemonSet is being deleted', async () => {
    const { cluster, ds, opts } = setup();
    const live = cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!;
    live.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    const res = await claim(opts, [cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1', { orphan: true }))]);
    assert.deepEqual(res.claimed, []);
    assert.match(String(res.errors[0]), /has just been deleted/);
    assert.equal(cluster.callsOf('patch').length, 0);
  });

  it('does not adopt when the DaemonSet was re-created with another uid', async () => {
    const { cluster, ds, opts } = setup();
    cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!.metadata.uid = 'new-uid';
    const res = await claim(opts, [cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1', { orphan: true }))]);
    assert.match(String(res.errors[0]), /is gone: got uid new-uid/);
  });

  it('never releases while the DaemonSet is being deleted', async () => {
    const { cluster, ds, opts } = setup((d) => (d.metadata.deletionTimestamp = '2024-01-01T00:00:00Z'));
    const res = await claim(opts, [daemonPod(ds, 'a', 'n1', { labels: other })]);
    assert.deepEqual(res, { claimed: [], errors: [] });
    assert.equal(cluster.calls.length, 0);
  });

  it('a pod gone before its adoption is not an error', async () => {
    const { cluster, ds, opts } = setup();
    const res = await claim(opts, [daemonPod(ds, 'gone', 'n1', { orphan: true })]);
    assert.deepEqual(res, { claimed: [], errors: [] });
    assert.equal(cluster.callsOf('patch').length, 1);
  });

  it('other adoption failures are reported', async () => {
    const { cluster, ds, opts } = setup();
    const p = cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1', { orphan: true }));
    cluster.fail = (c) => (c.verb === 'patch' ? apiError(500, 'InternalError') : undefined);
    const res = await claim(opts, [p]);
    assert.equal(res.errors.length, 1);
  });
});
