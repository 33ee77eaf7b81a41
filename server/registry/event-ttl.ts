import { storageKey, storagePrefix } from '../../apimachinery/keys.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { Storage } from '../../storage/interface.js';
import { isStorageError } from '../../storage/errors.js';

/** kube-apiserver's default `--event-ttl`: events live an hour after their last write. */
export const DEFAULT_EVENT_TTL_SECONDS = 3600;

interface EventTimes {
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  series?: { lastObservedTime?: string | null } | null;
}

/** The last moment an event was written (upstream renews an event's TTL on every write). */
export function lastActivity(ev: KubeObject): number {
  const t = ev as KubeObject & EventTimes;
  const candidates = [
    t.lastTimestamp,
    t.series?.lastObservedTime,
    t.eventTime,
    t.firstTimestamp,
    ev.metadata.creationTimestamp,
  ];
  let latest = 0;
  for (const c of candidates) {
    const ms = c ? Date.parse(c) : NaN;
    if (!Number.isNaN(ms) && ms > latest) latest = ms;
  }
  return latest;
}

/**
 * Expires core/v1 Events `ttlSeconds` after their last write, as kube-apiserver does with etcd leases, so a
 * long-running emulator does not accumulate them without bound. Sweeps every `sweepMs`.
 */
export class EventTTL {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly storage: Storage,
    private readonly opts: { ttlSeconds: number; sweepMs: number; log: { warn(obj: unknown, msg?: string): void } },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.opts.sweepMs);
    this.timer.unref();
  }

  /** Deletes every event whose last write is older than the TTL; returns how many went. */
  async sweep(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let removed = 0;
    try {
      const cutoff = now - this.opts.ttlSeconds * 1000;
      const listed = await this.storage.list(storagePrefix('events'), { filter: (ev) => lastActivity(ev) < cutoff });
      for (const ev of listed.items) {
        try {
          await this.storage.delete(storageKey('events', ev.metadata.namespace, ev.metadata.name!), {
            preconditions: { resourceVersion: ev.metadata.resourceVersion },
          });
          removed++;
        } catch (err) {
          // written again meanwhile (its TTL renewed) or already gone
          if (!isStorageError(err, 'Conflict') && !isStorageError(err, 'KeyNotFound')) throw err;
        }
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'event expiry failed; will retry');
    } finally {
      this.running = false;
    }
    return removed;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
