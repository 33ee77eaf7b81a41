/**
 * The store over etcd: the watch cache (storage/cache/cacher.ts) over the etcd raw backend
 * (storage/etcd/etcd-backend.ts). The server only sees the {@link Storage} this returns; several API servers
 * may share one etcd (and prefix).
 */
import { CachedStorage, type CacherOptions } from '../cache/cacher.js';
import type { Storage } from '../interface.js';
import { EtcdBackend, type EtcdBackendOptions } from './etcd-backend.js';

export interface EtcdStorageOptions extends CacherOptions, Omit<EtcdBackendOptions, 'log'> {}

/**
 * Connects to etcd (`opts.servers`), reads the live objects under `opts.prefix` and subscribes to what follows.
 * Fails (StorageError 'Internal') when etcd cannot be reached within the call deadline.
 */
export async function openEtcdStorage(opts: EtcdStorageOptions): Promise<Storage> {
  return openCachedEtcd(opts);
}

/** {@link openEtcdStorage} with its concrete type, for tests that look at the cache and the backend. */
export async function openCachedEtcd(opts: EtcdStorageOptions): Promise<CachedStorage & { backend: EtcdBackend }> {
  const { servers, prefix, maxRequestBytes, timeoutMs, ...cacheOptions } = opts;
  CachedStorage.checkOptions(cacheOptions);
  const backend = await EtcdBackend.open({ servers, prefix, maxRequestBytes, timeoutMs, log: opts.log });
  try {
    return (await CachedStorage.open(backend, cacheOptions)) as CachedStorage & { backend: EtcdBackend };
  } catch (err) {
    await backend.close();
    throw err;
  }
}
