/**
 * The watch cache: the full {@link Storage} over any {@link RawBackend}, as kube-apiserver's cacher serves its
 * etcd3 store. It holds the current objects (one frozen instance each) and a bounded window of recent events,
 * fed by the backend's subscription; it answers gets, lists at the current or a windowed revision (continue
 * tokens), watches from inside the window, and 'Expired' (410) below it. Writes go to the backend as
 * transactions comparing the key's mod revision and return once the cache has applied them (read-your-writes).
 *
 * Memory is bounded by design: the window keeps at most `maxHistoryEvents` events, about `maxHistoryBytes` of
 * serialized objects and nothing older than `maxHistoryAgeMs`; older history is on the backend's disk until
 * compaction (every `compactionIntervalMs`, to the revision of the previous tick) or gone. The window shares
 * the index's frozen objects: an event's object is the current object until the next write replaces it.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { StorageError } from '../errors.js';
import type {
  ListOptions,
  ListResult,
  Storage,
  StoredEvent,
  TryUpdate,
  UpdateOptions,
  WatchItem,
  WatchOptions,
} from '../interface.js';
import { checkPreconditions } from '../preconditions.js';
import type { RawBackend, RawEvent } from '../raw.js';
import { lazyEvent, makeEvent, withResourceVersion } from '../stored-objects.js';
import { History } from './history.js';
import { type Entry, KeyIndex } from './key-index.js';
import { KeyTurns } from './key-turns.js';
import { listAt } from './list.js';
import { WatchHub, type WatchSource, expired } from './watch-hub.js';

export interface CacherOptions {
  /** Most events in the window. Default 100000 (upstream's largest cacher capacity is 102400). */
  maxHistoryEvents?: number;
  /** Most serialized bytes of events in the window. Default 64 MiB. */
  maxHistoryBytes?: number;
  /** Events older than this leave the window. Default 5 minutes. */
  maxHistoryAgeMs?: number;
  /** Every interval, compact the backend to the revision that was current at the previous tick. Default 5 min. */
  compactionIntervalMs?: number;
  /** Live events a watcher may leave unread before it is dropped with 'TooSlow'. Default 10000. */
  watchBufferLimit?: number;
  /** Where background failures are reported. */
  log?: { warn(...args: unknown[]): void };
}

/** What the window holds now (for tests and metrics). */
export interface WindowStats {
  events: number;
  bytes: number;
  /** Watches and reads need a revision >= this. */
  start: number;
}

const DEFAULTS = {
  maxHistoryEvents: 100_000,
  maxHistoryBytes: 64 * 1024 * 1024,
  maxHistoryAgeMs: 5 * 60 * 1000,
  compactionIntervalMs: 5 * 60 * 1000,
  watchBufferLimit: 10_000,
};

/** Objects per range read at start-up. */
const LOAD_PAGE = 5000;

interface Waiter {
  revision: number;
  resolve(ok: boolean): void;
}

export class CachedStorage implements Storage, WatchSource {
  /** The window (read by the watch hub; tests inspect it). */
  readonly history = new History();
  private readonly index = new KeyIndex();
  private readonly hub: WatchHub;
  /** Updates and deletes of one key take turns (see KeyTurns). */
  private readonly turns = new KeyTurns();
  private readonly limits: Required<Omit<CacherOptions, 'log'>>;
  private readonly log: { warn(...args: unknown[]): void };
  private committed = 0;
  /** The highest revision a progress notification reported, and the consistent reads waiting for one. */
  private progressSeen = 0;
  private readonly progressWaiters = new Set<() => void>();
  private windowStart = 0;
  private waiters: Waiter[] = [];
  private unsubscribe: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private revisionAtLastTick = 0;
  private closing: Promise<void> | undefined;
  private broken: StorageError | undefined;

