/**
 * The watch cache's window is bounded by count, bytes and age; below it reads and watches are Expired (410);
 * start-up reads the live objects and only the events that fit the window.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../../apimachinery/objects.js';
import {
  describeItems,
  pod,
  podKey,
  rejectsWithCode,
  rv,
  startWatch,
  take,
} from '../../../storage/conformance-helpers.js';
import { type LevelStorageOptions, openCachedLevel } from '../../../storage/level/level-storage.js';

const T = { timeout: 60_000 };
const PREFIX = '/registry/pods/default/';
const KB = 1024;
const MiB = 1024 * KB;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kube-emu-window-'));
}

/** A pod whose annotation is `size` bytes and different for every `n`. */
function bigPod(name: string, n: number, size = 200 * KB): KubeObject {
  const blob = `${n}:`.padEnd(size, 'x');
  return { ...pod(name), metadata: { ...pod(name).metadata, annotations: { blob } } };
}

async function rewrite(s: Awaited<ReturnType<typeof openCachedLevel>>, key: string, n: number): Promise<number> {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return rv(await s.guaranteedUpdate(key, () => bigPod(name, n)));
}

async function withCache(
  options: Omit<LevelStorageOptions, 'dir'>,
  fn: (s: Awaited<ReturnType<typeof openCachedLevel>>, dir: string) => Promise<void>,
): Promise<void> {
  const dir = tempDir();
  const s = await openCachedLevel({ dir, ...options });
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('watch cache window', () => {
  it('a 200 KB annotation rewritten 150 times keeps the window within its byte bound', T, () =>
    withCache({ maxHistoryBytes: 4 * MiB }, async (s) => {
      const key = podKey('default', 'big');
      await s.create(key, bigPod('big', 0));
      for (let i = 1; i <= 150; i++) await rewrite(s, key, i);
      const w = s.windowStats();
      assert.ok(w.bytes <= 4 * MiB, `window holds ${w.bytes} bytes`);
      assert.ok(w.events >= 15 && w.events <= 21, `${w.events} events of ~200 KB fit 4 MiB`);
      assert.equal(w.start, s.currentRevision() - w.events);
      assert.equal(s.compactedRevision(), w.start);
    }),
  );

  it('below the window: watch and list are Expired; inside: a resumed watch sees exactly the later events', T, () =>
    withCache({ maxHistoryBytes: 2 * MiB }, async (s) => {
      const key = podKey('default', 'big');
      await s.create(key, bigPod('big', 0));
      await s.create(podKey('default', 'small'), pod('small'));
      for (let i = 1; i <= 30; i++) await rewrite(s, key, i);
      const start = s.compactedRevision();
      assert.ok(start > 2, 'old events left the window');
      await rejectsWithCode(startWatch(s, PREFIX, start - 1).it.next(), 'Expired');
      await rejectsWithCode(s.list(PREFIX, { revision: start - 1 }), 'Expired');
      const from = s.currentRevision() - 3;
      const { it: w, ac } = startWatch(s, PREFIX, from);
      try {
        const replay = await take(w, 3);
        assert.deepEqual(
          replay.map((e) => e.revision),
          [from + 1, from + 2, from + 3],
        );
        const next = await rewrite(s, key, 99);
        assert.deepEqual(describeItems(await take(w, 1)), [`MODIFIED ${key}@${next}`]);
      } finally {
        ac.abort();
      }
      assert.equal((await s.list(PREFIX, { revision: from })).items.length, 2);
    }),
  );

  it('the window is bounded by count and by age too', T, async () => {
    await withCache({ maxHistoryEvents: 10 }, async (s) => {
      for (let i = 0; i < 25; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      assert.equal(s.windowStats().events, 10);
      assert.equal(s.compactedRevision(), 15);
    });
    await withCache({ maxHistoryAgeMs: 100 }, async (s) => {
      for (let i = 0; i < 5; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      const deadline = Date.now() + 10_000;
      while (s.windowStats().events > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(s.windowStats(), { events: 0, bytes: 0, start: 5 });
      await rejectsWithCode(startWatch(s, PREFIX, 4).it.next(), 'Expired');
      const { it: w, ac } = startWatch(s, PREFIX, 5);
      const r6 = rv(await s.create(podKey('default', 'late'), pod('late')));
      assert.deepEqual(
        (await take(w, 1)).map((e) => e.revision),
        [r6],
      );
      ac.abort();
    });
  });

  it('the window shares the current objects: no copy per event of the live state', T, () =>
    withCache({}, async (s) => {
      const key = podKey('default', 'a');
      await s.create(key, pod('a'));
      const updated = await s.guaranteedUpdate(key, (c) => ({ ...c, spec: { v: 2 } }));
      const { it: w, ac } = startWatch(s, PREFIX, 0);
      const [added, modified] = await take(w, 2);
      ac.abort();
      assert.ok(added?.type === 'ADDED' && modified?.type === 'MODIFIED');
      assert.equal(modified.object, await s.get(key));
      assert.equal(modified.object, updated);
      assert.equal(modified.prevObject, added.object);
    }),
  );

  it('a restart reads the live objects once and only the events that fit the window', T, async () => {
    const dir = tempDir();
    try {
      let s = await openCachedLevel({ dir, maxHistoryBytes: 2 * MiB });
      const key = podKey('default', 'big');
      await s.create(key, bigPod('big', 0));
      for (let i = 0; i < 20; i++) await s.create(podKey('default', `p${i}`), pod(`p${i}`));
      for (let i = 1; i <= 120; i++) await rewrite(s, key, i);
      const last = await s.get(key);
      const revision = s.currentRevision();
      await s.close();

      s = await openCachedLevel({ dir, maxHistoryBytes: 2 * MiB });
      try {
        const reads = s.backend.stats();
        assert.equal(reads.objectsRead, 21, 'each live object read once');
        // 120 rewrites of 200 KB are on disk (not compacted yet); about 2 MiB of them are read.
        assert.ok(reads.eventsRead <= 12, `${reads.eventsRead} event records read at start`);
        assert.equal(s.currentRevision(), revision);
        assert.deepEqual(await s.get(key), last);
        const start = s.compactedRevision();
        assert.ok(start < revision && start > revision - 12, `window starts at ${start}`);
        const { it: w, ac } = startWatch(s, PREFIX, start);
        const replay = await take(w, revision - start);
        ac.abort();
        assert.equal(replay[replay.length - 1]!.revision, revision);
        await rejectsWithCode(startWatch(s, PREFIX, start - 1).it.next(), 'Expired');
        // Compaction removes the history from disk: the next start reads no event at all below it.
        await s.compact(revision);
        await s.close();
        s = await openCachedLevel({ dir });
        assert.equal(s.backend.stats().eventsRead, 0);
        assert.equal(s.compactedRevision(), revision);
      } finally {
        await s.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
