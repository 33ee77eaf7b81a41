/**
 * Large JSON list bodies written in chunks (server/api/serialize.ts, ListBodyStream): the bytes written are the
 * whole body, whatever the sizes of the items against the chunk size, and a chunk buffer is filled again only after
 * the socket has taken it (its write callback), with a bounded number of chunks in flight.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ListBodyStream, type ListPieces } from '../../../server/api/serialize.js';

const KB = 1024;

function pieces(texts: string[]): ListPieces {
  const head = '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[';
  const lengths = Uint32Array.from(texts, (t) => Buffer.byteLength(t));
  const size = Buffer.byteLength(head) + 2 + Math.max(0, texts.length - 1) + lengths.reduce((a, b) => a + b, 0);
  return { head, texts, lengths, size };
}

const whole = (p: ListPieces) => Buffer.from(`${p.head}${p.texts.join(',')}]}`);

/**
 * A response that takes writes slowly: each write's bytes are copied when written and compared again when its
 * callback runs (a chunk filled again too early would differ), and the writes not yet called back are counted.
 */
class SlowResponse extends Writable {
  readonly got: Buffer[] = [];
  pending = 0;
  maxPending = 0;
  ended = false;

  constructor(private readonly delayMs: number) {
    super();
  }

  override _write(_chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error) => void): void {
    cb();
  }

  override write(chunk: Buffer, cb?: ((err?: Error | null) => void) | BufferEncoding): boolean {
    const copy = Buffer.from(chunk);
    this.got.push(copy);
    this.pending++;
    this.maxPending = Math.max(this.maxPending, this.pending);
    setTimeout(() => {
      assert.ok(chunk.equals(copy), 'a chunk is not changed before the socket has taken it');
      this.pending--;
      if (typeof cb === 'function') cb();
    }, this.delayMs);
    return true;
  }

  override end(): this {
    this.ended = true;
    this.emit('done');
    return this;
  }
}

async function send(p: ListPieces, delayMs = 1): Promise<SlowResponse> {
  const res = new SlowResponse(delayMs);
  const body = new ListBodyStream(p);
  assert.equal(body.size, p.size);
  const done = new Promise((r) => res.once('done', r));
  body.pipe(res as unknown as NodeJS.WritableStream);
  await done;
  assert.equal(res.pending, 0, 'the response ends after every chunk was taken');
  return res;
}

describe('ListBodyStream', () => {
  it('writes the whole body in chunks, a few at a time', async () => {
    const texts = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(i % 700) }));
    const p = pieces(texts);
    const res = await send(p);
    assert.ok(Buffer.concat(res.got).equals(whole(p)));
    assert.ok(res.got.length > 4, 'more than one chunk');
    assert.ok(res.maxPending <= 4, `at most 4 chunks in flight (saw ${res.maxPending})`);
  });

  it('writes items larger than a chunk on their own, between smaller ones', async () => {
    const sizes = [300 * KB, 10, 255 * KB, 256 * KB, 700 * KB, 5, 200 * KB, 200 * KB, 1];
    const texts = sizes.map((n, i) => JSON.stringify({ i, d: 'x'.repeat(n) }));
    const p = pieces(texts);
    const res = await send(p);
    assert.ok(Buffer.concat(res.got).equals(whole(p)));
  });

  it('sends an empty list and a single item', async () => {
    for (const texts of [[], ['{"a":1}']]) {
      const p = pieces(texts);
      assert.ok(Buffer.concat((await send(p)).got).equals(whole(p)));
    }
  });

  it('stops writing once destroyed', async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(1000) }));
    const res = new SlowResponse(5);
    const body = new ListBodyStream(pieces(texts));
    body.pipe(res as unknown as NodeJS.WritableStream);
    body.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(res.got.length <= 4, 'no write after destroy beyond those in flight');
    assert.equal(res.ended, false);
  });
});
