/**
 * The nodes where a DaemonSet's placement step has nothing to do, known without looking at them again. The step
 * (manage.ts, podsShouldBeOnNode) read every node at each sync; on a node that may keep its pod and has exactly one,
 * running, it finds nothing to do, and that verdict depends on nothing but the node, the DaemonSet's placement and
 * the daemon pods on the node. So such a node is "settled" until one of those changes: the informers' handlers
 * report each change, and a sync looks at the unsettled nodes only (all of them when the placement changed). While
 * a DaemonSet's pods start on 100,000 nodes the syncs follow each other, and each read all 100,000.
 */
import { PerDaemonSet } from './node-changes.js';
import { placementIdentity } from './placement.js';
import type { DaemonSet, Node } from './types.js';

interface Tracker {
  /** The placement the settled nodes were judged with. */
  placement: object;
  /** Nodes to look at in the next sync (those not known settled), in the order they became so. */
  recheck: Set<string>;
}

/** The settled nodes of every DaemonSet, by owner key (see node-changes.ts). */
export class SettledNodes extends PerDaemonSet<Tracker> {
  /**
   * The nodes `ds` (owner key `owner`) must look at: the unsettled ones that still exist, or every node (`all()`, in
   * its order) when nothing is known yet for this placement. Call {@link settle} for each that has nothing to do.
   * The unsettled ones are read as they are iterated (a node settled meanwhile is not), not gathered first: while a
   * DaemonSet's pods are created on 100,000 nodes each sync passes over the many still without one, and an array of
   * them per sync was a large object only full collections free.
   */
  toVisit(
    owner: string,
    ds: DaemonSet,
    all: () => readonly Node[],
    node: (name: string) => Node | undefined,
  ): Iterable<Node> {
    const placement = placementIdentity(ds);
    const t = this.entries.get(owner);
    if (!t || t.placement !== placement) {
      const nodes = all();
      this.entries.set(owner, { placement, recheck: new Set(nodes.map((n) => n.metadata.name!)) });
      return [...nodes];
    }
    return unsettled(t.recheck, node);
  }

  /** `name` has nothing to do for `owner` until it or its daemon pods change. */
  settle(owner: string, name: string): void {
    this.entries.get(owner)?.recheck.delete(name);
  }
}

/** The nodes of `recheck` that exist, as they are iterated; a name whose node is gone is dropped from it. */
function* unsettled(recheck: Set<string>, node: (name: string) => Node | undefined): Generator<Node> {
  for (const name of recheck) {
    const n = node(name);
    if (n) yield n;
    else recheck.delete(name);
  }
}
