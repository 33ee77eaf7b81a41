// `application/vnd.kubernetes.protobuf`: an object is the 4 bytes `k8s\0` and a runtime.Unknown message
// (typeMeta {apiVersion, kind}, raw = the object's own message, contentEncoding, contentType); a watch stream is
// a sequence of frames, each a 4-byte big-endian length and a WatchEvent message {type, object: RawExtension}
// whose raw bytes are the object's envelope.
import { definitionsSnapshot } from '../../openapi/served.js';
import { decodeMessage, encodeMessage, messageOf, setEmbeddedDecoder } from './codec.js';
import { LENGTH_DELIMITED, ProtoError, Reader, Writer } from './wire.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH = 'application/vnd.kubernetes.protobuf;stream=watch';

/** `k8s\0` */
export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Json = Record<string, unknown>;

export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

let kindIndex: Map<string, string> | undefined;
/** meta.k8s.io kinds that every group version carries (DeleteOptions, WatchEvent, ...), by kind alone. */
let metaKinds: Map<string, string> | undefined;

const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/**
 * The served definition of an apiVersion and kind (from the definitions' `x-kubernetes-group-version-kind`).
 * The options kinds of meta.k8s.io (DeleteOptions...) are found in any group version, as apimachinery
 * registers them in each.
 */
export function definitionOfKind(apiVersion: string, kind: string): string | undefined {
  if (!kindIndex || !metaKinds) {
    kindIndex = new Map();
    metaKinds = new Map();
    for (const [name, schema] of Object.entries(definitionsSnapshot())) {
      const gvks = (
        schema as { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }
      )['x-kubernetes-group-version-kind'];
      for (const g of gvks ?? []) {
        const key = `${g.group ? `${g.group}/${g.version}` : g.version}\n${g.kind}`;
        if (!kindIndex.has(key)) kindIndex.set(key, name);
        if (name.startsWith(META_PACKAGE) && gvks!.length > 1) metaKinds.set(g.kind, name);
      }
    }
  }
  return kindIndex.get(`${apiVersion}\n${kind}`) ?? metaKinds.get(kind);
}

/** Whether objects of this kind have a protobuf form (Tables, for one, do not). */
export function hasProtobuf(apiVersion: string, kind: string): boolean {
  const def = definitionOfKind(apiVersion, kind);
  return def !== undefined && messageOf(def) !== undefined;
}

/** The envelope around a message: `k8s\0` + Unknown{typeMeta, raw, contentEncoding: "", contentType: ""}. */
export function encodeEnvelope(meta: TypeMeta, raw: Uint8Array): Buffer {
  const w = Writer.create();
  w.uint32((1 << 3) | LENGTH_DELIMITED).fork();
  w.uint32((1 << 3) | LENGTH_DELIMITED).string(meta.apiVersion);
  w.uint32((2 << 3) | LENGTH_DELIMITED).string(meta.kind);
  w.ldelim();
  w.uint32((2 << 3) | LENGTH_DELIMITED).bytes(raw);
  w.uint32((3 << 3) | LENGTH_DELIMITED).string('');
  w.uint32((4 << 3) | LENGTH_DELIMITED).string('');
  const body = w.finish();
  return Buffer.concat([MAGIC, body]);
}

/** The message bytes (no envelope) of a JSON object that carries its apiVersion and kind. */
export function encodeRaw(obj: Json): Uint8Array {
  const apiVersion = String(obj['apiVersion'] ?? '');
  const kind = String(obj['kind'] ?? '');
  const def = definitionOfKind(apiVersion, kind);
  if (!def) throw new ProtoError(`no protobuf encoding for ${kind} in ${apiVersion}`);
  return encodeMessage(def, obj);
}

/** An object (with apiVersion and kind) in the protobuf encoding, envelope included. */
export function encodeObject(obj: Json): Buffer {
  return encodeEnvelope({ apiVersion: String(obj['apiVersion']), kind: String(obj['kind']) }, encodeRaw(obj));
}

/**
 * A list in the protobuf encoding from its metadata and the message bytes of its items (cached per object by the
 * caller): `<Kind>List{metadata = 1, items = 2}`.
 */
export function encodeList(meta: TypeMeta, listMeta: Json, items: readonly Uint8Array[]): Buffer {
  const w = Writer.create();
  w.uint32((1 << 3) | LENGTH_DELIMITED).bytes(encodeMessage('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', listMeta));
  for (const item of items) w.uint32((2 << 3) | LENGTH_DELIMITED).bytes(item);
  return encodeEnvelope(meta, w.finish());
}

