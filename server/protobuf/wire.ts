// The protobuf wire format at the level Kubernetes uses it: varints, length-delimited fields, fixed64 doubles.
// Writing goes through protobufjs's Writer; reading is our own so that malformed input fails with the messages
// Go's generated (gogo) unmarshalers give, which kube-apiserver puts in its 400 Status.
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs/minimal.js';

const requireCJS = createRequire(import.meta.url);
let writerClass: typeof protobuf.Writer | undefined;

/** protobufjs's Writer, loaded on first use: only protobuf requests need it (~20 ms of a start). */
export const Writer = {
  create(): protobuf.Writer {
    writerClass ??= (requireCJS('protobufjs/minimal.js') as typeof protobuf).Writer;
    return writerClass.create();
  },
};
export type Writer = protobuf.Writer;

/** Wire types. */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** A malformed protobuf message; the text is what Go's unmarshalers say. */
export class ProtoError extends Error {}

export const unexpectedEOF = () => new ProtoError('unexpected EOF');

/** A cursor over one message (or one length-delimited field) of a buffer. */
export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as its low and high 32 bits (unsigned). */
  private varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw unexpectedEOF();
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new ProtoError('proto: integer overflow');
  }

  /** An unsigned varint that must fit in 32 bits of length or tag (Go's `int` arithmetic on lengths). */
  uint32(): number {
    const [lo, hi] = this.varint64();
    return hi === 0 ? lo : hi * 4294967296 + lo;
  }

  int32(): number {
    return this.varint64()[0] | 0;
  }

  int64(): number {
    const [lo, hi] = this.varint64();
    if (hi < 0x80000000) return hi * 4294967296 + lo;
    return Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
  }

  bool(): boolean {
    const [lo, hi] = this.varint64();
    return lo !== 0 || hi !== 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw unexpectedEOF();
    const v = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return v;
  }

  /** The [start, end) of a length-delimited field's payload. */
  span(): [number, number] {
    const len = this.uint32();
    if (len > 0x7fffffff) throw new ProtoError('proto: negative length found during unmarshaling');
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw unexpectedEOF();
    this.pos = end;
    return [start, end];
  }

  bytes(): Uint8Array {
    const [s, e] = this.span();
    return this.buf.subarray(s, e);
  }

  string(): string {
    const [s, e] = this.span();
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + s, e - s).toString('utf8');
  }

  /** A field's tag: its number and wire type. */
  tag(): { field: number; wire: number } {
    const t = this.uint32();
    const wire = t & 7;
    const field = Math.floor(t / 8);
    if (wire === END_GROUP) throw new ProtoError(`proto: wiretype end group for non-group`);
    if (field <= 0) throw new ProtoError(`proto: illegal tag ${field} (wire type ${wire})`);
    return { field, wire };
  }

  /** Skips a field of an unknown number, as Go's generated code does (unknown fields are dropped). */
  skip(wire: number, depth = 0): void {
    switch (wire) {
      case VARINT:
        this.varint64();
        return;
      case FIXED64:
        if (this.pos + 8 > this.end) throw unexpectedEOF();
        this.pos += 8;
        return;
      case LENGTH_DELIMITED:
        this.span();
        return;
      case FIXED32:
        if (this.pos + 4 > this.end) throw unexpectedEOF();
        this.pos += 4;
        return;
      case START_GROUP: {
        if (depth > 64) throw new ProtoError('proto: nesting too deep');
        for (;;) {
          if (this.done) throw unexpectedEOF();
          const t = this.uint32();
          const w = t & 7;
          if (w === END_GROUP) return;
          this.skip(w, depth + 1);
        }
      }
      default:
        throw new ProtoError(`proto: illegal wireType ${wire}`);
    }
  }
}
