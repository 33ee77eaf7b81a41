/**
 * Copies, freezing and comparison of JSON objects. Deep copies are made without the text in between: what
 * `JSON.parse(JSON.stringify(value))` gives back, made directly when the value is plain data (the store's copy
 * of each written object, the registry's mutable copies of request and stored objects).
 */

/** A mutable deep copy of a (possibly frozen) JSON object: what `JSON.parse(JSON.stringify(obj))` returns. */
export function clone<T>(obj: T): T {
  const copy = plainJsonCopy(obj);
  return (copy !== undefined ? copy : JSON.parse(JSON.stringify(obj))) as T;
}

/**
 * Deeply freezes a JSON value and returns it: shared cached objects (the store's, an informer's) must never
 * change, and a caller that tries fails loudly. Already frozen objects are taken as frozen throughout.
 */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}

/**
 * Structural equality of JSON values, independent of key order: members whose value is undefined count as absent
 * (as in JSON text), scalars compare with `===`, and null, [] and {} all differ from each other and from absence.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], bb[i])) return false;
    return true;
  }
  // Every defined member of `a` equals `b`'s (an undefined one never equals a defined one), and `b` has as many.
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(ao)) {
    const x = ao[k];
    if (x === undefined) continue;
    defined++;
    if (!semanticEqual(x, bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (bo[k] !== undefined) defined--;
  return defined === 0;
}

/**
 * `value` copied as the JSON round trip copies it, every object and array frozen when `freeze` is set; undefined
 * when `value` is not plain JSON data and only the round trip can say what it becomes: undefined or function
 * items, NaN, ±Infinity and -0, bigints, symbols, `toJSON`, objects other than plain objects and arrays,
 * `__proto__` keys, cycles. Object members whose value is undefined are left out, as JSON.stringify leaves them.
 */
export function plainJsonCopy(value: unknown, freeze = false): unknown {
  try {
    return copy(value, freeze);
  } catch {
    return undefined; // a cycle, or nesting deeper than the stack
  }
}

function copy(v: unknown, freeze: boolean): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : undefined;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (v === null) return null;
  const proto: unknown = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    if (proto !== Array.prototype || 'toJSON' in v) return undefined;
    const out: unknown[] = [];
    for (const item of v) {
      const c = copy(item, freeze);
      if (c === undefined) return undefined;
      out.push(c);
    }
    return freeze ? Object.freeze(out) : out;
  }
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in v) return undefined;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === undefined) continue;
    if (k === '__proto__') return undefined;
    const c = copy(x, freeze);
    if (c === undefined) return undefined;
    out[k] = c;
  }
  return freeze ? Object.freeze(out) : out;
}

/** Thrown inside {@link copyDocument}'s walk at a value only structuredClone knows how to copy. */
const NOT_PLAIN = Symbol('not plain data');

/**
 * `structuredClone(v)`, made directly when `v` is a plain JSON-like document (plain objects, arrays without holes
 * or undefined items, strings, numbers of any value, booleans, null) as decoded request bodies and copies of
 * stored objects are: about four times cheaper than the structured serializer. Anything else (undefined members,
 * `__proto__` keys, other objects, cycles, deep nesting) is left to structuredClone itself.
 */
export function copyDocument<T>(v: T): T {
  try {
    return documentCopy(v) as T;
  } catch (err) {
    if (err !== NOT_PLAIN && !(err instanceof RangeError)) throw err;
    return structuredClone(v);
  }
}

function documentCopy(v: unknown): unknown {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
    throw NOT_PLAIN;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (Array.isArray(v)) {
    if (proto !== Array.prototype) throw NOT_PLAIN;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v) || v[i] === undefined) throw NOT_PLAIN;
      out[i] = documentCopy(v[i]);
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x === undefined || k === '__proto__') throw NOT_PLAIN;
    out[k] = documentCopy(x);
  }
  return out;
}
