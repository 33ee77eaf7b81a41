// The stored form of a written object (storedForm): its text is JSON.stringify's and its copy JSON.parse's of that
// text, whatever the record holds, and the frozen subtrees a write kept within ADOPT_DEPTH levels are taken as
// they are instead of being read back from the text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { deepFreeze } from '../../../apimachinery/copy.js';
import { materialize } from '../../../storage/level/codec.js';
import { ADOPT_DEPTH, storedForm } from '../../../storage/stored-objects.js';

/** A frozen copy of `v` as the store holds its values: parsed from JSON and deeply frozen. */
const storedCopy = (v: unknown) => deepFreeze(JSON.parse(JSON.stringify(v) ?? 'null') as unknown);

/** An object whose own member is `__proto__` (as JSON.parse makes it), beside `rest`. */
function withProtoKey(proto: unknown, rest: Record<string, unknown>): Record<string, unknown> {
  const o = JSON.parse('{"__proto__":null}') as Record<string, unknown>;
  Object.defineProperty(o, '__proto__', { value: proto, enumerable: true, writable: true, configurable: true });
  return Object.assign(o, rest);
}

/**
 * Values of every kind JSON.stringify treats in its own way (undefined, functions, NaN, -0, dates, toJSON, holes,
 * null prototypes, `__proto__` members), with frozen stored copies anywhere in them.
 */
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, '', 'app', 'a "quoted"\n\u2028 text', 0, -0, 1.5, Number.NaN, Infinity, true),
    fc.constant(() => 1),
    fc.constant(new Date(0)),
    fc.constant({ toJSON: () => ({ replaced: true }) }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.sparseArray(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'spec', '1', 'toJSON', 'fieldsV1'), tie('v'), { maxKeys: 4 }),
    fc
      .dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 })
      .map((o) => Object.assign(Object.create(null), o)),
    fc
      .tuple(tie('v'), fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }))
      .map(([p, r]) => withProtoKey(p, r)),
    tie('v').map(storedCopy),
    tie('v').map(storedCopy),
  ),
})).v;

const record = fc.dictionary(fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec', 'status', 'data'), value, {
  maxKeys: 5,
});

/** The frozen plain objects and arrays within `depth` levels below `v`, through plain containers only, by path. */
function frozenWithin(v: unknown, depth: number, path = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (v === null || typeof v !== 'object' || depth === 0) return out;
  const proto: unknown = Object.getPrototypeOf(v);
  if ((proto !== Object.prototype && proto !== Array.prototype && proto !== null) || 'toJSON' in v) return out;
  for (const [k, x] of Object.entries(v)) {
    if (x === null || typeof x !== 'object') continue;
    const p = `${path}/${k}`;
    const xp: unknown = Object.getPrototypeOf(x);
    const plain = (xp === Object.prototype || xp === Array.prototype || xp === null) && !('toJSON' in x);
    if (Object.isFrozen(x) && plain) out.set(p, x);
    else frozenWithin(x, depth - 1, p, out);
  }
  return out;
}

function at(v: unknown, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], v);
}

describe('storedForm: the text and the parsed copy of a written object', () => {
  it("gives JSON.stringify's text and JSON.parse's copy of any record, frozen parts within reach taken as they are", () => {
    fc.assert(
      fc.property(record, (r) => {
        let want: string;
        try {
          want = JSON.stringify(r);
        } catch (err) {
          assert.throws(() => storedForm(r), { name: (err as Error).name });
          return;
        }
        const { json, copy } = storedForm(r);
        assert.equal(json, want);
        assert.deepStrictEqual(copy, JSON.parse(want));
        // a record with a frozen member: every frozen plain subtree within reach is the record's own (or the
        // store's shared instance of it)
        if (frozenWithin(r, 1).size === 0) return;
        for (const [path, f] of frozenWithin(r, ADOPT_DEPTH)) {
          const c = at(copy, path);
          if (c !== f) assert.ok(Object.isFrozen(c) && /\/(fieldsV1|tolerations|resources)$/.test(path), path);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps a status write's stored spec, the managed fields entries it left alone and its fieldsV1, and reads the rest back", () => {
    const spec = storedCopy({
      containers: [{ name: 'agent', image: 'bench:1' }],
      tolerations: [{ operator: 'Exists' }],
    });
    const kept = storedCopy({ manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:spec': {} } });
    // the field manager's encoding for this write: the store's shared instance of it is the first one it saw
    const fieldsV1 = storedCopy({ 'f:status': { 'f:phase': {}, 'f:stored-form-test': {} } });
    const status = (phase: string, f = fieldsV1) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', managedFields: [kept, { manager: 'kubelet', operation: 'Update', fieldsV1: f }] },
      spec,
      status: { phase },
    });
    const written = status('Running');
    const { json, copy: c } = storedForm(written);
    const copy = c as { spec: unknown; status: unknown; metadata: { managedFields: { fieldsV1?: unknown }[] } };
    assert.equal(json, JSON.stringify(written));
    assert.equal(copy.spec, spec);
    assert.equal(copy.metadata.managedFields[0], kept);
    assert.equal(copy.metadata.managedFields[1]!.fieldsV1, fieldsV1);
    const again = storedForm(status('Succeeded', storedCopy(fieldsV1))).copy as typeof copy;
    assert.equal(again.metadata.managedFields[1]!.fieldsV1, fieldsV1, 'an equal fieldsV1 is the shared instance');
    assert.notEqual(copy.status, written.status);
    assert.ok(!Object.isFrozen(copy.status), 'the copy is the caller to freeze');
    // the store's copy: frozen throughout, the kept spec shared with the live object
    const { object } = materialize(written as never, 9);
    assert.equal(object.spec, spec);
    assert.ok(Object.isFrozen(object.metadata) && Object.isFrozen(object.status));
    assert.equal(object.metadata.resourceVersion, '9');
  });

  it('reads a create back from its whole text: none of its members is frozen, only the fieldsV1 four levels down', () => {
    const fieldsV1 = storedCopy({ 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:stored-form-create': {} });
    const created = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { app: 'a' }, managedFields: [{ manager: 'kubectl', fieldsV1 }] },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    const { json, copy: c } = storedForm(created);
    const copy = c as { metadata: { managedFields: { fieldsV1?: unknown }[] } };
    assert.equal(json, JSON.stringify(created));
    assert.notEqual(copy.metadata.managedFields[0]!.fieldsV1, fieldsV1);
    assert.deepStrictEqual(copy, JSON.parse(json));
  });
});
