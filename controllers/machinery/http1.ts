/**
 * HTTP/1.1 requests whose answers are read whole (every request of the controller manager but its watches), on
 * keep-alive connections of its own: a request is one write of its head and body, an answer is parsed from the
 * socket's chunks (Content-Length, chunked, or up to the close) into one string.
 *
 * Node's http client (an Agent, a ClientRequest, an IncomingMessage stream and their events per request) cost the
 * controller manager ~140-170 µs of CPU a request once warm and ~390 µs cold, against ~40-65 µs for the same pod
 * creates on bare sockets (docs/performance.md, "The controller manager's HTTP client"): at 2-3 requests a pod, a
 * fifth of its CPU in a DaemonSet's rollout.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type * as Tls from 'node:tls';
import { createRequire } from 'node:module';

let tlsModule: typeof Tls | undefined;
/** node:tls, loaded for the first https server (a plain HTTP server needs none of it). */
function tls(): typeof Tls {
  tlsModule ??= createRequire(import.meta.url)('node:tls') as typeof Tls;
  return tlsModule;
}

/** An answer read whole. Header names are lower case; repeated headers are joined with `, `. */
export interface TextResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: Record<string, string>;
  text: string;
}

export interface Http1Request {
  method: string;
  /** The path and query. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * How long the request may take, connecting included; then its connection is destroyed and it rejects with a
   * DOMException named TimeoutError (as `AbortSignal.timeout`'s abort), without a signal and its listeners.
   */
  timeoutMs?: number;
}

