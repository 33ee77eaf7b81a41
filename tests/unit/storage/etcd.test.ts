import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storageConformance } from '../../../storage/conformance.js';
import { rawBackendConformance } from '../../../storage/conformance-raw.js';
import { isStorageError } from '../../../storage/errors.js';
import { EtcdBackend } from '../../../storage/etcd/etcd-backend.js';
import { openCachedEtcd, openEtcdStorage } from '../../../storage/etcd/etcd-storage.js';
import { pod, podKey, rejectsWithCode, rv, startWatch } from '../../../storage/conformance-helpers.js';
import { type EtcdProcess, etcdMissing, freePort, startEtcd } from '../../helpers/etcd.js';

// One etcd for the file; every case gets its own prefix (its empty store), and the cases run one at a time.
let etcd: EtcdProcess | undefined;
let cases = 0;
const nextPrefix = () => `/registry-test-${++cases}`;
const servers = () => [etcd!.url];

describe('etcd storage', { skip: etcdMissing }, () => {
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  rawBackendConformance(
    'etcd',
    async (options) => {
      const backend = await EtcdBackend.open({ servers: servers(), prefix: nextPrefix(), ...options });
      return { backend, cleanup: () => backend.close() };
    },
    { history: 'none' },
  );

  storageConformance('cache over etcd', async (options) => {
    const storage = await openEtcdStorage({ servers: servers(), prefix: nextPrefix(), ...options });
    return { storage, cleanup: () => storage.close() };
  });

  it('after its subscription breaks (a gap), the cache reads etcd again and serves what was written meanwhile', async () => {
    const prefix = nextPrefix();
    const a = await openCachedEtcd({ servers: servers(), prefix });
    const b = await openEtcdStorage({ servers: servers(), prefix });
    try {
      await a.create(podKey('default', 'x'), pod('x'));
      const { it: w } = startWatch(a, '/registry/pods/', a.currentRevision());
      (a as unknown as { fail(err: unknown): void }).fail(new Error('simulated revision gap'));
      assert.equal((await w.next()).done, true, 'watches end: their clients watch again');
      await rejectsWithCode(a.get(podKey('default', 'x')), 'Internal');
      const y = await b.create(podKey('default', 'y'), pod('y'));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const listed = await a.list('/registry/pods/').catch(() => undefined);
        if (listed?.items.length === 2) {
          assert.ok(listed.revision >= rv(y));
          break;
        }
        assert.ok(Date.now() < deadline, 'the cache recovered');
        await new Promise((r) => setTimeout(r, 50));
      }
      const z = await a.create(podKey('default', 'z'), pod('z'));
      assert.equal(rv(await b.get(podKey('default', 'z'))), rv(z));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the cache’s watch resumes when etcd restarts (crash), and sees what was written after', {
    timeout: 60_000,
  }, async () => {
    let own = await startEtcd();
    try {
      const s = await openEtcdStorage({ servers: [own.url], prefix: '/registry', timeoutMs: 2000 });
      try {
        const a = await s.create(podKey('default', 'a'), pod('a'));
        own = await own.restart();
        const other = await openEtcdStorage({ servers: [own.url], prefix: '/registry' });
        try {
          const b = await other.create(podKey('default', 'b'), pod('b'));
          assert.ok(rv(b) > rv(a));
          // Through the first store: its watch reconnected and resumed after the last revision it had seen.
          const deadline = Date.now() + 20_000;
          for (;;) {
            const got = await s.get(podKey('default', 'b')).catch(() => undefined);
            if (got) {
              assert.equal(rv(got), rv(b));
              break;
            }
            assert.ok(Date.now() < deadline, 'the first store sees the write made after the restart');
            await new Promise((r) => setTimeout(r, 100));
          }
          const c = await s.create(podKey('default', 'c'), pod('c'));
          assert.equal(rv(await other.get(podKey('default', 'c'))), rv(c));
        } finally {
          await other.close();
        }
      } finally {
        await s.close();
      }
    } finally {
      await own.stop();
    }
  });

  it('an unreachable etcd fails within the deadline with a StorageError', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(openEtcdStorage({ servers: [`http://127.0.0.1:${port}`], timeoutMs: 1000 }), (err: unknown) =>
      isStorageError(err, 'Internal'),
    );
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
  });
});
