import { randomInt, randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../apimachinery/objects.js';
/**
 * Server-side object metadata: generated names and uids, ObjectMeta normalization and the field order objects
 * serialize in. Types, copies, comparisons and timestamps are apimachinery's.
 */

/** The alphabet Kubernetes draws generated name suffixes from (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Name length limit used when trimming generateName prefixes, as upstream's names.SimpleNameGenerator. */
const MAX_NAME_LENGTH = 63;
const RANDOM_LENGTH = 5;

/** `generateName` + 5 random characters, the prefix trimmed so the result fits 63 characters. */
export function generateName(base: string): string {
  let prefix = base;
  if (prefix.length > MAX_NAME_LENGTH - RANDOM_LENGTH) prefix = prefix.slice(0, MAX_NAME_LENGTH - RANDOM_LENGTH);
  return prefix + randomString(RANDOM_LENGTH);
}

export function randomString(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

export function newUID(): string {
  return randomUUID();
}

const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Orders metadata keys as the apiserver serializes ObjectMeta and drops empty optional ones. */
export function normalizeMeta(meta: ObjectMeta): ObjectMeta {
  const out: ObjectMeta = {};
  for (const k of META_ORDER) {
    const v = meta[k];
    if (v === undefined || v === null || v === '') continue;
    if ((k === 'labels' || k === 'annotations') && typeof v === 'object' && Object.keys(v as object).length === 0)
      continue;
    if ((k === 'ownerReferences' || k === 'finalizers' || k === 'managedFields') && Array.isArray(v) && v.length === 0)
      continue;
    out[k] = v;
  }
  for (const k of Object.keys(meta))
    if (!(k in out) && !META_ORDER.includes(k) && meta[k] !== undefined) out[k] = meta[k];
  return out;
}

/** Puts kind, apiVersion, metadata first, the way Go structs serialize. */
export function withTypeMeta(obj: KubeObject, apiVersion: string, kind: string): KubeObject {
  const { kind: _k, apiVersion: _a, metadata, ...rest } = obj;
  return { kind, apiVersion, metadata, ...rest } as KubeObject;
}

const ORDERED_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

/** Top-level keys in the order Go structs serialize them: type meta, metadata, spec, other fields, status. */
export function orderTopLevel(obj: KubeObject): KubeObject {
  const ordered = {} as KubeObject;
  if (obj.apiVersion !== undefined) ordered.apiVersion = obj.apiVersion;
  if (obj.kind !== undefined) ordered.kind = obj.kind;
  ordered.metadata = obj.metadata;
  if (obj['spec'] !== undefined) ordered['spec'] = obj['spec'];
  for (const k of Object.keys(obj)) if (!ORDERED_TOP_LEVEL.has(k)) ordered[k] = obj[k];
  if (obj['status'] !== undefined) ordered['status'] = obj['status'];
  return ordered;
}
