/**
 * resource.Quantity as the scheduler reads it, without the server's parser (the controller process never imports
 * server/): `500m`, `2`, `1.5Gi`, `16374584Ki`, `1e3`. Values are exact (bigint) and rounded up as Go's
 * `Quantity.Value()` and `MilliValue()` round: CPU is compared in millicores, everything else in units.
 */

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const FORMAT = /^([+-]?)(\d*)(?:\.(\d*))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** A quantity as an exact fraction: `num / den` (den > 0). */
interface Fraction {
  num: bigint;
  den: bigint;
}

function parse(q: string | number): Fraction | undefined {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) return undefined;
    q = String(q);
  }
  const m = FORMAT.exec(q.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  let num = BigInt(`${whole}${frac}` || '0') * sign;
  let den = 10n ** BigInt(frac.length);
  const suffix = m[4] ?? '';
  if (suffix in BINARY) {
    num *= BINARY[suffix]!;
  } else {
    const exp = suffix === '' || suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1));
    if (!Number.isInteger(exp) || Math.abs(exp) > 64) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  return { num, den };
}

/** ceil(f × scale) for a non-negative scale, as Go's ScaledValue rounds (away from zero for positive values). */
function ceilScaled(f: Fraction, scale: bigint): bigint {
  const n = f.num * scale;
  const q = n / f.den;
  return n % f.den !== 0n && n > 0n ? q + 1n : q;
}

/** `Quantity.Value()`: the quantity in units, rounded up; 0 for a value that does not parse. */
export function quantityValue(q: unknown): bigint {
  const f = typeof q === 'string' || typeof q === 'number' ? parse(q) : undefined;
  return f ? ceilScaled(f, 1n) : 0n;
}

/** `Quantity.MilliValue()`: the quantity in thousandths, rounded up; 0 for a value that does not parse. */
export function quantityMilliValue(q: unknown): bigint {
  const f = typeof q === 'string' || typeof q === 'number' ? parse(q) : undefined;
  return f ? ceilScaled(f, 1000n) : 0n;
}

/** Whether a string is a quantity this parser understands. */
export function isQuantity(q: string): boolean {
  return parse(q) !== undefined;
}
