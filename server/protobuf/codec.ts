// The Kubernetes protobuf encoding of every served type, derived from the served definitions: each property of
// an object definition carries its field number (`protobuf`) and, for scalars whose Go field is a pointer,
// `goPointer` (see openapi/schemas/index.ts). The types whose JSON form is not their message form (Time,
// MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1, and maps of string lists such as
// UserInfo.extra) are encoded here by name, as apimachinery's hand-written marshalers do.
import { parseGoDuration } from '../../apimachinery/duration.js';
import { jsonTooDeep } from '../../apimachinery/json-depth.js';
import { definitionsSnapshot } from '../../openapi/served.js';
import { FIXED64, LENGTH_DELIMITED, ProtoError, Reader, VARINT, Writer } from './wire.js';

type Json = Record<string, unknown>;
type Scalar = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'double';
type Special = 'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'RawExtension' | 'FieldsV1';

/** What one value of a field is on the wire. */
type ValueType =
  | { kind: 'scalar'; scalar: Scalar }
  | { kind: 'message'; def: string }
  | { kind: 'special'; special: Special }
  /** A named list type used as a map value (`map<string, ExtraValue>`): a message with `repeated items = 1`. */
  | { kind: 'list'; of: ValueType };

export interface FieldDesc {
  name: string;
  no: number;
  value: ValueType;
  repeated: boolean;
  map: boolean;
  /** A zero scalar is meaningful (a Go pointer, or a field JSON always carries): decoded zeros are kept. */
  keepZero: boolean;
  /** The Go field name, for Go's error texts. */
  goName: string;
  /**
   * The fields of an embedded Go struct that JSON inlines into this object (`json:",inline"`) but protobuf keeps
   * as a message of its own, e.g. Probe's ProbeHandler (field 1) or Volume's VolumeSource (field 2). Such a
   * field has no name of its own; its properties are annotated `protobuf: [outer, inner]` in the sources.
   */
  inline?: MessageDesc;
}

export interface MessageDesc {
  def: string;
  fields: FieldDesc[];
  byNo: Map<number, FieldDesc>;
}

const SPECIAL: Record<string, Special> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
};

/** How deep messages may nest in one decoded body (embedded objects included). */
const MAX_DEPTH = 100;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

function valueTypeOf(schema: unknown): ValueType | undefined {
  if (!isObj(schema)) return undefined;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const special = SPECIAL[ref];
    return special ? { kind: 'special', special } : { kind: 'message', def: ref };
  }
  if (schema['format'] === 'int-or-string') return { kind: 'special', special: 'IntOrString' };
  switch (schema['type']) {
    case 'string':
      return { kind: 'scalar', scalar: schema['format'] === 'byte' ? 'bytes' : 'string' };
    case 'integer':
      return { kind: 'scalar', scalar: schema['format'] === 'int64' ? 'int64' : 'int32' };
    case 'boolean':
      return { kind: 'scalar', scalar: 'bool' };
    case 'number':
      return { kind: 'scalar', scalar: 'double' };
    case 'array': {
      const of = valueTypeOf(schema['items']);
      return of && of.kind !== 'list' ? { kind: 'list', of } : undefined;
    }
  }
  return undefined;
}

/** The value schema of a map (`Type.Record(Type.String(), V)` or `additionalProperties: V`), if it is one. */
function mapValueSchema(schema: Json): unknown {
  if (schema['type'] !== 'object') return undefined;
  const pattern = schema['patternProperties'];
  if (isObj(pattern) && isObj(pattern['^.*$'])) return pattern['^.*$'];
  if (isObj(schema['additionalProperties'])) return schema['additionalProperties'];
  return undefined;
}

function fieldOf(name: string, schema: Json, required: boolean, no: number): FieldDesc | undefined {
  const base = {
    name,
    no,
    keepZero: required || schema['goPointer'] === true,
    goName: name.charAt(0).toUpperCase() + name.slice(1),
  };
  const mapValue = mapValueSchema(schema);
  if (mapValue !== undefined) {
    const value = valueTypeOf(mapValue);
    return value ? { ...base, value, repeated: false, map: true } : undefined;
  }
  if (schema['type'] === 'array') {
    const value = valueTypeOf(schema['items']);
    return value && value.kind !== 'list' ? { ...base, value, repeated: true, map: false } : undefined;
  }
  const value = valueTypeOf(schema);
  return value && value.kind !== 'list' ? { ...base, value, repeated: false, map: false } : undefined;
}

