/**
 * The LevelDB implementation of {@link Storage}. All current objects and the retained history live in memory
 * (loaded on open); LevelDB is the durable copy. Every write goes through one group-commit queue and is
 * acknowledged only after its batch (objects, event-log records, revision counter) is synced to disk; only then
 * does the in-memory state change and do watchers see the events.
 */
import { Level } from 'level';
import { deepFreeze } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { StorageError } from '../errors.js';
import type {
  ListOptions,
  ListResult,
  StoredEvent,
  Storage,
  TryUpdate,
  UpdateOptions,
  WatchItem,
  WatchOptions,
} from '../interface.js';
import { History } from '../cache/history.js';
import { KeyIndex, type Entry } from '../cache/key-index.js';
import { listAt } from '../cache/list.js';
import { WatchHub, expired, type WatchSource } from '../cache/watch-hub.js';
import { checkPreconditions } from '../preconditions.js';
import { CasConflict, planBatch, type WriteOp } from './batch-plan.js';
import {
  EVENT_RANGE_END,
  META_COMPACTED,
  META_REVISION,
  OBJECT_PREFIX,
  OBJECT_RANGE_END,
  decodeEvent,
  eventKey,
  makeEvent,
  revisionOf,
} from './codec.js';
import { GroupCommitQueue, type Outcome } from './group-commit.js';

export interface LevelStorageOptions {
  /** The LevelDB directory (created when missing). Only one process may open it at a time. */
  dir: string;
  /** Every interval, compact to the revision that was current at the previous tick. Default 5 minutes. */
  compactionIntervalMs?: number;
  /** Most events retained in memory (and on disk); older ones are compacted. Default 100000. */
  maxHistoryEvents?: number;
  /** Live events a watcher may leave unread before it is dropped with 'TooSlow'. Default 10000. */
  watchBufferLimit?: number;
  /** Where background failures (automatic compaction) are reported. */
  log?: { warn(...args: unknown[]): void };
}

/** Counters of the write path, for tests and benchmarks. */
export interface LevelStorageStats {
  /** Synced LevelDB batches written. */
  batches: number;
  /** Operations that were part of those batches (including failed validations and compactions). */
  operations: number;
}

const DEFAULT_COMPACTION_INTERVAL_MS = 5 * 60 * 1000;
const DEFAULT_MAX_HISTORY_EVENTS = 100_000;
const DEFAULT_WATCH_BUFFER_LIMIT = 10_000;
const SYNC = { sync: true };

/**
 * Opens (creating if needed) the store in `opts.dir`, loads its objects and history into memory, and starts
 * automatic compaction. The returned Storage is a {@link LevelStorage}. Fails if another process holds the dir.
 */
export async function openLevelStorage(opts: LevelStorageOptions): Promise<Storage> {
  return LevelStorage.open(opts);
}

/**
 * The Storage over LevelDB returned by {@link openLevelStorage}; exported for `instanceof` and for the test
 * hooks {@link LevelStorage.stats} and {@link LevelStorage.watcherCount}, which are not part of Storage.
 */
