/**
 * The scheduler (kube-scheduler's default profile, in the controller manager): every pod without `spec.nodeName`
 * whose `spec.schedulerName` is `default-scheduler` is placed on a node that fits (framework.ts) and bound through
 * `POST .../pods/<name>/binding`, with a `Scheduled` event. When no node fits, a `FailedScheduling` Warning event
 * and the pod's `PodScheduled=False` condition (reason `Unschedulable`, written through pods/status) say why, and
 * the pod waits until a node or a bound pod changes in a way that may let it fit, with a per-pod backoff (1 s
 * doubling to 10 s) and a retry at the latest every five minutes, as upstream's scheduling queue.
 *
 * One pod is scheduled at a time (upstream's single scheduling loop), and a pod just bound is "assumed" on its
 * node until the watch shows it there, so back-to-back decisions never overcommit a node. The binding names the
 * pod's uid (a precondition): a pod deleted and created again under the same name is never bound by mistake, and
 * a pod that is already bound (another scheduler, or this one before a restart) answers 409, which ends the attempt.
 * DaemonSet pods carry their node from creation and never reach the scheduler.
 */
import { isConflict, isNotFound } from '../machinery/client.js';
import { cachesSynced, processNextKey, runWorkers } from '../machinery/controller.js';
import { ItemExponentialRateLimiter } from '../machinery/ratelimit.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import {
  RESOURCES,
  type Component,
  type ComponentFactory,
  type Controller,
  type ControllerContext,
  type EventRecorder,
  type Informer,
  type Logger,
  type WorkQueue,
} from '../machinery/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { buildSnapshot, isTerminal, schedulePod } from './framework.js';
import type { Node, Pod, PodCondition } from './types.js';

/** The scheduler's name: pods ask for it in `spec.schedulerName`, and its events come from it. */
export const SCHEDULER_NAME = 'default-scheduler';
/** podInitialBackoffDuration and podMaxBackoffDuration. */
export const INITIAL_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 10_000;
/** podMaxInUnschedulablePodsDuration: an unschedulable pod is tried again after this long even if nothing changed. */
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;
/** How often the unschedulable pods are looked at for that (flushUnschedulablePodsLeftover: 30 s). */
export const FLUSH_INTERVAL_MS = 30_000;
/** An assumed pod the watch never showed bound is forgotten after this long. */
export const ASSUME_TTL_MS = 30_000;

/** Plugins whose rejections a pod leaving a node (or finishing) may lift. */
const RESOURCE_PLUGINS = new Set(['NodeResourcesFit', 'NodePorts']);

interface Unschedulable {
  since: number;
  rejectedBy: Set<string>;
}

export interface SchedulerOptions {
  queue?: WorkQueue;
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** Whether this scheduler should place the pod now (upstream: unassigned, responsible, not being deleted, not gated). */
export function wantsScheduling(pod: Pod): boolean {
  if (pod.spec?.nodeName) return false;
  if (pod.metadata.deletionTimestamp) return false;
  if (isTerminal(pod)) return false;
  const name = pod.spec?.schedulerName ?? '';
  if (name !== '' && name !== SCHEDULER_NAME) return false;
  return (pod.spec?.schedulingGates ?? []).length === 0;
}

/** Whether an update of an unassigned pod can change a scheduling decision: anything but status and bookkeeping. */
function podSpecOrMetaChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _m, finalizers: _f, ...meta } = p.metadata;
    return JSON.stringify({ meta, spec: p.spec });
  };
  return strip(a) !== strip(b);
}

/** nodeSchedulingPropertiesChange: what in a node update may let a pod fit (heartbeats do not). */
export function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const conditions = (n: Node) => (n.status?.conditions ?? []).map((c) => [c.type, c.status]);
  const view = (n: Node) =>
    JSON.stringify([
      n.spec?.unschedulable ?? false,
      n.spec?.taints ?? [],
      n.metadata.labels ?? {},
      n.metadata.annotations ?? {},
      n.status?.allocatable ?? {},
      conditions(n),
    ]);
  return view(a) !== view(b);
}

