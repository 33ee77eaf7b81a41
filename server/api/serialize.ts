import { Readable, type Writable } from 'node:stream';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { StoredEvent } from '../../storage/interface.js';
import { takeStoredText } from '../../storage/stored-objects.js';
import type { ResourceHandle } from '../registry/registry.js';
import { withTypeMeta } from '../registry/meta.js';
import { encodeEnvelope, encodeList, encodeRaw, watchFrame } from '../protobuf/envelope.js';

/**
 * An encoding of each frozen object per served version. An object is nearly always served in one version, so its
 * first encoding is kept in a small record (a Map per object, as before, took about 200 bytes more per stored object),
 * with its size in bytes when the cache measures its values.
 */
class PerVersion<T> {
  private readonly byObject = new WeakMap<
    KubeObject,
    { version: string; value: T; size: number; more?: Map<string, T> }
  >();

  /** `measure`: the byte size of a value, kept with the first encoding of each object (see {@link sizeOf}). */
  constructor(private readonly measure?: (value: T) => number) {}

  get(obj: KubeObject, version: string, encode: () => T): T {
    const cached = this.byObject.get(obj);
    if (cached?.version === version) return cached.value;
    const other = cached?.more?.get(version);
    if (other !== undefined) return other;
    const value = encode();
    if (!Object.isFrozen(obj)) return value;
    if (!cached) this.byObject.set(obj, { version, value, size: this.measure ? this.measure(value) : -1 });
    else (cached.more ??= new Map()).set(version, value);
    return value;
  }

  /** The encoding already made, if any. */
  peek(obj: KubeObject, version: string): T | undefined {
    const cached = this.byObject.get(obj);
    return cached?.version === version ? cached.value : cached?.more?.get(version);
  }

  /**
   * The byte size of `value`, the encoding {@link get} gave for `obj` in `version`: the one measured when it was
   * encoded (a write's), else measured now.
   */
  sizeOf(obj: KubeObject, version: string, value: T): number {
    const cached = this.byObject.get(obj);
    if (cached !== undefined && cached.version === version && cached.size >= 0) return cached.size;
    return this.measure!(value);
  }
}

/**
 * Serialization once per stored object and served version: stored objects are frozen and shared, so the JSON
 * text of an object is computed the first time any request needs it in a given version and reused after. Its UTF-8
 * length is measured then too (a write's answer measures it anyway), so a LIST sums the lengths of its items without
 * measuring each text again: `Buffer.byteLength` of 10,000 texts cost about 8 ms of CPU on the first LIST, before the
 * loop was optimized, and 1-2 ms after.
 */
const objectCache = new PerVersion<string>((text) => Buffer.byteLength(text));
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

/**
 * `<type> <groupVersion>`, the key of an event's line among its encodings: one string per pair, not a new one for
 * every watcher of every event (a new string is hashed again by each lookup).
 */
const lineKeys = new Map<string, Map<string, string>>();
function lineKey(type: string, groupVersion: string): string {
  let byType = lineKeys.get(groupVersion);
  if (!byType) lineKeys.set(groupVersion, (byType = new Map()));
  let key = byType.get(type);
  if (key === undefined) byType.set(type, (key = `${type} ${groupVersion}`));
  return key;
}

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

/** {@link objectJSON}'s text when a request already made it (the answer to the write that stored `obj`), else undefined. */
export function cachedObjectJSON(handle: ResourceHandle, obj: KubeObject): string | undefined {
  return objectCache.peek(obj, handle.view.groupVersion);
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

/** The pieces of a JSON list body: its head (`{"kind":"PodList",...,"items":[`), the cached item texts and sizes. */
export interface ListPieces {
  head: string;
  texts: string[];
  /** The UTF-8 byte length of each text. */
  lengths: Uint32Array;
  /** The body's byte length (head, items, commas and `]}`). */
  size: number;
}

function listPieces(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
): ListPieces {
  const m: Record<string, unknown> = {};
  if (meta.resourceVersion !== undefined) m['resourceVersion'] = meta.resourceVersion;
  if (meta.continue) m['continue'] = meta.continue;
  if (meta.remainingItemCount !== undefined) m['remainingItemCount'] = meta.remainingItemCount;
  const head = `{"kind":${JSON.stringify(handle.def.listKind)},"apiVersion":${JSON.stringify(handle.view.groupVersion)},"metadata":${JSON.stringify(m)},"items":[`;
  const texts = new Array<string>(items.length);
  const lengths = new Uint32Array(items.length);
  let size = Buffer.byteLength(head) + 2 + Math.max(0, items.length - 1);
  const version = handle.view.groupVersion;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const text = objectJSON(handle, item);
    texts[i] = text;
    size += lengths[i] = objectCache.sizeOf(item, version, text);
  }
  return { head, texts, lengths, size };
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
  return wholeBody(listPieces(handle, items, meta));
}

