/**
 * Controller expectations, as kubernetes/pkg/controller/controller_utils.go: a controller that creates or
 * deletes N objects for a key expects to observe N such events through its informers before it trusts its
 * caches again, so a slow watch never makes it act twice. Expectations expire after five minutes (a lost
 * watch event must not block a controller forever).
 */
import type { Clock, Logger } from './types.js';

/** How long expectations hold before a sync goes ahead regardless (upstream's ExpectationsTimeout). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

/** The creations and deletions still expected for a key, and when they were set. */
export interface Expectation {
  add: number;
  del: number;
  timestamp: number;
}

/**
 * Keys are the controller's keys (`namespace/name` of the owner). All methods are synchronous; call the
 * `expect*`/`raise` methods before issuing writes and the `observed` methods from informer handlers.
 */
export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();

  constructor(
    private readonly clock: Clock,
    private readonly log?: Logger,
    readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** A copy of the expectations of `key`, if any. */
  get(key: string): Expectation | undefined {
    const e = this.store.get(key);
    return e ? { ...e } : undefined;
  }

  /**
   * True when the controller may sync `key` from its caches: no expectations recorded, all observed (both
   * counts at or below zero), or recorded more than the timeout ago.
   */
  satisfied(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    if (this.clock.now() - e.timestamp > this.timeoutMs) {
      this.log?.debug({ key, add: e.add, del: e.del }, 'expectations expired');
      return true;
    }
    return false;
  }

  /** Replaces the expectations of `key` with `add` creations and `del` deletions, timestamped now. */
  setExpectations(key: string, add: number, del: number): void {
    this.store.set(key, { add, del, timestamp: this.clock.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.setExpectations(key, 0, dels);
  }

  /** Adds to the existing expectations of `key` (no-op without any); the timestamp is unchanged. */
  raiseExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add += add;
    e.del += del;
  }

  /** Subtracts from the existing expectations of `key` (no-op without any); the timestamp is unchanged. */
  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  /** One expected creation was seen (an informer add), or a create failed and will not be seen. */
  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  /** One expected deletion was seen (an informer delete), or a delete failed and will not be seen. */
  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  /** Forgets `key` (its owner is gone). */
  deleteExpectations(key: string): void {
    this.store.delete(key);
  }
}
