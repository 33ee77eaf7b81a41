/**
 * resource.Quantity parsing (k8s.io/apimachinery/pkg/api/resource): the same scanner, suffixes, error texts,
 * rounding (up to nano units) and canonical printing ("1.5" → "1500m", "1.5Gi" → "1536Mi").
 * Values are kept exactly as a BigInt count of nano-units.
 */

/** The regular expression quoted in upstream's format error. */
export const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Upstream's ErrFormatWrong text. */
export const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_REGEX}'`;
/** Upstream's ErrSuffix text. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** How a quantity prints: the format of the suffix it was written with. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity. */
export interface Quantity {
  /** Approximate numeric value (for display/arithmetics where exactness does not matter). */
  value: number;
  /** Exact value in units of 10^-9. */
  nanos: bigint;
  format: QuantityFormat;
  /** Canonical string as the apiserver would serialize it. */
  canonical: string;
}

const DEC: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC).map(([k, v]) => [v, k]));
const BIN_BY_EXP = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const NANO = 1_000_000_000n;
const MAX_INT64 = 9223372036854775807n;

type Scanned = { positive: boolean; num: string; denom: string; suffix: string };
type Scan = Scanned | { error: string };
type Unit = { base: 10 | 2; exp: number; format: QuantityFormat };

function scan(str: string): Scan {
  let positive = true;
  let pos = 0;
  const end = str.length;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
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

function interpret(suffix: string): Unit | null {
  if (suffix in DEC) return { base: 10, exp: DEC[suffix]!, format: 'DecimalSI' };
  if (suffix in BIN) return { base: 2, exp: BIN[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exp: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return null;
}

const abs = (v: bigint) => (v < 0n ? -v : v);
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** Prints nano-units canonically in `format` (upstream's CanonicalizeBytes). */
export function formatQuantity(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  const sign = nanos < 0n ? '-' : '';
  const a = abs(nanos);
  if (format === 'BinarySI' && a >= 1024n * NANO && a % NANO === 0n) {
    let v = a / NANO;
    let k = 0;
    while (v >= 1024n && v % 1024n === 0n && k < 6) {
      v /= 1024n;
      k++;
    }
    return `${sign}${v}${BIN_BY_EXP[k]}`;
  }
  let m = a;
  let e = -9;
  while (m >= 10n && m % 10n === 0n) {
    m /= 10n;
    e++;
  }
  const r = ((e % 3) + 3) % 3;
  m *= 10n ** BigInt(r);
  e -= r;
  if (format === 'DecimalExponent') return `${sign}${m}${e === 0 ? '' : `e${e}`}`;
  const suf = DEC_BY_EXP.get(e);
  return `${sign}${m}${suf ?? `e${e}`}`;
}

function build(nanos: bigint, format: QuantityFormat): Quantity {
  return { value: Number(nanos) / 1e9, nanos, format, canonical: formatQuantity(nanos, format) };
}

/** A non-empty quantity string scanned, with the unit of its suffix; upstream's error when it does not parse. */
function read(s: string): { scanned: Scanned; unit: Unit } | { error: string } {
  const sc = scan(s);
  if ('error' in sc) return sc;
  const unit = interpret(sc.suffix);
  return unit ? { scanned: sc, unit } : { error: QUANTITY_SUFFIX_ERROR };
}

/** Upstream's parse error for a quantity string (or JSON number), or null when it parses. */
export function quantityError(input: string | number): string | null {
  const s = typeof input === 'number' ? String(input) : input;
  if (s.length === 0) return QUANTITY_FORMAT_ERROR;
  if (s === '0') return null;
  const r = read(s);
  return 'error' in r ? r.error : null;
}

/**
 * Parses a quantity (`"500m"`, `"1Gi"`, `"1e3"`, or a JSON number); null when upstream would reject it
 * (see `quantityError` for the message). Non-zero values are rounded up (away from zero) to nano units;
 * BinarySI values are capped at 2^63-1.
 */
export function parseQuantity(input: string | number): Quantity | null {
  const s = typeof input === 'number' ? String(input) : typeof input === 'string' ? input : '';
  if (s.length === 0) return null;
  if (s === '0') return build(0n, 'DecimalSI');
  const r = read(s);
  if ('error' in r) return null;
  const {
    scanned: sc,
    unit: { base, exp },
  } = r;
  let format = r.unit.format;
  let n = BigInt(sc.num + sc.denom);
  let d = 10n ** BigInt(sc.denom.length);
  if (base === 2) n *= 2n ** BigInt(exp);
  else if (exp >= 0) n *= 10n ** BigInt(exp);
  else d *= 10n ** BigInt(-exp);
  let nanos = ceilDiv(n * NANO, d);
  if (format === 'BinarySI' && nanos > MAX_INT64 * NANO) nanos = MAX_INT64 * NANO;
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
  return build(sc.positive ? nanos : -nanos, format);
}

/** Compares two quantities: -1, 0 or 1. */
export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Rounds up (away from zero) to milli units, as v1 defaulting does for resource lists. */
export function roundUpToMilli(q: Quantity): Quantity {
  const step = 1_000_000n;
  const a = ceilDiv(abs(q.nanos), step) * step;
  return build(q.nanos < 0n ? -a : a, q.format);
}

/** Sum of quantities, keeping the first one's format. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return build(a.nanos + b.nanos, a.format);
}

/** Upstream's MilliValue() (rounded up). */
export function milliValue(q: Quantity): bigint {
  const a = ceilDiv(abs(q.nanos), 1_000_000n);
  return q.nanos < 0n ? -a : a;
}
