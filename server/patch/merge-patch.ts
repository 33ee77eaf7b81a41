/**
 * JSON merge patch (RFC 7386), as kube-apiserver applies `application/merge-patch+json`
 * (gopkg.in/evanphx/json-patch.v4 MergePatch):
 *
 * - a patch object merges into an object target key by key; `null` removes a key;
 * - any other patch value replaces the target value;
 * - a value put where there was none (or a non-object, or `null`) has the `null`s of its objects removed,
 *   recursively, also inside lists; `null` list elements stay;
 * - a non-object value replacing an object is taken verbatim.
 */

import { copyDocument } from '../../apimachinery/copy.js';

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function setKey(m: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
  else m[k] = v;
}

/**
 * Applies the merge patch `patch` to `original` and returns the result; neither input is modified. A
 * non-object patch is the result itself (nulls pruned); a non-object original is treated as `{}`.
 */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return pruneNulls(copyDocument(patch));
  if (!isMap(original)) return pruneNulls(copyDocument(patch));
  const doc = copyDocument(original);
  mergeInto(doc, patch);
  return doc;
}

/** Merges `patch` into `doc` in place; values taken from the patch are copied. */
function mergeInto(doc: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = Object.hasOwn(doc, k) ? doc[k] : null;
    if (cur === null || !isMap(cur)) {
      setKey(doc, k, pruneNulls(copyDocument(v)));
    } else if (isMap(v)) {
      mergeInto(cur, v);
    } else {
      setKey(doc, k, copyDocument(v));
    }
  }
}

/** Removes null-valued keys from every object in `v` (in place) and returns `v`. */
function pruneNulls<T>(v: T): T {
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x);
  } else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
