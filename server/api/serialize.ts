import type { KubeObject } from '../../apimachinery/objects.js';
import type { StoredEvent } from '../../storage/interface.js';
import { takeStoredText } from '../../storage/stored-objects.js';
import type { ResourceHandle } from '../registry/registry.js';
import { withTypeMeta } from '../registry/meta.js';
import { encodeEnvelope, encodeList, encodeRaw, watchFrame } from '../protobuf/envelope.js';

/**
 * Serialization once per stored object and served version: stored objects are frozen and shared, so the JSON
 * text of an object is computed the first time any request needs it in a given version and reused after.
 */
const objectCache = new WeakMap<KubeObject, Map<string, string>>();
/**
 * The encodings of the most recent watch events, each once per (type, version) for all watchers. Watchers take
 * an event in the same few ticks, so only recent events are kept: the window's older events (a replay, a watcher
 * that fell behind) are encoded again from the cached object text rather than held in memory for every event.
 */
class RecentEvents {
  private readonly byEvent = new Map<StoredEvent, Map<string, Buffer>>();

  constructor(private readonly max: number) {}

  /** The encodings of `ev` (an empty map the first time). */
  of(ev: StoredEvent): Map<string, Buffer> {
    let perEvent = this.byEvent.get(ev);
    if (!perEvent) {
      this.byEvent.set(ev, (perEvent = new Map()));
      if (this.byEvent.size > this.max) this.byEvent.delete(this.byEvent.keys().next().value!);
    }
    return perEvent;
  }
}

/** Events whose encodings are kept (about 1.5 KB a line for a pod, per encoding). */
const RECENT_EVENTS = 4096;

/** Watch event lines. */
const eventCache = new RecentEvents(RECENT_EVENTS);

/** The object in the handle's version, with kind/apiVersion first. */
export function versioned(handle: ResourceHandle, obj: KubeObject): KubeObject {
  return withTypeMeta(handle.view.fromStorage(obj), handle.view.groupVersion, handle.def.kind);
}

/** The JSON text of a stored object in the handle's version. */
export function objectJSON(handle: ResourceHandle, obj: KubeObject): string {
  const key = handle.view.groupVersion;
  let perObject = objectCache.get(obj);
  if (!perObject) {
    perObject = new Map();
    if (Object.isFrozen(obj)) objectCache.set(obj, perObject);
  }
  let text = perObject.get(key);
  if (text === undefined) {
    const view = handle.view.fromStorage(obj);
    text =
      (view === obj ? reorderedStoredText(handle, obj) : undefined) ??
      JSON.stringify(withTypeMeta(view, handle.view.groupVersion, handle.def.kind));
    perObject.set(key, text);
  }
  return text;
}

/**
 * What `JSON.stringify(versioned(handle, obj))` gives, made from the text the store wrote `obj` as, when the view
 * is the storage form and that text begins with this view's apiVersion, kind and metadata: `withTypeMeta` only
 * moves kind before apiVersion (and JSON.stringify of the object parsed from a JSON.stringify text is that text).
 */
function reorderedStoredText(handle: ResourceHandle, obj: KubeObject): string | undefined {
  const stored = takeStoredText(obj);
  if (stored === undefined) return undefined;
  const apiVersion = JSON.stringify(handle.view.groupVersion);
  const kind = JSON.stringify(handle.def.kind);
  const head = `{"apiVersion":${apiVersion},"kind":${kind},"metadata":`;
  if (!stored.startsWith(head)) return undefined;
  return `{"kind":${kind},"apiVersion":${apiVersion},"metadata":${stored.slice(head.length)}`;
}

/**
 * A list body built from the cached item texts (`{"kind":"PodList",...,"items":[...]}`), as bytes: the texts are
 * copied into one buffer of the exact size (one large string would be re-encoded when the socket takes it).
 */