/** A watch frame: the length and a WatchEvent{type, object: {raw: envelope}}. */
export function watchFrame(type: string, envelope: Uint8Array): Buffer {
  const w = Writer.create();
  w.uint32((1 << 3) | LENGTH_DELIMITED).string(type);
  w.uint32((2 << 3) | LENGTH_DELIMITED).fork();
  w.uint32((1 << 3) | LENGTH_DELIMITED).bytes(envelope);
  w.ldelim();
  const event = w.finish();
  const frame = Buffer.allocUnsafe(4 + event.length);
  frame.writeUInt32BE(event.length, 0);
  frame.set(event, 4);
  return frame;
}

/** The parts of an envelope. Throws ProtoError with the apimachinery texts. */
export function decodeEnvelope(bytes: Uint8Array): { typeMeta: TypeMeta; raw: Uint8Array } {
  if (bytes.length < 4 || !MAGIC.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 4))) {
    throw new ProtoError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const r = new Reader(bytes, 4);
  const typeMeta: TypeMeta = { apiVersion: '', kind: '' };
  let raw: Uint8Array = new Uint8Array(0);
  while (!r.done) {
    const t = r.tag();
    if (t.field === 1 && t.wire === LENGTH_DELIMITED) {
      const [start, end] = r.span();
      const sub = new Reader(bytes, start, end);
      while (!sub.done) {
        const u = sub.tag();
        if (u.field === 1 && u.wire === LENGTH_DELIMITED) typeMeta.apiVersion = sub.string();
        else if (u.field === 2 && u.wire === LENGTH_DELIMITED) typeMeta.kind = sub.string();
        else if (u.field <= 2)
          throw new ProtoError(`proto: wrong wireType = ${u.wire} for field ${u.field === 1 ? 'APIVersion' : 'Kind'}`);
        else sub.skip(u.wire);
      }
    } else if (t.field === 2 && t.wire === LENGTH_DELIMITED) {
      raw = r.bytes();
    } else if (t.field <= 4) {
      if (t.wire !== LENGTH_DELIMITED)
        throw new ProtoError(
          `proto: wrong wireType = ${t.wire} for field ${['', 'TypeMeta', 'Raw', 'ContentEncoding', 'ContentType'][t.field]}`,
        );
      r.skip(t.wire);
    } else r.skip(t.wire);
  }
  return { typeMeta, raw };
}

/** An envelope that was read, whose object could not be decoded: an unknown kind, or a malformed message. */
export class ObjectDecodeError extends ProtoError {
  constructor(
    readonly typeMeta: TypeMeta,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A protobuf body as a JSON object with apiVersion and kind first. Missing type meta is taken from `defaults`
 * (the kind the endpoint serves), as kube-apiserver's decoder does.
 */
export function decodeObject(bytes: Uint8Array, defaults?: TypeMeta, depth = 0): { object: Json; typeMeta: TypeMeta } {
  const { typeMeta, raw } = decodeEnvelope(bytes);
  if (!typeMeta.kind && defaults) typeMeta.kind = defaults.kind;
  if (!typeMeta.apiVersion && defaults) typeMeta.apiVersion = defaults.apiVersion;
  if (!typeMeta.kind) throw new ProtoError(`Object 'Kind' is missing in '${goTypeMeta(typeMeta)}'`);
  if (!typeMeta.apiVersion) throw new ProtoError(`Object 'apiVersion' is missing in '${goTypeMeta(typeMeta)}'`);
  const def = definitionOfKind(typeMeta.apiVersion, typeMeta.kind);
  if (!def || !messageOf(def)) {
    throw new ObjectDecodeError(
      typeMeta,
      `no kind ${JSON.stringify(typeMeta.kind)} is registered for version ${JSON.stringify(typeMeta.apiVersion)} in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  let fields: Json;
  try {
    fields = decodeMessage(def, raw, depth);
  } catch (err) {
    if (err instanceof ProtoError && !(err instanceof ObjectDecodeError))
      throw new ObjectDecodeError(typeMeta, err.message);
    throw err;
  }
  return { object: { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...fields }, typeMeta };
}

function goTypeMeta(t: TypeMeta): string {
  return `runtime.TypeMeta{APIVersion:${JSON.stringify(t.apiVersion)}, Kind:${JSON.stringify(t.kind)}}`;
}

// RawExtension bytes that are an envelope (watch events, embedded objects) decode to their object.
setEmbeddedDecoder((bytes, depth) => {
  if (bytes.length < 4 || !MAGIC.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 4))) return undefined;
  return decodeObject(bytes, undefined, depth).object;
});
