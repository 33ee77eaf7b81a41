/**
 * `fieldValidation` for create, update and patch, as kube-apiserver decodes request bodies into its typed
 * objects (sigs.k8s.io/json strict decoding): unknown fields and duplicated keys are `Strict` → 400 with
 * `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "spec.foo"`,
 * `Warn` (the default) → dropped and reported in `Warning: 299 - "..."` headers, `Ignore` → dropped silently.
 * Values of the wrong JSON type are a 400 whatever the directive, with Go's `json: cannot unmarshal ...` text.
 * Patches are checked on the patched object (422 `patch: Invalid value`), plus duplicated keys in the patch.
 */
import type { FastifyReply } from 'fastify';
import type { KubeObject } from '../../apimachinery/objects.js';
import {
  goJsonMarshal,
  goQuote,
  JsonSyntaxError,
  parseStrictJson,
  repeatsNoKey,
  type StrictJson,
} from '../fieldmanager/json.js';
import { type ScalarType, typeFor, UNTYPED, type StructType, type TypeNode } from '../fieldmanager/typed.js';
import { parseYaml, strictWarnings, yamlStrictError } from '../fieldmanager/yaml.js';
import { goV } from '../patch/go-fmt.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors, StatusError } from '../registry/status.js';
import { goBase64Decode } from '../registry/validation/base64.js';
import { quantityError } from '../registry/validation/quantity.js';
import { decodeObjectBody, mediaType, type DecodeTarget } from './negotiation.js';
import { boundedMemo } from '../../apimachinery/bounded-memo.js';

/** The `fieldValidation` directive of a write. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** A decoded request body with the unknown fields removed, and the warnings to send. */
export interface TypedBody {
  object: KubeObject;
  warnings: string[];
}

/** What walking a value against its type found. */
export interface TypedCheck {
  /** The value without unknown fields (duplicates resolved as Go decodes them). */
  value: unknown;
  /** `unknown field "..."` / `duplicate field "..."`, in document order (at most 100). */
  strict: string[];
  /** The decoding error Go would stop with (type mismatch, bad quantity, bad time), if any. */
  error?: string;
}

const MAX_STRICT_ERRORS = 100;
const RFC3339 = '2006-01-02T15:04:05Z07:00';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

interface WalkCtx {
  strict: boolean;
  parse?: StrictJson;
  strictErrs: string[];
  seen: Set<string>;
  saved?: string;
  fatal?: string;
  /**
   * The steps from the root to the value being walked: a struct field or map key (a string), or a list index.
   * Errors name their place from them; a walk without errors makes no path text (a body has a few hundred fields).
   */
  keys: (string | number)[];
  /** For each step, the Go struct whose field it is, or undefined (a map key, a list index). */
  structs: (string | undefined)[];
}

function enter(ctx: WalkCtx, key: string | number, struct: string | undefined): void {
  ctx.keys.push(key);
  ctx.structs.push(struct);
}

function leave(ctx: WalkCtx): void {
  ctx.keys.pop();
  ctx.structs.pop();
}

/** The path of the value being walked: `spec.containers[0].ports`. */
function pathOf(ctx: WalkCtx): string {
  let path = '';
  for (const k of ctx.keys) path = typeof k === 'number' ? `${path}[${k}]` : join(path, k);
  return path;
}

/** Go's error context: the innermost struct where a field was found, and the field names from the root. */
interface GoCtx {
  struct: string;
  fields: string;
}

function goOf(ctx: WalkCtx): GoCtx {
  let struct = '';
  let fields = '';
  for (let i = 0; i < ctx.keys.length; i++) {
    const owner = ctx.structs[i];
    if (owner === undefined) continue;
    const k = ctx.keys[i] as string;
    struct = owner;
    fields = fields ? `${fields}.${k}` : k;
  }
  return { struct, fields };
}

