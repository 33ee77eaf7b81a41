import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { History } from '../../../storage/cache/history.js';
import { type Entry, KeyIndex, compareKeys } from '../../../storage/cache/key-index.js';
import { KeyTurns } from '../../../storage/cache/key-turns.js';
import { listAt } from '../../../storage/cache/list.js';
import type { StoredEvent } from '../../../storage/interface.js';
import { freezeParsed, makeEvent } from '../../../storage/stored-objects.js';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

const PREFIXES = ['/registry/pods/a/', '/registry/pods/ab/', '/registry/pods/b/', '/registry/svc/a/'];

function obj(key: string, revision: number): KubeObject {
  return { metadata: { name: key, resourceVersion: String(revision) }, spec: { even: revision % 2 === 0 } };
}

describe('KeyIndex', () => {
  it('matches a sorted-array model under random inserts and deletes (chunk splits included)', () => {
    const rand = rng(7);
    const index = new KeyIndex();
    const model = new Set<string>();
    for (let step = 0; step < 6000; step++) {
      const key = `${PREFIXES[rand(PREFIXES.length)]}k${rand(1500)}`;
      if (rand(3) === 0) {
        index.delete(key);
        model.delete(key);
      } else {
        index.set(key, { object: obj(key, step + 1), modRevision: step + 1 });
        model.add(key);
      }
      if (step % 500 !== 0 && step !== 5999) continue;
      const sorted = [...model].sort(compareKeys);
      assert.equal(index.size, sorted.length);
      for (const prefix of [...PREFIXES, '/registry/pods/a', '/registry/', '/zzz/']) {
        const expected = sorted.filter((k) => k.startsWith(prefix));
        assert.deepEqual([...index.keys(prefix)], expected, prefix);
        const runs = [...index.runs(prefix)];
        assert.ok(
          runs.every((r) => r.from < r.to && r.to <= r.keys.length),
          `${prefix}: runs are non-empty`,
        );
        assert.deepEqual(
          runs.flatMap((r) => r.keys.slice(r.from, r.to)),
          expected,
          `${prefix}: runs`,
        );
        for (const after of [expected[0], expected[Math.floor(expected.length / 2)], `${prefix}k5`, prefix, '/a']) {
          if (after === undefined) continue;
          const tail = expected.filter((k) => k > after);
          assert.deepEqual([...index.keys(prefix, after)], tail, `${prefix} after ${after}`);
          assert.equal(index.countAfter(prefix, after), tail.length, `count ${prefix} after ${after}`);
        }
      }
    }
  });

  it('bulk load sorts and dedupes', () => {
    const index = new KeyIndex();
    const e = (r: number) => ({ object: obj('x', r), modRevision: r });
    index.load([
      ['/b', e(1)],
      ['/a', e(2)],
      ['/c', e(3)],
      ['/a', e(4)],
    ]);
    assert.deepEqual([...index.keys('/')], ['/a', '/b', '/c']);
    assert.equal(index.get('/a')?.modRevision, 4);
    index.set('/ab', e(5));
    assert.deepEqual([...index.keys('/a')], ['/a', '/ab']);
  });

  it('the label index: kept current from an empty load on; after a loaded store, built by the first selective read', () => {
    let reads = 0;
    /** An entry that counts the reads of its object (what building the index costs: a parse for a loaded store). */
    const counted = (name: string, group: string): Entry => {
      const object = { metadata: { name, labels: { group } } } as KubeObject;
      return {
        modRevision: 1,
        get object() {
          reads++;
          return object;
        },
      };
    };
    const fresh = new KeyIndex();
    fresh.load([]);
    for (let i = 0; i < 20; i++) fresh.set(`/p/${i}`, counted(`p${i}`, `g${i % 10}`));
    const afterWrites = reads;
    assert.deepEqual(fresh.keysWithLabel('/p/', 'group', 'g3'), ['/p/13', '/p/3']);
    assert.equal(reads, afterWrites, 'a new store indexes labels as objects are written: a selective read reads none');
    reads = 0;
    const loaded = new KeyIndex();
    loaded.load(Array.from({ length: 40 }, (_, i): [string, Entry] => [`/p/${i}`, counted(`p${i}`, `g${i % 20}`)]));
    assert.equal(reads, 0, 'loading reads no object');
    assert.deepEqual(loaded.keysWithLabel('/p/', 'group', 'g3'), ['/p/23', '/p/3']);
    assert.equal(reads, 40, 'the first selective read builds the index');
    loaded.set('/p/40', counted('p40', 'g3'));
    assert.deepEqual(loaded.keysWithLabel('/p/', 'group', 'g3'), ['/p/23', '/p/3', '/p/40']);
  });

  it('keeps the label index true to the objects under random relabels, rewrites with the same labels included', () => {
    const rand = rng(5);
    const index = new KeyIndex();
    const model = new Map<string, Record<string, string>>();
    // values enough that each is rare (the index answers only for a value held by under an eighth of the keys)
    const values = Array.from({ length: 24 }, (_, i) => `v${i}`);
    let checked = 0;
    for (let step = 0; step < 6000; step++) {
      const key = `/p/${rand(200)}`;
      const prev = model.get(key);
      if (prev && rand(8) === 0) {
        index.delete(key);
        model.delete(key);
        continue;
      }
      // a third of the rewrites keep the labels (the same object, or an equal copy), the rest change some
      let labels: Record<string, string>;
      if (prev && rand(3) === 0) labels = rand(2) === 0 ? prev : { ...prev };
      else {
        labels = {};
        for (const name of ['tier', 'group', 'zone']) if (rand(3) > 0) labels[name] = values[rand(values.length)]!;
      }
      const object = { metadata: { name: key, labels }, spec: { step } } as KubeObject;
      index.set(key, { object, modRevision: step + 1 });
      model.set(key, labels);
      if (step % 200 === 0 || step === 5999)
        for (const name of ['tier', 'group', 'zone'])
          for (const value of values) {
            const want = [...model]
              .filter(([, l]) => l[name] === value)
              .map(([k]) => k)
              .sort(compareKeys);
            // undefined: the index says a scan is cheaper (the value is too common); the scan answers then
            const got = index.keysWithLabel('/p/', name, value);
            if (got === undefined) continue;
            assert.deepEqual(got, want, `${name}=${value} at step ${step}`);
            checked++;
          }
    }
    assert.ok(checked > 1000, `the index answered ${checked} times`);
  });
});

