/**
 * What every bench figure needs: child processes (the real API server, the controller manager, a ceiling
 * server), an HTTP client with keep-alive connections, a closed-loop load generator, percentiles, and the
 * resident memory of a process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { childEnv } from '../cli/child-env.js';

/** dist/ of this checkout (this file runs as dist/bench/harness.js). */
export const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = resolve(DIST, '..');
export const SERVER_MAIN = join(DIST, 'server', 'main.js');
export const CONTROLLERS_MAIN = join(DIST, 'controllers', 'main.js');
export const LAUNCHER_MAIN = join(DIST, 'cli', 'start.js');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// HTTP

export interface Reply {
  status: number;
  body: Buffer;
}

/** One keep-alive client per base URL; `maxSockets` bounds the connections a load generator opens. */
export class Http {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(base: string, maxSockets = 256) {
    const u = new URL(base);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolveReply, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolveReply({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async json<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.send(method, path, body, headers);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    return JSON.parse(r.body.toString()) as T;
  }

  /**
   * A watch stream: `onLine` gets every JSON line as it arrives (the caller parses only what it needs).
   * Resolves once the response headers are in; `close()` ends it.
   */
  watch(path: string, onLine: (line: string) => void): Promise<{ close(): void }> {
    return new Promise((resolveWatch, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path,
          method: 'GET',
          agent: false,
          headers: { accept: 'application/json' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`watch ${path}: ${res.statusCode}`));
            res.resume();
            return;
          }
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            let nl = pending.indexOf('\n');
            while (nl >= 0) {
              onLine(pending.slice(0, nl));
              pending = pending.slice(nl + 1);
              nl = pending.indexOf('\n');
            }
          });
          res.on('error', () => {});
          resolveWatch({ close: () => req.destroy() });
        },
      );
      req.on('error', (err) => reject(err));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Requests over one keep-alive connection whose answers are counted, not kept: the socket reads into one reused
 * buffer (as curl and Go's client read), so that a figure is the server's and the kernel's time, not the bench's.
 * Node's HTTP client allocates a fresh Buffer for every 64 KB it reads, and receiving a 17 MB LIST that way took it
 * 15-140 ms where curl took 14-36 ms; sending 1,000 PATCHes a second through it cost the bench a third of a core
 * on a machine of two. One request at a time; answers must carry a Content-Length (the server's JSON answers do).
 */
export class RawClient {
  private onAnswer?: (err?: Error) => void;
  private head = '';
  private remaining = -1;
  private expect = 200;
  /** The request line of the request in flight, for errors. */
  private what = '';

  private constructor(private readonly socket: Socket) {}

  static connect(url: URL): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      let client!: RawClient;
      const socket = connect({
        host: url.hostname,
        port: Number(url.port),
        onread: {
          buffer: Buffer.allocUnsafe(256 * 1024),
          callback: (n, buf) => {
            client.read(Buffer.from(buf.buffer, buf.byteOffset, n));
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      client = new RawClient(socket);
      socket.once('connect', () => resolve(client));
      socket.once('error', (err) => (client.onAnswer ? client.onAnswer(err) : reject(err)));
    });
  }

  get(path: string): Promise<void> {
    return this.request('GET', path);
  }

  /**
   * `method path` with the JSON text `body` (of `contentType`), resolving once the answer's last byte is in;
   * rejects when its status is not `expect`.
   */
  request(method: string, path: string, body?: string, contentType = 'application/json', expect = 200): Promise<void> {
    const head = `${method} ${path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n`;
    const text =
      body === undefined
        ? `${head}\r\n`
        : `${head}Content-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    return this.send(text, expect);
  }

  private send(request: string, expect: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.onAnswer = (err) => (err ? reject(err) : resolve());
      this.head = '';
      this.remaining = -1;
      this.expect = expect;
      this.what = request.slice(0, request.indexOf(' HTTP/1.1'));
      this.socket.write(request);
    });
  }

  private read(chunk: Buffer): void {
    let body = chunk;
    if (this.remaining < 0) {
      this.head += chunk.toString('latin1');
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = /^HTTP\/1\.1 (\d+)/.exec(this.head)?.[1];
      const length = /\r\ncontent-length: *(\d+)/i.exec(this.head.slice(0, end))?.[1];
      if (status !== String(this.expect) || length === undefined) {
        // what follows on this connection can no longer be told apart: it is closed
        this.socket.destroy();
        this.finish(new Error(`${this.what}: status ${status}, content-length ${length ?? 'absent'}`));
        return;
      }
      this.remaining = Number(length);
      body = chunk.subarray(chunk.length - (this.head.length - end - 4));
    }
    this.remaining -= body.length;
    if (this.remaining <= 0)
      this.finish(this.remaining < 0 ? new Error(`${this.what}: more bytes than the content-length`) : undefined);
  }

  private finish(err?: Error): void {
    const done = this.onAnswer;
    this.onAnswer = undefined;
    this.remaining = -1;
    done?.(err);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** `size` {@link RawClient}s; a request that finds them all busy waits for the first one free. */
export class RawPool {
  private readonly idle: RawClient[];
  private readonly waiting: ((c: RawClient) => void)[] = [];

  private constructor(private readonly clients: RawClient[]) {
    this.idle = [...clients];
  }

  static async open(base: string, size: number): Promise<RawPool> {
    const url = new URL(base);
    return new RawPool(await Promise.all(Array.from({ length: size }, () => RawClient.connect(url))));
  }

  async request(method: string, path: string, body?: string, contentType?: string, expect?: number): Promise<void> {
    const c = this.idle.pop() ?? (await new Promise<RawClient>((r) => this.waiting.push(r)));
    try {
      await c.request(method, path, body, contentType, expect);
    } finally {
      const next = this.waiting.shift();
      if (next) next(c);
      else this.idle.push(c);
    }
  }

  close(): void {
    for (const c of this.clients) c.close();
  }
}

/**
 * GETs `path` (a watch) on a raw socket and hands every byte of its answer's body to `onBody` as it arrives, read
 * into `readBuffer` (shared by any number of streams: each read is handed over before the next one lands in it), as
 * curl reads: no HTTP client, no decoding. The body is the chunked stream as sent (`<hex>\r\n` before each chunk,
 * `\r\n` after it). Resolves with the socket once the answer's head says 200; rejects otherwise.
 */
export function rawStream(
  url: URL,
  path: string,
  readBuffer: Buffer,
  onBody: (bytes: Buffer) => void,
): Promise<Socket> {
  return new Promise((resolveStream, reject) => {
    let head = '';
    let streaming = false;
    const socket = connect({
      host: url.hostname,
      port: Number(url.port),
      onread: {
        buffer: readBuffer,
        callback: (n, buf) => {
          const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (streaming) {
            onBody(bytes);
            return true;
          }
          head += bytes.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return true;
          const status = /^HTTP\/1\.1 (\d+)/.exec(head)?.[1];
          if (status !== '200') {
            socket.destroy();
            reject(new Error(`GET ${path}: ${status}`));
            return true;
          }
          streaming = true;
          resolveStream(socket);
          onBody(bytes.subarray(bytes.length - (head.length - end - 4)));
          return true;
        },
      },
    });
    socket.once('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n`),
    );
    socket.on('error', (err) => {
      if (!streaming) reject(err);
    });
  });
}

