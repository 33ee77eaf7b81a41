import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { StoredEvent } from '../../storage/interface.js';
import { takeStoredText } from '../../storage/stored-objects.js';
import type { ResourceHandle } from '../registry/registry.js';
import { withTypeMeta } from '../registry/meta.js';
import { encodeEnvelope, encodeList, encodeRaw, watchFrame } from '../protobuf/envelope.js';

/**
 * An encoding of each frozen object per served version. An object is nearly always served in one version, so its
 * first encoding is kept in a small record (a Map per object, as before, took about 200 bytes more per stored object).
 */
class PerVersion<T> {
  private readonly byObject = new WeakMap<KubeObject, { version: string; value: T; more?: Map<string, T> }>();

  get(obj: KubeObject, version: string, encode: () => T): T {
    const cached = this.byObject.get(obj);
    if (cached?.version === version) return cached.value;
    const other = cached?.more?.get(version);
    if (other !== undefined) return other;
    const value = encode();
    if (!Object.isFrozen(obj)) return value;
    if (!cached) this.byObject.set(obj, { version, value });
    else (cached.more ??= new Map()).set(version, value);
    return value;
  }
}

/**
 * Serialization once per stored object and served version: stored objects are frozen and shared, so the JSON
 * text of an object is computed the first time any request needs it in a given version and reused after.
 */
const objectCache = new PerVersion<string>();
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

/**
 * Events whose encodings are kept (about 1.7 KB a line for a pod, per encoding): watchers take an event within a
 * few flushes, and a watcher further behind encodes the line again from the object's cached text.
 */
const RECENT_EVENTS = 1024;

/** Watch event lines. */
const eventCache = new RecentEvents(RECENT_EVENTS);

/** The object in the handle's version, with kind/apiVersion first. */
export function versioned(handle: ResourceHandle, obj: KubeObject): KubeObject {
  return withTypeMeta(handle.view.fromStorage(obj), handle.view.groupVersion, handle.def.kind);
}

/** The JSON text of a stored object in the handle's version. */
export function objectJSON(handle: ResourceHandle, obj: KubeObject): string {
  return objectCache.get(obj, handle.view.groupVersion, () => {
    const view = handle.view.fromStorage(obj);
    return (
      (view === obj ? reorderedStoredText(handle, obj) : undefined) ??
      JSON.stringify(withTypeMeta(view, handle.view.groupVersion, handle.def.kind))
    );
  });
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
 * copied into one buffer of the exact size (one large string would be re-encoded when the socket takes it). When
 * the body is sent on `res`, a large one is taken from {@link bodies} and given back once `res` is done with it.
 */
export function listJSON(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  res?: ServerResponse,
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
  const body = res ? bodies.take(size, res) : Buffer.allocUnsafe(size);
  let at = body.write(head, 0);
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) body[at++] = 0x2c; // ,
    at += body.write(texts[i]!, at);
  }
  body.write(']}', at);
  return body;
}

/**
 * Memory for large response bodies, used again once a response has been sent. A LIST of 10,000 pods is a 17 MB
 * body; memory fresh from the system costs a page fault per 4 KiB page when it is first written (30-100 ms of CPU
 * for such a body on a virtual machine, against 2 ms for the copy itself), and a body freed only when V8 collects
 * its Buffer comes back as fresh memory. The pool keeps at most {@link BODY_POOL_BYTES} of idle buffers, for
 * {@link BODY_POOL_IDLE_MS} after their last use.
 */
export class BodyPool {
  private free: Buffer[] = [];
  private freeBytes = 0;
  private lastUse = 0;
  private timer: NodeJS.Timeout | undefined;

  /** A buffer of exactly `size` bytes for a body sent on `res` (pooled when large), released when `res` closes. */
  take(size: number, res: ServerResponse): Buffer {
    if (size < BODY_POOL_MIN) return Buffer.allocUnsafe(size);
    this.lastUse = Date.now();
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const cap = this.free[i]!.length;
      if (cap >= size && cap <= 2 * size && (best < 0 || cap < this.free[best]!.length)) best = i;
    }
    let whole: Buffer;
    if (best >= 0) {
      whole = this.free[best]!;
      this.free.splice(best, 1);
      this.freeBytes -= whole.length;
    } else {
      // Room for a list that grows a little before the next one.
      whole = Buffer.allocUnsafeSlow(size + (size >>> 3));
    }
    // 'close' comes once the body has been handed to the system, or the connection is gone (its writes cancelled).
    res.once('close', () => this.give(whole));
    return whole.subarray(0, size);
  }

  private give(whole: Buffer): void {
    this.lastUse = Date.now();
    if (this.freeBytes + whole.length > BODY_POOL_BYTES) return;
    this.free.push(whole);
    this.freeBytes += whole.length;
    this.timer ??= setTimeout(() => this.expire(), BODY_POOL_IDLE_MS).unref();
  }

  private expire(): void {
    this.timer = undefined;
    if (Date.now() - this.lastUse >= BODY_POOL_IDLE_MS) {
      this.free = [];
      this.freeBytes = 0;
    } else if (this.free.length > 0) {
      this.timer = setTimeout(() => this.expire(), BODY_POOL_IDLE_MS).unref();
    }
  }
}

/** Bodies smaller than this are not pooled (the allocator reuses small blocks well). */
const BODY_POOL_MIN = 1 << 20;
/** At most this much idle body memory is kept. */
const BODY_POOL_BYTES = 48 << 20;
/** Idle body memory is released after this long without a large body. */
const BODY_POOL_IDLE_MS = 30_000;

const bodies = new BodyPool();

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
const protobufCache = new PerVersion<Uint8Array>();
/** Protobuf watch frames. */
const frameCache = new RecentEvents(RECENT_EVENTS);

function objectRaw(handle: ResourceHandle, obj: KubeObject): Uint8Array {
  return protobufCache.get(obj, handle.view.groupVersion, () =>
    encodeRaw(versioned(handle, obj) as unknown as Record<string, unknown>),
  );
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
