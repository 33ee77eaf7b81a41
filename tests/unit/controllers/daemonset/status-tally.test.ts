import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeStatus } from '../../../../controllers/daemonset/status.js';
import type { DaemonSet } from '../../../../controllers/daemonset/types.js';
import { Caches, cachesWith, NO_EXECUTE, throughChurn } from './churn.js';
import { daemonSet, node } from './fakes.js';

/** The tally's counters and computeStatus's over every node, for `ds` at `hash`. */
function both(c: Caches, ds: DaemonSet, hash: string) {
  const tallied = c.tallies.counts(c.owner(ds), ds, hash, c.source(ds));
  return { tallied, computed: computeStatus(ds, [...c.nodes.values()], c.groups(ds), hash, 0) };
}

describe('StatusTallies', () => {
  it('counts what computeStatus counts through random changes of nodes, pods, revision and placement', () => {
    throughChurn([1, 2, 3, 4, 5], (c, st, where) => {
      const { tallied, computed } = both(c, st.ds, st.hash);
      assert.deepEqual(tallied, computed, where);
    });
  });

  it('recounts only the nodes that changed since the last count', () => {
    const ds = daemonSet();
    const c = cachesWith(ds, 100, 100, { ready: false });
    const first = both(c, ds, 'h');
    assert.deepEqual(first.tallied, first.computed);
    assert.deepEqual(c.reads, { node: 0, all: 1 });
    // two pods turn Ready, and a node gets a NoExecute taint
    for (const i of [3, 7]) {
      const p = structuredClone(c.pods.get(`p${i}`)!);
      p.status = { ...(p.status ?? {}), conditions: [{ type: 'Ready', status: 'True' }] };
      c.setPod(Object.freeze(p), `p${i}`);
    }
    c.setNode(node('n9', { taints: [NO_EXECUTE] }), 'n9');
    c.reads = { node: 0, all: 0 };
    const second = both(c, ds, 'h');
    assert.deepEqual(second.tallied, second.computed);
    assert.equal(second.tallied?.numberReady, 2);
    assert.equal(second.tallied?.numberMisscheduled, 1);
    assert.deepEqual(c.reads, { node: 3, all: 0 });
    // nothing changed: nothing is read
    c.reads = { node: 0, all: 0 };
    both(c, ds, 'h');
    assert.deepEqual(c.reads, { node: 0, all: 0 });
    // another revision counts every node again
    both(c, ds, 'h2');
    assert.deepEqual(c.reads, { node: 0, all: 1 });
  });

  it('leaves a DaemonSet with minReadySeconds to computeStatus (its counters depend on the time)', () => {
    const c = new Caches();
    const ds = daemonSet('foo', (d) => (d.spec.minReadySeconds = 10));
    c.setNode(node('n1'), 'n1');
    assert.equal(both(c, ds, 'h').tallied, undefined);
  });

  it('starts again for a DaemonSet it forgot', () => {
    const c = new Caches();
    const ds = daemonSet();
    c.setNode(node('n1'), 'n1');
    both(c, ds, 'h');
    c.tallies.forget(c.owner(ds));
    c.reads = { node: 0, all: 0 };
    both(c, ds, 'h');
    assert.deepEqual(c.reads, { node: 0, all: 1 });
  });
});
