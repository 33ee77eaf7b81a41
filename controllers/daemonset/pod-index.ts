/**
 * The pods each DaemonSet controls, grouped by target node, kept current by the pod informer's events. Upstream's
 * sync lists the pods of the namespace, claims them and groups them by node up to five times (history, manage,
 * rolling update, cleanup, status); with thousands of daemon pods changing during a rollout those walks were most
 * of the controller's CPU. Here a sync reads the groups as the informer left them: only the pods that need a
 * decision of the claim (orphans, controlled pods whose labels stopped matching the selector) are looked at.
 */
import type { LabelSelector } from '../../apimachinery/labels.js';
import { objectKey } from '../machinery/lister.js';
import { isPodTerminal } from './manage.js';
import type { Pod } from './types.js';
import { CONTROLLER_REVISION_HASH_LABEL, controllerOf, DS_KIND, targetNodeName } from './util.js';

/** The index key of a DaemonSet's pods: its namespace and uid (a reference from another namespace never counts). */
export function ownerKey(namespace: string | undefined, uid: string): string {
  return `${namespace ?? ''}/${uid}`;
}

/** Where a pod is in the index: under which owner, and in which node group (undefined: in none). */
function placeOf(pod: Pod): { owner: string; node: string | undefined } | undefined {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== DS_KIND || !ref.uid) return undefined;
  // Pods without a target node, and terminal pods already being deleted, are in no group (getNodesToDaemonPods).
  const grouped = !(pod.metadata.deletionTimestamp && isPodTerminal(pod));
  return { owner: ownerKey(pod.metadata.namespace, ref.uid), node: grouped ? targetNodeName(pod) : undefined };
}

const EMPTY_GROUPS: ReadonlyMap<string, readonly Pod[]> = new Map();

interface OwnerEntry {
  /** Every pod the owner controls, by pod key (the informer's order of first appearance). */
  pods: Map<string, Pod>;
  /** The grouped pods by target node; each array is replaced, never changed, so handed-out copies stay valid. */
  byNode: Map<string, readonly Pod[]>;
  /** The selector the mismatch set was computed for (by its JSON), and the keys of pods it does not match. */
  selector?: { key: string; sel: LabelSelector; mismatched: Set<string> };
  /** How many grouped pods not being deleted there are (those a rolling update looks at), in all and by hash label. */
  live: number;
  byHash: Map<string, number>;
  /** How many grouped pods have no `spec.nodeName` (only those can be on a node that does not exist). */
  unbound: number;
}

