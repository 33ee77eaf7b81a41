/**
 * The behaviour every Storage implementation must show, as a node:test suite. A new engine is conformant when
 * `storageConformance('<engine>', open)` passes in its test file; `open` gives each case a fresh, empty store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/objects.js';
import type { Storage } from './interface.js';
import { type OpenStorage, pod, podKey, rejectsWithCode, rv, withStorage } from './conformance-helpers.js';
import { watchConformance } from './conformance-watch.js';

export type { ConformanceOpenOptions, OpenStorage } from './conformance-helpers.js';

const T = { timeout: 20_000 };

/**
 * Registers the conformance suite for the implementation `name`. Call it at the top level of a test file.
 * `open` must return an empty store and a `cleanup` that closes it and removes what it created; it may receive
 * options (a small watch buffer) that the implementation must honour.
 */
export function storageConformance(name: string, open: OpenStorage): void {
  describe(`storage conformance: ${name}`, () => {
    crudConformance(open);
    listConformance(open);
    watchConformance(open);
  });
}

function crudConformance(open: OpenStorage): void {
  it('create, get, KeyExists, KeyNotFound; objects are frozen and private', T, () =>
    withStorage(open, async (s) => {
      const base = s.currentRevision();
      assert.ok(base >= 0 && s.compactedRevision() <= base, 'an empty store may start at any revision');
      const input = pod('a');
      const created = await s.create(podKey('default', 'a'), input);
      assert.equal(created.metadata.resourceVersion, String(s.currentRevision()));
      assert.equal(created.metadata.name, 'a');
      assert.ok(Object.isFrozen(created) && Object.isFrozen(created.metadata), 'stored objects are frozen');
      (input.metadata.labels as unknown) = { changed: 'after-create' };
      const got = await s.get(podKey('default', 'a'));
      assert.deepEqual(got, created);
      assert.equal(got.metadata.labels, undefined, 'the caller keeps its own object');
      await rejectsWithCode(s.create(podKey('default', 'a'), pod('a')), 'KeyExists');
      await rejectsWithCode(s.get(podKey('default', 'missing')), 'KeyNotFound');
    }),
  );

  it('every write gets the next revision, reflected in resourceVersion', T, () =>
    withStorage(open, async (s) => {
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) seen.push(rv(await s.create(podKey('default', `p${i}`), pod(`p${i}`))));
      seen.push(rv(await s.guaranteedUpdate(podKey('default', 'p0'), (c) => ({ ...c, spec: { x: 1 } }))));
      seen.push(rv(await s.delete(podKey('default', 'p1'))));
      const parallel = await Promise.all([5, 6, 7, 8].map((i) => s.create(podKey('default', `p${i}`), pod(`p${i}`))));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `revisions increase: ${seen}`);
      const parallelRevs = parallel.map(rv);
      assert.equal(new Set(parallelRevs).size, 4, 'concurrent writes get distinct revisions');
      assert.ok(Math.min(...parallelRevs) > seen[seen.length - 1]!);
      assert.equal(s.currentRevision(), Math.max(...parallelRevs));
    }),
  );

  it('guaranteedUpdate: 50 concurrent increments of one key lose nothing', T, () =>
    withStorage(open, async (s) => {
      const key = podKey('default', 'counter');
      await s.create(key, { ...pod('counter'), spec: { n: 0 } });
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          s.guaranteedUpdate(key, async (cur) => {
            await new Promise((r) => setImmediate(r));
            const spec = cur.spec as { n: number };
            return { ...cur, spec: { n: spec.n + 1 } };
          }),
        ),
      );
      const final = await s.get(key);
      assert.equal((final.spec as { n: number }).n, 50);
      assert.equal(new Set(results.map(rv)).size, 50);
      assert.equal(final.metadata.resourceVersion, String(s.currentRevision()));
    }),
  );

  it('guaranteedUpdate: concurrent updates of one key take turns (each change computed once, none lost)', T, () =>
    withStorage(open, async (s) => {
      const key = podKey('default', 'turns');
      await s.create(key, { ...pod('turns'), spec: { n: 0 } });
      let calls = 0;
      let running = 0;
      let overlapped = false;
      const bump = (cur: KubeObject) => {
        calls++;
        overlapped ||= ++running > 1;
        return new Promise<KubeObject>((r) =>
          setImmediate(() => {
            running--;
            r({ ...cur, spec: { n: (cur.spec as { n: number }).n + 1 } });
          }),
        );
      };
      const updates = Array.from({ length: 20 }, () => s.guaranteedUpdate(key, bump));
      // a failing update queued behind them does not stop the turns
      const failing = s.guaranteedUpdate(key, () => {
        throw new Error('refused');
      });
      await Promise.all(updates);
      await assert.rejects(failing, /refused/);
      assert.equal(calls, 20, 'each update computed its change once');
      assert.equal(overlapped, false, 'no two changes of one key were computed at once');
      const gone = await s.delete(key);
      assert.equal((gone.spec as { n: number }).n, 20);
    }),
  );

  it('guaranteedUpdate: returning the current object writes nothing; errors propagate', T, () =>
    withStorage(open, async (s) => {
      const key = podKey('default', 'a');
      const created = await s.create(key, pod('a'));
      const before = s.currentRevision();
      const same = await s.guaranteedUpdate(key, (cur) => cur);
      assert.equal(same.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal(s.currentRevision(), before);
      const boom = new Error('boom');
      await assert.rejects(
        s.guaranteedUpdate(key, () => {
          throw boom;
        }),
        (e) => e === boom,
      );
      await rejectsWithCode(
        s.guaranteedUpdate(podKey('default', 'nope'), (c) => c),
        'KeyNotFound',
      );
      assert.equal(s.currentRevision(), before);
    }),
  );

  it('preconditions on update and delete fail with Conflict', T, () =>
    withStorage(open, async (s) => {
      const key = podKey('default', 'a');
      const created = await s.create(key, pod('a'));
      const uid = created.metadata.uid!;
      const e1 = await rejectsWithCode(
        s.guaranteedUpdate(key, (c) => ({ ...c, spec: {} }), { preconditions: { uid: 'other' } }),
        'Conflict',
      );
      assert.match(
        e1.message,
        new RegExp(`Precondition failed: UID in precondition: other, UID in object meta: ${uid}`),
      );
      const e2 = await rejectsWithCode(
        s.guaranteedUpdate(key, (c) => ({ ...c, spec: {} }), { preconditions: { resourceVersion: '999999' } }),
        'Conflict',
      );
      assert.match(
        e2.message,
        new RegExp(
          `ResourceVersion in precondition: 999999, ResourceVersion in object meta: ${created.metadata.resourceVersion}`,
        ),
      );
      await rejectsWithCode(s.delete(key, { preconditions: { uid: 'other' } }), 'Conflict');
      await rejectsWithCode(s.delete(key, { preconditions: { resourceVersion: '999999' } }), 'Conflict');
      const updated = await s.guaranteedUpdate(key, (c) => ({ ...c, spec: { v: 2 } }), {
        preconditions: { uid, resourceVersion: created.metadata.resourceVersion },
      });
      await s.delete(key, { preconditions: { uid, resourceVersion: updated.metadata.resourceVersion } });
      await rejectsWithCode(s.get(key), 'KeyNotFound');
    }),
  );

  it('delete returns the last state with the deletion revision', T, () =>
    withStorage(open, async (s) => {
      const key = podKey('default', 'a');
      const created = await s.create(key, pod('a', 'default', { spec: { keep: true } }));
      const deleted = await s.delete(key);
      assert.equal(deleted.metadata.resourceVersion, String(s.currentRevision()));
      assert.ok(rv(deleted) > rv(created));
      assert.deepEqual(deleted.spec, { keep: true });
      await rejectsWithCode(s.get(key), 'KeyNotFound');
      await rejectsWithCode(s.delete(key), 'KeyNotFound');
    }),
  );
}

