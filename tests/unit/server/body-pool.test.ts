/**
 * The memory of large response bodies (server/api/serialize.ts, BodyPool): a buffer is handed out again only after
 * the response that used it has closed, always cut to the size asked for.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { BodyPool } from '../../../server/api/serialize.js';

const MB = 1 << 20;
const response = () => new EventEmitter() as unknown as ServerResponse;
/** True when the two views share memory. */
const overlap = (a: Buffer, b: Buffer) =>
  a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;

describe('BodyPool', () => {
  it('hands a buffer out again only once its response has closed', () => {
    const pool = new BodyPool();
    const r1 = response();
    const a = pool.take(4 * MB, r1);
    assert.equal(a.length, 4 * MB);
    const b = pool.take(4 * MB, response());
    assert.ok(!overlap(a, b), 'a body still being sent is not handed out');
    r1.emit('close');
    const c = pool.take(3 * MB, response());
    assert.equal(c.length, 3 * MB, 'cut to the size asked for');
    assert.ok(overlap(a, c), 'the closed response’s memory is used again');
  });

  it('gives small bodies their own memory, and does not reuse a buffer far larger than needed', () => {
    const pool = new BodyPool();
    const r = response();
    const big = pool.take(8 * MB, r);
    r.emit('close');
    const small = pool.take(1000, response());
    assert.equal(small.length, 1000);
    assert.ok(!overlap(big, small));
    const half = pool.take(2 * MB, response());
    assert.ok(!overlap(big, half), 'an 8 MB buffer is not tied up by a 2 MB body');
  });
});
