/** Shared pieces of the storage conformance suite (see conformance.ts). */
import assert from 'node:assert/strict';
import { storageKey } from '../apimachinery/keys.js';
import type { KubeObject } from '../apimachinery/objects.js';
import { isStorageError, type StorageErrorCode } from './errors.js';
import type { Storage, WatchItem } from './interface.js';

/** Options a conformance case may ask of a freshly opened store; implementations must honour them. */
export interface ConformanceOpenOptions {
  /** Live events a watcher may leave unread before it gets 'TooSlow' (the suite uses a small value). */
  watchBufferLimit?: number;
}

/**
 * Opens an empty store for one test case. `cleanup` closes it (ending its watches) and removes whatever it
 * created; the suite never calls `storage.close()` itself.
 */
export type OpenStorage = (options?: ConformanceOpenOptions) => Promise<{ storage: Storage; cleanup(): Promise<void> }>;

/** Runs `fn` against a fresh store and always cleans up. */
export async function withStorage(
  open: OpenStorage,
  fn: (s: Storage) => Promise<void>,
  options?: ConformanceOpenOptions,
): Promise<void> {
  const { storage, cleanup } = await open(options);
  try {
    await fn(storage);
  } finally {
    await cleanup();
  }
}

export function podKey(namespace: string, name: string): string {
  return storageKey('pods', namespace, name);
}

export function pod(name: string, namespace = 'default', extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    ...extra,
  };
}

export function rv(obj: KubeObject): number {
  return Number(obj.metadata.resourceVersion);
}

/** Asserts that `promise` rejects with a StorageError of `code`; returns the error. */
export async function rejectsWithCode(promise: Promise<unknown>, code: StorageErrorCode): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return isStorageError(err, code);
  });
  return caught as Error;
}

/** `promise`, failing the test if it does not settle within `ms`. */
export async function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `it.next()`, failing the test if nothing arrives within `ms`. */
export function nextWithin<T>(it: AsyncIterator<T>, ms = 10_000): Promise<IteratorResult<T>> {
  return within(it.next(), ms);
}

/** Reads exactly `n` items (skipping PROGRESS) from a watch iterator. */
export async function take(it: AsyncIterator<WatchItem>, n: number, ms = 10_000): Promise<WatchItem[]> {
  const out: WatchItem[] = [];
  while (out.length < n) {
    const r = await nextWithin(it, ms);
    if (r.done) throw new Error(`watch ended after ${out.length} of ${n} items`);
    if (r.value.type !== 'PROGRESS') out.push(r.value);
  }
  return out;
}

/** A compact, comparable description of watch items. */
export function describeItems(items: readonly WatchItem[]): string[] {
  return items.map((i) => (i.type === 'PROGRESS' ? `PROGRESS@${i.revision}` : `${i.type} ${i.key}@${i.revision}`));
}

/** A watch iterator plus the controller that ends it. */
export function startWatch(
  s: Storage,
  prefix: string,
  fromRevision: number,
  progressIntervalMs?: number,
): { it: AsyncIterator<WatchItem>; ac: AbortController } {
  const ac = new AbortController();
  const it = s.watch(prefix, fromRevision, { signal: ac.signal, progressIntervalMs })[Symbol.asyncIterator]();
  return { it, ac };
}
