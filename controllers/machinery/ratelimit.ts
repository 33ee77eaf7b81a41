/**
 * Rate limiters, as client-go's util/workqueue and util/flowcontrol have them: a token bucket (overall rate),
 * a per-item exponential backoff (retries), and the maximum of several (the default controller limiter).
 */
import type { Clock } from './types.js';

/** How long to wait before an item may be handled again; `forget` resets the item's history. */
export interface RateLimiter {
  /** The delay (ms) before `key` may be processed again; counts as one more failure of `key`. */
  when(key: string): number;
  forget(key: string): void;
  /** Failures of `key` since its last forget. */
  retries(key: string): number;
}

/**
 * A token bucket of `burst` tokens refilled at `qps` per second. `reserve()` always succeeds and says how long
 * the caller must wait for its token (tokens owed are counted, so many reservations space out at 1/qps).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(qps > 0) || !(burst >= 1))
      throw new Error(`TokenBucket: qps must be > 0 and burst >= 1 (got ${qps}, ${burst})`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes one token; returns the ms to wait until it is really available (0 when there is one now). */
  reserve(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Waits (on the clock) for a token; rejects with an AbortError when the signal aborts first. */
  async take(signal?: AbortSignal): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.clock.sleep(wait, signal);
  }
}

/** Per-item exponential backoff: base, 2×base, 4×base … capped at max (client-go: 5 ms to 1000 s). */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs = 5,
    readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap; Math.min handles it.
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(key: string): void {
    this.failures.delete(key);
  }
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/** An overall limit for every item together (client-go's BucketRateLimiter): no per-item history. */
export class BucketRateLimiter implements RateLimiter {
  constructor(private readonly bucket: TokenBucket) {}
  when(): number {
    return this.bucket.reserve();
  }
  forget(): void {}
  retries(): number {
    return 0;
  }
}

/** The longest delay of several limiters; retries are the largest any of them counts. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];
  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }
  when(key: string): number {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key));
    return delay;
  }
  forget(key: string): void {
    for (const l of this.limiters) l.forget(key);
  }
  retries(key: string): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.retries(key));
    return n;
  }
}

/** client-go's DefaultControllerRateLimiter: max(per-item 5 ms…1000 s, overall 10 qps with a burst of 100). */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialRateLimiter(5, 1_000_000),
    new BucketRateLimiter(new TokenBucket(10, 100, clock)),
  );
}
