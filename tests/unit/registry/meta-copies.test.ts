import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../storage/interface.js';
import { plainJsonCopy } from '../../../storage/json-copy.js';
import { clone, orderTopLevel, rfc3339, rfc3339Micro } from '../../../server/registry/meta.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function deeplyFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(deeplyFrozen));
}

function noneFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (!Object.isFrozen(v) && Object.values(v).every(noneFrozen));
}

/** Values on both sides of the plain/not-plain line, each with what the JSON round trip makes of it. */
const values: [string, unknown][] = [
  ['a pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] } }],
  ['scalars and empties', { s: 'x', n: 1.5, t: true, z: null, e: {}, l: [], big: 1e21, neg: -3 }],
  ['integer-like keys', { b: 1, 2: 'two', a: 2, 1: 'one' }],
  ['undefined members', { a: undefined, b: 1, c: { d: undefined } }],
  ['undefined and missing array items', [1, undefined, , 3]], // eslint-disable-line no-sparse-arrays
  ['non-finite numbers and -0', { a: NaN, b: Infinity, c: -0, d: [-0] }],
  ['dates and toJSON', { d: new Date(0), t: { toJSON: () => 'x' } }],
  ['functions and symbols', { f: () => 1, s: Symbol('s'), l: [() => 1] }],
  ['boxed primitives and class instances', { s: new String('x'), m: new Map([[1, 2]]), b: Buffer.from('ab') }],
  ['a __proto__ key', JSON.parse('{"__proto__": {"a": 1}, "b": 2}')],
  ['lone surrogates', { '\ud800': '\udc00x' }],
  ['null-prototype objects', Object.assign(Object.create(null) as object, { a: [1, { b: 2 }] })],
  ['frozen data', Object.freeze({ a: Object.freeze([1, Object.freeze({ b: 'c' })]) })],
];

describe('clone: a mutable copy, as the JSON round trip makes it', () => {
  for (const [name, v] of values) {
    it(name, () => {
      const copy = clone(v);
      const want = roundTrip(v);
      assert.equal(JSON.stringify(copy), JSON.stringify(want));
      assert.deepStrictEqual(copy, want);
      assert.ok(noneFrozen(copy));
    });
  }

  it('shares nothing with the original', () => {
    const v = { a: { b: [{ c: 1 }] } };
    const copy = clone(v);
    copy.a.b[0]!.c = 2;
    assert.equal(v.a.b[0]!.c, 1);
  });

  it('fails as the round trip fails: undefined, cycles, bigints', () => {
    assert.throws(() => clone(undefined), SyntaxError);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = { back: cyclic };
    assert.throws(() => clone(cyclic), TypeError);
    assert.throws(() => clone({ n: 1n }), TypeError);
  });
});

describe('plainJsonCopy: the copy itself', () => {
  it('copies plain data, frozen throughout on request', () => {
    const [, pod] = values[0]!;
    const frozen = plainJsonCopy(pod, true);
    assert.deepStrictEqual(frozen, roundTrip(pod));
    assert.ok(deeplyFrozen(frozen));
    assert.ok(noneFrozen(plainJsonCopy(pod)));
  });

  it('leaves out undefined members but gives up on what only the round trip can convert', () => {
    assert.deepStrictEqual(plainJsonCopy({ a: undefined, b: [1] }), { b: [1] });
    for (const v of [undefined, [undefined], { a: NaN }, { a: -0 }, { d: new Date(0) }, { t: { toJSON: () => 1 } }, JSON.parse('{"__proto__": 1}'), { f: () => 1 }]) {
      assert.equal(plainJsonCopy(v), undefined);
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.equal(plainJsonCopy(cyclic), undefined);
  });
});

describe('serialization helpers', () => {
  it('rfc3339 and rfc3339Micro print UTC at second and microsecond precision', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    assert.equal(rfc3339(d), '2024-01-02T03:04:05Z');
    assert.equal(rfc3339Micro(d), '2024-01-02T03:04:05.678000Z');
    assert.equal(rfc3339(new Date(Date.UTC(12345, 0, 1))), '+012345-01-01T00:00:00Z');
  });

  it('orderTopLevel puts type meta, metadata and spec first and status last, keeping other fields in order', () => {
    const obj = { status: { phase: 'x' }, extra: 1, spec: {}, metadata: { name: 'n' }, kind: 'Pod', other: undefined, apiVersion: 'v1', 1: 'one' } as unknown as KubeObject;
    const ordered = orderTopLevel(obj);
    assert.deepEqual(Object.keys(ordered), ['1', 'apiVersion', 'kind', 'metadata', 'spec', 'extra', 'other', 'status']);
    assert.equal(ordered.metadata, obj.metadata);
    assert.deepEqual(Object.keys(orderTopLevel({ metadata: {} } as KubeObject)), ['metadata']);
  });
});
