/**
 * The LevelDB store as two databases: the event log (synced, the commit point) and the current objects (written
 * after it without a sync, a view the log rebuilds). What a crash or a failure leaves of the objects is replayed
 * from the log at the next open, a store written in one database has its log moved out, and compaction never
 * removes an event the objects' durable state lacks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Level } from 'level';
import { pod, podKey, rejectsWithCode, rv, startWatch, within } from '../../../storage/conformance-helpers.js';
import {
  EVENTS_DIR,
  META_CHECKPOINT,
  encodeEvent,
  encodeObject,
  eventKey,
  objectKey,
} from '../../../storage/level/codec.js';
import { CHECKPOINT_EVENTS, LevelBackend } from '../../../storage/level/level-backend.js';
import { openCachedLevel } from '../../../storage/level/level-storage.js';
import { inTempDir } from '../../helpers/tmp.js';
import type { RawBackend, RawEvent, RawObject, RawWriteResult } from '../../../storage/raw.js';

const T = { timeout: 30_000 };
const PREFIX = '/registry/pods/default/';
const UTF8 = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const;

function revisionOf(res: RawWriteResult): number {
  assert.ok(res.ok, `transaction failed: ${JSON.stringify(res)}`);
  return res.revision;
}

/** The current objects as a range reads them: key, mod revision and object. */
async function current(b: RawBackend): Promise<{ key: string; modRevision: number; object: unknown }[]> {
  const { items } = await b.range(PREFIX);
  return items.map((o: RawObject) => ({ key: o.key, modRevision: o.modRevision, object: o.object }));
}

/** Every record of a LevelDB database, as key → value. */
async function records(dir: string): Promise<Map<string, string>> {
  let all = new Map<string, string>();
  await edit(dir, async (db) => {
    all = new Map(await db.iterator().all());
  });
  return all;
}

