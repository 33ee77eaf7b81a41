/**
 * What the simulated container runtime does with one pod over time: the sandbox, image pulls (successful,
 * already present, or failing with ErrImagePull / ImagePullBackOff and back-off), container creation and
 * start, restarts when a container's image changes, and stopping containers on graceful deletion. Pure state
 * transitions driven by the clock: `advancePod` moves a PodRecord to `now` and says what happened (events) and
 * when it next needs to look again. Building the API status from a record is pod-status.ts.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { cachedString } from '../machinery/informer.js';
import { hexDigest } from './ids.js';
import { defaultPullPolicy, imageSize, isMissingImage, pullErrorMessage } from './images.js';
import { pullBackOff, type KubeletTimings } from './timings.js';

/** The parts of a core/v1 Pod the kubelet reads. */
export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostNetwork?: boolean;
    terminationGracePeriodSeconds?: number;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    [key: string]: unknown;
  };
  status?: Record<string, unknown> & { phase?: string };
}

/** A container of a pod spec. */
export interface ContainerSpec {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  [key: string]: unknown;
}

/** How a container ended (its `state.terminated` / `lastState.terminated`). */
export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: number;
  finishedAt: number;
  containerID: string;
}

/** The life of one container instance. */
export type ContainerState =
  /** The image is being pulled and the container created (ContainerCreating); done at `doneAt`. */
  | { kind: 'creating'; since: number; doneAt: number; pulling: boolean }
  | { kind: 'running'; startedAt: number }
  /** The last pull failed (ErrImagePull); back-off shows from `since + errImagePullToBackOffMs`. */
  | { kind: 'pullError'; since: number; failures: number }
  /** Waiting for the next pull at `retryAt` (ImagePullBackOff). */
  | { kind: 'pullBackOff'; failures: number; retryAt: number }
  | { kind: 'terminated'; terminated: Terminated };

/** The runtime's view of one container of the pod. */
export interface ContainerRecord {
  name: string;
  /** The image of the spec this instance runs (or tries to). */
  image: string;
  /** The current instance's ID (`containerd://<hex>`), once one was created. */
  containerID?: string;
  restartCount: number;
  state: ContainerState;
  lastTerminated?: Terminated;
}

/** The runtime's view of a pod bound to a simulated node. */
export interface PodRecord {
  uid: string;
  /** When the kubelet first saw the pod (ms). */
  seenAt: number;
  /** When the sandbox was created (the pod's startTime), once it is. */
  sandboxAt?: number;
  podIP?: string;
  containers: ContainerRecord[];
  /** When the kubelet began stopping the pod (deletionTimestamp seen). */
  killingAt?: number;
  /** Whether any container was running when the pod began stopping (then containers get a grace period). */
  hadRunning?: boolean;
}

/** An event the kubelet records about the pod. */
export interface KubeletEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Event reasons of the kubelet (pkg/kubelet/events). */
export const EVENT_REASONS = {
  pulling: 'Pulling',
  pulled: 'Pulled',
  created: 'Created',
  started: 'Started',
  failed: 'Failed',
  backOff: 'BackOff',
  killing: 'Killing',
} as const;

/** What advancing a pod produced. */
export interface PodStep {
  events: KubeletEvent[];
  /** When the pod must be looked at again (ms), if some transition is pending. */
  wakeAt?: number;
  /** The pod has finished terminating: delete it with grace period 0. */
  deleteNow?: boolean;
}

/** What the runtime needs to know about the node and the timings. */
export interface RuntimeEnv {
  timings: KubeletTimings;
  /** The factor of simulated durations (grace periods are multiplied by it). */
  speed: number;
  /** Whether the node has the image already (pulled by an earlier pod); `markPulled` records a pull. */
  hasImage(image: string): boolean;
  markPulled(image: string): void;
  /** Whether pulling the image fails (default: its tag is `non-existent`). */
  pullFails(image: string): boolean;
}

/**
 * A record with every member set, the optional ones undefined: members added later would go to a second array of
 * properties (~50 bytes each in V8), and all records share one shape.
 */
export function podRecord(uid: string, seenAt: number, containers: ContainerRecord[]): PodRecord {
  return {
    uid,
    seenAt,
    sandboxAt: undefined,
    podIP: undefined,
    containers,
    killingAt: undefined,
    hadRunning: undefined,
  };
}

/** A container's record with every member set (see {@link podRecord}). */
export function containerRecord(
  name: string,
  image: string,
  restartCount: number,
  state: ContainerState,
): ContainerRecord {
  return { name, image, containerID: undefined, restartCount, state, lastTerminated: undefined };
}

