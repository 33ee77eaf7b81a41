/**
 * Histories of concurrent operations and two checkers for them.
 *
 * - {@link checkLinearizable}: the generic check, Wing & Gong's search with Lowe's memoisation (as Knossos and
 *   Porcupine do it) for one object and a sequential model. An operation whose outcome is unknown (the client
 *   saw no answer) may take effect at any point after its invocation, or never.
 * - {@link checkCounterHistory}: the direct checks of a counter that clients increment by read-modify-write with
 *   a resourceVersion precondition: no lost update, no stale read, a 409 only when the precondition was stale and
 *   never a silent overwrite. Its messages name the operations involved, which the generic search cannot.
 *
 * Times are from one monotonic clock (`performance.now()`); an operation A precedes B when A completed before B
 * was invoked. Linearizability is local (Herlihy & Wing), so each object is checked on its own.
 */

/** One operation as a client saw it. */
export interface Operation<I = unknown, O = unknown> {
  /** Which client (for messages). */
  client: number;
  /** The object it acts on (histories are checked per object). */
  key: string;
  input: I;
  /** The answer; undefined when the client never saw one (connection cut, timeout): the outcome is unknown. */
  output: O | undefined;
  invoke: number;
  /** When the answer arrived; undefined with an unknown outcome. */
  complete: number | undefined;
}

/** A sequential specification: the state after applying `op` to `state`, or undefined if `op` cannot happen there. */
export interface Model<S, I, O> {
  init: S;
  step(state: S, input: I, output: O | undefined): S | undefined;
  /** A string that identifies a state (memoisation). */
  key(state: S): string;
  describe?(op: Operation<I, O>): string;
}

export type Verdict =
  | { ok: true; order: number[] }
  | { ok: false; reason: string; unknown?: boolean; longestPrefix: number[] };

interface Entry {
  op: number;
  call: boolean;
  time: number;
  prev: Entry | undefined;
  next: Entry | undefined;
  match: Entry | undefined;
}

/**
 * Whether `ops` (one object's history) is linearizable with respect to `model`. `maxSteps` bounds the search;
 * past it the verdict is `{ ok: false, unknown: true }` (the caller decides whether that fails a test).
 */
export function checkLinearizable<S, I, O>(
  ops: readonly Operation<I, O>[],
  model: Model<S, I, O>,
  maxSteps = 5_000_000,
): Verdict {
  // Entries in time order: at equal times calls come first, so touching operations count as concurrent.
  const raw: Array<{ op: number; call: boolean; time: number }> = [];
  ops.forEach((o, i) => {
    raw.push({ op: i, call: true, time: o.invoke });
    raw.push({ op: i, call: false, time: o.complete ?? Number.POSITIVE_INFINITY });
  });
  raw.sort((a, b) => a.time - b.time || (a.call === b.call ? 0 : a.call ? -1 : 1));
  const head: Entry = { op: -1, call: false, time: -Infinity, prev: undefined, next: undefined, match: undefined };
  let tail = head;
  const calls = new Map<number, Entry>();
  for (const r of raw) {
    const e: Entry = { ...r, prev: tail, next: undefined, match: undefined };
    tail.next = e;
    tail = e;
    if (r.call) calls.set(r.op, e);
    else calls.get(r.op)!.match = e;
  }
  const lift = (call: Entry): void => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Entry): void => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const linearized = new Uint8Array(ops.length);
  const seen = new Set<string>();
  const memoKey = (state: S): string => {
    let bits = '';
    for (let i = 0; i < linearized.length; i += 6) {
      let v = 0;
      for (let j = 0; j < 6 && i + j < linearized.length; j++) v |= linearized[i + j]! << j;
      bits += String.fromCharCode(48 + v);
    }
    return `${bits}|${model.key(state)}`;
  };
  const stack: Array<{ call: Entry; state: S }> = [];
  let longest: number[] = [];
  let state = model.init;
  let entry = head.next;
  let steps = 0;
  while (entry) {
    if (++steps > maxSteps) {
      return {
        ok: false,
        unknown: true,
        reason: `search gave up after ${maxSteps} steps`,
        longestPrefix: longest,
      };
    }
    if (entry.call) {
      const op = ops[entry.op]!;
      const next = model.step(state, op.input, op.output);
      let advanced = false;
      if (next !== undefined) {
        linearized[entry.op] = 1;
        const k = memoKey(next);
        if (!seen.has(k)) {
          seen.add(k);
          stack.push({ call: entry, state });
          state = next;
          lift(entry);
          if (stack.length > longest.length) longest = stack.map((s) => s.call.op);
          advanced = true;
        } else linearized[entry.op] = 0;
      }
      entry = advanced ? head.next : entry.next;
    } else {
      // The answer of an operation not yet linearized: it must have taken effect before this point.
      if (ops[entry.op]!.complete === undefined) {
        // Only operations with unknown outcomes are left: they may never have happened.
        return { ok: true, order: stack.map((s) => s.call.op) };
      }
      const top = stack.pop();
      if (!top) {
        return {
          ok: false,
          reason: describeFailure(ops, model, longest),
          longestPrefix: longest,
        };
      }
      linearized[top.call.op] = 0;
      state = top.state;
      unlift(top.call);
      entry = top.call.next;
    }
  }
  return { ok: true, order: stack.map((s) => s.call.op) };
}

