/**
 * JSON helpers that behave like the Go libraries kube-apiserver uses for field management and strict decoding:
 * a parser that remembers repeated object keys and the literal text of non-integral numbers (what
 * sigs.k8s.io/json needs to report `duplicate field` and `cannot unmarshal number 1.5`), Go's `encoding/json`
 * string escaping, and `strconv.Quote`.
 */

import { MAX_BODY_DEPTH } from '../../apimachinery/json-depth.js';

/** A parse that keeps what JSON.parse forgets. */
export interface StrictJson {
  value: unknown;
  /** Objects in which a key occurred more than once: every `[key, value]` in document order. */
  repeated: Pick<WeakMap<object, [string, unknown][]>, 'get'>;
  /** Literal text of numbers that are not plain integers (fractions, exponents, beyond 2^53), by container and key/index. */
  numberText: Pick<WeakMap<object, Map<string | number, string>>, 'get'>;
}

/** What a parse of text with no repeated key and no number to record records: nothing, one instance for all. */
const NOTHING_REPEATED: StrictJson['repeated'] = Object.freeze({ get: () => undefined });
const NO_NUMBER_TEXT: StrictJson['numberText'] = Object.freeze({ get: () => undefined });

/** Whether a parse found no key repeated anywhere (the common case, which records nothing). */
export function repeatsNoKey(parse: StrictJson): boolean {
  return parse.repeated === NOTHING_REPEATED;
}

/** Thrown by parseStrictJson on malformed input (callers fall back to their usual decoder for the message). */
export class JsonSyntaxError extends Error {}

/**
 * Parses JSON text like JSON.parse, additionally recording repeated keys (the last occurrence wins in `value`)
 * and the literal of every non-integral number. Throws JsonSyntaxError on malformed input.
 */
export function parseStrictJson(text: string): StrictJson {
  return plainJson(text) ?? parseStrictJsonSlowly(text);
}

/**
 * The common case, read natively: text whose objects repeat no key and whose numbers are all plain integers of
 * at most 15 digits, nested well within MAX_BODY_DEPTH, is what JSON.parse gives with nothing to record. One
 * scan outside string literals counts the members (a ':' each) and looks at the numbers; the parsed value's own
 * member count then tells whether a key was repeated. Undefined when the text is not (or may not be) that case.
 */
function plainJson(text: string): StrictJson | undefined {
  let members = 0;
  let depth = 0;
  let maxDepth = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digits > 15) return undefined;
      continue;
    }
    if (c === 0x2e || ((c === 0x65 || c === 0x45) && digits > 0)) return undefined; // '.', an exponent
    digits = 0;
    if (c === 0x22) {
      // a string literal: its closing quote is the next quote not escaped, found natively (most of a body's
      // characters are in its strings); unterminated, JSON.parse below fails
      let end = text.indexOf('"', i + 1);
      while (end > 0 && escapedAt(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return undefined;
      i = end;
    } else if (c === 0x3a) members++;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) maxDepth = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  if (maxDepth >= MAX_BODY_DEPTH - 1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // the slow parser says what is wrong
  }
  if (countMembers(value) !== members) return undefined;
  return { value, repeated: NOTHING_REPEATED, numberText: NO_NUMBER_TEXT };
}

/** Whether the character at `at` is escaped: an odd number of backslashes before it. */
function escapedAt(text: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && text.charCodeAt(k) === 0x5c) k--;
  return (at - 1 - k) % 2 === 1;
}

/** The members of every object in a parsed JSON value. */
function countMembers(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += countMembers(x);
    return n;
  }
  for (const k in v) n += 1 + countMembers((v as Record<string, unknown>)[k]);
  return n;
}

/** parseStrictJson's own parser, every repeated key and number literal recorded (exported for tests: the fast path must agree). */
export function parseStrictJsonSlowly(text: string): StrictJson {
  const repeated = new WeakMap<object, [string, unknown][]>();
  const numberText = new WeakMap<object, Map<string | number, string>>();
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(`invalid JSON at offset ${i}`);
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail();
      if (c === 0x22) break;
      if (c < 0x20) fail();
      if (c === 0x5c) {
        escaped = true;
        i++;
      }
      i++;
    }
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail();
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const num = (container: object, key: string | number): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail();
    i += m[0].length;
    const n = Number(m[0]);
    if (!/^-?\d+$/.test(m[0]) || !Number.isSafeInteger(n)) {
      let texts = numberText.get(container);
      if (!texts) numberText.set(container, (texts = new Map()));
      texts.set(key, m[0]);
    }
    return n;
  };
  const value = (container: object, key: string | number, depth: number): unknown => {
    if (depth > MAX_BODY_DEPTH) fail();
    ws();
    const c = text[i];
    if (c === '{') return obj(depth + 1);
    if (c === '[') return arr(depth + 1);
    if (c === '"') return str();
    if (c === 't' && text.startsWith('true', i)) return ((i += 4), true);
    if (c === 'f' && text.startsWith('false', i)) return ((i += 5), false);
    if (c === 'n' && text.startsWith('null', i)) return ((i += 4), null);
    return num(container, key);
  };
  const obj = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const entries: [string, unknown][] = [];
    let dup = false;
    i++;
    ws();
    if (text[i] === '}') return (i++, out);
    for (;;) {
      ws();
      if (text[i] !== '"') fail();
      const k = str();
      ws();
      if (text[i] !== ':') fail();
      i++;
      const v = value(out, k, depth);
      if (Object.hasOwn(out, k)) dup = true;
      entries.push([k, v]);
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') break;
      fail();
    }
    i++;
    if (dup) repeated.set(out, entries);
    return out;
  };
  const arr = (depth: number): unknown[] => {
    const out: unknown[] = [];
    i++;
    ws();
    if (text[i] === ']') return (i++, out);
    for (;;) {
      out.push(value(out, out.length, depth));
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') break;
      fail();
    }
    i++;
    return out;
  };
  const root = {};
  const v = value(root, 0, 0);
  ws();
  if (i !== text.length) fail();
  const rootText = numberText.get(root);
  if (rootText && v !== null && typeof v === 'object') numberText.set(v, rootText);
  return { value: v, repeated, numberText };
}

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const ESCAPED = /["\\<>&\u2028\u2029\u0000-\u001f]/;
const ESCAPED_ALL = new RegExp(ESCAPED.source, 'g');

/** A JSON string literal as Go's encoding/json writes it (HTML characters and U+2028/9 escaped). */
export function goJsonString(s: string): string {
  if (!ESCAPED.test(s)) return `"${s}"`;
  return `"${s.replace(ESCAPED_ALL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Go's encoding/json output for decoded JSON (map keys sorted, as Go marshals maps); compact. */
export function goJsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJsonMarshal).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort(compareBytes);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonMarshal(o[k])}`).join(',')}}`;
}

/** Byte-wise (UTF-8) order of two strings, as Go compares strings. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates UTF-16 code units order like UTF-8 bytes; past them, compare the encodings.
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return Buffer.compare(Buffer.from(a.slice(i), 'utf8'), Buffer.from(b.slice(i), 'utf8'));
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Go's strconv.Quote: a double-quoted Go string literal with escapes for non-printable characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (/[\p{C}\p{Z}]/u.test(ch) && ch !== ' ')
      out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}
