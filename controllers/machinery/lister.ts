/**
 * An informer's cache: objects by key (`namespace/name`, or `name` for cluster-scoped ones) with secondary
 * indexes, as client-go's thread-safe store and indexer. Objects are frozen on the way in and shared.
 */
import { deepFreeze } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { IndexFunc, Lister } from './types.js';

/** The index every cache has: objects by `metadata.namespace` ('' for cluster-scoped). */
export const NAMESPACE_INDEX = 'namespace';

/** Adds an index unless one of that name exists already (informers are shared: another component added it). */
export function addIndexOnce<T extends KubeObject>(
  inf: { addIndex(name: string, fn: IndexFunc<T>): void },
  name: string,
  fn: IndexFunc<T>,
): void {
  try {
    inf.addIndex(name, fn);
  } catch (err) {
    if (!/already exists/.test(String((err as Error)?.message))) throw err;
  }
}

/** The cache key of an object: `namespace/name`, or `name` without a namespace (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata.name ?? '';
  // Joined, not concatenated: one flat string. A concatenation of 13 characters or more is a rope, which V8 flattens
  // when the key is first hashed, and the cache and its indexes would keep the rope's node beside the flat text.
  return obj.metadata.namespace ? [obj.metadata.namespace, name].join('/') : name;
}

/** The key of `namespace`/`name` (namespace undefined or '' for cluster-scoped objects). */
export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Splits a key into namespace ('' when none) and name; throws on a key with more than one slash. */
export function splitKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: parts[0]! };
  if (parts.length === 2) return { namespace: parts[0]!, name: parts[1]! };
  throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
}

/**
 * The store behind a Lister. Written only by its informer (`replace`, `upsert`, `remove`); every index is kept
 * current with each write, and an index added later is built over the objects already present.
 */
export class IndexedStore<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys (the key itself while there is one: most values of a node index have one) */
  private readonly indices = new Map<string, Map<string, IndexKeys>>();

  constructor() {
    this.addIndex(NAMESPACE_INDEX, (obj) => [obj.metadata.namespace ?? '']);
  }

  /** Adds an index; throws if the name is taken. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${JSON.stringify(name)} already exists`);
    this.indexers.set(name, fn);
    const index = new Map<string, IndexKeys>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) addToIndex(index, fn(obj), key);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(keyOf(namespace, name));
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every object, or those of one namespace. */
  list(namespace?: string): T[] {
    if (namespace === undefined) return [...this.items.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** Objects whose index function returned `value`; throws for an unknown index (a programming error). */
  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index ${JSON.stringify(indexName)} does not exist`);
    const keys = index.get(value);
    if (keys === undefined) return [];
    if (typeof keys === 'string') return [this.items.get(keys)!];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /**
   * Stores (frozen) `obj` under its key; returns the object it replaced. An index whose values for the object did
   * not change is left as it is (most updates: a pod's status changes neither its namespace, nor its node, nor its
   * owner), so it keeps the key it has, the one the store holds too, not a copy of it made for each update.
   */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    deepFreeze(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      const values = fn(obj);
      if (old) {
        const before = fn(old);
        if (sameValues(before, values)) continue;
        removeFromIndex(index, before, key);
      }
      addToIndex(index, values, key);
    }
    return old;
  }

  /** Removes the object stored under `key`; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) removeFromIndex(this.indices.get(name)!, fn(obj), key);
  }
}

/** Whether two index functions' answers are the same values in the same order. */
function sameValues(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Takes `key` out of `index` under each of `values`. */
function removeFromIndex(index: Map<string, IndexKeys>, values: readonly string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (keys === undefined) continue;
    if (typeof keys === 'string') {
      if (keys === key) index.delete(value);
      continue;
    }
    keys.delete(key);
    if (keys.size === 0) index.delete(value);
  }
}

/** The keys of the objects with one index value: a key alone, or a set of them in the order they came. */
type IndexKeys = string | Set<string>;

function addToIndex(index: Map<string, IndexKeys>, values: string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (keys === undefined) index.set(value, key);
    else if (typeof keys !== 'string') keys.add(key);
    else if (keys !== key) index.set(value, new Set([keys, key]));
  }
}
