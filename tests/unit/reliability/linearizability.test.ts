/**
 * The history checkers of tests/helpers/linearizability.ts, on histories whose verdict is known: the textbook
 * register examples, the counter's lost updates, stale reads and undeserved conflicts, and random histories of a
 * correct register (always linearizable) with a read of the initial value after every write was acknowledged (never).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkCounterHistory,
  checkLinearizable,
  objectRegisterModel,
  type CounterOp,
  type Model,
  type ObjectInput,
  type ObjectOutput,
  type Operation,
} from '../../helpers/linearizability.js';

type RegIn = { f: 'read' } | { f: 'write'; v: number };
type RegOp = Operation<RegIn, number | null>;
/** A plain read/write register: reads return the value, writes return null. */
const register: Model<number, RegIn, number | null> = {
  init: 0,
  key: (s) => String(s),
  step: (s, i, o) => (i.f === 'write' ? i.v : o === undefined || o === s ? s : undefined),
};
const op = (
  client: number,
  input: RegIn,
  output: number | null | undefined,
  invoke: number,
  complete?: number,
): RegOp => ({
  client,
  key: 'x',
  input,
  output,
  invoke,
  complete,
});

describe('checkLinearizable (Wing & Gong search)', () => {
  it('accepts a read concurrent with a write that sees either value', () => {
    for (const seen of [0, 1]) {
      const h = [op(0, { f: 'write', v: 1 }, null, 0, 10), op(1, { f: 'read' }, seen, 1, 2)];
      assert.equal(checkLinearizable(h, register).ok, true, `read ${seen}`);
    }
  });

  it('refuses a read that goes back to the old value after another read saw the new one', () => {
    const h = [op(0, { f: 'write', v: 1 }, null, 0, 10), op(1, { f: 'read' }, 1, 1, 2), op(2, { f: 'read' }, 0, 3, 4)];
    const v = checkLinearizable(h, register);
    assert.equal(v.ok, false);
    assert.ok(!v.ok && !v.unknown);
  });

  it('refuses a stale read after an acknowledged write', () => {
    const h = [op(0, { f: 'write', v: 1 }, null, 0, 1), op(1, { f: 'read' }, 0, 2, 3)];
    assert.equal(checkLinearizable(h, register).ok, false);
  });

  it('a write with an unknown outcome may have happened or not', () => {
    for (const seen of [0, 2]) {
      const h = [op(0, { f: 'write', v: 2 }, undefined, 0), op(1, { f: 'read' }, seen, 5, 6)];
      assert.equal(checkLinearizable(h, register).ok, true, `read ${seen}`);
    }
    // but once seen, it cannot be undone
    const h = [op(0, { f: 'write', v: 2 }, undefined, 0), op(1, { f: 'read' }, 2, 5, 6), op(1, { f: 'read' }, 0, 7, 8)];
    assert.equal(checkLinearizable(h, register).ok, false);
  });

  it('random histories of an atomic register are linearizable; a read of the initial value after every write is not', () => {
    // Each operation takes effect at one instant inside its interval, on a real register: linearizable by
    // construction. A read of the initial value after every write was acknowledged is not.
    const arbitrary = fc.array(
      fc.record({
        write: fc.boolean(),
        start: fc.integer({ min: 0, max: 1000 }),
        length: fc.integer({ min: 1, max: 200 }),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { minLength: 2, maxLength: 30 },
    );
    fc.assert(
      fc.property(arbitrary, (specs) => {
        const points = specs
          .map((s, i) => ({ ...s, i, point: s.start + s.at * s.length }))
          .sort((a, b) => a.point - b.point);
        let value = 0;
        let nextValue = 1;
        const ops: RegOp[] = [];
        for (const p of points) {
          const end = p.start + p.length;
          if (p.write) {
            value = nextValue++;
            ops.push(op(p.i, { f: 'write', v: value }, null, p.start, end));
          } else ops.push(op(p.i, { f: 'read' }, value, p.start, end));
        }
        assert.equal(checkLinearizable(ops, register).ok, true);
        // a read sent after every write was acknowledged can no longer see the initial value
        const writes = ops.filter((o) => o.input.f === 'write');
        if (writes.length === 0) return;
        const lastAck = Math.max(...writes.map((w) => w.complete!));
        const late = op(99, { f: 'read' }, 0, lastAck + 1, lastAck + 2);
        assert.equal(checkLinearizable([...ops, late], register).ok, false);
      }),
      { numRuns: 200 },
    );
  });

  it('gives up (unknown) when the search exceeds its budget', () => {
    const h: RegOp[] = [];
    for (let i = 0; i < 14; i++) h.push(op(i, { f: 'write', v: i + 1 }, null, 0, 100));
    h.push(op(20, { f: 'read' }, 99, 200, 201));
    const v = checkLinearizable(h, register, 1000);
    assert.ok(!v.ok && v.unknown);
  });
});

type Out = ObjectOutput;
const cas = (
  client: number,
  expectRV: string,
  value: number,
  output: Out | undefined,
  invoke: number,
  complete?: number,
): CounterOp => ({
  client,
  key: 'c',
  input: { f: 'cas', expectRV, value } as ObjectInput,
  output,
  invoke,
  complete,
});
const read = (client: number, rv: string, value: number, invoke: number, complete: number): CounterOp => ({
  client,
  key: 'c',
  input: { f: 'read' },
  output: { rv, value },
  invoke,
  complete,
});
const init = { rv: '10', value: 0 };

describe('checkCounterHistory and the object register model', () => {
  it('a correct history of two clients racing: one wins, the other gets 409, re-reads and wins', () => {
    const h = [
      read(0, '10', 0, 0, 1),
      read(1, '10', 0, 0, 1),
      cas(0, '10', 1, { rv: '11', value: 1 }, 2, 3),
      cas(1, '10', 1, { conflict: true }, 2, 4),
      read(1, '11', 1, 5, 6),
      cas(1, '11', 2, { rv: '12', value: 2 }, 7, 8),
      read(0, '12', 2, 9, 10),
    ];
    const r = checkCounterHistory(h, init, { rv: '12', value: 2 });
    assert.deepEqual(r.problems, []);
    assert.equal(r.acknowledged, 2);
    assert.equal(checkLinearizable(h, objectRegisterModel(init)).ok, true);
  });

  it('a silent overwrite (two writes succeed on one precondition) is a lost update', () => {
    const h = [cas(0, '10', 1, { rv: '11', value: 1 }, 2, 3), cas(1, '10', 1, { rv: '12', value: 1 }, 2, 4)];
    const r = checkCounterHistory(h, init, { rv: '12', value: 1 });
    assert.ok(r.problems.some((p) => p.includes('silent overwrite')));
    assert.ok(r.problems.some((p) => p.includes('lost update')));
    assert.equal(checkLinearizable(h, objectRegisterModel(init)).ok, false);
  });

  it('a read older than an acknowledged write is stale', () => {
    const h = [cas(0, '10', 1, { rv: '11', value: 1 }, 0, 1), read(1, '10', 0, 2, 3)];
    const r = checkCounterHistory(h, init, { rv: '11', value: 1 });
    assert.ok(r.problems.some((p) => p.startsWith('stale read')));
    assert.equal(checkLinearizable(h, objectRegisterModel(init)).ok, false);
  });

  it('a 409 nobody caused is refused', () => {
    const h = [cas(0, '10', 1, { conflict: true }, 0, 1), cas(0, '10', 1, { rv: '11', value: 1 }, 2, 3)];
    const r = checkCounterHistory(h, init, { rv: '11', value: 1 });
    assert.ok(r.problems.some((p) => p.startsWith('409 on a fresh precondition')));
    assert.equal(checkLinearizable(h, objectRegisterModel(init)).ok, false);
  });

  it('a final state that is not the end of the chain is reported', () => {
    const h = [cas(0, '10', 1, { rv: '11', value: 1 }, 0, 1)];
    const r = checkCounterHistory(h, init, { rv: '10', value: 0 });
    assert.ok(r.problems.some((p) => p.includes('final state')));
  });
});
