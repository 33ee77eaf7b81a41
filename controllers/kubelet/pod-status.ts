/**
 * The pod status a kubelet reports for a PodRecord (pkg/kubelet generateAPIPodStatus, simplified): phase,
 * conditions, IPs, startTime, container statuses. And the reverse, for a restarted kubelet: a record rebuilt
 * from the status it wrote before, so nothing is rewritten and no container restarts.
 */
import { isDeepStrictEqual } from 'node:util';
import { rfc3339 } from '../../apimachinery/time.js';
import { imageID, normalizeImage, pullErrorMessage } from './images.js';
import {
  containerIDFor,
  containerRecord,
  podRecord,
  startDelay,
  type ContainerRecord,
  type Pod,
  type PodRecord,
  type Terminated,
} from './pod-runtime.js';
import type { KubeletTimings } from './timings.js';

type Json = Record<string, unknown>;

function parseTime(v: unknown, fallback: number): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? fallback : t;
}

function terminatedJson(t: Terminated): Json {
  const out: Json = {
    exitCode: t.exitCode,
    reason: t.reason,
    startedAt: rfc3339(t.startedAt),
    finishedAt: rfc3339(t.finishedAt),
  };
  if (t.containerID) out.containerID = t.containerID;
  return out;
}

/** One `containerStatuses[]` entry, in the field order of core/v1 ContainerStatus. */
export function containerStatus(c: ContainerRecord, specImage: string): Json {
  const s = c.state;
  let state: Json;
  let running = false;
  switch (s.kind) {
    case 'creating':
      state = { waiting: { reason: 'ContainerCreating' } };
      break;
    case 'pullError':
      state = { waiting: { reason: 'ErrImagePull', message: pullErrorMessage(c.image) } };
      break;
    case 'pullBackOff':
      state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
      break;
    case 'running':
      state = { running: { startedAt: rfc3339(s.startedAt) } };
      running = true;
      break;
    case 'terminated':
      state = { terminated: terminatedJson(s.terminated) };
      break;
  }
  // A container that exists reports the resolved image; one still waiting for its image reports the spec's.
  const created = running || s.kind === 'terminated';
  const out: Json = {
    name: c.name,
    state,
    lastState: c.lastTerminated ? { terminated: terminatedJson(c.lastTerminated) } : {},
    ready: running,
    restartCount: c.restartCount,
    image: created ? normalizeImage(c.image) : specImage,
    imageID: created ? imageID(c.image) : '',
  };
  if (created && c.containerID) out.containerID = c.containerID;
  out.started = running;
  return out;
}

/** The pod phase from its containers (kubelet getPhase for restartPolicy Always pods). */
export function podPhase(rec: PodRecord, previous: string | undefined): string {
  let waiting = 0;
  let running = 0;
  for (const c of rec.containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind !== 'terminated' && !c.lastTerminated) waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  return previous && previous !== 'Pending' ? previous : 'Running';
}

function condition(
  type: string,
  status: boolean,
  since: number,
  old: Json[] | undefined,
  reason?: string,
  message?: string,
): Json {
  const s = status ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const lastTransitionTime =
    prev && prev.status === s && typeof prev.lastTransitionTime === 'string' ? prev.lastTransitionTime : rfc3339(since);
  const out: Json = { type, status: s, lastProbeTime: null, lastTransitionTime };
  if (reason) out.reason = reason;
  if (message) out.message = message;
  return out;
}

/** Where the pod runs: the node's IP, and whether the pod shares the node's network. */
export interface PodPlacement {
  hostIP: string;
}

/** The pod conditions the kubelet owns and writes; it keeps the others as other components set them. */
const KUBELET_CONDITIONS: ReadonlySet<unknown> = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'Ready',
  'ContainersReady',
  'PodScheduled',
]);

/**
 * Why a pod whose containers are ready is not Ready: the messages of its readiness gates (`spec.readinessGates`)
 * whose condition, in `conditions`, is missing or not True, as upstream's kubelet words them; empty when all hold.
 */