describe('listAt', () => {
  it('answers every older revision like a full snapshot would', () => {
    const rand = rng(11);
    const index = new KeyIndex();
    const history = new History();
    const snapshots: Map<string, KubeObject>[] = [new Map()];
    let state = new Map<string, KubeObject>();
    for (let rev = 1; rev <= 400; rev++) {
      const key = `${PREFIXES[rand(PREFIXES.length)]}k${String(rand(40)).padStart(2, '0')}`;
      const prev = state.get(key);
      let ev: StoredEvent;
      state = new Map(state);
      if (prev && rand(3) === 0) {
        ev = makeEvent(
          'DELETED',
          key,
          rev,
          { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rev) } },
          prev,
        );
        state.delete(key);
        index.delete(key);
      } else {
        const o = obj(key, rev);
        ev = prev ? makeEvent('MODIFIED', key, rev, o, prev) : makeEvent('ADDED', key, rev, o);
        state.set(key, o);
        index.set(key, { object: o, modRevision: rev });
      }
      history.append(ev);
      snapshots.push(state);
    }
    const filter = (o: KubeObject): boolean => (o.spec as { even: boolean }).even;
    for (let check = 0; check < 300; check++) {
      const revision = rand(401);
      const prefix = PREFIXES[rand(PREFIXES.length)]!;
      const useFilter = rand(2) === 0;
      const limit = rand(6);
      const expected = [...snapshots[revision]!]
        .filter(([k, o]) => k.startsWith(prefix) && (!useFilter || filter(o)))
        .sort(([a], [b]) => compareKeys(a, b));
      // Page through and compare with the snapshot.
      const got: [string, KubeObject][] = [];
      let startAfter: string | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = listAt(index, history, prefix, revision, 400, {
          limit,
          startAfter,
          filter: useFilter ? filter : undefined,
        });
        assert.equal(page.revision, revision);
        got.push(...page.items.map((o): [string, KubeObject] => [o.metadata.name!, o]));
        if (page.nextKey === undefined) break;
        if (!useFilter) {
          const left = [...snapshots[revision]!.keys()].filter((k) => k.startsWith(prefix) && k > page.nextKey!).length;
          assert.equal(page.remainingItemCount, left, `remaining after ${page.nextKey} at ${revision}`);
        }
        startAfter = page.nextKey;
      }
      assert.deepEqual(got, expected, `rev ${revision} ${prefix} limit ${limit} filter ${useFilter}`);
    }
  });
});

