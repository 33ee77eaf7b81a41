/**
 * The RollingUpdate strategy of the DaemonSet controller (upstream update.go: rollingUpdate,
 * findUpdatedPodsOnNode, updatedDesiredNodeCounts). It runs after the placement step (`manage`) once the
 * expectations are satisfied, and only ever decides which out-of-date pods to delete and, when surging, on
 * which nodes to create a pod of the current revision; `manage` creates the replacements and removes the
 * surplus. The decisions are made per node from its non-terminating pods:
 *
 * - maxSurge 0: old pods that are not available are deleted at once; old available pods are deleted only while
 *   the number of unavailable nodes stays below maxUnavailable. A node with no pod, with both an old and a new
 *   pod, with more than one pod of a kind, or whose new pod is not yet available counts as unavailable, so new
 *   pods that never get Ready stop the rollout. A terminating pod is neither deleted again nor counted.
 * - maxSurge > 0 (maxUnavailable 0): a new pod is created at once next to every unavailable old pod, and next
 *   to available old pods on up to maxSurge nodes at a time (nodes whose new pod is not available yet use up the
 *   budget); an old pod is deleted once the new pod on its node is available.
 *
 * "Available" is Ready for more than minReadySeconds; the plan reports when the next Ready pod turns available
 * so the controller can look again at exactly that moment.
 */
import type { Logger } from '../machinery/types.js';
import { syncNodes, type SyncNodesDeps } from './manage.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import type { DaemonSet, Node, Pod } from './types.js';
import { objectKey } from '../machinery/lister.js';
import {
  isPodAvailable,
  isPodReady,
  isPodUpdated,
  parseTime,
  readyCondition,
  surgeCount,
  templateGenerationOf,
  unavailableCount,
} from './util.js';

/** The rollout budget of a DaemonSet on the current nodes (updatedDesiredNodeCounts). */
export interface RolloutBudget {
  maxSurge: number;
  maxUnavailable: number;
  desiredNumberScheduled: number;
}

/**
 * updatedDesiredNodeCounts: counts the nodes that should run a daemon pod, scales maxUnavailable and maxSurge
 * to that count (percentages rounded up), and falls back to maxUnavailable 1 when both are 0 on a non-empty
 * cluster. Adds an empty entry to `nodeToDaemonPods` for every such node without pods. Throws on a value that
 * is neither an integer nor a percentage.
 */
export function rolloutBudget(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: Map<string, Pod[]>,
): RolloutBudget {
  let desiredNumberScheduled = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desiredNumberScheduled++;
    if (!nodeToDaemonPods.has(node.metadata.name!)) nodeToDaemonPods.set(node.metadata.name!, []);
  }
  let { maxUnavailable, maxSurge } = scaledBudget(ds, desiredNumberScheduled);
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desiredNumberScheduled };
}

/** maxUnavailable and maxSurge scaled to `desired` nodes; throws on a value that is neither an integer nor a percentage. */
function scaledBudget(ds: DaemonSet, desired: number): { maxUnavailable: number; maxSurge: number } {
  let maxUnavailable: number;
  let maxSurge: number;
  try {
    maxUnavailable = unavailableCount(ds, desired);
  } catch (err) {
    throw new Error(`invalid value for MaxUnavailable: ${(err as Error).message}`);
  }
  try {
    maxSurge = surgeCount(ds, desired);
  } catch (err) {
    throw new Error(`invalid value for MaxSurge: ${(err as Error).message}`);
  }
  return { maxUnavailable, maxSurge };
}

/**
 * Whether a rolling-update step can be left out: every daemon pod not being deleted is of the current revision
 * (`allCurrent`, from the pod index) and without minReadySeconds (nothing to re-queue for). Such a step deletes and
 * creates nothing and finds no old pod, whatever the nodes; its budget's values are still checked, so that a bad
 * one fails the sync as the step would.
 */
export function rolloutIsIdle(ds: DaemonSet, allCurrent: boolean): boolean {
  if (!allCurrent || (ds.spec.minReadySeconds ?? 0) > 0) return false;
  scaledBudget(ds, 0);
  return true;
}

/** The pods of one node split by revision (findUpdatedPodsOnNode); `ok` is false with two of a kind. */
export interface NodePods {
  newPod?: Pod;
  oldPod?: Pod;
  ok: boolean;
}

