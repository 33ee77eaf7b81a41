/**
 * The worker loop every queue-driven controller runs (client-go's processNextWorkItem): take a key, sync it,
 * retry it with backoff when the sync throws, forget its failures when it succeeds, mark it done.
 */
import { isAbortError } from './clock.js';
import { errorInfo } from './informer.js';
import type { Controller, Logger, WorkQueue } from './types.js';

/**
 * Runs `workers` concurrent loops over `queue` until the signal aborts (which also shuts the queue down).
 * A key is never synced by two workers at once (the queue guarantees it). A sync that throws is re-queued
 * with `addRateLimited` and logged (at debug level while it was aborted by shutdown); one that returns is
 * forgotten. Resolves when every worker has finished its current sync and stopped.
 */
export async function runWorkers(
  controller: Controller,
  queue: WorkQueue,
  workers: number,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`runWorkers(${controller.name}): workers must be a positive integer, got ${workers}`);
  const onAbort = () => queue.shutDown();
  if (signal.aborted) queue.shutDown();
  else signal.addEventListener('abort', onAbort, { once: true });
  const loops: Promise<void>[] = [];
  for (let i = 0; i < workers; i++) loops.push(workerLoop(controller, queue, signal, log));
  try {
    await Promise.all(loops);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function workerLoop(controller: Controller, queue: WorkQueue, signal: AbortSignal, log: Logger): Promise<void> {
  for (;;) {
    const key = await queue.next(signal);
    if (key === undefined) return;
    await processOne(controller, queue, key, signal, log);
  }
}

/** Syncs one key taken from the queue; exported for tests that drive a controller step by step. */
export async function processOne(
  controller: Controller,
  queue: WorkQueue,
  key: string,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  try {
    await controller.sync(key, signal);
    queue.forget(key);
  } catch (err) {
    if (signal.aborted && isAbortError(err)) {
      log.debug({ controller: controller.name, key }, 'sync interrupted by shutdown');
    } else {
      queue.addRateLimited(key);
      log.warn(
        { controller: controller.name, key, retries: queue.retries(key), err: errorInfo(err) },
        'error syncing: requeuing',
      );
    }
  } finally {
    queue.done(key);
  }
}

/** Takes the next key off `queue` and syncs it; the key, or undefined once the queue is shut down (tests drive a controller with this). */
export async function processNextKey(
  controller: Controller,
  queue: WorkQueue,
  signal: AbortSignal,
  log: Logger,
): Promise<string | undefined> {
  const key = await queue.next(signal);
  if (key !== undefined) await processOne(controller, queue, key, signal, log);
  return key;
}

/** Waits for the informers' caches: true once synced, false when shutdown aborted the wait (other errors throw). */
export async function cachesSynced(
  informers: { waitForSync(signal: AbortSignal): Promise<void> },
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await informers.waitForSync(signal);
    return true;
  } catch (err) {
    if (signal.aborted && isAbortError(err)) return false;
    throw err;
  }
}