/** The hash label a grouped pod not being deleted is counted under (see OwnerEntry.byHash), else undefined. */
function revisionOf(pod: Pod, node: string | undefined): string | undefined {
  if (node === undefined || pod.metadata.deletionTimestamp) return undefined;
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

/** The daemon pods of every DaemonSet, by owner and node. Fed with `observe`; read by the controller's sync. */
export class DaemonPodIndex {
  private readonly owners = new Map<string, OwnerEntry>();

  /** `onGroupChange` is told of every node group that changes: its owner key and node. */
  constructor(private readonly onGroupChange?: (owner: string, node: string) => void) {}

  /** Applies one informer event: `old` is the cached pod before it (undefined on add), `cur` after (undefined on delete). */
  observe(old: Pod | undefined, cur: Pod | undefined): void {
    const key = objectKey((cur ?? old)!);
    const was = old && placeOf(old);
    const now = cur && placeOf(cur);
    if (was) this.countPod(was.owner, old!, was.node, -1);
    if (was && (!now || was.owner !== now.owner)) this.remove(was.owner, key, was.node);
    if (!now) return;
    let entry = this.owners.get(now.owner);
    if (!entry)
      this.owners.set(
        now.owner,
        (entry = { pods: new Map(), byNode: new Map(), live: 0, byHash: new Map(), unbound: 0 }),
      );
    entry.pods.set(key, cur!);
    const sameOwner = was?.owner === now.owner;
    if (sameOwner && was.node !== now.node) this.ungroup(now.owner, entry, key, was.node);
    if (now.node !== undefined) {
      const group = entry.byNode.get(now.node);
      if (!group) entry.byNode.set(now.node, [cur!]);
      else {
        const i = group.findIndex((p) => objectKey(p) === key);
        entry.byNode.set(now.node, i < 0 ? [...group, cur!] : group.map((p, j) => (j === i ? cur! : p)));
      }
      this.onGroupChange?.(now.owner, now.node);
    }
    this.countPod(now.owner, cur!, now.node, 1);
    const sel = entry.selector;
    if (sel) {
      if (sel.sel.matches(cur!.metadata.labels)) sel.mismatched.delete(key);
      else sel.mismatched.add(key);
    }
  }

  private remove(owner: string, key: string, node: string | undefined): void {
    const entry = this.owners.get(owner);
    if (!entry) return;
    entry.pods.delete(key);
    entry.selector?.mismatched.delete(key);
    this.ungroup(owner, entry, key, node);
    if (entry.pods.size === 0) this.owners.delete(owner);
  }

  private ungroup(owner: string, entry: OwnerEntry, key: string, node: string | undefined): void {
    if (node === undefined) return;
    const group = entry.byNode.get(node);
    if (!group) return;
    const rest = group.filter((p) => objectKey(p) !== key);
    if (rest.length > 0) entry.byNode.set(node, rest);
    else entry.byNode.delete(node);
    this.onGroupChange?.(owner, node);
  }

  /** Counts a pod in (1) or out (-1) of its owner's revision and unbound counts. */
  private countPod(owner: string, pod: Pod, node: string | undefined, delta: 1 | -1): void {
    const entry = this.owners.get(owner);
    if (!entry) return;
    if (node !== undefined && !pod.spec?.nodeName) entry.unbound += delta;
    const revision = revisionOf(pod, node);
    if (revision === undefined) return;
    entry.live += delta;
    const n = (entry.byHash.get(revision) ?? 0) + delta;
    if (n === 0) entry.byHash.delete(revision);
    else entry.byHash.set(revision, n);
  }

  /** Whether some grouped pod of the DaemonSet has no `spec.nodeName`. */
  hasUnbound(namespace: string | undefined, uid: string): boolean {
    return (this.owners.get(ownerKey(namespace, uid))?.unbound ?? 0) > 0;
  }

  /**
   * Whether every grouped pod of the DaemonSet that is not being deleted carries the hash label `hash` (also
   * true without any): a rolling update then has no old pod to replace.
   */
  allOfRevision(namespace: string | undefined, uid: string, hash: string): boolean {
    const entry = this.owners.get(ownerKey(namespace, uid));
    return !entry || entry.live === (entry.byHash.get(hash) ?? 0);
  }

  /** The pods the DaemonSet (namespace, uid) controls, in the order they first appeared. */
  owned(namespace: string | undefined, uid: string): Iterable<Pod> {
    return this.owners.get(ownerKey(namespace, uid))?.pods.values() ?? [];
  }

  /** How many pods the DaemonSet controls. */
  count(namespace: string | undefined, uid: string): number {
    return this.owners.get(ownerKey(namespace, uid))?.pods.size ?? 0;
  }

  /** Whether the DaemonSet has a (grouped) pod targeting `node`. */
  onNode(namespace: string | undefined, uid: string, node: string): boolean {
    return this.owners.get(ownerKey(namespace, uid))?.byNode.has(node) ?? false;
  }

  /** The groups of `byNode` as the index holds them: read at once (synchronously); later events change them. */
  groups(namespace: string | undefined, uid: string): ReadonlyMap<string, readonly Pod[]> {
    return this.owners.get(ownerKey(namespace, uid))?.byNode ?? EMPTY_GROUPS;
  }

  /**
   * The DaemonSet's pods grouped by target node, without terminal pods being deleted (getNodesToDaemonPods): a
   * new Map the caller may change; the arrays in it are shared and must not be changed.
   */
  byNode(namespace: string | undefined, uid: string): Map<string, Pod[]> {
    const entry = this.owners.get(ownerKey(namespace, uid));
    return new Map(entry?.byNode as Map<string, Pod[]> | undefined);
  }

  /**
   * The controlled pods whose labels `sel` does not match (the claim releases them). The set is kept current
   * from then on for that selector; another selector (by `selectorKey`) computes it again.
   */
  mismatched(namespace: string | undefined, uid: string, sel: LabelSelector, selectorKey: string): Pod[] {
    const entry = this.owners.get(ownerKey(namespace, uid));
    if (!entry) return [];
    if (entry.selector?.key !== selectorKey) {
      const mismatched = new Set<string>();
      for (const [key, pod] of entry.pods) if (!sel.matches(pod.metadata.labels)) mismatched.add(key);
      entry.selector = { key: selectorKey, sel, mismatched };
    }
    const out: Pod[] = [];
    for (const key of entry.selector.mismatched) out.push(entry.pods.get(key)!);
    return out;
  }
}
