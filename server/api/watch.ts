import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clone, deepFreeze } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { Storage, StoredEvent, WatchCursor, WatchItem } from '../../storage/interface.js';
import { isStorageError } from '../../storage/errors.js';
import type { ResourceHandle } from '../registry/registry.js';
import type { ObjectFilter } from '../registry/store.js';
import { parseResourceVersion } from '../registry/store.js';
import type { StatusBody } from '../registry/status.js';
import { eventFrame, eventLine, objectJSON } from './serialize.js';
import { encodeObject, PROTOBUF_WATCH, watchFrame } from '../protobuf/envelope.js';

/** How long a watch waits by default for a client that takes no data before closing its connection. */
export const DEFAULT_WATCH_STALL_TIMEOUT_MS = 60_000;

/** Renders one watch event for a client that asked for Tables (one row per event). */
export type TableEventRenderer = (type: string, obj: KubeObject, first: boolean) => string;

export interface WatchRequest {
  handle: ResourceHandle;
  storage: Storage;
  namespace?: string;
  filter: ObjectFilter;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  /**
   * `sendInitialEvents=true` (the WatchList protocol of client-go >= 1.27 behind a gate, on by default in newer
   * clients such as helm 4): ADDED for every current object whatever resourceVersion says, then a BOOKMARK annotated
   * `k8s.io/initial-events-end: "true"`, then the changes.
   */
  sendInitialEvents?: boolean;
  bookmarkIntervalMs: number;
  /**
   * How long a write may wait for the client to take data before the connection is closed (it stopped reading);
   * default {@link DEFAULT_WATCH_STALL_TIMEOUT_MS}.
   */
  stallTimeoutMs?: number;
  /** Set when the client asked for Tables. */
  table?: TableEventRenderer;
  /** The client asked for Kubernetes protobuf: length-prefixed WatchEvent frames. */
  protobuf?: boolean;
  /** Aborted when the server shuts down. */
  serverSignal: AbortSignal;
}

/** Queued watch lines are written at once when they reach this many bytes (the initial events of a large list). */
const WATCH_WRITE_BYTES = 64 * 1024;

/**
 * Watch writes are flushed together, for every watcher at once: right after the current turn of the event loop when
 * the last flush is at least this long ago, else this long after it. An idle server writes an event at once; one
 * that delivers many events a second writes each watcher at most once per interval (100 watchers at 1,000 events/s:
 * 20,000 socket writes a second instead of 100,000), and an event waits at most this long for it.
 */
const WATCH_FLUSH_INTERVAL_MS = 5;

/** The watches with queued lines, flushed together. */
const pendingFlushes = new Set<() => void>();
let flushScheduled = false;
let lastFlush = 0;

function scheduleFlush(flush: () => void): void {
  pendingFlushes.add(flush);
  if (flushScheduled) return;
  flushScheduled = true;
  const wait = lastFlush + WATCH_FLUSH_INTERVAL_MS - performance.now();
  if (wait <= 0) setImmediate(flushAll);
  else setTimeout(flushAll, wait);
}

function unscheduleFlush(flush: () => void): void {
  pendingFlushes.delete(flush);
}

function flushAll(): void {
  flushScheduled = false;
  lastFlush = performance.now();
  const flushes = [...pendingFlushes];
  pendingFlushes.clear();
  try {
    for (const flush of flushes) flush();
  } finally {
    lastJoined = undefined;
  }
}

/** The lines last joined in this flush, their bytes and their chunk: watchers of the same events share one copy. */
let lastJoined: { lines: Buffer[]; bytes: Buffer; chunk: Buffer | undefined } | undefined;

const CRLF = Buffer.from('\r\n', 'latin1');
/** The end of a chunked body (the last, empty chunk). */
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/**
 * `lines` as one buffer, with `framed` as one HTTP/1.1 chunk (`<size in hex>\r\n<lines>\r\n`, the framing Node
 * gives a write): the encoded lines are shared by all watchers, so their bytes and chunk can be too, and each
 * watcher's flush is one buffer written, not the four pieces of a chunk Node frames.
 */
