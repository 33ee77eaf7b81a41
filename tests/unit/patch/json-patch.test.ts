import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GENERIC_INVALID_MESSAGE, jsonPatch, PatchError } from '../../../server/patch/index.js';

const doc = {
  metadata: { name: 'p', labels: { a: '1' } },
  spec: {
    containers: [
      { name: 'a', image: 'a:1' },
      { name: 'b', image: 'b:1' },
    ],
  },
};
type Doc = typeof doc;

interface Row {
  name: string;
  ops: unknown[];
  /** Expected document, built from a copy of `doc`. */
  expected?: (d: Doc) => unknown;
  /** Upstream's cause of the 422 (PatchError.detail). */
  detail?: string;
}

const rows: Row[] = [
  {
    name: 'add a member',
    ops: [{ op: 'add', path: '/metadata/labels/b', value: '2' }],
    expected: (d) => ((d.metadata.labels = { a: '1', b: '2' } as Doc['metadata']['labels']), d),
  },
  {
    name: 'add over an existing member replaces it',
    ops: [{ op: 'add', path: '/metadata/labels/a', value: '9' }],
    expected: (d) => ((d.metadata.labels.a = '9'), d),
  },
  {
    name: 'add inserts into a list at an index',
    ops: [{ op: 'add', path: '/spec/containers/1', value: { name: 'c' } }],
    expected: (d) => (d.spec.containers.splice(1, 0, { name: 'c' } as Doc['spec']['containers'][0]), d),
  },
  {
    name: 'add at - appends',
    ops: [{ op: 'add', path: '/spec/containers/-', value: { name: 'c' } }],
    expected: (d) => (d.spec.containers.push({ name: 'c' } as Doc['spec']['containers'][0]), d),
  },
  {
    name: 'add at -1 appends (negative indexes count from the end)',
    ops: [{ op: 'add', path: '/spec/containers/-1', value: { name: 'c' } }],
    expected: (d) => (d.spec.containers.push({ name: 'c' } as Doc['spec']['containers'][0]), d),
  },
  {
    name: 'add with an escaped key (~1 is /)',
    ops: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' }],
    expected: (d) => (((d.metadata.labels as Record<string, string>)['app.kubernetes.io/name'] = 'x'), d),
  },
  {
    name: 'add without a value adds null',
    ops: [{ op: 'add', path: '/metadata/labels/b' }],
    expected: (d) => (((d.metadata.labels as Record<string, unknown>).b = null), d),
  },
  {
    name: 'remove a member',
    ops: [{ op: 'remove', path: '/metadata/labels/a' }],
    expected: (d) => ((d.metadata.labels = {} as Doc['metadata']['labels']), d),
  },
  {
    name: 'remove a list element',
    ops: [{ op: 'remove', path: '/spec/containers/0' }],
    expected: (d) => (d.spec.containers.shift(), d),
  },
  {
    name: 'remove at -1 removes the last element',
    ops: [{ op: 'remove', path: '/spec/containers/-1' }],
    expected: (d) => (d.spec.containers.pop(), d),
  },
  {
    name: 'replace a member',
    ops: [{ op: 'replace', path: '/metadata/name', value: 'q' }],
    expected: (d) => ((d.metadata.name = 'q'), d),
  },
  {
    name: 'replace of a missing member adds it (evanphx v4)',
    ops: [{ op: 'replace', path: '/metadata/namespace', value: 'ns' }],
    expected: (d) => (((d.metadata as Record<string, unknown>).namespace = 'ns'), d),
  },
  {
    name: 'replace a list element',
    ops: [{ op: 'replace', path: '/spec/containers/1/image', value: 'b:2' }],
    expected: (d) => ((d.spec.containers[1].image = 'b:2'), d),
  },
  {
    name: 'move a member',
    ops: [{ op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/z' }],
    expected: (d) => ((d.metadata.labels = { z: '1' } as unknown as Doc['metadata']['labels']), d),
  },
  {
    name: 'copy a list element',
    ops: [{ op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' }],
    expected: (d) => (d.spec.containers.push({ name: 'a', image: 'a:1' }), d),
  },
  {
    name: 'test of an equal value passes',
    ops: [{ op: 'test', path: '/spec/containers/0', value: { image: 'a:1', name: 'a' } }],
    expected: (d) => d,
  },
  {
    name: 'test of null on a missing member passes',
    ops: [{ op: 'test', path: '/metadata/namespace', value: null }],
    expected: (d) => d,
  },
  {
    name: 'operations apply in order',
    ops: [
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/k', value: 'v' },
      { op: 'test', path: '/metadata/annotations', value: { k: 'v' } },
    ],
    expected: (d) => (((d.metadata as Record<string, unknown>).annotations = { k: 'v' }), d),
  },
  {
    name: 'a failed test is a 422',
    ops: [{ op: 'test', path: '/metadata/name', value: 'other' }],
    detail: 'testing value /metadata/name failed: test failed',
  },
  {
    name: 'test of a value on a missing member fails',
    ops: [{ op: 'test', path: '/metadata/namespace', value: 'x' }],
    detail: 'testing value /metadata/namespace failed: test failed',
  },
  {
    name: 'add under a missing parent is a 422',
    ops: [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }],
    detail: 'add operation does not apply: doc is missing path: "/metadata/annotations/x": missing value',
  },
  {
    name: 'remove of a missing member is a 422',
    ops: [{ op: 'remove', path: '/metadata/namespace' }],
    detail:
      "error in remove for path: '/metadata/namespace': Unable to remove nonexistent key: namespace: missing value",
  },
  {
    name: 'replace beyond the end of a list is a 422',
    ops: [{ op: 'replace', path: '/spec/containers/5', value: {} }],
    detail: 'replace operation does not apply: doc is missing key: /spec/containers/5: missing value',
  },
  { name: 'an unknown op is a 422', ops: [{ op: 'frobnicate', path: '/x' }], detail: 'Unexpected kind: frobnicate' },
  { name: 'an operation without op is a 422', ops: [{ path: '/x' }], detail: 'Unexpected kind: unknown' },
  {
    name: 'an operation without path is a 422',
    ops: [{ op: 'remove' }],
    detail: 'remove operation failed to decode path: missing value',
  },
  {
    name: 'a failing operation discards the earlier ones',
    ops: [
      { op: 'replace', path: '/metadata/name', value: 'q' },
      { op: 'test', path: '/metadata/name', value: 'p' },
    ],
    detail: 'testing value /metadata/name failed: test failed',
  },
];

describe('jsonPatch: RFC 6902 operations as evanphx/json-patch v4 applies them', () => {
  for (const row of rows) {
    it(row.name, () => {
      const original = structuredClone(doc);
      const ops = structuredClone(row.ops);
      if (row.expected) {
        assert.deepStrictEqual(jsonPatch(original, ops), row.expected(structuredClone(doc)));
      } else {
        assert.throws(
          () => jsonPatch(original, ops),
          (e: unknown) =>
            e instanceof PatchError &&
            e.code === 422 &&
            e.reason === 'Invalid' &&
            e.message === GENERIC_INVALID_MESSAGE &&
            e.detail === row.detail,
        );
      }
      assert.deepStrictEqual(original, doc);
      assert.deepStrictEqual(ops, row.ops);
    });
  }
});

describe('jsonPatch: limits and inputs', () => {
  it('more than 10000 operations is a 413', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
    assert.throws(
      () => jsonPatch(doc, ops),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 413 &&
        e.reason === 'RequestEntityTooLarge' &&
        e.message === 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });

  it('10000 operations are accepted', () => {
    const ops = Array.from({ length: 10000 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
    assert.deepStrictEqual(jsonPatch(doc, ops), doc);
  });

  it('values added by the patch are copies', () => {
    const value = { k: 'v' };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/metadata/annotations', value },
      { op: 'add', path: '/metadata/annotations/k2', value: 'v2' },
    ]) as { metadata: { annotations: unknown } };
    assert.deepStrictEqual(out.metadata.annotations, { k: 'v', k2: 'v2' });
    assert.deepStrictEqual(value, { k: 'v' });
  });
});