/**
 * Checks `value` against `type` the way the apiserver's strict JSON decoder does, returning the value without
 * unknown fields. `parse` (from parseStrictJson) supplies repeated keys and number literals; `strict` enables
 * the unknown/duplicate field reports.
 */
export function checkTyped(value: unknown, type: TypeNode, opts: { strict: boolean; parse?: StrictJson }): TypedCheck {
  const ctx: WalkCtx = {
    strict: opts.strict,
    parse: opts.parse,
    strictErrs: [],
    seen: new Set(),
    keys: [],
    structs: [],
  };
  const out = walk(value, type, ctx, undefined, undefined);
  return { value: out, strict: ctx.strictErrs, error: ctx.fatal ?? ctx.saved };
}

/** An unknown or duplicated member `key` of the value being walked. */
function strictError(ctx: WalkCtx, kind: 'unknown field' | 'duplicate field', key: string): void {
  if (!ctx.strict || ctx.strictErrs.length >= MAX_STRICT_ERRORS) return;
  const msg = `${kind} ${goQuote(join(pathOf(ctx), key))}`;
  if (ctx.seen.has(msg)) return;
  ctx.seen.add(msg);
  ctx.strictErrs.push(msg);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v !== null && typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** A value of the wrong JSON kind for `t`: the first such error is kept (Go's decoder goes on); its value is dropped. */
function mismatchAt(ctx: WalkCtx, t: TypeNode, v: unknown, desc = jsonKind(v)): undefined {
  ctx.saved ??= unmarshalError(desc, t.goType, goOf(ctx));
  return undefined;
}

function unmarshalError(desc: string, goType: string, go: GoCtx): string {
  return go.struct || go.fields
    ? `json: cannot unmarshal ${desc} into Go struct field ${go.struct}.${go.fields} of type ${goType}`
    : `json: cannot unmarshal ${desc} into Go value of type ${goType}`;
}

function literal(ctx: WalkCtx, container: object | undefined, key: string | number | undefined, n: number): string {
  return (container && key !== undefined && ctx.parse?.numberText.get(container)?.get(key)) || String(n);
}

/** Walks `v` as `t`; the steps to it are on `ctx` (see WalkCtx.keys). */
function walk(
  v: unknown,
  t: TypeNode,
  ctx: WalkCtx,
  container: object | undefined,
  key: string | number | undefined,
): unknown {
  if (ctx.fatal !== undefined || v === null || v === undefined) return v;
  switch (t.kind) {
    case 'untyped':
      return v;
    case 'scalar':
      return scalar(v, t, ctx, container, key);
    case 'list': {
      if (!Array.isArray(v))
        return t.elem.kind === 'scalar' && t.elem.scalar === 'bytes' && typeof v === 'string'
          ? v
          : mismatchAt(ctx, t, v);
      // (the result is a new array only from the first item that changes: until then `v` itself)
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        enter(ctx, i, undefined);
        const item = walk(v[i], t.elem, ctx, v, i);
        leave(ctx);
        if (out !== undefined) out.push(item);
        else if (item !== v[i]) (out = v.slice(0, i)).push(item);
      }
      return out ?? v;
    }
    case 'map': {
      if (!isObj(v)) return mismatchAt(ctx, t, v);
      const repeated = ctx.parse?.repeated.get(v);
      if (repeated === undefined) return plainMap(v, t.elem, ctx);
      const out: Obj = {};
      const entries = repeated ?? Object.entries(v);
      const seen = new Set<string>();
      let same = repeated === undefined;
      for (const [k, x] of entries) {
        if (seen.has(k)) strictError(ctx, 'duplicate field', k);
        seen.add(k);
        enter(ctx, k, undefined);
        const elem = walk(x, t.elem, ctx, v, k);
        leave(ctx);
        if (elem !== x) same = false;
        // a map key is data: `__proto__` (a valid ConfigMap/Secret key) stays an own property
        if (k === '__proto__')
          Object.defineProperty(out, k, { value: elem, enumerable: true, writable: true, configurable: true });
        else out[k] = elem;
      }
      return same ? v : out;
    }
    case 'struct':
      if (!isObj(v)) return mismatchAt(ctx, t, v);
      return struct(v, t, ctx);
  }
}

/** Sets `out[k]`, a member named `__proto__` (a map key is data) as an own property. */
function setMember(out: Obj, k: string, x: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  else out[k] = x;
}

/** The first `n` members of `v` (all kept as they are), for a result that differs from `n` on. */
function membersBefore(v: Obj, keys: string[], n: number): Obj {
  const out: Obj = {};
  for (let i = 0; i < n; i++) setMember(out, keys[i]!, v[keys[i]!]);
  return out;
}

/**
 * A map without repeated keys (what most bodies are): walked as the general case below walks it, the result
 * built only from the first member that changes (until then `v` itself is the result).
 */
function plainMap(v: Obj, elemType: TypeNode, ctx: WalkCtx): Obj {
  const keys = Object.keys(v);
  let out: Obj | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = v[k];
    enter(ctx, k, undefined);
    const elem = walk(x, elemType, ctx, v, k);
    leave(ctx);
    if (out !== undefined) setMember(out, k, elem);
    else if (elem !== x) setMember((out = membersBefore(v, keys, i)), k, elem);
  }
  return out ?? v;
}

