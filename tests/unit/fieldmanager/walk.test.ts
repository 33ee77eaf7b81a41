import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldPE, FieldSet, keyPE, pathString } from '../../../server/fieldmanager/fieldpath.js';
import { typeFor, UNTYPED } from '../../../server/fieldmanager/typed.js';
import {
  compare,
  ensureNamedFieldsAreMembers,
  goNormalize,
  merge,
  removeItems,
  toFieldSet,
  validateApplied,
} from '../../../server/fieldmanager/walk.js';

const POD = typeFor('', 'v1', 'Pod');
const DS = typeFor('apps', 'v1', 'DaemonSet');
const paths = (s: FieldSet) => s.paths().map(pathString);
const fieldsV1 = (s: FieldSet) => JSON.stringify(s.toFieldsV1());

describe('typeFor: the schema model', () => {
  it('compiles list semantics from the served definitions', () => {
    assert.equal(POD.kind, 'struct');
    const spec = POD.kind === 'struct' ? POD.field('spec')! : UNTYPED;
    const containers = spec.kind === 'struct' ? spec.field('containers')! : UNTYPED;
    assert.equal(containers.kind, 'list');
    assert.deepEqual(containers.kind === 'list' ? [containers.listType, containers.keys, containers.goType] : [], [
      'map',
      ['name'],
      '[]v1.Container',
    ]);
    const tolerations = spec.kind === 'struct' ? spec.field('tolerations')! : UNTYPED;
    assert.equal(tolerations.kind === 'list' && tolerations.listType, 'atomic');
  });

  it('kinds without a published schema are untyped', () => {
    assert.equal(typeFor('nope', 'v1', 'Nothing'), UNTYPED);
  });
});

describe('toFieldSet (what an applied configuration sets)', () => {
  const rows: { name: string; obj: unknown; want: string }[] = [
    {
      name: 'scalars are leaves; struct fields are not members; map keys are',
      obj: { metadata: { name: 'x', labels: { app: 'a' } }, spec: { nodeName: 'n' } },
      want: '{"f:metadata":{"f:labels":{"f:app":{}},"f:name":{}},"f:spec":{"f:nodeName":{}}}',
    },
    {
      name: 'associative list items by their keys, with the item itself',
      obj: { spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } },
      want: '{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{"f:image":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{"f:containerPort":{},".":{}}},".":{}}}}}',
    },
    {
      name: 'atomic lists and atomic structs are single leaves',
      obj: {
        spec: {
          tolerations: [{ key: 'a' }],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } },
        },
      },
      want: '{"f:spec":{"f:affinity":{"f:nodeAffinity":{"f:requiredDuringSchedulingIgnoredDuringExecution":{}}},"f:tolerations":{}}}',
    },
    {
      name: 'sets of scalars by value; empty and null fields are members',
      obj: { metadata: { finalizers: ['a', 'b'], annotations: {} }, spec: { securityContext: {}, nodeSelector: null } },
      want: '{"f:metadata":{"f:annotations":{},"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:nodeSelector":{},"f:securityContext":{}}}',
    },
  ];
  for (const row of rows) it(row.name, () => assert.equal(fieldsV1(toFieldSet(row.obj, POD)), row.want));

  it('RawExtension contents are granular maps of untyped values', () => {
    const t = typeFor('apps', 'v1', 'ControllerRevision');
    assert.deepEqual(paths(toFieldSet({ data: { spec: { template: { a: 1 } }, list: [1] } }, t)), [
      '.data.list',
      '.data.spec',
      '.data.spec.template',
      '.data.spec.template.a',
    ]);
  });
});

