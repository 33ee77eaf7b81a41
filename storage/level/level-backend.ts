/**
 * The LevelDB raw backend ({@link RawBackend}): the durable store under the watch cache. It keeps nothing of the
 * data in memory: current objects and the event log live on disk, and each group of transactions reads the
 * current records of its keys before it is planned. Every transaction goes through one group-commit queue and is
 * acknowledged only after its batch (objects, event-log records, revision counter) is synced to disk; then
 * subscribers are notified, in the same synchronous step, before any acknowledgement is delivered.
 */
import { Level } from 'level';
import { StorageError } from '../errors.js';
import type {
  RawBackend,
  RawEvent,
  RawHistory,
  RawListener,
  RawObject,
  RawRange,
  RawWrite,
  RawWriteResult,
} from '../raw.js';
import { type CurrentRecord, type DbOp, planBatch } from './batch-plan.js';
import {
  EVENT_PREFIX,
  EVENT_RANGE_END,
  META_COMPACTED,
  META_REVISION,
  OBJECT_PREFIX,
  OBJECT_RANGE_END,
  decodeEvent,
  decodeObjectRecord,
  lazyObject,
  eventKey,
  eventRevision,
  objectKey,
} from './codec.js';
import { GroupCommitQueue, type Outcome } from './group-commit.js';

export interface LevelBackendOptions {
  /** The LevelDB directory (created when missing). Only one process may open it at a time. */
  dir: string;
  /** Largest key plus value one transaction may write (etcd's --max-request-bytes). Default 1.5 MiB. */
  maxRequestBytes?: number;
  /** Where failures are reported. */
  log?: { warn(...args: unknown[]): void };
}

/** Counters of the backend, for tests and benchmarks. */
export interface LevelBackendStats {
  /** Synced LevelDB batches written. */
  batches: number;
  /** Transactions that were part of those batches (including failed comparisons). */
  operations: number;
  /** Object records read by range reads (start-up reads every live object once). */
  objectsRead: number;
  /** Event-log records read (start-up reads only the retained window's). */
  eventsRead: number;
  /** Current records of written keys read on the event loop's thread (groups of {@link INLINE_READ_KEYS} keys or fewer). */
  keysReadInline: number;
  /** Current records of written keys read on the thread pool (larger groups). */
  keysReadOffThread: number;
}

/** etcd's default --max-request-bytes. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
const SYNC = { sync: true };
/**
 * A group of transactions on this many keys or fewer reads their current records synchronously (`getSync`: from
 * LevelDB's memtable, its block cache or the OS's page cache, a few microseconds a key); a larger group reads them
 * with one `getMany` on libuv's thread pool. The hop to the pool and back (an async work item, its completion and a
 * promise) cost a lone PATCH more than the read itself: 100-150 µs of the event loop's thread of ~800 per PATCH, sent
 * one after the other by one client (kubectl's way). In a large group the one hop is shared, and a read of many
 * absent keys (creates) is better done off the event loop.
 */
export const INLINE_READ_KEYS = 8;
/**
 * How much a range read or a read of the event log takes from LevelDB in one trip to libuv's thread pool (an
 * iterator's `highWaterMarkBytes`; at most 1,000 records a trip whatever it is). classic-level's default, 16 KiB,
 * is about ten pods: a start with 10,000 pods stored made some 2,000 trips, each a wait of the event loop's thread
 * for the pool, and its reads of the objects and of the event log took ~330 and ~220 ms; with 1 MiB ~260 and ~170 ms.
 * A read asks for one record more than its limit, so a small page reads little.
 */
export const BULK_READ_BYTES = 1 << 20;
const BULK = { highWaterMarkBytes: BULK_READ_BYTES };
/** classic-level reads an iterator's `limit` as a 32-bit integer. */
const MAX_ITERATOR_LIMIT = 2 ** 31 - 1;