/**
 * findUpdatedPodsOnNode: the node's non-terminating pods as at most one pod of the current revision (hash or
 * templateGeneration label) and one older pod; `ok: false` when there are two of either kind (the placement
 * step removes the extra one first).
 */
export function findUpdatedPodsOnNode(
  ds: DaemonSet,
  podsOnNode: readonly Pod[],
  hash: string,
  generation: number | string | undefined = templateGenerationOf(ds),
): NodePods {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const pod of podsOnNode) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** What one rolling-update step does. */
export interface RolloutPlan extends RolloutBudget {
  /** Names of out-of-date (or, when surging, superseded) pods to delete. */
  podsToDelete: string[];
  /** Nodes to create a pod of the current revision on (surge only). */
  nodesToCreate: string[];
  /** Nodes counted as unavailable (maxSurge 0) or as surging (maxSurge > 0) after this step's decisions. */
  numUnavailable: number;
  numSurge: number;
  /** Nodes with a pod of an older revision (before this step's deletions): the rollout is not done while any is left. */
  oldPods: number;
  /** Milliseconds until the next Ready pod becomes available (only with minReadySeconds), if one is waiting. */
  requeueAfterMs?: number;
}

/**
 * The nodes to look at in a stable order (upstream walks a Go map, in no order): those of the node list that have
 * an entry, as listed, then entries for nodes missing from the list, by name.
 */
function orderedNodeNames(nodes: readonly Node[], nodeToDaemonPods: Map<string, Pod[]>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const n of nodes) {
    const name = n.metadata.name!;
    if (nodeToDaemonPods.has(name) && !seen.has(name)) {
      out.push(name);
      seen.add(name);
    }
  }
  const rest = [...nodeToDaemonPods.keys()].filter((n) => !seen.has(n)).sort();
  return [...out, ...rest];
}

/**
 * The milliseconds until the first of the pods that are Ready but not yet available becomes available
 * (IsPodAvailable is strict: Ready since more than minReadySeconds), or undefined when none is waiting.
 */
export function nextAvailableAfter(pods: Iterable<Pod>, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds) return undefined;
  let best: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const since = parseTime(readyCondition(pod)?.lastTransitionTime);
    if (since === undefined) continue;
    const wait = Math.max(1, since + minReadySeconds * 1000 - now + 1);
    if (best === undefined || wait < best) best = wait;
  }
  return best;
}

/**
 * The plan of one rolling-update step (upstream rollingUpdate up to syncNodes), from the nodes, the daemon pods
 * by node (after the placement step) and the current revision's hash at `now` (ms). Does not change
 * `nodeToDaemonPods`.
 */
export function planRollingUpdate(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  now: number,
): RolloutPlan {
  const byNode = new Map(nodeToDaemonPods) as Map<string, Pod[]>;
  const budget = rolloutBudget(ds, nodes, byNode);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (pod: Pod) => isPodAvailable(pod, minReady, now);
  const order = orderedNodeNames(nodes, byNode);
  const requeueAfterMs = minReady > 0 ? nextAvailableAfter([...byNode.values()].flat(), minReady, now) : undefined;
  return budget.maxSurge === 0
    ? { ...budget, ...planWithoutSurge(ds, order, byNode, hash, budget, available), requeueAfterMs }
    : { ...budget, ...planWithSurge(ds, nodes, order, byNode, hash, budget, available), requeueAfterMs };
}

type Decisions = Pick<RolloutPlan, 'podsToDelete' | 'nodesToCreate' | 'numUnavailable' | 'numSurge' | 'oldPods'>;

/** maxSurge 0: delete unavailable old pods, and available ones while fewer than maxUnavailable nodes are unavailable. */
function planWithoutSurge(
  ds: DaemonSet,
  order: string[],
  byNode: Map<string, Pod[]>,
  hash: string,
  budget: RolloutBudget,
  available: (p: Pod) => boolean,
): Decisions {
  const generation = templateGenerationOf(ds);
  let numUnavailable = 0;
  let oldPods = 0;
  const replacements: string[] = [];
  const candidates: string[] = [];
  for (const nodeName of order) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, byNode.get(nodeName) ?? [], hash, generation);
    if (!ok) {
      numUnavailable++; // the placement step removes the extra pod first
      continue;
    }
    if (oldPod) oldPods++;
    if ((!oldPod && !newPod) || (oldPod && newPod)) {
      numUnavailable++; // the placement step creates or deletes here
    } else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (!available(oldPod!)) {
      replacements.push(oldPod!.metadata.name!);
      numUnavailable++;
    } else if (numUnavailable < budget.maxUnavailable) {
      candidates.push(oldPod!.metadata.name!);
    }
  }
  const take = Math.min(Math.max(0, budget.maxUnavailable - numUnavailable), candidates.length);
  return {
    podsToDelete: [...replacements, ...candidates.slice(0, take)],
    nodesToCreate: [],
    numUnavailable: numUnavailable + take,
    numSurge: 0,
    oldPods,
  };
}