describe('compare (what an update changed)', () => {
  it('reports added nodes with their parents, modified leaves, removed subtrees', () => {
    const before = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const after = {
      metadata: { labels: { a: '1', c: '3' } },
      spec: {
        containers: [
          { name: 'c', image: 'y' },
          { name: 'd', image: 'z', resources: {} },
        ],
      },
    };
    const c = compare(before, after, POD);
    assert.deepEqual(paths(c.added), [
      '.metadata.labels.c',
      '.spec.containers[name="d"]',
      '.spec.containers[name="d"].image',
      '.spec.containers[name="d"].name',
      '.spec.containers[name="d"].resources',
    ]);
    assert.deepEqual(paths(c.modified), ['.spec.containers[name="c"].image']);
    assert.deepEqual(paths(c.removed), ['.metadata.labels.b']);
  });

  it('a newly present map gets "." but a struct present on both sides does not', () => {
    const c = compare({ metadata: {} }, { metadata: { labels: { a: '1' } } }, POD);
    assert.equal(fieldsV1(c.added), '{"f:metadata":{"f:labels":{"f:a":{},".":{}}}}');
  });

  it('empty and null are leaves and differ', () => {
    const c = compare({ spec: { nodeSelector: null } }, { spec: { nodeSelector: {} } }, POD);
    assert.deepEqual(paths(c.modified), ['.spec.nodeSelector']);
  });

  it('passes over skipped top-level fields: the comparison without them, as a recursive difference leaves it', () => {
    const status = FieldSet.of([fieldPE('status')]);
    const before = { metadata: { labels: { a: '1' } }, status: { phase: 'Pending', hostIP: '10.0.0.1' } };
    const after = { metadata: { labels: { a: '2' } }, spec: { nodeName: 'n' }, status: { phase: 'Running' } };
    for (const [l, r] of [
      [before, after],
      [undefined, after],
      [before, undefined],
      [{ status: { phase: 'Pending' } }, { status: {} }],
    ] as const) {
      const full = compare(l, r, POD);
      const skipped = compare(l, r, POD, new Set(['status']));
      for (const k of ['added', 'modified', 'removed'] as const) {
        assert.deepEqual(paths(skipped[k]), paths(full[k].recursiveDifference(status)), k);
        assert.equal(
          paths(skipped[k]).some((p) => p.startsWith('.status')),
          false,
        );
      }
    }
  });
});

describe('merge (apply): the configuration wins, lists merge by key in order', () => {
  it('merges maps, keeps live-only fields, replaces atomic values', () => {
    const live = { metadata: { labels: { a: '1', b: '2' } }, spec: { tolerations: [{ key: 'x' }], nodeName: 'n' } };
    const config = { metadata: { labels: { b: '3' } }, spec: { tolerations: [{ key: 'y' }] } };
    assert.deepEqual(merge(live, config, POD), {
      metadata: { labels: { a: '1', b: '3' } },
      spec: { tolerations: [{ key: 'y' }], nodeName: 'n' },
    });
  });

  it('keyed lists: shared items merged, new items after, live-only items kept in place', () => {
    const live = {
      spec: {
        containers: [
          { name: 'a', image: '1' },
          { name: 'b', image: '2' },
          { name: 'c', image: '3' },
        ],
      },
    };
    const config = {
      spec: {
        containers: [
          { name: 'c', image: '30' },
          { name: 'd', image: '4' },
          { name: 'a', image: '10' },
        ],
      },
    };
    const out = merge(live, config, POD) as { spec: { containers: { name: string; image: string }[] } };
    assert.deepEqual(
      out.spec.containers.map((c) => `${c.name}=${c.image}`),
      ['b=2', 'c=30', 'd=4', 'a=10'],
    );
  });
});

describe('removeItems and ensureNamedFieldsAreMembers', () => {
  it('removes owned fields and list items; emptied maps disappear, emptied structs stay', () => {
    const obj = {
      metadata: { labels: { a: '1' } },
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n' },
    };
    const set = FieldSet.of(
      [fieldPE('metadata'), fieldPE('labels'), fieldPE('a')],
      [fieldPE('spec'), fieldPE('containers'), keyPE([['name', 'b']])],
    );
    assert.deepEqual(removeItems(obj, set, POD), {
      metadata: {},
      spec: { containers: [{ name: 'a' }], nodeName: 'n' },
    });
  });

  it('struct fields with owned children become members, map keys do not', () => {
    const set = FieldSet.of(
      [fieldPE('spec'), fieldPE('nodeName')],
      [fieldPE('metadata'), fieldPE('labels'), fieldPE('a')],
    );
    assert.deepEqual(paths(ensureNamedFieldsAreMembers(set, POD)), [
      '.metadata',
      '.spec',
      '.metadata.labels',
      '.metadata.labels.a',
      '.spec.nodeName',
    ]);
  });
});

