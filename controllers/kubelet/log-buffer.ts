/**
 * The log of one container instance, as the simulated container runtime keeps it: timestamped lines in a bounded
 * ring (the newest `maxLines` lines and `maxBytes` bytes; older lines are dropped as a rotated log file would be),
 * whether the instance still runs, and a way for `follow` readers to wait for what comes next. A reader holds a
 * sequence number, never a reference into the ring, so a slow reader costs nothing and skips what was dropped.
 * The kubelet's log store builds one when an instance's log is read and keeps it while a reader holds it
 * (log-store.ts).
 */

/** One log line. `ns` is the sub-millisecond part of its timestamp (0 … 999 999), so lines keep a strict order. */
export interface LogLine {
  /** Position in the log, counting every line ever appended (dropped ones included). */
  seq: number;
  /** Unix time in ms, and the nanoseconds within that millisecond. */
  ms: number;
  ns: number;
  stream: 'stdout' | 'stderr';
  text: string;
  /** UTF-8 bytes of the text plus its newline. */
  bytes: number;
}

/** How much one container instance's log holds. */
export interface LogLimits {
  maxLines: number;
  maxBytes: number;
  /** A longer line is cut to this many bytes (the runtime splits long lines; here the rest is dropped). */
  maxLineBytes: number;
}

/** The last 1,000 lines or 256 KiB, whichever is less; lines of at most 16 KiB (the CRI's line size). */
export const DEFAULT_LOG_LIMITS: Readonly<LogLimits> = Object.freeze({
  maxLines: 1000,
  maxBytes: 256 * 1024,
  maxLineBytes: 16 * 1024,
});

/** A timestamp as (ms, ns within the ms), compared as one number of nanoseconds without losing precision. */
export function compareStamp(aMs: number, aNs: number, bMs: number, bNs: number): number {
  return aMs !== bMs ? aMs - bMs : aNs - bNs;
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const buf = Buffer.from(text).subarray(0, max);
  // Drop a partial multi-byte sequence at the end.
  let end = buf.length;
  let i = end - 1;
  while (i >= 0 && (buf[i]! & 0xc0) === 0x80) i--;
  if (i >= 0) {
    const lead = buf[i]!;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (end - i < need) end = i;
  }
  return buf.subarray(0, end).toString();
}

/** The log of one container instance (identified by its containerID). */
export class ContainerLog {
  private lines: LogLine[] = [];
  /** Index of the oldest kept line in `lines` (lines before it were dropped; compacted now and then). */
  private head = 0;
  private bytes = 0;
  private nextSeq = 0;
  private lastMs = -Infinity;
  private lastNs = 0;
  private running: boolean;
  private closed = false;
  /** Followers waiting for what comes next (made when the first one waits: most logs are never followed). */
  private waiters?: Set<() => void>;

  constructor(
    readonly containerID: string,
    running: boolean,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {
    this.running = running;
  }

  /** Whether the instance still runs (a follower waits for more only then). */
  get isRunning(): boolean {
    return this.running && !this.closed;
  }

  /** Whether the log was thrown away (its pod is gone): followers end. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The number of lines and bytes held now. */
  get size(): { lines: number; bytes: number } {
    return { lines: this.lines.length - this.head, bytes: this.bytes };
  }

  /** The sequence number the next line will get. */
  get end(): number {
    return this.nextSeq;
  }

  /**
   * Appends a line written at `ms` (+ `ns`); a stamp not after the previous line's is moved just after it, so a
   * log never goes back in time. Ignored once the log is closed.
   */
  append(text: string, ms: number, ns = 0, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.closed) return;
    const line = truncateUtf8(text.replace(/\r?\n/g, ' '), this.limits.maxLineBytes);
    if (compareStamp(ms, ns, this.lastMs, this.lastNs) <= 0) {
      ms = this.lastMs;
      ns = this.lastNs + 1;
      if (ns > 999_999) {
        ms += 1;
        ns = 0;
      }
    }
    this.lastMs = ms;
    this.lastNs = ns;
    const entry: LogLine = { seq: this.nextSeq++, ms, ns, stream, text: line, bytes: Buffer.byteLength(line) + 1 };
    // A log's first line makes an array of one (a push onto an empty one reserves 17 slots): most logs hold one or two.
    if (this.lines.length === 0) this.lines = [entry];
    else this.lines.push(entry);
    this.bytes += entry.bytes;
    while (
      this.lines.length - this.head > this.limits.maxLines ||
      (this.bytes > this.limits.maxBytes && this.lines.length - this.head > 1)
    ) {
      this.bytes -= this.lines[this.head]!.bytes;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    this.wake();
  }

  /** The instance stopped: nothing more is written, followers end once they have read everything. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.wake();
  }

  /** Throws the log away (the pod is gone): followers end at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    this.lines = [];
    this.head = 0;
    this.bytes = 0;
    this.wake();
  }

  /** The kept lines from sequence number `from` on (from the oldest kept one when `from` was dropped). */
  read(from = 0): LogLine[] {
    const first = this.lines[this.head];
    if (!first) return [];
    const start = this.head + Math.max(0, from - first.seq);
    return this.lines.slice(start);
  }

  /** Resolves on the next append, stop or close, or when the signal aborts. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const waiters = (this.waiters ??= new Set());
      const done = () => {
        waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    if (this.waiters) for (const w of [...this.waiters]) w();
  }
}
