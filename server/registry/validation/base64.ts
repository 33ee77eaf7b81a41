/**
 * Base64 as the apiserver decodes `[]byte` fields from JSON (Go's encoding/json uses base64.StdEncoding): the
 * standard alphabet with `=` padding required, carriage returns and line feeds ignored anywhere, anything else an
 * error naming the offending byte (`illegal base64 data at input byte 3`). Values that decode are re-encoded
 * canonically, as a Go round trip through []byte does (`YR==` becomes `YQ==`, line breaks disappear).
 */

const PAD = 0x3d; // '='
const CR = 0x0d;
const LF = 0x0a;

/** 6-bit values of the standard alphabet; 0xff for bytes outside it. */
const DECODE = (() => {
  const map = new Uint8Array(256).fill(0xff);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
})();

export type GoBase64Result = { ok: true; bytes: Buffer } | { ok: false; error: string };

const corrupt = (at: number): GoBase64Result => ({ ok: false, error: `illegal base64 data at input byte ${at}` });

/** Decodes `text` (its UTF-8 bytes) the way Go's base64.StdEncoding.Decode does, with Go's error text. */
export function goBase64Decode(text: string): GoBase64Result {
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(Math.floor((src.length / 4) * 3) + 3);
  let n = 0;
  let si = 0;
  const quad = [0, 0, 0, 0];
  for (;;) {
    // one quantum of up to four symbols
    let dlen = 4;
    let j = 0;
    let trailing: number | undefined;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: out.subarray(0, n) };
        // Padding is required: a short final quantum is corrupt where it began.
        return corrupt(si - j);
      }
      const c = src[si]!;
      si++;
      const v = DECODE[c]!;
      if (v !== 0xff) {
        quad[j] = v;
        continue;
      }
      if (c === LF || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD) return corrupt(si - 1);
      // padding: only after two or three symbols
      if (j < 2) return corrupt(si - 1);
      if (j === 2) {
        // a second '=' must follow (line breaks may sit between)
        while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    if (trailing !== undefined) return corrupt(trailing);
    const val = (quad[0]! << 18) | (quad[1]! << 12) | (quad[2]! << 6) | quad[3]!;
    if (dlen === 4) {
      out[n++] = (val >> 16) & 0xff;
      out[n++] = (val >> 8) & 0xff;
      out[n++] = val & 0xff;
    } else {
      // two symbols give one byte, three give two; the unused low bits are not checked (non-strict decoding)
      out[n++] = (val >> 16) & 0xff;
      if (dlen === 3) out[n++] = (val >> 8) & 0xff;
      return { ok: true, bytes: out.subarray(0, n) };
    }
    quad[0] = quad[1] = quad[2] = quad[3] = 0;
  }
}

/** The number of bytes a canonical (padded, unbroken) base64 string stands for. */
export function base64DecodedLength(canonical: string): number {
  const len = canonical.length;
  if (len === 0) return 0;
  let pad = 0;
  if (canonical.charCodeAt(len - 1) === PAD) pad++;
  if (len > 1 && canonical.charCodeAt(len - 2) === PAD) pad++;
  return Math.floor(len / 4) * 3 - pad;
}