export class LevelStorage implements Storage, WatchSource {
  /** The retained events (read by the watch hub; tests inspect its length). */
  readonly history = new History();
  private readonly index = new KeyIndex();
  private readonly hub: WatchHub;
  private readonly queue: GroupCommitQueue<WriteOp, KubeObject | undefined>;
  private committed = 0;
  private allocated = 0;
  private compacted = 0;
  private readonly counters: LevelStorageStats = { batches: 0, operations: 0 };
  private compactionTimer: NodeJS.Timeout | undefined;
  private revisionAtLastTick = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Level<string, string>,
    private readonly maxHistoryEvents: number,
    watchBufferLimit: number,
    private readonly log: { warn(...args: unknown[]): void },
  ) {
    this.hub = new WatchHub(this, { bufferLimit: watchBufferLimit });
    this.queue = new GroupCommitQueue((ops) => this.commitBatch(ops));
  }

  /** See {@link openLevelStorage}. */
  static async open(opts: LevelStorageOptions): Promise<LevelStorage> {
    if (!opts || typeof opts.dir !== 'string' || opts.dir === '')
      throw new TypeError('openLevelStorage: dir is required');
    const interval = positiveInteger('compactionIntervalMs', opts.compactionIntervalMs, DEFAULT_COMPACTION_INTERVAL_MS);
    const maxHistory = positiveInteger('maxHistoryEvents', opts.maxHistoryEvents, DEFAULT_MAX_HISTORY_EVENTS);
    const bufferLimit = positiveInteger('watchBufferLimit', opts.watchBufferLimit, DEFAULT_WATCH_BUFFER_LIMIT);
    const db = new Level<string, string>(opts.dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const storage = new LevelStorage(db, maxHistory, bufferLimit, opts.log ?? { warn() {} });
    try {
      await storage.load();
    } catch (err) {
      await db.close();
      throw err;
    }
    storage.startCompaction(interval);
    return storage;
  }

  create(key: string, obj: KubeObject): Promise<KubeObject> {
    return this.write({ kind: 'create', key, object: obj }) as Promise<KubeObject>;
  }

  async get(key: string): Promise<KubeObject> {
    const entry = this.index.get(key);
    if (!entry) throw new StorageError('KeyNotFound', key);
    return entry.object;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
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
    if (revision < this.compacted) throw expired(prefix, revision, this.compacted, committed);
    return listAt(this.index, this.history, prefix, revision, committed, opts);
  }

  async guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts: UpdateOptions = {}): Promise<KubeObject> {
    for (;;) {
      const current = this.index.get(key);
      if (!current) throw new StorageError('KeyNotFound', key);
      checkPreconditions(key, current.object, opts.preconditions);
      const updated = await tryUpdate(current.object);
      if (updated === current.object) return current.object;
      try {
        const op: WriteOp = { kind: 'update', key, object: updated, expectedModRevision: current.modRevision };
        return (await this.write(op)) as KubeObject;
      } catch (err) {
        // The conflicting write is committed by now: the next read sees it.
        if (err instanceof CasConflict) continue;
        throw err;
      }
    }
  }

  delete(key: string, opts: UpdateOptions = {}): Promise<KubeObject> {
    return this.write({ kind: 'delete', key, preconditions: opts.preconditions }) as Promise<KubeObject>;
  }

  watch(prefix: string, fromRevision: number, opts: WatchOptions): AsyncIterable<WatchItem> {
    return this.hub.watch(prefix, fromRevision, opts);
  }

  currentRevision(): number {
    return this.committed;
  }

  /** Alias of {@link currentRevision} for the watch hub. */
  committedRevision(): number {
    return this.committed;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    await this.write({ kind: 'compact', revision });
  }

  /** Waits for queued writes, ends all watches, stops compaction and closes the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.compactionTimer);
      await this.queue.drain();
      this.hub.closeAll();
      await this.db.close();
    })();
    return this.closing;
  }

  /** Write-path counters (for tests: group commit shows as far fewer batches than operations). */
  stats(): LevelStorageStats {
    return { ...this.counters };
  }

  /** Number of active watchers (for tests: aborted and dropped watches are released). */
  watcherCount(): number {
    return this.hub.size;
  }

  private write(op: WriteOp): Promise<KubeObject | undefined> {
    if (this.closing) {
      const key = op.kind === 'compact' ? '' : op.key;
      return Promise.reject(new StorageError('Internal', key, 'storage is closed'));
    }
    return this.queue.submit(op);
  }

  /** Commits one group of operations; called by the queue, one batch at a time. */
  private async commitBatch(ops: readonly WriteOp[]): Promise<Outcome<KubeObject | undefined>[]> {
    const plan = planBatch(ops, {
      index: this.index,
      history: this.history,
      allocatedRevision: this.allocated,
      committedRevision: this.committed,
      compactedRevision: this.compacted,
      maxHistoryEvents: this.maxHistoryEvents,
    });
    if (plan.dbOps.length === 0) return plan.outcomes;
    this.allocated = plan.lastRevision;
    try {
      await this.db.batch(plan.dbOps, SYNC);
    } catch (err) {
      // Revisions of the failed batch stay burned: if it reached the disk after all, none is reused.
      this.log.warn({ err, operations: ops.length }, 'storage: batch write failed');
      throw new StorageError('Internal', '', `storage write failed: ${(err as Error).message}`);
    }
    this.counters.batches++;
    this.counters.operations += ops.length;
    this.apply(plan.events, plan.compactTo);
    return plan.outcomes;
  }

  /** Makes a synced batch visible: index, history, revisions, then watchers, in one synchronous step. */
  private apply(events: readonly StoredEvent[], compactTo: number): void {
    for (const ev of events) {
      if (ev.type === 'DELETED') this.index.delete(ev.key);
      else this.index.set(ev.key, { object: ev.object, modRevision: ev.revision });
    }
    if (compactTo > this.compacted) {
      this.history.dropThrough(compactTo);
      this.compacted = compactTo;
    }
    for (const ev of events) if (ev.revision > compactTo) this.history.append(ev);
    if (events.length > 0) this.committed = events[events.length - 1]!.revision;
    this.hub.publish(events);
  }

  private async load(): Promise<void> {
    const metaRevision = Number((await this.db.get(META_REVISION)) ?? 0);
    this.compacted = Number((await this.db.get(META_COMPACTED)) ?? 0);
    let maxRevision = Math.max(metaRevision, this.compacted);

    const entries: [string, Entry][] = [];
    for await (const [k, v] of this.db.iterator({ gte: OBJECT_PREFIX, lt: OBJECT_RANGE_END })) {
      const object = deepFreeze(JSON.parse(v) as KubeObject);
      const modRevision = revisionOf(object);
      maxRevision = Math.max(maxRevision, modRevision);
      entries.push([k.slice(OBJECT_PREFIX.length), { object, modRevision }]);
    }
    this.index.load(entries);

    // Share one instance between consecutive events of a key and with the current object (halves memory).
    const latest = new Map<string, KubeObject>();
    for await (const [k, v] of this.db.iterator({ gt: eventKey(this.compacted), lt: EVENT_RANGE_END })) {
      const revision = Number(k.slice(2));
      const rec = decodeEvent(v);
      const last = latest.get(rec.key);
      const prev =
        rec.prevObject === undefined
          ? undefined
          : last !== undefined && last.metadata.resourceVersion === rec.prevObject.metadata?.resourceVersion
            ? last
            : deepFreeze(rec.prevObject);
      const current = this.index.get(rec.key);
      const object =
        rec.type !== 'DELETED' && current?.modRevision === revision ? current.object : deepFreeze(rec.object);
      if (rec.type === 'DELETED') latest.delete(rec.key);
      else latest.set(rec.key, object);
      this.history.append(makeEvent(rec.type, rec.key, revision, object, prev));
      maxRevision = Math.max(maxRevision, revision);
    }
    this.committed = this.allocated = this.revisionAtLastTick = maxRevision;

    const excess = this.history.length - this.maxHistoryEvents;
    if (excess > 0) await this.compact(this.history.nth(excess - 1)!.revision);
  }

  private startCompaction(intervalMs: number): void {
    this.compactionTimer = setInterval(() => {
      const target = this.revisionAtLastTick;
      this.revisionAtLastTick = this.committed;
      if (target > this.compacted && !this.closing) {
        this.compact(target).catch((err: unknown) => this.log.warn({ err }, 'storage: automatic compaction failed'));
      }
    }, intervalMs);
    this.compactionTimer.unref();
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`openLevelStorage: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