/** A struct without repeated keys: as {@link struct}, the result built only from the first member dropped or changed. */
function plainStruct(v: Obj, t: StructType, ctx: WalkCtx): Obj {
  const keys = Object.keys(v);
  let out: Obj | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = v[k];
    const ft = t.field(k);
    if (!ft) {
      strictError(ctx, 'unknown field', k);
      out ??= membersBefore(v, keys, i);
      continue;
    }
    enter(ctx, k, t.goName);
    const child = walk(x, ft, ctx, v, k);
    leave(ctx);
    if (out !== undefined) out[k] = child;
    else if (child !== x) (out = membersBefore(v, keys, i))[k] = child;
  }
  return out ?? v;
}

function struct(v: Obj, t: StructType, ctx: WalkCtx): Obj {
  const repeated = ctx.parse?.repeated.get(v);
  if (repeated === undefined) return plainStruct(v, t, ctx);
  const out: Obj = {};
  const entries = repeated ?? Object.entries(v);
  const seen = new Set<string>();
  // Nothing dropped, repeated or changed below: `v` itself is the result (its decoding made it this request's own).
  let same = repeated === undefined;
  for (const [k, x] of entries) {
    const ft = t.field(k);
    if (!ft) {
      strictError(ctx, 'unknown field', k);
      same = false;
      continue;
    }
    const again = seen.has(k);
    if (again) strictError(ctx, 'duplicate field', k);
    seen.add(k);
    enter(ctx, k, t.goName);
    const child = walk(x, ft, ctx, v, k);
    leave(ctx);
    out[k] = again ? decodeAgain(ft, out[k], child) : child;
    if (child !== x) same = false;
  }
  return same ? v : out;
}

/** A repeated key decodes into the value decoded before: structs merge field by field, maps key by key. */
function decodeAgain(t: TypeNode, before: unknown, after: unknown): unknown {
  if (!isObj(before) || !isObj(after)) return after;
  if (t.kind === 'map') return { ...before, ...after };
  if (t.kind !== 'struct') return after;
  const out: Obj = { ...before };
  for (const [k, x] of Object.entries(after))
    out[k] = Object.hasOwn(before, k) ? decodeAgain(t.field(k) ?? UNTYPED, before[k], x) : x;
  return out;
}

