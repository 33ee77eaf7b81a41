/**
 * What the DaemonSet controller keeps per DaemonSet across syncs (status-tally.ts, settled-nodes.ts), with the nodes
 * to look at again in the next sync: the informers' handlers report every node that was added, changed or deleted,
 * and every node whose group of a DaemonSet's daemon pods changed (pod-index.ts); a DaemonSet that is gone is
 * forgotten. Each entry is keyed by its DaemonSet's owner key (namespace/uid, as the pod index's).
 */

/** One DaemonSet's entry: at least the names of the nodes to look at again. */
export interface Rechecked {
  recheck: Set<string>;
}

/** Per DaemonSet entries told of the changes that concern them. */
export class PerDaemonSet<T extends Rechecked> {
  protected readonly entries = new Map<string, T>();

  /** A node was added, changed or deleted: every DaemonSet looks at it again. */
  nodeChanged(name: string): void {
    for (const e of this.entries.values()) e.recheck.add(name);
  }

  /** The daemon pods of `owner` on `node` changed. */
  groupChanged(owner: string, node: string): void {
    this.entries.get(owner)?.recheck.add(node);
  }

  /** Drops what is kept for a DaemonSet (it is gone, or a sync could not use it). */
  forget(owner: string): void {
    this.entries.delete(owner);
  }
}
