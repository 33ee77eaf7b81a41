/**
 * The nodes where a DaemonSet's placement step has nothing to do, known without looking at them again. The step
 * (manage.ts, podsShouldBeOnNode) read every node at each sync; on a node that may keep its pod and has exactly one,
 * running, it finds nothing to do, and that verdict depends on nothing but the node, the DaemonSet's placement and
 * the daemon pods on the node. So such a node is "settled" until one of those changes: the informers' handlers
 * report each change, and a sync looks at the unsettled nodes only (all of them when the placement changed). While
 * a DaemonSet's pods start on 100,000 nodes the syncs follow each other, and each read all 100,000.
 */
import { placementIdentity } from './placement.js';
import type { DaemonSet, Node } from './types.js';

interface Tracker {
  /** The placement the settled nodes were judged with. */
  placement: object;
  /** Nodes to look at in the next sync (those not known settled), in the order they became so. */
  unsettled: Set<string>;
}

/** The settled nodes of every DaemonSet, by owner key (namespace/uid, as the pod index's). */
export class SettledNodes {
  private readonly trackers = new Map<string, Tracker>();

  /** A node was added, changed or deleted: no DaemonSet has it settled any more. */
  nodeChanged(name: string): void {
    for (const t of this.trackers.values()) t.unsettled.add(name);
  }

  /** The daemon pods of `owner` on `node` changed. */
  groupChanged(owner: string, node: string): void {
    this.trackers.get(owner)?.unsettled.add(node);
  }

  /** Drops what is known of a DaemonSet (it is gone, or a sync looked at pods the index does not hold as claimed). */
  forget(owner: string): void {
    this.trackers.delete(owner);
  }

  /**
   * The nodes `ds` (owner key `owner`) must look at: the unsettled ones that still exist, or every node (`all()`, in
   * its order) when nothing is known yet for this placement. Call {@link settle} for each that has nothing to do.
   */
  toVisit(owner: string, ds: DaemonSet, all: () => readonly Node[], node: (name: string) => Node | undefined): Node[] {
    const placement = placementIdentity(ds);
    const t = this.trackers.get(owner);
    if (!t || t.placement !== placement) {
      const nodes = all();
      this.trackers.set(owner, { placement, unsettled: new Set(nodes.map((n) => n.metadata.name!)) });
      return [...nodes];
    }
    const out: Node[] = [];
    for (const name of t.unsettled) {
      const n = node(name);
      if (n) out.push(n);
      else t.unsettled.delete(name);
    }
    return out;
  }

  /** `name` has nothing to do for `owner` until it or its daemon pods change. */
  settle(owner: string, name: string): void {
    this.trackers.get(owner)?.unsettled.delete(name);
  }
}
