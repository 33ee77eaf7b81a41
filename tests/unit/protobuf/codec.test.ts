// The protobuf codec on hand-made wire bytes: special encodings, Go's zero-value rules, packed and unpacked
// repeated numbers, map keys, unknown fields, and malformed input with Go's error texts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage, formatTime, parseTime } from '../../../server/protobuf/codec.js';
import { decodeObject, definitionOfKind, encodeObject, watchFrame } from '../../../server/protobuf/envelope.js';
import { ProtoError } from '../../../server/protobuf/wire.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';

/** Bytes from a list of numbers and strings (strings as UTF-8). */
function bytes(...parts: (number | string | Buffer)[]): Buffer {
  return Buffer.concat(
    parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p) : p)),
  );
}
function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return Buffer.from(out);
}
/** A length-delimited field. */
function ld(field: number, payload: Buffer | string): Buffer {
  const b = Buffer.from(payload);
  return bytes(varint((field << 3) | 2), varint(b.length), b);
}

describe('protobuf codec', () => {
  it('formats and parses Time and MicroTime as Go does', () => {
    assert.deepEqual(parseTime('2024-05-01T12:00:00Z'), { seconds: 1714564800, nanos: 0 });
    assert.deepEqual(parseTime('2024-05-01T14:00:00.5+02:00'), { seconds: 1714564800, nanos: 500_000_000 });
    assert.equal(formatTime(1714564800, 0, false), '2024-05-01T12:00:00Z');
    assert.equal(formatTime(1714564800, 123_456_789, true), '2024-05-01T12:00:00.123456Z');
    assert.equal(parseTime('yesterday'), undefined);
    // an Event's eventTime is a MicroTime; its creationTimestamp a Time
    const ev = {
      metadata: { name: 'e', creationTimestamp: '2024-05-01T12:00:00Z' },
      eventTime: '2024-05-01T12:00:00.000042Z',
      involvedObject: {},
    };
    assert.deepEqual(decodeMessage(`${CORE}Event`, encodeMessage(`${CORE}Event`, ev)), ev);
  });

  it('reads a zero-length Time as null (Go zero time), and an empty Quantity as "0"', () => {
    const meta = decodeMessage(`${META}ObjectMeta`, bytes(ld(1, 'x'), ld(8, Buffer.alloc(0))));
    assert.deepEqual(meta, { name: 'x', creationTimestamp: null });
    const limits = decodeMessage(`${CORE}ResourceRequirements`, ld(1, bytes(ld(1, 'cpu'), ld(2, Buffer.alloc(0)))));
    assert.deepEqual(limits, { limits: { cpu: '0' } });
  });

  it('drops zero values of plain omitempty fields and keeps those JSON always carries', () => {
    // ObjectMeta.name "" and generation 0 are Go zero values: absent in JSON
    assert.deepEqual(decodeMessage(`${META}ObjectMeta`, bytes(ld(1, ''), 0x38, 0x00)), {});
    // DaemonSetStatus counters are always in JSON (no omitempty): 0 is kept; updatedNumberScheduled (6) is omitempty
    const status = decodeMessage(
      'io.k8s.api.apps.v1.DaemonSetStatus',
      bytes(0x08, 0x00, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00, 0x30, 0x00),
    );
    assert.deepEqual(status, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });

  it('keeps explicit zeros of Go pointer fields (gracePeriodSeconds 0 means now)', () => {
    const opts = decodeObject(
      encodeObject({ apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Orphan' }),
    ).object;
    assert.deepEqual(opts, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      propagationPolicy: 'Orphan',
    });
    const spec = decodeMessage(
      'io.k8s.api.apps.v1.DaemonSetSpec',
      encodeMessage('io.k8s.api.apps.v1.DaemonSetSpec', { revisionHistoryLimit: 0, minReadySeconds: 0 }),
    );
    assert.deepEqual(spec, { revisionHistoryLimit: 0 });
  });

  it('encodes IntOrString by its JSON type, and reads both forms', () => {
    const port = (v: unknown) => encodeMessage(`${CORE}TCPSocketAction`, { port: v });
    assert.deepEqual([...port(8080)], [0x0a, 0x05, 0x08, 0x00, 0x10, 0x90, 0x3f]);
    assert.deepEqual([...port('http')], [0x0a, 0x08, 0x08, 0x01, 0x1a, 0x04, ...Buffer.from('http')]);
    assert.deepEqual(decodeMessage(`${CORE}TCPSocketAction`, port(8080)), { port: 8080 });
    assert.deepEqual(decodeMessage(`${CORE}TCPSocketAction`, port('http')), { port: 'http' });
  });

  it('accepts packed and unpacked repeated numbers', () => {
    // PodSecurityContext.supplementalGroups = 4 (repeated int64)
    const unpacked = bytes(0x20, 0x01, 0x20, 0x02);
    const packed = bytes(0x22, 0x02, 0x01, 0x02);
    assert.deepEqual(decodeMessage(`${CORE}PodSecurityContext`, unpacked), { supplementalGroups: [1, 2] });
    assert.deepEqual(decodeMessage(`${CORE}PodSecurityContext`, packed), { supplementalGroups: [1, 2] });
  });

  it('writes map entries in key order and reads any key safely', () => {
    const labels = encodeMessage(`${META}ObjectMeta`, { labels: { b: '2', a: '1' } });
    assert.deepEqual(labels, bytes(ld(11, bytes(ld(1, 'a'), ld(2, '1'))), ld(11, bytes(ld(1, 'b'), ld(2, '2')))));
    const evil = decodeMessage(`${META}ObjectMeta`, ld(11, bytes(ld(1, '__proto__'), ld(2, 'x')))) as {
      labels: Record<string, string>;
    };
    assert.equal(Object.getPrototypeOf(evil.labels), Object.prototype);
    assert.deepEqual(Object.keys(evil.labels), ['__proto__']);
    // a map entry without a value has the zero value
    assert.deepEqual(decodeMessage(`${META}ObjectMeta`, ld(11, ld(1, 'k'))), { labels: { k: '' } });
  });

  it('skips unknown fields of every wire type', () => {
    const unknown = bytes(
      0xf8,
      0x7f,
      0x05,
      0xf9,
      0x7f,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      0xfa,
      0x7f,
      0x01,
      0x00,
      0xfd,
      0x7f,
      1,
      2,
      3,
      4,
      0xfb,
      0x7f,
      0x08,
      0x01,
      0xfc,
      0x7f,
    );
    assert.deepEqual(decodeMessage(`${META}ObjectMeta`, bytes(unknown, ld(1, 'kept'))), { name: 'kept' });
  });

  it('fails malformed input with the texts of Go unmarshalers', () => {
    const fails = (b: Buffer, message: RegExp) =>
      assert.throws(
        () => decodeMessage(`${META}ObjectMeta`, b),
        (err: unknown) => err instanceof ProtoError && message.test(err.message),
      );
    fails(bytes(0x0a, 0x05, 'ab'), /^unexpected EOF$/);
    fails(bytes(0x08, 0x01), /^proto: wrong wireType = 0 for field Name$/);
    fails(bytes(0x0e), /^proto: wrong wireType = 6 for field Name$/);
    fails(bytes(0xfe, 0x7f), /^proto: illegal wireType 6$/);
    fails(bytes(0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), /^proto: integer overflow$/);
    fails(bytes(0x38), /^unexpected EOF$/);
    fails(bytes(0x0c), /end group/);
    // embedded JSON (FieldsV1) nested deeper than Go's encoding/json allows
    const deep = Buffer.from('['.repeat(10001) + ']'.repeat(10001));
    const entry = ld(7, ld(1, deep)); // ManagedFieldsEntry.fieldsV1
    assert.throws(() => decodeMessage(`${META}ObjectMeta`, ld(17, entry)), /exceeded max depth/);
  });

  it('refuses envelopes without the magic number and kinds it does not serve', () => {
    assert.throws(() => decodeObject(Buffer.from('{"kind":"Pod"}')), /expected prefix \[107 56 115 0\]/);
    assert.throws(() => decodeObject(encodeObject({ apiVersion: 'v1', kind: 'Pod' }).subarray(0, 6)), /unexpected EOF/);
    assert.throws(
      () => decodeObject(bytes('k8s', 0, ld(1, bytes(ld(1, 'v1'), ld(2, 'Nope'))))),
      /no kind "Nope" is registered for version "v1"/,
    );
    // missing type meta is taken from the endpoint
    assert.deepEqual(
      decodeObject(bytes('k8s', 0, ld(2, ld(1, ld(1, 'n')))), { apiVersion: 'v1', kind: 'Namespace' }).object,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } },
    );
    assert.throws(() => decodeObject(bytes('k8s', 0, ld(2, ''))), /Object 'Kind' is missing/);
  });

  it('finds DeleteOptions in every group version, as apimachinery registers it', () => {
    for (const gv of ['v1', 'apps/v1', 'policy/v1', 'meta.k8s.io/v1'])
      assert.equal(definitionOfKind(gv, 'DeleteOptions'), `${META}DeleteOptions`);
    assert.equal(definitionOfKind('v1', 'Table'), undefined);
  });

  it('frames watch events with a big-endian length and an embedded envelope', () => {
    const obj = encodeObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
    const frame = watchFrame('ADDED', obj);
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    const ev = decodeMessage(`${META}WatchEvent`, frame.subarray(4));
    assert.deepEqual(ev, { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } } });
  });
});
