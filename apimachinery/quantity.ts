/**
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource), for both processes: upstream's scanner, suffixes, error
 * texts, rounding (up to nano units) and canonical printing ("1.5" → "1500m", "1.5Gi" → "1536Mi").
 *
 * Bounded by design: a value is kept as a decimal mantissa and a power of ten (value = mantissa × 10^exponent),
 * never expanded, so `1e999999` costs what `1e3` costs. Upstream keeps the same pair (inf.Dec) but expands it when
 * it rounds or prints, which takes seconds to minutes for such exponents. The bounds that make every operation
 * cheap: at most MAX_QUANTITY_DIGITS significant digits (more is upstream's ErrNumeric), an exponent within int32
 * (beyond is upstream's ErrSuffix; upstream silently wraps it), and integer conversions (Value, MilliValue)
 * saturated at the int64 range.
 */
import { INT64_MAX, INT64_MIN } from './strconv.js';
import { boundedMemo } from './bounded-memo.js';

/** The regular expression quoted in upstream's format error. */
export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Upstream's ErrFormatWrong text. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
/** Upstream's ErrNumeric text. */
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
/** Upstream's ErrSuffix text. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** The most significant digits a quantity may have (leading and trailing zeros do not count). */
export const MAX_QUANTITY_DIGITS = 1000;
/** Sums whose terms are further apart than this many decimal places keep the larger term only. */
const MAX_ALIGN_DIGITS = 2 * MAX_QUANTITY_DIGITS;
const INT32_MAX = 2 ** 31 - 1;

/** How a quantity prints: the format of the suffix it was written with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: exactly sign × mantissa × 10^exponent. */
export interface Quantity {
  /** Approximate numeric value (display, heuristics); may be ±Infinity for huge exponents. */
  value: number;
  sign: -1 | 0 | 1;
  /** Digits without trailing zeros (0n for zero). */
  mantissa: bigint;
  /** Power of ten, at least -9 (values are rounded up to nano units). */
  exponent: number;
  format: QuantityFormat;
  /** Canonical string as the apiserver would serialize it. */
  canonical: string;
}

const DEC: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC).map(([k, v]) => [v, k]));
const BIN_BY_EXP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NANO = 1_000_000_000n;

