/**
 * Deterministic serialization and hashing of pod templates. `goJSON` renders a JSON value as Go's
 * `json.Marshal` renders the same value decoded into `map[string]interface{}` (what upstream's getPatch does):
 * object keys sorted at every depth, no whitespace, `<`, `>`, `&`, U+2028 and U+2029 escaped. `computeHash`
 * follows upstream's ComputeHash: FNV-32a over the template (here its goJSON bytes; upstream hashes a Go dump,
 * so values differ from a real cluster, only determinism matters) and the collision count, rendered as the
 * decimal digits of the sum mapped onto the alphabet `bcdfghjklmnpqrstvwxz2456789` (rand.SafeEncodeString).
 */

/** The alphabet of rand.SafeEncodeString: no vowels, no confusable characters. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go's byte-wise ordering of map keys (code points; equal to UTF-16 order outside the astral planes). */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Serializes `value` as Go's json.Marshal of the equivalent `interface{}` value. `undefined` members are skipped. */
export function goJSON(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return goString(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => goJSON(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort(compareKeys);
      return `{${keys.map((k) => `${goString(k)}:${goJSON(obj[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, continuing from `hash` (the offset basis by default). */
export function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: every character of `s` replaced by SAFE_ALPHABET[charCode % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

const encoder = new TextEncoder();

/**
 * The hash of a pod template and collision count, as used in ControllerRevision names and the
 * `controller-revision-hash` label. A collision count (even 0) changes the hash; `undefined` adds nothing.
 */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(encoder.encode(goJSON(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8); // binary.LittleEndian.PutUint32 into an 8-byte slice
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
