import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  comparePE,
  fieldPE,
  FieldSet,
  keyPE,
  parsePE,
  pathString,
  peKey,
  peString,
  type PathElement,
} from '../../../server/fieldmanager/fieldpath.js';
import {
  compareBytes,
  goJsonMarshal,
  goJsonString,
  goQuote,
  parseStrictJson,
  parseStrictJsonSlowly,
  type StrictJson,
} from '../../../server/fieldmanager/json.js';

const f = fieldPE;
const k = (o: Record<string, unknown>) => keyPE(Object.entries(o));
const v = (value: unknown): PathElement => ({ value });

describe('path elements: FieldsV1 keys and conflict strings', () => {
  const rows: { name: string; pe: PathElement; key: string; str: string }[] = [
    { name: 'field', pe: f('spec'), key: 'f:spec', str: '.spec' },
    {
      name: 'field with dots and slashes',
      pe: f('kubectl.kubernetes.io/last-applied-configuration'),
      key: 'f:kubectl.kubernetes.io/last-applied-configuration',
      str: '.kubectl.kubernetes.io/last-applied-configuration',
    },
    { name: 'key of one field', pe: k({ name: 'fluentd' }), key: 'k:{"name":"fluentd"}', str: '[name="fluentd"]' },
    {
      name: 'key fields sorted by name',
      pe: k({ protocol: 'TCP', containerPort: 80 }),
      key: 'k:{"containerPort":80,"protocol":"TCP"}',
      str: '[containerPort=80,protocol="TCP"]',
    },
    {
      name: 'key with HTML characters escaped as Go does',
      pe: k({ name: '<a&b>' }),
      key: 'k:{"name":"\\u003ca\\u0026b\\u003e"}',
      str: '[name="<a&b>"]',
    },
    { name: 'set value', pe: v('kubernetes'), key: 'v:"kubernetes"', str: '[="kubernetes"]' },
    { name: 'numeric set value', pe: v(8080), key: 'v:8080', str: '[=8080]' },
    { name: 'index', pe: { index: 3 }, key: 'i:3', str: '[3]' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      assert.equal(peKey(row.pe), row.key);
      assert.equal(peString(row.pe), row.str);
      const back = parsePE(row.key)!;
      assert.equal(peKey(back), row.key);
    });
  }

  it('unknown element kinds parse to undefined (ignored); malformed keys throw', () => {
    assert.equal(parsePE('x:whatever'), undefined);
    assert.throws(() => parsePE('k:not-json'));
    assert.throws(() => parsePE('nocolon'));
  });

  it('orders fields before keys before values before indexes', () => {
    const list = [{ index: 0 }, v('a'), k({ name: 'a' }), f('z'), f('a')] as PathElement[];
    assert.deepEqual(list.sort(comparePE).map(peKey), ['f:a', 'f:z', 'k:{"name":"a"}', 'v:"a"', 'i:0']);
  });

  it('orders values as upstream: numbers, strings, booleans, then null', () => {
    const list = [v(null), v(true), v('b'), v(2), v('a'), v(1)];
    assert.deepEqual(list.sort(comparePE).map(peKey), ['v:1', 'v:2', 'v:"a"', 'v:"b"', 'v:true', 'v:null']);
  });

  it('prints whole paths like conflict messages', () => {
    assert.equal(
      pathString([f('spec'), f('template'), f('spec'), f('containers'), k({ name: 'fluentd' }), f('image')]),
      '.spec.template.spec.containers[name="fluentd"].image',
    );
  });
});