function wholeBody({ head, texts, size }: ListPieces): Buffer {
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
 * A JSON list body to send: its bytes when it fits in one chunk, else a {@link ListBodyStream} that writes it in
 * chunks. Either way the answer's bytes and headers (content-length included) are those of the whole body.
 */
export function listJSONBody(
  handle: ResourceHandle,
  items: KubeObject[],
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
): Buffer | ListBodyStream {
  const pieces = listPieces(handle, items, meta);
  return pieces.size <= CHUNK_BYTES ? wholeBody(pieces) : new ListBodyStream(pieces);
}

/**
 * A large JSON list body, written to the response piece by piece from a few reused chunk buffers ({@link chunks}):
 * a chunk is filled from the cached item texts, written, and filled again once the socket has taken it. A LIST
 * of 10,000 pods is a 17 MB body; one buffer of that size, fresh from the system, cost a page fault per 4 KiB page
 * when first written (30-100 ms of CPU on a virtual machine, against 2 ms for the copy itself), and as many LISTs
 * at once held as many whole bodies. Here a LIST holds at most {@link CHUNKS_IN_FLIGHT} chunks whatever its size.
 *
 * Fastify sends a stream by piping it to the response: `pipe` writes the chunks itself, with write callbacks (a
 * chunk is filled again only after the socket has handed it to the system), then ends this stream and the
 * response. If the response closes early, Fastify destroys this stream and no more chunks are written.
 */
export class ListBodyStream extends Readable {
  /** The next item to write (`-1`: the head). */
  private next = -1;
  private inFlight = 0;
  private finished = false;

  constructor(private readonly pieces: ListPieces) {
    super();
  }

  /** The body's byte length. */
  get size(): number {
    return this.pieces.size;
  }

  override _read(): void {}

  override pipe<T extends NodeJS.WritableStream>(dest: T): T {
    this.pump(dest as unknown as Writable);
    return dest;
  }

  private pump(res: Writable): void {
    while (!this.finished && this.inFlight < CHUNKS_IN_FLIGHT) {
      if (this.destroyed || res.destroyed) return;
      const chunk = chunks.take();
      const filled = this.fill(chunk);
      if (filled > 0) this.write(res, filled === chunk.length ? chunk : chunk.subarray(0, filled), chunk);
      else chunks.give(chunk);
      const big = this.big;
      this.big = undefined;
      if (big) this.write(res, big);
    }
    if (this.finished && this.inFlight === 0 && !this.readableEnded && !this.destroyed) {
      // The response ends once this stream has (Fastify takes a response that closes first for an aborted stream).
      this.once('end', () => res.end());
      this.push(null);
      this.resume();
    }
  }

  /** Writes `bytes`; `chunk` (that `bytes` are part of) goes back to the pool once the socket has taken them. */
  private write(res: Writable, bytes: Buffer, chunk?: Buffer): void {
    this.inFlight++;
    res.write(bytes, (err) => {
      if (chunk) chunks.give(chunk);
      this.inFlight--;
      if (!err) this.pump(res);
    });
  }

  /** An item text larger than a chunk (with its comma), written on its own after the chunk filled before it. */
  private big: Buffer | undefined;

  /**
   * Copies the next pieces into `chunk`, returning the bytes filled: a text that does not fit goes into the next
   * chunk, and one larger than a chunk, met at the start of a chunk, is left in {@link big}.
   */
  private fill(chunk: Buffer): number {
    const { head, texts, lengths } = this.pieces;
    let at = 0;
    if (this.next < 0) {
      at = chunk.write(head, 0);
      this.next = 0;
    }
    while (this.next < texts.length) {
      const i = this.next;
      const need = lengths[i]! + (i > 0 ? 1 : 0);
      if (at + need > chunk.length) {
        if (at > 0 || need <= chunk.length) return at;
        this.big = Buffer.from(i > 0 ? `,${texts[i]}` : texts[i]!);
        this.next++;
        return 0;
      }
      if (i > 0) chunk[at++] = 0x2c; // ,
      at += chunk.write(texts[i]!, at);
      this.next++;
    }
    if (at + 2 > chunk.length) return at;
    chunk.write(']}', at);
    this.finished = true;
    return at + 2;
  }
}

/**
 * Chunk buffers of large list bodies, used again once the socket has taken them: a LIST uses at most
 * {@link CHUNKS_IN_FLIGHT} at a time, and at most {@link CHUNKS_KEPT} idle ones are kept (what concurrent LISTs
 * need), so memory fresh from the system is written only when more LISTs run at once than before.
 */
class ChunkPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly chunkBytes: number,
    private readonly kept: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes);
  }

  give(chunk: Buffer): void {
    if (this.free.length < this.kept) this.free.push(chunk);
  }
}

/** Bytes per chunk of a large list body (a list up to this size is sent as one buffer). */
const CHUNK_BYTES = 256 << 10;
/** Chunks one LIST has written and the socket has not yet taken. */
const CHUNKS_IN_FLIGHT = 4;
/** Idle chunks kept: 4 MB, enough for four LISTs at once. */
const CHUNKS_KEPT = 16;

const chunks = new ChunkPool(CHUNK_BYTES, CHUNKS_KEPT);

/**
 * One watch line (`{"type":"ADDED","object":{...}}` + newline) as bytes, shared by all watchers of that version:
 * encoded once, not once per watcher.
 */
export function eventLine(handle: ResourceHandle, ev: StoredEvent, type: string, object: KubeObject): Buffer {
  if (object !== ev.object)
    return Buffer.from(`{"type":${JSON.stringify(type)},"object":${objectJSON(handle, object)}}\n`);
  const key = lineKey(type, handle.view.groupVersion);
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
  const key = lineKey(type, handle.view.groupVersion);
  const perEvent = frameCache.of(ev);
  let frame = perEvent.get(key);
  if (frame === undefined) {
    frame = watchFrame(type, objectProtobuf(handle, object));
    perEvent.set(key, frame);
  }
  return frame;
}