  private constructor(
    readonly backend: RawBackend,
    opts: CacherOptions,
  ) {
    this.limits = {
      maxHistoryEvents: positiveInteger('maxHistoryEvents', opts.maxHistoryEvents, DEFAULTS.maxHistoryEvents),
      maxHistoryBytes: positiveInteger('maxHistoryBytes', opts.maxHistoryBytes, DEFAULTS.maxHistoryBytes),
      maxHistoryAgeMs: positiveInteger('maxHistoryAgeMs', opts.maxHistoryAgeMs, DEFAULTS.maxHistoryAgeMs),
      compactionIntervalMs: positiveInteger(
        'compactionIntervalMs',
        opts.compactionIntervalMs,
        DEFAULTS.compactionIntervalMs,
      ),
      watchBufferLimit: positiveInteger('watchBufferLimit', opts.watchBufferLimit, DEFAULTS.watchBufferLimit),
    };
    this.log = opts.log ?? { warn() {} };
    this.hub = new WatchHub(this, { bufferLimit: this.limits.watchBufferLimit });
  }

  /**
   * Builds the cache over `backend`: reads the live objects once, the newest events that fit the window, then
   * subscribes to what follows. Throws RangeError for invalid options (before touching the backend).
   */
  static async open(backend: RawBackend, opts: CacherOptions = {}): Promise<CachedStorage> {
    CachedStorage.checkOptions(opts);
    const cache = new CachedStorage(backend, opts);
    await cache.load();
    cache.startTimers();
    return cache;
  }

