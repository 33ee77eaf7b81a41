/**
 * The behaviour every raw backend (storage/raw.ts) must show, as a node:test suite: what the watch cache relies
 * on. A backend is conformant when `rawBackendConformance('<engine>', open)` passes and `storageConformance`
 * passes for the cache over it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isStorageError } from './errors.js';
import { pod, podKey, rv } from './conformance-helpers.js';
import type { RawBackend, RawEvent, RawWriteResult } from './raw.js';

const T = { timeout: 20_000 };

/** Opens an empty backend for one case; `cleanup` closes it and removes what it created. */
export type OpenRawBackend = (options?: { maxRequestBytes?: number }) => Promise<{
  backend: RawBackend;
  cleanup(): Promise<void>;
}>;

async function withBackend(
  open: OpenRawBackend,
  fn: (b: RawBackend) => Promise<void>,
  options?: { maxRequestBytes?: number },
): Promise<void> {
  const { backend, cleanup } = await open(options);
  try {
    await fn(backend);
  } finally {
    await cleanup();
  }
}

function committed(res: RawWriteResult): number {
  assert.ok(res.ok, `transaction failed: ${JSON.stringify(res)}`);
  return res.revision;
}

/**
 * `history`: 'full' when `recentHistory` returns the retained events; 'none' when the backend returns none (the
 * cache's window then starts at the revision it loaded, as over etcd).
 */
