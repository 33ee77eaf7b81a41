/**
 * Nodes and daemon pods changing at random, as the DaemonSet controller's informers deliver them, for the tests of
 * what a sync keeps across syncs (status-tally.ts, settled-nodes.ts): each is checked against the pass over every
 * node that it replaces.
 */
import { DaemonPodIndex, ownerKey } from '../../../../controllers/daemonset/pod-index.js';
import { SettledNodes } from '../../../../controllers/daemonset/settled-nodes.js';
import { StatusTallies, type TallySource } from '../../../../controllers/daemonset/status-tally.js';
import type { DaemonSet, Node, Pod } from '../../../../controllers/daemonset/types.js';
import { daemonPod, daemonSet, node } from './fakes.js';

/**
 * Caches holding nodes `n0`…`n<nodes - 1>` and, on each of the first `pods` of them, a daemon pod `p<i>` of `ds`
 * (`podOpts` for every pod).
 */
export function cachesWith(
  ds: DaemonSet,
  nodes: number,
  pods: number,
  podOpts?: Parameters<typeof daemonPod>[3],
): Caches {
  const c = new Caches();
  for (let i = 0; i < nodes; i++) c.setNode(node(`n${i}`), `n${i}`);
  for (let i = 0; i < pods; i++) c.setPod(Object.freeze(daemonPod(ds, `p${i}`, `n${i}`, podOpts)), `p${i}`);
  return c;
}

/** A deterministic generator (mulberry32), so that a failure can be run again. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const NO_SCHEDULE = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
export const NO_EXECUTE = { key: 'dedicated', value: 'x', effect: 'NoExecute' };

/** Nodes and daemon pods as an informer's caches hold them, with the tallies and settled nodes told of every change. */
export class Caches {
  readonly tallies = new StatusTallies();
  readonly settled = new SettledNodes();
  readonly index = new DaemonPodIndex((owner, n) => {
    this.tallies.groupChanged(owner, n);
    this.settled.groupChanged(owner, n);
  });
  readonly nodes = new Map<string, Node>();
  readonly pods = new Map<string, Pod>();
  /** How many nodes were read, one by one and by listing them all. */
  reads = { node: 0, all: 0 };

  setNode(n: Node | undefined, name: string): void {
    if (n) this.nodes.set(name, Object.freeze(n));
    else this.nodes.delete(name);
    this.tallies.nodeChanged(name);
    this.settled.nodeChanged(name);
  }

  setPod(p: Pod | undefined, name: string): void {
    const old = this.pods.get(name);
    if (p) this.pods.set(name, p);
    else this.pods.delete(name);
    this.index.observe(old, p);
  }

  allNodes = (): Node[] => {
    this.reads.all++;
    return [...this.nodes.values()];
  };

  node = (name: string): Node | undefined => {
    this.reads.node++;
    return this.nodes.get(name);
  };

  groups(ds: DaemonSet): ReadonlyMap<string, readonly Pod[]> {
    return this.index.groups(ds.metadata.namespace, ds.metadata.uid!);
  }

  source(ds: DaemonSet): TallySource {
    return { nodes: this.allNodes, node: this.node, groups: this.groups(ds) };
  }

  owner(ds: DaemonSet): string {
    return ownerKey(ds.metadata.namespace, ds.metadata.uid!);
  }
}

/** The DaemonSet and revision a churn works on, changed by it too. */
export interface ChurnState {
  ds: DaemonSet;
  hash: string;
  podSeq: number;
}

const NODE_NAMES = Array.from({ length: 30 }, (_, i) => `n${i}`);

/** A churn's start: 20 of its 30 node names as plain nodes, and DaemonSet foo at revision h1. */
export function startChurn(c: Caches): ChurnState {
  for (const n of NODE_NAMES.slice(0, 20)) c.setNode(node(n), n);
  return { ds: daemonSet(), hash: 'h1', podSeq: 0 };
}

/**
 * One random change: a node appears, changes its taints or labels, or goes; a daemon pod is created (sometimes a
 * second one on its node, of the current revision or not, Ready or not), turns Ready or not, changes revision,
 * fails, starts its deletion or goes; the revision changes; the placement changes (a node selector or none).
 */
export function churn(c: Caches, st: ChurnState, rnd: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const r = rnd();
  if (r < 0.15) {
    const name = pick(NODE_NAMES);
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
    const name = `p${st.podSeq++}`;
    const labels = {
      ...(st.ds.spec.template.metadata?.labels ?? {}),
      'controller-revision-hash': pick([st.hash, 'old']),
    };
    c.setPod(
      Object.freeze(
        daemonPod(st.ds, name, pick(NODE_NAMES), {
          ready: rnd() < 0.5,
          labels,
          created: `2024-01-01T00:00:${String(10 + Math.floor(rnd() * 40))}Z`,
        }),
      ),
      name,
    );
  } else if (r < 0.75 && c.pods.size > 0) {
    const p = structuredClone(pick([...c.pods.values()]));
    const what = rnd();
    if (what < 0.45)
      p.status = { ...(p.status ?? {}), conditions: [{ type: 'Ready', status: rnd() < 0.5 ? 'True' : 'False' }] };
    else if (what < 0.7)
      p.metadata.labels = { ...p.metadata.labels, 'controller-revision-hash': pick([st.hash, 'old', 'h9']) };
    else if (what < 0.8) p.status = { ...(p.status ?? {}), phase: pick(['Failed', 'Succeeded', 'Running']) };
    else p.metadata.deletionTimestamp = '2024-01-01T00:01:00Z';
    c.setPod(Object.freeze(p), p.metadata.name!);
  } else if (r < 0.9 && c.pods.size > 0) {
    c.setPod(undefined, pick([...c.pods.keys()]));
  } else if (r < 0.95) {
    st.hash = pick(['h1', 'h2', 'old']);
  } else {
    st.ds = daemonSet('foo', (d) => {
      if (rnd() < 0.5) d.spec.template.spec = { ...d.spec.template.spec, nodeSelector: { disk: 'ssd' } };
    });
  }
}

/**
 * For each seed, 400 random changes from {@link startChurn}'s start, with `check` called after about a third of them
 * and at the end; `where` names the seed and step for a failure's message.
 */
export function throughChurn(seeds: number[], check: (c: Caches, st: ChurnState, where: string) => void): void {
  for (const seed of seeds) {
    const rnd = random(seed);
    const c = new Caches();
    const st = startChurn(c);
    for (let step = 0; step < 400; step++) {
      churn(c, st, rnd);
      if (rnd() < 0.3) check(c, st, `seed ${seed}, step ${step}`);
    }
    check(c, st, `seed ${seed}, at the end`);
  }
}
