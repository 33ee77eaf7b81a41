// The write path's shortcuts in field management and typed decoding give what the general path gives:
// - an update's two sides normalized with what it left alone shared (normalizeUpdate) compare to the same field sets
//   as both sides normalized in full;
// - a side compared with nothing (most of a create's object) gives the field sets the general comparison gives;
// - what a write with no manager before it owns, built as FieldsV1 at once (ownedFieldsV1), is the added and
//   modified sets of the comparison less the stripped members, encoded; a create's managedFields entry through
//   FieldManager is the one recordUpdate and encodeManagedFields give;
// - FieldSet.union that keeps a set gaining nothing, and FieldsV1 encoded once per subtree, encode as sets built
//   path by path; FieldSet.intersects says what the intersection's emptiness says;
// - checkTyped's walk of maps and structs without repeated keys (the result copied only from the first change)
//   equals the general walk;
// - a merge patch's result is never larger than the bound that lets it go unserialized;
// - rfc3339's text of the last second equals formatting each time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clone, deepFreeze } from '../../../apimachinery/copy.js';
import { rfc3339 } from '../../../apimachinery/time.js';
import { checkTyped } from '../../../server/api/field-validation.js';
import { mergePatchSizeBound } from '../../../server/api/patch.js';
import { jsonMergePatch } from '../../../server/patch/merge-patch.js';
import { strategicMergePatch } from '../../../server/patch/strategic-merge.js';
import { schemaFor } from '../../../server/schemas.js';
import { fieldPE, FieldSet, keyPE, type Path, type PathElement } from '../../../server/fieldmanager/fieldpath.js';
import type { StrictJson } from '../../../server/fieldmanager/json.js';
import { type TypeNode, typeFor } from '../../../server/fieldmanager/typed.js';
import { FieldManager, STRIP } from '../../../server/fieldmanager/index.js';
import { encodeManagedFields, managerIdentifier } from '../../../server/fieldmanager/managed.js';
import { update } from '../../../server/fieldmanager/updater.js';
import { compare, goNormalize, normalizeUpdate, ownedFieldsV1 } from '../../../server/fieldmanager/walk.js';

const POD = typeFor('', 'v1', 'Pod');

/** A stored pod as the server holds it: defaulted spec, a status, labels and annotations. */
function storedPod(): Record<string, unknown> {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      uid: '9a7d7b3e-3f0c-4b8e-9c61-1f0e2d3c4b5a',
      resourceVersion: '12',
      creationTimestamp: '2026-12-05T17:00:00Z',
      labels: { app: 'web', tier: 'front' },
      annotations: { note: 'x' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u-1', controller: true }],
    },
    spec: {
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', value: '1' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { disk: 'ssd' },
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-05T17:00:01Z' }],
      podIP: '10.0.0.1',
      podIPs: [{ ip: '10.0.0.1' }],
    },
  };
}

/** Places of a pod that writes change, and values they put there (including empty, null and wrong kinds). */
const PLACES: string[][] = [
  ['metadata', 'labels', 'app'],
  ['metadata', 'labels'],
  ['metadata', 'annotations', 'bench/seq'],
  ['metadata', 'annotations'],
  ['metadata', 'ownerReferences'],
  ['metadata', 'finalizers'],
  ['spec', 'containers'],
  ['spec', 'nodeSelector'],
  ['spec', 'nodeSelector', 'disk'],
  ['spec', 'nodeName'],
  ['spec', 'securityContext'],
  ['spec', 'tolerations'],
  ['spec', 'volumes'],
  ['spec', 'priority'],
  ['status', 'phase'],
  ['status', 'conditions'],
  ['status', 'podIPs'],
  ['status'],
  ['spec', 'unknownField'],
];
const value = fc.oneof(
  fc.constantFrom(null, {}, [], '', 'x', 0, 1, true),
  fc.dictionary(fc.constantFrom('a', 'b', 'disk', 'name'), fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null))),
  fc.array(
    fc.record({ name: fc.constantFrom('app', 'side', 'A'), image: fc.constantFrom('a', 'b') }, { requiredKeys: [] }),
    { maxLength: 3 },
  ),
  fc.json({ maxDepth: 2 }).map((t) => JSON.parse(t) as unknown),
);
/** A change: set (or, with `undefined`, delete) the value at one place. */
const change = fc.tuple(fc.nat(PLACES.length - 1), fc.option(value, { nil: undefined }));