const messages = new Map<string, MessageDesc | null>();

function messageDesc(def: string, fields: FieldDesc[]): MessageDesc {
  fields.sort((a, b) => a.no - b.no);
  return { def, fields, byNo: new Map(fields.map((f) => [f.no, f])) };
}

/** The message of a served definition, or undefined when it has no protobuf form. */
export function messageOf(def: string): MessageDesc | undefined {
  let m = messages.get(def);
  if (m === undefined) {
    const schema = definitionsSnapshot()[def];
    m = null;
    if (isObj(schema) && isObj(schema['properties']) && !SPECIAL[def]) {
      const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
      const fields: FieldDesc[] = [];
      const inlined = new Map<number, FieldDesc[]>();
      for (const [name, prop] of Object.entries(schema['properties'] as Json)) {
        if (!isObj(prop)) continue;
        const no = prop['protobuf'];
        if (typeof no === 'number') {
          const f = fieldOf(name, prop, required.has(name), no);
          if (f) fields.push(f);
        } else if (Array.isArray(no) && no.length === 2 && typeof no[0] === 'number' && typeof no[1] === 'number') {
          const f = fieldOf(name, prop, required.has(name), no[1]);
          if (f) inlined.set(no[0], [...(inlined.get(no[0]) ?? []), f]);
        }
      }
      for (const [outer, inner] of inlined) {
        fields.push({
          name: '',
          no: outer,
          value: { kind: 'message', def: `${def}#${outer}` },
          repeated: false,
          map: false,
          keepZero: false,
          goName: `Inline${outer}`,
          inline: messageDesc(`${def}#${outer}`, inner),
        });
      }
      if (fields.length > 0) m = messageDesc(def, fields);
    }
    messages.set(def, m);
  }
  return m ?? undefined;
}

// ---------------------------------------------------------------------------------------------- encoding

/** An object that cannot be encoded (a value of the wrong type for its field): a server-side bug or bad data. */
export class EncodeError extends Error {}

function tag(no: number, wire: number): number {
  return no * 8 + wire;
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d\d):(\d\d))$/;

