/**
 * The pod garbage collector (pkg/controller/podgc, the orphaned-pods part): a pod bound to a node that no
 * longer exists has no kubelet to run or finish it, so after a short quarantine — and a live GET confirming
 * the node is really gone, not just missing from a lagging cache — it is force-deleted (grace period 0, uid
 * precondition). Pods bound to existing nodes and unbound pods are none of its business.
 */
import type { KubeObject } from '../apimachinery/objects.js';
import { isConflict, isNotFound } from './machinery/client.js';
import { runWorkers } from './machinery/controller.js';
import { RateLimitingQueue } from './machinery/workqueue.js';
import {
  RESOURCES,
  type Component,
  type Controller,
  type ControllerContext,
  type Informer,
  type Logger,
  type WorkQueue,
} from './machinery/types.js';

/** The component name (upstream: pod-garbage-collector). */
export const POD_GC_COMPONENT = 'pod-garbage-collector';
/** The pod index by `spec.nodeName` (the kubelet adds the same one). */
const POD_NODE_INDEX = 'spec.nodeName';
/** How long a pod's node must stay missing before the pod is deleted, before `speed` (upstream: 40 s). */
export const DEFAULT_QUARANTINE_MS = 5000;

interface Pod extends KubeObject {
  spec?: { nodeName?: string; [key: string]: unknown };
}

/** Knobs for tests. */
export interface PodGCOptions {
  /** Quarantine before `speed` (default DEFAULT_QUARANTINE_MS). */
  quarantineMs?: number;
  queue?: WorkQueue;
}

function nodeNameIndex(pod: Pod): string[] {
  const n = pod.spec?.nodeName;
  return n ? [n] : [];
}

/** Deletes the pods of deleted nodes. Construct with the context (registers informers and handlers). */
export class PodGarbageCollector implements Component, Controller {
  readonly name = POD_GC_COMPONENT;
  readonly queue: WorkQueue;
  readonly quarantineMs: number;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<KubeObject>;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: PodGCOptions = {},
  ) {
    this.log = ctx.log.child({ component: POD_GC_COMPONENT });
    this.quarantineMs = Math.max(0, Math.round((opts.quarantineMs ?? DEFAULT_QUARANTINE_MS) * ctx.speed));
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: POD_GC_COMPONENT, log: this.log });
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    this.nodes = ctx.informers.informer(RESOURCES.nodes);
    try {
      this.pods.addIndex(POD_NODE_INDEX, nodeNameIndex);
    } catch (err) {
      if (!/already exists/.test(String((err as Error)?.message))) throw err;
    }
    this.pods.on({ add: (p) => this.check(p), update: (_o, p) => this.check(p) });
    this.nodes.on({
      delete: (n) => {
        for (const p of this.pods.lister.byIndex(POD_NODE_INDEX, n.metadata.name ?? '')) this.check(p);
      },
    });
  }

  /** Queues a pod whose node is missing from the cache, to be looked at after the quarantine. */
  private check(pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (!node || this.nodes.lister.get(undefined, node)) return;
    this.queue.addAfter(`${pod.metadata.namespace}/${pod.metadata.name}`, this.quarantineMs);
  }

  /** Waits for the caches, then syncs queued pods until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.ctx.informers.waitForSync(signal);
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** A queued pod (`namespace/name`): force-deleted when its node is gone for the API server too. */
  async sync(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const pod = this.pods.lister.get(key.slice(0, slash), key.slice(slash + 1));
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || this.nodes.lister.get(undefined, nodeName)) return;
    try {
      await this.ctx.client.get(RESOURCES.nodes, undefined, nodeName);
      return; // the cache lags: the node exists
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    this.log.info({ pod: key, node: nodeName }, 'deleting orphaned pod');
    try {
      await this.ctx.client.delete(RESOURCES.pods, pod.metadata.namespace, pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

/** The pod garbage collector as a component factory (`podGC(ctx)`); options are for tests. */
export function podGC(ctx: ControllerContext, opts: PodGCOptions = {}): Component {
  return new PodGarbageCollector(ctx, opts);
}
