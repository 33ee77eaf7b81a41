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

/**
 * Per node that should run a daemon pod: desired+1; with a pod there current+1, and its oldest pod counts as
 * ready (Ready condition), available (ready for more than minReadySeconds at `now`) and updated (current hash or
 * templateGeneration label). Pods on nodes that should not run one count as misscheduled.
 * unavailable = desired − available.
 */
export function computeStatus(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  now: number,
): StatusCounts {
  const c: StatusCounts = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    updatedNumberScheduled: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
  };
  const tg = templateGenerationOf(ds);
  const generation = tg === undefined ? undefined : String(tg); // compared with a label: made a string once
  const minReady = ds.spec.minReadySeconds ?? 0;
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata.name!) ?? [];
    if (!shouldRun) {
      if (pods.length > 0) c.numberMisscheduled++;
      continue;
    }
    c.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    c.currentNumberScheduled++;
    const pod = pods.length === 1 ? pods[0]! : [...pods].sort(compareDaemonPods)[0]!;
    const ready = readyCondition(pod);
    if (ready?.status === 'True') {
      c.numberReady++;
      if (isReadyConditionAvailable(ready, minReady, now)) c.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updatedNumberScheduled++;
  }
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
