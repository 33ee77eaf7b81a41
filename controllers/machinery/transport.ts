/**
 * HTTP(S) to the API server on node:http/node:https with keep-alive connections: what Node's fetch cannot do
 * without the undici package is verify the server against the cluster's own CA (a kubeconfig's
 * `certificate-authority-data`), as client-go's TLS transport does. Responses are streamed.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type Https from 'node:https';
import { createRequire } from 'node:module';
import { Http1Client, type TextResponse } from './http1.js';

let httpsModule: typeof Https | undefined;
/**
 * node:https (with node:tls), loaded for the first https server: loading it took ~15 ms of every start of the
 * launcher and the controller manager, which talk plain HTTP to a local server unless it serves TLS.
 */
function https(): typeof Https {
  httpsModule ??= createRequire(import.meta.url)('node:https') as typeof Https;
  return httpsModule;
}

/** How the server's certificate is checked: against `ca` (PEM) when given, else the system's roots. */
export interface TLSOptions {
  ca?: string;
  /** kubeconfig's insecure-skip-tls-verify: no verification at all (only sensible on loopback). */
  insecureSkipTLSVerify?: boolean;
}

export interface TransportRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** `requestText` only: how long the request may take (see Http1Request's `timeoutMs`). */
  timeoutMs?: number;
}

export interface TransportResponse {
  status: number;
  statusText: string;
  ok: boolean;
  headers: IncomingHttpHeaders;
  /** The body as a stream of Buffers (destroyed when the request's signal aborts). */
  body: IncomingMessage;
  text(): Promise<string>;
}

/**
 * A request that never got an answer (connection refused or reset, TLS handshake refused): a TypeError with the
 * system error as `cause`, as fetch reports network failures.
 */
export class TransportError extends TypeError {
  constructor(method: string, url: string, cause: unknown) {
    const code = (cause as { code?: string } | undefined)?.code;
    const message = cause instanceof Error ? cause.message : String(cause);
    super(`${method} ${url} failed: ${code && !message.includes(code) ? `${code}: ` : ''}${message}`, { cause });
    this.name = 'TransportError';
  }
}

/**
 * Keep-alive connections to one server: `request` resolves when the response headers arrive and streams the body
 * (watches), `requestText` with the whole answer (every other request, on connections of its own: see http1.ts).
 */
export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly secure: boolean;
  private readonly whole: Http1Client;
  /** The server URL's path, without its trailing slash: what `requestText`'s paths follow. */
  private readonly base: string;
  private readonly origin: string;

  constructor(server: URL, tls: TLSOptions = {}) {
    this.secure = server.protocol === 'https:';
    this.whole = new Http1Client(server, { tls });
    this.base = server.pathname.replace(/\/+$/, '');
    this.origin = server.origin;
    this.agent = this.secure
      ? new (https().Agent)({
          keepAlive: true,
          ca: tls.ca,
          rejectUnauthorized: !tls.insecureSkipTLSVerify,
        })
      : new http.Agent({ keepAlive: true });
  }

  request(url: string, init: TransportRequest): Promise<TransportResponse> {
    const { signal } = init;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const send = this.secure ? https().request : http.request;
      const headers: Record<string, string | number> = { ...init.headers };
      if (init.body !== undefined) headers['Content-Length'] = Buffer.byteLength(init.body);
      const req = send(url, { method: init.method, headers, agent: this.agent });
      let settled = false;
      let response: IncomingMessage | undefined;
      const onAbort = () => {
        const reason = signal!.reason instanceof Error ? signal!.reason : new Error('aborted');
        // Once answered, the response is destroyed (its socket only while the body is unread: a finished one
        // already serves another request of the keep-alive pool).
        if (response) response.destroy(reason);
        else req.destroy(reason);
        if (!settled) {
          settled = true;
          reject(signal!.reason);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (err) => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(new TransportError(init.method, url, err));
      });
      req.on('response', (res) => {
        settled = true;
        response = res;
        res.on('end', cleanup);
        res.on('close', cleanup);
        // A reader sees errors through its iteration; one that stopped reading (or an abort after the end) must
        // not turn a destroyed stream into an uncaught exception.
        res.on('error', () => {});
        const status = res.statusCode ?? 0;
        resolve({
          status,
          statusText: res.statusMessage ?? '',
          ok: status >= 200 && status < 300,
          headers: res.headers,
          body: res,
          // Read with listeners, not an async iterator: most answers are one chunk, and the iterator's promises
          // per chunk were a measurable share of the controller manager's CPU.
          text: () =>
            new Promise<string>((resolveText, rejectText) => {
              if (res.destroyed) {
                rejectText(res.errored ?? new Error('the response was destroyed before it was read'));
                return;
              }
              const chunks: Buffer[] = [];
              let ended = false;
              res.on('data', (chunk: Buffer) => chunks.push(chunk));
              res.once('end', () => {
                ended = true;
                resolveText(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'));
              });
              res.once('error', rejectText);
              res.once('close', () => {
                if (!ended) rejectText(res.errored ?? new Error('the response ended before its end (premature close)'));
              });
            }),
        });
      });
      req.end(init.body);
    });
  }

  /**
   * `path` (and query, below the server URL's path) with the whole answer. A request that got no answer rejects with
   * a {@link TransportError}; an aborted one with the signal's reason.
   */
  async requestText(path: string, init: TransportRequest): Promise<TextResponse> {
    try {
      return await this.whole.request({
        method: init.method,
        path: this.base + path,
        headers: init.headers,
        body: init.body,
        signal: init.signal,
        timeoutMs: init.timeoutMs,
      });
    } catch (err) {
      if (init.signal?.aborted && err === init.signal.reason) throw err;
      if (err instanceof DOMException && err.name === 'TimeoutError') throw err;
      throw new TransportError(init.method, this.origin + this.base + path, err);
    }
  }

  /** Closes the idle connections (open streams end on their own). */
  close(): void {
    this.agent.destroy();
    this.whole.close();
  }
}
