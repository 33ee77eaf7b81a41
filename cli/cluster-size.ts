/**
 * What the size of a simulated cluster asks of the processes that run it. Node's default heap limit (about 4 GB on a
 * 64-bit machine with 16 GB or more) holds some 20,000 simulated nodes with a pod each in the API server (~1 GB of
 * RSS at 20,000) and in the controller manager; the largest clusters the kubelets can address (see
 * `MAX_SIMULATED_NODES`) need several times that. The launcher and the bench start both processes with these flags.
 */
import { totalmem } from 'node:os';
import type { HeapBounds } from './heap.js';

/** From this many simulated nodes on, both processes get a larger heap than Node's default. */
export const LARGE_CLUSTER_NODES = 25_000;

/** Node's default old-space limit, in MiB, that a larger heap must exceed to be worth a flag. */
const DEFAULT_HEAP_MIB = 4096;

/**
 * The node flags of the API server's and the controller manager's processes for `nodes` simulated nodes: none
 * below {@link LARGE_CLUSTER_NODES}; above, an old space of 40 % of the machine's memory each (both together leave
 * a fifth of it to everything else), when that is more than Node's default.
 */
export function heapArgsFor(nodes: number, totalBytes: number = totalmem()): string[] {
  if (nodes < LARGE_CLUSTER_NODES) return [];
  const mib = Math.floor((totalBytes / 2 ** 20) * 0.4);
  return mib > DEFAULT_HEAP_MIB ? [`--max-old-space-size=${mib}`] : [];
}

/**
 * The controller manager's heap bounds (cli/heap.ts) for `nodes` simulated nodes: below {@link LARGE_CLUSTER_NODES},
 * full collections once the old generation is 30 % past what the last one kept; above, V8's own pacing.
 *
 * The informers keep what they cache for as long as it exists, while every event, request and sync leaves garbage
 * that lives a few milliseconds too long for the young generation and is promoted. With V8's default factor (up to 4
 * times the live heap under a 4 GB heap limit) that garbage stayed: at 5,000 nodes the heap held 195 MB after a
 * rolling update, of which a full collection kept ~70 MB, and RSS reached 299 MB. At 30 % (Go's default, GOGC=100,
 * would be 100 %) it was 210 MB, and 123-125 MB instead of 147 MB at 1,000 nodes, with the same times (the DaemonSet
 * and the rolling update on 1,000 and 5,000 nodes). Above {@link LARGE_CLUSTER_NODES} the live heap is gigabytes, and
 * V8's pacing, which weighs what its collections cost, stays.
 */
export function managerHeapFor(nodes: number): HeapBounds | undefined {
  return nodes < LARGE_CLUSTER_NODES ? { growingPercent: 30 } : undefined;
}