describe('FieldSet: FieldsV1 encoding', () => {
  it('encodes members as {} and nodes that are also members with "." last', () => {
    const s = FieldSet.of(
      [f('metadata'), f('labels')],
      [f('metadata'), f('labels'), f('app')],
      [f('spec'), f('containers'), k({ name: 'c' })],
      [f('spec'), f('containers'), k({ name: 'c' }), f('image')],
      [f('spec'), f('replicas')],
    );
    const json = s.toFieldsV1();
    assert.equal(
      JSON.stringify(json),
      '{"f:metadata":{"f:labels":{"f:app":{},".":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{"f:image":{},".":{}}},"f:replicas":{}}}',
    );
  });

  it('round-trips through FieldsV1', () => {
    const json = {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': { 'f:finalizers': { 'v:"kubernetes"': {} }, 'f:x': {} },
    };
    const s = FieldSet.fromFieldsV1(json);
    assert.ok(s.has([f('metadata'), f('labels')]));
    assert.ok(s.has([f('metadata'), f('labels'), f('app')]));
    assert.ok(!s.has([f('metadata')]));
    assert.ok(s.has([f('spec'), f('finalizers'), v('kubernetes')]));
    assert.ok(FieldSet.fromFieldsV1(s.toFieldsV1()).equals(s));
  });

  it('reads null and objects of unknown element kinds as members, and skips unknown kinds', () => {
    const s = FieldSet.fromFieldsV1({ 'f:a': null, 'f:b': { 'z:unknown': {} }, 'z:other': {} });
    assert.deepEqual(s.paths().map(pathString), ['.a', '.b']);
  });

  it('rejects malformed FieldsV1', () => {
    assert.throws(() => FieldSet.fromFieldsV1([]));
    assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 'x' }));
    assert.throws(() => FieldSet.fromFieldsV1({ 'k:{bad': {} }));
  });

  it('an empty set encodes as {}', () => {
    assert.deepEqual(new FieldSet().toFieldsV1(), {});
    assert.ok(FieldSet.fromFieldsV1({}).isEmpty());
  });
});

describe('FieldSet: set operations', () => {
  const a = FieldSet.of([f('a')], [f('b'), f('c')], [f('b'), f('d')], [f('e')]);
  const b = FieldSet.of([f('a')], [f('b'), f('c')], [f('x')]);

  it('union, intersection, difference', () => {
    assert.deepEqual(a.union(b).paths().map(pathString), ['.a', '.e', '.x', '.b.c', '.b.d']);
    assert.deepEqual(a.intersection(b).paths().map(pathString), ['.a', '.b.c']);
    assert.deepEqual(a.difference(b).paths().map(pathString), ['.e', '.b.d']);
  });

  it('difference keeps children of a removed member; recursiveDifference drops them', () => {
    const parent = FieldSet.of([f('b')]);
    assert.deepEqual(a.difference(parent).paths().map(pathString), ['.a', '.e', '.b.c', '.b.d']);
    assert.deepEqual(a.recursiveDifference(parent).paths().map(pathString), ['.a', '.e']);
  });

  it('withPrefix, has, isEmpty, equals', () => {
    assert.deepEqual(a.withPrefix(f('b')).paths().map(pathString), ['.c', '.d']);
    assert.ok(a.withPrefix(f('zz')).isEmpty());
    assert.ok(a.has([f('b'), f('d')]));
    assert.ok(!a.has([f('b')]));
    assert.ok(!a.has([]));
    assert.ok(a.equals(FieldSet.of([f('e')], [f('b'), f('d')], [f('b'), f('c')], [f('a')])));
    assert.ok(!a.equals(b));
  });

  it('unchanged results are the same set (cheap ownership bookkeeping)', () => {
    assert.equal(a.difference(FieldSet.of([f('zz')])), a);
    assert.equal(a.union(new FieldSet()), a);
    assert.equal(a.recursiveDifference(new FieldSet()), a);
  });
});

