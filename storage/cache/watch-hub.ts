/**
 * Fan-out of committed events to watchers. A watch first replays the retained history after its starting
 * revision, then the live events published after it registered: registration and the end of the replay are
 * fixed in one synchronous step, so nothing is missed or delivered twice. Every watcher receives the same
 * frozen StoredEvent instances. Each watcher buffers at most `bufferLimit` live events; past that it is dropped
 * with StorageError 'TooSlow' (the store never blocks on a slow consumer).
 */
import { StorageError } from '../errors.js';
import type { ProgressEvent, StoredEvent, WatchCursor, WatchItem, WatchOptions } from '../interface.js';
import type { History } from './history.js';

/** What the hub reads from its store: the committed state it replays from. */
export interface WatchSource {
  readonly history: History;
  committedRevision(): number;
  compactedRevision(): number;
}

export interface WatchHubOptions {
  /** Live events a watcher may hold unread before it is dropped with 'TooSlow'. */
  bufferLimit: number;
}

/** One per store: creates watches and publishes each applied batch's events to them. */
export class WatchHub {
  private readonly byPrefix = new Map<string, Set<WatchIterator>>();
  private closed = false;

  constructor(
    readonly source: WatchSource,
    readonly options: WatchHubOptions,
  ) {}

  /** Number of registered watchers (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const set of this.byPrefix.values()) n += set.size;
    return n;
  }

  /** A watch as the Storage interface describes it; each iteration of the result is an independent watch. */
  watch(prefix: string, fromRevision: number, opts: WatchOptions): AsyncIterable<WatchItem> {
    return { [Symbol.asyncIterator]: () => new WatchIterator(this, prefix, fromRevision, opts) };
  }

  /**
   * Hands committed events (in revision order) to the watchers of matching prefixes. Called right after the
   * store's committed state includes them, in the same synchronous step.
   */
  publish(events: readonly StoredEvent[]): void {
    for (const [prefix, watchers] of this.byPrefix) {
      let matched: StoredEvent[] | undefined;
      for (const ev of events) if (ev.key.startsWith(prefix)) (matched ??= []).push(ev);
      if (matched) for (const w of watchers) w.deliver(matched);
    }
  }

  /** Ends every watch (their iterators finish) and refuses new ones. */
  closeAll(): void {
    this.closed = true;
    for (const watchers of [...this.byPrefix.values()]) for (const w of [...watchers]) w.finish();
  }

  /** @internal Registers a starting watcher; false when the hub is closed. */
  add(w: WatchIterator): boolean {
    if (this.closed) return false;
    let set = this.byPrefix.get(w.prefix);
    if (!set) this.byPrefix.set(w.prefix, (set = new Set()));
    set.add(w);
    return true;
  }