/** seconds and nanoseconds since the epoch of an RFC 3339 time. */
export function parseTime(text: string): { seconds: number; nanos: number } | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  let seconds = Math.floor(ms / 1000);
  if (m[8]) seconds -= (m[8] === '-' ? -1 : 1) * (+m[9]! * 3600 + +m[10]! * 60);
  const nanos = m[7] ? Number(m[7].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

/** Go's `time.Time` text in UTC: RFC 3339 with whole seconds (Time) or six fractional digits (MicroTime). */
export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const d = new Date(seconds * 1000);
  if (!Number.isFinite(d.getTime()) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999) {
    throw new ProtoError(`Time.MarshalJSON: year outside of range [0,9999]`);
  }
  const base = d.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** Go's time.Duration.String(). */
function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${trimZeros(n / 1e3)}µs`;
  if (n < 1e9) return `${sign}${trimZeros(n / 1e6)}ms`;
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  const s = trimZeros(n / 1e9);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

function trimZeros(n: number): string {
  return String(Number(n.toFixed(9)));
}

function wrongType(field: FieldDesc, value: unknown): EncodeError {
  return new EncodeError(`cannot encode ${JSON.stringify(value)?.slice(0, 64)} as field ${field.name} (${field.no})`);
}

function writeScalar(w: Writer, field: FieldDesc, scalar: Scalar, v: unknown): void {
  switch (scalar) {
    case 'string':
      if (typeof v !== 'string') throw wrongType(field, v);
      w.uint32(tag(field.no, LENGTH_DELIMITED)).string(v);
      return;
    case 'bytes':
      if (typeof v !== 'string') throw wrongType(field, v);
      w.uint32(tag(field.no, LENGTH_DELIMITED)).bytes(Buffer.from(v, 'base64'));
      return;
    case 'int32':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(field, v);
      w.uint32(tag(field.no, VARINT)).int32(v);
      return;
    case 'int64':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(field, v);
      w.uint32(tag(field.no, VARINT)).int64(v);
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw wrongType(field, v);
      w.uint32(tag(field.no, VARINT)).bool(v);
      return;
    case 'double':
      if (typeof v !== 'number') throw wrongType(field, v);
      w.uint32(tag(field.no, FIXED64)).double(v);
      return;
  }
}

function writeSpecial(w: Writer, field: FieldDesc, special: Special, v: unknown): void {
  w.uint32(tag(field.no, LENGTH_DELIMITED)).fork();
  switch (special) {
    case 'Time':
    case 'MicroTime': {
      const t = typeof v === 'string' ? parseTime(v) : undefined;
      if (!t) throw wrongType(field, v);
      w.uint32(tag(1, VARINT)).int64(t.seconds);
      w.uint32(tag(2, VARINT)).int32(special === 'Time' ? 0 : t.nanos - (t.nanos % 1000));
      break;
    }
    case 'Duration': {
      const ns = typeof v === 'string' ? parseGoDuration(v) : undefined;
      if (ns === undefined) throw wrongType(field, v);
      w.uint32(tag(1, VARINT)).int64(ns);
      break;
    }
    case 'Quantity':
      if (typeof v !== 'string' && typeof v !== 'number') throw wrongType(field, v);
      w.uint32(tag(1, LENGTH_DELIMITED)).string(String(v));
      break;
    case 'IntOrString':
      if (typeof v === 'number' && Number.isInteger(v)) {
        w.uint32(tag(1, VARINT)).int64(0);
        w.uint32(tag(2, VARINT)).int32(v);
      } else if (typeof v === 'string') {
        w.uint32(tag(1, VARINT)).int64(1);
        w.uint32(tag(3, LENGTH_DELIMITED)).string(v);
      } else throw wrongType(field, v);
      break;
    case 'RawExtension':
    case 'FieldsV1':
      w.uint32(tag(1, LENGTH_DELIMITED)).bytes(Buffer.from(JSON.stringify(v), 'utf8'));
      break;
  }
  w.ldelim();
}

function writeValue(w: Writer, field: FieldDesc, type: ValueType, v: unknown): void {
  switch (type.kind) {
    case 'scalar':
      writeScalar(w, field, type.scalar, v);
      return;
    case 'special':
      writeSpecial(w, field, type.special, v);
      return;
    case 'message': {
      if (!isObj(v)) throw wrongType(field, v);
      const m = messageOf(type.def);
      w.uint32(tag(field.no, LENGTH_DELIMITED)).fork();
      if (m) writeFields(w, m, v);
      w.ldelim();
      return;
    }
    case 'list': {
      if (!Array.isArray(v)) throw wrongType(field, v);
      const item: FieldDesc = { ...field, no: 1 };
      w.uint32(tag(field.no, LENGTH_DELIMITED)).fork();
      for (const x of v) if (x !== null && x !== undefined) writeValue(w, item, type.of, x);
      w.ldelim();
      return;
    }
  }
}

function writeFields(w: Writer, m: MessageDesc, obj: Json): void {
  for (const field of m.fields) {
    if (field.inline) {
      // Go always writes an embedded struct, empty or not.
      w.uint32(tag(field.no, LENGTH_DELIMITED)).fork();
      writeFields(w, field.inline, obj);
      w.ldelim();
      continue;
    }
    const v = obj[field.name];
    if (v === undefined || v === null) continue;
    if (field.map) {
      if (!isObj(v)) throw wrongType(field, v);
      // Go writes map entries in key order.
      const key: FieldDesc = { ...field, no: 1 };
      const val: FieldDesc = { ...field, no: 2 };
      for (const k of Object.keys(v).sort()) {
        const x = v[k];
        w.uint32(tag(field.no, LENGTH_DELIMITED)).fork();
        w.uint32(tag(key.no, LENGTH_DELIMITED)).string(k);
        if (x !== null && x !== undefined) writeValue(w, val, field.value, x);
        w.ldelim();
      }
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw wrongType(field, v);
      for (const x of v) if (x !== null && x !== undefined) writeValue(w, field, field.value, x);
    } else {
      writeValue(w, field, field.value, v);
    }
  }
}

/** The message bytes (no envelope) of a JSON object of a served definition. */
export function encodeMessage(def: string, obj: Json): Uint8Array {
  const m = messageOf(def);
  if (!m) throw new EncodeError(`${def} has no protobuf encoding`);
  const w = Writer.create();
  writeFields(w, m, obj);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------- decoding

/** Decodes embedded objects (RawExtension bytes that are an envelope themselves); set by ./envelope.ts. */
let embeddedDecoder: ((bytes: Uint8Array, depth: number) => Json | undefined) | undefined;

export function setEmbeddedDecoder(fn: (bytes: Uint8Array, depth: number) => Json | undefined): void {
  embeddedDecoder = fn;
}

function wrongWire(field: FieldDesc, wire: number): ProtoError {
  return new ProtoError(`proto: wrong wireType = ${wire} for field ${field.goName}`);
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function readScalar(r: Reader, field: FieldDesc, scalar: Scalar, wire: number): unknown {
  const expected =
    scalar === 'double' ? FIXED64 : scalar === 'string' || scalar === 'bytes' ? LENGTH_DELIMITED : VARINT;
  if (wire !== expected) throw wrongWire(field, wire);
  switch (scalar) {
    case 'string':
      return r.string();
    case 'bytes':
      return Buffer.from(r.bytes()).toString('base64');
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'double':
      return r.double();
  }
}

function parseEmbeddedJson(bytes: Uint8Array, what: string): unknown {
  if (jsonTooDeep(bytes)) throw new ProtoError(`${what}: exceeded max depth`);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ProtoError(`${what}: ${(err as Error).message}`);
  }
}

function readSpecial(r: Reader, special: Special, depth: number): unknown {
  const [start, end] = r.span();
  const sub = new Reader(r.buf, start, end);
  switch (special) {
    case 'Time':
    case 'MicroTime': {
      // A zero Time is written as an empty message and is `null` in JSON.
      if (start === end) return null;
      let seconds = 0;
      let nanos = 0;
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === VARINT) seconds = sub.int64();
        else if (t.field === 2 && t.wire === VARINT) nanos = sub.int32();
        else sub.skip(t.wire);
      }
      return formatTime(seconds, nanos, special === 'MicroTime');
    }
    case 'Duration': {
      let ns = 0;
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === VARINT) ns = sub.int64();
        else sub.skip(t.wire);
      }
      return formatDuration(ns);
    }
    case 'Quantity': {
      let s = '';
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === LENGTH_DELIMITED) s = sub.string();
        else sub.skip(t.wire);
      }
      return s === '' ? '0' : s;
    }
    case 'IntOrString': {
      let type = 0;
      let intVal = 0;
      let strVal = '';
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === VARINT) type = sub.int64();
        else if (t.field === 2 && t.wire === VARINT) intVal = sub.int32();
        else if (t.field === 3 && t.wire === LENGTH_DELIMITED) strVal = sub.string();
        else sub.skip(t.wire);
      }
      return type === 1 ? strVal : intVal;
    }
    case 'RawExtension':
    case 'FieldsV1': {
      let raw: Uint8Array | undefined;
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1 && t.wire === LENGTH_DELIMITED) raw = sub.bytes();
        else sub.skip(t.wire);
      }
      if (!raw || raw.length === 0) return special === 'FieldsV1' ? {} : null;
      if (special === 'RawExtension' && embeddedDecoder) {
        const embedded = embeddedDecoder(raw, depth + 1);
        if (embedded !== undefined) return embedded;
      }
      return parseEmbeddedJson(raw, special);
    }
  }
}

function readValue(r: Reader, field: FieldDesc, type: ValueType, wire: number, depth: number): unknown {
  switch (type.kind) {
    case 'scalar':
      return readScalar(r, field, type.scalar, wire);
    case 'special':
      if (wire !== LENGTH_DELIMITED) throw wrongWire(field, wire);
      return readSpecial(r, type.special, depth);
    case 'message': {
      if (wire !== LENGTH_DELIMITED) throw wrongWire(field, wire);
      const [start, end] = r.span();
      const m = messageOf(type.def);
      return m ? readFields(new Reader(r.buf, start, end), m, depth + 1) : {};
    }
    case 'list': {
      if (wire !== LENGTH_DELIMITED) throw wrongWire(field, wire);
      const [start, end] = r.span();
      const sub = new Reader(r.buf, start, end);
      const out: unknown[] = [];
      const item: FieldDesc = { ...field, no: 1, goName: 'Items' };
      while (!sub.done) {
        const t = sub.tag();
        if (t.field === 1) out.push(readValue(sub, item, type.of, t.wire, depth + 1));
        else sub.skip(t.wire);
      }
      return out;
    }
  }
}

/** The zero value of a map value that is absent from its entry, as Go's map decoding leaves it. */
function zeroOf(type: ValueType): unknown {
  if (type.kind === 'scalar') {
    return type.scalar === 'string' || type.scalar === 'bytes' ? '' : type.scalar === 'bool' ? false : 0;
  }
  if (type.kind === 'list') return [];
  if (type.kind === 'special') return type.special === 'Quantity' ? '0' : type.special === 'IntOrString' ? 0 : null;
  return {};
}

function setKey(obj: Json, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function readMapEntry(r: Reader, field: FieldDesc, depth: number): [string, unknown] {
  const [start, end] = r.span();
  const sub = new Reader(r.buf, start, end);
  let key = '';
  let value: unknown;
  const valueField: FieldDesc = { ...field, no: 2 };
  while (!sub.done) {
    const t = sub.tag();
    if (t.field === 1) {
      if (t.wire !== LENGTH_DELIMITED) throw wrongWire(field, t.wire);
      key = sub.string();
    } else if (t.field === 2) {
      value = readValue(sub, valueField, field.value, t.wire, depth);
    } else sub.skip(t.wire);
  }
  return [key, value === undefined ? zeroOf(field.value) : value];
}

function readFields(r: Reader, m: MessageDesc, depth: number): Json {
  if (depth > MAX_DEPTH) throw new ProtoError('proto: exceeded maximum nesting depth');
  const out: Json = {};
  while (!r.done) {
    const { field: no, wire } = r.tag();
    const field = m.byNo.get(no);
    if (!field) {
      r.skip(wire);
      continue;
    }
    if (field.inline) {
      if (wire !== LENGTH_DELIMITED) throw wrongWire(field, wire);
      const [start, end] = r.span();
      Object.assign(out, readFields(new Reader(r.buf, start, end), field.inline, depth + 1));
      continue;
    }
    if (field.map) {
      if (wire !== LENGTH_DELIMITED) throw wrongWire(field, wire);
      const [k, v] = readMapEntry(r, field, depth);
      const map = (out[field.name] ??= {}) as Json;
      setKey(map, k, v);
    } else if (field.repeated) {
      const list = (out[field.name] ??= []) as unknown[];
      const scalar = field.value.kind === 'scalar' ? field.value.scalar : undefined;
      if (wire === LENGTH_DELIMITED && scalar && scalar !== 'string' && scalar !== 'bytes') {
        // packed numbers
        const [start, end] = r.span();
        const sub = new Reader(r.buf, start, end);
        const inner = scalar === 'double' ? FIXED64 : VARINT;
        while (!sub.done) list.push(readScalar(sub, field, scalar, inner));
      } else {
        list.push(readValue(r, field, field.value, wire, depth));
      }
    } else {
      const v = readValue(r, field, field.value, wire, depth);
      if (field.value.kind === 'scalar' && !field.keepZero && isZero(v)) delete out[field.name];
      else out[field.name] = v;
    }
  }
  return out;
}

/** The JSON object of a served definition's message bytes (no envelope). Throws ProtoError on bad input. */
export function decodeMessage(def: string, bytes: Uint8Array, depth = 0): Json {
  const m = messageOf(def);
  if (!m) throw new ProtoError(`${def} has no protobuf encoding`);
  return readFields(new Reader(bytes), m, depth);
}