function listConformance(open: OpenStorage): void {
  it('list is isolated to its prefix, in key order, at the current revision', T, () =>
    withStorage(open, async (s) => {
      for (const name of ['c', 'a', 'b']) await s.create(podKey('default', name), pod(name));
      await s.create(podKey('default2', 'a'), pod('a', 'default2'));
      await s.create('/registry/services/default/a', pod('a'));
      const res = await s.list('/registry/pods/default/');
      assert.deepEqual(
        res.items.map((o) => o.metadata.name),
        ['a', 'b', 'c'],
      );
      assert.ok(res.items.every((o) => o.metadata.namespace === 'default'));
      assert.equal(res.revision, s.currentRevision());
      assert.equal(res.nextKey, undefined);
      assert.equal((await s.list('/registry/pods/')).items.length, 4);
      assert.equal((await s.list('/registry/pods/nothing/')).items.length, 0);
    }),
  );

  it("pages across 400 objects stay at the first page's revision while writes continue", T, () =>
    withStorage(open, async (s) => {
      const name = (i: number): string => `p-${String(i).padStart(4, '0')}`;
      await Promise.all(Array.from({ length: 400 }, (_, i) => s.create(podKey('default', name(i)), pod(name(i)))));
      const first = await s.list('/registry/pods/default/', { limit: 100 });
      assert.equal(first.items.length, 100);
      assert.equal(first.nextKey, podKey('default', name(99)));
      assert.equal(first.remainingItemCount, 300);
      const R = first.revision;
      const items: KubeObject[] = [...first.items];
      let page = first;
      let round = 0;
      while (page.nextKey !== undefined) {
        // Writes between pages: modify, delete and add keys both behind and ahead of the cursor.
        const n = 100 * ++round;
        await s.guaranteedUpdate(podKey('default', name(n + 50)), (c) => ({ ...c, spec: { modified: true } }));
        await s.delete(podKey('default', name(n + 60)));
        await s.create(podKey('default', `${name(n + 70)}-new`), pod(`${name(n + 70)}-new`));
        await s.delete(podKey('default', name(n - 10)));
        page = await s.list('/registry/pods/default/', { limit: 100, revision: R, startAfter: page.nextKey });
        assert.equal(page.revision, R);
        if (page.nextKey !== undefined) assert.equal(page.remainingItemCount, 400 - 100 * (round + 1));
        items.push(...page.items);
      }
      assert.equal(round, 3);
      assert.deepEqual(
        items.map((o) => o.metadata.name),
        Array.from({ length: 400 }, (_, i) => name(i)),
      );
      assert.ok(items.every((o) => rv(o) <= R && o.spec && !('modified' in (o.spec as object))));
      const now = await s.list('/registry/pods/default/');
      assert.equal(now.items.length, 400 - 6 + 3);
    }),
  );

  it('list at an older revision sees the old state of modified, deleted and added keys', T, () =>
    withStorage(open, async (s) => {
      const a0 = await s.create(podKey('default', 'a'), pod('a'));
      await s.create(podKey('default', 'b'), pod('b'));
      await s.create(podKey('default', 'c'), pod('c'));
      const R = s.currentRevision();
      await s.guaranteedUpdate(podKey('default', 'a'), (c) => ({ ...c, spec: { v: 2 } }));
      await s.delete(podKey('default', 'b'));
      await s.create(podKey('default', 'd'), pod('d'));
      await s.delete(podKey('default', 'c'));
      await s.create(podKey('default', 'c'), pod('c', 'default', { spec: { again: true } }));
      const old = await s.list('/registry/pods/default/', { revision: R });
      assert.equal(old.revision, R);
      assert.deepEqual(
        old.items.map((o) => o.metadata.name),
        ['a', 'b', 'c'],
      );
      assert.deepEqual(old.items[0], a0);
      assert.ok(old.items.every((o) => rv(o) <= R));
      const page = await s.list('/registry/pods/default/', { revision: R, limit: 1 });
      assert.equal(page.remainingItemCount, 2);
      const now = await s.list('/registry/pods/default/');
      assert.deepEqual(
        now.items.map((o) => o.metadata.name),
        ['a', 'c', 'd'],
      );
      assert.deepEqual(now.items[0]!.spec, { v: 2 });
      await rejectsWithCode(
        s.list('/registry/pods/default/', { revision: s.currentRevision() + 1 }),
        'TooLargeResourceVersion',
      );
    }),
  );

  it('filter applies before limit; pages cover exactly the matching items', T, () =>
    withStorage(open, async (s) => {
      for (let i = 0; i < 20; i++) {
        const name = `p-${String(i).padStart(2, '0')}`;
        await s.create(podKey('default', name), pod(name, 'default', { spec: { even: i % 2 === 0 } }));
      }
      const filter = (o: KubeObject): boolean => (o.spec as { even: boolean }).even;
      const first = await s.list('/registry/pods/default/', { limit: 3, filter });
      assert.deepEqual(
        first.items.map((o) => o.metadata.name),
        ['p-00', 'p-02', 'p-04'],
      );
      assert.equal(first.nextKey, podKey('default', 'p-04'));
      assert.equal(first.remainingItemCount, undefined, 'no remainingItemCount with a filter');
      const names: string[] = [];
      let startAfter: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await s.list('/registry/pods/default/', {
          limit: 3,
          filter,
          startAfter,
          revision: first.revision,
        });
        names.push(...page.items.map((o) => o.metadata.name!));
        if (page.nextKey === undefined) break;
        startAfter = page.nextKey;
      }
      assert.deepEqual(
        names,
        Array.from({ length: 10 }, (_, i) => `p-${String(2 * i).padStart(2, '0')}`),
      );
    }),
  );

  it('list and reads below the compacted revision are Expired', T, () =>
    withStorage(open, async (s: Storage) => {
      for (let i = 0; i < 5; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const target = s.currentRevision() - 1;
      await s.compact(target);
      assert.equal(s.compactedRevision(), target);
      const err = await rejectsWithCode(s.list('/registry/pods/default/', { revision: target - 1 }), 'Expired');
      assert.equal((err as { currentRevision?: number }).currentRevision, s.currentRevision());
      const atCompacted = await s.list('/registry/pods/default/', { revision: target });
      assert.equal(atCompacted.items.length, 4);
    }),
  );
}
