/**
 * The LevelDB raw backend ({@link RawBackend}): the durable store under the watch cache. It keeps nothing of the
 * data in memory: current objects and the event log live on disk, and each group of transactions reads the
 * current records of its keys before it is planned. Every transaction goes through one group-commit queue and is
 * acknowledged only after its batch is durable; then subscribers are notified, in the same synchronous step,
 * before any acknowledgement is delivered.
 *
 * The event log is a database of its own and the commit point: a group's events are one synced batch, and the
 * newest of them is the store's revision. The current objects, in the store's own database, are a view of that
 * log: a group's object records are written right after its events, without a sync. A process that dies keeps them (the operating system has
 * them); a machine that stops may lose the newest of them, and the next open replays the log's events after the
 * objects' checkpoint (the revision up to which their writes were made durable) into them. The log's keys only grow,
 * so LevelDB's compactions of it move files rather than merge them; with the objects unsynced, LevelDB's threads
 * spent ~27 % less CPU on a replay of a DaemonSet's writes than with one synced database (docs/performance.md).
 */
import fs from 'node:fs';
import path from 'node:path';
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
  EVENTS_DIR,
  EVENT_PREFIX,
  EVENT_RANGE_END,
  META_CHECKPOINT,
  META_COMPACTED,
  META_REVISION,
  OBJECT_PREFIX,
  OBJECT_RANGE_END,
  decodeEvent,
  decodeObjectRecord,
  encodeObject,
  eventEffect,
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
  /**
   * LevelDB's write buffer (memory table) of the current objects' database, bytes: LevelDB's 4 MiB by default. A
   * larger one holds more of the objects' writes in memory before they go to a table file, so a key written twice
   * (a pod created, then its status) reaches the tables once, and its compactions are fewer; each MiB is resident
   * while the buffer fills (see cli/cluster-size.ts for the sizes the launcher picks).
   */
  objectsWriteBufferBytes?: number;
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
  /** Events of the log replayed into the current objects at open (what a crash left unwritten or unsynced). */
  eventsReplayed: number;
  /** Checkpoints of the current objects made (their writes made durable). */
  checkpoints: number;
}

/** etcd's default --max-request-bytes. */
export const DEFAULT_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
const SYNC = { sync: true };
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;
/**
 * The current objects are made durable once this many revisions were committed after their last checkpoint (and
 * when the store closes, and before the log is compacted): a crash replays at most about this many events.
 */