function unmetReadinessGates(pod: Pod, conditions: readonly Json[]): string[] {
  const gates = Array.isArray(pod.spec?.readinessGates) ? (pod.spec.readinessGates as Json[]) : [];
  const out: string[] = [];
  for (const gate of gates) {
    const type = String(gate?.conditionType ?? '');
    const c = conditions.find((x) => x.type === type);
    if (!c) out.push(`corresponding condition of pod readiness gate ${JSON.stringify(type)} does not exist.`);
    else if (c.status !== 'True')
      out.push(`the status of pod readiness gate ${JSON.stringify(type)} is not "True", but ${String(c.status)}`);
  }
  return out;
}

/**
 * The whole status the kubelet wants the pod to have now, built over the current one (fields it does not own,
 * such as qosClass, are kept; conditions keep their lastTransitionTime while their status holds). Conditions other
 * components set (a readiness gate's, `DisruptionTarget`) are kept, before the kubelet's, as upstream's kubelet
 * merges them; the pod is Ready only when its containers are and every readiness gate's condition is True.
 * Undefined before the sandbox exists: a Pending pod's status is left as the API server made it.
 */
export function desiredPodStatus(pod: Pod, rec: PodRecord, placement: PodPlacement, now: number): Json | undefined {
  if (rec.sandboxAt === undefined) return undefined;
  const old = (pod.status ?? {}) as Json;
  // (an entry that is not an object is no condition: left out, as a decoder would drop it)
  const oldConditions = Array.isArray(old.conditions)
    ? (old.conditions as unknown[]).filter((c): c is Json => c !== null && typeof c === 'object' && !Array.isArray(c))
    : undefined;
  const specImages = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
  const unready = rec.containers.filter((c) => c.state.kind !== 'running').map((c) => c.name);
  const ready = unready.length === 0;
  const notReadyReason = ready ? undefined : 'ContainersNotReady';
  const notReadyMessage = ready ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const scheduled = oldConditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  const others = oldConditions?.filter((c) => !KUBELET_CONDITIONS.has(c.type)) ?? [];
  const sandbox = condition('PodReadyToStartContainers', true, rec.sandboxAt, oldConditions);
  const initialized = condition('Initialized', true, rec.sandboxAt, oldConditions);
  // (the gates are read from the conditions made before Ready, as upstream's kubelet reads them)
  const gates = ready ? unmetReadinessGates(pod, [...others, sandbox, initialized]) : [];
  const status: Json = { ...old };
  status.phase = podPhase(rec, typeof old.phase === 'string' ? old.phase : undefined);
  status.conditions = [
    ...others,
    sandbox,
    initialized,
    gates.length === 0
      ? condition('Ready', ready, now, oldConditions, notReadyReason, notReadyMessage)
      : condition('Ready', false, now, oldConditions, 'ReadinessGatesNotReady', gates.join(', ')),
    condition('ContainersReady', ready, now, oldConditions, notReadyReason, notReadyMessage),
    scheduled ?? condition('PodScheduled', true, parseTime(pod.metadata.creationTimestamp, rec.sandboxAt), undefined),
  ];
  status.hostIP = placement.hostIP;
  status.hostIPs = [{ ip: placement.hostIP }];
  if (rec.podIP) {
    status.podIP = rec.podIP;
    status.podIPs = [{ ip: rec.podIP }];
  }
  status.startTime = typeof old.startTime === 'string' ? old.startTime : rfc3339(rec.sandboxAt);
  const inits = pod.spec?.initContainers ?? [];
  if (inits.length > 0) {
    // Init containers are simulated as having run to completion when the sandbox came up.
    const at = rec.sandboxAt;
    status.initContainerStatuses = inits.map((c) => {
      const containerID = containerIDFor(rec.uid, `init:${c.name}`, 0);
      const done: ContainerRecord = {
        name: c.name,
        image: c.image ?? '',
        containerID,
        restartCount: 0,
        state: {
          kind: 'terminated',
          terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at, containerID },
        },
      };
      return containerStatus(done, c.image ?? '');
    });
  }
  status.containerStatuses = rec.containers.map((c) => containerStatus(c, specImages.get(c.name) ?? c.image));
  return status;
}

