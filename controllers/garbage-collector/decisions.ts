/**
 * The garbage collector's decisions as pure functions (upstream attemptToDeleteItem's switch), and the merge
 * patches it writes. Owners of an item are classified from live reads: *solid* (exists, not waiting for its
 * dependents), *dangling* (404, or a different uid under that name), *waiting* (being deleted with the
 * foregroundDeletion finalizer).
 */
import type { KubeObject, OwnerReference } from '../../apimachinery/objects.js';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './graph.js';

/** An item's ownerReferences sorted by what their owners are now. */
export interface OwnerClassification {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

/** What to do with an item. */
export type GCAction =
  | { kind: 'none' }
  /** Some owner remains: drop the references to owners that are gone or waiting for their dependents. */
  | { kind: 'removeOwnerRefs'; uids: string[] }
  /**
   * Every owner is gone or waiting: delete the item with this propagation, after making its references
   * non-blocking when `unblockFirst` (a dependency cycle would otherwise wait forever).
   */
  | { kind: 'delete'; policy: 'Orphan' | 'Foreground' | 'Background'; unblockFirst: boolean };

/** Facts about the item beyond its owners. */
export interface ItemFacts {
  finalizers: readonly string[];
  /** The item has dependents in the graph. */
  hasDependents: boolean;
  /** One of the item's dependents is itself deleting its dependents (a possible cycle). */
  dependentDeletingDependents: boolean;
}

/**
 * The decision for an item with at least one ownerReference:
 * - a solid owner keeps it; references to dangling and waiting owners are removed (a waiting owner would
 *   otherwise wait for this item forever);
 * - with owners waiting and dependents of its own, it is deleted in the foreground (its dependents go first),
 *   its references unblocked first when a dependent is itself deleting dependents;
 * - otherwise it is deleted with the policy its own finalizers ask for (orphan, foreground) or in the background.
 */
export function decide(c: OwnerClassification, item: ItemFacts): GCAction {
  if (c.solid.length > 0) {
    const uids = [...c.dangling, ...c.waiting].map((r) => r.uid);
    return uids.length ? { kind: 'removeOwnerRefs', uids } : { kind: 'none' };
  }
  if (c.waiting.length > 0 && item.hasDependents) {
    return { kind: 'delete', policy: 'Foreground', unblockFirst: item.dependentDeletingDependents };
  }
  const policy = item.finalizers.includes(FINALIZER_ORPHAN)
    ? 'Orphan'
    : item.finalizers.includes(FINALIZER_FOREGROUND)
      ? 'Foreground'
      : 'Background';
  return { kind: 'delete', policy, unblockFirst: false };
}

/** The JSON merge patch that sets metadata.ownerReferences (null removes the field), guarded by resourceVersion. */
export function ownerReferencesPatch(obj: KubeObject, refs: OwnerReference[]): Record<string, unknown> {
  return { metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata.resourceVersion } };
}

/** The object's ownerReferences without those to `uids`. */
export function withoutOwners(obj: KubeObject, uids: readonly string[]): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
}

/** The object's ownerReferences with every blockOwnerDeletion: true turned false; undefined when none blocks. */
export function unblockedOwners(obj: KubeObject): OwnerReference[] | undefined {
  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.some((r) => r.blockOwnerDeletion === true)) return undefined;
  return refs.map((r) => (r.blockOwnerDeletion === true ? { ...r, blockOwnerDeletion: false } : r));
}

/** The JSON merge patch removing one finalizer, guarded by resourceVersion; undefined when it is not there. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): Record<string, unknown> | undefined {
  const fins = obj.metadata.finalizers ?? [];
  if (!fins.includes(finalizer)) return undefined;
  const rest = fins.filter((f) => f !== finalizer);
  return { metadata: { finalizers: rest.length ? rest : null, resourceVersion: obj.metadata.resourceVersion } };
}
