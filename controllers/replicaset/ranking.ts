/**
 * Which pods a ReplicaSet deletes first when it scales down (controller_utils.go ActivePodsWithRanks, as used by
 * getPodsToDelete): unassigned before assigned, Pending before Unknown before Running, not ready before ready, a
 * lower `controller.kubernetes.io/pod-deletion-cost` first, pods doubled up on a node (higher rank) first, ready
 * for less time first, more container restarts first, newer first.
 */
import { parseTime, readyCondition } from '../daemonset/util.js';
import type { Pod } from './types.js';

/** The annotation a pod's owner uses to say which pods cost less to remove. */
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^-?\d+$/.test(v)) return 0;
  return Number(v);
}

function restarts(pod: Pod): number {
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ restartCount?: number }>;
  return statuses.reduce((max, s) => Math.max(max, s.restartCount ?? 0), 0);
}

/** A pod with its rank: how many related pods share its node (the pod itself included). */
export interface RankedPod {
  pod: Pod;
  rank: number;
}

/** ActivePodsWithRanks.Less as a comparator: negative when `a` is to be deleted before `b`. */
export function compareForDeletion(a: RankedPod, b: RankedPod): number {
  const p1 = a.pod;
  const p2 = b.pod;
  const n1 = !!p1.spec?.nodeName;
  const n2 = !!p2.spec?.nodeName;
  if (n1 !== n2) return n1 ? 1 : -1;
  const ph1 = PHASE_ORDER[p1.status?.phase ?? ''] ?? 0;
  const ph2 = PHASE_ORDER[p2.status?.phase ?? ''] ?? 0;
  if (ph1 !== ph2) return ph1 - ph2;
  const r1 = readyCondition(p1)?.status === 'True';
  const r2 = readyCondition(p2)?.status === 'True';
  if (r1 !== r2) return r1 ? 1 : -1;
  const c1 = deletionCost(p1);
  const c2 = deletionCost(p2);
  if (c1 !== c2) return c1 - c2;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (r1 && r2) {
    // ready for less time first (a missing time counts as the shortest)
    const t1 = parseTime(readyCondition(p1)?.lastTransitionTime);
    const t2 = parseTime(readyCondition(p2)?.lastTransitionTime);
    if (t1 !== t2) {
      if (t1 === undefined) return -1;
      if (t2 === undefined) return 1;
      return t2 - t1;
    }
  }
  const x1 = restarts(p1);
  const x2 = restarts(p2);
  if (x1 !== x2) return x2 - x1;
  const k1 = parseTime(p1.metadata.creationTimestamp);
  const k2 = parseTime(p2.metadata.creationTimestamp);
  if (k1 !== k2) {
    if (k1 === undefined) return -1;
    if (k2 === undefined) return 1;
    return k2 - k1;
  }
  return 0;
}

/**
 * getPodsToDelete: the `diff` pods of `filtered` to delete first. `related` are the pods the rank counts
 * (the ReplicaSet's own and those of its siblings under the same Deployment).
 */
export function podsToDelete(filtered: readonly Pod[], related: readonly Pod[], diff: number): Pod[] {
  if (diff >= filtered.length) return [...filtered];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = filtered.map((pod) => ({
    pod,
    rank: pod.spec?.nodeName ? (perNode.get(pod.spec.nodeName) ?? 0) : 0,
  }));
  ranked.sort(compareForDeletion);
  return ranked.slice(0, diff).map((r) => r.pod);
}
