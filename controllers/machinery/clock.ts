/**
 * Clocks: the real one for the process, a fake one for tests. Everything in the controller manager that waits
 * goes through a Clock, so a test advances time by hand and never sleeps.
 */
import type { Clock, Timer } from './types.js';

/** The error `sleep` rejects with when its signal aborts (name `AbortError`, as fetch and timers/promises use). */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('The operation was aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

/** True for the errors an aborted signal produces (ours, fetch's, timers/promises'). */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR');
}

/** Resolves after `ms` on `clock`, or rejects with an AbortError as soon as the signal aborts. */
export function sleepOn(
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const id = this.nextId++;
    const handle = setTimeout(
      () => {
        this.timers.delete(id);
        fn();
      },
      Math.max(0, ms),
    );
    this.timers.set(id, handle);
    return { id };
  }
  clearTimeout(timer: Timer): void {
    const handle = this.timers.get(timer.id);
    if (handle !== undefined) {
      clearTimeout(handle);
      this.timers.delete(timer.id);
    }
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

/** Wall-clock time and Node's timers. */
export const realClock: Clock = new RealClock();

interface FakeTimer {
  id: number;
  due: number;
  fn: () => void;
}

/**
 * A clock that moves only when told. Timers fire in order of due time (then of creation) during `advance`;
 * a timer created by a firing timer fires in the same `advance` if it falls due within it.
 */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  /** Starts at `start` ms since the epoch (default 2024-01-01T00:00:00Z). */
  constructor(start = Date.UTC(2024, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): Timer {
    const timer: FakeTimer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    // Keep sorted by (due, id): insert after every timer due at the same time or earlier.
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.due > timer.due) i--;
    this.timers.splice(i, 0, timer);
    return { id: timer.id };
  }
  clearTimeout(timer: Timer): void {
    const i = this.timers.findIndex((t) => t.id === timer.id);
    if (i >= 0) this.timers.splice(i, 1);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously and in order. */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      const first = this.timers[0];
      if (!first || first.due > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, first.due);
      first.fn();
    }
    this.current = target;
  }

  /**
   * Like `advance`, but lets promise callbacks and I/O callbacks run after each timer fires (and before the
   * first), so code that awaits a `sleep` and then schedules the next timer is followed through.
   */
  async tick(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await settle();
    for (;;) {
      const first = this.timers[0];
      if (!first || first.due > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, first.due);
      first.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** The number of timers not yet fired. */
  pending(): number {
    return this.timers.length;
  }

  /** When the next timer falls due (ms since the epoch), or undefined without timers. */
  nextDue(): number | undefined {
    return this.timers[0]?.due;
  }
}

/** Resolves after pending promise callbacks and one turn of the event loop have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
