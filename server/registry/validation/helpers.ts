import { child } from '../../../apimachinery/field-errors.js';
import { isObj, type Obj } from '../../../apimachinery/objects.js';
/**
 * Small shared helpers for the validation/defaulting modules: safe readers over plain JSON, Go's time
 * rendering for error messages, and semantic equality. Everything here is pure. Field paths, errors and the
 * Go renderings of bad values are in apimachinery/field-errors.ts, format checks in apimachinery/validation.ts.
 */

// The JSON object guard is apimachinery's; it is re-exported beside the readers below, which every validator
// imports together with it.
export { isObj, type Obj };

/** The value if it is a string, else `''` (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The value if it is an array, else `[]`. */
export function arr<T = unknown>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The value if it is an object, else `{}` (a fresh one, so callers may not rely on writing through it). */
export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

/** The value if it is a finite number, else `undefined`. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Keys of an object in Go's sorted order (byte order for ASCII keys), for deterministic error lists. */
export function sortedKeys(o: Obj): string[] {
  return Object.keys(o).sort();
}

/**
 * Renders an RFC 3339 timestamp the way Go's `time.Time.String()` prints it after metav1 decoding (UTC):
 * `2024-01-02 03:04:05 +0000 UTC`. Unparseable input is returned unchanged.
 */
export function goTime(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  let s = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
  const frac = /\.(\d+)/.exec(rfc3339)?.[1]?.replace(/0+$/, '');
  if (frac) s += `.${frac}`;
  return `${s} +0000 UTC`;
}

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObj(v)) return Object.keys(v).length === 0;
  return false;
}

/**
 * Semantic deep equality as `apiequality.Semantic.DeepEqual` sees decoded objects: nil and empty
 * slices/maps are equal, and an absent key equals a null/empty one. Scalars compare strictly.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) || isObj(b)) {
    if (!isObj(a) || !isObj(b)) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * Lists the leaf paths where two JSON values differ (`spec.containers[0].name: "a" → "b"`), used to
 * append a human-readable diff to "may not change" errors. Not upstream's cmp.Diff format.
 */
export function diffPaths(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (semanticEqual(a, b)) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) diffPaths(a[i], b[i], `${path}[${i}]`, out);
    return out;
  }
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      diffPaths(a[k], b[k], child(path, k), out);
    return out;
  }
  out.push(`  ${path || '.'}: ${JSON.stringify(a ?? null)} → ${JSON.stringify(b ?? null)}`);
  return out;
}
