/**
 * Small helpers of the DaemonSet controller: well-known keys, event reasons, pod readiness and availability
 * (pkg/api/v1/pod), daemon pod ordering, target node, template generation, controller references and
 * int-or-percent scaling (daemon/util, controller_utils, intstr).
 */
import type { OwnerReference } from '../../apimachinery/objects.js';
import { controllerRefTo } from '../machinery/claim.js';
import type { DaemonSet, IntOrString, Pod, PodCondition } from './types.js';

/** Pod and ControllerRevision label with the hash of the revision a pod was created from. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** Pod label with the DaemonSet's templateGeneration when the pod was created (backward compatibility). */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** The apps/v1 DaemonSet annotation carrying templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** Event source component of everything this controller records. */
export const COMPONENT = 'daemonset-controller';

/** Event reasons (daemon_controller.go and controller_utils.go). */
export const REASONS = {
  selectingAll: 'SelectingAll',
  failedDaemonPod: 'FailedDaemonPod',
  succeededDaemonPod: 'SucceededDaemonPod',
  successfulCreate: 'SuccessfulCreate',
  failedCreate: 'FailedCreate',
  successfulDelete: 'SuccessfulDelete',
  failedDelete: 'FailedDelete',
} as const;

/** Creates and deletes issued by one sync at most (BurstReplicas). */
export const BURST_REPLICAS = 250;
/** The first slow-start batch (SlowStartInitialBatchSize); batches double after each fully successful one. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

/** apiVersion and kind of the owner references and events this controller writes. */
export const DS_API_VERSION = 'apps/v1';
export const DS_KIND = 'DaemonSet';

/** Pod / ControllerRevision index: the controller's uid, or `orphan/<namespace>` for objects without one. */
export { CONTROLLER_UID_INDEX as BY_CONTROLLER_INDEX, controllerOf, orphanIndexValue } from '../machinery/claim.js';

/** The controller reference pods and revisions of `ds` carry (metav1.NewControllerRef). */
export function newControllerRef(ds: DaemonSet): OwnerReference {
  return controllerRefTo(ds, DS_API_VERSION, DS_KIND);
}

/** An RFC 3339 timestamp in ms since the epoch; undefined when absent or unparseable. */
export function parseTime(ts: string | null | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

/** The pod's Ready condition, if any. */
export function readyCondition(pod: Pod): PodCondition | undefined {
  const conditions = pod.status?.conditions;
  if (!conditions) return undefined;
  for (const c of conditions) if (c.type === 'Ready') return c;
  return undefined;
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * IsPodAvailable: Ready, and with minReadySeconds > 0 Ready since strictly more than minReadySeconds before
 * `now` (ms) according to the condition's lastTransitionTime.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return isReadyConditionAvailable(readyCondition(pod), minReadySeconds, now);
}

/** isPodAvailable from the pod's Ready condition (for callers that already looked it up). */
export function isReadyConditionAvailable(c: PodCondition | undefined, minReadySeconds: number, now: number): boolean {
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = parseTime(c.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest first, then by name. */
export function compareDaemonPods(a: Pod, b: Pod): number {
  const aBound = !!a.spec?.nodeName;
  const bBound = !!b.spec?.nodeName;
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * GetTargetNodeName: `spec.nodeName`, else the single value of a `metadata.name In [...]` matchField of the
 * required node affinity (pods left for a scheduler); undefined when neither.
 */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In')
        return (f.values ?? []).length === 1 ? f.values![0] : undefined;
    }
  }
  return undefined;
}

/** GetTemplateGeneration: the annotation as an integer; undefined when absent or not an integer. */
export function templateGenerationOf(ds: DaemonSet): number | undefined {
  const raw = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** IsPodUpdated: the pod carries the current revision hash, or the DaemonSet's templateGeneration label. */
export function isPodUpdated(pod: Pod, hash: string, templateGeneration: number | string | undefined): boolean {
  const labels = pod.metadata.labels;
  if (!labels) return false;
  if (hash.length > 0 && labels[CONTROLLER_REVISION_HASH_LABEL] === hash) return true;
  return templateGeneration !== undefined && labels[POD_TEMPLATE_GENERATION_LABEL] === String(templateGeneration);
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of `total` rounded up or down; throws on any
 * other string.
 */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** SurgeCount: maxSurge of a RollingUpdate DaemonSet scaled to `n` nodes (0 for OnDelete or when unset). */
export function surgeCount(ds: DaemonSet, n: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || s.rollingUpdate?.maxSurge === undefined) return 0;
  return scaledValue(s.rollingUpdate.maxSurge, n, true);
}

/** UnavailableCount: maxUnavailable of a RollingUpdate DaemonSet scaled to `n` nodes (0 for OnDelete). */
export function unavailableCount(ds: DaemonSet, n: number): number {
  const s = ds.spec.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return scaledValue(s.rollingUpdate.maxUnavailable, n, true);
}

/** AllowsSurge: a RollingUpdate with a maxSurge that is positive for one node; a bad value allows none. */
export function allowsSurge(ds: DaemonSet): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}
