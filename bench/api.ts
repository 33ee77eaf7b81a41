/**
 * API figures against the real API server as a child process: start, creates, GETs, LISTs, watches, memory.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { measureGets, type GetResult } from './ceilings.js';
import { absoluteNow, startWorker } from './load-worker.js';
import {
  type ApiServer,
  closedLoop,
  createPods,
  freePort,
  Http,
  LAUNCHER_MAIN,
  percentile,
  pod,
  RawClient,
  RawPool,
  rawStream,
  REPO_ROOT,
  sleep,
  startApiServer,
  tempDir,
} from './harness.js';

/** `npm start -- --nodes 3` (sources unchanged) → 3 nodes Ready, polled every 10 ms; `viaNpm` false runs the launcher directly. */
export async function startToNodesReady(viaNpm: boolean): Promise<number> {
  const dir = tempDir('bench-start-');
  const port = await freePort();
  const args = ['--port', String(port), '--data-dir', dir.path, '--nodes', '3', '--log-level', 'warn'];
  const t0 = performance.now();
  const child = viaNpm
    ? spawn('npm', ['start', '--silent', '--', ...args], { cwd: REPO_ROOT, stdio: 'ignore', detached: true })
    : spawn(process.execPath, [LAUNCHER_MAIN, ...args], { cwd: REPO_ROOT, stdio: 'ignore', detached: true });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/nodes`);
        if (res.status === 200) {
          const list = (await res.json()) as { items: Array<{ status?: { conditions?: any[] } }> };
          const ready = list.items.filter((n) =>
            (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
          );
          if (ready.length >= 3) return performance.now() - t0;
        } else await res.arrayBuffer();
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 120_000) throw new Error('3 nodes not Ready after 120 s');
      await sleep(10);
    }
  } finally {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    await exited;
    // npm exits at once; the launcher's children (the API server closing its store) may still be writing there
    await groupGone(child.pid!);
    dir.remove();
  }
}

/** Resolves once no process of group `pgid` is left (at most 15 s). */
async function groupGone(pgid: number): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await sleep(10);
  }
}

/**
 * API server spawn → first `/readyz` 200 on `dataDir` (a fresh temporary one when absent): the wall time, and the CPU
 * time the server used until then (which other work on the machine inflates far less than the wall time). The
 * server is started as the launcher starts it, unless `keepExtraCaCerts` (see {@link startApiServer}).
 */
export async function serverStartToReady(
  dataDir?: string,
  keepExtraCaCerts = false,
): Promise<{ ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const server = await startApiServer({ dataDir, defaultTrust: keepExtraCaCerts });
  const ms = performance.now() - t0;
  const cpuMs = server.child.cpuMs;
  server.http.close();
  await server.child.stop();
  if (!dataDir) await server.stop();
  return { ms, cpuMs };
}

/** A data directory holding `pods` pods (made by a server that is then stopped); remove() when done. */
export async function storeWithPods(pods: number): Promise<{ path: string; remove(): void }> {
  const dir = tempDir('bench-store-');
  const server = await startApiServer({ dataDir: dir.path });
  try {
    await createPods(server.http, 'default', pods, 64);
  } finally {
    server.http.close();
    await server.child.stop();
  }
  return dir;
}

export interface CreateResult {
  perSecond: number;
  p50: number;
  p99: number;
}

/** `count` pod creates by `clients` clients while `watchers` watch the namespace. */
export async function measureCreates(
  server: ApiServer,
  namespace: string,
  count: number,
  clients: number,
  watchers: number,
): Promise<CreateResult> {
  await server.http.json('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  // The creates and the watchers read their answers as curl does (counted, not decoded): with Node's HTTP client
  // the bench took ~200 µs of CPU per create, on the cores the server runs on.
  const url = new URL(server.url);
  const closers = await Promise.all(
    Array.from({ length: watchers }, () =>
      countingWatch(url, `/api/v1/namespaces/${namespace}/pods?watch=true`, () => {}),
    ),
  );
  const pool = await RawPool.open(server.url, clients);
  try {
    const path = `/api/v1/namespaces/${namespace}/pods`;
    const { ms, latencies } = await closedLoop(count, clients, (i) =>
      pool.request(
        'POST',
        path,
        JSON.stringify(pod(`p-${i}`, { app: 'bench', group: `g-${i % 1000}` })),
        'application/json',
        201,
      ),
    );
    return { perSecond: (count / ms) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    pool.close();
    for (const close of closers) close();
  }
}

export async function measureGet(server: ApiServer, path: string, count: number, clients: number): Promise<GetResult> {
  await measureGets(server.url, path, Math.min(count, 2000), clients); // warm-up
  return measureGets(server.url, path, count, clients);
}

/**
 * p50/p99 of `times` sequential LISTs of `path`, each until its last byte arrives. The body is counted, not
 * gathered: gathering 17 MB into fresh memory cost this process 175-260 ms of page faults on the first LIST,
 * which is the bench's time, not the server's (as the GET and watch figures' clients read without decoding).
 */
export async function measureList(
  server: ApiServer,
  path: string,
  times: number,
): Promise<{ p50: number; p99: number }> {
  const reader = await RawClient.connect(new URL(server.url));
  try {
    const { latencies } = await closedLoop(times, 1, () => reader.get(path));
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    reader.close();
  }
}

/** One read buffer for every counting watch: each read is counted before the next one lands in it. */
let countingBuffer: Buffer | undefined;

/**
 * Opens a JSON watch that only counts the events it receives, reading the raw stream as curl would (Node's HTTP
 * client decoded its chunks into a Buffer each, ~10 µs per event per watcher of this process's CPU). Each event is
 * one line ending in `}\n`; the chunked framing around it (`<hex>\r\n`, `\r\n`) never holds that pair.
 */
async function countingWatch(url: URL, path: string, onEvents: (n: number) => void): Promise<() => void> {
  let lastByte = 0;
  countingBuffer ??= Buffer.allocUnsafe(256 * 1024);
  const socket = await rawStream(url, path, countingBuffer, (bytes) => {
    let n = bytes.length > 0 && bytes[0] === 0x0a && lastByte === 0x7d ? 1 : 0;
    for (let i = bytes.indexOf(10, 1); i >= 0; i = bytes.indexOf(10, i + 1)) if (bytes[i - 1] === 0x7d) n++;
    if (bytes.length > 0) lastByte = bytes[bytes.length - 1]!;
    if (n) onEvents(n);
  });
  return () => socket.destroy();
}

/**
 * Watch latency: `watchers` watchers of a namespace while a paced writer patches pods at `rate` events/s for
 * `seconds`; each event carries its send time in an annotation, and each watcher records now − send time. The same
 * watchers and writer first run `warmSeconds` at that rate, not recorded: the figure is the steady state's. Without
 * it the setup's requests (a namespace, pod creates, a LIST, the new watches) left the server's hottest functions
 * deoptimized (`--trace-deopt`: parserOnIncoming, routeHandler, "wrong map"), its PATCHes took 50-70 ms there and
 * back for the first ~500 ms while V8 optimized them again, and those deliveries (~70-80 ms late, a tenth of them)
 * made the p99. Readers whose code was warmed beforehand changed nothing: the backlog was the server's. `writes` is
 * the measured PATCHes' own latency (sent to answered): a delivery comes after its write is committed, so this is
 * the part of the figure that no watch makes (docs/performance.md, "The watch latency's tail without watchers").
 */
export async function measureWatchLatency(
  server: ApiServer,
  namespace: string,
  watchers: number,
  rate: number,
  seconds: number,
  warmSeconds = 1,
): Promise<{ p50: number; p99: number; events: number; writes: { p50: number; p99: number } }> {
  await server.http.json('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  const targets = 50;
  await createPods(server.http, namespace, targets, 16, 'w');
  const rv = (await server.http.json('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).metadata.resourceVersion;
  // The watchers read in worker threads (two, one per core of the machine the goals name), not in this process,
  // which sends the writes: the figure is the server's latency, not the bench's.
  const path = `/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${rv}`;
  const threads = Math.min(2, watchers);
  const jobs = Array.from({ length: threads }, (_, t) =>
    startWorker<number[]>({
      kind: 'watch',
      url: server.url,
      path,
      watchers: Math.floor(watchers / threads) + (t < watchers % threads ? 1 : 0),
      stamp: 'bench/sent',
    }),
  );
  await Promise.all(jobs.map((j) => j.ready));
  // 32 connections, each one PATCH at a time; a PATCH that finds them all busy waits for the first that is free.
  const writers = await RawPool.open(server.url, 32);
  let sent = 0;
  const received = () => jobs.reduce((n, j) => n + j.count(), 0);
  /** The measured PATCHes' own latency (send to response): the part of a delivery's that is the write's. */
  const writes: number[] = [];
  /** `count` PATCHes at `rate`, then until every watcher has had those since `from` (at most 10 s). */
  const paced = async (count: number, from = 0, timed = false) => {
    const t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const start = performance.now();
      const patch = writers.request(
        'PATCH',
        `/api/v1/namespaces/${namespace}/pods/w-${sent++ % targets}`,
        `{"metadata":{"annotations":{"bench/sent":"${absoluteNow()}"}}}`,
        'application/merge-patch+json',
      );
      inflight.push(timed ? patch.then(() => writes.push(performance.now() - start)) : patch);
    }
    await Promise.all(inflight);
    const deadline = performance.now() + 10_000;
    while (received() < (sent - from) * watchers && performance.now() < deadline) await sleep(20);
  };
  await paced(Math.round(rate * warmSeconds));
  await Promise.all(jobs.map((j) => j.reset()));
  await paced(Math.round(rate * seconds), sent, true);
  for (const j of jobs) j.stop();
  const latencies = (await Promise.all(jobs.map((j) => j.result))).flat();
  writers.close();
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    events: latencies.length,
    writes: { p50: percentile(writes, 50), p99: percentile(writes, 99) },
  };
}

/** Deliveries per second to `watchers` watchers of a burst of `updates` patches. */
export async function measureFanOut(
  server: ApiServer,
  namespace: string,
  watchers: number,
  updates: number,
): Promise<number> {
  await server.http.json('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  const targets = 50;
  await createPods(server.http, namespace, targets, 16, 'f');
  const rv = (await server.http.json('GET', `/api/v1/namespaces/${namespace}/pods?limit=1`)).metadata.resourceVersion;
  const url = new URL(server.url);
  let delivered = 0;
  let last = 0;
  const expected = watchers * updates;
  const closers: Array<() => void> = [];
  for (let i = 0; i < watchers; i += 50) {
    closers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(50, watchers - i) }, () =>
          countingWatch(url, `/api/v1/namespaces/${namespace}/pods?watch=true&resourceVersion=${rv}`, (n) => {
            delivered += n;
            last = performance.now();
          }),
        ),
      )),
    );
  }
  const writer = new Http(server.url, 32);
  const t0 = performance.now();
  await closedLoop(updates, 32, async (i) => {
    await writer.send(
      'PATCH',
      `/api/v1/namespaces/${namespace}/pods/f-${i % targets}`,
      { metadata: { labels: { round: String(i) } } },
      { 'content-type': 'application/merge-patch+json' },
    );
  });
  const deadline = performance.now() + 30_000;
  while (delivered < expected && performance.now() < deadline) await sleep(10);
  for (const close of closers) close();
  writer.close();
  return (delivered / (last - t0)) * 1000;
}
