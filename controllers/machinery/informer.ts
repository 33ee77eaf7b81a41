/**
 * The shared informer: client-go's reflector, store and event distribution in one, without the DeltaFIFO
 * (handlers are called synchronously, in the order the changes arrive, after the cache reflects them).
 */
import { type KubeObject, withoutManagedFields } from '../../apimachinery/objects.js';
import { ValueSharing } from '../../apimachinery/shared-values.js';
import { isAbortError } from './clock.js';
import { ApiError, isGone, type Status } from './client.js';
import { IndexedStore, objectKey } from './lister.js';
import type { ApiClient, Clock, EventHandlers, IndexFunc, Informer, Logger, ResourceRef } from './types.js';

export interface SharedInformerOptions {
  client: ApiClient;
  ref: ResourceRef;
  clock: Clock;
  log: Logger;
  /** Items per list page (default 500, as client-go's pager). */
  pageSize?: number;
  /** Watches ask the server to end them after a random time between this and twice this (default 300 s). */
  minWatchTimeoutSeconds?: number;
  /** Backoff after a failed list or watch: from `initialMs` (default 800), doubling up to `maxMs` (30 000). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** A watch that ends with no event sooner than this (default 1000 ms) counts as a failure: no hot loops. */
  shortWatchMs?: number;
  /** [0, 1): jitter of timeouts and backoffs; injectable for deterministic tests. */
  random?: () => number;
}

type WatchOutcome = 'ended' | 'expired';

/**
 * How the process's informer caches share values between the objects they hold (see {@link ValueSharing}): the
 * pods of a DaemonSet or a ReplicaSet differ in a few names, uids, IPs and timestamps, and repeat everything else.
 * Shared whole: the members whose values repeat across objects (labels, owner references, tolerations, container
 * resources, the projected service-account volume, container states, a node's capacity and allocatable), and each
 * condition of `conditions` (same type, status and second). Strings up to 128 characters are pooled (image IDs).
 * Cached objects are frozen (the lister's guarantee), so sharing never lets one object's change show in another.
 */
const cacheSharing = new ValueSharing({
  members: [
    'labels',
    'ownerReferences',
    'tolerations',
    'resources',
    'projected',
    'state',
    'lastState',
    'capacity',
    'allocatable',
    'daemonEndpoints',
  ],
  elementsOf: ['conditions'],
  maxPooledStrings: 16_384,
  maxPooledChars: 128,
});

/**
 * The instance of `s`'s text the informer caches share (see {@link cacheSharing}; `s` itself when it is the first or
 * out of the pool's range): for a value a component makes and writes, which its informer's cached copy will hold
 * too (the simulated kubelet's container IDs and pod IPs, ~130 bytes a pod held twice otherwise).
 */
export function cachedString(s: string): string {
  return cacheSharing.string(s);
}

/**
 * One resource's shared informer. `run` lists (paged), then watches from the list's resourceVersion with
 * bookmarks, re-watching from the last resourceVersion seen whenever the server ends a watch, relisting on
 * 410 Expired and backing off (on the injected clock) after errors, until the signal aborts.
 *
 * Guarantees to handlers: they run in the order of the changes, after the lister reflects each change; a
 * relist reports objects that changed as updates and objects gone as deletes (with their last known state);
 * handlers registered after objects are cached get an `add` for each of them at once. Handler errors are
 * logged and never stop the informer. Objects handed out are frozen.
 */
export class SharedInformer<T extends KubeObject = KubeObject> implements Informer<T> {
  readonly ref: ResourceRef;
  readonly lister: IndexedStore<T>;
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly opts: Required<Omit<SharedInformerOptions, 'backoff'>> & {
    backoff: { initialMs: number; maxMs: number };
  };
  private readonly log: Logger;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private running = false;
  private lastResourceVersion = '';

