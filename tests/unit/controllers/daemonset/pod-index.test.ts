import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromObject } from '../../../../apimachinery/labels.js';
import { DaemonSetController } from '../../../../controllers/daemonset/controller.js';
import { DaemonPodIndex } from '../../../../controllers/daemonset/pod-index.js';
import type { Pod } from '../../../../controllers/daemonset/types.js';
import { daemonPod, daemonSet, FakeCluster, node, RESOURCES } from './fakes.js';

const ds = daemonSet();
const NS = 'default';
const UID = ds.metadata.uid!;
const SELECTOR = labelSelectorFromObject(ds.spec.selector);

/** The index's groups as node → pod names. */
function groups(index: DaemonPodIndex, uid = UID, ns = NS): Record<string, string[]> {
  return Object.fromEntries([...index.byNode(ns, uid)].map(([n, pods]) => [n, pods.map((p) => p.metadata.name!)]));
}

const names = (pods: Iterable<Pod>) => [...pods].map((p) => p.metadata.name!);

function changed(pod: Pod, fn: (p: Pod) => void): Pod {
  const p = structuredClone(pod);
  fn(p);
  return p;
}

describe('DaemonPodIndex', () => {
  it('allOfRevision: whether every grouped pod not being deleted has the hash label', () => {
    const index = new DaemonPodIndex();
    const withHash = (name: string, nodeName: string, hash: string) =>
      daemonPod(ds, name, nodeName, {
        labels: { ...ds.spec.template.metadata!.labels, 'controller-revision-hash': hash },
      });
    assert.ok(index.allOfRevision(NS, UID, 'h1'), 'no pods');
    const a = withHash('a', 'n1', 'h1');
    const b = withHash('b', 'n2', 'h0');
    index.observe(undefined, a);
    index.observe(undefined, b);
    assert.ok(!index.allOfRevision(NS, UID, 'h1'));
    // the old pod's deletion starts: it is no longer counted
    const bDeleting = changed(b, (p) => (p.metadata.deletionTimestamp = '2024-01-01T00:01:00Z'));
    index.observe(b, bDeleting);
    assert.ok(index.allOfRevision(NS, UID, 'h1'));
    index.observe(bDeleting, undefined);
    // a pod relabelled to another revision, then back
    const a0 = changed(a, (p) => (p.metadata.labels!['controller-revision-hash'] = 'h0'));
    index.observe(a, a0);
    assert.ok(!index.allOfRevision(NS, UID, 'h1'));
    assert.ok(index.allOfRevision(NS, UID, 'h0'));
    index.observe(a0, a);
    assert.ok(index.allOfRevision(NS, UID, 'h1'));
    // a pod without the label is never of a revision
    index.observe(undefined, daemonPod(ds, 'c', 'n3', { labels: { ...ds.spec.template.metadata!.labels } }));
    assert.ok(!index.allOfRevision(NS, UID, 'h1'));
  });

  it('groups added pods by node and forgets deleted ones', () => {
    const index = new DaemonPodIndex();
    const a = daemonPod(ds, 'a', 'n1');
    const b = daemonPod(ds, 'b', 'n2');
    const c = daemonPod(ds, 'c', 'n1');
    index.observe(undefined, a);
    index.observe(undefined, b);
    index.observe(undefined, c);
    assert.deepEqual(groups(index), { n1: ['a', 'c'], n2: ['b'] });
    assert.equal(index.count(NS, UID), 3);
    assert.ok(index.onNode(NS, UID, 'n2'));
    index.observe(b, undefined);
    assert.deepEqual(groups(index), { n1: ['a', 'c'] });
    assert.equal(index.onNode(NS, UID, 'n2'), false);
    index.observe(a, undefined);
    index.observe(c, undefined);
    assert.deepEqual(groups(index), {});
    assert.equal(index.count(NS, UID), 0);
  });

  it('replaces an updated pod in place, and moves it when its node changes', () => {
    const index = new DaemonPodIndex();
    const a = daemonPod(ds, 'a', 'n1');
    const c = daemonPod(ds, 'c', 'n1');
    index.observe(undefined, a);
    index.observe(undefined, c);
    const a2 = changed(a, (p) => (p.status!.phase = 'Failed'));
    index.observe(a, a2);
    assert.deepEqual(groups(index), { n1: ['a', 'c'] });
    assert.equal(index.byNode(NS, UID).get('n1')![0], a2);
    const a3 = changed(a2, (p) => (p.spec!.nodeName = 'n3'));
    index.observe(a2, a3);
    assert.deepEqual(groups(index), { n1: ['c'], n3: ['a'] });
  });

  it('follows the controller reference: released pods leave, adopted pods join, other owners are not indexed', () => {
    const index = new DaemonPodIndex();
    const orphan = daemonPod(ds, 'o', 'n1', { orphan: true });
    index.observe(undefined, orphan);
    assert.deepEqual(groups(index), {});
    const adopted = daemonPod(ds, 'o', 'n1');
    index.observe(orphan, adopted);
    assert.deepEqual(groups(index), { n1: ['o'] });
    index.observe(adopted, orphan);
    assert.deepEqual(groups(index), {});
    const other = daemonSet('bar');
    const theirs = daemonPod(other, 'b', 'n1');
    index.observe(undefined, theirs);
    assert.deepEqual(groups(index, other.metadata.uid!), { n1: ['b'] });
    assert.deepEqual(groups(index), {});
    const rsPod = changed(daemonPod(ds, 'r', 'n1'), (p) => (p.metadata.ownerReferences![0]!.kind = 'ReplicaSet'));
    index.observe(undefined, rsPod);
    assert.deepEqual(groups(index), {});
    assert.equal(index.count(NS, UID), 0);
    // A reference to the DaemonSet's uid from another namespace is another owner.
    const elsewhere = changed(daemonPod(ds, 'x', 'n1'), (p) => (p.metadata.namespace = 'other'));
    index.observe(undefined, elsewhere);
    assert.deepEqual(groups(index), {});
    assert.deepEqual(groups(index, UID, 'other'), { n1: ['x'] });
  });

  it('keeps terminal pods being deleted (and pods without a target node) out of the groups, not out of the pods', () => {
    const index = new DaemonPodIndex();
    const a = daemonPod(ds, 'a', 'n1', { phase: 'Failed' });
    index.observe(undefined, a);
    assert.deepEqual(groups(index), { n1: ['a'] });
    const deleting = changed(a, (p) => (p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z'));
    index.observe(a, deleting);
    assert.deepEqual(groups(index), {});
    assert.deepEqual(names(index.owned(NS, UID)), ['a']);
    const running = daemonPod(ds, 'r', 'n2', { deleting: true });
    index.observe(undefined, running);
    assert.deepEqual(groups(index), { n2: ['r'] });
    const unbound = changed(daemonPod(ds, 'u', 'n3'), (p) => delete p.spec!.nodeName);
    index.observe(undefined, unbound);
    assert.deepEqual(groups(index), { n2: ['r'] });
    assert.deepEqual(names(index.owned(NS, UID)), ['a', 'r', 'u']);
  });

  it('hands out copies: later events do not change a Map or an array already returned', () => {
    const index = new DaemonPodIndex();
    const a = daemonPod(ds, 'a', 'n1');
    index.observe(undefined, a);
    const before = index.byNode(NS, UID);
    const group = before.get('n1')!;
    before.set('n9', []);
    index.observe(undefined, daemonPod(ds, 'b', 'n1'));
    index.observe(a, undefined);
    assert.deepEqual(names(group), ['a']);
    assert.deepEqual([...before.keys()], ['n1', 'n9']);
    assert.deepEqual(groups(index), { n1: ['b'] });
  });

  it('keeps the pods the selector does not match current, and computes them again for another selector', () => {
    const index = new DaemonPodIndex();
    const a = daemonPod(ds, 'a', 'n1');
    const b = daemonPod(ds, 'b', 'n2', { labels: { name: 'other' } });
    index.observe(undefined, a);
    index.observe(undefined, b);
    const key = JSON.stringify(ds.spec.selector);
    assert.deepEqual(names(index.mismatched(NS, UID, SELECTOR, key)), ['b']);
    const a2 = changed(a, (p) => (p.metadata.labels = { name: 'relabelled' }));
    index.observe(a, a2);
    assert.deepEqual(names(index.mismatched(NS, UID, SELECTOR, key)).sort(), ['a', 'b']);
    const b2 = changed(b, (p) => (p.metadata.labels = { ...ds.spec.template.metadata!.labels }));
    index.observe(b, b2);
    assert.deepEqual(names(index.mismatched(NS, UID, SELECTOR, key)), ['a']);
    index.observe(a2, undefined);
    assert.deepEqual(index.mismatched(NS, UID, SELECTOR, key), []);
    const other = { matchLabels: { name: 'nothing' } };
    assert.deepEqual(names(index.mismatched(NS, UID, labelSelectorFromObject(other), JSON.stringify(other))), ['b']);
  });
});

describe('the DaemonSet controller keeps its pod index current through the informer', () => {
  it('follows creates, status updates and deletes, and queues the DaemonSet when a node with its pod goes', async () => {
    const cluster = new FakeCluster();
    const c = new DaemonSetController(cluster.context());
    for (const n of ['n1', 'n2', 'n3']) cluster.seed(RESOURCES.nodes, node(n));
    cluster.seed(RESOURCES.daemonsets, ds);
    const signal = new AbortController().signal;
    const settle = async () => {
      for (let i = 0; i < 20; i++) {
        const delivered = cluster.flush();
        let synced = 0;
        while (c.queue.length() > 0 && synced < 100) {
          await c.processNext(signal);
          synced++;
        }
        if (delivered === 0 && synced === 0) return;
      }
    };
    await settle();
    const pods = cluster.objects<Pod>(RESOURCES.pods);
    assert.equal(pods.length, 3);
    const byNode = (ps: Pod[]) => Object.fromEntries(ps.map((p) => [p.spec!.nodeName!, [p.metadata.name!]]));
    assert.deepEqual(groups(c.podIndex), byNode(pods));

    // a status update replaces the cached pod in the index
    const p0 = pods[0]!;
    await cluster.update(
      RESOURCES.pods,
      NS,
      changed(p0, (p) => (p.status = { phase: 'Running' })),
      {
        subresource: 'status',
      },
    );
    cluster.flush();
    const group = c.podIndex.byNode(NS, UID).get(p0.spec!.nodeName!)!;
    assert.deepEqual(group[0]!.status, { phase: 'Running' });

    // a deleted pod leaves, and the sync replaces it
    await cluster.delete(RESOURCES.pods, NS, p0.metadata.name!);
    cluster.flush();
    assert.equal(c.podIndex.onNode(NS, UID, p0.spec!.nodeName!), false);
    await settle();
    assert.deepEqual(groups(c.podIndex), byNode(cluster.objects<Pod>(RESOURCES.pods)));

    // a node that goes queues the DaemonSet that had a pod on it
    assert.equal(c.queue.length(), 0);
    await cluster.delete(RESOURCES.nodes, undefined, 'n2');
    cluster.flush();
    assert.equal(c.queue.length(), 1);
  });
});
