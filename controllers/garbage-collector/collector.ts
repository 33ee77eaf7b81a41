/**
 * The garbage collector (pkg/controller/garbagecollector): discovers the deletable resources, watches them
 * all through shared informers into a dependency graph, and works two queues keyed by uid:
 * - attemptToDelete: an item whose owners may be gone. Its owners are read live; with none left it is deleted
 *   (uid precondition; the propagation its own finalizers ask for, else Background), with some left the
 *   references to missing ones are removed. An owner deleting its dependents in the foreground has its
 *   `foregroundDeletion` finalizer removed once no dependent with blockOwnerDeletion remains.
 * - attemptToOrphan: an owner deleted with the `orphan` finalizer. Its reference is removed from every
 *   dependent, then the finalizer from the owner (the API server then removes it).
 * Failures are retried with per-item exponential backoff; nothing is retried in a hot loop.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { isAbortError } from '../machinery/clock.js';
import { ApiError, isNotFound } from '../machinery/client.js';
import { errorInfo } from '../machinery/informer.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import type {
  ApiClient,
  Component,
  ControllerContext,
  EventRecorder,
  Logger,
  ResourceRef,
  WorkQueue,
} from '../machinery/types.js';
import {
  decide,
  ownerReferencesPatch,
  removeFinalizerPatch,
  unblockedOwners,
  withoutOwners,
  type OwnerClassification,
} from './decisions.js';
import {
  discoverDeletableResources,
  fetcherOf,
  groupKindKey,
  wellKnownResources,
  type DeletableResources,
  type DiscoveryFetcher,
} from './discovery.js';
import {
  DependencyGraph,
  FINALIZER_FOREGROUND,
  FINALIZER_ORPHAN,
  type GraphNode,
  type ObjectIdentity,
} from './graph.js';

/** The component name (upstream: garbage-collector-controller). */
export const GC_COMPONENT = 'garbage-collector-controller';
/** How many owners known to be absent are remembered (upstream: 500). */
const ABSENT_OWNER_CACHE_SIZE = 500;

/** Knobs for tests and the manager. */
export interface GarbageCollectorOptions {
  /**
   * How to read discovery: a fetcher, or the resources themselves. Default: the client's own `getJSON`
   * when it has one, else the well-known resources of this emulator.
   */
  discovery?: DiscoveryFetcher | DeletableResources;
  /** Concurrent attemptToDelete workers (default: the context's workers); attemptToOrphan gets one. */
  workers?: number;
  deleteQueue?: WorkQueue;
  orphanQueue?: WorkQueue;
}

type Outcome = 'done' | 'requeue';

