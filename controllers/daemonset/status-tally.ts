/**
 * The DaemonSet status counters kept as nodes and daemon pods change, instead of computed over every node at each
 * sync. A sync of a DaemonSet on N nodes read all N to count its status (computeStatus); while thousands of pods
 * start, syncs follow each other, and at 100,000 nodes each pass took a good part of a second. A tally keeps each
 * node's part of the counters (status.ts, nodeStatusBits) and their sums; the informers' handlers mark the nodes
 * whose node object or daemon pods changed, and a sync recounts only those. The counters are the same as
 * computeStatus's over the nodes and groups as the caches hold them (a test drives both through random changes).
 *
 * A tally holds while the DaemonSet's placement, revision and templateGeneration stay; another of any of them
 * counts every node again. With minReadySeconds the counters depend on the time, and the sync counts every node.
 */
import type { StatusCounts } from './status.js';
import { addBits, nodeStatusBits, statusInputs, zeroCounts } from './status.js';
import { PerDaemonSet } from './node-changes.js';
import { placementIdentity } from './placement.js';
import type { DaemonSet, Node, Pod } from './types.js';

interface Tally {
  /** What every node's bits were computed with. */
  placement: object;
  hash: string;
  generation: string | undefined;
  /** Each node's bits (nodes that count nothing are absent). */
  bits: Map<string, number>;
  sums: StatusCounts;
  /** Nodes whose node object or daemon pods changed since they were counted. */
  recheck: Set<string>;
}

/** Where a tally reads the caches. */
export interface TallySource {
  /** Every node (read when a tally is counted from scratch). */
  nodes(): readonly Node[];
  /** The node of that name, if cached. */
  node(name: string): Node | undefined;
  /** The DaemonSet's daemon pods by target node, as the pod index holds them. */
  groups: ReadonlyMap<string, readonly Pod[]>;
}

/** The status tallies of every DaemonSet, by owner key (see node-changes.ts). */
export class StatusTallies extends PerDaemonSet<Tally> {
  /**
   * The counters of `ds` (its owner key `owner`) at revision `hash`: the tally's, after recounting the nodes that
   * changed; from scratch when there is none yet or what it was counted with changed. With minReadySeconds,
   * undefined (the caller counts every node at its `now`).
   */
  counts(owner: string, ds: DaemonSet, hash: string, src: TallySource): StatusCounts | undefined {
    const inputs = statusInputs(ds, hash);
    if (inputs.minReadySeconds > 0) {
      this.entries.delete(owner);
      return undefined;
    }
    const placement = placementIdentity(ds);
    let t = this.entries.get(owner);
    if (!t || t.placement !== placement || t.hash !== hash || t.generation !== inputs.generation) {
      t = { placement, hash, generation: inputs.generation, bits: new Map(), sums: zeroCounts(), recheck: new Set() };
      for (const node of src.nodes()) {
        const name = node.metadata.name!;
        const bits = nodeStatusBits(ds, node, src.groups.get(name), inputs, 0);
        if (bits === 0) continue;
        t.bits.set(name, bits);
        addBits(t.sums, bits);
      }
      this.entries.set(owner, t);
    } else {
      for (const name of t.recheck) {
        const node = src.node(name);
        const bits = node ? nodeStatusBits(ds, node, src.groups.get(name), inputs, 0) : 0;
        const was = t.bits.get(name) ?? 0;
        if (bits === was) continue;
        addBits(t.sums, was, -1);
        addBits(t.sums, bits);
        if (bits === 0) t.bits.delete(name);
        else t.bits.set(name, bits);
      }
      t.recheck.clear();
    }
    return { ...t.sums, numberUnavailable: t.sums.desiredNumberScheduled - t.sums.numberAvailable };
  }
}
