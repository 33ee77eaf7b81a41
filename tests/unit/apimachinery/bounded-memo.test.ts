import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedMemo } from '../../../apimachinery/bounded-memo.js';

describe('boundedMemo', () => {
  it('computes each kept answer once, keeps at most `max`, and computes again what `keep` refused', () => {
    const calls: string[] = [];
    const f = boundedMemo(
      (s) => {
        calls.push(s);
        return s.length;
      },
      3,
      (n) => n < 5,
    );
    assert.equal(f('a'), 1);
    assert.equal(f('a'), 1);
    assert.equal(f('long one'), 8);
    assert.equal(f('long one'), 8);
    assert.deepEqual(calls, ['a', 'long one', 'long one'], 'kept once; refused each time');
    f('bb');
    f('ccc'); // a, bb, ccc: full
    f('dddd'); // cleared, then dddd
    calls.length = 0;
    f('dddd');
    f('a');
    assert.deepEqual(calls, ['a'], 'what came before the clearing is computed again');
  });

  it('keeps nothing of a call that throws', () => {
    let n = 0;
    const f = boundedMemo(() => {
      n++;
      throw new Error('no');
    }, 4);
    assert.throws(() => f('x'));
    assert.throws(() => f('x'));
    assert.equal(n, 2);
  });

  it('keeps an undefined answer as an answer', () => {
    let n = 0;
    const f = boundedMemo(() => {
      n++;
      return undefined;
    }, 4);
    f('x');
    f('x');
    assert.equal(n, 1);
  });
});
