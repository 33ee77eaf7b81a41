/**
 * What the size of a simulated cluster asks of the processes that run it. Node's default heap limit (about 4 GB on a
 * 64-bit machine with 16 GB or more) holds some 20,000 simulated nodes with a pod each in the API server (~1 GB of
 * RSS at 20,000) and in the controller manager; the largest clusters the kubelets can address (see
 * `MAX_SIMULATED_NODES`) need several times that. The launcher and the bench start both processes with these flags.
 */
import { totalmem } from 'node:os';

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