function applyChange(obj: Record<string, unknown>, [place, v]: [number, unknown]): void {
  const path = PLACES[place]!;
  let at = obj;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (v === undefined) delete at[last];
  else at[last] = clone(v);
}

/**
 * Anything at all, where a schema expects something else too: wrong kinds, duplicates, `__proto__`; objects take
 * their members from `keys` (and `__proto__` and `x`).
 */
function anythingWith(keys: string[]) {
  return fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, undefined, '', 'app', 0, 80, true, {}, []),
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom(...keys, '__proto__', 'x'), tie('v'), { maxKeys: 4 }),
    ),
  })).v;
}

const fieldsV1 = (s: FieldSet) => JSON.stringify(s.toFieldsV1());
const comparison = (c: ReturnType<typeof compare>) => [fieldsV1(c.added), fieldsV1(c.modified), fieldsV1(c.removed)];

describe('normalizeUpdate: what an update left alone is shared, the comparison is the same', () => {
  it('on random changes of a stored pod, with and without leaving shared values unnormalized', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 4 }), fc.array(change, { maxLength: 2 }), (changes, liveChanges) => {
        const base = storedPod();
        for (const c of liveChanges) applyChange(base, c);
        const next = clone(base);
        for (const c of changes) applyChange(next, c);
        const live = deepFreeze(base);
        deepFreeze(next); // neither side is modified
        const want = comparison(compare(goNormalize(live, POD), goNormalize(next, POD), POD));
        for (const compareOnly of [true, false]) {
          const [l, n] = normalizeUpdate(live, next, POD, compareOnly);
          assert.deepEqual(comparison(compare(l, n, POD)), want);
          if (!compareOnly) {
            assert.deepEqual(l, goNormalize(live, POD));
            assert.deepEqual(n, goNormalize(next, POD));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a live object holding one value at two places (as a conversion may) compares as the general path does', () => {
    const shared = { disk: 'ssd' };
    const live = storedPod();
    (live.metadata as Record<string, unknown>).labels = shared;
    (live.spec as Record<string, unknown>).nodeSelector = shared;
    const next = clone(live);
    (next.metadata as Record<string, unknown>).labels = { disk: 'hdd' }; // changed at one place, kept at the other
    deepFreeze(live);
    const want = comparison(compare(goNormalize(live, POD), goNormalize(next, POD), POD));
    const [l, n] = normalizeUpdate(live, next, POD, true);
    assert.deepEqual(comparison(compare(l, n, POD)), want);
    assert.ok(want[1]!.includes('f:labels'));
  });

  it('an unchanged object compares as empty', () => {
    const live = deepFreeze(storedPod());
    const [l, n] = normalizeUpdate(live, clone(live), POD, true);
    assert.deepEqual(comparison(compare(l, n, POD)), ['{}', '{}', '{}']);
  });
});