/**
 * A closed loop: `clients` workers each run `op(i)` for the next i until `count` operations are done.
 * Returns the wall time and every latency (ms).
 */
export async function closedLoop(
  count: number,
  clients: number,
  op: (i: number) => Promise<void>,
): Promise<{ ms: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = new Array(count);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(clients, count) }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        await op(i);
        latencies[i] = performance.now() - s;
      }
    }),
  );
  return { ms: performance.now() - t0, latencies };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** Resident set size of a process in bytes (Linux /proc), or NaN elsewhere. */
export function rssOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; NaN elsewhere). */
export function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // the fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
/** USER_HZ: what /proc counts CPU time in (100 on every Linux Node supports). */
const CLOCK_TICKS = 100;

export class Child {
  private exited: Promise<void>;
  private stderr = '';

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    this.exited = new Promise((r) => proc.once('exit', () => r()));
    proc.stderr?.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-4000);
    });
    proc.stdout?.resume();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }
  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }
  get rss(): number {
    return rssOf(this.proc.pid);
  }
  /** CPU time used so far (ms). */
  get cpuMs(): number {
    return cpuMsOf(this.proc.pid);
  }
  lastOutput(): string {
    return this.stderr;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.proc.kill(signal);
    const killer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(killer);
  }
}

/**
 * A node process of `args`, in the environment the launcher gives its children (cli/child-env.ts): without
 * NODE_EXTRA_CA_CERTS unless `defaultTrust` (it may verify a TLS peer against Node's default trust).
 */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv = {}, defaultTrust = false): Child {
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(env, defaultTrust),
  });
  return new Child(name, proc);
}

