/**
 * DaemonSet status (upstream updateDaemonSetStatus / storeDaemonSetStatus): counters computed from the nodes and
 * the daemon pods on them, written with PUT to `/status` only when something changed.
 */
import { RESOURCES, type ApiClient } from '../machinery/types.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import type { DaemonSet, DaemonSetStatus, Node, Pod } from './types.js';
import {
  compareDaemonPods,
  isPodUpdated,
  isReadyConditionAvailable,
  readyCondition,
  templateGenerationOf,
} from './util.js';

/** The counters of a DaemonSet status. */
export interface StatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** One node's part of the counters (see {@link nodeStatusBits}). */
export const DESIRED = 1;
export const CURRENT = 2;
export const MISSCHEDULED = 4;
export const READY = 8;
export const AVAILABLE = 16;
export const UPDATED = 32;

/** What the counters are computed from besides a node and its pods: the DaemonSet's revision, as read once per sync. */
export interface StatusInputs {
  hash: string;
  /** The templateGeneration, made a string once (it is compared with a label). */
  generation: string | undefined;
  minReadySeconds: number;
}

/** The inputs of {@link nodeStatusBits} for `ds` at revision `hash`. */
export function statusInputs(ds: DaemonSet, hash: string): StatusInputs {
  const tg = templateGenerationOf(ds);
  return { hash, generation: tg === undefined ? undefined : String(tg), minReadySeconds: ds.spec.minReadySeconds ?? 0 };
}

/**
 * One node's part of the counters, as bits: a node that should run a daemon pod is desired, with a pod there
 * current, and its oldest pod counts as ready (Ready condition), available (ready for more than minReadySeconds at
 * `now`) and updated (current hash or templateGeneration label). Pods on a node that should not run one make it
 * misscheduled.
 */
export function nodeStatusBits(
  ds: DaemonSet,
  node: Node,
  pods: readonly Pod[] | undefined,
  inputs: StatusInputs,
  now: number,
): number {
  const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
  if (!shouldRun) return pods !== undefined && pods.length > 0 ? MISSCHEDULED : 0;
  if (pods === undefined || pods.length === 0) return DESIRED;
  let bits = DESIRED | CURRENT;
  const pod = pods.length === 1 ? pods[0]! : [...pods].sort(compareDaemonPods)[0]!;
  const ready = readyCondition(pod);
  if (ready?.status === 'True') {
    bits |= READY;
    if (isReadyConditionAvailable(ready, inputs.minReadySeconds, now)) bits |= AVAILABLE;
  }
  if (isPodUpdated(pod, inputs.hash, inputs.generation)) bits |= UPDATED;
  return bits;
}

/** Counters with nothing counted. */
export function zeroCounts(): StatusCounts {
  return {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
}

/** Adds one node's bits to `c` (`sign` 1), or takes them away (-1); numberUnavailable is left to the caller. */
export function addBits(c: StatusCounts, bits: number, sign: 1 | -1 = 1): void {
  if (bits & DESIRED) c.desiredNumberScheduled += sign;
  if (bits & CURRENT) c.currentNumberScheduled += sign;
  if (bits & MISSCHEDULED) c.numberMisscheduled += sign;
  if (bits & READY) c.numberReady += sign;
  if (bits & AVAILABLE) c.numberAvailable += sign;
  if (bits & UPDATED) c.updatedNumberScheduled += sign;
}

/**
 * The counters over every node (updateDaemonSetStatus): the sum of each node's {@link nodeStatusBits}, and
 * unavailable = desired − available.
 */
export function computeStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  now: number,
): StatusCounts {
  const c = zeroCounts();
  const inputs = statusInputs(ds, hash);
  for (const node of nodes)
    addBits(c, nodeStatusBits(ds, node, nodeToDaemonPods.get(node.metadata.name!), inputs, now));
  c.numberUnavailable = c.desiredNumberScheduled - c.numberAvailable;
  return c;
}

const COUNTERS: Array<keyof StatusCounts> = [
  'desiredNumberScheduled',
  'currentNumberScheduled',
  'numberMisscheduled',
  'numberReady',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
];

/** Whether the stored status already has these counters and an observedGeneration at least the generation. */
export function statusUpToDate(ds: DaemonSet, counts: StatusCounts): boolean {
  const st: DaemonSetStatus = ds.status ?? {};
  return (
    COUNTERS.every((k) => (st[k] ?? 0) === counts[k]) && (st.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)
  );
}

/** The DaemonSet with the counters (and, when asked, observedGeneration = generation) set, as a new object. */
export function withStatus(
  ds: DaemonSet,
  counts: StatusCounts,
  updateObservedGeneration: boolean,
  generation = ds.metadata.generation,
): DaemonSet {
  const out = structuredClone(ds) as DaemonSet;
  const status: DaemonSetStatus = { ...(out.status ?? {}), ...counts };
  if (updateObservedGeneration) status.observedGeneration = generation ?? 0;
  out.status = status;
  out.apiVersion = 'apps/v1';
  out.kind = 'DaemonSet';
  return out;
}

/**
 * storeDaemonSetStatus: nothing when up to date; otherwise one PUT to `/status` from the cached object, and on
 * failure one more from a fresh GET (observedGeneration from the cached object's generation, as upstream). A
 * second failure (or a failed GET) is thrown. Returns whether a write succeeded.
 */
export async function storeStatus(
  client: ApiClient,
  ds: DaemonSet,
  counts: StatusCounts,
  updateObservedGeneration: boolean,
): Promise<boolean> {
  if (statusUpToDate(ds, counts)) return false;
  const ref = RESOURCES.daemonsets;
  const ns = ds.metadata.namespace;
  try {
    await client.update(ref, ns, withStatus(ds, counts, updateObservedGeneration), { subresource: 'status' });
    return true;
  } catch {
    const fresh = await client.get<DaemonSet>(ref, ns, ds.metadata.name!);
    await client.update(ref, ns, withStatus(fresh, counts, updateObservedGeneration, ds.metadata.generation), {
      subresource: 'status',
    });
    return true;
  }
}