describe("compare: a side compared with nothing takes the added walk, with the general walk's result", () => {
  const general = (l: unknown, r: unknown, skip?: ReadonlySet<string>) =>
    comparison(compare(l, r, POD, skip, { general: true }));
  const walked = (l: unknown, r: unknown, skip?: ReadonlySet<string>) => comparison(compare(l, r, POD, skip));
  const anything = anythingWith(['name', 'containerPort', 'protocol', 'key', 'ports', 'containers', 'labels']);

  it('on random changes of a stored pod, against nothing, an empty object and the other way round', () => {
    const nothing = deepFreeze(goNormalize({}, POD));
    fc.assert(
      fc.property(fc.array(change, { maxLength: 5 }), (changes) => {
        const obj = storedPod();
        for (const c of changes) applyChange(obj, c);
        for (const side of [obj, goNormalize(obj, POD)]) {
          for (const [l, r] of [
            [nothing, side],
            [{}, side],
            [undefined, side],
            [side, undefined],
          ]) {
            assert.deepEqual(walked(l, r), general(l, r));
            assert.deepEqual(walked(l, r, new Set(['status'])), general(l, r, new Set(['status'])));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary values where the schema expects others (lists of duplicates, scalars for structs, __proto__)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('metadata', 'spec', 'status', 'x'), anything), (obj) => {
        for (const spec of [obj, { spec: { containers: [obj, obj], tolerations: [obj], nodeSelector: obj } }]) {
          assert.deepEqual(walked({}, spec), general({}, spec));
          assert.deepEqual(walked(undefined, spec), general(undefined, spec));
        }
      }),
      { numRuns: 500 },
    );
    // cmp reads an absent side's `__proto__` from `{}` (Object.prototype): the added walk keeps that
    const proto = JSON.parse('{"metadata":{"labels":{"__proto__":"x","a":"b"}},"x":{"__proto__":{"y":1}}}');
    assert.deepEqual(walked({}, proto), general({}, proto));
  });
});

describe('ownedFieldsV1: what a write owns when nobody owned anything, as the comparison gives it', () => {
  /** Nothing, FieldManager's strip, and one with a member that has owned paths below it. */
  const strips = [new FieldSet(), STRIP, STRIP.union(FieldSet.of([fieldPE('spec'), fieldPE('containers')]))];
  /** The general path: the comparison's added and modified fields, less `strip`, encoded (undefined when none). */
  const general = (l: unknown, r: unknown, t: TypeNode, skip: ReadonlySet<string> | undefined, strip: FieldSet) => {
    const c = compare(l, r, t, skip, { general: true });
    const set = new FieldSet().union(c.modified).union(c.added).difference(strip);
    return set.isEmpty() ? undefined : JSON.stringify(set.toFieldsV1());
  };
  const direct = (l: unknown, r: unknown, t: TypeNode, skip: ReadonlySet<string> | undefined, strip: FieldSet) => {
    const v = ownedFieldsV1(l, r, t, skip, strip);
    if (v !== undefined) assert.ok(Object.isFrozen(v));
    return v === undefined ? undefined : JSON.stringify(v);
  };
  const check = (l: unknown, r: unknown, t: TypeNode) => {
    for (const skip of [undefined, new Set(['status'])])
      for (const strip of strips) assert.equal(direct(l, r, t, skip, strip), general(l, r, t, skip, strip));
  };

  it('on random changes of a stored pod, against nothing, an empty object, absent, and the other way round', () => {
    const nothing = deepFreeze(goNormalize({}, POD));
    fc.assert(
      fc.property(fc.array(change, { maxLength: 5 }), fc.array(change, { maxLength: 3 }), (changes, other) => {
        const obj = storedPod();
        for (const c of changes) applyChange(obj, c);
        const base = storedPod();
        for (const c of other) applyChange(base, c);
        for (const side of [obj, goNormalize(obj, POD)])
          for (const [l, r] of [
            [nothing, side],
            [{}, side],
            [undefined, side],
            [side, undefined],
            [side, nothing],
            [goNormalize(base, POD), side],
          ])
            check(l, r, POD);
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary values where the schema expects others, for several kinds against their normalized nothing', () => {
    const kinds = [
      POD,
      typeFor('apps', 'v1', 'DaemonSet'),
      typeFor('', 'v1', 'Node'),
      typeFor('', 'v1', 'Event'),
      typeFor('', 'v1', 'ConfigMap'),
    ];
    const anything = anythingWith(['name', 'containerPort', 'key', 'containers', 'labels', 'template']);
    const top = fc.dictionary(
      fc.constantFrom('metadata', 'spec', 'status', 'involvedObject', 'reportingComponent', 'data', 'x'),
      anything,
    );
    fc.assert(
      fc.property(top, top, (a, b) => {
        for (const t of kinds) {
          const nothing = goNormalize({}, t);
          for (const r of [a, { spec: { containers: [a, a], tolerations: [b], template: b }, metadata: b }])
            for (const l of [nothing, b, undefined]) check(l, r, t);
        }
      }),
      { numRuns: 400 },
    );
    const proto = JSON.parse('{"metadata":{"labels":{"__proto__":"x","a":"b"}},"x":{"__proto__":{"y":1}}}');
    check({}, proto, POD);
    check(goNormalize({}, POD), proto, POD);
  });

  it("is a create's managedFields entry through FieldManager, as the general path writes it", () => {
    const handle = {
      view: { group: '', version: 'v1', groupVersion: 'v1' },
      def: { kind: 'Pod', plural: 'pods', statusStrategy: true, versions: [] as unknown[] },
    };
    handle.def.versions = [handle.view];
    const fm = new FieldManager(handle as never);
    fc.assert(
      fc.property(fc.array(change, { maxLength: 5 }), (changes) => {
        const obj = storedPod();
        for (const c of changes) applyChange(obj, c);
        delete (obj.metadata as Record<string, unknown>)?.managedFields;
        const got = fm.update(undefined, clone(obj) as never, 'kubectl-create');
        // the general path, as recordUpdate takes it with no managers before
        const id = managerIdentifier({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'v1' });
        const ignored = FieldSet.of([fieldPE('status')]);
        const ctx = {
          typeOf: () => POD,
          convert: (o: unknown) => o,
          ignored: () => ignored,
        };
        const { status: _status, ...rest } = obj;
        const nextN = goNormalize(rest, POD);
        const fields = update(ctx, goNormalize({}, POD), nextN, 'v1', new Map(), 'self');
        const self = fields.get('self');
        const set = self?.set.difference(STRIP);
        const time = (got.metadata?.managedFields as { time?: string }[] | undefined)?.[0]?.time;
        const want =
          set && !set.isEmpty()
            ? encodeManagedFields({
                fields: new Map([[id, { set, apiVersion: 'v1', applied: false }]]),
                times: new Map([[id, time]]),
              })
            : undefined;
        assert.equal(JSON.stringify(got.metadata?.managedFields), JSON.stringify(want));
      }),
      { numRuns: 200 },
    );
  });
});

describe('FieldSet.union and FieldsV1 encoded per subtree', () => {
  const pe = fc.oneof(
    fc.constantFrom('a', 'b', 'spec', 'x').map((f) => fieldPE(f)),
    fc.constantFrom('p', 'q').map((k) => keyPE([['name', k]])),
  );
  const pathArb = fc.array(pe, { minLength: 1, maxLength: 4 });
  const pathsArb = fc.array(pathArb, { maxLength: 8 });
  const build = (paths: Path[]) => FieldSet.of(...paths);

  it('equals the set of both sets paths, and is the set itself when the other adds nothing', () => {
    fc.assert(
      fc.property(pathsArb, pathsArb, fc.boolean(), (a: PathElement[][], b: PathElement[][], encodeFirst) => {
        const sa = build(a);
        const sb = build(b);
        if (encodeFirst) {
          // subtrees encoded before, as parts of other sets, are reused by the union's encoding
          sa.toFieldsV1();
          sb.toFieldsV1();
        }
        const u = sa.union(sb);
        const want = build([...a, ...b]);
        assert.ok(u.equals(want));
        assert.equal(fieldsV1(u), fieldsV1(want));
        assert.deepEqual(u.paths(), want.paths());
        if (b.every((p) => sa.has(p))) assert.equal(u, sa);
        // a subset's union with the set is the set
        assert.equal(u.union(sb), u);
      }),
      { numRuns: 500 },
    );
  });

  it('intersects says whether the intersection has a path', () => {
    fc.assert(
      fc.property(pathsArb, pathsArb, (a: PathElement[][], b: PathElement[][]) => {
        const sa = build(a);
        const sb = build(b);
        assert.equal(sa.intersects(sb), !sa.intersection(sb).isEmpty());
        assert.equal(sb.intersects(sa), sa.intersects(sb));
      }),
      { numRuns: 1000 },
    );
  });
});

/** The general walk: every object read as if the parser had recorded its members (no repeated key among them). */
function generalParse(): StrictJson {
  const repeated = { get: (o: object) => Object.entries(o) } as unknown as StrictJson['repeated'];
  return { value: undefined, repeated, numberText: new WeakMap() };
}

describe('checkTyped: maps and structs without repeated keys', () => {
  it('give the general walk result: value, strict errors, decoding error', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 5 }), fc.boolean(), (changes, strict) => {
        const body = storedPod();
        for (const c of changes) applyChange(body, c);
        const plain = checkTyped(clone(body), POD, { strict });
        const general = checkTyped(clone(body), POD, { strict, parse: generalParse() });
        assert.deepEqual(plain, general);
      }),
      { numRuns: 300 },
    );
  });

  it('return the body itself when nothing is dropped, and leave it unmodified otherwise', () => {
    const body = deepFreeze(storedPod());
    assert.equal(checkTyped(body, POD, { strict: true }).value, body);
    const withUnknown = clone(storedPod());
    (withUnknown.spec as Record<string, unknown>).bogus = 1;
    (withUnknown.metadata as Record<string, unknown>).labels = JSON.parse('{"__proto__":"p","a":"b"}');
    deepFreeze(withUnknown);
    const got = checkTyped(withUnknown, POD, { strict: true });
    assert.deepEqual(got.strict, ['unknown field "spec.bogus"']);
    const spec = (got.value as Record<string, Record<string, unknown>>).spec!;
    assert.equal(Object.hasOwn(spec, 'bogus'), false);
    assert.equal(spec.containers, (withUnknown.spec as Record<string, unknown>).containers);
  });
});