  /** @internal */
  remove(w: WatchIterator): void {
    const set = this.byPrefix.get(w.prefix);
    if (set?.delete(w) && set.size === 0) this.byPrefix.delete(w.prefix);
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

class WatchIterator implements AsyncIterableIterator<WatchItem>, WatchCursor {
  private started = false;
  private finished = false;
  private error: StorageError | undefined;
  /** Next revision to replay from the history, and the last revision the replay covers. */
  private replayNext = 0;
  private replayEnd = 0;
  private buffer: (StoredEvent | undefined)[] = [];
  private bufferHead = 0;
  private lastYield = Date.now();
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly onAbort = (): void => this.finish();
  /** Calls of next() whose step has not settled yet. */
  private waiting = 0;
  private readonly settled = (): void => {
    this.waiting--;
  };

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    private readonly fromRevision: number,
    private readonly opts: WatchOptions,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<WatchItem>> {
    // The common case of a busy watch: nothing pending, an event already buffered. It is handed over at once,
    // without the queue of promises a waiting step needs (three a call, for every event of every watcher).
    const item = this.takeNow();
    if (item) return Promise.resolve({ done: false, value: item });
    this.waiting++;
    const result = this.chain.then(() => this.step());
    this.chain = result.then(this.settled, this.settled);
    return result;
  }

  /**
   * The item next() would resolve with at once (nothing pending, an event at hand), without a promise; undefined
   * when next() has to wait or end (see {@link WatchCursor}).
   */
  takeNow(): WatchItem | undefined {
    if (this.waiting !== 0 || !this.started || this.finished || this.error !== undefined) return undefined;
    const item = this.replayOne() ?? this.shiftBuffer();
    if (item) this.lastYield = Date.now();
    return item;
  }

  return(): Promise<IteratorResult<WatchItem>> {
    this.finish();
    return Promise.resolve(DONE);
  }

  /** Called by the hub with the newly committed events under this watcher's prefix. */
  deliver(events: readonly StoredEvent[]): void {
    for (const ev of events) if (ev.revision > this.fromRevision) this.buffer.push(ev);
    if (this.buffer.length - this.bufferHead > this.hub.options.bufferLimit) {
      const limit = this.hub.options.bufferLimit;
      this.fail(
        new StorageError(
          'TooSlow',
          this.prefix,
          `watch of ${this.prefix} dropped: more than ${limit} events waiting to be read`,
        ),
      );
      return;
    }
    this.wake?.();
  }

  /** Ends the watch and releases its registration, abort listener and timer. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.hub.remove(this);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    this.buffer = [];
    this.bufferHead = 0;
    this.wake?.();
  }

  private fail(err: StorageError): void {
    if (this.finished) return;
    this.error = err;
    this.finish();
  }

  private start(): void {
    this.started = true;
    const source = this.hub.source;
    if (this.opts.signal.aborted) {
      this.finished = true;
      return;
    }
    if (!Number.isSafeInteger(this.fromRevision)) {
      this.finished = true;
      this.error = new StorageError(
        'Internal',
        this.prefix,
        `watch: fromRevision must be an integer, got ${String(this.fromRevision)}`,
      );
      return;
    }
    const compacted = source.compactedRevision();
    if (this.fromRevision < compacted) {
      this.finished = true;
      this.error = expired(this.prefix, this.fromRevision, compacted, source.committedRevision());
      return;
    }
    this.replayNext = this.fromRevision + 1;
    this.replayEnd = source.committedRevision();
    if (!this.hub.add(this)) {
      this.finished = true;
      return;
    }
    this.opts.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  private async step(): Promise<IteratorResult<WatchItem>> {
    if (!this.started) this.start();
    for (;;) {
      if (this.error) {
        const err = this.error;
        this.error = undefined;
        throw err;
      }
      if (this.finished) return DONE;
      const item = this.replayOne() ?? this.shiftBuffer();
      if (item) {
        this.lastYield = Date.now();
        return { done: false, value: item };
      }
      if (this.error) continue;
      const interval = this.opts.progressIntervalMs;
      if (interval === undefined || interval <= 0) {
        await this.sleep(undefined);
        continue;
      }
      const wait = this.lastYield + interval - Date.now();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      // Nothing buffered and the replay is done: every committed event under the prefix was delivered.
      this.lastYield = Date.now();
      const progress: ProgressEvent = { type: 'PROGRESS', revision: this.hub.source.committedRevision() };
      return { done: false, value: progress };
    }
  }

  /** The next retained event of the replay, or undefined once the replay is over (or expired). */
  private replayOne(): StoredEvent | undefined {
    if (this.replayNext > this.replayEnd) return undefined;
    const source = this.hub.source;
    const compacted = source.compactedRevision();
    if (this.replayNext <= compacted) {
      this.fail(expired(this.prefix, this.replayNext - 1, compacted, source.committedRevision()));
      return undefined;
    }
    const history = source.history;
    const end = history.end();
    for (let p = history.positionAfter(this.replayNext - 1); p < end; p++) {
      const ev = history.at(p);
      if (ev.revision > this.replayEnd) break;
      if (ev.key.startsWith(this.prefix)) {
        this.replayNext = ev.revision + 1;
        return ev;
      }
    }
    this.replayNext = this.replayEnd + 1;
    return undefined;
  }

  private shiftBuffer(): StoredEvent | undefined {
    if (this.bufferHead >= this.buffer.length) return undefined;
    const ev = this.buffer[this.bufferHead];
    this.buffer[this.bufferHead++] = undefined;
    if (this.bufferHead === this.buffer.length) {
      this.buffer = [];
      this.bufferHead = 0;
    } else if (this.bufferHead > 1024 && this.bufferHead * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.bufferHead);
      this.bufferHead = 0;
    }
    return ev;
  }

  /** Waits for a delivery, the end of the watch, or `ms` (the progress interval). */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        if (this.timer !== undefined) clearTimeout(this.timer);
        this.timer = undefined;
        resolve();
      };
      if (ms !== undefined) this.timer = setTimeout(this.wake, ms);
    });
  }
}

/** The 'Expired' error of a watch or read whose starting point was compacted away. */
export function expired(key: string, revision: number, compacted: number, current: number): StorageError {
  return new StorageError('Expired', key, `too old resource version: ${revision} (${compacted + 1})`, current);
}