function scalar(
  v: unknown,
  t: ScalarType,
  ctx: WalkCtx,
  container: object | undefined,
  key: string | number | undefined,
): unknown {
  switch (t.scalar) {
    case 'string':
      return typeof v === 'string' ? v : mismatchAt(ctx, t, v);
    case 'bytes': {
      // []byte: base64 as Go decodes it; the value continues in canonical form (as a decode and encode gives)
      if (typeof v !== 'string') return mismatchAt(ctx, t, v);
      const decoded = goBase64Decode(v);
      if (!decoded.ok) {
        ctx.saved ??= decoded.error;
        return v;
      }
      return decoded.bytes.toString('base64');
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : mismatchAt(ctx, t, v);
    case 'float':
      return typeof v === 'number' ? v : mismatchAt(ctx, t, v);
    case 'int32':
    case 'int64': {
      if (typeof v !== 'number') return mismatchAt(ctx, t, v);
      const text = literal(ctx, container, key, v);
      return fitsInt(text, t.scalar === 'int32' ? 32 : 64) ? v : mismatchAt(ctx, t, v, `number ${text}`);
    }
    case 'int-or-string': {
      if (typeof v === 'string') return v;
      const text = typeof v === 'number' ? literal(ctx, container, key, v) : '';
      if (typeof v === 'number' && fitsInt(text, 32)) return v;
      ctx.fatal = unmarshalError(typeof v === 'number' ? `number ${text}` : jsonKind(v), 'int32', goOf(ctx));
      return v;
    }
    case 'quantity': {
      const text =
        typeof v === 'string' ? v.trim() : typeof v === 'number' ? literal(ctx, container, key, v) : goJsonMarshal(v);
      const err = quantityError(text);
      if (err !== null) ctx.fatal = err;
      return v;
    }
    case 'time':
    case 'micro-time': {
      if (typeof v !== 'string') {
        ctx.fatal = unmarshalError(jsonKind(v), 'string', goOf(ctx));
        return v;
      }
      const err = timeParseError(v);
      if (err) ctx.fatal = err;
      return v;
    }
    default:
      return v;
  }
}

const INT_MAX = { 32: 2n ** 31n - 1n, 64: 2n ** 63n - 1n };

function fitsInt(text: string, bits: 32 | 64): boolean {
  // up to nine digits (and a sign) fit either size: most integers are settled without a BigInt
  if (text.length <= 10 && /^-?\d{1,9}$/.test(text)) return true;
  if (!/^-?\d+$/.test(text)) return false;
  const n = BigInt(text);
  return n <= INT_MAX[bits] && n >= -INT_MAX[bits] - 1n;
}

/**
 * Go's time.Parse(time.RFC3339, s) error, or undefined when `s` parses. (MicroTime values are held to the same
 * layout here, fractional seconds of any length accepted.)
 */
export const timeParseError: (s: string) => string | undefined = boundedMemo(
  parseTime,
  1024,
  // short times that parsed: a burst of writes carries few (conditions written in the same second)
  (err, s) => err === undefined && s.length <= 64,
);

function parseTime(s: string): string | undefined {
  const fail = (rest: string, elem: string) =>
    `parsing time ${goQuote(s)} as ${goQuote(RFC3339)}: cannot parse ${goQuote(rest)} as ${goQuote(elem)}`;
  const range = (what: string) => `parsing time ${goQuote(s)}: ${what} out of range`;
  let i = 0;
  const digits = (n: number, elem: string): number | string => {
    let value = 0;
    for (let j = i; j < i + n; j++) {
      const c = s.charCodeAt(j); // NaN past the end
      if (!(c >= 0x30 && c <= 0x39)) return fail(s.slice(i), elem);
      value = value * 10 + (c - 0x30);
    }
    i += n;
    return value;
  };
  const lit = (c: string): string | undefined => {
    if (s[i] !== c) return fail(s.slice(i), c);
    i++;
    return undefined;
  };
  const steps: [string, number | undefined][] = [
    ['2006', 4],
    ['-', undefined],
    ['01', 2],
    ['-', undefined],
    ['02', 2],
    ['T', undefined],
    ['15', 2],
    [':', undefined],
    ['04', 2],
    [':', undefined],
    ['05', 2],
  ];
  const values: number[] = [];
  for (const [elem, n] of steps) {
    if (n === undefined) {
      const e = lit(elem);
      if (e) return e;
      continue;
    }
    const r = digits(n, elem);
    if (typeof r === 'string') return r;
    values.push(r);
  }
  const [year, month, day, hour, minute, second] = values as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return range('month');
  if (hour > 23) return range('hour');
  if (minute > 59) return range('minute');
  if (second > 59) return range('second');
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return range('day');
  if ((s[i] === '.' || s[i] === ',') && /\d/.test(s[i + 1] ?? '')) {
    i++;
    while (/\d/.test(s[i] ?? '')) i++;
  }
  const zone = /^(Z|[+-]\d\d:\d\d)/.exec(s.slice(i));
  if (!zone) return fail(s.slice(i), 'Z07:00');
  i += zone[0].length;
  if (i < s.length) return `parsing time ${goQuote(s)}: extra text: ${goQuote(s.slice(i))}`;
  return undefined;
}

function gvkOf(handle: ResourceHandle, body: Obj): { kind: string; version: string } {
  const kind = typeof body.kind === 'string' && body.kind ? body.kind : handle.def.kind;
  const apiVersion =
    typeof body.apiVersion === 'string' && body.apiVersion ? body.apiVersion : handle.view.groupVersion;
  return { kind, version: apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion };
}

/**
 * Decodes a create/update body (JSON or YAML) and applies `fieldValidation`: returns the object without
 * unknown fields and the warnings to send, or throws the 400 the apiserver answers with.
 */
export function decodeTypedBody(
  handle: ResourceHandle,
  contentType: string | undefined,
  body: unknown,
  directive: FieldValidation,
  target?: DecodeTarget,
): TypedBody {
  const type = mediaType(contentType);
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : undefined;
  let value: unknown;
  let parse: StrictJson | undefined;
  let yamlDups: string[] = [];
  if (text !== undefined && (type === 'application/json' || type === '')) {
    try {
      parse = parseStrictJson(text);
      value = parse.value;
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      value = decodeObjectBody(contentType, body);
    }
  } else if (text !== undefined && type === 'application/yaml') {
    const y = parseYaml(text);
    if (y.error !== undefined) value = decodeObjectBody(contentType, body);
    else ({ value, duplicates: yamlDups } = y);
  } else {
    value = decodeObjectBody(contentType, body, target);
  }
  if (!isObj(value)) return { object: value as KubeObject, warnings: [] };
  const t = typeFor(handle.view.group, handle.view.version, handle.def.kind);
  const sameKind =
    (value.kind === undefined || value.kind === '' || value.kind === handle.def.kind) &&
    (value.apiVersion === undefined || value.apiVersion === '' || value.apiVersion === handle.view.groupVersion);
  if (t === UNTYPED || !sameKind) return { object: value as KubeObject, warnings: [] };
  const strict = directive !== 'Ignore';
  const { kind, version } = gvkOf(handle, value);
  const prefix = `${kind} in version ${goQuote(version)} cannot be handled as a ${handle.def.kind}: `;
  const checked = checkTyped(value, t, { strict, parse });
  if (checked.error !== undefined) throw errors.badRequest(prefix + checked.error);
  const strictErrs = strict ? [...(yamlDups.length ? [yamlStrictError(yamlDups)] : []), ...checked.strict] : [];
  if (directive === 'Strict' && strictErrs.length > 0)
    throw errors.badRequest(`${prefix}strict decoding error: ${strictErrs.join(', ')}`);
  return { object: checked.value as KubeObject, warnings: strictErrs.flatMap(strictWarnings) };
}

/** The JSON patch operation as the apiserver's strict decoding sees it. */
const JSON_PATCH_OP_FIELDS = new Set(['op', 'path', 'from', 'value']);

/** Duplicated keys anywhere in a decoded `interface{}` value (sigs.k8s.io/json objectInterface). */
function untypedDuplicates(v: unknown, parse: StrictJson, path: string, out: string[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => untypedDuplicates(x, parse, `${path}[${i}]`, out));
  else if (isObj(v)) {
    const seen = new Set<string>();
    for (const [k, x] of parse.repeated.get(v) ?? Object.entries(v)) {
      if (seen.has(k)) out.push(`duplicate field ${goQuote(join(path, k))}`);
      seen.add(k);
      untypedDuplicates(x, parse, join(path, k), out);
    }
  }
}

/** Strict errors of a patch body itself: duplicated keys, and unknown fields of JSON patch operations. */
function patchBodyErrors(patchType: string, body: Buffer | string): string[] {
  let parse: StrictJson;
  try {
    parse = parseStrictJson(Buffer.isBuffer(body) ? body.toString('utf8') : body);
  } catch {
    return [];
  }
  const out: string[] = [];
  if (patchType !== 'application/json-patch+json') {
    if (!repeatsNoKey(parse)) untypedDuplicates(parse.value, parse, '', out);
    return out;
  }
  if (!Array.isArray(parse.value)) return out;
  parse.value.forEach((op, i) => {
    if (!isObj(op)) return;
    const seen = new Set<string>();
    for (const [k, x] of parse.repeated.get(op) ?? Object.entries(op)) {
      const path = `[${i}].${k}`;
      if (!JSON_PATCH_OP_FIELDS.has(k)) out.push(`json patch unknown field ${goQuote(path)}`);
      else {
        if (seen.has(k)) out.push(`json patch duplicate field ${goQuote(path)}`);
        seen.add(k);
        if (k === 'value') {
          const inner: string[] = [];
          untypedDuplicates(x, parse, path, inner);
          out.push(...inner.map((e) => `json patch ${e}`));
        }
      }
    }
  });
  return [...new Set(out)];
}

function invalidPatch(shown: string, detail: string): StatusError {
  const body = `Invalid value: ${goQuote(shown)}: ${detail}`;
  return new StatusError({
    message: ` "" is invalid: patch: ${body}`,
    reason: 'Invalid',
    details: { causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }] },
    code: 422,
  });
}

