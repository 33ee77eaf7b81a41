/**
 * Helpers shared by the kinds that hold data maps (ConfigMaps, Secrets): the immutability message and the
 * normalization of a written map to the form the apiserver stores and returns.
 */
import { isObj, type Obj } from './helpers.js';

/** Upstream's detail for a change to an object whose `immutable` is true. */
export const FIELD_IMMUTABLE_WHEN_IMMUTABLE = 'field is immutable when `immutable` is set';

/** Two data maps hold the same keys and values (absent and empty are the same map). */
export function sameStringMap(a: unknown, b: unknown): boolean {
  const x: Obj = isObj(a) ? a : {};
  const y: Obj = isObj(b) ? b : {};
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => Object.hasOwn(y, k) && (x[k] ?? '') === (y[k] ?? ''));
}

/**
 * A data map as it is stored and read back: keys in Go's sorted order, a null value as the empty value (Go
 * decodes it to the zero value), and an empty map left out, as the protobuf round trip through etcd leaves it.
 */
export function normalizeDataMap(obj: Obj, field: string): void {
  const m = obj[field];
  if (m === undefined) return;
  if (!isObj(m) || Object.keys(m).length === 0) {
    if (m === null || isObj(m)) delete obj[field];
    return;
  }
  const sorted: Obj = {};
  for (const k of Object.keys(m).sort()) setOwn(sorted, k, m[k] ?? '');
  obj[field] = sorted;
}

/** Sets a key as an own property, `__proto__` included (a valid config key that plain assignment would eat). */
export function setOwn(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Puts `fields` (those present) after `metadata` in the given order, as the Go struct serializes them; other keys
 * keep their place after them.
 */
export function orderFields(obj: Obj, fields: readonly string[]): void {
  const rest: Obj = {};
  for (const k of Object.keys(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || fields.includes(k)) continue;
    rest[k] = obj[k];
    delete obj[k];
  }
  for (const k of fields) {
    if (!Object.hasOwn(obj, k)) continue;
    const v = obj[k];
    delete obj[k];
    obj[k] = v;
  }
  Object.assign(obj, rest);
}