describe('JSON helpers', () => {
  it('parseStrictJson records repeated keys in document order and number literals', () => {
    const p = parseStrictJson('{"a":1,"b":{"x":1.0,"y":1e3},"a":2,"c":[1.5]}');
    assert.deepEqual(p.value, { a: 2, b: { x: 1, y: 1000 }, c: [1.5] });
    const root = p.value as Record<string, unknown>;
    assert.deepEqual(
      p.repeated.get(root)?.map(([key]) => key),
      ['a', 'b', 'a', 'c'],
    );
    assert.equal(p.numberText.get(root.b as object)?.get('x'), '1.0');
    assert.equal(p.numberText.get(root.b as object)?.get('y'), '1e3');
    assert.equal(p.numberText.get(root.c as object)?.get(0), '1.5');
    assert.equal(p.repeated.get(root.b as object), undefined);
  });

  it('parseStrictJson keeps __proto__ as a plain key and rejects malformed text', () => {
    const p = parseStrictJson('{"__proto__":{"x":1}}');
    assert.deepEqual(Object.keys(p.value as object), ['__proto__']);
    for (const bad of ['{', '{"a":}', '[1,]', '{"a":1} x', '"\\u12"', 'nul'])
      assert.throws(() => parseStrictJson(bad), bad);
  });

  it('Go string escaping and quoting', () => {
    assert.equal(goJsonString('a"b\\<c>&\n\u0001'), '"a\\"b\\\\\\u003cc\\u003e\\u0026\\n\\u0001"');
    assert.equal(goJsonMarshal({ b: 1, a: [true, null, 'x'] }), '{"a":[true,null,"x"],"b":1}');
    assert.equal(goQuote('spec.foo'), '"spec.foo"');
    assert.equal(goQuote('a"b\tc\u0007'), '"a\\"b\\tc\\a"');
  });

  it('compareBytes orders as UTF-8 bytes', () => {
    assert.ok(compareBytes('a', 'b') < 0);
    assert.ok(compareBytes('b', 'a') > 0);
    assert.ok(compareBytes('a', 'ab') < 0);
    assert.ok(compareBytes('\uffff', '\u{10000}') < 0); // UTF-16 code units would say otherwise
  });
});

describe('parseStrictJson: the JSON.parse fast path agrees with the full parser', () => {
  /** Both parses' values, repeated keys and number literals walked side by side. */
  function same(fast: StrictJson, slow: StrictJson, a: unknown, b: unknown, where: string): void {
    assert.deepEqual(a, b, where);
    if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') return;
    assert.deepEqual(fast.repeated.get(a), slow.repeated.get(b), `${where}: repeated`);
    assert.deepEqual(
      [...(fast.numberText.get(a) ?? [])],
      [...(slow.numberText.get(b) ?? [])],
      `${where}: number literals`,
    );
    for (const k of Object.keys(a))
      same(fast, slow, (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}.${k}`);
  }

  function check(text: string): void {
    let slow: StrictJson | undefined;
    try {
      slow = parseStrictJsonSlowly(text);
    } catch {
      assert.throws(() => parseStrictJson(text), text);
      return;
    }
    const fast = parseStrictJson(text);
    same(fast, slow, fast.value, slow.value, text);
  }

  it('on fixed texts: duplicates, fractions, exponents, long integers, escapes, __proto__, malformed', () => {
    for (const text of [
      '{"a":1,"a":2}',
      '{"a":{"b":1,"c":{"b":2,"b":3}}}',
      '{"a":1.0}',
      '{"a":1e3,"b":-2E-1}',
      '[12345678901234567890]',
      '[123456789012345,1234567890123456]',
      '{"k:\\"x":"a:b","t":true,"f":false,"n":null}',
      '{"a\\\\":1,"a\\\\":2}',
      '{"a\\\\\\":1":2,"b":"\\\\"}',
      '{"q":"\\"\\"","r":"\\\\\\"","s":"x:\\\\","s":1}',
      '{"u":"unterminated',
      '{"u":"ends in a backslash\\',
      '{"__proto__":{"x":1},"y":[]}',
      ' { "a" : [ 1 , 2 ] } ',
      '-0',
      '"s"',
      '{"a":1}x',
      '{"a":}',
      '',
      `${'['.repeat(1200)}${']'.repeat(1200)}`,
    ])
      check(text);
  });

  it('on random JSON, with repeated keys spliced in', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), (text, n) => {
        check(text);
        // the first key of the first object repeated, and a number with a fraction
        const m = /\{("(?:[^"\\]|\\.)*"):/.exec(text);
        if (m) {
          const at = m.index + 1;
          check(`${text.slice(0, at)}${m[1]}:${n % 7},${text.slice(at)}`);
          check(`${text.slice(0, at)}${m[1]}:${n % 7}.5,${text.slice(at)}`);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
