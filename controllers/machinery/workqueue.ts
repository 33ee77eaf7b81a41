/**
 * The rate-limited work queue of client-go's util/workqueue: a deduplicating FIFO of keys with dirty and
 * processing sets (a key is never handed to two workers at once), delayed adds on the injected clock, and
 * per-key exponential retries combined with an overall token bucket.
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
  private readonly waiting = new Map<string, { readyAt: number; timer: { id: number } }>();
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
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
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
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
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
