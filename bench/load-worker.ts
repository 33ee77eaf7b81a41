/**
 * Load generators and watchers in worker threads, so that the bench process itself (which also sends the writes
 * and keeps the time) is not what a figure measures: 100 watchers at 1,000 events/s are 100,000 lines a second
 * to read, and a GET figure near the Fastify ceiling is as much work for its client as for the server.
 *
 * The main thread runs `inWorkers(n, job)`; each worker runs one job and posts back its result. Watch stamps are
 * absolute times (`performance.timeOrigin + performance.now()`), which agree between threads.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { closedLoop, Http, rawStream } from './harness.js';

export type Job =
  /** `count` GETs of `path` by `clients` keep-alive clients; the result is {ms, latencies}. */
  | { kind: 'gets'; url: string; path: string; count: number; clients: number }
  /**
   * `watchers` watches of `path`; every line carrying `"<stamp>":"<absolute ms>"` adds a latency. They open, the
   * worker posts 'ready'; on 'reset' it forgets the latencies so far (a warm-up's), and on 'stop' it closes them and
   * posts the latencies.
   */
  | { kind: 'watch'; url: string; path: string; watchers: number; stamp: string };

/** Absolute milliseconds, comparable between the threads of one process. */
export const absoluteNow = (): number => performance.timeOrigin + performance.now();

/**
 * A running worker job: `ready` once it is set up, `count()` of what a watch job has recorded so far, `reset()`
 * to start its record again (resolved once done), `stop()` for jobs that run until told, `result` at the end.
 */
export interface WorkerJob<R> {
  ready: Promise<void>;
  result: Promise<R>;
  count(): number;
  reset(): Promise<void>;
  stop(): void;
}

export function startWorker<R>(job: Job): WorkerJob<R> {
  const worker = new Worker(new URL(import.meta.url), { workerData: job });
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  let count = 0;
  let onReset: (() => void) | undefined;
  const result = new Promise<R>((resolveResult, reject) => {
    worker.on('message', (m: { ready?: true; reset?: true; count?: number; result?: R }) => {
      if (m.ready) onReady();
      else if (m.reset) {
        count = 0;
        onReset?.();
      } else if (m.count !== undefined) count = m.count;
      else {
        resolveResult(m.result as R);
        void worker.terminate();
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  ready.catch(() => {});
  result.catch(() => {});
  return {
    ready: Promise.race([ready, result.then(() => {})]),
    result,
    count: () => count,
    reset: () =>
      new Promise<void>((resolve) => {
        onReset = resolve;
        worker.postMessage('reset');
      }),
    stop: () => worker.postMessage('stop'),
  };
}

/** Runs `jobs` in one worker each and resolves with their results in order. */
export function inWorkers<R>(jobs: Job[]): Promise<R[]> {
  return Promise.all(jobs.map((j) => startWorker<R>(j).result));
}

// ------------------------------------------------------------------------------------------ the worker side

async function runGets(job: Extract<Job, { kind: 'gets' }>): Promise<{ ms: number; latencies: number[] }> {
  const http = new Http(job.url);
  try {
    return await closedLoop(job.count, job.clients, async () => {
      const r = await http.send('GET', job.path);
      if (r.status !== 200) throw new Error(`GET ${job.path}: ${r.status}`);
    });
  } finally {
    http.close();
  }
}

/**
 * Opens the watches on raw sockets and reads their bytes as curl would (no HTTP client, no decoding), finding each
 * stamp with a byte search. The server writes whole lines into each chunk, so the chunked framing (`<hex>\r\n`
 * before a chunk, `\r\n` after it) lies between lines, never inside one.
 */
async function runWatch(job: Extract<Job, { kind: 'watch' }>): Promise<number[]> {
  const url = new URL(job.url);
  const needle = Buffer.from(`"${job.stamp}":"`);
  const latencies: number[] = [];
  const readBuffer = Buffer.allocUnsafe(256 * 1024);
  /** Each watch's reader: it searches complete lines only, carrying a partial last line to the next read. */
  const reader = () => {
    let rest: Buffer | undefined;
    return (data: Buffer) => {
      const now = absoluteNow();
      const chunk = rest ? Buffer.concat([rest, data]) : data;
      const lastLine = chunk.lastIndexOf(0x0a);
      // the read buffer is reused: what is carried over is copied out of it
      rest = lastLine + 1 < chunk.length ? Buffer.from(chunk.subarray(lastLine + 1)) : undefined;
      for (let i = chunk.indexOf(needle); i >= 0 && i < lastLine; i = chunk.indexOf(needle, i + needle.length)) {
        const start = i + needle.length;
        const end = chunk.indexOf(0x22, start);
        latencies.push(now - Number(chunk.toString('latin1', start, end)));
      }
    };
  };
  const open = () => rawStream(url, job.path, readBuffer, reader());
  const sockets = await Promise.all(Array.from({ length: job.watchers }, open));
  parentPort!.postMessage({ ready: true });
  const progress = setInterval(() => parentPort!.postMessage({ count: latencies.length }), 50);
  await new Promise<void>((stop) =>
    parentPort!.on('message', (m) => {
      if (m !== 'reset') return stop();
      latencies.length = 0;
      parentPort!.postMessage({ reset: true });
    }),
  );
  clearInterval(progress);
  for (const socket of sockets) socket.destroy();
  return latencies;
}

if (!isMainThread && parentPort) {
  const job = workerData as Job;
  (job.kind === 'gets' ? runGets(job) : runWatch(job)).then(
    (result) => parentPort!.postMessage({ result }),
    (err) => {
      throw err;
    },
  );
}
