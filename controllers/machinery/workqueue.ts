/**
 * The rate-limited work queue of client-go's util/workqueue: a deduplicating FIFO of keys with dirty and
 * processing sets (a key is never handed to two workers at once), delayed adds on the injected clock, and
 * per-key exponential retries combined with an overall token bucket. Delayed keys wait in one heap under one
 * clock timer (client-go's delaying queue does the same), not a timer each: a thousand nodes' heartbeats are a
 * thousand heap entries, not a thousand Timeouts.
 */
import { QueueMetrics } from './metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimit.js';
import type { Clock, Logger, WorkQueue } from './types.js';

/** Options of a RateLimitingQueue; only the clock is required. */
export interface RateLimitingQueueOptions {
  clock: Clock;
  /** Default: client-go's DefaultControllerRateLimiter (5 ms doubling to 1000 s per key; 10 qps, burst 100). */
  rateLimiter?: RateLimiter;
  /** The most keys waiting at once (default 100 000); further new keys are dropped with a warning. */
  maxLength?: number;
  /** For the queue's name in warnings. */
  name?: string;
  log?: Logger;
}

/**
 * Semantics (as client-go):
 * - `add` of a key already waiting does nothing; of a key being processed marks it dirty, and `done` puts it
 *   back at the end of the queue, so a change seen during a sync is never lost nor processed concurrently.
 * - `addAfter` keeps the earliest pending time per key; `addRateLimited` = `addAfter(key, limiter.when(key))`.
 * - After `shutDown`, adds are ignored and `next` resolves undefined (waiting workers are released at once).
 */
export class RateLimitingQueue implements WorkQueue {
  private queue: string[] = [];
  private head = 0;
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  /** Delayed keys: the earliest time each is due, and a min-heap of (readyAt, seq) entries (stale ones skipped). */
  private readonly waiting = new Map<string, Delayed>();
  private readonly heap: Delayed[] = [];
  private seq = 0;
  /** The one clock timer, for the heap's earliest entry, and when it fires. */
  private timer?: { id: number };
  private timerAt = Infinity;
  private waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly maxLength: number;
  private dropped = 0;
  private readonly metrics: QueueMetrics;

  constructor(private readonly opts: RateLimitingQueueOptions) {
    this.clock = opts.clock;
    this.limiter = opts.rateLimiter ?? defaultControllerRateLimiter(opts.clock);
    this.maxLength = opts.maxLength ?? 100_000;
    this.metrics = new QueueMetrics(this);
  }

  /** The `name` label of the queue's metrics (client-go's queue name). */
  get metricsName(): string {
    return this.opts.name ?? 'unnamed';
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    if (this.dirty.size >= this.maxLength) {
      if (this.dropped++ % 1000 === 0) {
        this.opts.log?.warn(
          { queue: this.opts.name, key, maxLength: this.maxLength, dropped: this.dropped },
          'work queue full: key dropped',
        );
      }
      return;
    }
    this.dirty.add(key);
    this.metrics.added(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const now = this.clock.now();
    const readyAt = now + ms;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    const entry: Delayed = { key, readyAt, seq: this.seq++ };
    this.waiting.set(key, entry); // an earlier entry of the key, still in the heap, is stale from now on
    heapPush(this.heap, entry);
    if (readyAt < this.timerAt) this.arm(now);
  }

  /** (Re)sets the one timer for the heap's earliest entry. */
  private arm(now: number): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const top = this.heap[0];
    if (!top || this.shuttingDown) return;
    this.timerAt = top.readyAt;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, top.readyAt - now));
  }

  /** Adds every key now due, then waits for the next. */
  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.readyAt <= now) {
      const e = heapPop(this.heap)!;
      if (this.waiting.get(e.key) !== e) continue; // superseded by an earlier time
      this.waiting.delete(e.key);
      this.add(e.key);
    }
    // Drop stale entries at the top, so that the timer is for a live one.
    while (this.heap.length > 0 && this.waiting.get(this.heap[0]!.key) !== this.heap[0]) heapPop(this.heap);
    this.arm(now);
  }

  addRateLimited(key: string): void {
    this.metrics.retried();
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  retries(key: string): number {
    return this.limiter.retries(key);
  }

  next(signal: AbortSignal): Promise<string | undefined> {
    if (this.shuttingDown || signal.aborted) return Promise.resolve(undefined);
    const key = this.pop();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter = (k: string | undefined) => {
        signal.removeEventListener('abort', onAbort);
        resolve(k);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  done(key: string): void {
    this.metrics.finished(key);
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
  }

  /** Keys waiting to be handed out (not those being processed or waiting for their time). */
  length(): number {
    return this.queue.length - this.head;
  }

  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.metrics.shutDown();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.waiting.clear();
    this.heap.length = 0;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** True once shutDown was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys scheduled by addAfter/addRateLimited and not yet added. */
  delayedLength(): number {
    return this.waiting.size;
  }

  /** Hands the key to a waiting worker, or appends it to the queue. */
  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      this.metrics.started(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  private pop(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head]!;
    this.queue[this.head] = '';
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.dirty.delete(key);
    this.processing.add(key);
    this.metrics.started(key);
    return key;
  }
}

interface Delayed {
  key: string;
  readyAt: number;
  /** Insertion order: keys due at the same time are added in the order they were scheduled. */
  seq: number;
}

function before(a: Delayed, b: Delayed): boolean {
  return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
}

function heapPush(h: Delayed[], e: Delayed): void {
  let i = h.length;
  h.push(e);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(e, h[p]!)) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = e;
}

function heapPop(h: Delayed[]): Delayed | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length === 0 || last === undefined) return top;
  let i = 0;
  const n = h.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && before(h[r]!, h[l]!) ? r : l;
    if (!before(h[c]!, last)) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = last;
  return top;
}