export class LevelBackend implements RawBackend {
  private readonly queue: GroupCommitQueue<RawWrite, RawWriteResult>;
  private readonly listeners = new Set<RawListener>();
  private readonly counters: LevelBackendStats = {
    batches: 0,
    operations: 0,
    objectsRead: 0,
    eventsRead: 0,
    keysReadInline: 0,
    keysReadOffThread: 0,
  };
  private committed = 0;
  private allocated = 0;
  private compacted = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: Level<string, string>,
    private readonly maxRequestBytes: number,
    private readonly log: { warn(...args: unknown[]): void },
  ) {
    this.queue = new GroupCommitQueue((writes) => this.commitBatch(writes));
  }

  /** Opens (creating if needed) the store in `opts.dir`; reads only its revision counters. */
  static async open(opts: LevelBackendOptions): Promise<LevelBackend> {
    if (!opts || typeof opts.dir !== 'string' || opts.dir === '')
      throw new TypeError('openLevelStorage: dir is required');
    const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1024) {
      throw new RangeError(`openLevelStorage: maxRequestBytes must be an integer >= 1024, got ${maxRequestBytes}`);
    }
    const db = new Level<string, string>(opts.dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
    await db.open();
    const backend = new LevelBackend(db, maxRequestBytes, opts.log ?? { warn() {} });
    try {
      // Read on this thread (a round trip to the thread pool each, which a start waits for, would cost more).
      const metaRevision = Number(db.getSync(META_REVISION) ?? 0);
      backend.compacted = Number(db.getSync(META_COMPACTED) ?? 0);
      // A batch is atomic, so the counter covers every event; the newest event is checked all the same.
      let newest = 0;
      for await (const k of db.keys({ gte: EVENT_PREFIX, lt: EVENT_RANGE_END, reverse: true, limit: 1 })) {
        newest = eventRevision(k);
      }
      backend.committed = backend.allocated = Math.max(metaRevision, backend.compacted, newest);
    } catch (err) {
      await db.close();
      throw err;
    }
    return backend;
  }

  async revisions(): Promise<{ current: number; compacted: number }> {
    return { current: this.committed, compacted: this.compacted };
  }

  async range(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<RawRange> {
    this.checkOpen('');
    const revision = this.committed;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const gt = opts.startAfter !== undefined && opts.startAfter >= prefix ? objectKey(opts.startAfter) : undefined;
    const items: RawObject[] = [];
    // The iterator reads a snapshot taken when it is created: every record is at `revision`.
    // One record past the limit tells whether there is more (LevelDB's limit is a 32-bit integer: a larger one
    // reads on, and the loop below stops).
    const bounds = { ...BULK, ...(Number.isInteger(limit) && limit < MAX_ITERATOR_LIMIT ? { limit: limit + 1 } : {}) };
    const it = this.db.iterator(
      gt ? { gt, lt: OBJECT_RANGE_END, ...bounds } : { gte: objectKey(prefix), lt: OBJECT_RANGE_END, ...bounds },
    );
    let more = false;
    try {
      for await (const [k, v] of it) {
        const key = k.slice(OBJECT_PREFIX.length);
        if (!key.startsWith(prefix)) break;
        if (items.length >= limit) {
          more = true;
          break;
        }
        this.counters.objectsRead++;
        const { modRevision, json } = decodeObjectRecord(v);
        items.push(lazyObject(key, modRevision, json));
      }
    } finally {
      await it.close();
    }
    return { items, revision, more };
  }

  txn(write: RawWrite): Promise<RawWriteResult> {
    if (this.closing) return Promise.reject(new StorageError('Internal', write.key, 'storage is closed'));
    return this.queue.submit(write);
  }

  async recentHistory(upTo: number, budget: { maxEvents: number; maxBytes: number }): Promise<RawHistory> {
    this.checkOpen('');
    const compacted = this.compacted;
    const records: [number, string][] = [];
    let bytes = 0;
    let truncated = false;
    const window = { gt: eventKey(compacted), lte: eventKey(upTo), reverse: true, ...BULK };
    for await (const [k, v] of this.db.iterator(window)) {
      this.counters.eventsRead++;
      if (records.length >= budget.maxEvents || bytes + v.length > budget.maxBytes) {
        truncated = true;
        break;
      }
      bytes += v.length;
      records.push([eventRevision(k), v]);
    }
    records.reverse();
    return { events: records.map(([revision, json]) => decodeEvent(revision, json)), compacted, truncated };
  }

  async subscribe(fromRevision: number, listener: RawListener): Promise<() => void> {
    this.checkOpen('');
    // Live events are held back while the part of the log the listener has not seen is read.
    const held: RawEvent[][] = [];
    const holding: RawListener = { events: (evs) => held.push([...evs]), error: (err) => listener.error(err) };
    this.listeners.add(holding);
    const upTo = this.committed;
    try {
      if (fromRevision < this.compacted) {
        throw new StorageError('Expired', '', `subscribe: revision ${fromRevision} is compacted (${this.compacted})`);
      }
      const missed: RawEvent[] = [];
      for await (const [k, v] of this.db.iterator({ gt: eventKey(fromRevision), lte: eventKey(upTo), ...BULK })) {
        this.counters.eventsRead++;
        missed.push(decodeEvent(eventRevision(k), v));
      }
      if (missed.length > 0) listener.events(missed);
    } catch (err) {
      this.listeners.delete(holding);
      throw err;
    }
    this.listeners.delete(holding);
    for (const evs of held) listener.events(evs);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen('');
    const target = Math.min(revision, this.committed);
    if (target <= this.compacted) return;
    await this.db.put(META_COMPACTED, String(target), SYNC);
    this.compacted = target;
    // Records at or below the mark are never read again: removing them may lag (or be finished by a later call).
    await this.db.clear({ gte: EVENT_PREFIX, lte: eventKey(target) });
  }

  /** Waits for queued transactions, ends subscriptions and closes the database. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.drain();
      const listeners = [...this.listeners];
      this.listeners.clear();
      for (const l of listeners) l.error(new StorageError('Internal', '', 'storage is closed'));
      await this.db.close();
    })();
    return this.closing;
  }

  /** Counters (for tests: group commit, and what start-up reads). */
  stats(): LevelBackendStats {
    return { ...this.counters };
  }

  private checkOpen(key: string): void {
    if (this.closing) throw new StorageError('Internal', key, 'storage is closed');
  }

  /**
   * Writes `ops` as one synced, atomic LevelDB batch. Built op by op (a chained batch): the array form of
   * `batch()` copies and checks every operation object in JavaScript and reads its members again through
   * Node-API, which cost about three times as much CPU per operation.
   */
  private async write(ops: readonly DbOp[]): Promise<void> {
    const batch = this.db.batch();
    try {
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    await batch.write(SYNC);
  }

  /** Commits one group of transactions; called by the queue, one group at a time. */
  private async commitBatch(writes: readonly RawWrite[]): Promise<Outcome<RawWriteResult>[]> {
    const keys = [...new Set(writes.map((w) => w.key))];
    const inline = keys.length <= INLINE_READ_KEYS;
    const values = inline
      ? keys.map((key) => this.db.getSync(objectKey(key)))
      : await this.db.getMany(keys.map(objectKey));
    this.counters[inline ? 'keysReadInline' : 'keysReadOffThread'] += keys.length;
    const current = new Map<string, CurrentRecord>();
    keys.forEach((key, i) => {
      const v = values[i];
      if (v !== undefined) current.set(key, decodeObjectRecord(v));
    });
    const plan = planBatch(writes, current, this.allocated, this.committed, this.maxRequestBytes);
    if (plan.events.length === 0) return plan.outcomes;
    this.allocated = plan.lastRevision;
    try {
      await this.write(plan.dbOps);
    } catch (err) {
      // Revisions of the failed batch stay burned: if it reached the disk after all, none is reused.
      this.log.warn({ err, operations: writes.length }, 'storage: batch write failed');
      throw new StorageError('Internal', '', `storage write failed: ${(err as Error).message}`);
    }
    this.counters.batches++;
    this.counters.operations += writes.length;
    this.committed = plan.lastRevision;
    for (const l of [...this.listeners]) {
      try {
        l.events(plan.events);
      } catch (err) {
        this.log.warn({ err }, 'storage: a subscriber failed');
      }
    }
    return plan.outcomes;
  }
}