/** The pod scheduler. Construct it with the context (registers informers and handlers). */
export class Scheduler implements Component, Controller {
  readonly name = 'scheduler';
  readonly queue: WorkQueue;
  readonly pods: Informer<Pod>;
  readonly nodes: Informer<Node>;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  /** Pods that did not fit, waiting for a change (by key). */
  private readonly unschedulable = new Map<string, Unschedulable>();
  /** Scheduling attempts and the time of the last one, for the backoff (by key). */
  private readonly attempts = new Map<string, { count: number; last: number }>();
  /** Pods bound by this scheduler that the watch has not shown bound yet (by uid). */
  private readonly assumed = new Map<string, { pod: Pod; at: number }>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: SchedulerOptions = {},
  ) {
    this.log = ctx.log.child({ component: SCHEDULER_NAME });
    this.recorder = ctx.recorder(SCHEDULER_NAME);
    this.queue =
      opts.queue ??
      new RateLimitingQueue({
        clock: ctx.clock,
        name: 'scheduler',
        log: this.log,
        rateLimiter: new ItemExponentialRateLimiter(INITIAL_BACKOFF_MS, MAX_BACKOFF_MS),
      });
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    this.nodes = ctx.informers.informer<Node>(RESOURCES.nodes);
    this.pods.on({
      add: (p) => this.podAdded(p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podDeleted(p),
    });
    this.nodes.on({
      add: () => this.requeueUnschedulable(() => true),
      update: (old, n) => {
        if (nodeSchedulingChanged(old, n)) this.requeueUnschedulable(() => true);
      },
    });
  }

  /** Waits for the caches, then schedules one pod at a time until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await cachesSynced(this.ctx.informers, signal))) return;
    this.log.info({}, 'starting the scheduler');
    const flush = this.flushLoop(signal);
    await runWorkers(this, this.queue, 1, signal, this.log);
    await flush;
  }

  /** Takes the next key off the queue and syncs it (tests drive the scheduler with this). */
  async processNext(signal: AbortSignal): Promise<string | undefined> {
    return processNextKey(this, this.queue, signal, this.log);
  }

  private podAdded(pod: Pod): void {
    if (wantsScheduling(pod)) this.queue.add(keyOf(pod));
  }

  private podUpdated(old: Pod, pod: Pod): void {
    if (pod.spec?.nodeName) {
      if (pod.metadata.uid) this.assumed.delete(pod.metadata.uid);
      this.forget(keyOf(pod));
      // A bound pod that finished leaves room behind it.
      if (isTerminal(pod) && !isTerminal(old))
        this.requeueUnschedulable((u) => [...u.rejectedBy].some((p) => RESOURCE_PLUGINS.has(p)));
      return;
    }
    if (!wantsScheduling(pod)) {
      this.forget(keyOf(pod));
      return;
    }
    // Our own status writes (the PodScheduled condition) change nothing a decision depends on.
    if (!wantsScheduling(old) || podSpecOrMetaChanged(old, pod)) this.enqueueWithBackoff(keyOf(pod));
  }

  private podDeleted(pod: Pod): void {
    if (pod.metadata.uid) this.assumed.delete(pod.metadata.uid);
    this.forget(keyOf(pod));
    if (pod.spec?.nodeName && !isTerminal(pod))
      this.requeueUnschedulable((u) => [...u.rejectedBy].some((p) => RESOURCE_PLUGINS.has(p)));
  }

  private forget(key: string): void {
    this.unschedulable.delete(key);
    this.attempts.delete(key);
  }

  /** Queues the pod once its backoff since the last attempt has passed. */
  private enqueueWithBackoff(key: string): void {
    const a = this.attempts.get(key);
    if (!a) {
      this.queue.add(key);
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** Math.max(0, a.count - 1));
    this.queue.addAfter(key, Math.max(0, a.last + backoff - this.ctx.clock.now()));
  }

  /** MoveAllToActiveOrBackoffQueue: the unschedulable pods a cluster event may help go back to the queue. */
  private requeueUnschedulable(helps: (u: Unschedulable) => boolean): void {
    for (const [key, u] of this.unschedulable) {
      if (!helps(u)) continue;
      this.unschedulable.delete(key);
      this.enqueueWithBackoff(key);
    }
  }

  private async flushLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.ctx.clock.sleep(FLUSH_INTERVAL_MS, signal);
      } catch {
        return;
      }
      const now = this.ctx.clock.now();
      this.requeueUnschedulable((u) => now - u.since >= MAX_UNSCHEDULABLE_MS);
      for (const [uid, a] of this.assumed) if (now - a.at >= ASSUME_TTL_MS) this.assumed.delete(uid);
    }
  }

  /** One scheduling attempt for a queued pod (`namespace/name`). */
  async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const pod = this.pods.lister.get(key.slice(0, slash), key.slice(slash + 1));
    if (!pod || !wantsScheduling(pod)) {
      this.forget(key);
      return;
    }
    if (pod.metadata.uid && this.assumed.has(pod.metadata.uid)) return; // bound; the watch has not caught up yet
    const now = this.ctx.clock.now();
    const previous = this.attempts.get(key);
    this.attempts.set(key, { count: (previous?.count ?? 0) + 1, last: now });
    this.unschedulable.delete(key);

    const assumedPods = [...this.assumed.values()].map((a) => a.pod);
    const assumedUIDs = new Set(assumedPods.map((p) => p.metadata.uid));
    const bound = this.pods.lister.list().filter((p) => !assumedUIDs.has(p.metadata.uid));
    const snapshot = buildSnapshot(this.nodes.lister.list(), [...bound, ...assumedPods]);
    const result = schedulePod(pod, snapshot);
    if (result.kind === 'Scheduled') {
      await this.bind(pod, result.node);
      return;
    }
    this.log.debug({ pod: key, message: result.message }, 'unable to schedule pod; waiting');
    this.unschedulable.set(key, { since: now, rejectedBy: result.rejectedBy });
    this.recorder.event(pod, 'Warning', 'FailedScheduling', result.message);
    await this.markUnschedulable(pod, result.message);
  }

  /** DefaultBinder: POST the Binding; a pod that is already bound (409) is none of ours any more. */
  private async bind(pod: Pod, node: string): Promise<void> {
    const { namespace, name, uid } = pod.metadata;
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name, namespace, uid },
      target: { kind: 'Node', name: node },
    };
    try {
      await this.ctx.client.create(RESOURCES.pods, namespace, binding, { subresource: 'binding' });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) {
        // Deleted, recreated under the same name (uid precondition), or bound meanwhile: the watch brings the truth.
        this.log.info({ pod: keyOf(pod), node, err: (err as Error).message }, 'binding rejected');
        this.forget(keyOf(pod));
        return;
      }
      throw err;
    }
    // Assumed on its node until the watch shows it there (unless the watch was quicker than the answer).
    const seen = this.pods.lister.get(namespace, name ?? '');
    if (uid && !(seen?.metadata.uid === uid && seen.spec?.nodeName))
      this.assumed.set(uid, { pod: { ...pod, spec: { ...pod.spec, nodeName: node } }, at: this.ctx.clock.now() });
    this.forget(keyOf(pod));
    this.log.debug({ pod: keyOf(pod), node }, 'bound pod');
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  /**
   * The PodScheduled=False condition with reason Unschedulable and the FitError message, patched into pods/status
   * only when it changes (podutil.UpdatePodCondition); lastTransitionTime moves only when the status does.
   */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const old = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    if (old && old.status === 'False' && old.reason === 'Unschedulable' && old.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime:
        old?.status === 'False' && old.lastTransitionTime
          ? old.lastTransitionTime
          : new Date(this.ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: 'Unschedulable',
      message,
    };
    // A JSON patch keeps `lastProbeTime: null` (a merge patch would read the null as "remove"), so the condition
    // reads as upstream's; the test guards the index against a concurrent change of the list.
    const conditions = pod.status?.conditions;
    const i = conditions ? conditions.findIndex((c) => c.type === 'PodScheduled') : -1;
    const ops = !conditions
      ? [{ op: 'add', path: '/status/conditions', value: [condition] }]
      : i < 0
        ? [{ op: 'add', path: '/status/conditions/-', value: condition }]
        : [
            { op: 'test', path: `/status/conditions/${i}/type`, value: 'PodScheduled' },
            { op: 'replace', path: `/status/conditions/${i}`, value: condition },
          ];
    try {
      await this.ctx.client.patch(RESOURCES.pods, pod.metadata.namespace, pod.metadata.name ?? '', 'json', ops, {
        subresource: 'status',
      });
    } catch (err) {
      if (isNotFound(err)) return;
      // The pod changed meanwhile (its watch event brings it back here) or the server refused: the event says it all.
      this.log.warn({ pod: keyOf(pod), err: (err as Error).message }, 'could not update the pod condition');
    }
  }
}

/** The scheduler as a component factory. */
export const scheduler: ComponentFactory = (ctx) => new Scheduler(ctx);
