/**
 * The default store: the watch cache (storage/cache/cacher.ts) over the LevelDB raw backend
 * (storage/level/level-backend.ts). The server only sees the {@link Storage} this returns.
 */
import { CachedStorage, type CacherOptions } from '../cache/cacher.js';
import type { Storage } from '../interface.js';
import { LevelBackend } from './level-backend.js';

export interface LevelStorageOptions extends CacherOptions {
  /** The LevelDB directory (created when missing). Only one process may open it at a time. */
  dir: string;
  /** Largest key plus serialized object one write may store (etcd's --max-request-bytes). Default 1.5 MiB. */
  maxRequestBytes?: number;
  /** LevelDB's write buffer of the current objects, bytes (LevelBackendOptions.objectsWriteBufferBytes). */
  objectsWriteBufferBytes?: number;
}

/**
 * Opens (creating if needed) the store in `opts.dir`: reads the live objects and the newest events that fit the
 * watch window, and starts automatic compaction. The result is a {@link CachedStorage} over a
 * {@link LevelBackend}. Fails if another process holds the dir.
 */
export async function openLevelStorage(opts: LevelStorageOptions): Promise<Storage> {
  return openCachedLevel(opts);
}

/** {@link openLevelStorage} with its concrete type, for tests that look at the cache and the backend. */
export async function openCachedLevel(opts: LevelStorageOptions): Promise<CachedStorage & { backend: LevelBackend }> {
  if (!opts || typeof opts.dir !== 'string' || opts.dir === '')
    throw new TypeError('openLevelStorage: dir is required');
  const { dir, maxRequestBytes, objectsWriteBufferBytes, ...cacheOptions } = opts;
  // Validate the cache options before the directory is locked.
  CachedStorage.checkOptions(cacheOptions);
  const backend = await LevelBackend.open({ dir, maxRequestBytes, objectsWriteBufferBytes, log: opts.log });
  try {
    return (await CachedStorage.open(backend, cacheOptions)) as CachedStorage & { backend: LevelBackend };
  } catch (err) {
    await backend.close();
    throw err;
  }
}
