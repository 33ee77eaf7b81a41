/**
 * The storage contract of the API server: a versioned key-value store with ONE revision counter for the
 * whole store, shaped like etcd (mod_revision transactions, watches from a revision, compaction). It is served
 * by the watch cache (storage/cache/cacher.ts) over a raw backend (storage/raw.ts: LevelDB today), as
 * kube-apiserver's cacher serves it over etcd. Keys are laid out as kube-apiserver lays them out in etcd:
 * `/registry/<resource>/<namespace>/<name>`, cluster-scoped resources without the namespace part.
 *
 * Every stored object carries `metadata.resourceVersion` = the decimal revision of its last write. Objects
 * handed out by a Storage are deeply frozen and shared: callers clone before they change anything.
 */
import type { KubeObject } from '../apimachinery/objects.js';

/** Conditions checked against the current object before a delete or an update is committed. */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One committed change. Shared by every watcher (the API layer caches serializations on it), frozen.
 * For DELETED, `object` is the last stored state with `metadata.resourceVersion` set to the deletion revision,
 * as kube-apiserver's etcd3 watcher reports it.
 */
export interface StoredEvent {
  readonly type: WatchEventType;
  readonly key: string;
  readonly revision: number;
  readonly object: KubeObject;
  /** The state before this change (absent for ADDED); used to see an object enter or leave a selector. */
  readonly prevObject?: KubeObject;
}

/** A progress notification: every event up to `revision` has been delivered to this watcher. */
export interface ProgressEvent {
  readonly type: 'PROGRESS';
  readonly revision: number;
}

export type WatchItem = StoredEvent | ProgressEvent;

export interface ListOptions {
  /**
   * Read at exactly this revision (a continue token's revision, or resourceVersionMatch=Exact). Absent: the
   * latest revision. Below the compacted revision: StorageError 'Expired'. Above the current: 'TooLargeResourceVersion'.
   */
  revision?: number;
  /** At most this many items (after `filter`); 0 or absent: all. */
  limit?: number;
  /** Continue after this key (exclusive); a key under the listed prefix. */
  startAfter?: string;
  /** Kept items; applied before `limit` counts, as kube-apiserver's storage predicate is. */
  filter?: (obj: KubeObject) => boolean;
  /**
   * A label (name and value) that every object `filter` keeps has: a hint that lets a store visit only those
   * objects. `filter` is applied all the same; a store may ignore the hint.
   */
  labelEquals?: readonly [string, string];
}

export interface ListResult {
  items: KubeObject[];
  /** The revision the list was read at. */
  revision: number;
  /** Set when more items may follow: the last key examined; pass it as `startAfter` (with `revision`). */
  nextKey?: string;
  /** Keys after `nextKey` under the prefix, counted without `filter`; only set when no filter was given. */
  remainingItemCount?: number;
}

export interface WatchOptions {
  signal: AbortSignal;
  /** Emit a PROGRESS item after this many ms without events (watch bookmarks); absent: never. */
  progressIntervalMs?: number;
}

export interface UpdateOptions {
  preconditions?: Preconditions;
}

/**
 * Called with the current object; returns the object to store, or the very same (frozen) object to skip the
 * write (no new revision), or throws to abort (the error propagates unchanged). May be called more than once.
 */
export type TryUpdate = (current: KubeObject) => KubeObject | Promise<KubeObject>;

export interface Storage {
  /**
   * True when other API servers may write to the same store (etcd): what a server keeps in memory about stored
   * objects (such as the Service allocators) can then be stale, and exclusive reservations must be stored.
   */
  readonly shared?: boolean;
  /** Stores a new object; StorageError 'KeyExists' when the key is taken. */
  create(key: string, obj: KubeObject): Promise<KubeObject>;
  /** The current object; StorageError 'KeyNotFound'. */
  get(key: string): Promise<KubeObject>;
  /** Objects whose keys start with `prefix`, in key order, at one consistent revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /**
   * Reads the current object, applies `tryUpdate`, and commits only if the key was not written in between;
   * otherwise re-reads and retries. 'KeyNotFound' if absent; 'Conflict' if preconditions fail.
   */
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, opts?: UpdateOptions): Promise<KubeObject>;
  /** Removes the object and returns its last state (RV = deletion revision); 'KeyNotFound', 'Conflict'. */
  delete(key: string, opts?: UpdateOptions): Promise<KubeObject>;
  /**
   * Changes under `prefix` with revision > `fromRevision`, in revision order: first retained history, then live
   * events. Throws StorageError 'Expired' (synchronously on first iteration) when `fromRevision` is below the
   * compacted revision. Ends when the signal aborts; throws 'TooSlow' if the consumer falls too far behind.
   * Its iterators may be {@link WatchCursor}s.
   */
  watch(prefix: string, fromRevision: number, opts: WatchOptions): AsyncIterable<WatchItem>;
  /** The revision of the last committed write (0 for an empty store). */
  currentRevision(): number;
  /**
   * Resolves true once `currentRevision()` >= `revision` (notified, not polled), false after `timeoutMs`
   * (or when the store closes first).
   */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean>;
  /**
   * History at or below this revision is not served: watches and reads from older revisions get 'Expired'. It
   * moves up with compaction and as old events leave the bounded watch window (count, bytes, age).
   */
  compactedRevision(): number;
  /** Drops history up to `revision` (inclusive). */
  compact(revision: number): Promise<void>;
  /** Flushes and closes; pending watches end. */
  close(): Promise<void>;
}

/**
 * A watch iterator that hands over the items it has at hand without a promise each: a busy watch takes the events
 * of a batch in one synchronous step (for every watcher of every event, the promise and await of next() cost more
 * than the event's delivery otherwise does).
 */
export interface WatchCursor extends AsyncIterator<WatchItem> {
  /** The item next() would resolve with at once, or undefined when next() would have to wait or end. */
  takeNow(): WatchItem | undefined;
}
