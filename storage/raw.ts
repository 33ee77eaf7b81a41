/**
 * The raw backend contract: only what a remote key-value store such as etcd can do. Everything is asynchronous
 * and nothing is cached here: reads of the current objects at the store's revision, single-key transactions that
 * compare the key's mod revision, the newest part of the event history, a subscription to committed events, and
 * compaction. The watch cache (storage/cache/cacher.ts) builds the full {@link Storage} on top of one of these
 * (kube-apiserver's cacher over its etcd3 store); the server never sees a raw backend.
 */
import type { KubeObject } from '../apimachinery/objects.js';
import type { WatchEventType } from './interface.js';

/** One current object as the backend holds it. */
export interface RawObject {
  readonly key: string;
  /** Deeply frozen; `metadata.resourceVersion` = `modRevision`. */
  readonly object: KubeObject;
  readonly modRevision: number;
  /** Serialized size of the stored value (the unit of the cache's memory accounting). */
  readonly bytes: number;
}

/** One committed change, as the backend reports it. */
export interface RawEvent {
  readonly type: WatchEventType;
  readonly key: string;
  readonly revision: number;
  /**
   * ADDED/MODIFIED: the new state (frozen). DELETED: the last state with resourceVersion = `revision`, when the
   * backend has it decoded (history reads); live DELETED events may omit it: the cache knows the last state.
   */
  readonly object?: KubeObject;
  /** The state before the change, when the backend has it decoded (history reads; etcd's prev_kv). */
  readonly prevObject?: KubeObject;
  /** Serialized size of the new value (ADDED/MODIFIED) or of the removed one (DELETED). */
  readonly bytes: number;
}

/** A single-key transaction. `expectedModRevision`: the key's current mod revision must equal it. */
export type RawWrite =
  | { kind: 'create'; key: string; object: KubeObject }
  | { kind: 'update'; key: string; object: KubeObject; expectedModRevision: number }
  | { kind: 'delete'; key: string; expectedModRevision: number };

/**
 * The outcome of a transaction: committed at `revision` (with the stored object for create/update), or not
 * committed because the key's mod revision was `modRevision` (0: absent) and did not match; `revision` is then
 * the store's revision the comparison saw (etcd's response header), which a cache waits for before retrying.
 */
export type RawWriteResult =
  | { ok: true; revision: number; object?: KubeObject }
  | { ok: false; modRevision: number; revision: number };

/** A page of a range read. */
export interface RawRange {
  items: RawObject[];
  /** The store's revision the page was read at. */
  revision: number;
  /** More keys follow the last item. */
  more: boolean;
}

/** The newest retained events, oldest first, and the compacted revision they were read against. */
export interface RawHistory {
  events: RawEvent[];
  compacted: number;
  /** True when older retained events exist that did not fit the budget. */
  truncated: boolean;
}

/** Receives committed events in revision order, in the batches they were committed in. */
export interface RawListener {
  events(events: readonly RawEvent[]): void;
  /** The subscription broke (the store closed, or a gap): the cache must not trust its state any more. */
  error(err: unknown): void;
  /**
   * The store says every event up to `revision` has been sent (a remote store's progress notification: the
   * revisions of writes outside the subscription, or the answer to {@link RawBackend.requestProgress}). A hint for
   * consistent reads only: etcd before 3.4.25 / 3.5.8 may send one ahead of events still queued (etcd issue 15220),
   * so it never advances what the cache has applied; only events do.
   */
  progress?(revision: number): void;
}

export interface RawBackend {
  /** The store's current and compacted revisions. */
  revisions(): Promise<{ current: number; compacted: number }>;
  /** Current objects under `prefix` in key order after `startAfter`, at most `limit` (0: all). */
  range(prefix: string, opts?: { startAfter?: string; limit?: number }): Promise<RawRange>;
  /**
   * Applies one transaction. Throws StorageError 'RequestTooLarge' when the value exceeds the backend's request
   * limit (etcd's --max-request-bytes), 'Internal' when the store fails.
   */
  txn(write: RawWrite): Promise<RawWriteResult>;
  /**
   * The newest events at or below `upTo`: at most `maxEvents`, and no more than about `maxBytes` of serialized
   * values, with `object` and `prevObject` decoded. Reads only what it returns (plus one event).
   */
  recentHistory(upTo: number, budget: { maxEvents: number; maxBytes: number }): Promise<RawHistory>;
  /**
   * Notifies `listener` of every event committed after `fromRevision`, in order, as soon as it is durable.
   * Returns the function that ends the subscription.
   */
  subscribe(fromRevision: number, listener: RawListener): Promise<() => void>;
  /**
   * Present on a store other processes write to (etcd): asks the subscriptions for a progress notification,
   * so that a reader can wait until the subscription has reached the store's current revision.
   */
  requestProgress?(): void;
  /** Removes the history at or below `revision`. */
  compact(revision: number): Promise<void>;
  /** Waits for pending transactions and closes; subscriptions end. */
  close(): Promise<void>;
}
