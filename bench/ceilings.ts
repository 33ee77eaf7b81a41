/**
 * Ceilings measured in the same run as the figures, on the same machine: what the emulator could reach at best.
 *   - bare Fastify: a child process whose one route returns a pre-serialized pod, driven by the same client
 *     as the API server's GET figure (in worker threads);
 *   - LevelDB: synced batches of pod-sized values written straight through `level`;
 *   - etcd: single-key create transactions (the API server's kind of write) through the etcd raw backend, with
 *     as many concurrent clients as the API figures use, against an etcd the bench starts.
 */
import { performance } from 'node:perf_hooks';
import { Level } from 'level';
import { EtcdBackend } from '../storage/etcd/etcd-backend.js';
import { closedLoop, freePort, percentile, pod, startChild, tempDir, waitReady } from './harness.js';
import { inWorkers } from './load-worker.js';

/** Entry point of the bare Fastify child process (`node dist/bench/ceilings.js --bare-fastify PORT`). */
async function serveBareFastify(port: number): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  const body = Buffer.from(
    JSON.stringify({
      ...pod('bench-0'),
      metadata: { ...pod('bench-0').metadata, namespace: 'default', resourceVersion: '1' },
    }),
  );
  app.get('/readyz', async () => 'ok');
  app.get('/api/v1/namespaces/:ns/pods/:name', (_req, reply) => {
    reply.header('content-type', 'application/json').send(body);
  });
  await app.listen({ port, host: '127.0.0.1' });
}

if (process.argv[2] === '--bare-fastify') {
  serveBareFastify(Number(process.argv[3])).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

export interface GetResult {
  perSecond: number;
  p50: number;
  p99: number;
}

/**
 * GETs of one object with `clients` concurrent keep-alive clients, split between two worker threads (the
 * client of one thread tops out below a bare Fastify server).
 */
export async function measureGets(url: string, path: string, count: number, clients: number): Promise<GetResult> {
  const threads = Math.min(2, clients, count);
  const share = (total: number, t: number) => Math.floor(total / threads) + (t < total % threads ? 1 : 0);
  const results = await inWorkers<{ ms: number; latencies: number[] }>(
    Array.from({ length: threads }, (_, t) => ({
      kind: 'gets' as const,
      url,
      path,
      count: share(count, t),
      clients: share(clients, t),
    })),
  );
  const ms = Math.max(...results.map((r) => r.ms));
  const latencies = results.flatMap((r) => r.latencies);
  return { perSecond: (count / ms) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function bareFastifyCeiling(count: number, clients: number): Promise<GetResult> {
  const port = await freePort();
  const child = startChild('bare Fastify', [new URL(import.meta.url).pathname, '--bare-fastify', String(port)]);
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
    const url = `http://127.0.0.1:${port}`;
    await measureGets(url, '/api/v1/namespaces/default/pods/bench-0', Math.min(count, 2000), clients); // warm-up
    return await measureGets(url, '/api/v1/namespaces/default/pods/bench-0', count, clients);
  } finally {
    await child.stop();
  }
}

/** Objects per second written to LevelDB in synced batches of `batch` pod-sized values. */
export async function levelBatchCeiling(objects: number, batch = 100): Promise<number> {
  const dir = tempDir('bench-level-');
  const db = new Level<string, string>(dir.path, { valueEncoding: 'utf8' });
  await db.open();
  try {
    const value = JSON.stringify(pod('bench-0'));
    const t0 = performance.now();
    for (let i = 0; i < objects; i += batch) {
      const ops = [];
      for (let j = i; j < Math.min(objects, i + batch); j++) {
        ops.push({ type: 'put' as const, key: `/registry/pods/default/bench-${j}`, value });
      }
      await db.batch(ops, { sync: true });
    }
    return (objects / (performance.now() - t0)) * 1000;
  } finally {
    await db.close();
    dir.remove();
  }
}

/** Create transactions per second through the etcd raw backend (`clients` at once) on the etcd at `url`. */
export async function etcdTxnCeiling(url: string, objects: number, clients = 64): Promise<number> {
  const backend = await EtcdBackend.open({ servers: [url], prefix: `/bench-${Date.now()}` });
  try {
    const object = pod('bench-0');
    const { ms } = await closedLoop(objects, clients, async (i) => {
      const r = await backend.txn({ kind: 'create', key: `/registry/pods/default/bench-${i}`, object });
      if (!r.ok) throw new Error(`etcd create ${i} failed`);
    });
    return (objects / ms) * 1000;
  } finally {
    await backend.close();
  }
}
