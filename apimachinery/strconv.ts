/**
 * Go's strconv.ParseInt / ParseUint for base 10 and 64 bits, with Go's error texts: how kube-apiserver reads every
 * integer a client sends as text (query parameters, resourceVersions, annotations). Bounded: a value is checked by
 * its length before any arithmetic, so a parameter of a million digits costs one scan, not a big-number parse.
 */

/** Go's strconv.Quote for the strings that reach error messages (ASCII escapes; other runes as they are). */
export function goQuote(s: string): string {
  if (!/[\u0000-\u001f"\\\u007f]/.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
export const UINT64_MAX = 18446744073709551615n;

/** A failed conversion; `message` is Go's (`strconv.ParseInt: parsing "x": invalid syntax`). */
export class NumError extends Error {
  constructor(
    readonly func: 'ParseInt' | 'ParseUint',
    readonly input: string,
    readonly reason: 'invalid syntax' | 'value out of range',
  ) {
    super(`strconv.${func}: parsing ${goQuote(input)}: ${reason}`);
    this.name = 'NumError';
  }
}

function isDigits(s: string, from: number): boolean {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The digits from `from` on without leading zeros ('' for zero). */
function significant(s: string, from: number): string {
  let i = from;
  while (i < s.length - 1 && s.charCodeAt(i) === 0x30) i++;
  return s.charCodeAt(i) === 0x30 ? '' : s.slice(i);
}

/** strconv.ParseInt(s, 10, 64): an optional sign and decimal digits within int64. */
export function parseInt64(s: string): bigint {
  const signed = s[0] === '+' || s[0] === '-';
  if (!isDigits(s, signed ? 1 : 0)) throw new NumError('ParseInt', s, 'invalid syntax');
  const digits = significant(s, signed ? 1 : 0);
  // int64 has 19 digits: anything longer is out of range without computing it.
  if (digits.length > 19) throw new NumError('ParseInt', s, 'value out of range');
  const n = BigInt(digits || '0') * (s[0] === '-' ? -1n : 1n);
  if (n > INT64_MAX || n < INT64_MIN) throw new NumError('ParseInt', s, 'value out of range');
  return n;
}

/** strconv.ParseUint(s, 10, 64): decimal digits (no sign) within uint64. */
export function parseUint64(s: string): bigint {
  if (!isDigits(s, 0)) throw new NumError('ParseUint', s, 'invalid syntax');
  const digits = significant(s, 0);
  if (digits.length > 20) throw new NumError('ParseUint', s, 'value out of range');
  const n = BigInt(digits || '0');
  if (n > UINT64_MAX) throw new NumError('ParseUint', s, 'value out of range');
  return n;
}

/**
 * An int64 as a JavaScript number, saturated at ±Number.MAX_SAFE_INTEGER: past 2^53 a count of seconds, items or
 * revisions is "more than will ever happen", and saturating keeps every later comparison and timer exact.
 */
export function int64ToNumber(n: bigint): number {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (n > max) return Number.MAX_SAFE_INTEGER;
  if (n < -max) return -Number.MAX_SAFE_INTEGER;
  return Number(n);
}