/** The error of a request past its `timeoutMs`. */
function timeoutError(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

export interface Http1Options {
  /** https: the server's certificate is checked against `ca` (PEM) when given, else the system's roots. */
  tls?: { ca?: string; insecureSkipTLSVerify?: boolean };
  /** Idle connections kept at most (Node's Agent: 256). */
  maxIdle?: number;
}

/** The longest answer head read (status line and headers), as Node's parser bounds it. */
const MAX_HEAD_BYTES = 16 * 1024;

/** A connection's failure before its answer was complete, with what was known of it. */
class ConnectionFailure extends Error {
  constructor(
    override readonly cause: unknown,
    /** Nothing of the answer had arrived, on a connection that had served an answer before. */
    readonly staleReuse: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** One keep-alive connection and the answer it is reading. */
class Connection {
  /** Answers it completed (a reused connection that fails before any byte of an answer may have been closed idle). */
  served = 0;
  private chunks: Buffer[] = [];
  private head: Buffer | undefined;
  private response: { status: number; statusText: string; headers: Record<string, string> } | undefined;
  /** The body's framing once the head is read: its length, chunked, or up to the close. */
  private framing: { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' } | undefined;
  private bodyParts: Buffer[] = [];
  private received = 0;
  private done?: (err: unknown, res?: TextResponse) => void;
  private closeAfter = false;
  private noBody = false;
  private isClosed = false;

  /** `onClose` is called once the connection has closed. */
  constructor(
    readonly socket: Socket,
    onClose: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('close', () => {
      this.isClosed = true;
      if (this.framing?.kind === 'close' && this.response) this.complete();
      else this.fail(new Error('the connection closed before the answer was complete'));
      onClose(this);
    });
    socket.on('error', (err) => this.fail(err));
  }

  get usable(): boolean {
    return !this.isClosed && !this.socket.destroyed && !this.closeAfter;
  }

  /** Sends one request and resolves with its answer; one request at a time. */
  send(request: string, noBody: boolean): Promise<TextResponse> {
    return new Promise((resolve, reject) => {
      this.chunks = [];
      this.head = undefined;
      this.response = undefined;
      this.framing = undefined;
      this.bodyParts = [];
      this.received = 0;
      this.noBody = noBody;
      this.done = (err, res) => (err ? reject(err) : resolve(res!));
      this.socket.write(request);
    });
  }

  destroy(err?: Error): void {
    this.socket.destroy(err);
  }

  private fail(err: unknown): void {
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    this.socket.destroy();
    done(new ConnectionFailure(err, this.received === 0 && this.served > 0));
  }

  private onData(chunk: Buffer): void {
    if (!this.done) {
      // bytes nobody asked for: the connection is out of step
      this.socket.destroy();
      return;
    }
    this.received += chunk.length;
    if (!this.response) {
      const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) this.fail(new Error('the answer head is too large'));
        else this.head = buf;
        return;
      }
      if (!this.parseHead(buf.toString('latin1', 0, end))) return;
      chunk = buf.subarray(end + 4);
      // an interim answer (100 Continue) is followed by the real one
      if (this.response!.status >= 100 && this.response!.status < 200) {
        this.response = undefined;
        this.head = undefined;
        if (chunk.length > 0) this.onData(chunk);
        return;
      }
    }
    this.onBody(chunk);
  }

  /** Reads the status line and headers; false when they are not HTTP/1.x (the request failed). */
  private parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) {
      this.fail(new Error(`not an HTTP/1.1 answer: ${JSON.stringify((lines[0] ?? '').slice(0, 100))}`));
      return false;
    }
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    const status = Number(m[1]);
    this.response = { status, statusText: m[2] ?? '', headers };
    if (/(?:^|,)\s*close\s*(?:,|$)/i.test(headers.connection ?? '') || lines[0]!.startsWith('HTTP/1.0'))
      this.closeAfter = true;
    if (this.noBody || status === 204 || status === 304) {
      this.framing = { kind: 'length', left: 0 };
    } else if (/(?:^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '')) {
      this.framing = { kind: 'chunked' };
    } else if (headers['content-length'] !== undefined) {
      const left = Number(headers['content-length']);
      if (!/^\d+$/.test(headers['content-length']) || !Number.isSafeInteger(left)) {
        this.fail(new Error(`invalid content-length ${JSON.stringify(headers['content-length'])}`));
        return false;
      }
      this.framing = { kind: 'length', left };
    } else {
      this.framing = { kind: 'close' };
      this.closeAfter = true;
    }
    return true;
  }

  private onBody(chunk: Buffer): void {
    const framing = this.framing!;
    if (framing.kind === 'close') {
      if (chunk.length > 0) this.bodyParts.push(chunk);
      return;
    }
    if (framing.kind === 'length') {
      if (chunk.length > framing.left) {
        // more than the answer: the connection is out of step, and is not used again
        this.closeAfter = true;
        chunk = chunk.subarray(0, framing.left);
      }
      if (chunk.length > 0) this.bodyParts.push(chunk);
      framing.left -= chunk.length;
      if (framing.left === 0) this.complete();
      return;
    }
    // chunked: what is not a whole piece yet waits in `chunks`
    this.chunks.push(chunk);
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    for (;;) {
      const eol = buf.indexOf('\r\n');
      if (eol < 0) break;
      const sizeText = buf.toString('latin1', 0, eol).split(';')[0]!.trim();
      const size = /^[0-9a-fA-F]{1,12}$/.test(sizeText) ? Number.parseInt(sizeText, 16) : Number.NaN;
      if (Number.isNaN(size)) {
        this.fail(new Error(`invalid chunk size ${JSON.stringify(sizeText.slice(0, 20))}`));
        return;
      }
      if (size === 0) {
        // the last chunk, then trailers (each a line) up to an empty line
        const rest = buf.subarray(eol + 2);
        if (!(rest.length >= 2 && rest[0] === 13 && rest[1] === 10) && rest.indexOf('\r\n\r\n') < 0) break;
        this.chunks = [];
        this.complete();
        return;
      }
      if (buf.length < eol + 2 + size + 2) break;
      this.bodyParts.push(buf.subarray(eol + 2, eol + 2 + size));
      buf = buf.subarray(eol + 2 + size + 2);
    }
    this.chunks = buf.length > 0 ? [buf] : [];
  }

  private complete(): void {
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    this.served++;
    const r = this.response!;
    const parts = this.bodyParts;
    this.bodyParts = [];
    const text =
      parts.length === 0 ? '' : parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
    done(undefined, { ...r, ok: r.status >= 200 && r.status < 300, text });
  }
}

