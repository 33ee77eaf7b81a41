import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonMergePatch } from '../../../server/patch/index.js';

interface Row {
  name: string;
  original: unknown;
  patch: unknown;
  expected: unknown;
}

/** RFC 7386 Appendix A, one row per example. */
const rfcRows: Row[] = [
  { name: 'replaces a member', original: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
  { name: 'adds a member', original: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
  { name: 'null removes a member', original: { a: 'b' }, patch: { a: null }, expected: {} },
  { name: 'null removes only that member', original: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
  { name: 'a scalar replaces a list', original: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
  { name: 'a list replaces a scalar', original: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
  {
    name: 'nested objects merge',
    original: { a: { b: 'c' } },
    patch: { a: { b: 'd', c: null } },
    expected: { a: { b: 'd' } },
  },
  { name: 'lists are replaced, not merged', original: { a: [{ b: 'c' }] }, patch: { a: [1] }, expected: { a: [1] } },
  { name: 'a list patch replaces a list document', original: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
  { name: 'a list patch replaces an object document', original: { a: 'b' }, patch: ['c'], expected: ['c'] },
  { name: 'a null patch is the result', original: { a: 'foo' }, patch: null, expected: null },
  { name: 'a scalar patch is the result', original: { a: 'foo' }, patch: 'bar', expected: 'bar' },
  { name: 'nulls already in the document stay', original: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
  {
    name: 'an object patch on a list document starts from {}',
    original: [1, 2],
    patch: { a: 'b', c: null },
    expected: { a: 'b' },
  },
  {
    name: 'nulls inside a new member are removed',
    original: {},
    patch: { a: { bb: { ccc: null } } },
    expected: { a: { bb: {} } },
  },
];

/** Behaviour of gopkg.in/evanphx/json-patch.v4 MergePatch beyond the RFC examples. */
const upstreamRows: Row[] = [
  {
    name: 'nulls in objects inside a new list are removed, null elements stay',
    original: {},
    patch: { a: [{ b: null, c: 1 }, null] },
    expected: { a: [{ c: 1 }, null] },
  },
  {
    name: 'a list replacing an object is taken verbatim',
    original: { a: { x: 1 } },
    patch: { a: [{ b: null }] },
    expected: { a: [{ b: null }] },
  },
  {
    name: 'an object replacing an explicit null is merged from {}',
    original: { a: null },
    patch: { a: { b: null, c: 1 } },
    expected: { a: { c: 1 } },
  },
  {
    name: 'kubectl label: adds a label next to the others',
    original: { metadata: { name: 'n', labels: { a: '1' } } },
    patch: { metadata: { labels: { ssd: 'true' } } },
    expected: { metadata: { name: 'n', labels: { a: '1', ssd: 'true' } } },
  },
];

describe('jsonMergePatch: RFC 7386 Appendix A', () => {
  for (const row of rfcRows) {
    it(row.name, () => {
      const original = structuredClone(row.original);
      const patch = structuredClone(row.patch);
      assert.deepStrictEqual(jsonMergePatch(original, patch), row.expected);
      assert.deepStrictEqual(original, row.original);
      assert.deepStrictEqual(patch, row.patch);
    });
  }
});

describe('jsonMergePatch: evanphx/json-patch v4 details', () => {
  for (const row of upstreamRows) {
    it(row.name, () => {
      const original = structuredClone(row.original);
      const patch = structuredClone(row.patch);
      assert.deepStrictEqual(jsonMergePatch(original, patch), row.expected);
      assert.deepStrictEqual(original, row.original);
      assert.deepStrictEqual(patch, row.patch);
    });
  }

  it('the result shares no objects with the patch', () => {
    const patch = { a: { b: [1] } };
    const out = jsonMergePatch({}, patch) as { a: { b: number[] } };
    out.a.b.push(2);
    assert.deepStrictEqual(patch, { a: { b: [1] } });
  });
});
