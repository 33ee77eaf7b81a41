/**
 * Deep copies of JSON data without the text in between: what `JSON.parse(JSON.stringify(value))` gives back,
 * made directly when the value is plain data (the store's copy of each written object, the registry's mutable
 * copies of request and stored objects).
 */

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
