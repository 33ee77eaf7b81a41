/**
 * `npm run bench`: throughput and latency of the API server on this machine, against the figures in
 * ../shared/notes/performance-reliability.md. Prints one line per measure; never part of `npm test`.
 *   - create: concurrent POSTs of pods (durable, group-committed writes)
 *   - get: sequential GETs of one pod (cached serialization), as JSON and as Kubernetes protobuf
 *   - list: a 2,000-pod namespace as JSON, as protobuf and as a Table
 *   - watch fan-out: N watchers receiving every event of a burst of updates, as JSON lines and as protobuf frames
 *   - start: spawn of the API server process on an empty data directory → first `/readyz` 200 (run first,
 *     alone on the machine's cores)
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SERVER_MAIN } from '../helpers/paths.js';
import { PB_ACCEPT } from '../helpers/protobuf.js';
import { startInProcess } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const CREATES = Number(process.env['BENCH_CREATES'] ?? 2000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const WATCHERS = Number(process.env['BENCH_WATCHERS'] ?? 100);
const UPDATES = Number(process.env['BENCH_UPDATES'] ?? 500);
const STARTS = Number(process.env['BENCH_STARTS'] ?? 10);

function pod(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench', tier: 'web' } },
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

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(name: string, count: number, ms: number, latencies?: number[]) {
  const rate = (count / ms) * 1000;
  let line = `${name.padEnd(28)} ${count.toString().padStart(7)} ops  ${ms.toFixed(0).padStart(7)} ms  ${rate.toFixed(0).padStart(8)} ops/s`;
  if (latencies && latencies.length) {
    const s = [...latencies].sort((a, b) => a - b);
    line += `  p50 ${percentile(s, 50).toFixed(2)} ms  p99 ${percentile(s, 99).toFixed(2)} ms`;
  }
  console.log(line);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Spawn → first `/readyz` 200 of the API server process on an empty data directory, polled every 5 ms. */
async function startToReady(): Promise<number> {
  const dir = tempDir('bench-start-');
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [SERVER_MAIN, '--port', String(port), '--data-dir', dir.path, '--log-level', 'warn'],
    { stdio: 'ignore' },
  );
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    dir.remove();
  }
}

async function main() {
  const starts: number[] = [];
  for (let i = 0; i < STARTS; i++) starts.push(await startToReady());
  const startTotal = starts.reduce((a, b) => a + b, 0);
  report('start to ready (empty store)', STARTS, startTotal, starts);

  const server = await startInProcess();
  const base = `${server.url}/api/v1/namespaces/default/pods`;
  try {
    // create
    let next = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CREATES) {
          const i = next++;
          const s = performance.now();
          const res = await fetch(base, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(pod(`bench-${i}`)),
          });
          await res.arrayBuffer();
          if (res.status !== 201) throw new Error(`create ${i}: ${res.status}`);
          latencies.push(performance.now() - s);
        }
      }),
    );
    report(`create (c=${CONCURRENCY})`, CREATES, performance.now() - t0, latencies);

    // get, in JSON and in protobuf
    for (const [name, accept] of [
      ['get json', 'application/json'],
      ['get protobuf', PB_ACCEPT],
    ] as const) {
      const gets: number[] = [];
      const t1 = performance.now();
      for (let i = 0; i < 2000; i++) {
        const s = performance.now();
        const res = await fetch(`${base}/bench-${i % CREATES}`, { headers: { accept } });
        await res.arrayBuffer();
        gets.push(performance.now() - s);
      }
      report(`${name} (sequential)`, 2000, performance.now() - t1, gets);
    }

    // list
    for (const [name, accept] of [
      ['list json', 'application/json'],
      ['list protobuf', PB_ACCEPT],
      ['list table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
    ] as const) {
      const lat: number[] = [];
      const t = performance.now();
      for (let i = 0; i < 20; i++) {
        const s = performance.now();
        const res = await fetch(base, { headers: { accept } });
        await res.arrayBuffer();
        lat.push(performance.now() - s);
      }
      report(`${name} (${CREATES} pods)`, 20, performance.now() - t, lat);
    }

    // watch fan-out, in JSON and in protobuf
    let round = 0;
    for (const [name, accept] of [
      ['json', 'application/json'],
      ['protobuf', PB_ACCEPT],
    ] as const) {
      const rv = ((await (await fetch(`${base}?limit=1`)).json()) as { metadata: { resourceVersion: string } }).metadata
        .resourceVersion;
      let delivered = 0;
      const done = Promise.all(
        Array.from({ length: WATCHERS }, async () => {
          const ac = new AbortController();
          const res = await fetch(`${base}?watch=true&resourceVersion=${rv}`, {
            signal: ac.signal,
            headers: { accept },
          });
          const reader = res.body!.getReader();
          let seen = 0;
          let pending = Buffer.alloc(0);
          while (seen < UPDATES) {
            const { value, done: end } = await reader.read();
            if (end) break;
            pending = Buffer.concat([pending, value]);
            // JSON: one event per line; protobuf: 4-byte length-prefixed frames
            for (;;) {
              let size: number;
              if (name === 'json') {
                const nl = pending.indexOf(10);
                if (nl < 0) break;
                size = nl + 1;
              } else {
                if (pending.length < 4 || pending.length < 4 + pending.readUInt32BE(0)) break;
                size = 4 + pending.readUInt32BE(0);
              }
              pending = pending.subarray(size);
              seen++;
              delivered++;
            }
          }
          ac.abort();
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      const t2 = performance.now();
      let u = 0;
      round++;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (u < UPDATES) {
            const i = u++;
            const res = await fetch(`${base}/bench-${i % CREATES}`, {
              method: 'PATCH',
              headers: { 'content-type': 'application/merge-patch+json' },
              body: JSON.stringify({ metadata: { labels: { round: `${round}-${i}` } } }),
            });
            await res.arrayBuffer();
          }
        }),
      );
      await done.catch(() => {});
      report(`watch fan-out ${name} (${WATCHERS} watchers)`, delivered, performance.now() - t2);
    }
  } finally {
    await server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