function describeFailure<S, I, O>(ops: readonly Operation<I, O>[], model: Model<S, I, O>, longest: number[]): string {
  const show = (i: number): string => {
    const o = ops[i]!;
    return model.describe
      ? model.describe(o)
      : `client ${o.client} ${JSON.stringify(o.input)} -> ${JSON.stringify(o.output)} [${o.invoke.toFixed(1)}, ${o.complete?.toFixed(1) ?? '?'}]`;
  };
  const done = new Set(longest);
  const pending = ops
    .map((_, i) => i)
    .filter((i) => !done.has(i))
    .sort((a, b) => ops[a]!.invoke - ops[b]!.invoke)
    .slice(0, 5);
  return [
    `not linearizable: the longest linearizable prefix has ${longest.length} of ${ops.length} operations`,
    `  its last operations: ${longest.slice(-3).map(show).join('; ') || '(none)'}`,
    `  first operations that could not follow: ${pending.map(show).join('; ')}`,
  ].join('\n');
}

/**
 * Operations on a Kubernetes object seen as a register whose state is its resourceVersion and a value. Every
 * successful write creates a new resourceVersion, so reads and writes pin the order; conflicts are free to move
 * within their windows.
 */
export type ObjectInput =
  | { f: 'read' }
  /** A write with a resourceVersion precondition (PUT with metadata.resourceVersion, or a patch carrying it). */
  | { f: 'cas'; expectRV: string; value: number };
export type ObjectOutput =
  | { rv: string; value: number } // read, or a successful write
  | { conflict: true } // 409
  | { notFound: true };

export interface ObjectState {
  rv: string;
  value: number;
}

/** The model of {@link ObjectInput} operations, starting at `init`. */
export function objectRegisterModel(init: ObjectState): Model<ObjectState, ObjectInput, ObjectOutput> {
  return {
    init,
    key: (s) => `${s.rv}:${s.value}`,
    step(s, input, output) {
      if (input.f === 'read') {
        if (output === undefined) return s; // a read with no answer changes nothing
        return 'rv' in output && output.rv === s.rv && output.value === s.value ? s : undefined;
      }
      if (output === undefined) {
        // unknown outcome: it either took effect here (with a resourceVersion we never learnt) or not at all;
        // a write with a stale precondition cannot take effect
        return s.rv === input.expectRV ? { rv: `?${input.expectRV}`, value: input.value } : s;
      }
      if ('conflict' in output) return s.rv !== input.expectRV ? s : undefined;
      if ('rv' in output)
        return s.rv === input.expectRV && output.value === input.value
          ? { rv: output.rv, value: output.value }
          : undefined;
      return undefined;
    },
    describe(o) {
      const i = o.input;
      const out = o.output;
      const what = i.f === 'read' ? 'read' : `cas(rv ${i.expectRV} -> ${i.value})`;
      const res = out === undefined ? '?' : 'conflict' in out ? '409' : 'rv' in out ? `${out.value}@${out.rv}` : '404';
      return `client ${o.client} ${what} = ${res} [${o.invoke.toFixed(1)}, ${o.complete?.toFixed(1) ?? '?'}]`;
    },
  };
}

/** A counter history: reads, and increments that are conditional writes of read value + 1. */
export type CounterOp = Operation<ObjectInput, ObjectOutput>;

export interface CounterReport {
  /** Problems found; empty when the history holds every promise. */
  problems: string[];
  /** Successful increments. */
  acknowledged: number;
  conflicts: number;
  reads: number;
}

/**
 * Direct checks of one counter's history (all operations on one key), given the object's state before the
 * history (`init`) and after it (`final`, read once everything was answered):
 * - no lost update: the successful writes form one chain from `init` (each one's precondition is the
 *   resourceVersion the previous one produced, each adds one) and `final` is its end: its value is the initial
 *   value plus the number of acknowledged increments;
 * - never a silent overwrite: no two successful writes share a precondition;
 * - a 409 only when the precondition was stale: some successful write moved the object off that
 *   resourceVersion before the 409 was answered;
 * - no stale read: a read sees a resourceVersion at least as new as every write acknowledged before the read
 *   was sent, and never one that did not exist yet when it answered.
 */
