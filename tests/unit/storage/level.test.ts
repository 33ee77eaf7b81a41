import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { storageConformance } from '../../../storage/conformance.js';
import { rawBackendConformance } from '../../../storage/conformance-raw.js';
import { BULK_READ_BYTES, INLINE_READ_KEYS, LevelBackend } from '../../../storage/level/level-backend.js';
import type { RawWrite, RawWriteResult } from '../../../storage/raw.js';
import {
  describeItems,
  pod,
  podKey,
  rejectsWithCode,
  rv,
  startWatch,
  take,
  within,
} from '../../../storage/conformance-helpers.js';
import type { Storage, WatchItem } from '../../../storage/interface.js';
import { type LevelStorageOptions, openCachedLevel, openLevelStorage } from '../../../storage/level/level-storage.js';
import { CachedStorage } from '../../../storage/cache/cacher.js';
import { inTempDir } from '../../helpers/tmp.js';

type LevelStorage = Awaited<ReturnType<typeof openCachedLevel>>;

const T = { timeout: 20_000 };
const PREFIX = '/registry/pods/default/';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kube-emu-'));
}

async function openLevel(options: Omit<LevelStorageOptions, 'dir'> & { dir?: string } = {}): Promise<LevelStorage> {
  return openCachedLevel({ dir: options.dir ?? tempDir(), ...options });
}

/** Runs `fn` with a LevelDB store in a fresh directory, then closes it and removes the directory. */
async function withLevel(
  options: Omit<LevelStorageOptions, 'dir'>,
  fn: (s: LevelStorage, dir: string) => Promise<void>,
): Promise<void> {
  return inTempDir(async (dir) => {
    const s = await openLevel({ ...options, dir });
    try {
      await fn(s, dir);
    } finally {
      await s.close();
    }
  });
}

/** A LevelDB backend on `dir` after `write` ran on one opened there and closed: what a restart reads. */
async function reopenedAfter(dir: string, write: (b: LevelBackend) => Promise<void>): Promise<LevelBackend> {
  const first = await LevelBackend.open({ dir });
  try {
    await write(first);
  } finally {
    await first.close();
  }
  return LevelBackend.open({ dir });
}

async function replayAll(s: Storage, prefix: string, count: number): Promise<WatchItem[]> {
  const { it: w, ac } = startWatch(s, prefix, 0);
  try {
    return await take(w, count);
  } finally {
    ac.abort();
  }
}