describe('rfc3339 of the last second formatted', () => {
  it('equals formatting each time', () => {
    const t = fc.oneof(
      fc.integer({ min: -1e13, max: 1e13 }),
      fc.double({ min: -5000, max: 5000, noNaN: true }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_005_000 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(t, fc.boolean()), { maxLength: 20 }), (times) => {
        for (const [ms, asDate] of times) {
          const want = `${new Date(ms).toISOString().slice(0, -5)}Z`;
          assert.equal(rfc3339(asDate ? new Date(ms) : ms), want);
        }
      }),
      { numRuns: 300 },
    );
    assert.throws(() => rfc3339(Number.NaN), RangeError);
  });
});

describe('mergePatchSizeBound', () => {
  const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));
  const check = (original: unknown, patchText: string) => {
    const patch = Buffer.from(patchText);
    const result = jsonMergePatch(original, JSON.parse(patchText));
    assert.ok(mergePatchSizeBound(JSON.stringify(original), patch)! >= bytes(result), patchText);
  };

  it('is at least the result bytes: numbers that grow, escapes that shrink, members added to nothing', () => {
    for (const text of [
      '{"a":1e20,"b":{"c":-1e20},"d":[1e20,1e-6,1E+20,-0.0e1]}',
      '{"":1e20}',
      '{"x":"\\u00e9\\ud800\u2028","y":null,"z":{"":{"":[]}}}',
      '1e20',
      '[1e20]',
    ])
      for (const original of [{}, { a: 1 }, storedPod(), null, 'x']) check(original, text);
    assert.equal(mergePatchSizeBound(undefined, Buffer.from('{}')), undefined);
  });

  it('on random documents and patches', () => {
    const doc = fc.json({ maxDepth: 3 }).map((t) => JSON.parse(t) as unknown);
    // numbers written short, as a client may (JSON.stringify writes them long)
    const patchText = fc.json({ maxDepth: 3 }).map((t) => t.replace(/\b(\d)0{6,}(?![.\deE])/g, '$1e20'));
    fc.assert(
      fc.property(doc, patchText, (original, text) => check(original, text)),
      { numRuns: 500 },
    );
  });

  it("bounds a strategic merge patch's result too: merge keys, directives, duplicate keys in the original", () => {
    const { schema, resolver } = schemaFor('', 'v1', 'Pod');
    const env = (n: number) => Array.from({ length: n }, () => ({ name: 'A', value: 'v' }));
    const original = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: { a: 'b' }, finalizers: ['x', 'y'] },
      spec: {
        containers: [
          { name: 'c', image: 'i', env: env(20) },
          { name: 'd', image: 'j' },
        ],
      },
      status: { conditions: [{ type: 'Ready', status: 'False' }], podIPs: [{ ip: '10.0.0.1' }] },
    };
    for (const text of [
      `{"spec":{"containers":[{"name":"c","env":[{"name":"A","value":"${'w'.repeat(5000)}"}]}]}}`,
      `{"spec":{"containers":[{"name":"e","image":"${'k'.repeat(3000)}"},{"name":"c","$patch":"delete"}]}}`,
      '{"spec":{"$setElementOrder/containers":[{"name":"d"},{"name":"c"}],"containers":[{"name":"c","image":1e20}]}}',
      '{"metadata":{"$deleteFromPrimitiveList/finalizers":["x"],"finalizers":["z"],"generation":1e20},"status":{"$retainKeys":["conditions"],"conditions":[{"type":"X","status":"True"}]}}',
      '{"status":{"$patch":"replace","phase":"Running","podIPs":[{"ip":"1e20"}]}}',
    ]) {
      const patch = Buffer.from(text);
      const result = strategicMergePatch(original, JSON.parse(text), schema, resolver);
      assert.ok(mergePatchSizeBound(JSON.stringify(original), patch)! >= bytes(result), text);
    }
  });
});