export function checkCounterHistory(ops: readonly CounterOp[], init: ObjectState, final: ObjectState): CounterReport {
  const problems: string[] = [];
  const rvNum = (rv: string) => Number(rv);
  const writes = ops.filter((o) => o.input.f === 'cas' && o.output !== undefined && 'rv' in o.output);
  const conflicts = ops.filter((o) => o.output !== undefined && 'conflict' in o.output);
  const reads = ops.filter((o) => o.input.f === 'read' && o.output !== undefined && 'rv' in o.output);
  const unknown = ops.filter((o) => o.output === undefined);
  if (unknown.length > 0) problems.push(`${unknown.length} operations got no answer`);

  // The chain of successful writes.
  const byPrecondition = new Map<string, CounterOp[]>();
  for (const w of writes) {
    const pre = (w.input as { expectRV: string }).expectRV;
    byPrecondition.set(pre, [...(byPrecondition.get(pre) ?? []), w]);
  }
  for (const [pre, ws] of byPrecondition)
    if (ws.length > 1)
      problems.push(
        `silent overwrite: ${ws.length} writes succeeded with the same precondition rv ${pre} (clients ${ws.map((w) => w.client).join(', ')})`,
      );
  let cur = init;
  const chained = new Set<CounterOp>();
  for (;;) {
    const next = byPrecondition.get(cur.rv)?.[0];
    if (!next) break;
    const out = next.output as ObjectState;
    const value = (next.input as { value: number }).value;
    if (value !== cur.value + 1 || out.value !== value)
      problems.push(`write on rv ${cur.rv} stored ${out.value}, expected ${cur.value + 1}`);
    if (rvNum(out.rv) <= rvNum(cur.rv)) problems.push(`write on rv ${cur.rv} produced an older rv ${out.rv}`);
    chained.add(next);
    cur = out;
  }
  if (chained.size !== writes.length)
    problems.push(
      `lost update: ${writes.length - chained.size} acknowledged writes are not in the chain of successful writes`,
    );
  if (final.rv !== cur.rv || final.value !== cur.value)
    problems.push(
      `final state ${final.value}@${final.rv} is not the end of the chain ${cur.value}@${cur.rv} (lost or phantom update)`,
    );
  if (final.value !== init.value + writes.length)
    problems.push(
      `lost update: final value ${final.value}, but ${writes.length} increments of ${init.value} were acknowledged`,
    );

  // Every 409 deserved: the precondition's rv was replaced by a write invoked before the 409 was answered.
  const replacedBy = new Map<string, CounterOp>(writes.map((w) => [(w.input as { expectRV: string }).expectRV, w]));
  for (const c of conflicts) {
    const pre = (c.input as { expectRV: string }).expectRV;
    const w = replacedBy.get(pre);
    if (!w || w.invoke > c.complete!)
      problems.push(
        `409 on a fresh precondition: client ${c.client} got a conflict for rv ${pre} at ${c.complete!.toFixed(1)}, ` +
          (w ? `but it was replaced only by a write sent at ${w.invoke.toFixed(1)}` : 'which was never replaced'),
      );
  }

  // Reads: no older than any write acknowledged before they were sent, no newer than what was written.
  const sortedWrites = [...writes].sort((a, b) => a.complete! - b.complete!);
  const initRV = rvNum(init.rv);
  for (const r of reads) {
    const got = r.output as ObjectState;
    let floor = initRV;
    for (const w of sortedWrites) {
      if (w.complete! >= r.invoke) break;
      floor = Math.max(floor, rvNum((w.output as ObjectState).rv));
    }
    if (rvNum(got.rv) < floor)
      problems.push(
        `stale read: client ${r.client} read ${got.value}@${got.rv} at ${r.invoke.toFixed(1)}, after a write of rv ${floor} was acknowledged`,
      );
    if (got.rv !== init.rv) {
      const w = writes.find((x) => (x.output as ObjectState).rv === got.rv);
      if (!w) problems.push(`client ${r.client} read ${got.value}@${got.rv}, which no acknowledged write produced`);
      else if (w.invoke > r.complete!)
        problems.push(`client ${r.client} read ${got.value}@${got.rv} before the write producing it was sent`);
      else if ((w.output as ObjectState).value !== got.value)
        problems.push(
          `client ${r.client} read value ${got.value} at rv ${got.rv}, written as ${(w.output as ObjectState).value}`,
        );
    } else if (got.value !== init.value) problems.push(`client ${r.client} read ${got.value} at the initial rv`);
  }
  return { problems, acknowledged: writes.length, conflicts: conflicts.length, reads: reads.length };
}

/** A monotonic clock in ms for histories. */
export const now = (): number => performance.now();
