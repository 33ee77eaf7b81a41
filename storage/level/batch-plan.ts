/**
 * Turns a group of transactions into two LevelDB batches: one for the event log (the commit point) and one for
 * the current objects (the view the log rebuilds). Each transaction is checked against the committed state (the
 * current records of its keys, read once for the whole group) plus the transactions before it in the same group,
 * gets the next revision, and contributes its event-log record to the first batch and its object record to the
 * second. The log's batch holds event records only: the newest event is the store's revision (a group's revisions
 * follow one another, and a failed group's are in the log only if its batch reached the disk after all, events
 * included), and the log's keys only grow, so LevelDB's compactions of it move table files rather than merge them. Nothing is published here: the backend
 * notifies its listeners only once the log's batch is synced and the objects' is written.
 */
import { StorageError } from '../errors.js';
import type { RawEvent, RawWrite, RawWriteResult } from '../raw.js';
import type { Outcome } from './group-commit.js';
import { encodeEvent, encodeObject, eventKey, materialize, objectKey } from './codec.js';

/** A key's committed record as the plan sees it: its mod revision and serialized object. */
export interface CurrentRecord {
  modRevision: number;
  json: string;
}

/** One LevelDB batch operation. */
export type DbOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

export interface BatchPlan {
  /** The event-log records: written synced, they commit the group. */
  logOps: DbOp[];
  /** The object records: written after the log, not synced (a crash's loss is replayed from the log). */
  objectOps: DbOp[];
  /** The new events, in revision order. */
  events: RawEvent[];
  outcomes: Outcome<RawWriteResult>[];
  /** The last revision handed out by this plan (== `allocatedRevision` when nothing is written). */
  lastRevision: number;
}

/**
 * Checks `writes` in order against `current` (the committed records of their keys; absent = no key) plus the
 * earlier writes, assigns revisions after `allocatedRevision` (>= `committedRevision`: a failed batch burns its
 * revisions), and builds the batch. A value larger than
 * `maxRequestBytes` (key plus value, as etcd counts a request) fails with 'RequestTooLarge' and takes no revision.
 */
export function planBatch(
  writes: readonly RawWrite[],
  current: ReadonlyMap<string, CurrentRecord>,
  allocatedRevision: number,
  committedRevision: number,
  maxRequestBytes: number,
): BatchPlan {
  const overlay = new Map<string, CurrentRecord | null>();
  const lookup = (key: string): CurrentRecord | undefined => {
    const e = overlay.get(key);
    return e === null ? undefined : (e ?? current.get(key));
  };
  const logOps: DbOp[] = [];
  const objectOps: DbOp[] = [];
  const events: RawEvent[] = [];
  const outcomes: Outcome<RawWriteResult>[] = [];
  let revision = allocatedRevision;
  /** The revision a failed comparison reports: what is committed once this batch is. */
  let seen = committedRevision;

  for (const w of writes) {
    try {
      const cur = lookup(w.key);
      const modRevision = cur?.modRevision ?? 0;
      const expected = w.kind === 'create' ? 0 : w.expectedModRevision;
      if (modRevision !== expected || (w.kind === 'delete' && !cur)) {
        outcomes.push({ ok: true, value: { ok: false, modRevision, revision: Math.max(seen, modRevision) } });
        continue;
      }
      if (w.kind === 'delete') {
        seen = ++revision;
        overlay.set(w.key, null);
        objectOps.push({ type: 'del', key: objectKey(w.key) });
        logOps.push({ type: 'put', key: eventKey(revision), value: encodeEvent('DELETED', w.key, cur!.json) });
        events.push(Object.freeze({ type: 'DELETED', key: w.key, revision, bytes: cur!.json.length }));
        outcomes.push({ ok: true, value: { ok: true, revision } });
        continue;
      }
      const { object, json } = materialize(w.object, revision + 1);
      // (UTF-8 takes at most 3 bytes per UTF-16 unit: most values are measured only when they might be too large)
      const units = json.length + w.key.length;
      if (units * 3 > maxRequestBytes && Buffer.byteLength(json) + Buffer.byteLength(w.key) > maxRequestBytes) {
        throw new StorageError('RequestTooLarge', w.key, 'etcdserver: request is too large');
      }
      seen = ++revision;
      const type = cur ? 'MODIFIED' : 'ADDED';
      overlay.set(w.key, { modRevision: revision, json });
      objectOps.push({ type: 'put', key: objectKey(w.key), value: encodeObject(revision, json) });
      logOps.push({ type: 'put', key: eventKey(revision), value: encodeEvent(type, w.key, json, cur?.json) });
      events.push(Object.freeze({ type, key: w.key, revision, object, bytes: json.length }));
      outcomes.push({ ok: true, value: { ok: true, revision, object } });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return { logOps, objectOps, events, outcomes, lastRevision: revision };
}