function apiVersionOf(ref: ResourceRef): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** The garbage collector component. Construct with the context; discovery and informers start in `run`. */
export class GarbageCollector implements Component {
  readonly name = GC_COMPONENT;
  readonly graph: DependencyGraph;
  readonly deleteQueue: WorkQueue;
  readonly orphanQueue: WorkQueue;
  /** Set once discovery has run. */
  resources: DeletableResources | undefined;
  private readonly client: ApiClient;
  private readonly log: Logger;
  private readonly recorder: EventRecorder;
  private readonly absentOwners = new Set<string>();
  private readonly workers: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.client = ctx.client;
    this.log = ctx.log.child({ component: GC_COMPONENT });
    this.recorder = ctx.recorder(GC_COMPONENT);
    this.workers = opts.workers ?? ctx.workers;
    this.deleteQueue =
      opts.deleteQueue ??
      new RateLimitingQueue({ clock: ctx.clock, name: 'garbage_collector_attempt_to_delete', log: this.log });
    this.orphanQueue =
      opts.orphanQueue ??
      new RateLimitingQueue({ clock: ctx.clock, name: 'garbage_collector_attempt_to_orphan', log: this.log });
    this.graph = new DependencyGraph(
      { attemptToDelete: (uid) => this.deleteQueue.add(uid), attemptToOrphan: (uid) => this.orphanQueue.add(uid) },
      (apiVersion, kind) => this.resourceFor(apiVersion, kind)?.namespaced,
    );
  }

  /** Discovers, starts watching every deletable resource, waits for the caches, then works until aborted. */
  async run(signal: AbortSignal): Promise<void> {
    this.resources = await this.discover(signal);
    this.watch(this.resources.monitored);
    await this.ctx.informers.waitForSync(signal);
    this.log.info({ resources: this.resources.monitored.length, objects: this.graph.size }, 'garbage collector synced');
    const stop = () => {
      this.deleteQueue.shutDown();
      this.orphanQueue.shutDown();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    const loops: Promise<void>[] = [];
    for (let i = 0; i < this.workers; i++)
      loops.push(this.work(this.deleteQueue, (uid) => this.attemptToDelete(uid), signal));
    loops.push(this.work(this.orphanQueue, (uid) => this.attemptToOrphan(uid), signal));
    await Promise.all(loops);
  }

  /** Registers the graph's handlers on the shared informer of each resource. */
  watch(resources: ResourceRef[]): void {
    for (const ref of resources) {
      const apiVersion = apiVersionOf(ref);
      const inf = this.ctx.informers.informer(ref);
      inf.on({
        add: (o) => this.graph.observe(o, apiVersion, ref.kind),
        update: (_old, o) => this.graph.observe(o, apiVersion, ref.kind),
        delete: (o) => this.graph.observeDeleted(o.metadata.uid),
      });
    }
  }

  private async discover(signal: AbortSignal): Promise<DeletableResources> {
    const d = this.opts.discovery ?? fetcherOf(this.client);
    if (!d) {
      this.log.info({}, 'the API client cannot read discovery: collecting the well-known resources');
      return wellKnownResources();
    }
    if (typeof d !== 'function') return d;
    for (let backoff = 1000; ; backoff = Math.min(30_000, backoff * 2)) {
      try {
        return await discoverDeletableResources(d);
      } catch (err) {
        if (signal.aborted) throw err;
        this.log.warn({ err: errorInfo(err), retryInMs: backoff }, 'discovery failed');
        await this.ctx.clock.sleep(backoff, signal);
      }
    }
  }

  private async work(queue: WorkQueue, fn: (key: string) => Promise<Outcome>, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.next(signal);
      if (key === undefined) return;
      try {
        if ((await fn(key)) === 'requeue') queue.addRateLimited(key);
        else queue.forget(key);
      } catch (err) {
        if (!(signal.aborted && isAbortError(err))) {
          queue.addRateLimited(key);
          this.log.warn(
            { uid: key, retries: queue.retries(key), err: errorInfo(err) },
            'garbage collection failed: requeuing',
          );
        }
      } finally {
        queue.done(key);
      }
    }
  }

  /** The resource of an apiVersion/kind, if the server serves it. */
  resourceFor(apiVersion: string, kind: string): ResourceRef | undefined {
    return this.resources?.byGroupKind.get(groupKindKey(apiVersion, kind));
  }

  private mustResource(id: ObjectIdentity): ResourceRef {
    const ref = this.resourceFor(id.apiVersion, id.kind);
    if (!ref) throw new Error(`no resource serves ${id.apiVersion}, Kind=${id.kind}`);
    return ref;
  }

  /** The object now, or undefined when it is gone (404, or another object under its name). */
  private async getLive(id: ObjectIdentity): Promise<KubeObject | undefined> {
    const ref = this.mustResource(id);
    try {
      const obj = await this.client.get(ref, ref.namespaced ? id.namespace : undefined, id.name);
      return obj.metadata.uid === id.uid ? obj : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Applies a merge patch computed from the live object; reads again after a conflict. False when it is gone. */
  private async patchLive(
    id: ObjectIdentity,
    make: (latest: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<boolean> {
    const ref = this.mustResource(id);
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await this.getLive(id);
      if (!latest) return false;
      const patch = make(latest);
      if (!patch) return true;
      try {
        await this.client.patch(ref, ref.namespaced ? id.namespace : undefined, id.name, 'merge', patch);
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        if (!(err instanceof ApiError && err.code === 409)) throw err;
      }
    }
    throw new Error(`${id.kind} ${id.namespace}/${id.name}: conflicts persisted`);
  }

  private async deleteItem(node: GraphNode, policy: 'Orphan' | 'Foreground' | 'Background'): Promise<void> {
    const ref = this.mustResource(node.identity);
    const id = node.identity;
    this.log.debug({ item: id, policy }, 'deleting');
    try {
      await this.client.delete(ref, ref.namespaced ? id.namespace : undefined, id.name, {
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
    } catch (err) {
      if (isNotFound(err)) this.graph.observeDeleted(id.uid);
      else if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }

  private remember(uid: string): void {
    if (this.absentOwners.size >= ABSENT_OWNER_CACHE_SIZE)
      this.absentOwners.delete(this.absentOwners.values().next().value!);
    this.absentOwners.add(uid);
  }

  /** Sorts an item's owners by reading each live (owners known absent are not read again). */
  async classify(item: KubeObject, itemNamespace: string): Promise<OwnerClassification> {
    const out: OwnerClassification = { solid: [], dangling: [], waiting: [] };
    for (const ref of item.metadata.ownerReferences ?? []) {
      if (this.absentOwners.has(ref.uid)) {
        out.dangling.push(ref);
        continue;
      }
      const res = this.resourceFor(ref.apiVersion, ref.kind);
      if (!res) throw new Error(`ownerReference to ${ref.apiVersion}, Kind=${ref.kind}: no resource serves it`);
      if (res.namespaced && !itemNamespace) {
        // A cluster-scoped object cannot be owned by a namespaced one: the reference can never resolve.
        this.recorder.event(
          item,
          'Warning',
          'OwnerRefInvalidNamespace',
          `ownerRef [${ref.apiVersion}, Kind=${ref.kind}, Namespace=, Name=${ref.name}, UID=${ref.uid}] does not exist in namespace ""`,
        );
        out.dangling.push(ref);
        continue;
      }
      const owner = await this.getLive({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: res.namespaced ? itemNamespace : '',
        name: ref.name,
        uid: ref.uid,
      });
      if (!owner) {
        this.remember(ref.uid);
        out.dangling.push(ref);
      } else if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_FOREGROUND)) {
        out.waiting.push(ref);
      } else {
        out.solid.push(ref);
      }
    }
    return out;
  }

  /** attemptToDelete: see the file comment. */
  async attemptToDelete(uid: string): Promise<Outcome> {
    const node = this.graph.get(uid);
    if (!node) return 'done';
    const latest = await this.getLive(node.identity);
    if (!latest) {
      // Gone (or a virtual owner that never existed): its dependents get looked at.
      this.remember(uid);
      this.graph.observeDeleted(uid);
      return 'done';
    }
    // A virtual owner that exists but has not been observed yet: look again later (the informer will report it).
    if (node.virtual) return 'requeue';
    const finalizers = latest.metadata.finalizers ?? [];
    const deletingDependents = !!latest.metadata.deletionTimestamp && finalizers.includes(FINALIZER_FOREGROUND);
    if (latest.metadata.deletionTimestamp && !deletingDependents) return 'done';
    if (deletingDependents) return this.processDeletingDependents(node);
    if (!(latest.metadata.ownerReferences ?? []).length) return 'done';
    const classes = await this.classify(latest, node.identity.namespace);
    const dependents = [...node.dependents];
    const action = decide(classes, {
      finalizers,
      hasDependents: dependents.length > 0,
      dependentDeletingDependents: dependents.some((d) => d.deletingDependents),
    });
    switch (action.kind) {
      case 'none':
        return 'done';
      case 'removeOwnerRefs':
        await this.patchLive(node.identity, (obj) => {
          const keep = withoutOwners(obj, action.uids);
          return keep.length === (obj.metadata.ownerReferences ?? []).length
            ? undefined
            : ownerReferencesPatch(obj, keep);
        });
        return 'done';
      case 'delete':
        if (action.unblockFirst) {
          await this.patchLive(node.identity, (obj) => {
            const refs = unblockedOwners(obj);
            return refs ? ownerReferencesPatch(obj, refs) : undefined;
          });
        }
        await this.deleteItem(node, action.policy);
        return 'done';
    }
  }

  /** An owner in foreground deletion: its blocking dependents are deleted; without any, its finalizer goes. */
  private async processDeletingDependents(node: GraphNode): Promise<Outcome> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      await this.patchLive(node.identity, (obj) => removeFinalizerPatch(obj, FINALIZER_FOREGROUND));
      return 'done';
    }
    for (const d of blocking) if (!d.deletingDependents) this.deleteQueue.add(d.uid);
    return 'done';
  }

  /** attemptToOrphan: see the file comment. */
  async attemptToOrphan(uid: string): Promise<Outcome> {
    const node = this.graph.get(uid);
    if (!node) return 'done';
    const owner = await this.getLive(node.identity);
    if (!owner || !owner.metadata.deletionTimestamp || !(owner.metadata.finalizers ?? []).includes(FINALIZER_ORPHAN))
      return 'done';
    for (const d of [...node.dependents]) {
      await this.patchLive(d.identity, (obj) => {
        const keep = withoutOwners(obj, [uid]);
        return keep.length === (obj.metadata.ownerReferences ?? []).length
          ? undefined
          : ownerReferencesPatch(obj, keep);
      });
    }
    await this.patchLive(node.identity, (obj) => removeFinalizerPatch(obj, FINALIZER_ORPHAN));
    return 'done';
  }
}

/** The garbage collector as a component factory (`garbageCollector(ctx)`); options are for tests. */
export function garbageCollector(ctx: ControllerContext, opts: GarbageCollectorOptions = {}): Component {
  return new GarbageCollector(ctx, opts);
}
