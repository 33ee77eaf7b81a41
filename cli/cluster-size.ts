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
 * The API server's semi-spaces (MiB; two make its young generation) from {@link LARGE_CLUSTER_NODES} on: V8's default
 * is 16. With a heap of gigabytes, a scavenge of the young generation costs more the larger the old generation that
 * points into it (at 100,000 nodes ~15 ms each, against ~2 ms in the bench's API figures), so fewer and larger ones cost
 * less: in the moonshot's DaemonSet phase (~245,000 requests) 571 scavenges of ~26 ms each took 15.0 s of the main
 * thread instead of 2,373 of ~15 ms taking 34.9 s, and the server's CPU was 251 s instead of 301 s (the phase 215 s
 * instead of 260 s). The young generation grows to 128 MB only as it is needed, a few percent of such a heap.
 */
export const LARGE_CLUSTER_SEMI_SPACE_MIB = 64;

/**
 * The API server's node flags for `nodes` simulated nodes: {@link heapArgsFor}'s, and from
 * {@link LARGE_CLUSTER_NODES} on semi-spaces of {@link LARGE_CLUSTER_SEMI_SPACE_MIB} (Node takes the size only on its
 * command line; cli/heap.ts then leaves the young generation to V8).
 */
export function serverHeapArgsFor(nodes: number, totalBytes: number = totalmem()): string[] {
  if (nodes < LARGE_CLUSTER_NODES) return [];
  return [...heapArgsFor(nodes, totalBytes), `--max-semi-space-size=${LARGE_CLUSTER_SEMI_SPACE_MIB}`];
}

/**
 * LevelDB's write buffer (MiB) of the API server's current objects from {@link LARGE_CLUSTER_NODES} on (its
 * `--storage-write-buffer-mib`; LevelDB's default is 4). At 100,000 nodes the objects' database compacted all the
 * time (a table of level 1 merged with ~11 of level 2, ~22 MB written, several times a second; the keys' random
 * suffixes spread each table over the whole range), and its one background thread took 87-111 s of CPU through the
 * DaemonSet's phase. With 16 MiB most pods' create and status write meet in the memory table and reach the tables
 * once: 58.6-66.5 s, the server's CPU in the phase 235-249 s against 276-301 s, the phase 207-224 s against 234-260 s
 * (two runs against three). Below, the buffer's 12 MiB more would be a share of the RSS that matters (10,000 stored pods: 9.3
 * and 9.5 KB a pod against 8.0 and 8.2).
 */
export const LARGE_CLUSTER_WRITE_BUFFER_MIB = 16;

/** The API server's flags for `nodes` simulated nodes on a LevelDB store: its objects' write buffer when large. */
export function serverStorageArgsFor(nodes: number): string[] {
  return nodes >= LARGE_CLUSTER_NODES ? ['--storage-write-buffer-mib', String(LARGE_CLUSTER_WRITE_BUFFER_MIB)] : [];
}

/** From this many simulated nodes on (below {@link LARGE_CLUSTER_NODES}), the controller manager bounds its heap. */
export const MANAGER_HEAP_BOUND_NODES = 2_000;

/**
 * The controller manager's heap bounds (cli/heap.ts) for `nodes` simulated nodes: from
 * {@link MANAGER_HEAP_BOUND_NODES} to {@link LARGE_CLUSTER_NODES}, a full collection once the old generation has
 * doubled what the last one kept (Go's default pacing, GOGC=100, which kube-controller-manager runs with); otherwise
 * V8's own pacing.
 *
 * The informers keep what they cache for as long as it exists, while every event, request and sync leaves garbage
 * that lives a few milliseconds too long for the young generation and is promoted. With V8's default factor (up to 4
 * times the live heap under a 4 GB heap limit) that garbage stayed: at 5,000 nodes the heap held 195 MB after a
 * rolling update, of which a full collection kept ~70 MB, and RSS reached 244-303 MB. With the bound: 209-217 MB,
 * and RSS per cached pod 7.2-7.3 KB against 10.1-11.3, with the same CPU and times (3 interleaved pairs; a 30 % bound
 * held about as much and cost ~10-20 % more of the manager's CPU in the rolling update). Below
 * {@link MANAGER_HEAP_BOUND_NODES} the heap is small and V8's smallest step between full collections (some MB) is what
 * bounds it: at 1,000 nodes a bound saved ~3 MB. Above {@link LARGE_CLUSTER_NODES} the live heap is gigabytes, and
 * V8's pacing, which weighs what its collections cost, stays.
 */
export function managerHeapFor(nodes: number): HeapBounds | undefined {
  return nodes >= MANAGER_HEAP_BOUND_NODES && nodes < LARGE_CLUSTER_NODES ? { growingPercent: 100 } : undefined;
}