export function listJSON(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
): Buffer {
  const m: Record<string, unknown> = {};
  if (meta.resourceVersion !== undefined) m['resourceVersion'] = meta.resourceVersion;
  if (meta.continue) m['continue'] = meta.continue;
  if (meta.remainingItemCount !== undefined) m['remainingItemCount'] = meta.remainingItemCount;
  const head = `{"kind":${JSON.stringify(handle.def.listKind)},"apiVersion":${JSON.stringify(handle.view.groupVersion)},"metadata":${JSON.stringify(m)},"items":[`;
  const texts = new Array<string>(items.length);
  let size = Buffer.byteLength(head) + 2 + Math.max(0, items.length - 1);
  for (let i = 0; i < items.length; i++) {
    const text = objectJSON(handle, items[i]!);
    texts[i] = text;
    size += Buffer.byteLength(text);
  }
  const body = Buffer.allocUnsafe(size);
  let at = body.write(head, 0);
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) body[at++] = 0x2c; // ,
    at += body.write(texts[i]!, at);
  }
  body.write(']}', at);
  return body;
}

/**
 * One watch line (`{"type":"ADDED","object":{...}}` + newline) as bytes, shared by all watchers of that version:
 * encoded once, not once per watcher.
 */
export function eventLine(handle: ResourceHandle, ev: StoredEvent, type: string, object: KubeObject): Buffer {
  if (object !== ev.object)
    return Buffer.from(`{"type":${JSON.stringify(type)},"object":${objectJSON(handle, object)}}\n`);
  const key = `${type} ${handle.view.groupVersion}`;
  const perEvent = eventCache.of(ev);
  let line = perEvent.get(key);
  if (line === undefined) {
    line = Buffer.from(`{"type":${JSON.stringify(type)},"object":${objectJSON(handle, object)}}\n`);
    perEvent.set(key, line);
  }
  return line;
}

// ------------------------------------------------------------------------------------ Kubernetes protobuf

/** The message bytes (no envelope) of an object, once per stored object and served version. */
const protobufCache = new WeakMap<KubeObject, Map<string, Uint8Array>>();
/** Protobuf watch frames. */
const frameCache = new RecentEvents(RECENT_EVENTS);

function objectRaw(handle: ResourceHandle, obj: KubeObject): Uint8Array {
  const key = handle.view.groupVersion;
  let perObject = protobufCache.get(obj);
  if (!perObject) {
    perObject = new Map();
    if (Object.isFrozen(obj)) protobufCache.set(obj, perObject);
  }
  let raw = perObject.get(key);
  if (raw === undefined) {
    raw = encodeRaw(versioned(handle, obj) as unknown as Record<string, unknown>);
    perObject.set(key, raw);
  }
  return raw;
}

/** A stored object in the handle's version, in the protobuf encoding (envelope included). */
export function objectProtobuf(handle: ResourceHandle, obj: KubeObject): Buffer {
  return encodeEnvelope({ apiVersion: handle.view.groupVersion, kind: handle.def.kind }, objectRaw(handle, obj));
}

/** A list in the protobuf encoding, built from the cached item messages. */
export function listProtobuf(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
): Buffer {
  const m: Record<string, unknown> = {};
  if (meta.resourceVersion !== undefined) m['resourceVersion'] = meta.resourceVersion;
  if (meta.continue) m['continue'] = meta.continue;
  if (meta.remainingItemCount !== undefined) m['remainingItemCount'] = meta.remainingItemCount;
  return encodeList(
    { apiVersion: handle.view.groupVersion, kind: handle.def.listKind },
    m,
    items.map((o) => objectRaw(handle, o)),
  );
}

/** One protobuf watch frame, shared by all watchers of that version. */
export function eventFrame(
  handle: ResourceHandle,
  ev: StoredEvent | undefined,
  type: string,
  object: KubeObject,
): Buffer {
  if (!ev || object !== ev.object) return watchFrame(type, objectProtobuf(handle, object));
  const key = `${type} ${handle.view.groupVersion}`;
  const perEvent = frameCache.of(ev);
  let frame = perEvent.get(key);
  if (frame === undefined) {
    frame = watchFrame(type, objectProtobuf(handle, object));
    perEvent.set(key, frame);
  }
  return frame;
}
