/**
 * A Kubernetes protobuf client for API tests, the way client-go talks when told to prefer protobuf: bodies as
 * `application/vnd.kubernetes.protobuf` envelopes, `Accept: application/vnd.kubernetes.protobuf,application/json`,
 * watches read as length-prefixed WatchEvent frames. The encoding itself is checked against upstream's
 * definitions in tests/unit/protobuf.
 */
import { decodeMessage } from '../../server/protobuf/codec.js';
import { decodeObject, encodeObject, PROTOBUF } from '../../server/protobuf/envelope.js';
import type { Json } from './http.js';

export const PB_ACCEPT = `${PROTOBUF},application/json`;

export interface PbResponse {
  status: number;
  contentType: string;
  /** The decoded object (protobuf or JSON), or the text. */
  body: Json;
  bytes: Buffer;
}

export async function pbRequest(
  url: string,
  method: string,
  opts: { body?: Json | Buffer; accept?: string; timeoutMs?: number } = {},
): Promise<PbResponse> {
  const headers: Record<string, string> = { Accept: opts.accept ?? PB_ACCEPT };
  let body: Buffer | undefined;
  if (opts.body !== undefined) {
    body = Buffer.isBuffer(opts.body) ? opts.body : encodeObject(opts.body);
    headers['Content-Type'] = PROTOBUF;
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30000) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const contentType = res.headers.get('content-type') ?? '';
  let decoded: Json = bytes.toString('utf8');
  if (contentType.startsWith(PROTOBUF)) decoded = decodeObject(bytes).object;
  else if (contentType.includes('json') && bytes.length > 0) decoded = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, contentType, body: decoded, bytes };
}

export interface PbWatchEvent {
  type: string;
  object: Json;
}

/** A protobuf watch: frames are decoded as they arrive; `next()` takes them in order. */
export class PbWatch {
  readonly received: PbWatchEvent[] = [];
  private taken = 0;
  private waiters: Array<() => void> = [];
  private ended = false;
  contentType = '';

  private constructor(private readonly abort: AbortController) {}

  static async open(url: string): Promise<PbWatch> {
    const abort = new AbortController();
    const w = new PbWatch(abort);
    const res = await fetch(url, { headers: { Accept: PB_ACCEPT }, signal: abort.signal });
    w.contentType = res.headers.get('content-type') ?? '';
    void w.pump(res);
    return w;
  }

  private async pump(res: Response): Promise<void> {
    let pending = Buffer.alloc(0);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        pending = Buffer.concat([pending, chunk]);
        while (pending.length >= 4) {
          const len = pending.readUInt32BE(0);
          if (pending.length < 4 + len) break;
          const ev = decodeMessage(
            'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
            pending.subarray(4, 4 + len),
          ) as unknown as PbWatchEvent;
          this.received.push(ev);
          pending = pending.subarray(4 + len);
          for (const wake of this.waiters.splice(0)) wake();
        }
      }
    } catch {
      // aborted
    } finally {
      this.ended = true;
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  async next(timeoutMs = 10000): Promise<PbWatchEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.taken >= this.received.length) {
      if (this.ended) throw new Error('watch ended');
      if (Date.now() > deadline) throw new Error(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.received[this.taken++]!;
  }

  close(): void {
    this.abort.abort();
  }
}
