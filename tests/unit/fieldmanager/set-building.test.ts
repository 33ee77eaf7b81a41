import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fieldPE,
  FieldSet,
  keyPE,
  PathCursor,
  pathString,
  type PathElement,
} from '../../../server/fieldmanager/fieldpath.js';
import { typeFor } from '../../../server/fieldmanager/typed.js';
import { compare, toFieldSet } from '../../../server/fieldmanager/walk.js';

const POD = typeFor('', 'v1', 'Pod');
const f = fieldPE;
const k = (o: Record<string, unknown>) => keyPE(Object.entries(o));
const paths = (s: FieldSet) => s.paths().map(pathString);
const fieldsV1 = (s: FieldSet) => JSON.stringify(s.toFieldsV1());

function deeplyFrozen(v: unknown): boolean {
  return v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v).every(deeplyFrozen));
}

describe('PathCursor: filling sets while walking', () => {
  it('inserting through cursors gives the set that inserting whole paths gives', () => {
    const a = new FieldSet();
    const b = new FieldSet();
    const root = PathCursor.root(a, b);
    const spec = root.child(f('spec'));
    const c = spec.child(f('containers')).child(k({ name: 'c' }));
    c.insertInto(a);
    c.child(f('image')).insertInto(a);
    spec.child(f('nodeName')).insertInto(b);
    root.child(f('metadata')).insertInto(a);
    root.insertInto(a); // the empty path is never a member
    const want = FieldSet.of(
      [f('spec'), f('containers'), k({ name: 'c' })],
      [f('spec'), f('containers'), k({ name: 'c' }), f('image')],
      [f('metadata')],
    );
    assert.ok(a.equals(want));
    assert.deepEqual(paths(b), ['.spec.nodeName']);
  });

  it('creates nodes only below inserted paths', () => {
    const s = new FieldSet();
    const root = PathCursor.root(s);
    root.child(f('a')).child(f('b'));
    root.child(f('c')).child(f('d')).insertInto(s);
    assert.equal(fieldsV1(s), '{"f:c":{"f:d":{}}}');
    const empty = new FieldSet();
    PathCursor.root(empty).child(f('x')).child(f('y'));
    assert.ok(empty.isEmpty());
    assert.equal(fieldsV1(empty), '{}');
  });
});

describe('walkers over duplicated list items', () => {
  it('toFieldSet owns a duplicated key as a whole, not its contents', () => {
    const obj = {
      spec: {
        containers: [
          { name: 'c', image: 'a' },
          { name: 'c', image: 'b' },
          { name: 'd', image: 'x' },
        ],
      },
    };
    assert.deepEqual(paths(toFieldSet(obj, POD)), [
      '.spec.containers[name="c"]',
      '.spec.containers[name="d"]',
      '.spec.containers[name="d"].image',
      '.spec.containers[name="d"].name',
    ]);
  });

  it('compare: an item that becomes duplicated is added as a whole and its single form removed, and back', () => {
    const one = { spec: { containers: [{ name: 'c', image: 'a' }] } };
    const two = {
      spec: {
        containers: [
          { name: 'c', image: 'a' },
          { name: 'c', image: 'b' },
        ],
      },
    };
    const single = [
      '.spec.containers[name="c"]',
      '.spec.containers[name="c"].image',
      '.spec.containers[name="c"].name',
    ];
    const grew = compare(one, two, POD);
    assert.deepEqual(paths(grew.added), ['.spec.containers[name="c"]']);
    assert.deepEqual(paths(grew.removed), single);
    const shrank = compare(two, one, POD);
    assert.deepEqual(paths(shrank.added), single);
    assert.deepEqual(paths(shrank.removed), ['.spec.containers[name="c"]']);
    const changed = compare(
      two,
      {
        spec: {
          containers: [
            { name: 'c', image: 'a' },
            { name: 'c', image: 'z' },
          ],
        },
      },
      POD,
    );
    assert.deepEqual(paths(changed.modified), ['.spec.containers[name="c"]']);
  });
});

describe('FieldSet.toFieldsV1', () => {
  const s = FieldSet.of(
    [f('spec'), f('finalizers'), { value: 'b' }],
    [f('spec'), f('finalizers'), { value: 'a' }],
    [f('spec'), f('list'), { index: 1 }],
    [f('spec'), f('containers'), k({ name: 'c' })],
    [f('spec'), f('containers'), k({ name: 'c' }), f('ports'), k({ containerPort: 80, protocol: 'TCP' })],
    [f('spec'), f('containers'), k({ name: 'b' }), f('image')],
    [f('metadata'), f('labels')],
    [f('metadata'), f('labels'), f('z')],
    [f('metadata'), f('labels'), f('a')],
    [f('metadata'), f('name')],
  );

  it('orders every level as upstream does, "." last where a node is also a member', () => {
    assert.equal(
      fieldsV1(s),
      '{"f:metadata":{"f:labels":{"f:a":{},"f:z":{},".":{}},"f:name":{}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"b\\"}":{"f:image":{}},' +
        '"k:{\\"name\\":\\"c\\"}":{"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{}},".":{}}},"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},' +
        '"f:list":{"i:1":{}}}}',
    );
  });

  it('is deeply frozen, encoded once per set, and decodes back to the same set', () => {
    const json = s.toFieldsV1();
    assert.ok(deeplyFrozen(json));
    assert.equal(s.toFieldsV1(), json);
    assert.ok(FieldSet.fromFieldsV1(json).equals(s));
    // An unfrozen copy of the same text decodes to the set already decoded from that text (sets are immutable).
    const copy = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
    assert.ok(FieldSet.fromFieldsV1(copy).equals(s));
    assert.deepEqual(FieldSet.fromFieldsV1(copy).toFieldsV1(), json);
  });

  it('decodes equal texts to one set, and other texts to their own', () => {
    const a = FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { 'f:only-here-1': {} } } });
    const b = FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { 'f:only-here-1': {} } } });
    const c = FieldSet.fromFieldsV1({ 'f:metadata': { 'f:labels': { 'f:only-here-2': {} } } });
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.ok(!a.equals(c));
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:metadata': 'not an object' }));
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:metadata': 'not an object' }));
  });

  it('sets built by the walkers encode like sets built path by path', () => {
    const obj = {
      metadata: { labels: { b: '1', a: '2' } },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    };
    const walked = toFieldSet(obj, POD);
    const byPath = new FieldSet();
    for (const p of walked.paths()) byPath.insert(p as PathElement[]);
    assert.equal(fieldsV1(walked), fieldsV1(byPath));
  });
});