export function rawBackendConformance(
  name: string,
  open: OpenRawBackend,
  opts: { history: 'full' | 'none' } = { history: 'full' },
): void {
  describe(`raw backend conformance: ${name}`, () => {
    it('transactions compare mod revisions; revisions increase; range reads the current state', T, () =>
      withBackend(open, async (b) => {
        // An empty store (or an empty prefix of a shared one) may start at any revision.
        const start = await b.revisions();
        assert.ok(start.compacted <= start.current);
        const a = podKey('default', 'a');
        const created = await b.txn({ kind: 'create', key: a, object: pod('a') });
        const r1 = committed(created);
        assert.ok(created.ok && created.object && rv(created.object) === r1 && Object.isFrozen(created.object));
        assert.deepEqual(await b.txn({ kind: 'create', key: a, object: pod('a') }), {
          ok: false,
          modRevision: r1,
          revision: r1,
        });
        const stale = await b.txn({ kind: 'update', key: a, object: pod('a'), expectedModRevision: r1 - 1 || 99 });
        assert.deepEqual(stale, { ok: false, modRevision: r1, revision: r1 });
        const r2 = committed(
          await b.txn({ kind: 'update', key: a, object: { ...pod('a'), spec: { v: 2 } }, expectedModRevision: r1 }),
        );
        assert.ok(r2 > r1);
        const r3 = committed(await b.txn({ kind: 'create', key: podKey('default', 'b'), object: pod('b') }));
        assert.deepEqual(await b.txn({ kind: 'delete', key: podKey('default', 'zz'), expectedModRevision: 0 }), {
          ok: false,
          modRevision: 0,
          revision: r3,
        });
        const page = await b.range('/registry/pods/default/', { limit: 1 });
        assert.equal(page.revision, r3);
        assert.equal(page.more, true);
        assert.deepEqual(
          page.items.map((o) => [o.key, o.modRevision, (o.object.spec as { v?: number }).v]),
          [[a, r2, 2]],
        );
        const rest = await b.range('/registry/pods/default/', { startAfter: a });
        assert.deepEqual(
          rest.items.map((o) => o.key),
          [podKey('default', 'b')],
        );
        assert.equal(rest.more, false);
        // a page that ends the prefix exactly has no more, though keys of another prefix follow
        committed(await b.txn({ kind: 'create', key: podKey('other', 'c'), object: pod('c', 'other') }));
        const whole = await b.range('/registry/pods/default/', { limit: 2 });
        assert.deepEqual([whole.items.length, whole.more], [2, false]);
        const r4 = committed(await b.txn({ kind: 'delete', key: a, expectedModRevision: r2 }));
        assert.deepEqual((await b.revisions()).current, r4);
        assert.equal((await b.range('/registry/pods/')).items.length, 2);
      }),
    );

    it('subscribers see every committed event in order before the writer is answered', T, () =>
      withBackend(open, async (b) => {
        const seen: RawEvent[] = [];
        const stop = await b.subscribe((await b.revisions()).current, {
          events: (evs) => seen.push(...evs),
          error: () => {},
        });
        const key = podKey('default', 'a');
        const results = await Promise.all(
          ['x', 'y', 'z'].map((n) => b.txn({ kind: 'create', key: podKey('default', n), object: pod(n) })),
        );
        for (const r of results) assert.ok(r.ok && seen.some((e) => e.revision === r.revision));
        const r = committed(await b.txn({ kind: 'create', key, object: pod('a') }));
        assert.equal(seen[seen.length - 1]!.revision, r, 'notified before the transaction resolved');
        committed(await b.txn({ kind: 'delete', key, expectedModRevision: r }));
        stop();
        assert.deepEqual(
          seen.map((e) => e.type),
          ['ADDED', 'ADDED', 'ADDED', 'ADDED', 'DELETED'],
        );
        const revs = seen.map((e) => e.revision);
        assert.deepEqual(
          revs,
          [...revs].sort((x, y) => x - y),
        );
        assert.ok(seen.every((e) => e.bytes > 0));
        // A late subscriber first gets what it missed, then live events.
        const late: RawEvent[] = [];
        const stopLate = await b.subscribe(revs[1]!, { events: (evs) => late.push(...evs), error: () => {} });
        committed(await b.txn({ kind: 'create', key, object: pod('a') }));
        stopLate();
        assert.deepEqual(
          late.map((e) => e.revision),
          [...revs.slice(2), (await b.revisions()).current],
        );
      }),
    );

    it('recentHistory returns the newest events within the budget, decoded with their previous state', T, () =>
      withBackend(open, async (b) => {
        const key = podKey('default', 'a');
        const base = (await b.revisions()).current;
        let r = committed(await b.txn({ kind: 'create', key, object: pod('a') }));
        for (let i = 1; i <= 5; i++) {
          r = committed(
            await b.txn({ kind: 'update', key, object: { ...pod('a'), spec: { i } }, expectedModRevision: r }),
          );
        }
        committed(await b.txn({ kind: 'delete', key, expectedModRevision: r }));
        const all = await b.recentHistory(base + 7, { maxEvents: 100, maxBytes: 1 << 20 });
        if (opts.history === 'none') {
          assert.deepEqual(all.events, []);
          assert.equal(all.truncated, true);
        } else {
          assert.equal(all.truncated, false);
          assert.deepEqual(
            all.events.map((e) => `${e.type}@${e.revision - base}`),
            ['ADDED@1', 'MODIFIED@2', 'MODIFIED@3', 'MODIFIED@4', 'MODIFIED@5', 'MODIFIED@6', 'DELETED@7'],
          );
          const del = all.events[6]!;
          assert.equal(del.object?.metadata.resourceVersion, String(base + 7));
          assert.equal(del.prevObject?.metadata.resourceVersion, String(base + 6));
          assert.equal(all.events[3]!.prevObject?.metadata.resourceVersion, String(base + 3));
          const some = await b.recentHistory(base + 6, { maxEvents: 2, maxBytes: 1 << 20 });
          assert.equal(some.truncated, true);
          assert.deepEqual(
            some.events.map((e) => e.revision - base),
            [5, 6],
          );
        }
        await b.compact(base + 4);
        const after = await b.recentHistory(base + 7, { maxEvents: 100, maxBytes: 1 << 20 });
        assert.equal(after.compacted, base + 4);
        assert.deepEqual(
          after.events.map((e) => e.revision - base),
          opts.history === 'none' ? [] : [5, 6, 7],
        );
        assert.equal((await b.revisions()).compacted, base + 4);
        // Expired below the compacted revision.
        await assert.rejects(b.subscribe(base + 2, { events: () => {}, error: () => {} }), (err: unknown) =>
          isStorageError(err, 'Expired'),
        );
      }),
    );

    it("a value over the request limit fails with RequestTooLarge (etcd's message) and takes no revision", T, () =>
      withBackend(
        open,
        async (b) => {
          const before = (await b.revisions()).current;
          const big = { ...pod('big'), data: { blob: 'x'.repeat(5000) } };
          await assert.rejects(
            b.txn({ kind: 'create', key: podKey('default', 'big'), object: big }),
            (err: unknown) =>
              isStorageError(err, 'RequestTooLarge') && err.message === 'etcdserver: request is too large',
          );
          assert.equal((await b.revisions()).current, before);
          committed(await b.txn({ kind: 'create', key: podKey('default', 'small'), object: pod('small') }));
        },
        { maxRequestBytes: 4096 },
      ),
    );
  });
}
