/**
 * How the etcd raw backend lays the store out in etcd, as kube-apiserver does: the object at storage key
 * `/registry/<resource>/...` lives at etcd key `<prefix>/<resource>/...` (prefix `/registry` by default), its
 * value the object's JSON without `metadata.resourceVersion` (that is the key's mod_revision, set on read).
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { freezeParsed, metaWithRevision } from '../stored-objects.js';

/** Every storage key starts with this; the etcd prefix replaces it. */
const STORAGE_ROOT = '/registry';

/** The compaction mark shared by every API server on one etcd (compaction is global to etcd), as upstream's. */
export const COMPACT_REV_KEY = Buffer.from('compact_rev_key');

/** Maps storage keys to etcd keys and back under one prefix. */
export class KeyMapper {
  /** `prefix` without a trailing `/`; the stored keys are `<prefix>/...`. */
  constructor(private readonly prefix: string) {}

  /** The etcd key of a storage key (which starts with `/registry/`). */
  toEtcd(key: string): Buffer {
    if (!key.startsWith(`${STORAGE_ROOT}/`)) throw new Error(`storage key outside ${STORAGE_ROOT}/: ${key}`);
    return Buffer.from(this.prefix + key.slice(STORAGE_ROOT.length));
  }

  /** The storage key of an etcd key under the prefix. */
  fromEtcd(key: Buffer): string {
    return STORAGE_ROOT + key.toString('utf8').slice(this.prefix.length);
  }

  /**
   * The etcd range `[start, end)` of the storage keys starting with `prefix`: the whole store for '' (or any
   * prefix of `/registry/`), nothing for a prefix outside it.
   */
  range(prefix: string): { start: Buffer; end: Buffer } | undefined {
    const root = `${STORAGE_ROOT}/`;
    if (root.startsWith(prefix)) return prefixRange(Buffer.from(`${this.prefix}/`));
    if (!prefix.startsWith(root)) return undefined;
    return prefixRange(this.toEtcd(prefix));
  }
}

/** The etcd range of every key starting with `start`. */
function prefixRange(start: Buffer): { start: Buffer; end: Buffer } {
  const end = Buffer.from(start);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return { start, end: end.subarray(0, i + 1) };
    }
  }
  return { start, end: Buffer.from([0]) };
}

/** The value stored for `obj`: its JSON without `metadata.resourceVersion`. */
export function encodeValue(obj: KubeObject): string {
  const meta = obj.metadata;
  if (meta && 'resourceVersion' in meta) {
    const { resourceVersion: _rv, ...rest } = meta;
    return JSON.stringify({ ...obj, metadata: rest });
  }
  return JSON.stringify(obj);
}

/** The frozen object of a stored value at `modRevision` (its resourceVersion). */
export function decodeValue(value: Buffer | string, modRevision: number): KubeObject {
  const obj = JSON.parse(typeof value === 'string' ? value : value.toString('utf8')) as KubeObject;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('corrupt value: not an object');
  return freezeParsed({ ...obj, metadata: metaWithRevision(obj.metadata, modRevision) });
}