export const CHECKPOINT_EVENTS = 10_000;
/** A key range with no key of the layout in it: compacting it makes LevelDB write its memory table and nothing else. */
const NO_KEYS: [string, string] = ['\u0000', '\u0001'];
/** Events a replay applies (and records a move copies) in one batch. */
const REPLAY_CHUNK = 1000;
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
    eventsReplayed: 0,
    checkpoints: 0,
  };
  private committed = 0;
  private allocated = 0;
  private compacted = 0;
  /** The current objects' writes at or below this revision are durable (their `m:checkpoint`). */
  private checkpointed = 0;
  private checkpointing: Promise<void> | undefined;
  /**
   * Set when a committed group's object records could not be written: the objects lag the log, so no write or
   * range read is served until a restart replays the log into them.
   */
  private viewFailure: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    /** The current objects (the store's directory). */
    private readonly objects: Level<string, string>,
    /** The event log (its `events` directory). */
    private readonly events: Level<string, string>,
    private readonly maxRequestBytes: number,
    private readonly log: { warn(...args: unknown[]): void },
  ) {
    this.queue = new GroupCommitQueue((writes) => this.commitBatch(writes));
  }

  /**
   * Opens (creating if needed) the store in `opts.dir`: reads its revision counters, and replays the log's events
   * after the objects' checkpoint into them (none after a clean close). A store written in one database has its
   * log moved into a database of its own first.
   */
  static async open(opts: LevelBackendOptions): Promise<LevelBackend> {
    if (!opts || typeof opts.dir !== 'string' || opts.dir === '')
      throw new TypeError('openLevelStorage: dir is required');
    const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (!Number.isInteger(maxRequestBytes) || maxRequestBytes < 1024) {
      throw new RangeError(`openLevelStorage: maxRequestBytes must be an integer >= 1024, got ${maxRequestBytes}`);
    }
    const writeBuffer = opts.objectsWriteBufferBytes;
    if (
      writeBuffer !== undefined &&
      (!Number.isInteger(writeBuffer) || writeBuffer < 1 << 20 || writeBuffer > 1 << 30)
    ) {
      throw new RangeError(
        `openLevelStorage: objectsWriteBufferBytes must be an integer from 1 MiB to 1 GiB, got ${writeBuffer}`,
      );
    }
    const objects = new Level<string, string>(opts.dir, writeBuffer ? { ...UTF8, writeBufferSize: writeBuffer } : UTF8);
    await openDatabase(objects);
    let events: Level<string, string> | undefined;
    try {
      events = await openEventLog(objects, opts.dir);
      const backend = new LevelBackend(objects, events, maxRequestBytes, opts.log ?? { warn() {} });
      await backend.recover();
      return backend;
    } catch (err) {
      await events?.close();
      await objects.close();
      throw err;
    }
  }

  /** Reads the revision counters and brings the current objects up to the log. */
  private async recover(): Promise<void> {
    // Read on this thread (a round trip to the thread pool each, which a start waits for, would cost more).
    const metaRevision = Number(this.events.getSync(META_REVISION) ?? 0);
    this.compacted = Number(this.events.getSync(META_COMPACTED) ?? 0);
    // The newest event is the revision; a compaction mark may be past it (every event removed), and older stores
    // wrote a counter with every batch (codec.ts).
    let newest = 0;
    for await (const k of this.events.keys({ gte: EVENT_PREFIX, lt: EVENT_RANGE_END, reverse: true, limit: 1 })) {
      newest = eventRevision(k);
    }
    this.committed = this.allocated = Math.max(metaRevision, this.compacted, newest);
    this.checkpointed = Number(this.objects.getSync(META_CHECKPOINT) ?? 0);
    if (this.checkpointed > this.committed) {
      // Revisions would be handed out again below objects that hold them.
      throw new Error(
        `the store's event log (${path.join(this.objects.location, EVENTS_DIR)}) ends at revision ${this.committed}, ` +
          `before its objects' checkpoint at ${this.checkpointed}: it was removed or replaced`,
      );
    }
    if (this.checkpointed < this.committed) {
      // The log keeps every event after the checkpoint (it is compacted only up to it).
      await this.replay(Math.max(this.checkpointed, this.compacted), this.committed);
      await this.checkpoint();
    }
  }

  /**
   * Applies the log's events in (`after`, `upTo`] to the current objects, in order: each key ends as its last event
   * left it (a deletion removes it). The objects hold every write at or below `after` (their checkpoint) and no write
   * the log does not have (they are written after it), so this restores them whatever a crash lost. Idempotent.
   */
  private async replay(after: number, upTo: number): Promise<void> {
    let ops: DbOp[] = [];
    for await (const [k, v] of this.events.iterator({ gt: eventKey(after), lte: eventKey(upTo), ...BULK })) {
      const { key, objectJson } = eventEffect(v);
      ops.push(
        objectJson === undefined
          ? { type: 'del', key: objectKey(key) }
          : { type: 'put', key: objectKey(key), value: encodeObject(eventRevision(k), objectJson) },
      );
      if (ops.length >= REPLAY_CHUNK) {
        await write(this.objects, ops, undefined);
        this.counters.eventsReplayed += ops.length;
        ops = [];
      }
    }
    await write(this.objects, ops, undefined);
    this.counters.eventsReplayed += ops.length;
  }

  /**
   * Makes the current objects' writes up to the committed revision durable and records that revision as their
   * checkpoint: LevelDB writes its memory table to a synced table file when it compacts a range (an empty one
   * here), and only then is the mark written, synced. (A synced write alone would not do: when LevelDB moves to a
   * new write-ahead file it does not sync the one before, whose records only its table file makes durable.)
   * One at a time; a call while one runs waits for it and makes another if the committed revision moved on.
   */
  private async checkpoint(): Promise<void> {
    while (this.checkpointing) await this.checkpointing.catch(() => {});
    const upTo = this.committed; // every group up to here has written its objects
    if (upTo <= this.checkpointed || this.viewFailure) return;
    const run = (async () => {
      await writeMemoryTable(this.objects);
      await this.objects.put(META_CHECKPOINT, String(upTo), SYNC);
      this.checkpointed = Math.max(this.checkpointed, upTo);
      this.counters.checkpoints++;
    })();
    this.checkpointing = run;
    try {
      await run;
    } finally {
      this.checkpointing = undefined;
    }
  }

  async revisions(): Promise<{ current: number; compacted: number }> {
    return { current: this.committed, compacted: this.compacted };
  }

  async range(prefix: string, opts: { startAfter?: string; limit?: number } = {}): Promise<RawRange> {
    this.checkOpen('');
    this.checkView(prefix);
    const revision = this.committed;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const gt = opts.startAfter !== undefined && opts.startAfter >= prefix ? objectKey(opts.startAfter) : undefined;
    const items: RawObject[] = [];
    // The iterator reads a snapshot taken when it is created: every record is at `revision`.
    // One record past the limit tells whether there is more (LevelDB's limit is a 32-bit integer: a larger one
    // reads on, and the loop below stops).
    const bounds = { ...BULK, ...(Number.isInteger(limit) && limit < MAX_ITERATOR_LIMIT ? { limit: limit + 1 } : {}) };
    const it = this.objects.iterator(
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
    try {
      this.checkView(write.key);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.queue.submit(write);
  }

  async recentHistory(upTo: number, budget: { maxEvents: number; maxBytes: number }): Promise<RawHistory> {
    this.checkOpen('');
    const compacted = this.compacted;
    const records: [number, string][] = [];
    let bytes = 0;
    let truncated = false;
    const window = { gt: eventKey(compacted), lte: eventKey(upTo), reverse: true, ...BULK };
    for await (const [k, v] of this.events.iterator(window)) {
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
      for await (const [k, v] of this.events.iterator({ gt: eventKey(fromRevision), lte: eventKey(upTo), ...BULK })) {
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
    // The log keeps every event the objects' durable state may lack: what is removed is checkpointed first.
    if (this.checkpointed < target) await this.checkpoint();
    const upTo = Math.min(target, this.checkpointed);
    if (upTo <= this.compacted) return;
    await this.events.put(META_COMPACTED, String(upTo), SYNC);
    this.compacted = upTo;
    // Records at or below the mark are never read again: removing them may lag (or be finished by a later call).
    await this.events.clear({ gte: EVENT_PREFIX, lte: eventKey(upTo) });
  }

  /**
   * Waits for queued transactions, ends subscriptions, checkpoints the current objects (the next open then
   * replays nothing) and closes the databases. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queue.drain();
      const listeners = [...this.listeners];
      this.listeners.clear();
      for (const l of listeners) l.error(new StorageError('Internal', '', 'storage is closed'));
      try {
        await this.checkpoint();
      } catch (err) {
        this.log.warn({ err }, 'storage: the checkpoint at close failed (the next open replays the log)');
      }
      await Promise.all([this.events.close(), this.objects.close()]);
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

  private checkView(key: string): void {
    if (this.viewFailure) {
      throw new StorageError(
        'Internal',
        key,
        `storage is read-only until a restart: writing the current objects failed (${this.viewFailure.message}); ` +
          'every committed write is in the log, and the restart replays it',
      );
    }
  }

  /** Commits one group of transactions; called by the queue, one group at a time. */
  private async commitBatch(writes: readonly RawWrite[]): Promise<Outcome<RawWriteResult>[]> {
    // A group queued while the one before it failed to write its objects: planned on the objects it would read
    // stale records (a create of a key that group created would be committed again). It fails as later writes do.
    this.checkView(writes[0]?.key ?? '');
    const keys = [...new Set(writes.map((w) => w.key))];
    const inline = keys.length <= INLINE_READ_KEYS;
    const values = inline
      ? keys.map((key) => this.objects.getSync(objectKey(key)))
      : await this.objects.getMany(keys.map(objectKey));
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
      await write(this.events, plan.logOps, SYNC);
    } catch (err) {
      // Revisions of the failed batch stay burned: if it reached the disk after all, none is reused.
      this.log.warn({ err, operations: writes.length }, 'storage: batch write failed');
      throw new StorageError('Internal', '', `storage write failed: ${(err as Error).message}`);
    }
    // Committed: the objects follow. Should they fail, the group stands (its events are durable and delivered) and
    // the store takes no more writes until a restart replays the log into the objects.
    try {
      await write(this.objects, plan.objectOps, undefined);
    } catch (err) {
      this.viewFailure = err as Error;
      this.log.warn({ err, revision: plan.lastRevision }, 'storage: writing the current objects failed');
    }
    this.counters.batches++;
    this.counters.operations += writes.length;
    this.committed = plan.lastRevision;
    if (this.committed - this.checkpointed >= CHECKPOINT_EVENTS && !this.checkpointing && !this.viewFailure) {
      this.checkpoint().catch((err: unknown) => this.log.warn({ err }, 'storage: checkpoint failed'));
    }
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

/**
 * Writes `ops` to `db` as one atomic LevelDB batch, synced when `options` says so. Built op by op (a chained
 * batch): the array form of `batch()` copies and checks every operation object in JavaScript and reads its members
 * again through Node-API, which cost about three times as much CPU per operation.
 */
async function write(db: Level<string, string>, ops: readonly DbOp[], options: typeof SYNC | undefined): Promise<void> {
  if (ops.length === 0) return;
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await (options ? batch.write(options) : batch.write());
}

/**
 * Opens the event log in `dir`'s {@link EVENTS_DIR}, creating it when missing. A store written in one database
 * (its log beside its objects) has the log copied into a new database, which is renamed into place once complete,
 * and then removed from the objects' database: a crash at any step leaves a store that opens.
 */
async function openEventLog(objects: Level<string, string>, dir: string): Promise<Level<string, string>> {
  const logDir = path.join(dir, EVENTS_DIR);
  const legacyRevision = objects.getSync(META_REVISION);
  if (!fs.existsSync(logDir)) {
    const legacyCompacted = objects.getSync(META_COMPACTED);
    if (legacyRevision !== undefined || legacyCompacted !== undefined) {
      const partial = `${logDir}.partial`;
      fs.rmSync(partial, { recursive: true, force: true });
      const copy = new Level<string, string>(partial, UTF8);
      await copy.open();
      try {
        let ops: DbOp[] = [];
        for await (const [k, v] of objects.iterator({ gte: EVENT_PREFIX, lt: EVENT_RANGE_END, ...BULK })) {
          ops.push({ type: 'put', key: k, value: v });
          if (ops.length >= REPLAY_CHUNK) {
            await write(copy, ops, SYNC);
            ops = [];
          }
        }
        if (legacyRevision !== undefined) ops.push({ type: 'put', key: META_REVISION, value: legacyRevision });
        if (legacyCompacted !== undefined) ops.push({ type: 'put', key: META_COMPACTED, value: legacyCompacted });
        await write(copy, ops, SYNC);
      } finally {
        await copy.close();
      }
      // Every object write of a store in one database was synced: all of them are durable.
      await objects.put(META_CHECKPOINT, String(Number(legacyRevision ?? legacyCompacted)), SYNC);
      fs.renameSync(partial, logDir);
      syncDirectory(dir);
    }
  }
  const events = new Level<string, string>(logDir, UTF8);
  await openDatabase(events);
  if (legacyRevision !== undefined) {
    // The log moved: its records in the objects' database go (the counter last, which marks them as left).
    try {
      await objects.clear({ gte: EVENT_PREFIX, lt: EVENT_RANGE_END });
      await write(
        objects,
        [
          { type: 'del', key: META_COMPACTED },
          { type: 'del', key: META_REVISION },
        ],
        SYNC,
      );
    } catch (err) {
      await events.close();
      throw err;
    }
  }
  return events;
}

/** Makes a rename in `dir` durable (where the platform can sync a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported here (Windows): the rename is as durable as the platform makes it
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Has LevelDB write `db`'s memory table to a table file (synced, with its manifest) by compacting a range without
 * keys: classic-level's `compactRange`, which the `level` package's universal type leaves out (Node has it).
 */
function writeMemoryTable(db: Level<string, string>): Promise<void> {
  return (db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange(...NO_KEYS);
}

/** Opens `db`, saying plainly when another process holds it (LevelDB's lock), as a second server on a store would. */
async function openDatabase(db: Level<string, string>): Promise<void> {
  try {
    await db.open();
  } catch (err) {
    if ((err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED') {
      throw new Error(
        `the store in ${db.location} is in use by another process (another server on the same data directory?)`,
        { cause: err },
      );
    }
    throw err;
  }
}