storageConformance('level', async (options) => {
  const dir = tempDir();
  const storage = await openLevelStorage({ dir, ...options });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('level storage', () => {
  it('reopening keeps objects, history, revision and compaction point', T, async () => {
    const dir = tempDir();
    try {
      let s: LevelStorage = await openLevel({ dir });
      await s.create(podKey('default', 'a'), pod('a'));
      await s.create(podKey('default', 'b'), pod('b'));
      await s.guaranteedUpdate(podKey('default', 'a'), (c) => ({ ...c, spec: { v: 2 } }));
      await s.delete(podKey('default', 'b'));
      await s.create(podKey('default', 'c'), pod('c'));
      await s.compact(1);
      const revision = s.currentRevision();
      const a = await s.get(podKey('default', 'a'));
      const before = startWatch(s, PREFIX, 1);
      const history = describeItems(await take(before.it, 4));
      before.ac.abort();
      await s.close();

      s = await openLevel({ dir });
      assert.equal(s.currentRevision(), revision);
      assert.equal(s.compactedRevision(), 1);
      assert.deepEqual(await s.get(podKey('default', 'a')), a);
      await rejectsWithCode(s.get(podKey('default', 'b')), 'KeyNotFound');
      const { it: w, ac } = startWatch(s, PREFIX, 1);
      const replay = await take(w, 4);
      ac.abort();
      assert.deepEqual(describeItems(replay), history);
      assert.deepEqual(
        replay.map((e) => e.revision),
        [2, 3, 4, 5],
      );
      const deleted = replay[2]!;
      assert.ok(deleted.type === 'DELETED' && deleted.prevObject?.metadata.name === 'b');
      const old = await s.list(PREFIX, { revision: 2 });
      assert.deepEqual(
        old.items.map((o) => o.metadata.name),
        ['a', 'b'],
      );
      const next = await s.create(podKey('default', 'd'), pod('d'));
      assert.equal(rv(next), revision + 1);
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reopening parses a stored object only when it is read; the window and selective lists share it', T, async () => {
    const dir = tempDir();
    try {
      let s: LevelStorage = await openLevel({ dir });
      for (let i = 0; i < 50; i++) {
        const labels = { parity: i % 2 ? 'odd' : 'even', n: String(i) };
        await s.create(podKey('default', `p${i}`), pod(`p${i}`, 'default', { metadata: { name: `p${i}`, labels } }));
      }
      const written = await s.get(podKey('default', 'p7'));
      await s.close();

      const parse = JSON.parse;
      let parsed = 0;
      JSON.parse = (...args: Parameters<typeof JSON.parse>) => {
        if (args[0].startsWith('{')) parsed++; // an object (an event record's key is parsed alone)
        return parse(...args);
      };
      try {
        s = await openLevel({ dir });
      } finally {
        JSON.parse = parse;
      }
      assert.ok(parsed < 10, `${parsed} objects parsed while opening a store of 50`);
      const p7 = await s.get(podKey('default', 'p7'));
      assert.deepEqual(p7, written);
      assert.ok(Object.isFrozen(p7) && Object.isFrozen(p7.metadata.labels), 'deeply frozen once parsed');
      assert.equal(await s.get(podKey('default', 'p7')), p7, 'parsed once, then shared');
      const { it: w, ac } = startWatch(s, PREFIX, 0);
      const replay = await take(w, 50);
      ac.abort();
      const added = replay.find((e) => e.type === 'ADDED' && e.key === podKey('default', 'p7'));
      assert.ok(added?.type === 'ADDED');
      assert.equal(added.object, p7, 'the window’s event reads the current object');
      // The label index is built on first use, then follows writes.
      const byN = await s.list(PREFIX, { filter: (o) => o.metadata.labels?.n === '7', labelEquals: ['n', '7'] });
      assert.deepEqual(byN.items, [p7]);
      await s.guaranteedUpdate(podKey('default', 'p7'), (c) => ({
        ...c,
        metadata: { ...c.metadata, labels: { parity: 'odd', n: '70' } },
      }));
      const again = await s.list(PREFIX, { filter: (o) => o.metadata.labels?.n === '7', labelEquals: ['n', '7'] });
      assert.deepEqual(again.items, []);
      const moved = await s.list(PREFIX, { filter: (o) => o.metadata.labels?.n === '70', labelEquals: ['n', '70'] });
      assert.deepEqual(
        moved.items.map((o) => o.metadata.name),
        ['p7'],
      );
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('group commit: 200 concurrent creates share a few synced batches', T, () =>
    withLevel({}, async (s) => {
      const before = s.backend.stats();
      const created = await Promise.all(
        Array.from({ length: 200 }, (_, i) => s.create(podKey('default', `p${i}`), pod(`p${i}`))),
      );
      const after = s.backend.stats();
      assert.equal(new Set(created.map(rv)).size, 200);
      assert.equal(after.operations - before.operations, 200);
      assert.ok(after.batches - before.batches <= 10, `${after.batches - before.batches} batches for 200 writes`);
    }),
  );

  it('a lone write reads its key on the event loop, a larger group on the thread pool, with the same outcomes', T, () =>
    withLevel({}, async (s) => {
      const b = s.backend;
      const n = 4 * INLINE_READ_KEYS;
      const created = async (prefix: string, concurrent: boolean): Promise<Map<string, number>> => {
        const create = (i: number) =>
          b.txn({ kind: 'create', key: podKey('default', `${prefix}${i}`), object: pod(`${prefix}${i}`) });
        let results: RawWriteResult[] = [];
        if (concurrent) results = await Promise.all(Array.from({ length: n }, (_, i) => create(i)));
        else for (let i = 0; i < n; i++) results.push(await create(i));
        return new Map(results.map((r, i) => [`${prefix}${i}`, r.revision]));
      };
      // each of these is its own group: read inline
      const before = b.stats();
      const lone = await created('a', false);
      const afterLone = b.stats();
      assert.equal(afterLone.keysReadInline - before.keysReadInline, n);
      assert.equal(afterLone.keysReadOffThread, before.keysReadOffThread);
      const together = await created('b', true);
      assert.ok(b.stats().keysReadOffThread > afterLone.keysReadOffThread, 'no group was read on the thread pool');

      // an update at the current revision, one at a stale revision, a create of an existing key: one after the
      // other (inline reads), then all at once (groups read on the thread pool)
      const writes = (prefix: string, revisions: Map<string, number>): RawWrite[] =>
        Array.from({ length: n }, (_, i) => {
          const name = `${prefix}${i}`;
          const key = podKey('default', name);
          const object = pod(name, 'default', { metadata: { name, namespace: 'default', labels: { i: String(i) } } });
          if (i % 3 === 0) return { kind: 'update', key, object, expectedModRevision: revisions.get(name)! };
          if (i % 3 === 1) return { kind: 'update', key, object, expectedModRevision: 1 };
          return { kind: 'create', key, object };
        });
      const outcome = (r: RawWriteResult, name: string, revisions: Map<string, number>) =>
        r.ok
          ? 'committed'
          : r.modRevision === revisions.get(name)
            ? 'refused at its revision'
            : `refused at ${r.modRevision}`;
      const oneByOne: string[] = [];
      for (const [i, w] of writes('a', lone).entries()) oneByOne.push(outcome(await b.txn(w), `a${i}`, lone));
      const allAtOnce = (await Promise.all(writes('b', together).map((w) => b.txn(w)))).map((r, i) =>
        outcome(r, `b${i}`, together),
      );
      const expected = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'committed' : 'refused at its revision'));
      assert.deepEqual(oneByOne, expected);
      assert.deepEqual(allAtOnce, expected);
      for (const prefix of ['a', 'b']) {
        const labelled = (await s.list(PREFIX)).items.filter(
          (o) => o.metadata.name!.startsWith(prefix) && o.metadata.labels?.i !== undefined,
        );
        assert.equal(labelled.length, Math.ceil(n / 3), prefix);
      }
    }),
  );

  it('reads hand out shared frozen objects without copying', T, () =>
    withLevel({}, async (s) => {
      await s.create(podKey('default', 'a'), pod('a'));
      const got = await s.get(podKey('default', 'a'));
      assert.equal(await s.get(podKey('default', 'a')), got);
      assert.equal((await s.list(PREFIX)).items[0], got);
      assert.ok(Object.isFrozen((got.spec as { containers: object[] }).containers[0]));
    }),
  );

  it(
    'stored objects share one frozen {} and repeated strings; reads, updates, selectors and reopen see plain data',
    T,
    async () => {
      const dir = tempDir();
      const withEmpties = (name: string, group: string) => ({
        ...pod(name),
        metadata: { name, namespace: 'default', labels: { group, tier: 'a-long-label-value' } },
        spec: {
          securityContext: {},
          nodeSelector: {},
          containers: [{ name: 'c', image: 'registry.example/app:1.2.3' }],
        },
      });
      const empties = (o: object) => {
        const spec = (o as { spec: unknown }).spec as { securityContext: object; nodeSelector: object };
        return [spec.securityContext, spec.nodeSelector];
      };
      let s = await openLevel({ dir });
      try {
        const a = await s.create(podKey('default', 'a'), withEmpties('a', 'x'));
        const b = await s.create(podKey('default', 'b'), withEmpties('b', 'y'));
        const [a1, a2] = empties(a);
        const [b1] = empties(b);
        assert.equal(a1, a2, 'one {} in an object');
        assert.equal(a1, b1, 'one {} across objects');
        assert.ok(Object.isFrozen(a1) && Object.isFrozen(a.spec));
        assert.deepEqual(a.spec, withEmpties('a', 'x').spec);
        assert.equal(JSON.stringify(a.spec), JSON.stringify(withEmpties('a', 'x').spec));
        // An update starts from a copy of the stored object: the shared {} is copied, never changed.
        const updated = await s.guaranteedUpdate(podKey('default', 'a'), (cur) => {
          const copy = structuredClone(cur) as unknown as { spec: { nodeSelector: Record<string, string> } };
          copy.spec.nodeSelector['disk'] = 'ssd';
          return copy as unknown as typeof cur;
        });
        assert.deepEqual((updated.spec as { nodeSelector: object }).nodeSelector, { disk: 'ssd' });
        assert.deepEqual((b.spec as { nodeSelector: object }).nodeSelector, {});
        assert.deepEqual(Object.keys(a1), []);
        const selected = await s.list(PREFIX, {
          filter: (o) => o.metadata?.labels?.['group'] === 'y',
          labelEquals: ['group', 'y'],
        });
        assert.deepEqual(
          selected.items.map((o) => o.metadata?.name),
          ['b'],
        );
        await s.close();
        s = await openLevel({ dir });
        const [r1] = empties(await s.get(podKey('default', 'b')));
        const [r2] = empties(await s.get(podKey('default', 'a')));
        assert.equal(r1, a1, 'objects read back share the same {}');
        assert.ok(r2 !== undefined && Object.isFrozen(r2));
        assert.deepEqual((await s.get(podKey('default', 'a'))).spec, updated.spec as object);
      } finally {
        await s.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("automatic compaction follows the previous tick's revision", T, () =>
    withLevel({ compactionIntervalMs: 20 }, async (s) => {
      for (let i = 0; i < 5; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const deadline = Date.now() + 15_000;
      while (s.compactedRevision() < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(s.compactedRevision(), 5);
      await rejectsWithCode(startWatch(s, PREFIX, 0).it.next(), 'Expired');
      await rejectsWithCode(s.list(PREFIX, { revision: 4 }), 'Expired');
    }),
  );

  it('maxHistoryEvents bounds the retained history, across reopen too', T, async () => {
    const dir = tempDir();
    try {
      let s = await openLevel({ dir, maxHistoryEvents: 10 });
      await Promise.all(Array.from({ length: 12 }, (_, i) => s.create(podKey('default', `p${i}`), pod(`p${i}`))));
      for (let i = 12; i < 25; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      assert.equal(s.compactedRevision(), 15);
      assert.equal(s.history.length, 10);
      await s.close();
      s = await openLevel({ dir, maxHistoryEvents: 5 });
      assert.equal(s.compactedRevision(), 20);
      assert.equal(s.history.length, 5);
      const { it: w, ac } = startWatch(s, PREFIX, 20);
      assert.deepEqual(
        (await take(w, 5)).map((e) => e.revision),
        [21, 22, 23, 24, 25],
      );
      ac.abort();
      await rejectsWithCode(startWatch(s, PREFIX, 19).it.next(), 'Expired');
      assert.equal((await s.list(PREFIX, { revision: 20 })).items.length, 20);
      await s.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a replay overtaken by compaction ends with Expired', T, () =>
    withLevel({}, async (s) => {
      for (let i = 0; i < 20; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const { it: w, ac } = startWatch(s, PREFIX, 0);
      assert.deepEqual(
        (await take(w, 2)).map((e) => e.revision),
        [1, 2],
      );
      await s.compact(10);
      await rejectsWithCode(w.next(), 'Expired');
      assert.equal((await w.next()).done, true);
      ac.abort();
    }),
  );

  it('aborted, dropped and closed watches release their registration', T, () =>
    withLevel({ watchBufferLimit: 3 }, async (s) => {
      const aborted = startWatch(s, PREFIX, 0, 5);
      const pending = aborted.it.next();
      const slow = startWatch(s, PREFIX, 0);
      void slow.it.next();
      const broken = startWatch(s, PREFIX, 0);
      const loop = (async () => {
        for await (const item of { [Symbol.asyncIterator]: () => broken.it }) if (item) break;
      })();
      await new Promise((r) => setImmediate(r)); // watches register on their first next()
      assert.equal(s.watcherCount(), 3);
      aborted.ac.abort();
      assert.equal((await within(pending)).done, true);
      for (let i = 0; i < 6; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      await within(loop);
      assert.equal(s.watcherCount(), 0, 'abort, break and TooSlow all unregister');
      await rejectsWithCode(slow.it.next(), 'TooSlow');
    }),
  );

  it('a failed batch rejects its writes and changes nothing in memory', T, () =>
    withLevel({}, async (s) => {
      await s.create(podKey('default', 'a'), pod('a'));
      const { it: w, ac } = startWatch(s, PREFIX, s.currentRevision());
      const pending = w.next();
      // the event log's batch: the commit point
      const db = (s.backend as unknown as { events: { batch: (...args: unknown[]) => unknown } }).events;
      const realBatch = db.batch;
      // The array form fails as it is called, a chained batch when it is written.
      db.batch = (...args: unknown[]) =>
        args.length > 0
          ? Promise.reject(new Error('disk full'))
          : {
              put() {},
              del() {},
              close: async () => {},
              write: async () => {
                throw new Error('disk full');
              },
            };
      const failed = await Promise.allSettled([
        s.create(podKey('default', 'b'), pod('b')),
        s.guaranteedUpdate(podKey('default', 'a'), (c) => ({ ...c, spec: { v: 2 } })),
      ]);
      db.batch = realBatch;
      for (const r of failed) assert.ok(r.status === 'rejected' && (r.reason as { code?: string }).code === 'Internal');
      assert.equal(s.currentRevision(), 1);
      await rejectsWithCode(s.get(podKey('default', 'b')), 'KeyNotFound');
      assert.deepEqual((await s.get(podKey('default', 'a'))).spec, pod('a').spec);
      const ok = await s.create(podKey('default', 'b'), pod('b'));
      assert.ok(rv(ok) > 1);
      const first = await within(pending);
      assert.ok(!first.done && first.value.type === 'ADDED' && first.value.revision === rv(ok));
      ac.abort();
    }),
  );

  it('rejects invalid options with a clear message', T, async () => {
    const dir = tempDir();
    try {
      await assert.rejects(
        openLevelStorage({ dir, maxHistoryEvents: 0 }),
        /maxHistoryEvents must be a positive integer/,
      );
      await assert.rejects(
        openLevelStorage({ dir, watchBufferLimit: 1.5 }),
        /watchBufferLimit must be a positive integer/,
      );
      await assert.rejects(openLevelStorage({ dir: '' }), /dir is required/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // How fast is for `npm run bench` to measure; this holds what the pages contain.
  it('a reopened store reads every object and event past one bulk read, in order, and pages at the limit', T, () =>
    inTempDir(async (dir) => {
      // 2,500 records of ~2 KB: several trips of BULK_READ_BYTES (and of its 1,000 records) each way
      const n = 2_500;
      const pad = 'x'.repeat(2_000);
      const revisions: number[] = [];
      const b = await reopenedAfter(dir, async (w) => {
        for (let i = 0; i < n; i += 250) {
          const group = Array.from({ length: Math.min(250, n - i) }, (_, j) => {
            const name = `p-${String(i + j).padStart(5, '0')}`;
            return w.txn({
              kind: 'create',
              key: podKey('default', name),
              object: pod(name, 'default', { spec: { pad } }),
            });
          });
          for (const r of await Promise.all(group)) revisions.push(r.revision);
        }
      });
      assert.ok(n * 2_000 > 4 * BULK_READ_BYTES);
      try {
        const all = await b.range(PREFIX);
        assert.equal(all.more, false);
        assert.deepEqual(
          all.items.map((o) => o.key),
          Array.from({ length: n }, (_, i) => podKey('default', `p-${String(i).padStart(5, '0')}`)),
        );
        assert.equal((all.items[n - 1]!.object.spec as { pad?: string }).pad, pad);
        const huge = await b.range(PREFIX, { limit: 2 ** 32 });
        assert.deepEqual([huge.items.length, huge.more], [n, false], 'a limit past 32 bits reads on');
        const first = await b.range(PREFIX, { limit: 1_200 });
        assert.deepEqual([first.items.length, first.more], [1_200, true]);
        const rest = await b.range(PREFIX, { startAfter: first.items.at(-1)!.key, limit: n - 1_200 });
        assert.deepEqual([rest.items.length, rest.more, rest.items[0]!.key], [n - 1_200, false, all.items[1_200]!.key]);
        const history = await b.recentHistory(Math.max(...revisions), { maxEvents: n, maxBytes: 1 << 30 });
        assert.equal(history.truncated, false);
        assert.deepEqual(
          history.events.map((e) => [e.type, e.revision]),
          [...revisions].sort((x, y) => x - y).map((r) => ['ADDED', r]),
        );
        const newest = await b.recentHistory(Math.max(...revisions), { maxEvents: 1_100, maxBytes: 1 << 30 });
        assert.equal(newest.truncated, true);
        assert.deepEqual(
          newest.events.map((e) => e.key),
          history.events.slice(-1_100).map((e) => e.key),
        );
      } finally {
        await b.close();
      }
    }),
  );

  it("a write between the start's first read of the revision and its read of the objects is in the window", T, () =>
    inTempDir(async (dir) => {
      let before = 0;
      const b = await reopenedAfter(dir, async (w) => {
        await w.txn({ kind: 'create', key: podKey('default', 'a'), object: pod('a') });
        before = (await w.revisions()).current;
      });
      // another writer on the same store lands right after the cache has read the revision
      const raced = Object.create(b) as LevelBackend;
      raced.revisions = async () => {
        const r = await b.revisions();
        await b.txn({ kind: 'create', key: podKey('default', 'b'), object: pod('b') });
        return r;
      };
      const s = await CachedStorage.open(raced);
      try {
        assert.equal(s.currentRevision(), before + 1);
        const replay = await replayAll(s, PREFIX, 2);
        assert.deepEqual(
          replay.map((e) => [e.type, e.type === 'PROGRESS' ? '' : e.object.metadata.name]),
          [
            ['ADDED', 'a'],
            ['ADDED', 'b'],
          ],
        );
      } finally {
        await s.close();
      }
    }),
  );

  it('handles 20k objects: prefix pages at current and older revisions', T, () =>
    withLevel({}, async (s) => {
      const names = Array.from({ length: 20_000 }, (_, i) => `p-${String(i).padStart(5, '0')}`);
      await Promise.all(
        names.map((n, i) => s.create(podKey(i % 2 ? 'ns-a' : 'ns-b', n), pod(n, i % 2 ? 'ns-a' : 'ns-b'))),
      );
      const R = s.currentRevision();
      for (let i = 0; i < 100; i++) await s.delete(podKey('ns-a', names[2 * i + 1]!));
      const page = await s.list('/registry/pods/ns-a/', { limit: 500, revision: R });
      const current = await s.list('/registry/pods/ns-a/', { limit: 500 });
      assert.equal(page.remainingItemCount, 9_500);
      assert.equal(current.remainingItemCount, 9_400);
      assert.equal(page.items.length, 500);
      assert.equal(page.items[0]!.metadata.name, names[1]);
      assert.equal(current.items[0]!.metadata.name, names[201]);
    }),
  );

  it('survives SIGKILL: every acknowledged write is there after reopen', { timeout: 30_000 }, async () => {
    const dir = tempDir();
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'durability-child.js');
    try {
      const acked = await runAndKill(child, dir, 300);
      assert.ok(acked.creates.size >= 100, `only ${acked.creates.size} creates acknowledged`);
      const s = await openLevel({ dir });
      try {
        for (const [key, revision] of acked.creates) {
          assert.equal((await s.get(key)).metadata.resourceVersion, String(revision), key);
        }
        const counter = await s.get('/registry/configmaps/default/counter');
        assert.ok(Number((counter.data as { n: string }).n) >= acked.counter, 'counter kept every acked increment');
        assert.ok(s.currentRevision() >= acked.maxRevision);
        // History on disk is whole: one event per revision, no gap, no torn batch.
        const all = await replayAll(s, '/registry/', s.currentRevision());
        assert.deepEqual(
          all.map((e) => e.revision),
          Array.from({ length: s.currentRevision() }, (_, i) => i + 1),
        );
        const after = await s.create(podKey('default', 'after-crash'), pod('after-crash'));
        assert.ok(rv(after) > acked.maxRevision && rv(after) === s.currentRevision());
      } finally {
        await s.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Acked {
  creates: Map<string, number>;
  counter: number;
  maxRevision: number;
}

/** Runs the durability child until it acknowledged `minAcks` writes, then SIGKILLs it mid-flight. */
function runAndKill(script: string, dir: string, minAcks: number): Promise<Acked> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: Acked = { creates: new Map(), counter: 0, maxRevision: 0 };
    let buffered = '';
    let lines = 0;
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop()!; // a torn last line was not fully acknowledged to us
      for (const line of complete) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'create') acked.creates.set(a!, Number(b));
        else if (kind === 'counter') acked.counter = Math.max(acked.counter, Number(a));
        else continue;
        acked.maxRevision = Math.max(acked.maxRevision, Number(b));
        if (++lines === minAcks) setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 20));
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`durability child exited early: code ${code} signal ${signal}`));
    });
  });
}

rawBackendConformance('level', async (options) => {
  const dir = tempDir();
  const backend = await LevelBackend.open({ dir, ...options });
  return {
    backend,
    cleanup: async () => {
      await backend.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