/** Runs `fn` on the LevelDB database in `dir` (not opened by a store meanwhile), then closes it. */
async function edit(dir: string, fn: (db: Level<string, string>) => Promise<void>): Promise<void> {
  const db = new Level<string, string>(dir, UTF8);
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** A stored pod as the store writes it: its JSON with `metadata.resourceVersion` set. */
function storedPod(name: string, revision: number, spec: unknown = {}): string {
  return JSON.stringify({
    ...pod(name),
    metadata: { name, namespace: 'default', resourceVersion: String(revision) },
    spec,
  });
}

describe('level storage: the event log and the current objects', () => {
  it('object writes a crash lost are replayed from the log at the next open, once', T, () =>
    inTempDir(async (dir) => {
      const a = podKey('default', 'a');
      const b = podKey('default', 'b');
      const c = podKey('default', 'c');
      let backend = await LevelBackend.open({ dir });
      const r1 = revisionOf(await backend.txn({ kind: 'create', key: a, object: pod('a') }));
      const r2 = revisionOf(await backend.txn({ kind: 'create', key: b, object: pod('b') }));
      const r3 = revisionOf(
        await backend.txn({ kind: 'update', key: a, expectedModRevision: r1, object: { ...pod('a'), spec: { v: 2 } } }),
      );
      revisionOf(await backend.txn({ kind: 'delete', key: b, expectedModRevision: r2 }));
      revisionOf(await backend.txn({ kind: 'create', key: c, object: pod('c') }));
      const before = await current(backend);
      const first = (await backend.range(PREFIX)).items[0]!;
      await backend.close();

      // What a machine that stopped may leave of unsynced writes: the objects as they were at r2, the checkpoint at r1.
      const aAtR1 = storedPod('a', r1, pod('a').spec);
      const bAtR2 = storedPod('b', r2, pod('b').spec);
      await edit(dir, async (db) => {
        await db.put(objectKey(a), encodeObject(r1, aAtR1));
        await db.put(objectKey(b), encodeObject(r2, bAtR2));
        await db.del(objectKey(c));
        await db.put(META_CHECKPOINT, String(r1));
      });

      backend = await LevelBackend.open({ dir });
      assert.equal(backend.stats().eventsReplayed, 4, 'the events after the checkpoint');
      assert.deepEqual(await current(backend), before);
      assert.ok(r3 > r2);
      assert.equal((await backend.range(PREFIX)).items[0]!.modRevision, first.modRevision);
      await backend.close();

      backend = await LevelBackend.open({ dir });
      assert.equal(backend.stats().eventsReplayed, 0, 'the replay was checkpointed');
      assert.deepEqual(await current(backend), before);
      await backend.close();
    }),
  );

  it("the objects' write buffer: a larger one keeps in memory what LevelDB's default writes to a table file", T, () =>
    inTempDir(async (dir) => {
      // ~6 MB of objects: past LevelDB's 4 MiB memory table, within 16 MiB
      const spec = { filler: 'x'.repeat(3000) };
      const tables = (d: string) => fs.readdirSync(d).filter((f) => f.endsWith('.ldb')).length;
      const write = async (d: string, objectsWriteBufferBytes?: number) => {
        const backend = await LevelBackend.open({
          dir: d,
          ...(objectsWriteBufferBytes ? { objectsWriteBufferBytes } : {}),
        });
        // in groups of 100: LevelDB looks for room before each write, so a memory table fills past its size by one
        for (let g = 0; g < 20; g++) {
          const writes = Array.from({ length: 100 }, (_, j) => {
            const name = `p${g * 100 + j}`;
            return backend.txn({ kind: 'create', key: podKey('default', name), object: { ...pod(name), spec } });
          });
          for (const res of await Promise.all(writes)) revisionOf(res);
        }
        return backend;
      };
      const byDefault = await write(path.join(dir, 'default'));
      // LevelDB writes a full memory table to a table file on its background thread
      for (let waited = 0; tables(path.join(dir, 'default')) === 0; waited += 50) {
        assert.ok(waited < 10_000, 'the default write buffer wrote no table file');
        await new Promise((r) => setTimeout(r, 50));
      }
      const larger = await write(path.join(dir, 'larger'), 16 << 20);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(tables(path.join(dir, 'larger')), 0, 'the objects are all in the 16 MiB memory table');
      assert.equal((await larger.range(PREFIX)).items.length, 2000);
      for (const bad of [0, 1000, 1.5, 2 ** 31])
        await assert.rejects(
          LevelBackend.open({ dir: path.join(dir, 'bad'), objectsWriteBufferBytes: bad }),
          RangeError,
        );
      await byDefault.close();
      await larger.close();
    }),
  );

  it('a clean close checkpoints the objects; a kill replays at most the events after the last checkpoint', T, () =>
    inTempDir(async (dir) => {
      const backend = await LevelBackend.open({ dir });
      // more than one checkpoint's worth, in groups: the store checkpoints on its own while it writes
      const total = CHECKPOINT_EVENTS + 500;
      for (let i = 0; i < total; i += 500) {
        await Promise.all(
          Array.from({ length: 500 }, (_, j) =>
            backend.txn({ kind: 'create', key: podKey('default', `p${i + j}`), object: pod(`p${i + j}`) }),
          ),
        );
      }
      await new Promise((r) => setTimeout(r, 200)); // the background checkpoint ends
      assert.ok(backend.stats().checkpoints >= 1, 'a checkpoint while writing');
      await backend.close();
      assert.equal(Number((await records(dir)).get(META_CHECKPOINT)), total, 'the close checkpointed everything');
      const again = await LevelBackend.open({ dir });
      assert.equal(again.stats().eventsReplayed, 0);
      assert.equal((await again.revisions()).current, total);
      await again.close();
    }),
  );

  it('when the objects cannot be written, the committed group stands, later writes fail, and a reopen has all', T, () =>
    inTempDir(async (dir) => {
      let s = await openCachedLevel({ dir });
      const a = await s.create(podKey('default', 'a'), pod('a'));
      const { it: w, ac } = startWatch(s, PREFIX, rv(a));
      const pending = w.next();
      const objects = (s.backend as unknown as { objects: { batch: (...args: unknown[]) => unknown } }).objects;
      const realBatch = objects.batch;
      objects.batch = () => ({
        put() {},
        del() {},
        close: async () => {},
        write: async () => {
          throw new Error('disk full');
        },
      });
      // committed in the log: acknowledged and delivered, though the objects did not take it
      const b = await s.create(podKey('default', 'b'), pod('b'));
      objects.batch = realBatch;
      const event = await within(pending);
      assert.ok(!event.done && event.value.type === 'ADDED' && event.value.revision === rv(b));
      ac.abort();
      assert.deepEqual((await s.get(podKey('default', 'b'))).metadata.name, 'b');
      const refused = s.create(podKey('default', 'c'), pod('c'));
      await rejectsWithCode(refused, 'Internal');
      await assert.rejects(refused, /read-only until a restart/);
      await assert.rejects(s.backend.range(PREFIX), /read-only until a restart/);
      await s.close();

      s = await openCachedLevel({ dir });
      assert.ok(s.backend.stats().eventsReplayed >= 1);
      assert.equal(rv(await s.get(podKey('default', 'b'))), rv(b));
      const c = await s.create(podKey('default', 'c'), pod('c'));
      assert.ok(rv(c) > rv(b));
      assert.deepEqual(
        (await current(s.backend)).map((o) => o.key),
        [podKey('default', 'a'), podKey('default', 'b'), podKey('default', 'c')],
      );
      await s.close();
    }),
  );

  it(
    'writes queued while the objects of a group fail to be written fail too, not planned on the stale objects',
    T,
    () =>
      inTempDir(async (dir) => {
        const backend = await LevelBackend.open({ dir });
        const objects = (backend as unknown as { objects: { batch: (...args: unknown[]) => unknown } }).objects;
        const realBatch = objects.batch;
        let writing!: () => void;
        const started = new Promise<void>((r) => (writing = r));
        let fail!: () => void;
        const failed = new Promise<void>((r) => (fail = r));
        objects.batch = () => ({
          put() {},
          del() {},
          close: async () => {},
          write: async () => {
            writing();
            await failed;
            throw new Error('disk full');
          },
        });
        const key = podKey('default', 'b');
        const first = backend.txn({ kind: 'create', key, object: pod('b') });
        await started; // its events are in the log; its object record is being written
        // queued behind it, and accepted: the store is not read-only yet
        const second = backend.txn({ kind: 'create', key, object: pod('b') });
        fail();
        await first;
        objects.batch = realBatch;
        // the objects lack `b`: planned on them, this create would have been committed a second time
        await rejectsWithCode(second, 'Internal');
        await assert.rejects(second, /read-only until a restart/);
        await backend.close();
        const again = await LevelBackend.open({ dir });
        assert.equal((await again.revisions()).current, revisionOf(await first), 'one create in the log');
        await again.close();
      }),
  );

  it(
    "the log's batches hold events only (its keys only grow); its newest event, or the compaction mark, is the revision",
    T,
    () =>
      inTempDir(async (dir) => {
        const a = podKey('default', 'a');
        const b = podKey('default', 'b');
        let backend = await LevelBackend.open({ dir });
        const r1 = revisionOf(await backend.txn({ kind: 'create', key: a, object: pod('a') }));
        // a group with a failed comparison, a create and a delete
        const [stale, created, deleted] = await Promise.all([
          backend.txn({ kind: 'update', key: a, expectedModRevision: r1 + 100, object: pod('a') }),
          backend.txn({ kind: 'create', key: b, object: pod('b') }),
          backend.txn({ kind: 'delete', key: a, expectedModRevision: r1 }),
        ]);
        assert.equal(stale!.ok, false);
        const r3 = revisionOf(deleted!);
        assert.equal(revisionOf(created!), r1 + 1);
        assert.equal(r3, r1 + 2);
        await backend.close();
        // A key beside the events in every batch (a counter) made each of the log's tables overlap the others, and
        // LevelDB merged them over and over instead of moving them down.
        assert.deepEqual(
          [...(await records(path.join(dir, EVENTS_DIR))).keys()],
          [eventKey(1), eventKey(2), eventKey(3)],
        );

        backend = await LevelBackend.open({ dir });
        assert.deepEqual(await backend.revisions(), { current: r3, compacted: 0 });
        await backend.compact(r3); // every event goes; the mark keeps the revision
        await backend.close();
        assert.deepEqual([...(await records(path.join(dir, EVENTS_DIR))).keys()], ['m:compacted']);
        backend = await LevelBackend.open({ dir });
        assert.deepEqual(await backend.revisions(), { current: r3, compacted: r3 });
        assert.equal(revisionOf(await backend.txn({ kind: 'create', key: a, object: pod('a') })), r3 + 1);
        await backend.close();
      }),
  );

  it('compaction removes only events the checkpointed objects hold', T, () =>
    inTempDir(async (dir) => {
      const backend = await LevelBackend.open({ dir });
      const key = podKey('default', 'a');
      let r = revisionOf(await backend.txn({ kind: 'create', key, object: pod('a') }));
      for (let i = 0; i < 5; i++) {
        r = revisionOf(
          await backend.txn({ kind: 'update', key, expectedModRevision: r, object: { ...pod('a'), spec: { v: i } } }),
        );
      }
      assert.equal(backend.stats().checkpoints, 0);
      await backend.compact(r - 1);
      assert.equal(backend.stats().checkpoints, 1, 'checkpointed before the log lost anything');
      assert.deepEqual(await backend.revisions(), { current: r, compacted: r - 1 });
      await backend.close();
      const objects = await records(dir);
      assert.equal(objects.get(META_CHECKPOINT), String(r));
      const log = await records(path.join(dir, EVENTS_DIR));
      assert.deepEqual(
        [...log.keys()].filter((k) => k.startsWith('e:')),
        [eventKey(r)],
      );
    }),
  );

  it('a store written in one database opens: its log moves into a database of its own', T, () =>
    inTempDir(async (dir) => {
      // The layout before the split: objects, events and counters in one database; compacted at 1.
      const a = podKey('default', 'a');
      const b = podKey('default', 'b');
      const a1 = storedPod('a', 1);
      const a2 = storedPod('a', 2, { v: 2 });
      const b3 = storedPod('b', 3);
      await edit(dir, async (db) => {
        await db.batch([
          { type: 'put', key: objectKey(a), value: encodeObject(2, a2) },
          { type: 'put', key: eventKey(2), value: encodeEvent('MODIFIED', a, a2, a1) },
          { type: 'put', key: eventKey(3), value: encodeEvent('ADDED', b, b3) },
          { type: 'put', key: eventKey(4), value: encodeEvent('DELETED', b, b3) },
          { type: 'put', key: 'm:rev', value: '4' },
          { type: 'put', key: 'm:compacted', value: '1' },
        ]);
      });
      // a copy an earlier open left unfinished is started again
      fs.mkdirSync(path.join(dir, `${EVENTS_DIR}.partial`));
      fs.writeFileSync(path.join(dir, `${EVENTS_DIR}.partial`, 'CURRENT'), 'garbage');

      const backend = await LevelBackend.open({ dir });
      assert.deepEqual(await backend.revisions(), { current: 4, compacted: 1 });
      assert.equal(backend.stats().eventsReplayed, 0, 'the objects of a store in one database were all synced');
      assert.deepEqual(
        (await current(backend)).map((o) => [o.key, o.modRevision]),
        [[a, 2]],
      );
      const events: RawEvent[] = [];
      const stop = await backend.subscribe(1, { events: (evs) => events.push(...evs), error() {} });
      stop();
      assert.deepEqual(
        events.map((e) => [e.type, e.key, e.revision]),
        [
          ['MODIFIED', a, 2],
          ['ADDED', b, 3],
          ['DELETED', b, 4],
        ],
      );
      const c = revisionOf(await backend.txn({ kind: 'create', key: podKey('default', 'c'), object: pod('c') }));
      assert.equal(c, 5);
      await backend.close();

      assert.ok(!fs.existsSync(path.join(dir, `${EVENTS_DIR}.partial`)));
      assert.deepEqual(
        [...(await records(dir)).keys()],
        [META_CHECKPOINT, objectKey(a), objectKey(podKey('default', 'c'))],
        'the objects database keeps objects and its checkpoint',
      );
      assert.deepEqual(
        [...(await records(path.join(dir, EVENTS_DIR))).keys()],
        [eventKey(2), eventKey(3), eventKey(4), eventKey(5), 'm:compacted', 'm:rev'],
      );
    }),
  );

  it('log records left in the objects database by a move that stopped after the rename are removed', T, () =>
    inTempDir(async (dir) => {
      const backend = await LevelBackend.open({ dir });
      const r = revisionOf(await backend.txn({ kind: 'create', key: podKey('default', 'a'), object: pod('a') }));
      await backend.close();
      await edit(dir, async (db) => {
        await db.put(eventKey(r), 'left behind');
        await db.put('m:rev', String(r));
      });
      const again = await LevelBackend.open({ dir });
      assert.equal((await again.revisions()).current, r);
      await again.close();
      assert.deepEqual([...(await records(dir)).keys()], [META_CHECKPOINT, objectKey(podKey('default', 'a'))]);
    }),
  );

  it('a store whose event log was removed does not open (its revisions would be handed out again)', T, () =>
    inTempDir(async (dir) => {
      const backend = await LevelBackend.open({ dir });
      await backend.txn({ kind: 'create', key: podKey('default', 'a'), object: pod('a') });
      await backend.close();
      fs.rmSync(path.join(dir, EVENTS_DIR), { recursive: true });
      await assert.rejects(
        LevelBackend.open({ dir }),
        /event log .* ends at revision 0, before its objects' checkpoint at 1/,
      );
      // the failed open released both databases
      await edit(dir, async (db) => assert.equal(await db.get(META_CHECKPOINT), '1'));
    }),
  );

  it('a store another process (or opener) holds is refused with a plain message', T, () =>
    inTempDir(async (dir) => {
      const first = await LevelBackend.open({ dir });
      try {
        await assert.rejects(LevelBackend.open({ dir }), (err: Error) => {
          assert.equal(
            err.message,
            `the store in ${dir} is in use by another process (another server on the same data directory?)`,
          );
          return true;
        });
      } finally {
        await first.close();
      }
      const again = await LevelBackend.open({ dir });
      await again.close();
    }),
  );
});
