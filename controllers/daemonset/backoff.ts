/**
 * Per-key exponential back-off (client-go's flowcontrol.Backoff, without jitter), used to pace the deletion of
 * failed daemon pods per (DaemonSet, node) so the controller does not fight a kubelet that keeps rejecting pods.
 */
import type { Clock } from '../machinery/types.js';

interface Entry {
  backoff: number;
  lastUpdate: number;
}

/** Back-off of the failed-pod deletions: 1 s doubling up to 15 min (kube-controller-manager's values). */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly initialMs = 1000,
    readonly maxMs = 15 * 60 * 1000,
  ) {}

  /** The current delay of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Records an event for `key` at `now`: first (or after 2×max of quiet) the initial delay, then double, capped. */
  next(key: string, now = this.clock.now()): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) {
      this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoff = Math.min(e.backoff * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** Whether `key` is still within its delay since its last event. */
  isInBackOffSinceUpdate(key: string, now = this.clock.now()): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** Forgets entries quiet for more than twice the maximum delay. */
  gc(now = this.clock.now()): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }

  /** The number of keys tracked. */
  get size(): number {
    return this.entries.size;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }
}
