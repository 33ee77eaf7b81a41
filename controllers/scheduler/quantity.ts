/**
 * resource.Quantity as the scheduler reads it, through the parser both processes share (apimachinery/quantity.ts):
 * `500m`, `2`, `1.5Gi`, `16374584Ki`, `1e3`. Rounded up as Go's `Quantity.Value()` and `MilliValue()` round, and
 * saturated at the int64 range: CPU is compared in millicores, everything else in units.
 */
import { milliValue, parseQuantity, quantityUnits } from '../../apimachinery/quantity.js';

/** `Quantity.Value()`: the quantity in units, rounded up; 0 for a value that does not parse. */
export function quantityValue(q: unknown): bigint {
  const p = parseQuantity(q);
  return p ? quantityUnits(p) : 0n;
}

/** `Quantity.MilliValue()`: the quantity in thousandths, rounded up; 0 for a value that does not parse. */
export function quantityMilliValue(q: unknown): bigint {
  const p = parseQuantity(q);
  return p ? milliValue(p) : 0n;
}

/** Whether a string is a quantity this parser understands. */
export function isQuantity(q: string): boolean {
  return parseQuantity(q) !== null;
}