/**
 * Applies `fieldValidation` to the result of a JSON, merge or strategic merge patch: the patched object
 * without unknown fields and the warnings to send, or the 422 the apiserver answers with (type errors always,
 * unknown or duplicated fields under `Strict`).
 */
export function checkPatchedObject(
  handle: ResourceHandle,
  patchType: string,
  patchBody: Buffer | string,
  patched: KubeObject,
  directive: FieldValidation,
): TypedBody {
  const t = typeFor(handle.view.group, handle.view.version, handle.def.kind);
  if (t === UNTYPED || !isObj(patched)) return { object: patched, warnings: [] };
  const strict = directive !== 'Ignore';
  const checked = checkTyped(patched, t, { strict });
  const shown = () => {
    if (patchType !== 'application/strategic-merge-patch+json') return goJsonMarshal(patched);
    try {
      return goV(parseStrictJson(Buffer.isBuffer(patchBody) ? patchBody.toString('utf8') : patchBody).value);
    } catch {
      return '';
    }
  };
  if (checked.error !== undefined) throw invalidPatch(shown(), checked.error);
  const all = strict ? [...patchBodyErrors(patchType, patchBody), ...checked.strict] : [];
  if (directive === 'Strict' && all.length > 0) throw invalidPatch(shown(), `strict decoding error: ${all.join(', ')}`);
  return { object: checked.value as KubeObject, warnings: all };
}

/** A `Warning` header value: `299 - "<text>"` with quotes and backslashes escaped. */
export function warningHeaderValue(text: string): string {
  return `299 - "${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** Adds one `Warning` header per distinct text (after any the reply already carries). */
export function addWarnings(reply: FastifyReply, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const existing = reply.getHeader('warning');
  const values = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  for (const w of warnings) {
    const v = warningHeaderValue(w);
    if (!values.includes(v)) values.push(v);
  }
  reply.header('Warning', values);
}