/** Polls `GET url` until it answers 200; throws when `child` dies or after `timeoutMs`. */
export async function waitReady(url: string, child: Child, timeoutMs = 60_000, everyMs = 5): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (!child.alive) throw new Error(`${child.name} exited: ${child.lastOutput()}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

export interface ApiServer {
  child: Child;
  url: string;
  http: Http;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The real API server as a child process, on a free port; `dataDir` reuses a store. Without the controller manager
 * no namespace gets its `default` ServiceAccount, so `withServiceAccounts: false` (the API figures) disables the
 * ServiceAccount admission plugin, as kube-apiserver's own integration tests do.
 */
export async function startApiServer(
  opts: {
    dataDir?: string;
    extraArgs?: string[];
    withServiceAccounts?: boolean;
    nodeArgs?: string[];
    /** Another build's server entry point (scripts/profile-writes.mjs compares builds). */
    main?: string;
    /**
     * Keeps NODE_EXTRA_CA_CERTS in the server's environment, as a server started by hand has it (the launcher
     * leaves it out: cli/child-env.ts); by default only for an etcd over https.
     */
    defaultTrust?: boolean;
  } = {},
): Promise<ApiServer> {
  const dir = opts.dataDir ? { path: opts.dataDir, remove() {} } : tempDir('bench-server-');
  const port = await freePort();
  const child = startChild(
    'API server',
    [
      ...(opts.nodeArgs ?? []),
      opts.main ?? SERVER_MAIN,
      '--port',
      String(port),
      '--data-dir',
      dir.path,
      '--log-level',
      'warn',
      ...(opts.withServiceAccounts ? [] : ['--disable-admission-plugins', 'ServiceAccount']),
      ...(opts.extraArgs ?? []),
    ],
    {},
    opts.defaultTrust ?? (opts.extraArgs ?? []).some((a) => a.includes('https://')),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, child);
  const http = new Http(url);
  return {
    child,
    url,
    http,
    dataDir: dir.path,
    async stop() {
      http.close();
      await child.stop();
      dir.remove();
    },
  };
}

/** The controller manager as a child process, against `server`. */
export function startControllerManager(server: ApiServer, args: string[], nodeArgs: string[] = []): Child {
  return startChild('controller manager', [
    ...nodeArgs,
    CONTROLLERS_MAIN,
    '--kubeconfig',
    join(server.dataDir, 'kubeconfig'),
    '--log-level',
    'warn',
    ...args,
  ]);
}

// ---------------------------------------------------------------------------------------------------------------
// Objects

export function pod(name: string, labels: Record<string, string> = { app: 'bench' }) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'nginx:1.25',
          ports: [{ containerPort: 80 }],
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
      ],
    },
  };
}

/** Creates `count` pods named `${prefix}-<i>` with `clients` concurrent clients; fails on any non-201. */
export async function createPods(
  http: Http,
  namespace: string,
  count: number,
  clients: number,
  prefix = 'p',
  labelsOf: (i: number) => Record<string, string> = () => ({ app: 'bench' }),
) {
  return closedLoop(count, clients, async (i) => {
    const r = await http.send('POST', `/api/v1/namespaces/${namespace}/pods`, pod(`${prefix}-${i}`, labelsOf(i)));
    if (r.status !== 201) throw new Error(`create pod ${i}: ${r.status} ${r.body.toString().slice(0, 200)}`);
  });
}