describe('goNormalize: the object as a Go struct would serialize it', () => {
  it('adds always-serialized zero values and drops empty optional maps and lists', () => {
    const out = goNormalize(
      { metadata: { labels: {} }, spec: { containers: [{ name: 'c', env: [] }], volumes: [] } },
      POD,
    );
    assert.deepEqual(out, {
      metadata: { creationTimestamp: null },
      spec: { containers: [{ name: 'c', resources: {} }] },
      status: {},
    });
  });

  it('fills the DaemonSet template and status counters', () => {
    const out = goNormalize({}, DS) as Record<string, Record<string, unknown>>;
    assert.deepEqual(out.spec, {
      selector: null,
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      updateStrategy: {},
    });
    assert.deepEqual(out.status, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });
});

describe("map keys named like Object.prototype's members are data", () => {
  // Keys such as valueOf, constructor and __proto__ were read from Object.prototype on the side without them.
  const names = ['valueOf', 'constructor', 'toString', '__proto__'];
  const labels = (entries: [string, string][]) => {
    const o: Record<string, string> = {};
    for (const [k, v] of entries)
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  };
  const json = (v: unknown) => JSON.stringify(v);

  it('merge keeps them from the live object and from the configuration', () => {
    for (const k of names) {
      const live = {
        metadata: {
          labels: labels([
            [k, 'live'],
            ['a', '1'],
          ]),
        },
      };
      assert.equal(
        json(merge(live, { metadata: { labels: { b: '2' } } }, POD)),
        json({
          metadata: {
            labels: labels([
              [k, 'live'],
              ['a', '1'],
              ['b', '2'],
            ]),
          },
        }),
      );
      const config = { metadata: { labels: labels([[k, 'applied']]) } };
      assert.equal(
        json(merge({ metadata: { labels: { a: '1' } } }, config, POD)),
        json({
          metadata: {
            labels: labels([
              ['a', '1'],
              [k, 'applied'],
            ]),
          },
        }),
      );
    }
  });

  it('compare finds them added and removed, not modified', () => {
    for (const k of names) {
      const withKey = { metadata: { labels: labels([[k, 'x']]) } };
      const without = { metadata: { labels: { a: '1' } } };
      const gone = compare(withKey, without, POD);
      assert.equal(json(gone.removed.toFieldsV1()), json({ 'f:metadata': { 'f:labels': { [`f:${k}`]: {} } } }), k);
      assert.equal(json(gone.modified.toFieldsV1()), '{}', k);
      const added = compare(without, withKey, POD);
      assert.equal(json(added.added.toFieldsV1()), json({ 'f:metadata': { 'f:labels': { [`f:${k}`]: {} } } }), k);
      assert.equal(json(added.modified.toFieldsV1()), '{}', k);
    }
  });

  it('goNormalize and removeItems keep them as own members', () => {
    const obj = {
      metadata: {
        labels: labels([
          ['__proto__', 'p'],
          ['a', '1'],
        ]),
      },
    };
    const n = goNormalize(obj, POD) as { metadata: { labels: Record<string, string> } };
    assert.equal(
      json(n.metadata.labels),
      json(
        labels([
          ['__proto__', 'p'],
          ['a', '1'],
        ]),
      ),
    );
    const kept = removeItems(obj, FieldSet.of([fieldPE('metadata'), fieldPE('labels'), fieldPE('a')]), POD);
    assert.equal(json(kept), json({ metadata: { labels: labels([['__proto__', 'p']]) } }));
  });
});

describe('validateApplied: typed conversion of an applied configuration', () => {
  const rows: { name: string; obj: unknown; want: string[] }[] = [
    {
      name: 'valid',
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', ports: [{ containerPort: 1 }] }] },
      },
      want: [],
    },
    { name: 'undeclared field', obj: { spec: { foo: 1 } }, want: ['.spec.foo: field not declared in schema'] },
    {
      name: 'undeclared field inside a keyed item',
      obj: { spec: { containers: [{ name: 'c', bar: 1 }] } },
      want: ['.spec.containers[name="c"].bar: field not declared in schema'],
    },
    {
      name: 'wrong scalar type',
      obj: { spec: { hostNetwork: 'yes' } },
      want: ['.spec.hostNetwork: expected boolean, got &{yes}'],
    },
    {
      name: 'number expected',
      obj: { spec: { priority: 'high' } },
      want: ['.spec.priority: expected numeric (int or float), got string'],
    },
    {
      name: 'item without its key',
      obj: { spec: { containers: [{ image: 'x' }] } },
      want: [
        '.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
      ],
    },
    {
      name: 'duplicate items',
      obj: { spec: { containers: [{ name: 'c' }, { name: 'c' }] } },
      want: ['.spec.containers: duplicate entries for key [name="c"]'],
    },
    { name: 'map expected', obj: { spec: 'x' }, want: ['.spec: expected map, got &{x}'] },
  ];
  for (const row of rows) it(row.name, () => assert.deepEqual(validateApplied(row.obj, POD), row.want));
});
