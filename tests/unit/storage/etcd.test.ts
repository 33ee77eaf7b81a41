import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storageConformance } from '../../../storage/conformance.js';
import { rawBackendConformance } from '../../../storage/conformance-raw.js';
import { isStorageError } from '../../../storage/errors.js';
import { EtcdBackend } from '../../../storage/etcd/etcd-backend.js';
import { openEtcdStorage } from '../../../storage/etcd/etcd-storage.js';
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

  it('an unreachable etcd fails within the deadline with a StorageError', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(openEtcdStorage({ servers: [`http://127.0.0.1:${port}`], timeoutMs: 1000 }), (err: unknown) =>
      isStorageError(err, 'Internal'),
    );
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
  });
});