/** HTTP/1.1 keep-alive connections to one server, for requests whose answers are read whole. */
export class Http1Client {
  private readonly idle: Connection[] = [];
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly maxIdle: number;

  constructor(
    server: URL,
    private readonly opts: Http1Options = {},
  ) {
    this.secure = server.protocol === 'https:';
    this.host = server.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(server.port) || (this.secure ? 443 : 80);
    this.hostHeader = server.host;
    this.maxIdle = opts.maxIdle ?? 256;
  }

  /**
   * Sends the request and resolves with its answer read whole. Rejects with the network's error (the cause: a
   * system error such as ECONNREFUSED) when there is no answer, or with the signal's reason when it aborts.
   * A request on a kept connection that the server had closed (nothing of an answer came) goes once more on a new one.
   */
  async request(req: Http1Request): Promise<TextResponse> {
    const { signal } = req;
    if (signal?.aborted) throw signal.reason;
    let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    for (const [name, value] of Object.entries(req.headers)) head += `${name}: ${value}\r\n`;
    const request =
      req.body === undefined
        ? `${head}\r\n`
        : `${head}Content-Length: ${Buffer.byteLength(req.body)}\r\n\r\n${req.body}`;
    // The timeout: one timer, which destroys the connection in use or being opened (a controller manager sends
    // thousands of requests a second: an AbortController, its signal and listeners each were a measurable share).
    let timedOut: DOMException | undefined;
    let inUse: { destroy(err: Error): void } | undefined;
    const timer =
      req.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = timeoutError();
            inUse?.destroy(timedOut);
          }, req.timeoutMs);
    try {
      for (let attempt = 0; ; attempt++) {
        const conn = attempt === 0 ? this.takeIdle() : undefined;
        const c = conn ?? (await this.connect(signal, (socket) => (inUse = socket)));
        inUse = c;
        if (timedOut) {
          c.destroy(timedOut);
          throw timedOut;
        }
        c.socket.ref();
        const onAbort =
          signal && (() => c.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
        if (onAbort) signal.addEventListener('abort', onAbort, { once: true });
        try {
          const res = await c.send(request, req.method === 'HEAD');
          this.release(c);
          return res;
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          if (timedOut) throw timedOut;
          if (err instanceof ConnectionFailure && err.staleReuse && attempt === 0) continue;
          throw err instanceof ConnectionFailure ? err.cause : err;
        } finally {
          if (onAbort) signal.removeEventListener('abort', onAbort);
        }
      }
    } catch (err) {
      throw timedOut && !signal?.aborted ? timedOut : err;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Closes the idle connections; later requests open new ones. */
  close(): void {
    for (const c of this.idle.splice(0)) c.destroy();
  }

  private takeIdle(): Connection | undefined {
    for (;;) {
      const c = this.idle.pop();
      if (!c || c.usable) return c;
    }
  }

  private release(c: Connection): void {
    if (!c.usable || this.idle.length >= this.maxIdle) {
      c.destroy();
      return;
    }
    // an idle connection keeps no process alive, as Node's Agent does it
    c.socket.unref();
    this.idle.push(c);
  }

  /** A connection closed: no longer idle (the server closes idle ones after its keep-alive timeout). */
  private readonly forget = (c: Connection): void => {
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
  };

  /** A new connection; `opening` is given its socket at once (a timeout destroys it). */
  private connect(signal: AbortSignal | undefined, opening: (socket: Socket) => void): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const t = this.opts.tls;
      const socket = this.secure
        ? tls().connect({
            host: this.host,
            port: this.port,
            ca: t?.ca,
            rejectUnauthorized: !t?.insecureSkipTLSVerify,
            // SNI for a name, not an address (as Node's https does)
            servername: /^[\d.]+$|:/.test(this.host) ? undefined : this.host,
          })
        : netConnect({ host: this.host, port: this.port });
      opening(socket);
      const onAbort = () => socket.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
      };
      const onError = (err: Error) => {
        settle();
        reject(signal?.aborted ? signal.reason : err);
      };
      socket.once('error', onError);
      socket.once(this.secure ? 'secureConnect' : 'connect', () => {
        settle();
        resolve(new Connection(socket, this.forget));
      });
    });
  }
}
