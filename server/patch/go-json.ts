/**
 * JSON decoding with Go's `encoding/json` error texts, which kube-apiserver puts verbatim into the 400
 * Status of an undecodable patch body (`invalid character 'x' looking for beginning of value`,
 * `unexpected end of JSON input`, `json: cannot unmarshal array into Go value of type map[string]interface {}`).
 */

import { jsonDepthError } from '../../apimachinery/json-depth.js';

/** A decoding failure; `message` is Go's error text. */
export class GoJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoJsonError';
  }
}

/** Parses `input` as JSON; on a syntax error throws GoJsonError with the message Go's scanner gives. */
export function parseGoJson(input: string | Uint8Array): unknown {
  // Nesting is bounded first, as Go's scanner bounds it: everything after walks the value recursively.
  const deep = jsonDepthError(input);
  if (deep !== undefined) throw new GoJsonError(deep);
  // (a view of the bytes, not a copy: Buffer.from of a Uint8Array would copy it)
  const text =
    typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
    throw new GoJsonError(goSyntaxError(bytes) ?? 'unexpected end of JSON input');
  }
}

/** The JSON kind Go names in UnmarshalTypeError (`object`, `array`, `string`, `number`, `bool`), `null` for null. */
export function jsonKind(v: unknown): 'object' | 'array' | 'string' | 'number' | 'bool' | 'null' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  return 'bool';
}

/** `json: cannot unmarshal <kind> into Go value of type <type>`. */
export function cannotUnmarshal(v: unknown, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(v)} into Go value of type ${goType}`;
}

/** `json: cannot unmarshal <kind> into Go struct field <Struct>.<field> of type <type>`. */
export function cannotUnmarshalField(v: unknown, struct: string, field: string, goType: string): string {
  return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${struct}.${field} of type ${goType}`;
}

/** Go's quoteChar: the offending byte as a quoted character (strconv.Quote of the byte as a rune). */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const named: Record<number, string> = {
    7: '\\a',
    8: '\\b',
    9: '\\t',
    10: '\\n',
    11: '\\v',
    12: '\\f',
    13: '\\r',
    0x5c: '\\\\',
  };
  if (named[c]) return `'${named[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, '0')}'`;
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u${c.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCharCode(c)}'`;
}

class Scan {
  i = 0;
  constructor(readonly b: Uint8Array) {}
  eof(): boolean {
    return this.i >= this.b.length;
  }
  ws(): void {
    while (
      !this.eof() &&
      (this.b[this.i] === 0x20 || this.b[this.i] === 0x09 || this.b[this.i] === 0x0a || this.b[this.i] === 0x0d)
    )
      this.i++;
  }
}

const END = 'unexpected end of JSON input';
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

/** Returns Go's syntax error for `b`, or undefined when `b` is valid JSON. */
export function goSyntaxError(b: Uint8Array): string | undefined {
  const s = new Scan(b);
  const bad = (ctx: string): string => `invalid character ${quoteChar(b[s.i])} ${ctx}`;
  // Each step returns an error text, or undefined to go on.
  const value = (): string | undefined => {
    s.ws();
    if (s.eof()) return END;
    const c = b[s.i];
    if (c === 0x7b) return object();
    if (c === 0x5b) return array();
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal('true');
    if (c === 0x66) return literal('false');
    if (c === 0x6e) return literal('null');
    return bad('looking for beginning of value');
  };
  const literal = (word: string): string | undefined => {
    s.i++;
    for (let k = 1; k < word.length; k++, s.i++) {
      if (s.eof()) return END;
      if (b[s.i] !== word.charCodeAt(k)) return bad(`in literal ${word} (expecting '${word[k]}')`);
    }
    return undefined;
  };
  const number = (): string | undefined => {
    if (b[s.i] === 0x2d) {
      s.i++;
      if (s.eof()) return END;
      if (!isDigit(b[s.i])) return bad('in numeric literal');
    }
    if (b[s.i] === 0x30) s.i++;
    else while (!s.eof() && isDigit(b[s.i])) s.i++;
    if (!s.eof() && b[s.i] === 0x2e) {
      s.i++;
      if (s.eof()) return END;
      if (!isDigit(b[s.i])) return bad('after decimal point in numeric literal');
      while (!s.eof() && isDigit(b[s.i])) s.i++;
    }
    if (!s.eof() && (b[s.i] === 0x65 || b[s.i] === 0x45)) {
      s.i++;
      if (!s.eof() && (b[s.i] === 0x2b || b[s.i] === 0x2d)) s.i++;
      if (s.eof()) return END;
      if (!isDigit(b[s.i])) return bad('in exponent of numeric literal');
      while (!s.eof() && isDigit(b[s.i])) s.i++;
    }
    return undefined;
  };
  const string = (): string | undefined => {
    s.i++;
    for (;;) {
      if (s.eof()) return END;
      const c = b[s.i];
      if (c === 0x22) {
        s.i++;
        return undefined;
      }
      if (c === 0x5c) {
        s.i++;
        if (s.eof()) return END;
        const e = b[s.i];
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            s.i++;
            if (s.eof()) return END;
            if (!isHex(b[s.i])) return bad('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(String.fromCharCode(e))) {
          return bad('in string escape code');
        }
      } else if (c < 0x20) {
        return bad('in string literal');
      }
      s.i++;
    }
  };
  const object = (): string | undefined => {
    s.i++;
    s.ws();
    if (s.eof()) return END;
    if (b[s.i] === 0x7d) {
      s.i++;
      return undefined;
    }
    for (;;) {
      if (s.eof()) return END;
      if (b[s.i] !== 0x22) return bad('looking for beginning of object key string');
      const e1 = string();
      if (e1) return e1;
      s.ws();
      if (s.eof()) return END;
      if (b[s.i] !== 0x3a) return bad('after object key');
      s.i++;
      const e2 = value();
      if (e2) return e2;
      s.ws();
      if (s.eof()) return END;
      if (b[s.i] === 0x7d) {
        s.i++;
        return undefined;
      }
      if (b[s.i] !== 0x2c) return bad('after object key:value pair');
      s.i++;
      s.ws();
    }
  };
  const array = (): string | undefined => {
    s.i++;
    s.ws();
    if (s.eof()) return END;
    if (b[s.i] === 0x5d) {
      s.i++;
      return undefined;
    }
    for (;;) {
      const e = value();
      if (e) return e;
      s.ws();
      if (s.eof()) return END;
      if (b[s.i] === 0x5d) {
        s.i++;
        return undefined;
      }
      if (b[s.i] !== 0x2c) return bad('after array element');
      s.i++;
    }
  };
  const err = value();
  if (err) return err;
  s.ws();
  if (!s.eof()) return bad('after top-level value');
  return undefined;
}
