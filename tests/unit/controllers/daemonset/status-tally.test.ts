import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonPodIndex, ownerKey } from '../../../../controllers/daemonset/pod-index.js';
import { computeStatus } from '../../../../controllers/daemonset/status.js';
import { StatusTallies, type TallySource } from '../../../../controllers/daemonset/status-tally.js';
import type { DaemonSet, Node, Pod } from '../../../../controllers/daemonset/types.js';
import { daemonPod, daemonSet, node } from './fakes.js';

/** A deterministic generator (mulberry32), so that a failure can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Nodes and daemon pods as an informer's caches hold them, with the tallies told of every change. */
class Caches {
  readonly tallies = new StatusTallies();
  readonly index = new DaemonPodIndex((owner, n) => this.tallies.groupChanged(owner, n));
  readonly nodes = new Map<string, Node>();
  readonly pods = new Map<string, Pod>();
  /** How many nodes the tallies read, one by one and by listing them all. */
  reads = { node: 0, all: 0 };

  setNode(n: Node | undefined, name: string): void {
    if (n) this.nodes.set(name, Object.freeze(n));
    else this.nodes.delete(name);
    this.tallies.nodeChanged(name);
  }

  setPod(p: Pod | undefined, name: string): void {
    const old = this.pods.get(name);
    if (p) this.pods.set(name, p);
    else this.pods.delete(name);
    this.index.observe(old, p);
  }

  source(ds: DaemonSet): TallySource {
    return {
      nodes: () => {
        this.reads.all++;
        return [...this.nodes.values()];
      },
      node: (name) => {
        this.reads.node++;
        return this.nodes.get(name);
      },
      groups: this.index.groups(ds.metadata.namespace, ds.metadata.uid!),
    };
  }

  /** The tally's counters and computeStatus's over every node, for `ds` at `hash`. */
  both(ds: DaemonSet, hash: string) {
    const owner = ownerKey(ds.metadata.namespace, ds.metadata.uid!);
    const tallied = this.tallies.counts(owner, ds, hash, this.source(ds));
    const groups = this.index.groups(ds.metadata.namespace, ds.metadata.uid!);
    return { tallied, computed: computeStatus(ds, [...this.nodes.values()], groups, hash, 0) };
  }
}

const NO_SCHEDULE = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
const NO_EXECUTE = { key: 'dedicated', value: 'x', effect: 'NoExecute' };

describe('StatusTallies', () => {
  it('counts what computeStatus counts through random changes of nodes, pods, revision and placement', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = random(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const c = new Caches();
      let ds = daemonSet();
      let hash = 'h1';
      const nodeNames = Array.from({ length: 30 }, (_, i) => `n${i}`);
      for (const n of nodeNames.slice(0, 20)) c.setNode(node(n), n);
      let podSeq = 0;
      for (let step = 0; step < 400; step++) {
        const r = rnd();
        if (r < 0.15) {
          // a node appears, changes its taints or labels, or goes
          const name = pick(nodeNames);
          const kind = pick(['plain', 'noSchedule', 'noExecute', 'ssd', 'gone'] as const);
          c.setNode(
            kind === 'gone'
              ? undefined
              : node(name, {
                  taints: kind === 'noSchedule' ? [NO_SCHEDULE] : kind === 'noExecute' ? [NO_EXECUTE] : undefined,
                  labels: kind === 'ssd' ? { disk: 'ssd' } : undefined,
                }),
            name,
          );
        } else if (r < 0.45) {
          // a pod is created on a node (sometimes a second one there, sometimes of another revision)
          const name = `p${podSeq++}`;
          const labels = {
            ...(ds.spec.template.metadata?.labels ?? {}),
            'controller-revision-hash': pick([hash, 'old']),
          };
          c.setPod(
            Object.freeze(
              daemonPod(ds, name, pick(nodeNames), {
                ready: rnd() < 0.5,
                labels,
                created: `2024-01-01T00:00:${String(10 + Math.floor(rnd() * 40))}Z`,
              }),
            ),
            name,
          );
        } else if (r < 0.75 && c.pods.size > 0) {
          // a pod turns Ready or not, changes revision, or starts its deletion
          const old = pick([...c.pods.values()]);
          const p = structuredClone(old);
          const what = rnd();
          if (what < 0.5)
            p.status = { ...(p.status ?? {}), conditions: [{ type: 'Ready', status: rnd() < 0.5 ? 'True' : 'False' }] };
          else if (what < 0.8)
            p.metadata.labels = { ...p.metadata.labels, 'controller-revision-hash': pick([hash, 'old', 'h9']) };
          else p.metadata.deletionTimestamp = '2024-01-01T00:01:00Z';
          c.setPod(Object.freeze(p), p.metadata.name!);
        } else if (r < 0.9 && c.pods.size > 0) {
          c.setPod(undefined, pick([...c.pods.keys()]));
        } else if (r < 0.95) {
          hash = pick(['h1', 'h2', 'old']);
        } else {
          // the placement changes: a node selector, or none
          ds = daemonSet('foo', (d) => {
            if (rnd() < 0.5) d.spec.template.spec = { ...d.spec.template.spec, nodeSelector: { disk: 'ssd' } };
          });
        }
        if (rnd() < 0.3) {
          const { tallied, computed } = c.both(ds, hash);
          assert.deepEqual(tallied, computed, `seed ${seed}, step ${step}`);
        }
      }
      const { tallied, computed } = c.both(ds, hash);
      assert.deepEqual(tallied, computed, `seed ${seed}, at the end`);
    }
  });

  it('recounts only the nodes that changed since the last count', () => {
    const c = new Caches();
    const ds = daemonSet();
    for (let i = 0; i < 100; i++) c.setNode(node(`n${i}`), `n${i}`);
    for (let i = 0; i < 100; i++) c.setPod(Object.freeze(daemonPod(ds, `p${i}`, `n${i}`, { ready: false })), `p${i}`);
    const first = c.both(ds, 'h');
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
    const second = c.both(ds, 'h');
    assert.deepEqual(second.tallied, second.computed);
    assert.equal(second.tallied?.numberReady, 2);
    assert.equal(second.tallied?.numberMisscheduled, 1);
    assert.deepEqual(c.reads, { node: 3, all: 0 });
    // nothing changed: nothing is read
    c.reads = { node: 0, all: 0 };
    c.both(ds, 'h');
    assert.deepEqual(c.reads, { node: 0, all: 0 });
    // another revision counts every node again
    c.both(ds, 'h2');
    assert.deepEqual(c.reads, { node: 0, all: 1 });
  });

  it('leaves a DaemonSet with minReadySeconds to computeStatus (its counters depend on the time)', () => {
    const c = new Caches();
    const ds = daemonSet('foo', (d) => (d.spec.minReadySeconds = 10));
    c.setNode(node('n1'), 'n1');
    assert.equal(c.both(ds, 'h').tallied, undefined);
  });

  it('starts again for a DaemonSet it forgot', () => {
    const c = new Caches();
    const ds = daemonSet();
    c.setNode(node('n1'), 'n1');
    c.both(ds, 'h');
    c.tallies.forget(ownerKey(ds.metadata.namespace, ds.metadata.uid!));
    c.reads = { node: 0, all: 0 };
    c.both(ds, 'h');
    assert.deepEqual(c.reads, { node: 0, all: 1 });
  });
});
