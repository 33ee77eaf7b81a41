/**
 * A watch read the way a client reads it: `fetch` resolves when the headers arrive, then the body is read
 * line by line, one JSON event per line. Events queue up until a test takes them with `next()`.
 */
import type { Json } from './http.js';

export interface WatchEvent {
  type: string;
  object: Json;
}

export class WatchStream {
  /** Every event received so far, taken or not. */
  readonly received: WatchEvent[] = [];
  private readonly queue: WatchEvent[] = [];
  private waiters: Array<() => void> = [];
  private done = false;
  private closedByTest = false;
  private failure: unknown;
  /** Resolves when the stream ends (server closed it, or `close()`). */
  readonly ended: Promise<void>;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.ended = this.pump();
  }

  /**
   * Opens a watch. Rejects when the response headers do not arrive within `headersTimeoutMs` (default 15 s);
   * a non-200 reply is returned as is (check `status`).
   */
  static async open(
    url: string,
    opts: { headers?: Record<string, string>; headersTimeoutMs?: number } = {},
  ): Promise<WatchStream> {
    const abort = new AbortController();
    const timeoutMs = opts.headersTimeoutMs ?? 15000;
    const timer = setTimeout(
      () => abort.abort(new Error(`watch ${url}: no response headers within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let res: Response;
    try {
      res = await fetch(url, { headers: opts.headers ?? {}, signal: abort.signal });
    } finally {
      clearTimeout(timer);
    }
    return new WatchStream(res, abort);
  }

  get status(): number {
    return this.response.status;
  }
  get headers(): Headers {
    return this.response.headers;
  }
  /** True once the stream has ended. */
  get isEnded(): boolean {
    return this.done;
  }
  /** Events received and not yet taken. */
  get pending(): readonly WatchEvent[] {
    return this.queue;
  }

  private async pump(): Promise<void> {
    const body = this.response.body;
    try {
      if (!body) return;
      const reader = body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) this.push(JSON.parse(line) as WatchEvent);
        }
      }
      buf += decoder.decode();
      if (buf.trim()) this.push(JSON.parse(buf) as WatchEvent);
    } catch (err) {
      if (!this.closedByTest) this.failure = err;
    } finally {
      this.done = true;
      this.wake();
    }
  }

  private push(ev: WatchEvent): void {
    this.received.push(ev);
    this.queue.push(ev);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private describe(): string {
    return this.received
      .map(
        (e) =>
          `${e.type} ${e.object?.metadata?.name ?? e.object?.reason ?? ''}@${e.object?.metadata?.resourceVersion ?? ''}`,
      )
      .join(', ');
  }

  /** The next event, or undefined when the stream ended first; throws after `timeoutMs` (default 20 s) without either. */
  async nextOrEnd(timeoutMs = 20000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.queue.length > 0) return this.queue.shift();
      if (this.done) {
        if (this.failure) throw new Error(`watch failed: ${String(this.failure)}; received: ${this.describe()}`);
        return undefined;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no watch event within ${timeoutMs} ms; received so far: [${this.describe()}]`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next event; throws when the stream ends first or nothing arrives within `timeoutMs`. */
  async next(timeoutMs = 20000): Promise<WatchEvent> {
    const ev = await this.nextOrEnd(timeoutMs);
    if (!ev) throw new Error(`watch ended; received: [${this.describe()}]`);
    return ev;
  }

  /** The next `n` events. */
  async take(n: number, timeoutMs = 20000): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next(timeoutMs));
    return out;
  }

  /** Skips events (e.g. bookmarks) until one satisfies `pred`; returns it. */
  async nextMatching(pred: (ev: WatchEvent) => boolean, timeoutMs = 20000): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ev = await this.next(Math.max(1, deadline - Date.now()));
      if (pred(ev)) return ev;
    }
  }

  /** Waits `ms` and returns whatever arrived meanwhile (taking it). */
  async drainFor(ms: number): Promise<WatchEvent[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0, this.queue.length);
  }

  /** Waits for the end of the stream (throws after `timeoutMs`); returns the events not yet taken. */
  async untilEnd(timeoutMs = 20000): Promise<WatchEvent[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const r = await Promise.race([this.ended.then(() => 'ended' as const), timeout]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`watch did not end within ${timeoutMs} ms; received: [${this.describe()}]`);
    if (this.failure) throw new Error(`watch failed: ${String(this.failure)}`);
    return this.queue.splice(0, this.queue.length);
  }

  /** Ends the stream from the client side. */
  close(): void {
    if (this.done) return;
    this.closedByTest = true;
    this.abort.abort();
  }
}

/** The resourceVersion of a watch event's object as a number. */
export function rvOf(ev: WatchEvent | { metadata: { resourceVersion: string } }): number {
  const meta = 'object' in ev ? ev.object.metadata : ev.metadata;
  return Number(meta.resourceVersion);
}