describe('label index', () => {
  it('lists with a label hint exactly as the scan does (limits, continue keys, relabels, deletes, reload)', () => {
    const rand = rng(11);
    const index = new KeyIndex();
    const labelled = (key: string, revision: number, tier: string, team: string): KubeObject => ({
      metadata: { name: key, resourceVersion: String(revision), labels: { tier, team } },
    });
    const check = () => {
      // tier has 40 values (the index answers), team 2 (too common: the scan answers); both must agree.
      for (const [name, value] of [
        ['tier', 't7'],
        ['tier', 't0'],
        ['team', 'x'],
        ['tier', 'missing'],
      ] as const) {
        const filter = (o: KubeObject) => o.metadata.labels?.[name] === value && o.metadata.name !== 'hidden';
        for (const prefix of ['/registry/pods/a/', '/registry/pods/']) {
          for (const limit of [undefined, 1, 3]) {
            let startAfter: string | undefined;
            for (let page = 0; page < 50; page++) {
              const opts = { filter, limit, startAfter };
              const scan = listAt(index, new History(), prefix, 1, 1, opts);
              const hinted = listAt(index, new History(), prefix, 1, 1, { ...opts, labelEquals: [name, value] });
              assert.deepEqual(hinted, scan, `${name}=${value} ${prefix} limit ${limit} after ${startAfter}`);
              if (scan.nextKey === undefined) break;
              startAfter = scan.nextKey;
            }
          }
        }
      }
    };
    for (let step = 0; step < 3000; step++) {
      const key = `/registry/pods/${rand(2) ? 'a' : 'b'}/k${rand(400)}`;
      if (rand(4) === 0) index.delete(key);
      else index.set(key, { object: labelled(key, step + 1, `t${rand(40)}`, rand(2) ? 'x' : 'y'), modRevision: 1 });
      if (step % 600 === 0) check();
    }
    check();
    const reloaded = new KeyIndex();
    reloaded.load([...index.keys('')].map((k) => [k, index.get(k)!] as [string, Entry]));
    for (const [name, value] of [
      ['tier', 't3'],
      ['team', 'y'],
    ] as const) {
      const filter = (o: KubeObject) => o.metadata.labels?.[name] === value;
      assert.deepEqual(
        listAt(reloaded, new History(), '/registry/', 1, 1, { filter, labelEquals: [name, value] }),
        listAt(index, new History(), '/registry/', 1, 1, { filter }),
      );
    }
  });
});

