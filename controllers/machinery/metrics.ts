/**
 * The controller manager's Prometheus metrics (prom-client), named as client-go's work queue metrics are
 * (`workqueue_depth`, `workqueue_adds_total`, `workqueue_retries_total`, `workqueue_work_duration_seconds`,
 * `workqueue_queue_duration_seconds`, labelled by queue name), client-go's `leader_election_master_status`, and the small HTTP server that serves them with
 * `/healthz` on the controller manager's own port, as kube-controller-manager does on 10257.
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from './types.js';

/** The registry of the controller manager process. */
export const controllerMetrics = new Registry();

/** client-go's buckets: 10 ns to 10 s, by powers of ten. */
const WORK_BUCKETS = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

/** What a queue reports about itself; every live queue is read when /metrics is scraped. */
export interface QueueDepth {
  readonly metricsName: string;
  length(): number;
}

const liveQueues = new Set<QueueDepth>();

new Gauge({
  name: 'workqueue_depth',
  help: 'Current depth of workqueue',
  labelNames: ['name'],
  registers: [controllerMetrics],
  collect() {
    this.reset();
    const depth = new Map<string, number>();
    for (const q of liveQueues) depth.set(q.metricsName, (depth.get(q.metricsName) ?? 0) + q.length());
    for (const [name, n] of depth) this.set({ name }, n);
  },
});

const adds = new Counter({
  name: 'workqueue_adds_total',
  help: 'Total number of adds handled by workqueue',
  labelNames: ['name'],
  registers: [controllerMetrics],
});

const retries = new Counter({
  name: 'workqueue_retries_total',
  help: 'Total number of retries handled by workqueue',
  labelNames: ['name'],
  registers: [controllerMetrics],
});

const workDuration = new Histogram({
  name: 'workqueue_work_duration_seconds',
  help: 'How long in seconds processing an item from workqueue takes.',
  labelNames: ['name'],
  buckets: WORK_BUCKETS,
  registers: [controllerMetrics],
});

const queueDuration = new Histogram({
  name: 'workqueue_queue_duration_seconds',
  help: 'How long in seconds an item stays in workqueue before being requested.',
  labelNames: ['name'],
  buckets: WORK_BUCKETS,
  registers: [controllerMetrics],
});

/** client-go's leader election metric: 1 while this process holds the named lease, 0 while a candidate. */
export const leaderElectionMasterStatus = new Gauge({
  name: 'leader_election_master_status',
  help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
  labelNames: ['name'],
  registers: [controllerMetrics],
});

collectDefaultMetrics({ register: controllerMetrics });

/** The metrics of one queue; the queue calls these as keys move through it. */
export class QueueMetrics {
  private readonly adds: ReturnType<Counter<'name'>['labels']>;
  private readonly retries: ReturnType<Counter<'name'>['labels']>;
  private readonly work: ReturnType<Histogram<'name'>['labels']>;
  private readonly wait: ReturnType<Histogram<'name'>['labels']>;
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();

  constructor(private readonly queue: QueueDepth) {
    const name = queue.metricsName;
    this.adds = adds.labels(name);
    this.retries = retries.labels(name);
    this.work = workDuration.labels(name);
    this.wait = queueDuration.labels(name);
    // a queue's counters exist (at 0) from its start, as client-go's do
    this.adds.inc(0);
    this.retries.inc(0);
    liveQueues.add(queue);
  }

  added(key: string): void {
    this.adds.inc();
    if (!this.addedAt.has(key)) this.addedAt.set(key, performance.now());
  }

  retried(): void {
    this.retries.inc();
  }

  started(key: string): void {
    const now = performance.now();
    const at = this.addedAt.get(key);
    if (at !== undefined) {
      this.wait.observe((now - at) / 1000);
      this.addedAt.delete(key);
    }
    this.startedAt.set(key, now);
  }

  finished(key: string): void {
    const at = this.startedAt.get(key);
    if (at === undefined) return;
    this.work.observe((performance.now() - at) / 1000);
    this.startedAt.delete(key);
  }

  shutDown(): void {
    liveQueues.delete(this.queue);
    this.addedAt.clear();
    this.startedAt.clear();
  }
}

/** kube-controller-manager's secure port; this one serves plain HTTP on loopback. */
export const DEFAULT_METRICS_PORT = 10257;

/**
 * Serves `/metrics` and `/healthz` on `address:port` (0: a free port). When `fallback` is set and the port is taken,
 * a free port is used instead (two emulators on one machine); resolves with the port bound.
 */
export async function serveMetrics(opts: {
  address: string;
  port: number;
  fallback?: boolean;
  log: Logger;
}): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') {
      controllerMetrics.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': controllerMetrics.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
      );
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res
        .writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
        .end('ok');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, opts.address, () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    await listen(opts.port);
  } catch (err) {
    if (!opts.fallback || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    opts.log.warn({ port: opts.port }, 'metrics port in use: serving metrics on a free port instead');
    await listen(0);
  }
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : opts.port, server };
}