/**
 * maxSurge > 0: create next to unavailable old pods at once and next to available ones within maxSurge; delete
 * old pods whose node has an available new pod; old pods on nodes that should no longer run one go only while
 * more pods are available than desired.
 */
function planWithSurge(
  ds: DaemonSet,
  nodes: readonly Node[],
  order: string[],
  byNode: Map<string, Pod[]>,
  hash: string,
  budget: RolloutBudget,
  available: (p: Pod) => boolean,
): Decisions {
  const generation = templateGenerationOf(ds);
  const nodesByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  // Not upstream (which fails the sync): a node that no longer exists cannot run a pod.
  const shouldRun = (nodeName: string) => {
    const node = nodesByName.get(nodeName);
    return node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
  };
  const podsToDelete: string[] = [];
  const shouldNotRun: string[] = [];
  const allowedNew: string[] = [];
  const candidates: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  let oldPods = 0;
  for (const nodeName of order) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, byNode.get(nodeName) ?? [], hash, generation);
    if (!ok) {
      numSurge++; // the placement step removes the extra pod first
      continue;
    }
    if (oldPod) oldPods++;
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue; // nothing to replace; the placement step creates a missing pod
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRun(nodeName)) podsToDelete.push(oldPod.metadata.name!);
        else allowedNew.push(nodeName);
      } else if (!shouldRun(nodeName)) {
        shouldNotRun.push(oldPod.metadata.name!);
      } else if (numSurge < budget.maxSurge) {
        candidates.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) {
      numSurge++; // waiting for the new pod
      continue;
    }
    podsToDelete.push(oldPod.metadata.name!);
  }
  // With surge the owner expects full availability: pods on nodes that should no longer run one go only while
  // enough pods elsewhere are available.
  const deletable = Math.min(Math.max(0, numAvailable - budget.desiredNumberScheduled), shouldNotRun.length);
  podsToDelete.push(...shouldNotRun.slice(0, deletable));
  const take = Math.min(Math.max(0, budget.maxSurge - numSurge), candidates.length);
  return {
    podsToDelete,
    nodesToCreate: [...allowedNew, ...candidates.slice(0, take)],
    numUnavailable: 0,
    numSurge: numSurge + take,
    oldPods,
  };
}

/** What `rollingUpdate` needs: syncNodes' dependencies, a logger, and the re-queue of the DaemonSet. */
export interface RolloutDeps extends SyncNodesDeps {
  log: Logger;
  now(): number;
  /** Re-queues the DaemonSet after `ms` (when the next pod becomes available). */
  enqueueAfter(ds: DaemonSet, ms: number): void;
}

/**
 * One rolling-update step: plans it from the daemon pods by node, issues the deletes and creates through
 * syncNodes (expectations, events, BurstReplicas), and re-queues the DaemonSet for the moment the next Ready pod
 * becomes available. Throws the create/delete errors.
 */
export async function rollingUpdate(
  deps: RolloutDeps,
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
): Promise<RolloutPlan> {
  const plan = planRollingUpdate(ds, nodes, nodeToDaemonPods, hash, deps.now());
  if (plan.requeueAfterMs !== undefined) deps.enqueueAfter(ds, plan.requeueAfterMs);
  if (plan.podsToDelete.length > 0 || plan.nodesToCreate.length > 0) {
    deps.log.debug(
      {
        daemonset: objectKey(ds),
        maxSurge: plan.maxSurge,
        maxUnavailable: plan.maxUnavailable,
        delete: plan.podsToDelete,
        create: plan.nodesToCreate,
      },
      'rolling update step',
    );
  }
  const errors = await syncNodes(deps, ds, plan.podsToDelete, plan.nodesToCreate, hash);
  if (errors.length > 0)
    throw errors.length === 1
      ? errors[0]
      : new AggregateError(errors, `errors during the rolling update of DaemonSet ${objectKey(ds)}`);
  return plan;
}