/** Whether writing `desired` would change the pod's status. */
export function statusChanged(pod: Pod, desired: Json): boolean {
  return !isDeepStrictEqual(pod.status ?? {}, desired);
}

function terminatedFrom(v: unknown, now: number): Terminated | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const t = v as Json;
  return {
    exitCode: typeof t.exitCode === 'number' ? t.exitCode : 0,
    reason: typeof t.reason === 'string' ? t.reason : 'Completed',
    startedAt: parseTime(t.startedAt, now),
    finishedAt: parseTime(t.finishedAt, now),
    containerID: typeof t.containerID === 'string' ? t.containerID : '',
  };
}

/**
 * A record rebuilt from the status a kubelet wrote before (after a controller-manager restart): running
 * containers keep running (same IDs, start times and restart counts), failing pulls stay in back-off, anything
 * else is created anew. Undefined when the status shows no sandbox yet (the pod starts from the beginning).
 */
export function recordFromStatus(pod: Pod, now: number, t: KubeletTimings): PodRecord | undefined {
  const status = (pod.status ?? {}) as Json;
  if (typeof status.startTime !== 'string') return undefined;
  const uid = pod.metadata.uid ?? '';
  const statuses = Array.isArray(status.containerStatuses) ? (status.containerStatuses as Json[]) : [];
  const rec = podRecord(uid, now, []);
  rec.sandboxAt = parseTime(status.startTime, now);
  if (typeof status.podIP === 'string' && status.podIP) rec.podIP = status.podIP;
  for (const spec of pod.spec?.containers ?? []) {
    const cs = statuses.find((s) => s.name === spec.name);
    const specImage = spec.image ?? '';
    const state = (cs?.state ?? {}) as Json;
    const c = containerRecord(spec.name, specImage, typeof cs?.restartCount === 'number' ? cs.restartCount : 0, {
      kind: 'creating',
      since: now,
      doneAt: now + startDelay(t, uid, spec.name, 0),
      pulling: true,
    });
    const last = terminatedFrom((cs?.lastState as Json | undefined)?.terminated, now);
    if (last) c.lastTerminated = last;
    if (typeof cs?.containerID === 'string') c.containerID = cs.containerID;
    const waiting = (state.waiting ?? undefined) as Json | undefined;
    if (state.running && typeof cs?.image === 'string') {
      // The running image is the status' one; a different spec image restarts the container on the next step.
      c.image = cs.image === normalizeImage(specImage) ? specImage : cs.image;
      c.state = { kind: 'running', startedAt: parseTime((state.running as Json).startedAt, now) };
    } else if (state.terminated) {
      c.state = { kind: 'terminated', terminated: terminatedFrom(state.terminated, now)! };
    } else if (waiting?.reason === 'ErrImagePull') {
      c.state = { kind: 'pullError', since: now, failures: 1 };
    } else if (waiting?.reason === 'ImagePullBackOff') {
      c.state = { kind: 'pullBackOff', failures: 1, retryAt: now + t.pullBackOffBaseMs };
    }
    rec.containers.push(c);
  }
  return rec;
}

/**
 * The container statuses of a pod the kubelet has taken on but not started (no sandbox yet): every container
 * waiting, with ContainerCreating, or PodInitializing when init containers must run first (kubelet's default
 * waiting state).
 */
export function waitingPodStatus(pod: Pod): Json {
  const inits = pod.spec?.initContainers ?? [];
  const reason = inits.length > 0 ? 'PodInitializing' : 'ContainerCreating';
  const waiting = (c: { name: string; image?: string }): Json => ({
    name: c.name,
    state: { waiting: { reason } },
    lastState: {},
    ready: false,
    restartCount: 0,
    image: c.image ?? '',
    imageID: '',
    started: false,
  });
  const status: Json = { containerStatuses: (pod.spec?.containers ?? []).map(waiting) };
  if (inits.length) status.initContainerStatuses = inits.map(waiting);
  return status;
}