describe('freezeParsed', () => {
  it('freezes a parsed JSON value deeply, sharing {} and repeated strings, and serializes as the text did', () => {
    const text = JSON.stringify({
      metadata: { name: 'a', annotations: {}, ['__proto__']: { x: 'a-value-longer-than-ten' } },
      spec: { list: [{}, [], { y: 'a-value-longer-than-ten' }, null, 1, 'short'], empty: {}, n: 0 },
    });
    const a = freezeParsed(JSON.parse(text));
    const b = freezeParsed(JSON.parse(text));
    assert.equal(JSON.stringify(a), text);
    assert.equal(a.metadata.annotations, a.spec.empty);
    assert.equal(a.spec.list[0], b.spec.empty);
    assert.notEqual(a.spec.list[1], b.spec.list[1], 'arrays are not shared');
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.spec.list) && Object.isFrozen(a.spec.list[2]));
    assert.ok(Object.isFrozen(a.metadata.annotations));
    assert.deepEqual(Object.keys(a.metadata), ['name', 'annotations', '__proto__']);
    assert.equal(Object.getPrototypeOf(a.metadata), Object.prototype, 'an own __proto__ member stays a member');
    assert.throws(() => {
      (a.spec.empty as Record<string, unknown>)['x'] = 1;
    }, TypeError);
    const frozen = Object.freeze({ z: {} });
    const c = freezeParsed({ keep: frozen });
    assert.equal(c.keep, frozen, 'frozen members are taken as they are');
    assert.equal(freezeParsed('text'), 'text');
  });

  it('shares the subtrees of repeated members only with one of the same JSON text', () => {
    const parse = (v: unknown) =>
      freezeParsed(JSON.parse(JSON.stringify({ fieldsV1: v })) as { fieldsV1: any }).fieldsV1;
    const a = parse({ x: 1, y: ['1', true, null, {}] });
    assert.equal(parse({ x: 1, y: ['1', true, null, {}] }), a);
    assert.ok(Object.isFrozen(a) && Object.isFrozen(a.y));
    assert.notEqual(parse({ y: ['1', true, null, {}], x: 1 }), a, 'another member order serializes otherwise');
    assert.notEqual(parse({ x: '1', y: ['1', true, null, {}] }), a);
    assert.notEqual(parse({ x: 1, y: [1, true, null, {}] }), a);
    const big = { s: 'x'.repeat(5000) };
    assert.notEqual(parse(big), parse(big), 'large subtrees are not looked up');
    const escaped = { 'a"b': 'c\\"d' };
    assert.deepEqual(parse(escaped), escaped);
    assert.equal(parse(escaped), parse(escaped));
    const other = (v: unknown) => freezeParsed(JSON.parse(JSON.stringify({ other: v })) as { other: any }).other;
    assert.notEqual(other({ x: 1 }), other({ x: 1 }), 'other members are not looked up');
    const pod = (name: string) =>
      freezeParsed(
        JSON.parse(
          JSON.stringify({
            metadata: { name, managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} } } }] },
            spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] },
          }),
        ) as any,
      );
    const [p, q] = [pod('p'), pod('q')];
    assert.equal(p.metadata.managedFields[0].fieldsV1, q.metadata.managedFields[0].fieldsV1);
    assert.equal(p.spec.tolerations, q.spec.tolerations);
    assert.equal(JSON.stringify(q), JSON.stringify(pod('q')));
  });
});

describe('History', () => {
  it('drops through a revision and finds positions after compaction', () => {
    const h = new History();
    for (let r = 1; r <= 3000; r += 2) h.append(makeEvent('ADDED', `/k${r}`, r, obj('k', r)));
    assert.equal(h.length, 1500);
    assert.equal(h.dropThrough(2100), 1050);
    assert.equal(h.nth(0)?.revision, 2101);
    assert.deepEqual(
      [...h.after(2994)].map((e) => e.revision),
      [2995, 2997, 2999],
    );
    assert.throws(() => h.append(makeEvent('ADDED', '/x', 2999, obj('x', 2999))), /out of order/);
    assert.equal(h.dropThrough(5000), 450);
    assert.equal(h.length, 0);
    h.append(makeEvent('ADDED', '/y', 6000, obj('y', 6000)));
    assert.equal(h.length, 1);
  });
});

describe('KeyTurns', () => {
  it('runs the turns of one key one after another, of different keys at once, and forgets idle keys', async () => {
    const turns = new KeyTurns();
    const log: string[] = [];
    const step =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await new Promise((r) => setImmediate(r));
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const a1 = turns.run('a', step('a1', true));
    const a2 = turns.run('a', step('a2'));
    const b1 = turns.run('b', step('b1'));
    assert.equal(turns.size, 2);
    await assert.rejects(a1, /a1/);
    assert.deepEqual(await Promise.all([a2, b1]), ['a2', 'b1']);
    const at = (entry: string) => log.indexOf(entry);
    assert.ok(at('a2 start') > at('a1 end'), `a2 waits for a1: ${log}`);
    assert.ok(at('b1 start') < at('a1 end'), `b1 does not wait for a1: ${log}`);
    await new Promise((r) => setImmediate(r));
    assert.equal(turns.size, 0);
  });
});
