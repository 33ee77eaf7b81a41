/**
 * Small shared helpers for the validation/defaulting modules: safe readers over plain JSON, field-path
 * builders in upstream's notation, Go-style value rendering for error messages, and semantic equality.
 * Everything here is pure.
 */
import type { FieldError } from '../field-errors.js';

/** A plain JSON object. */
export type Obj = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/** Go's `len(s)` for a string: its UTF-8 byte length. */
export function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** `a.b` path join (upstream's `Path.Child`). */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `a[i]` (upstream's `Path.Index`). */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `a[key]` (upstream's `Path.Key`). */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** Go's `%q` for a plain string (close enough to JSON quoting for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%#v` of a `[]string`: `[]string{"a", "b"}`, or `[]string(nil)` when absent. */
export function goStringSlice(v: readonly string[] | null | undefined): string {
  if (v == null) return '[]string(nil)';
  return `[]string{${v.map(goQuote).join(', ')}}`;
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

/**
 * An Invalid error whose bad value is printed verbatim (already rendered Go-style, e.g. `[]string{}` or a time)
 * instead of JSON. The rendered value travels in the detail so `fieldErrorBody` prints
 * `Invalid value: <rendered>: <detail>`; `badValue` keeps the raw value for structured consumers.
 */
export function invalidRendered(field: string, rendered: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue, omitValue: true, detail: `${rendered}: ${detail}` };
}

/** Any error type with a verbatim-rendered bad value (see invalidRendered). */
export function renderedError(type: FieldError['type'], field: string, rendered: string, badValue: unknown, detail?: string): FieldError {
  return { type, field, badValue, omitValue: true, detail: detail ? `${rendered}: ${detail}` : rendered };
}

/** A NotFound error with a detail. */
export function notFoundWithDetail(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueNotFound', field, badValue, detail };
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

/** A deep copy of plain JSON. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
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
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffPaths(a[k], b[k], child(path, k), out);
    return out;
  }
  out.push(`  ${path || '.'}: ${JSON.stringify(a ?? null)} → ${JSON.stringify(b ?? null)}`);
  return out;
}
