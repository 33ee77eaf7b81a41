/**
 * The retained event history of a store in memory: every committed event after the compacted revision, in
 * revision order. Serves watch replays and reads at older revisions. Positions returned by the lookup methods
 * are only valid until the next `dropThrough`, so callers use them within one synchronous section.
 */
import type { StoredEvent } from '../interface.js';

/** The retained events; appended when a batch is applied, dropped by compaction. */
export class History {
  private events: StoredEvent[] = [];
  /** Index of the oldest retained event in `events` (dropping is O(1) amortized). */
  private head = 0;

  /** Number of retained events. */
  get length(): number {
    return this.events.length - this.head;
  }

  /** Appends a committed event; revisions must strictly increase. */
  append(event: StoredEvent): void {
    const last = this.events[this.events.length - 1];
    if (this.length > 0 && last !== undefined && last.revision >= event.revision) {
      throw new Error(`history out of order: ${event.revision} after ${last.revision}`);
    }
    this.events.push(event);
  }

  /** The `n`-th oldest retained event (0-based), or undefined past the end. */
  nth(n: number): StoredEvent | undefined {
    return n < 0 ? undefined : this.events[this.head + n];
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
    const newHead = this.positionAfter(revision);
    const dropped = newHead - this.head;
    if (newHead === this.events.length) {
      this.events = [];
      this.head = 0;
    } else if (newHead > 1024 && newHead * 2 > this.events.length) {
      this.events = this.events.slice(newHead);
      this.head = 0;
    } else {
      this.head = newHead;
    }
    return dropped;
  }
}