/** A new record for a pod first seen at `now`. */
export function newPodRecord(pod: Pod, now: number): PodRecord {
  return podRecord(
    pod.metadata.uid ?? '',
    now,
    (pod.spec?.containers ?? []).map((c) =>
      containerRecord(c.name, c.image ?? '', 0, { kind: 'creating', since: now, doneAt: now, pulling: false }),
    ),
  );
}

/** The default failure rule: images tagged `non-existent`. */
export const defaultPullFails = isMissingImage;

/** A stable value in [min, max] for the container, so start times spread out but repeat across runs. */
export function startDelay(t: KubeletTimings, uid: string, name: string, restartCount: number): number {
  if (t.startMaxMs <= t.startMinMs) return t.startMinMs;
  const f = parseInt(hexDigest(`start:${uid}/${name}/${restartCount}`).slice(0, 8), 16) / 0xffffffff;
  return Math.round(t.startMinMs + f * (t.startMaxMs - t.startMinMs));
}

/** The ID of the n-th instance of a container. */
export function containerIDFor(uid: string, name: string, restartCount: number): string {
  return `containerd://${hexDigest(`container:${uid}/${name}/${restartCount}`)}`;
}

/** Go's time.Duration.String() of a duration truncated to milliseconds (`812ms`, `1.5s`, `1m2.003s`). */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.trunc(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const minutes = Math.floor(ms / 60_000);
  const rest = ms - minutes * 60_000;
  const seconds = (rest / 1000).toFixed(3).replace(/\.?0+$/, '');
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

function pullPolicyOf(spec: ContainerSpec | undefined, image: string): string {
  return spec?.imagePullPolicy || defaultPullPolicy(image);
}

/** Starts pulling the record's image (or finds it present) and schedules the container's creation. */
function beginCreate(
  rec: PodRecord,
  c: ContainerRecord,
  spec: ContainerSpec | undefined,
  now: number,
  env: RuntimeEnv,
  events: KubeletEvent[],
): void {
  const t = env.timings;
  const policy = pullPolicyOf(spec, c.image);
  const present = env.hasImage(c.image) && policy !== 'Always' && !env.pullFails(c.image);
  if (present) {
    events.push({
      type: 'Normal',
      reason: EVENT_REASONS.pulled,
      message: `Container image "${c.image}" already present on machine`,
    });
  } else {
    events.push({ type: 'Normal', reason: EVENT_REASONS.pulling, message: `Pulling image "${c.image}"` });
  }
  const delay = env.pullFails(c.image) ? t.pullFailureMs : startDelay(t, rec.uid, c.name, c.restartCount);
  c.state = { kind: 'creating', since: now, doneAt: now + delay, pulling: !present };
}

/** A failed pull: the Failed events and the ErrImagePull state. */
function failPull(c: ContainerRecord, now: number, failures: number, events: KubeletEvent[]): void {
  events.push({
    type: 'Warning',
    reason: EVENT_REASONS.failed,
    message: `Failed to pull image "${c.image}": ${pullErrorMessage(c.image)}`,
  });
  events.push({ type: 'Warning', reason: EVENT_REASONS.failed, message: 'Error: ErrImagePull' });
  c.state = { kind: 'pullError', since: now, failures };
}

/** Stops a running container (graceful deletion or a changed definition): it becomes terminated. */
function stop(c: ContainerRecord, now: number): Terminated | undefined {
  if (c.state.kind !== 'running') return undefined;
  const terminated: Terminated = {
    exitCode: 0,
    reason: 'Completed',
    startedAt: c.state.startedAt,
    finishedAt: now,
    containerID: c.containerID ?? '',
  };
  c.state = { kind: 'terminated', terminated };
  return terminated;
}

/** Moves one container to `now`; returns when it next changes, if it will. */
function advanceContainer(
  rec: PodRecord,
  c: ContainerRecord,
  spec: ContainerSpec | undefined,
  now: number,
  env: RuntimeEnv,
  events: KubeletEvent[],
): number | undefined {
  const t = env.timings;
  // A changed image is a new container: the old one is stopped and the new image pulled.
  const specImage = spec?.image ?? c.image;
  if (specImage !== c.image && c.state.kind !== 'terminated') {
    if (c.state.kind === 'running') {
      events.push({
        type: 'Normal',
        reason: EVENT_REASONS.killing,
        message: `Container ${c.name} definition changed, will be restarted`,
      });
      c.lastTerminated = stop(c, now);
      c.restartCount++;
    }
    c.image = specImage;
    beginCreate(rec, c, spec, now, env, events);
  }
  // A few transitions may fall due at once (a long pause): loop until the state waits for the future.
  for (let guard = 0; guard < 16; guard++) {
    const s = c.state;
    switch (s.kind) {
      case 'creating': {
        if (now < s.doneAt) return s.doneAt;
        if (env.pullFails(c.image)) {
          failPull(c, now, 1, events);
          continue;
        }
        if (s.pulling) {
          const took = goDuration(s.doneAt - s.since);
          events.push({
            type: 'Normal',
            reason: EVENT_REASONS.pulled,
            message: `Successfully pulled image "${c.image}" in ${took} (${took} including waiting). Image size: ${imageSize(c.image)} bytes.`,
          });
          env.markPulled(c.image);
        }
        // the string the pod's cached copy will hold too, once the informer shows the status with it
        c.containerID = cachedString(containerIDFor(rec.uid, c.name, c.restartCount));
        events.push({ type: 'Normal', reason: EVENT_REASONS.created, message: `Created container: ${c.name}` });
        events.push({ type: 'Normal', reason: EVENT_REASONS.started, message: `Started container ${c.name}` });
        c.state = { kind: 'running', startedAt: now };
        return undefined;
      }
      case 'pullError': {
        const due = s.since + t.errImagePullToBackOffMs;
        if (now < due) return due;
        events.push({ type: 'Normal', reason: EVENT_REASONS.backOff, message: `Back-off pulling image "${c.image}"` });
        events.push({ type: 'Warning', reason: EVENT_REASONS.failed, message: 'Error: ImagePullBackOff' });
        c.state = {
          kind: 'pullBackOff',
          failures: s.failures,
          retryAt: Math.max(now, s.since + pullBackOff(t, s.failures)),
        };
        continue;
      }
      case 'pullBackOff': {
        if (now < s.retryAt) return s.retryAt;
        events.push({ type: 'Normal', reason: EVENT_REASONS.pulling, message: `Pulling image "${c.image}"` });
        if (env.pullFails(c.image)) {
          failPull(c, now, s.failures + 1, events);
          continue;
        }
        c.state = {
          kind: 'creating',
          since: now,
          doneAt: now + startDelay(t, rec.uid, c.name, c.restartCount),
          pulling: true,
        };
        continue;
      }
      default:
        return undefined;
    }
  }
  return now + 1;
}

/** The grace period a stopping pod's containers get, in ms: min(deletionGracePeriodSeconds, cap) × speed. */
export function terminationMs(pod: Pod, env: RuntimeEnv): number {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.round(Math.max(0, Math.min(grace * env.speed, env.timings.maxTerminationSeconds)) * 1000);
}

/**
 * Moves a pod's record to `now`: the sandbox after the sandbox delay, pulls, starts, back-offs and restarts
 * as they fall due, or — once the pod has a deletionTimestamp — stopping its containers and, after their grace
 * period, `deleteNow`. Mutates `rec`; the events returned happened during this step, in order.
 */
export function advancePod(rec: PodRecord, pod: Pod, now: number, env: RuntimeEnv): PodStep {
  const events: KubeletEvent[] = [];
  const specs = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));
  if (pod.metadata.deletionTimestamp) {
    if (rec.killingAt === undefined) {
      rec.killingAt = now;
      rec.hadRunning = false;
      for (const c of rec.containers) {
        if (c.state.kind !== 'running') continue;
        rec.hadRunning = true;
        events.push({ type: 'Normal', reason: EVENT_REASONS.killing, message: `Stopping container ${c.name}` });
        stop(c, now);
      }
    }
    const due = rec.killingAt + (rec.hadRunning ? terminationMs(pod, env) : 0);
    return now >= due ? { events, deleteNow: true } : { events, wakeAt: due };
  }
  if (rec.sandboxAt === undefined) {
    const due = rec.seenAt + env.timings.sandboxDelayMs;
    if (now < due) return { events, wakeAt: due };
    rec.sandboxAt = now;
    for (const c of rec.containers) {
      c.image = specs.get(c.name)?.image ?? c.image;
      beginCreate(rec, c, specs.get(c.name), now, env, events);
    }
  }
  let wakeAt: number | undefined;
  for (const c of rec.containers) {
    const next = advanceContainer(rec, c, specs.get(c.name), now, env, events);
    if (next !== undefined && (wakeAt === undefined || next < wakeAt)) wakeAt = next;
  }
  return { events, wakeAt };
}
