import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clone, copyDocument, deepFreeze, plainJsonCopy, semanticEqual } from '../../../apimachinery/copy.js';

const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function deeplyFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(deeplyFrozen));
}

function noneFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (!Object.isFrozen(v) && Object.values(v).every(noneFrozen));
}

/** Values on both sides of the plain/not-plain line, each with what the JSON round trip makes of it. */
const values: [string, unknown][] = [
  [
    'a pod',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: '1' } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    },
  ],
  ['scalars and empties', { s: 'x', n: 1.5, t: true, z: null, e: {}, l: [], big: 1e21, neg: -3 }],
  ['integer-like keys', { b: 1, 2: 'two', a: 2, 1: 'one' }],
  ['undefined members', { a: undefined, b: 1, c: { d: undefined } }],
  // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
  ['undefined and missing array items', [1, undefined, , 3]],
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
    for (const v of [
      undefined,
      [undefined],
      { a: NaN },
      { a: -0 },
      { d: new Date(0) },
      { t: { toJSON: () => 1 } },
      JSON.parse('{"__proto__": 1}'),
      { f: () => 1 },
    ]) {
      assert.equal(plainJsonCopy(v), undefined);
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    assert.equal(plainJsonCopy(cyclic), undefined);
  });
});

describe('deepFreeze', () => {
  it('freezes every object and array and returns the value', () => {
    const v = { a: [1, { b: 'c' }], d: { e: null } };
    assert.equal(deepFreeze(v), v);
    assert.ok(deeplyFrozen(v));
    assert.throws(() => {
      (v.a[1] as { b: string }).b = 'x';
    }, TypeError);
  });
  it('leaves scalars and null alone', () => {
    for (const v of [null, undefined, 1, 'x', true]) assert.equal(deepFreeze(v), v);
  });
});

describe('semanticEqual: JSON structure, key order independent', () => {
  const rows: Array<[string, unknown, unknown, boolean]> = [
    ['same scalars', 'a', 'a', true],
    ['different scalars', 1, '1', false],
    ['key order', { a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    ['undefined members count as absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['null is not absent', { a: null }, {}, false],
    ['empty array is not null', [], null, false],
    ['array order matters', [1, 2], [2, 1], false],
    ['array is not object', [], {}, false],
    ['nested difference', { a: { b: [1, 2] } }, { a: { b: [1, 3] } }, false],
    ['extra key', { a: 1 }, { a: 1, b: 2 }, false],
    ['both absent', undefined, undefined, true],
  ];
  for (const [name, a, b, want] of rows) {
    it(name, () => {
      assert.equal(semanticEqual(a, b), want);
      assert.equal(semanticEqual(b, a), want);
    });
  }

  /** The definition, as written before the walk counted members instead of filtering them into arrays. */
  function byDefinition(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a))
      return a.length === (b as unknown[]).length && a.every((x, i) => byDefinition(x, (b as unknown[])[i]));
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
    const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
    return ak.length === bk.length && ak.every((k) => byDefinition(ao[k], bo[k]));
  }

  it('agrees with its definition on random values and their variations', () => {
    const value = fc.oneof(
      fc.json({ maxDepth: 3 }).map((t) => JSON.parse(t) as unknown),
      fc.object({ maxDepth: 2, values: [fc.constant(undefined), fc.constant(null), fc.integer(), fc.string()] }),
    );
    fc.assert(
      fc.property(value, value, fc.boolean(), (a, b, same) => {
        const other = same ? roundTrip(a ?? null) : b;
        assert.equal(semanticEqual(a, other), byDefinition(a, other));
        assert.equal(semanticEqual(other, a), byDefinition(other, a));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('copyDocument: what structuredClone gives', () => {
  /** Equal values, key order, prototypes and own `__proto__` keys included; and no shared objects. */
  function same(copy: unknown, orig: unknown, expected: unknown): void {
    assert.deepStrictEqual(copy, expected);
    const walk = (a: unknown, b: unknown, o: unknown): void => {
      if (a === null || typeof a !== 'object') return;
      assert.notEqual(a, o, 'a copy, not the original');
      assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(b));
      assert.deepEqual(Object.keys(a), Object.keys(b as object));
      for (const k of Object.keys(a))
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], (o as Record<string, unknown>)[k]);
    };
    walk(copy, expected, orig);
  }

  it('on JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => same(copyDocument(v), v, structuredClone(v))),
      { numRuns: 500 },
    );
  });

  it('on values only structuredClone copies as it does', () => {
    const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const v of [
      { a: undefined, b: 1 },
      [1, undefined, 2],
      // biome-ignore lint/suspicious/noSparseArray: a hole is what is tested
      [1, , 2],
      { n: -0, nan: Number.NaN, inf: Number.POSITIVE_INFINITY },
      JSON.parse('{"__proto__":{"x":1},"y":2}'),
      { d: new Date(0) },
      nullProto,
      { deep: { deeper: [{ x: null }] } },
    ])
      same(copyDocument(v), v, structuredClone(v));
    const c = copyDocument(cyclic);
    assert.equal(c.self, c);
    assert.throws(() => copyDocument({ f: () => 1 }), /could not be cloned/);
  });
});
