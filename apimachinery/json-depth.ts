// How deep a JSON document nests, checked before it is parsed: Go's encoding/json scanner refuses documents
// nested deeper than 10,000 arrays and objects ("exceeded max depth"), and a bounded depth keeps every later
// recursive walk within the stack.

/** Go's encoding/json limit. */
export const MAX_JSON_DEPTH = 10000;

/** Whether JSON text nests deeper than `max` arrays and objects (brackets inside strings do not count); one scan. */
export function jsonTooDeep(bytes: Uint8Array, max = MAX_JSON_DEPTH): boolean {
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
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
