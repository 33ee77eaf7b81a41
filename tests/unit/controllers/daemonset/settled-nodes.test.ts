import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../../controllers/daemonset/backoff.js';
import { planNodes, type PlanDeps, unscheduledPodsWithoutNode } from '../../../../controllers/daemonset/manage.js';
import type { DaemonSet } from '../../../../controllers/daemonset/types.js';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { Caches, cachesWith, throughChurn } from './churn.js';
import { daemonPod, daemonSet, FakeRecorder, node, nullLog } from './fakes.js';

/** Plan dependencies of their own (a failed pod's back-off is state: each plan gets a fresh one). */
function deps(): PlanDeps {
  const clock = new FakeClock();
  return { recorder: new FakeRecorder(), backoff: new Backoff(clock), clock, log: nullLog, enqueueAfter: () => {} };
}

/**
 * The plan over the unsettled nodes (settling those with nothing to do; naming at most `createLimit` nodes that need
 * a pod), the plan over every node, and how many nodes the first read.
 */
function both(c: Caches, ds: DaemonSet, hash: string, createLimit?: number) {
  const owner = c.owner(ds);
  const visit = c.settled.toVisit(owner, ds, c.allNodes, c.node);
  let visited = 0;
  const counted = {
    *[Symbol.iterator]() {
      for (const n of visit) {
        visited++;
        yield n;
      }
    },
  };
  const partial = planNodes(deps(), ds, counted, c.groups(ds), hash, {
    settle: (name) => c.settled.settle(owner, name),
    unscheduled: () => unscheduledPodsWithoutNode([...c.nodes.values()], c.groups(ds)),
    createLimit,
  });
  const full = planNodes(deps(), ds, [...c.nodes.values()], c.groups(ds), hash);
  const sorted = (p: typeof full) => ({
    ...p,
    nodesNeedingDaemonPods: [...p.nodesNeedingDaemonPods].sort(),
    podsToDelete: [...p.podsToDelete].sort(),
  });
  return { partial: sorted(partial), full: sorted(full), visited };
}

describe('SettledNodes', () => {
  it('a plan over the unsettled nodes decides what the plan over every node decides, through random changes', () => {
    throughChurn([11, 12, 13, 14, 15], (c, st, where) => {
      // with a limit on the creates named: some of the nodes the full plan names, and the same deletions
      const limited = both(c, st.ds, st.hash, 2);
      const needing = new Set(limited.full.nodesNeedingDaemonPods);
      assert.equal(
        limited.partial.nodesNeedingDaemonPods.length,
        Math.min(2, needing.size),
        `${where}: as many as the limit allows`,
      );
      for (const n of limited.partial.nodesNeedingDaemonPods) assert.ok(needing.has(n), where);
      assert.deepEqual(limited.partial.podsToDelete, limited.full.podsToDelete, where);
      const { partial, full } = both(c, st.ds, st.hash);
      assert.deepEqual(partial, full, where);
    });
  });

  it('past the creates a sync makes, passes over nodes without daemon pods, and reads those with pods', () => {
    const ds = daemonSet();
    // 100 nodes, pods on the first 10 (one of them with a second pod to delete)
    const c = cachesWith(ds, 100, 10);
    c.setPod(Object.freeze(daemonPod(ds, 'extra', 'n7', { created: '2024-01-01T00:00:30Z' })), 'extra');
    let r = both(c, ds, 'h', 5);
    assert.equal(r.partial.nodesNeedingDaemonPods.length, 5);
    assert.deepEqual(r.partial.podsToDelete, ['extra']);
    // the next sync: the 9 settled nodes are not read again; the 90 without pods still are, in their order
    r = both(c, ds, 'h', 5);
    assert.equal(r.partial.nodesNeedingDaemonPods.length, 5);
    assert.equal(r.visited, 91, 'n7 and the nodes without pods');
    // a node where the DaemonSet may not run and that has no pod has nothing to do: it is settled
    const ssd = daemonSet(
      'foo',
      (d) => (d.spec.template.spec = { ...d.spec.template.spec, nodeSelector: { disk: 'ssd' } }),
    );
    assert.equal(both(c, ssd, 'h', 5).visited, 100);
    r = both(c, ssd, 'h', 5);
    assert.equal(r.visited, 10, 'the 90 without pods are settled; the 10 with pods it may not keep are not');
    assert.equal(r.partial.podsToDelete.length, 11);
    assert.deepEqual(r.partial.nodesNeedingDaemonPods, []);
  });

  it('looks again only at the nodes that changed, and at those with something left to do', () => {
    const ds = daemonSet();
    // a pod on every node but the last
    const c = cachesWith(ds, 100, 99);
    let r = both(c, ds, 'h');
    assert.equal(r.visited, 100, 'the first sync looks at every node');
    assert.deepEqual(r.partial.nodesNeedingDaemonPods, ['n99']);
    r = both(c, ds, 'h');
    assert.equal(r.visited, 1, 'then only at the node still without its pod');
    // its pod arrives, another node gets a NoExecute taint, a third gets a second pod
    c.setPod(Object.freeze(daemonPod(ds, 'p99', 'n99')), 'p99');
    c.setNode(node('n5', { taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] }), 'n5');
    c.setPod(Object.freeze(daemonPod(ds, 'extra', 'n7', { created: '2024-01-01T00:00:30Z' })), 'extra');
    r = both(c, ds, 'h');
    assert.equal(r.visited, 3);
    assert.deepEqual(r.partial.podsToDelete, ['extra', 'p5']);
    assert.deepEqual(r.partial, r.full);
    // another placement: every node again
    const ssd = daemonSet(
      'foo',
      (d) => (d.spec.template.spec = { ...d.spec.template.spec, nodeSelector: { disk: 'ssd' } }),
    );
    assert.equal(both(c, ssd, 'h').visited, 100);
  });

  it('forgets a DaemonSet: the next sync looks at every node', () => {
    const c = new Caches();
    const ds = daemonSet();
    c.setNode(node('n1'), 'n1');
    c.setPod(Object.freeze(daemonPod(ds, 'p1', 'n1')), 'p1');
    both(c, ds, 'h');
    assert.equal(both(c, ds, 'h').visited, 0);
    c.settled.forget(c.owner(ds));
    assert.equal(both(c, ds, 'h').visited, 1);
  });
});