  constructor(opts: SharedInformerOptions) {
    this.ref = opts.ref;
    this.lister = new IndexedStore<T>();
    this.log = opts.log.child({
      informer: opts.ref.group ? `${opts.ref.resource}.${opts.ref.group}` : opts.ref.resource,
    });
    this.opts = {
      client: opts.client,
      ref: opts.ref,
      clock: opts.clock,
      log: opts.log,
      pageSize: opts.pageSize ?? 500,
      minWatchTimeoutSeconds: opts.minWatchTimeoutSeconds ?? 300,
      backoff: { initialMs: opts.backoff?.initialMs ?? 800, maxMs: opts.backoff?.maxMs ?? 30_000 },
      shortWatchMs: opts.shortWatchMs ?? 1000,
      random: opts.random ?? Math.random,
    };
  }

  on(handlers: EventHandlers<T>): void {
    this.handlers.push(handlers);
    if (handlers.add && this.lister.size > 0) {
      for (const obj of this.lister.list()) this.call('add', () => handlers.add!(obj));
    }
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    this.lister.addIndex(name, fn);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion the next watch starts from ('' before the first list). */
  get resourceVersion(): string {
    return this.lastResourceVersion;
  }

  /** Resolves once the first list is in the cache; rejects with an AbortError if the signal aborts first. */
  whenSynced(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        const err = new Error(`${this.ref.resource}: cache sync aborted`);
        err.name = 'AbortError';
        reject(err);
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(done);
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer ${this.ref.resource} is already running`);
    this.running = true;
    const { initialMs, maxMs } = this.opts.backoff;
    let backoff = initialMs;
    let needList = true;
    try {
      while (!signal.aborted) {
        let delay = 0;
        try {
          if (needList) {
            await this.listAndReplace(signal);
            needList = false;
            backoff = initialMs;
          }
          if (signal.aborted) break;
          const started = this.opts.clock.now();
          const { outcome, events } = await this.watchOnce(signal);
          if (events > 0) backoff = initialMs;
          const short = events === 0 && this.opts.clock.now() - started < this.opts.shortWatchMs;
          if (outcome === 'expired') {
            this.log.debug({ resourceVersion: this.lastResourceVersion }, 'watch expired (410): relisting');
            needList = true;
            if (short) delay = backoff; // expired at once: do not hammer the server with lists
          } else if (short) {
            this.log.debug({}, 'watch ended at once without events: backing off');
            delay = backoff;
          }
        } catch (err) {
          if (signal.aborted) break;
          if (isGone(err)) {
            // 410 when opening the watch, or an expired continue token that the full list could not fix
            needList = true;
            delay = backoff;
          } else {
            delay = backoff;
            this.log.warn({ err: errorInfo(err), retryInMs: delay }, needList ? 'list failed' : 'watch failed');
          }
        }
        if (delay > 0) {
          backoff = Math.min(maxMs, backoff * 2);
          try {
            await this.opts.clock.sleep(Math.round(delay * (1 + this.opts.random() * 0.5)), signal);
          } catch (err) {
            if (isAbortError(err)) break;
            throw err;
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** Lists every page, then brings the cache (and the handlers) in line with the list. */
  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      let page;
      try {
        page = await this.opts.client.list<T>(this.ref, { limit: this.opts.pageSize, continue: cont });
      } catch (err) {
        if (!cont || !isGone(err)) throw err;
        // The continue token expired mid-list: read everything at once (client-go's pager does the same).
        this.log.debug({}, 'continue token expired: listing without pages');
        items.length = 0;
        page = await this.opts.client.list<T>(this.ref, {});
      }
      if (signal.aborted) return;
      for (const item of page.items) items.push(this.normalize(item, this.cached(item)));
      rv = page.metadata.resourceVersion ?? '';
      cont = page.metadata.continue || undefined;
    } while (cont);
    this.replace(items, rv);
  }

  private replace(items: T[], resourceVersion: string): void {
    const fresh = new Set<string>();
    for (const obj of items) {
      fresh.add(objectKey(obj));
      const old = this.lister.upsert(obj);
      if (!old) this.dispatch('add', obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.dispatch('update', obj, old);
    }
    for (const key of this.lister.keys()) {
      if (fresh.has(key)) continue;
      const gone = this.lister.remove(key)!;
      this.dispatch('delete', gone);
    }
    this.lastResourceVersion = resourceVersion;
    this.log.debug({ items: items.length, resourceVersion }, 'listed');
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  /** One watch from the last resourceVersion, applied to the cache event by event. */
  private async watchOnce(signal: AbortSignal): Promise<{ outcome: WatchOutcome; events: number }> {
    const min = this.opts.minWatchTimeoutSeconds;
    const timeoutSeconds = Math.floor(min * (1 + this.opts.random()));
    let events = 0;
    const stream = this.opts.client.watch<T>(this.ref, {
      resourceVersion: this.lastResourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    for await (const ev of stream) {
      if (signal.aborted) break;
      switch (ev.type) {
        case 'ADDED':
        case 'MODIFIED': {
          const obj = this.normalize(ev.object, this.cached(ev.object));
          const old = this.lister.upsert(obj);
          this.advance(obj);
          if (old) this.dispatch('update', obj, old);
          else this.dispatch('add', obj);
          events++;
          break;
        }
        case 'DELETED': {
          const obj = this.normalize(ev.object);
          this.lister.remove(objectKey(obj));
          this.advance(obj);
          this.dispatch('delete', obj);
          events++;
          break;
        }
        case 'BOOKMARK':
          this.advance(ev.object);
          events++;
          break;
        case 'ERROR': {
          const status = ev.object as unknown as Status;
          if (status.code === 410) return { outcome: 'expired', events };
          throw new ApiError(status);
        }
        default:
          this.log.warn({ type: ev.type }, 'unknown watch event type: ignored');
      }
    }
    return { outcome: 'ended', events };
  }

  private advance(obj: KubeObject): void {
    const rv = obj.metadata?.resourceVersion;
    if (rv) this.lastResourceVersion = rv;
  }

  /**
   * Drops `metadata.managedFields` (kube-controller-manager's informers trim them too: no controller reads them,
   * an update without them keeps the stored ones, and they are most of a small object's bytes), and fills kind
   * and apiVersion when the server left them out (list items may); then freezes the object, sharing its
   * repeated values with the other cached objects (see {@link cacheSharing}) and, member by member, with `previous`,
   * the version it replaces in the cache: a pod's new status leaves its spec the cached one.
   */
  private normalize(obj: T, previous?: T): T {
    obj = withoutManagedFields(obj);
    if (!obj.kind || !obj.apiVersion) {
      const apiVersion = this.ref.group ? `${this.ref.group}/${this.ref.version}` : this.ref.version;
      obj = { ...obj, apiVersion: obj.apiVersion ?? apiVersion, kind: obj.kind ?? this.ref.kind };
    }
    return cacheSharing.freeze(obj, previous);
  }

  /** The cached version of the object `obj` (a version the server just sent) is of, if any. */
  private cached(obj: T): T | undefined {
    const m = obj?.metadata;
    return m?.name === undefined ? undefined : this.lister.get(m.namespace, m.name);
  }

  private dispatch(type: 'add' | 'delete', obj: T): void;
  private dispatch(type: 'update', obj: T, old: T): void;
  private dispatch(type: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.handlers) {
      if (type === 'add' && h.add) this.call(type, () => h.add!(obj));
      else if (type === 'update' && h.update) this.call(type, () => h.update!(old!, obj));
      else if (type === 'delete' && h.delete) this.call(type, () => h.delete!(obj));
    }
  }

  private call(type: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: errorInfo(err), handler: type }, 'event handler failed');
    }
  }
}

/** A loggable summary of an error (message, ApiError code and reason, system error cause). */
export function errorInfo(err: unknown): Record<string, unknown> {
  if (err instanceof ApiError) return { message: err.message, code: err.code, reason: err.reason };
  if (err instanceof Error) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    return { message: err.message, ...(cause ? { cause: cause.code ?? cause.message } : {}) };
  }
  return { message: String(err) };
}
