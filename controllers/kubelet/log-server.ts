/**
 * The HTTP server of the simulated kubelets: `GET /containerLogs/{namespace}/{pod}/{container}` with the kubelet's
 * query (follow, tailLines/tail, limitBytes, sinceSeconds, sinceTime, timestamps, previous), its plain-text errors
 * and status codes, and `GET /healthz`. One server plays every simulated node: a pod is known when it is bound to a
 * node this process runs (kwok serves its nodes the same way), and each node reports this server's address and port.
 *
 * Bounded: at most `maxStreams` log reads at once (more get 429), a read lasts at most `maxStreamMs` (a real
 * kubelet's server cuts responses after 4 hours), a slow reader is paced by the socket (never buffered), and the
 * logs themselves are bounded per container instance (log-buffer.ts). No authentication: it binds loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContainerLog } from './log-buffer.js';
import { hasContainerSpec, logTarget, parseKubeletLogQuery, readContainerLog } from './log-read.js';
import type { Pod } from './pod-runtime.js';

/** What the server asks the kubelet. */
export interface KubeletLogBackend {
  /** The pod as the kubelet knows it: bound to a node it runs; undefined otherwise. */
  pod(namespace: string, name: string): Pod | undefined;
  /** The pod status the kubelet holds now (container states and IDs). */
  podStatus(pod: Pod): Record<string, any>;
  /** The log of one instance of a container, by containerID. */
  containerLog(pod: Pod, container: string, containerID: string): ContainerLog | undefined;
  /** The kubelet's clock (ms). */
  now(): number;
}

export interface KubeletServerOptions {
  /** Address to bind (a loopback address; see controllers/main.ts). */
  address: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Concurrent log reads (default 1,000). */
  maxStreams?: number;
  /** How long one read may last (default 4 h, the kubelet server's write timeout). */
  maxStreamMs?: number;
}

export const DEFAULT_MAX_STREAMS = 1000;
export const DEFAULT_MAX_STREAM_MS = 4 * 60 * 60 * 1000;

/** Loopback addresses the kubelet server may bind (it has no authentication). */
export function isLoopback(address: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::1' || address === 'localhost';
}

function plain(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

export class KubeletLogServer {
  private server?: Server;
  private readonly streams = new Set<AbortController>();
  private readonly maxStreams: number;
  private readonly maxStreamMs: number;
  private closed = false;

  constructor(
    private readonly backend: KubeletLogBackend,
    private readonly opts: KubeletServerOptions,
  ) {
    this.maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.maxStreamMs = opts.maxStreamMs ?? DEFAULT_MAX_STREAM_MS;
  }

  /** Log reads in progress. */
  get activeStreams(): number {
    return this.streams.size;
  }

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) plain(res, 500, 'internal error');
        else res.destroy();
      });
    });
    // Header and idle bounds for a server nobody should hold open without reading.
    server.headersTimeout = 10_000;
    server.requestTimeout = 0;
    server.keepAliveTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /** Ends every read and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.streams) s.abort();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').slice(1);
    if (url.pathname === '/healthz') return plain(res, 200, 'ok');
    if (parts[0] !== 'containerLogs' || parts.length !== 4 || parts.slice(1).some((p) => p === ''))
      return plain(res, 404, '404 page not found');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return plain(res, 405, '405: Method Not Allowed', { Allow: 'GET' });
    let namespace: string, podName: string, container: string;
    try {
      [namespace, podName, container] = parts.slice(1).map(decodeURIComponent) as [string, string, string];
    } catch {
      return plain(res, 400, '{"message": "Unable to decode query."}');
    }
    const opts = parseKubeletLogQuery(url.searchParams, this.backend.now());
    if ('code' in opts) return plain(res, opts.code, opts.body);
    const pod = this.backend.pod(namespace, podName);
    if (!pod) return plain(res, 404, `pod ${JSON.stringify(podName)} does not exist`);
    if (!hasContainerSpec(pod, container))
      return plain(res, 404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(podName)}`);
    const target = logTarget(podName, this.backend.podStatus(pod), container, opts.previous);
    if ('error' in target) return plain(res, 400, target.error);
    if (this.closed || this.streams.size >= this.maxStreams)
      return plain(res, 429, 'too many concurrent log streams, try again later', { 'Retry-After': '1' });

    const stream = new AbortController();
    this.streams.add(stream);
    const timer = setTimeout(() => stream.abort(), this.maxStreamMs);
    const onClose = () => stream.abort();
    res.on('close', onClose);
    try {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.flushHeaders();
      if (req.method === 'HEAD') return;
      const log = this.backend.containerLog(pod, container, target.containerID);
      // An instance the runtime has no log of (never written, or thrown away) reads as empty.
      if (!log) return;
      for await (const chunk of readContainerLog(log, opts, stream.signal)) {
        if (stream.signal.aborted) break;
        if (!res.write(chunk)) await drained(res, stream.signal);
      }
    } finally {
      clearTimeout(timer);
      res.off('close', onClose);
      this.streams.delete(stream);
      if (!res.writableEnded && !res.destroyed) res.end();
    }
  }
}

/** Resolves once the response drains, or the read is aborted. */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
