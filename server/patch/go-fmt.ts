/**
 * Go `fmt` renderings of decoded JSON values, so that error messages read exactly like kube-apiserver's
 * (`map: map[image:x] does not contain declared merge key: name`, `expected a []interface {}, but received a string`).
 *
 * Decoded JSON in the apiserver is `map[string]interface{}`, `[]interface{}`, `string`, `bool`, `nil`, and
 * `int64` for integral numbers (both the unstructured original and the patch keep integers) or `float64`.
 */

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Go's dynamic type name of a decoded JSON value (`reflect.TypeOf(v).String()`), `nil` for null. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'int64' : 'float64';
  return typeof v;
}

/** `%s` of `reflect.TypeOf(v)`: the type name, or `%!s(<nil>)` for null. */
export function goTypeForS(v: unknown): string {
  return v === null || v === undefined ? '%!s(<nil>)' : goTypeName(v);
}

/**
 * Go's `%v` of a float64 (strconv 'g' with the shortest precision): shortest round-trip digits, in `%e` form
 * (`1.5e-07`, `1e+06`) when the decimal exponent is below -4 or at least 6.
 */
function goFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mant, expStr] = n.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]` (keys sorted), `<nil>`, bare strings. */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `map[${keys.map((k) => `${k}:${goV(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? String(v) : goFloat(v);
  return String(v);
}

/** Go's `%s` of a decoded JSON value (`%!s(int64=1)` for non-strings, recursively inside maps and slices). */
export function goS(v: unknown, nested = false): string {
  if (v === null || v === undefined) return nested ? '<nil>' : '%!s(<nil>)';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map((x) => goS(x, true)).join(' ')}]`;
  if (isMap(v)) {
    const keys = Object.keys(v).sort(compareGoStrings);
    return `map[${keys.map((k) => `${k}:${goS(v[k], true)}`).join(' ')}]`;
  }
  return `%!s(${goTypeName(v)}=${goV(v)})`;
}

/** Byte-wise (UTF-8) string order, as Go sorts map keys when printing. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