function chunkOf(lines: Buffer[], framed: boolean): Buffer {
  let joined = lastJoined;
  if (!joined || joined.lines.length !== lines.length || !joined.lines.every((l, i) => l === lines[i])) {
    let size = 0;
    for (const l of lines) size += l.length;
    const bytes = lines.length === 1 ? lines[0]! : Buffer.concat(lines, size);
    lastJoined = joined = { lines, bytes, chunk: undefined };
  }
  if (!framed) return joined.bytes;
  if (joined.chunk === undefined) {
    const head = Buffer.from(`${joined.bytes.length.toString(16)}\r\n`, 'latin1');
    joined.chunk = Buffer.concat([head, joined.bytes, CRLF], head.length + joined.bytes.length + 2);
  }
  return joined.chunk;
}

/** The longest delay setTimeout honours (2^31-1 ms); a longer one fires immediately. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Serves a watch on a hijacked response: headers go out at once (kubectl's rollout status needs them before
 * any event), then one JSON event per line. Absent or "0" resourceVersion: ADDED for every current object, then
 * changes; N: only changes after N; too old: one ERROR event (410 Expired). The stream ends only on
 * timeoutSeconds, client disconnect, a watcher too slow to keep up, or server shutdown.
 */
export async function serveWatch(res: ServerResponse, w: WatchRequest): Promise<void> {
  const abort = new AbortController();
  const onServerAbort = () => abort.abort();
  w.serverSignal.addEventListener('abort', onServerAbort, { once: true });
  res.on('close', () => abort.abort());
  let timer: NodeJS.Timeout | undefined;
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds !== 0) {
    // A negative timeout is a deadline already past (upstream's watch context expires at once: an empty stream);
    // a huge one is capped at setTimeout's limit (about 24.8 days), which would otherwise fire at once.
    timer = setTimeout(() => abort.abort(), Math.min(Math.max(0, w.timeoutSeconds) * 1000, MAX_TIMER_MS));
  }
  const pb = w.protobuf === true && !w.table;
  res.writeHead(200, {
    'Content-Type': pb ? PROTOBUF_WATCH : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  // The chunks are framed here (see chunkOf), not by Node: its framing of a write is four pieces, for every watcher
  // at every flush. Only when Node would frame them (an HTTP/1.1 response; the headers above say chunked).
  const framed = res.chunkedEncoding;
  res.chunkedEncoding = false;
  let firstTableEvent = true;
  // Waits for the socket to drain (or the watch to end). A client that takes nothing for stallTimeoutMs has stopped
  // reading: its connection is closed (the store drops a watcher that falls behind, but only this side can let go of
  // the connection and what is queued on it). One 'drain' listener, one abort listener and one stall timer serve
  // every wait of the watch: a busy watch waits at many of its flushes (one of 16 KB or more fills the socket's
  // buffer until the next tick writes it out), and a timer and two listeners set up and torn down each time cost
  // more than the wait. The timer, once armed, stays until it fires or the watch ends; firing, it closes the
  // connection only when a wait has lasted stallTimeoutMs.
  const stallMs = w.stallTimeoutMs ?? DEFAULT_WATCH_STALL_TIMEOUT_MS;
  let drainWaiters: (() => void)[] = [];
  let waitingSince = 0;
  let stallTimer: NodeJS.Timeout | undefined;
  const releaseWaiters = () => {
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const checkStall = () => {
    stallTimer = undefined;
    if (drainWaiters.length === 0) return;
    const left = waitingSince + stallMs - performance.now();
    if (left > 0) stallTimer = setTimeout(checkStall, left);
    else {
      res.destroy();
      releaseWaiters();
    }
  };
  res.on('drain', releaseWaiters);
  abort.signal.addEventListener('abort', releaseWaiters, { once: true });
  // The socket a flush writes to directly (see writeOut), with its own 'drain' listener, once one was.
  let rawSocket: Socket | undefined;
  /**
   * Writes a flush's bytes. Straight to the connection's socket once the response holds nothing back (its headers
   * went out): a write through the response corks the socket, schedules its uncorking for the next tick and then
   * writes from the socket's buffer, for every watcher at every flush. Through the response while it still holds
   * bytes, or has no socket yet (a pipelined request's response waits for the one before it).
   */
  const writeOut = (bytes: Buffer): boolean => {
    const socket = res.socket;
    if (socket && !socket.destroyed && res.writableLength === socket.writableLength) {
      if (rawSocket !== socket) {
        rawSocket?.off('drain', releaseWaiters);
        rawSocket = socket;
        socket.on('drain', releaseWaiters);
      }
      return socket.write(bytes);
    }
    return res.write(bytes);
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      if (drainWaiters.length === 0) waitingSince = performance.now();
      drainWaiters.push(resolve);
      stallTimer ??= setTimeout(checkStall, stallMs);
    });
  // Lines are queued and written by the shared flush (see scheduleFlush): one socket write per watcher for all the
  // lines of a few milliseconds when events come fast. A full socket holds the next lines back until it drains.
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let full: Promise<void> | undefined;
  const flush = () => {
    const lines = queued;
    queued = [];
    queuedBytes = 0;
    if (lines.length === 0 || res.destroyed || res.writableEnded) return;
    const ok = writeOut(chunkOf(lines, framed));
    if (!ok && !abort.signal.aborted) {
      const waiting: Promise<void> = drained().then(() => {
        if (full === waiting) full = undefined;
      });
      full = waiting;
    }
  };
  const enqueue = (chunk: string | Buffer): void => {
    const line = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    queued.push(line);
    queuedBytes += line.length;
    if (queuedBytes >= WATCH_WRITE_BYTES) {
      unscheduleFlush(flush);
      flush();
    } else scheduleFlush(flush);
  };
  // Queues a line, at once unless the socket is full: a promise only when there is something to wait for (a busy
  // watch queues thousands of lines a second, each of which would otherwise take turns through the microtask queue).
  const write = (chunk: string | Buffer): Promise<void> | undefined => {
    if (full) return full.then(() => enqueue(chunk));
    enqueue(chunk);
    return undefined;
  };
  const send = (ev: StoredEvent | undefined, type: string, obj: KubeObject): Promise<void> | undefined => {
    if (w.table) {
      const line = w.table(type, obj, firstTableEvent);
      firstTableEvent = false;
      return write(line);
    }
    if (pb) return write(eventFrame(w.handle, ev, type, obj));
    return write(
      ev
        ? eventLine(w.handle, ev, type, obj)
        : `{"type":${JSON.stringify(type)},"object":${objectJSON(w.handle, obj)}}\n`,
    );
  };
  try {
    const prefix = w.handle.store.prefix(w.namespace);
    let from: number;
    if (w.sendInitialEvents || !w.resourceVersion || w.resourceVersion === '0') {
      const listed = await w.storage.list(prefix, {
        filter: w.filter.everything ? undefined : (o) => w.filter.matches(o),
      });
      for (const obj of listed.items) {
        if (abort.signal.aborted) return;
        const pending = send(undefined, 'ADDED', obj);
        if (pending) await pending;
      }
      from = listed.revision;
      if (w.sendInitialEvents) await write(bookmarkLine(w.handle, from, pb, true));
    } else {
      from = parseResourceVersion(w.resourceVersion);
      if (from < w.storage.compactedRevision()) {
        await write(
          errorLine(pb, 410, 'Expired', `too old resource version: ${from} (${w.storage.compactedRevision()})`),
        );
        return;
      }
    }
    const iter = w.storage.watch(prefix, from, {
      signal: abort.signal,
      progressIntervalMs: w.allowBookmarks ? w.bookmarkIntervalMs : undefined,
    });
    // The line of one item (a promise when the socket is full).
    const deliver = (item: WatchItem): Promise<void> | undefined => {
      if (item.type === 'PROGRESS') return write(bookmarkLine(w.handle, item.revision, pb));
      const nowMatches = w.filter.everything || w.filter.matches(item.object);
      const wasMatching = item.prevObject !== undefined && (w.filter.everything || w.filter.matches(item.prevObject));
      switch (item.type) {
        case 'ADDED':
          return nowMatches ? send(item, 'ADDED', item.object) : undefined;
        case 'MODIFIED':
          if (nowMatches && wasMatching) return send(item, 'MODIFIED', item.object);
          if (nowMatches) return send(item, 'ADDED', item.object);
          return wasMatching ? send(undefined, 'DELETED', leftSelector(item)) : undefined;
        case 'DELETED':
          return wasMatching || (item.prevObject === undefined && nowMatches)
            ? send(item, 'DELETED', item.object)
            : undefined;
      }
    };
    // As `for await (const item of iter)`, and what the iterator has at hand after an item is taken at once
    // (WatchCursor): a batch of events goes out in one step instead of a promise and an await per event.
    const it: AsyncIterator<WatchItem> & Partial<WatchCursor> = iter[Symbol.asyncIterator]();
    let ended = false;
    try {
      watching: for (;;) {
        let step: IteratorResult<WatchItem>;
        try {
          step = await it.next();
        } catch (err) {
          ended = true; // an iterator that threw is done (for await does not close it either)
          throw err;
        }
        if (step.done) {
          ended = true;
          break;
        }
        for (let item: WatchItem | undefined = step.value; item !== undefined; item = it.takeNow?.()) {
          if (abort.signal.aborted) break watching;
          const pending = deliver(item);
          if (pending) await pending;
        }
      }
    } finally {
      if (!ended) await it.return?.();
    }
  } catch (err) {
    if (isStorageError(err, 'Expired')) {
      await write(errorLine(pb, 410, 'Expired', err.message))?.catch(() => {});
    } else if (isStorageError(err, 'TooSlow')) {
      // the client could not keep up: end the stream, it re-lists and re-watches
    } else if (!abort.signal.aborted) {
      const message = err instanceof Error ? err.message : String(err);
      await write(errorLine(pb, 500, 'InternalError', `Internal error occurred: ${message}`))?.catch(() => {});
    }
  } finally {
    unscheduleFlush(flush);
    flush();
    rawSocket?.off('drain', releaseWaiters);
    if (timer) clearTimeout(timer);
    if (stallTimer) clearTimeout(stallTimer);
    w.serverSignal.removeEventListener('abort', onServerAbort);
    abort.abort();
    if (!res.writableEnded && !res.destroyed) {
      if (framed) res.end(LAST_CHUNK);
      else res.end();
    }
  }
}

/** The previous state of an object that stopped matching, stamped with the revision of that change. */
function leftSelector(ev: StoredEvent): KubeObject {
  const old = clone(ev.prevObject!);
  old.metadata.resourceVersion = String(ev.revision);
  return deepFreeze(old);
}

function errorLine(pb: boolean, code: number, reason: string, message: string): string | Buffer {
  const status: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (pb) return watchFrame('ERROR', encodeObject(status as unknown as Record<string, unknown>));
  return `{"type":"ERROR","object":${JSON.stringify(status)}}\n`;
}

function bookmarkLine(
  handle: ResourceHandle,
  revision: number,
  pb: boolean,
  initialEventsEnd = false,
): string | Buffer {
  const metadata: Record<string, unknown> = { resourceVersion: String(revision), creationTimestamp: null };
  if (initialEventsEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
  const obj = { kind: handle.def.kind, apiVersion: handle.view.groupVersion, metadata };
  if (pb) return watchFrame('BOOKMARK', encodeObject(obj));
  return `{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`;
}
