/**
 * The watch cache's window of recent events in memory: every event after the window's start, in revision order,
 * each with its serialized size and the time it entered the window (what the window is bounded by). Serves
 * watch replays and reads at older revisions. Positions returned by the lookup methods are only valid until the
 * next drop, so callers use them within one synchronous section.
 */
import type { StoredEvent } from '../interface.js';

/** The retained events; appended when events are applied, dropped from the oldest end. */
export class History {
  private events: StoredEvent[] = [];
  private sizes: number[] = [];
  private times: number[] = [];
  /** Index of the oldest retained event in the arrays (dropping is O(1) amortized). */
  private head = 0;
  private total = 0;

  /** Number of retained events. */
  get length(): number {
    return this.events.length - this.head;
  }

  /** Sum of the retained events' sizes. */
  get bytes(): number {
    return this.total;
  }

  /** Appends an event (`bytes`: its accounted size; `time`: when it entered); revisions must strictly increase. */
  append(event: StoredEvent, bytes = 0, time = 0): void {
    const last = this.events[this.events.length - 1];
    if (this.length > 0 && last !== undefined && last.revision >= event.revision) {
      throw new Error(`history out of order: ${event.revision} after ${last.revision}`);
    }
    this.events.push(event);
    this.sizes.push(bytes);
    this.times.push(time);
    this.total += bytes;
  }

  /** The `n`-th oldest retained event (0-based), or undefined past the end. */
  nth(n: number): StoredEvent | undefined {
    return n < 0 ? undefined : this.events[this.head + n];
  }

  /** When the oldest retained event entered (undefined when empty). */
  oldestTime(): number | undefined {
    return this.length > 0 ? this.times[this.head] : undefined;
  }

  /** The position of the first retained event with revision > `revision` (== `end()` when none). */
  positionAfter(revision: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** One past the last position. */
  end(): number {
    return this.events.length;
  }

  at(position: number): StoredEvent {
    return this.events[position]!;
  }

  /** The retained events with revision > `revision`, oldest first. */
  *after(revision: number): IterableIterator<StoredEvent> {
    const end = this.events.length;
    for (let i = this.positionAfter(revision); i < end; i++) yield this.events[i]!;
  }

  /** Forgets every event with revision <= `revision`; returns how many were dropped. */
  dropThrough(revision: number): number {
    return this.dropTo(this.positionAfter(revision));
  }

  /** Forgets the `n` oldest events; returns the revision of the last one dropped (undefined when none). */
  dropOldest(n: number): number | undefined {
    if (n <= 0 || this.length === 0) return undefined;
    const newHead = Math.min(this.head + n, this.events.length);
    const last = this.events[newHead - 1]!.revision;
    this.dropTo(newHead);
    return last;
  }

  private dropTo(newHead: number): number {
    const dropped = newHead - this.head;
    for (let i = this.head; i < newHead; i++) {
      this.total -= this.sizes[i]!;
      this.events[i] = undefined as unknown as StoredEvent; // released at once, not at the next slice
    }
    if (newHead === this.events.length) {
      this.events = [];
      this.sizes = [];
      this.times = [];
      this.head = 0;
      this.total = 0;
    } else if (newHead > 1024 && newHead * 2 > this.events.length) {
      this.events = this.events.slice(newHead);
      this.sizes = this.sizes.slice(newHead);
      this.times = this.times.slice(newHead);
      this.head = 0;
    } else {
      this.head = newHead;
    }
    return dropped;
  }
}
