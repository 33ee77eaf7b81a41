/**
 * Turns a group of write operations into one LevelDB batch. Each operation is validated against the committed
 * state plus the operations before it in the same group, gets the next revision, and contributes its object
 * record, event-log record and the revision counter to the batch. Nothing in memory changes here: the store
 * applies the plan only once the batch is synced.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { StorageError } from '../errors.js';
import type { Preconditions, StoredEvent } from '../interface.js';
import type { Entry, KeyIndex } from '../cache/key-index.js';
import type { History } from '../cache/history.js';
import { checkPreconditions } from '../preconditions.js';
import type { Outcome } from './group-commit.js';
import {
  META_COMPACTED,
  META_REVISION,
  encodeEvent,
  eventKey,
  makeEvent,
  materialize,
  objectKey,
  withResourceVersion,
} from './codec.js';

/** One queued write. `update` is a compare-and-swap on the key's mod revision (0: the key must be absent). */
export type WriteOp =
  | { kind: 'create'; key: string; object: KubeObject }
  | { kind: 'update'; key: string; object: KubeObject; expectedModRevision: number }
  | { kind: 'delete'; key: string; preconditions?: Preconditions }
  | { kind: 'compact'; revision: number };

/**
 * The outcome of an `update` whose key was written after the caller read it. The conflicting write is
 * committed by the time the caller sees this, so re-reading and retrying makes progress.
 */
export class CasConflict extends Error {
  constructor(readonly key: string) {
    super(`${key} was modified concurrently`);
  }
}

/** One LevelDB batch operation. */
export type DbOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/** The committed state a plan is validated against. */
export interface PlanState {
  readonly index: KeyIndex;
  readonly history: History;
  /** The last revision handed out (>= the committed revision: a failed batch burns its revisions). */
  readonly allocatedRevision: number;
  readonly committedRevision: number;
  readonly compactedRevision: number;
  readonly maxHistoryEvents: number;
}

export interface BatchPlan {
  dbOps: DbOp[];
  /** The new events, in revision order (all of them, including any compacted within this same batch). */
  events: StoredEvent[];
  outcomes: Outcome<KubeObject | undefined>[];
  /** The last revision handed out by this plan (== allocatedRevision when nothing is written). */
  lastRevision: number;
  /** The compacted revision once this batch is committed. */
  compactTo: number;
}

/**
 * Validates `ops` in order against `state` plus the earlier ops, assigns revisions, and builds the single
 * batch (including compaction of old history, explicit or to respect maxHistoryEvents). Pure: `state` is not
 * changed. Failed validations become failed outcomes and take no revision.
 */
export function planBatch(ops: readonly WriteOp[], state: PlanState): BatchPlan {
  const { index } = state;
  const overlay = new Map<string, Entry | null>();
  const lookup = (key: string): Entry | undefined => {
    const e = overlay.get(key);
    return e === null ? undefined : (e ?? index.get(key));
  };
  const puts: DbOp[] = [];
  const events: StoredEvent[] = [];
  const eventJson: string[] = [];
  const outcomes: Outcome<KubeObject | undefined>[] = [];
  let revision = state.allocatedRevision;
  let compactTo = state.compactedRevision;
  /** Compaction never goes past what will be committed, even when revisions were burned. */
  let lastCommitted = state.committedRevision;

  for (const op of ops) {
    try {
      if (op.kind === 'compact') {
        compactTo = Math.max(compactTo, Math.min(op.revision, lastCommitted));
        outcomes.push({ ok: true, value: undefined });
        continue;
      }
      const current = lookup(op.key);
      let event: StoredEvent;
      if (op.kind === 'delete') {
        if (!current) throw new StorageError('KeyNotFound', op.key);
        checkPreconditions(op.key, current.object, op.preconditions);
        revision++;
        event = makeEvent('DELETED', op.key, revision, withResourceVersion(current.object, revision), current.object);
        overlay.set(op.key, null);
        puts.push({ type: 'del', key: objectKey(op.key) });
        eventJson.push(encodeEvent(event));
      } else {
        if (op.kind === 'create' && current) throw new StorageError('KeyExists', op.key);
        if (op.kind === 'update' && (current?.modRevision ?? 0) !== op.expectedModRevision) {
          throw new CasConflict(op.key);
        }
        const { object, json } = materialize(op.object, revision + 1);
        revision++;
        event = current
          ? makeEvent('MODIFIED', op.key, revision, object, current.object)
          : makeEvent('ADDED', op.key, revision, object);
        overlay.set(op.key, { object, modRevision: revision });
        puts.push({ type: 'put', key: objectKey(op.key), value: json });
        eventJson.push(encodeEvent(event, json));
      }
      events.push(event);
      lastCommitted = revision;
      outcomes.push({ ok: true, value: event.object });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }

  compactTo = Math.max(compactTo, historyLimitRevision(state, events));
  const dbOps: DbOp[] = [];
  if (compactTo > state.compactedRevision) {
    for (let i = 0, ev = state.history.nth(0); ev && ev.revision <= compactTo; ev = state.history.nth(++i)) {
      dbOps.push({ type: 'del', key: eventKey(ev.revision) });
    }
    dbOps.push({ type: 'put', key: META_COMPACTED, value: String(compactTo) });
  }
  dbOps.push(...puts);
  events.forEach((ev, i) => {
    if (ev.revision > compactTo) dbOps.push({ type: 'put', key: eventKey(ev.revision), value: eventJson[i]! });
  });
  if (events.length > 0) dbOps.push({ type: 'put', key: META_REVISION, value: String(revision) });
  return { dbOps, events, outcomes, lastRevision: revision, compactTo };
}

/** The lowest compacted revision that keeps at most `maxHistoryEvents` events once `events` are added. */
function historyLimitRevision(state: PlanState, events: readonly StoredEvent[]): number {
  const retained = state.history.length;
  const excess = retained + events.length - state.maxHistoryEvents;
  if (excess <= 0) return 0;
  const last = excess <= retained ? state.history.nth(excess - 1) : events[excess - retained - 1];
  return last?.revision ?? 0;
}
