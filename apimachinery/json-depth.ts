// How deep a JSON or YAML document nests, checked before it is parsed: Go's encoding/json scanner refuses documents
// nested deeper than 10,000 arrays and objects ("exceeded max depth"), and a bounded depth keeps every later
// recursive walk within the stack. Every request body goes through one of these checks before any parser sees it.

/** Go's encoding/json limit. */
export const MAX_JSON_DEPTH = 10000;

/**
 * The deepest nesting a request body may have, JSON or YAML (protobuf-embedded JSON included). Go's decoders allow
 * 10,000 levels, but JavaScript recursion does not go that far: the YAML parser exhausts the stack (a fatal V8
 * error, not an exception) a little past 2,000 levels, JSON.stringify a little under 10,000, and the patch
 * machinery recurses per level too. Bodies are therefore refused past 1,000 levels, with Go's message; no
 * Kubernetes object comes near it.
 */
export const MAX_BODY_DEPTH = 1000;

/** Whether JSON text nests deeper than `max` arrays and objects (brackets inside strings do not count); one scan. */
export function jsonTooDeep(bytes: Uint8Array, max = MAX_BODY_DEPTH): boolean {
  return jsonDepthError(bytes, max) !== undefined;
}

/** Go's syntax error for JSON nested deeper than `max` (`invalid character '{' exceeded max depth`), or undefined. */
export function jsonDepthError(input: Uint8Array | string, max = MAX_BODY_DEPTH): string | undefined {
  // The depth never exceeds the number of brackets, in strings or not: counted natively, a body with few of them
  // (all but hostile ones) is not scanned byte by byte (a pod's status patch: ~0.3 µs against ~2.7 µs).
  if (bracketsAtMost(input, max)) return undefined;
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return `invalid character '${String.fromCharCode(c)}' exceeded max depth`;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/** Whether `input` holds at most `max` opening brackets (`{` and `[`). */
function bracketsAtMost(input: Uint8Array | string, max: number): boolean {
  if (input.length <= max) return true;
  let n = 0;
  if (typeof input === 'string') {
    for (const c of ['{', '['])
      for (let i = input.indexOf(c); i >= 0; i = input.indexOf(c, i + 1)) if (++n > max) return false;
    return true;
  }
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength); // a view, not a copy
  for (const c of [0x7b, 0x5b])
    for (let i = bytes.indexOf(c); i >= 0; i = bytes.indexOf(c, i + 1)) if (++n > max) return false;
  return true;
}

/**
 * Whether YAML text may nest deeper than `max`: an over-estimate in one pass. A line's depth counts the block
 * levels open above it (one per indentation step), the compact indicators that open it (`- `, `? `, `key: `), and
 * the flow brackets open at that point (quoted scalars and comments skipped).
 */
export function yamlTooDeep(text: string, max = MAX_BODY_DEPTH): boolean {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // indentation of this line
    let col = 0;
    while (i < n && text.charCodeAt(i) === 0x20) {
      i++;
      col++;
    }
    const blank = i >= n || text[i] === '\n' || text[i] === '\r' || text[i] === '#';
    if (!blank && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= col) indents.pop();
      indents.push(col);
    }
    let line = indents.length;
    let quote = '';
    for (; i < n && text[i] !== '\n'; i++) {
      const c = text[i]!;
      if (quote) {
        if (c === quote) quote = '';
        else if (c === '\\' && quote === '"') i++;
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\t')) {
        while (i < n && text[i] !== '\n') i++;
        break;
      } else if (c === '[' || c === '{') flow++;
      else if (c === ']' || c === '}') flow = Math.max(0, flow - 1);
      else if ((c === '-' || c === '?' || c === ':') && (i + 1 >= n || text[i + 1] === ' ' || text[i + 1] === '\n'))
        line++;
      if (line + flow > max) return true;
    }
    if (line + flow > max) return true;
    i++; // the newline
  }
  return false;
}

/** Whether a decoded value nests deeper than `max` arrays and objects; iterative, so any value can be asked. */
export function valueTooDeep(value: unknown, max = MAX_BODY_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v))
      if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return false;
}
