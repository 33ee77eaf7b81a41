/** The watch part of the storage conformance suite (registered by storageConformance in conformance.ts). */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredEvent, WatchCursor, WatchItem } from './interface.js';
import {
  type OpenStorage,
  describeItems,
  nextWithin,
  within,
  pod,
  podKey,
  rejectsWithCode,
  rv,
  startWatch,
  take,
  withStorage,
} from './conformance-helpers.js';

const T = { timeout: 20_000 };
const PREFIX = '/registry/pods/default/';

/** Registers the watch cases; `open` as for storageConformance. */
export function watchConformance(open: OpenStorage): void {
  it('watch from a revision replays exactly the later events, then live ones', T, () =>
    withStorage(open, async (s) => {
      const r1 = rv(await s.create(podKey('default', 'a'), pod('a')));
      const r2 = rv(await s.guaranteedUpdate(podKey('default', 'a'), (c) => ({ ...c, spec: { v: 2 } })));
      const r3 = rv(await s.create(podKey('default', 'b'), pod('b')));
      await s.create(podKey('other', 'x'), pod('x', 'other'));
      const { it: w, ac } = startWatch(s, PREFIX, r1);
      try {
        const replay = await take(w, 2);
        assert.deepEqual(describeItems(replay), [
          `MODIFIED ${podKey('default', 'a')}@${r2}`,
          `ADDED ${podKey('default', 'b')}@${r3}`,
        ]);
        assert.equal((replay[0] as StoredEvent).object.metadata.resourceVersion, String(r2));
        const r5 = rv(await s.delete(podKey('default', 'a')));
        await s.create(podKey('other', 'y'), pod('y', 'other'));
        const r7 = rv(await s.create(podKey('default', 'c'), pod('c')));
        assert.deepEqual(describeItems(await take(w, 2)), [
          `DELETED ${podKey('default', 'a')}@${r5}`,
          `ADDED ${podKey('default', 'c')}@${r7}`,
        ]);
      } finally {
        ac.abort();
      }
    }),
  );

  it('a watch started while writes are in flight has no gap and no duplicate', T, () =>
    withStorage(open, async (s) => {
      const base = s.currentRevision();
      const writes: Promise<unknown>[] = [];
      const writer = (async () => {
        for (let i = 0; i < 60; i++) {
          const p = s.create(podKey('default', `p${i}`), pod(`p${i}`));
          writes.push(p);
          if (i % 3 === 0) await p;
        }
      })();
      while (s.currentRevision() < base + 10) await new Promise((r) => setImmediate(r));
      const { it: w, ac } = startWatch(s, PREFIX, base);
      try {
        await writer;
        await Promise.all(writes);
        const items = await take(w, 60);
        assert.deepEqual(
          items.map((i) => i.revision),
          Array.from({ length: 60 }, (_, i) => base + i + 1),
        );
      } finally {
        ac.abort();
      }
    }),
  );

  it('watch from the current revision on an empty prefix sees only new events under it', T, () =>
    withStorage(open, async (s) => {
      const base = s.currentRevision();
      await s.create(podKey('other', 'x'), pod('x', 'other'));
      const { it: w, ac } = startWatch(s, '/registry/pods/empty/', base);
      try {
        const pending = w.next();
        await s.create(podKey('other', 'y'), pod('y', 'other'));
        await s.create(podKey('default', 'z'), pod('z'));
        const r = rv(await s.create(podKey('empty', 'a'), pod('a', 'empty')));
        const first = await pending;
        assert.equal(first.done, false);
        assert.deepEqual(describeItems([first.value as WatchItem]), [`ADDED ${podKey('empty', 'a')}@${r}`]);
      } finally {
        ac.abort();
      }
    }),
  );

  it('concurrent watchers see identical sequences of the same event instances', T, () =>
    withStorage(open, async (s) => {
      const from = s.currentRevision();
      const watches = [0, 1, 2].map(() => startWatch(s, PREFIX, from));
      try {
        const firsts = watches.map((w) => w.it.next());
        await Promise.all(Array.from({ length: 15 }, (_, i) => s.create(podKey('default', `p${i}`), pod(`p${i}`))));
        await Promise.all(
          Array.from({ length: 15 }, (_, i) =>
            s.guaranteedUpdate(podKey('default', `p${i}`), (c) => ({ ...c, spec: { i } })),
          ),
        );
        const seqs = await Promise.all(
          watches.map(async (w, i) => {
            const first = await firsts[i]!;
            return [first.value as WatchItem, ...(await take(w.it, 29))];
          }),
        );
        const revs = seqs[0]!.map((e) => e.revision);
        assert.deepEqual(
          revs,
          [...revs].sort((a, b) => a - b),
        );
        assert.equal(new Set(revs).size, 30);
        for (const seq of seqs.slice(1)) {
          assert.deepEqual(describeItems(seq), describeItems(seqs[0]!));
          seq.forEach((e, i) => assert.equal(e, seqs[0]![i], 'the same StoredEvent instance for every watcher'));
        }
      } finally {
        for (const w of watches) w.ac.abort();
      }
    }),
  );

  it('a watch cursor hands over at once what next() would, in order, and nothing when next() would wait', T, () =>
    withStorage(open, async (s) => {
      const from = s.currentRevision();
      const plain = startWatch(s, PREFIX, from);
      const cursor = startWatch(s, PREFIX, from);
      const it = cursor.it as AsyncIterator<WatchItem> & Partial<WatchCursor>;
      try {
        if (typeof it.takeNow !== 'function') return; // the iterators of this storage are no cursors
        assert.equal(it.takeNow(), undefined, 'nothing at hand before the first next()');
        const first = it.next();
        const plainFirst = plain.it.next();
        await Promise.all(Array.from({ length: 12 }, (_, i) => s.create(podKey('default', `c${i}`), pod(`c${i}`))));
        await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            s.guaranteedUpdate(podKey('default', `c${i}`), (c) => ({ ...c, spec: { i } })),
          ),
        );
        const taken: WatchItem[] = [];
        for (let r = await first; !r.done; r = await nextWithin(it)) {
          taken.push(r.value);
          for (let item = it.takeNow(); item !== undefined; item = it.takeNow()) taken.push(item);
          if (taken.length >= 24) break;
        }
        assert.equal(it.takeNow(), undefined, 'nothing left at hand');
        const plainItems = [(await plainFirst).value as WatchItem, ...(await take(plain.it, 23))];
        assert.deepEqual(describeItems(taken), describeItems(plainItems));
        taken.forEach((e, i) => assert.equal(e, plainItems[i], 'the same StoredEvent instances'));
        // after a wait, the next event comes through next() again, then at once what followed it
        const later = it.next();
        await s.create(podKey('default', 'later'), pod('later'));
        await s.create(podKey('default', 'later2'), pod('later2'));
        assert.deepEqual(describeItems([(await later).value as WatchItem]), [
          `ADDED ${podKey('default', 'later')}@${rv(await s.get(podKey('default', 'later')))}`,
        ]);
        const rest = it.takeNow() ?? (await nextWithin(it)).value;
        assert.deepEqual(describeItems([rest as WatchItem]), [
          `ADDED ${podKey('default', 'later2')}@${rv(await s.get(podKey('default', 'later2')))}`,
        ]);
      } finally {
        plain.ac.abort();
        cursor.ac.abort();
      }
    }),
  );

  it('MODIFIED and DELETED carry prevObject; DELETED carries the deletion revision', T, () =>
    withStorage(open, async (s) => {
      const { it: w, ac } = startWatch(s, PREFIX, s.currentRevision());
      try {
        const key = podKey('default', 'a');
        const created = await s.create(key, pod('a'));
        const updated = await s.guaranteedUpdate(key, (c) => ({ ...c, spec: { v: 2 } }));
        const deleted = await s.delete(key);
        const [added, modified, gone] = (await take(w, 3)) as StoredEvent[];
        assert.equal(added!.type, 'ADDED');
        assert.equal(added!.prevObject, undefined);
        assert.deepEqual(added!.object, created);
        assert.equal(modified!.type, 'MODIFIED');
        assert.deepEqual(modified!.prevObject, created);
        assert.deepEqual(modified!.object, updated);
        assert.equal(gone!.type, 'DELETED');
        assert.deepEqual(gone!.prevObject, updated);
        assert.deepEqual(gone!.object, deleted);
        assert.equal(gone!.object.metadata.resourceVersion, String(gone!.revision));
        assert.ok(Object.isFrozen(gone));
      } finally {
        ac.abort();
      }
    }),
  );

  it('watch below the compacted revision is Expired; at it, replays the rest', T, () =>
    withStorage(open, async (s) => {
      for (let i = 0; i < 5; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const compacted = s.currentRevision() - 1;
      await s.compact(compacted);
      const old = startWatch(s, PREFIX, compacted - 1);
      await rejectsWithCode(old.it.next(), 'Expired');
      old.ac.abort();
      const { it: w, ac } = startWatch(s, PREFIX, compacted);
      try {
        assert.deepEqual(
          (await take(w, 1)).map((e) => e.revision),
          [s.currentRevision()],
        );
      } finally {
        ac.abort();
      }
    }),
  );

  it('a watcher that stops reading is dropped with TooSlow', T, () =>
    withStorage(
      open,
      async (s) => {
        const { it: w, ac } = startWatch(s, PREFIX, s.currentRevision());
        try {
          const first = w.next();
          for (let i = 0; i < 40; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
          assert.equal((await first).done, false);
          let received = 1;
          let error: unknown;
          try {
            for (; received < 40; received++) if ((await nextWithin(w)).done) break;
          } catch (err) {
            error = err;
          }
          assert.ok(error !== undefined, 'the slow watcher got an error');
          await rejectsWithCode(Promise.reject(error), 'TooSlow');
          assert.ok(received < 40);
          await s.create(podKey('default', 'after'), pod('after'));
        } finally {
          ac.abort();
        }
      },
      { watchBufferLimit: 10 },
    ),
  );

  it('PROGRESS follows every delivered event and reports the current revision', T, () =>
    withStorage(open, async (s) => {
      const base = s.currentRevision();
      for (let i = 0; i < 5; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const { it: w, ac } = startWatch(s, PREFIX, base, 20);
      try {
        const items: WatchItem[] = [];
        for (;;) {
          const r = await nextWithin(w);
          assert.equal(r.done, false);
          items.push(r.value as WatchItem);
          if (r.value?.type === 'PROGRESS') break;
        }
        assert.deepEqual(
          items.map((i) => i.type),
          ['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED', 'PROGRESS'],
        );
        assert.equal(items[5]!.revision, s.currentRevision());
        const r = rv(await s.create(podKey('default', 'late'), pod('late')));
        await s.create(podKey('other', 'x'), pod('x', 'other'));
        const next = await nextWithin(w);
        assert.deepEqual(describeItems([next.value as WatchItem]), [`ADDED ${podKey('default', 'late')}@${r}`]);
        const progress = await nextWithin(w);
        assert.equal(progress.value?.type, 'PROGRESS');
        assert.ok(progress.value!.revision >= r);
      } finally {
        ac.abort();
      }
    }),
  );

  it('aborting the signal ends the iterator', T, () =>
    withStorage(open, async (s) => {
      const base = s.currentRevision();
      const { it: w, ac } = startWatch(s, PREFIX, base);
      const pending = w.next();
      await new Promise((r) => setTimeout(r, 5));
      ac.abort();
      assert.equal((await within(pending)).done, true);
      assert.equal((await nextWithin(w)).done, true);

      const pre = new AbortController();
      pre.abort();
      const aborted = s.watch(PREFIX, base, { signal: pre.signal })[Symbol.asyncIterator]();
      assert.equal((await nextWithin(aborted)).done, true);

      const loop = new AbortController();
      const seen: WatchItem[] = [];
      const consumer = (async () => {
        for await (const item of s.watch(PREFIX, base, { signal: loop.signal, progressIntervalMs: 5 })) seen.push(item);
      })();
      await s.create(podKey('default', 'a'), pod('a'));
      while (!seen.some((i) => i.type === 'ADDED')) await new Promise((r) => setTimeout(r, 1));
      loop.abort();
      await within(consumer);
      assert.deepEqual(
        seen.filter((i) => i.type !== 'PROGRESS').map((i) => i.type),
        ['ADDED'],
      );
    }),
  );

  it('closing the store ends its watches', T, async () => {
    const { storage, cleanup } = await open();
    const { it: w } = startWatch(storage, PREFIX, storage.currentRevision());
    const pending = w.next();
    await new Promise((r) => setTimeout(r, 5));
    await cleanup();
    assert.equal((await within(pending)).done, true);
  });
}