type Scanned = { positive: boolean; num: string; denom: string; suffix: string };
type Unit = { base: 10 | 2; exp: number; format: QuantityFormat };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Upstream's parseQuantityString: sign, numerator (leading zeros stripped), denominator, suffix. */
function scan(str: string): Scanned | { error: string } {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') pos++;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (pos < end && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  while (pos < end && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return { error: QUANTITY_FORMAT_ERROR };
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

/** The suffix's base and exponent; null for an unknown suffix (ErrSuffix). Exponents beyond int32 are refused. */
function interpret(suffix: string): Unit | null {
  if (suffix in DEC) return { base: 10, exp: DEC[suffix]!, format: 'DecimalSI' };
  if (suffix in BIN) return { base: 2, exp: BIN[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const digits = suffix.slice(1);
    if (!/^[+-]?\d+$/.test(digits)) return null;
    const unsigned = digits.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
    if (unsigned.length > 10) return null;
    const exp = Number(digits);
    if (Math.abs(exp) > INT32_MAX) return null;
    return { base: 10, exp, format: 'DecimalExponent' };
  }
  return null;
}

const digitCount = (m: bigint) => (m === 0n ? 0 : m.toString().length);
const pow10 = (k: number) => 10n ** BigInt(k);

/** mantissa × 10^exponent without trailing zeros in the mantissa (from a digit string: one scan). */
function fromDigits(digits: string, exponent: number): { mantissa: bigint; exponent: number } {
  let end = digits.length;
  while (end > 0 && digits[end - 1] === '0') end--;
  let start = 0;
  while (start < end && digits[start] === '0') start++;
  if (start >= end) return { mantissa: 0n, exponent: 0 };
  return { mantissa: BigInt(digits.slice(start, end)), exponent: exponent + (digits.length - end) };
}

/** Strips trailing zeros of a mantissa (bounded by its digit count). */
function normalize(mantissa: bigint, exponent: number): { mantissa: bigint; exponent: number } {
  if (mantissa === 0n) return { mantissa: 0n, exponent: 0 };
  return fromDigits(mantissa.toString(), exponent);
}

/** ceil(m / 10^k) for m ≥ 0, in time bounded by m's digits (a divisor longer than m rounds up to 1). */
function ceilShift(m: bigint, k: number): bigint {
  if (m === 0n || k <= 0) return m * pow10(Math.max(0, -k));
  if (k > digitCount(m)) return 1n;
  const d = pow10(k);
  return (m + d - 1n) / d;
}

/** Rounds a non-negative mantissa/exponent up to `scale` (a power of ten: -9 for nano, -3 for milli). */
function roundUpTo(mantissa: bigint, exponent: number, scale: number): { mantissa: bigint; exponent: number } {
  if (exponent >= scale) return { mantissa, exponent };
  return normalize(ceilShift(mantissa, scale - exponent), scale);
}

/** Prints a quantity canonically in `format` (upstream's CanonicalizeBytes). */
function canonicalOf(sign: number, mantissa: bigint, exponent: number, format: QuantityFormat): string {
  if (sign === 0) return '0';
  const s = sign < 0 ? '-' : '';
  if (format === 'BinarySI' && exponent >= 0 && digitCount(mantissa) + exponent <= 19) {
    let v = mantissa * pow10(exponent);
    if (v >= 1024n) {
      let k = 0;
      while (v >= 1024n && v % 1024n === 0n && k < 6) {
        v /= 1024n;
        k++;
      }
      return `${s}${v}${BIN_BY_EXP[k]}`;
    }
  }
  const r = ((exponent % 3) + 3) % 3;
  const m = mantissa * pow10(r);
  const e = exponent - r;
  if (format === 'DecimalExponent') return `${s}${m}${e === 0 ? '' : `e${e}`}`;
  const suf = DEC_BY_EXP.get(e);
  return `${s}${m}${suf ?? `e${e}`}`;
}

function build(sign: number, mantissa: bigint, exponent: number, format: QuantityFormat): Quantity {
  const sg = (mantissa === 0n ? 0 : sign < 0 ? -1 : 1) as -1 | 0 | 1;
  const value = sg === 0 ? 0 : sg * Number(`${mantissa}e${exponent}`);
  return {
    value,
    sign: sg,
    mantissa: sg === 0 ? 0n : mantissa,
    exponent: sg === 0 ? 0 : exponent,
    format,
    canonical: canonicalOf(sg, mantissa, exponent, format),
  };
}

/** Upstream's parse error for a quantity string (or JSON number), or null when it parses. */
export function quantityError(input: string | number): string | null {
  const r = parse(input);
  return 'error' in r ? r.error : null;
}

/**
 * Parses a quantity (`"500m"`, `"1Gi"`, `"1e3"`, or a JSON number); null when upstream would reject it (see
 * `quantityError` for the message). Non-zero values are rounded up (away from zero) to nano units; BinarySI values
 * are capped at 2^63-1.
 */
export function parseQuantity(input: unknown): Quantity | null {
  if (typeof input !== 'string' && typeof input !== 'number') return null;
  const r = parse(input);
  return 'error' in r ? null : r;
}

/**
 * Results of recent string parses, frozen and shared: the same few quantities ("100m", "64Mi") are parsed several
 * times per object written (validation, defaulting, field validation). Short strings only.
 */
const recentParse = boundedMemo(
  (s): Quantity | { error: string } => Object.freeze(parseUncached(s)),
  1024,
  (_, s) => s.length <= 32,
);

function parse(input: string | number): Quantity | { error: string } {
  return typeof input === 'string' ? recentParse(input) : parseUncached(input);
}

function parseUncached(input: string | number): Quantity | { error: string } {
  if (typeof input === 'number' && !Number.isFinite(input)) return { error: QUANTITY_FORMAT_ERROR };
  const s = typeof input === 'number' ? String(input) : input;
  if (s.length === 0) return { error: QUANTITY_FORMAT_ERROR };
  if (s === '0') return build(0, 0n, 0, 'DecimalSI');
  const sc = scan(s);
  if ('error' in sc) return sc;
  const unit = interpret(sc.suffix);
  if (!unit) return { error: QUANTITY_SUFFIX_ERROR };
  const digits = sc.num + sc.denom;
  const parsed = fromDigits(digits, -sc.denom.length);
  if (digitCount(parsed.mantissa) > MAX_QUANTITY_DIGITS) return { error: QUANTITY_NUMERIC_ERROR };
  const sign = sc.positive ? 1 : -1;
  let format = unit.format;
  if (unit.base === 2) {
    // value = m × 10^e × 2^exp, rounded up to nanos and capped at 2^63-1 (in units)
    const cap = INT64_MAX * NANO;
    let nanos: bigint;
    if (digitCount(parsed.mantissa) + parsed.exponent > 20) nanos = cap;
    else {
      const scaled = parsed.mantissa * 2n ** BigInt(unit.exp) * NANO;
      nanos = parsed.exponent >= 0 ? scaled * pow10(parsed.exponent) : ceilShift(scaled, -parsed.exponent);
      if (nanos > cap) nanos = cap;
    }
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
    const n = normalize(nanos, -9);
    return build(sign, n.mantissa, n.exponent, format);
  }
  const exponent = parsed.exponent + unit.exp;
  if (Math.abs(exponent) > 2 * INT32_MAX) return { error: QUANTITY_SUFFIX_ERROR };
  const rounded = roundUpTo(parsed.mantissa, exponent, -9);
  return build(sign, rounded.mantissa, rounded.exponent, format);
}

/** Compares two quantities: -1, 0 or 1 (in time bounded by their digits). */
export function compareQuantity(a: Quantity, b: Quantity): number {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const magA = digitCount(a.mantissa) + a.exponent;
  const magB = digitCount(b.mantissa) + b.exponent;
  let c: number;
  if (magA !== magB) c = magA < magB ? -1 : 1;
  else {
    // same magnitude: the exponents differ by at most the digit counts
    const e = Math.min(a.exponent, b.exponent);
    const ma = a.mantissa * pow10(a.exponent - e);
    const mb = b.mantissa * pow10(b.exponent - e);
    c = ma === mb ? 0 : ma < mb ? -1 : 1;
  }
  return a.sign < 0 ? -c : c;
}

/** Rounds up (away from zero) to milli units, as v1 defaulting does for resource lists. */
export function roundUpToMilli(q: Quantity): Quantity {
  const r = roundUpTo(q.mantissa, q.exponent, -3);
  return build(q.sign, r.mantissa, r.exponent, q.format);
}

/** `v` rounded up to milli units in canonical form (undefined when it is not a quantity). */
function milliCanonical(v: unknown): string | undefined {
  const q = parseQuantity(v);
  return q ? roundUpToMilli(q).canonical : undefined;
}

/** The same few quantities ("100m", "64Mi") are rounded for every pod and node written. Short strings only. */
const recentMilli = boundedMemo(milliCanonical, 1024, (_, s) => s.length <= 32);

/**
 * Rounds every quantity of a resource list up to milli units, in canonical form, as v1 defaulting does for a
 * container's requests and limits and a node's capacity and allocatable; what is not a quantity stays. Mutates `list`.
 */
export function roundListToMilli(list: Record<string, unknown>): void {
  for (const k of Object.keys(list)) {
    const v = list[k];
    const c = typeof v === 'string' ? recentMilli(v) : milliCanonical(v);
    if (c !== undefined) list[k] = c;
  }
}

/** Sum of quantities, keeping the first one's format. Terms more than 2,000 places apart keep the larger one. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  if (b.sign === 0) return a;
  if (a.sign === 0) return build(b.sign, b.mantissa, b.exponent, a.format);
  const e = Math.min(a.exponent, b.exponent);
  if (Math.max(a.exponent, b.exponent) - e > MAX_ALIGN_DIGITS) {
    const big = compareQuantity({ ...a, sign: 1 }, { ...b, sign: 1 }) >= 0 ? a : b;
    return build(big.sign, big.mantissa, big.exponent, a.format);
  }
  const sum = BigInt(a.sign) * a.mantissa * pow10(a.exponent - e) + BigInt(b.sign) * b.mantissa * pow10(b.exponent - e);
  const n = normalize(sum < 0n ? -sum : sum, e);
  return build(sum < 0n ? -1 : 1, n.mantissa, n.exponent, a.format);
}

/** The quantity scaled by 10^scale and rounded up (away from zero), saturated at the int64 range. */
function scaledValue(q: Quantity, scale: number): bigint {
  if (q.sign === 0) return 0n;
  const e = q.exponent + scale;
  let v: bigint;
  if (e >= 0) {
    if (digitCount(q.mantissa) + e > 19) return q.sign < 0 ? INT64_MIN : INT64_MAX;
    v = q.mantissa * pow10(e);
  } else v = ceilShift(q.mantissa, -e);
  if (v > INT64_MAX) v = INT64_MAX;
  return q.sign < 0 ? -v : v;
}

/** Upstream's Value(): units, rounded up, saturated at the int64 range. */
export function quantityUnits(q: Quantity): bigint {
  return scaledValue(q, 0);
}

/** Upstream's MilliValue(): thousandths, rounded up, saturated at the int64 range. */
export function milliValue(q: Quantity): bigint {
  return scaledValue(q, 3);
}

/** Whether the quantity is a whole number of units. */
export function isWholeQuantity(q: Quantity): boolean {
  return q.exponent >= 0;
}

/** Whether `q` is an exact multiple of `unit` (a positive quantity); false when either is beyond 10^40. */
export function isMultipleOf(q: Quantity, unit: Quantity): boolean {
  if (unit.sign <= 0) return false;
  if (q.sign === 0) return true;
  if (digitCount(q.mantissa) + q.exponent > 40 || digitCount(unit.mantissa) + unit.exponent > 40) return false;
  const e = Math.min(q.exponent, unit.exponent);
  return (q.mantissa * pow10(q.exponent - e)) % (unit.mantissa * pow10(unit.exponent - e)) === 0n;
}