  /** Throws RangeError when an option is invalid. */
  static checkOptions(opts: CacherOptions): void {
    const check = (name: keyof typeof DEFAULTS) => positiveInteger(name, opts[name], DEFAULTS[name]);
    for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) check(name);
  }

  /** Other processes write to a store whose backend takes progress requests (etcd). */
  get shared(): boolean {
    return this.backend.requestProgress !== undefined;
  }

  async get(key: string): Promise<KubeObject> {
    if (this.backend.requestProgress) await this.consistentRead(key);
    const entry = this.index.get(key);
    if (!entry) throw new StorageError('KeyNotFound', key);
    return entry.object;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    if (opts.revision === undefined && this.backend.requestProgress) await this.consistentRead(prefix);
    const committed = this.committed;
    const revision = opts.revision ?? committed;
    if (!Number.isSafeInteger(revision)) {
      throw new StorageError('Internal', prefix, `list: revision must be an integer, got ${String(revision)}`);
    }
    if (revision > committed) {
      throw new StorageError(
        'TooLargeResourceVersion',
        prefix,
        `Too large resource version: ${revision}, current: ${committed}`,
        committed,
      );
    }
    if (revision < this.windowStart) throw expired(prefix, revision, this.windowStart, committed);
    return listAt(this.index, this.history, prefix, revision, committed, opts);
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    this.checkUsable(key);
    const res = await this.backend.txn({ kind: 'create', key, object: obj });
    if (!res.ok) throw new StorageError('KeyExists', key);
    await this.caughtUp(res.revision, key);
    return res.object!;
  }

  guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: UpdateOptions = {}): Promise<KubeObject> {
    return this.turns.run(key, () => this.updateInTurn(key, tryUpdate, opts));
  }

  private async updateInTurn(key: string, tryUpdate: TryUpdate, opts: UpdateOptions): Promise<KubeObject> {
    for (;;) {
      this.checkUsable(key);
      const current = this.index.get(key);
      if (!current) throw new StorageError('KeyNotFound', key);
      checkPreconditions(key, current.object, opts.preconditions);
      const updated = await tryUpdate(current.object);
      if (updated === current.object) return current.object;
      const res = await this.backend.txn({
        kind: 'update',
        key,
        object: updated,
        expectedModRevision: current.modRevision,
      });
      if (res.ok) {
        await this.caughtUp(res.revision, key);
        return res.object!;
      }
      // Written in between: once the cache has seen what the comparison saw, read again and retry.
      await this.caughtUp(res.revision, key);
    }
  }

  delete(key: string, opts: UpdateOptions = {}): Promise<KubeObject> {
    return this.turns.run(key, () => this.deleteInTurn(key, opts));
  }

  private async deleteInTurn(key: string, opts: UpdateOptions): Promise<KubeObject> {
    for (;;) {
      this.checkUsable(key);
      const current = this.index.get(key);
      if (!current) throw new StorageError('KeyNotFound', key);
      checkPreconditions(key, current.object, opts.preconditions);
      const res = await this.backend.txn({ kind: 'delete', key, expectedModRevision: current.modRevision });
      if (res.ok) {
        await this.caughtUp(res.revision, key);
        return withResourceVersion(current.object, res.revision);
      }
      await this.caughtUp(res.revision, key);
    }
  }

  watch(prefix: string, fromRevision: number, opts: WatchOptions): AsyncIterable<WatchItem> {
    return this.hub.watch(prefix, fromRevision, opts);
  }

  currentRevision(): number {
    return this.committed;
  }

  /** For the watch hub: the last applied revision. */
  committedRevision(): number {
    return this.committed;
  }

  compactedRevision(): number {
    return this.windowStart;
  }

  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.committed >= revision) return Promise.resolve(true);
    if (this.closing || this.broken) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        revision,
        resolve: (ok) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async compact(revision: number): Promise<void> {
    this.checkUsable('');
    const target = Math.min(revision, this.committed);
    await this.backend.compact(target);
    if (target > this.windowStart) {
      this.history.dropThrough(target);
      this.windowStart = target;
    }
  }

  /** Stops compaction, waits for queued writes, ends all watches and closes the backend. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      await this.backend.close();
      this.unsubscribe?.();
      this.hub.closeAll();
      this.releaseWaiters(false);
    })();
    return this.closing;
  }

  /** Number of active watchers (for tests: aborted and dropped watches are released). */
  watcherCount(): number {
    return this.hub.size;
  }

  /** What the window holds (for tests and metrics). */
  windowStats(): WindowStats {
    return { events: this.history.length, bytes: this.history.bytes, start: this.windowStart };
  }

  private checkUsable(key: string): void {
    if (this.closing) throw new StorageError('Internal', key, 'storage is closed');
    if (this.broken) throw this.broken;
  }

  /**
   * On a store other processes write to: waits until the cache has reached the store's current revision, so a
   * read without a revision sees every write acknowledged before it (kube-apiserver's consistent reads from
   * the cache, with etcd's progress notifications).
   */
  private async consistentRead(key: string): Promise<void> {
    this.checkUsable(key);
    const { current } = await this.backend.revisions();
    if (this.committed >= current || this.progressSeen >= current) return;
    const deadline = Date.now() + 10_000;
    // The cache has applied `current` (an event of its own keys), or the store has said that everything up to it
    // was sent (a progress notification: the newest revisions were writes outside the cache's keys). Ask for one
    // until either holds.
    while (this.committed < current && this.progressSeen < current) {
      this.backend.requestProgress?.();
      const left = deadline - Date.now();
      if (left <= 0 || this.broken || this.closing) {
        throw this.broken ?? new StorageError('Internal', key, `storage: revision ${current} was not observed`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.progressWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 100));
        this.progressWaiters.add(done);
      });
    }
  }

  /** Resolves once the cache has applied `revision`; a write is answered only then. */
  private async caughtUp(revision: number, key: string): Promise<void> {
    if (this.committed >= revision) return;
    // The backend notifies before it acknowledges, so this only waits for a remote store's watch.
    if (!(await this.waitForRevision(revision, 60_000))) {
      throw this.broken ?? new StorageError('Internal', key, `storage: revision ${revision} was not observed`);
    }
  }

  private async load(): Promise<void> {
    const budget = { maxEvents: this.limits.maxHistoryEvents, maxBytes: this.limits.maxHistoryBytes };
    // The objects and the event log's window are read together: each read waits on the backend's I/O (LevelDB's
    // thread pool, etcd's answers) while this thread decodes what the other has read.
    const { current } = await this.backend.revisions();
    const [{ revision, entries }, window] = await Promise.all([
      this.readAll(),
      this.backend.recentHistory(current, budget),
    ]);
    // A write landed between the two (a store shared with other servers): the window at the objects' revision.
    const recent = revision === current ? window : await this.backend.recentHistory(revision, budget);
    this.index.load(entries);
    this.windowStart = recent.compacted;
    if (recent.truncated) this.windowStart = recent.events.length > 0 ? recent.events[0]!.revision - 1 : revision;
    // One instance per object state: consecutive events of a key, and the current object, share it. Nothing here
    // reads a current object: the backend may parse those only when first read (as it may an event's own copy).
    const latest = new Map<string, { revision: number; source: { readonly object: KubeObject } }>();
    const now = Date.now();
    for (const ev of recent.events) {
      const last = latest.get(ev.key);
      let prev = ev.prevObject;
      if (last !== undefined && prev !== undefined && prev.metadata?.resourceVersion === String(last.revision)) {
        prev = last.source.object;
      }
      let event: StoredEvent;
      if (ev.type === 'DELETED') {
        const object =
          prev !== undefined && prev !== ev.prevObject ? withResourceVersion(prev, ev.revision) : ev.object!;
        event = makeEvent(ev.type, ev.key, ev.revision, object, prev);
        latest.delete(ev.key);
      } else {
        // The current object when this event wrote it, else the event's own copy.
        const current = this.index.get(ev.key);
        const source = current?.modRevision === ev.revision ? current : { object: ev.object! };
        event =
          source === current
            ? lazyEvent(ev.type, ev.key, ev.revision, current, prev)
            : makeEvent(ev.type, ev.key, ev.revision, source.object, prev);
        latest.set(ev.key, { revision: ev.revision, source });
      }
      this.history.append(event, ev.bytes, now);
    }
    this.committed = this.revisionAtLastTick = revision;
    this.unsubscribe = await this.backend.subscribe(revision, {
      events: (evs) => this.apply(evs),
      error: (err) => this.fail(err),
      progress: (rev) => this.progress(rev),
    });
  }

  /**
   * Every live object, in pages (a remote store's messages are bounded), all at one revision: when a write lands
   * between pages, the read starts over.
   */
  private async readAll(): Promise<{ revision: number; entries: [string, Entry][] }> {
    for (;;) {
      const entries: [string, Entry][] = [];
      let page = await this.backend.range('', { limit: LOAD_PAGE });
      const revision = page.revision;
      for (;;) {
        for (const o of page.items) entries.push([o.key, o]);
        if (!page.more || page.items.length === 0) return { revision, entries };
        page = await this.backend.range('', { limit: LOAD_PAGE, startAfter: page.items[page.items.length - 1]!.key });
        if (page.revision !== revision) break;
      }
    }
  }

  /** Applies committed events: index, window, revision, then watchers and waiters, in one synchronous step. */
  private apply(events: readonly RawEvent[]): void {
    const now = Date.now();
    const stored: StoredEvent[] = [];
    for (const ev of events) {
      if (ev.revision <= this.committed) continue;
      const current = this.index.get(ev.key);
      let event: StoredEvent;
      let bytes: number;
      if (ev.type === 'DELETED') {
        const last = current?.object ?? ev.prevObject;
        if (last === undefined) {
          this.log.warn({ key: ev.key, revision: ev.revision }, 'storage: deletion of a key the cache does not hold');
          this.committed = ev.revision;
          continue;
        }
        event = makeEvent('DELETED', ev.key, ev.revision, ev.object ?? withResourceVersion(last, ev.revision), last);
        bytes = current?.bytes ?? ev.bytes;
        this.index.delete(ev.key);
      } else {
        const object = ev.object!;
        event = current
          ? makeEvent('MODIFIED', ev.key, ev.revision, object, current.object)
          : makeEvent('ADDED', ev.key, ev.revision, object);
        bytes = ev.bytes;
        this.index.set(ev.key, { object, modRevision: ev.revision, bytes });
      }
      this.history.append(event, bytes, now);
      stored.push(event);
      this.committed = ev.revision;
    }
    this.trim(now);
    if (stored.length > 0) this.hub.publish(stored);
    this.releaseWaiters(true);
  }

  /**
   * The store says it sent everything up to `revision` (writes outside the cache's keys took the ones between). Only
   * consistent reads use it; what the cache has applied (`committed`) moves with events alone (see RawListener).
   */
  private progress(revision: number): void {
    if (revision <= this.progressSeen) return;
    this.progressSeen = revision;
    const waiting = [...this.progressWaiters];
    this.progressWaiters.clear();
    for (const done of waiting) done();
  }

  /** Drops the oldest events until the window is within its count, byte and age bounds. */
  private trim(now: number): void {
    const { maxHistoryEvents, maxHistoryBytes, maxHistoryAgeMs } = this.limits;
    const h = this.history;
    const oldestAllowed = now - maxHistoryAgeMs;
    while (
      h.length > 0 &&
      (h.length > maxHistoryEvents || h.bytes > maxHistoryBytes || (h.oldestTime() ?? now) < oldestAllowed)
    ) {
      const dropped = h.dropOldest(Math.max(1, h.length - maxHistoryEvents));
      if (dropped !== undefined) this.windowStart = Math.max(this.windowStart, dropped);
    }
  }

  private releaseWaiters(ok: boolean): void {
    if (this.waiters.length === 0) return;
    const ready = ok ? this.waiters.filter((w) => w.revision <= this.committed) : this.waiters;
    if (ready.length === 0) return;
    this.waiters = ok ? this.waiters.filter((w) => w.revision > this.committed) : [];
    for (const w of ready) w.resolve(ok);
  }

  /** The backend's subscription broke: nothing the cache holds can be trusted to be current any more. */
  private fail(err: unknown): void {
    if (this.closing) return;
    this.log.warn({ err }, 'storage: the watch cache lost its subscription');
    this.broken = new StorageError('Internal', '', `storage: the watch cache lost its subscription: ${String(err)}`);
    this.hub.closeAll();
    this.releaseWaiters(false);
    // A store other processes write to (etcd) is read again, as kube-apiserver's cacher relists.
    if (this.backend.requestProgress) this.scheduleRelist(100);
  }

  /**
   * Rebuilds the cache from a fresh read of the backend and subscribes again; the window restarts at the read's
   * revision (watches ended by the failure resume from there, or get 'Expired' and relist).
   */
  private scheduleRelist(delayMs: number): void {
    const timer = setTimeout(async () => {
      if (this.closing) return;
      try {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
        const { revision, entries } = await this.readAll();
        if (this.closing) return;
        this.index.load(entries);
        this.history.dropThrough(Number.MAX_SAFE_INTEGER);
        this.windowStart = this.committed = this.revisionAtLastTick = revision;
        this.unsubscribe = await this.backend.subscribe(revision, {
          events: (evs) => this.apply(evs),
          error: (e) => this.fail(e),
          progress: (rev) => this.progress(rev),
        });
        this.broken = undefined;
        this.log.warn({ revision }, 'storage: the watch cache was read again');
      } catch (err) {
        this.log.warn({ err }, 'storage: reading the store again failed; retrying');
        this.scheduleRelist(Math.min(5_000, delayMs * 2));
      }
    }, delayMs);
    timer.unref();
  }

  private startTimers(): void {
    const compaction = setInterval(() => {
      const target = this.revisionAtLastTick;
      this.revisionAtLastTick = this.committed;
      if (target > 0 && !this.closing && !this.broken) {
        this.backend
          .revisions()
          .then(({ compacted }) => (target > compacted ? this.compact(target) : undefined))
          .catch((err: unknown) => this.log.warn({ err }, 'storage: automatic compaction failed'));
      }
    }, this.limits.compactionIntervalMs);
    // Age leaves the window even when nothing is written.
    const aging = setInterval(() => this.trim(Date.now()), Math.min(5_000, this.limits.maxHistoryAgeMs));
    for (const t of [compaction, aging]) t.unref();
    this.timers.push(compaction, aging);
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`openLevelStorage: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
