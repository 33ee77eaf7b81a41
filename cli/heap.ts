/**
 * How a process's V8 heap grows: the API server's and the controller manager's. Both keep what they hold (stored
 * objects; informer caches) for as long as it exists, and V8 gives back little of what its heap once took, so what a
 * burst of work makes the heap grow to stays resident for as long as the process runs (10,000 pod creates left the
 * server about 190 MB of RSS, against some 55 MB of live heap). Two bounds, each lowering that by 10-15 MB in the
 * server with no measurable CPU cost on creates, updates and patches (docs/performance.md):
 *
 * - the old generation: V8 lets it grow up to four times what survived the last full collection before the next
 *   one; here each limit is `growingPercent` more than that (`--heap-growing-percent`), so full collections come
 *   more often (in the server, 1.2 times held no less memory after 10,000 creates than 1.5, and cost about 10 %
 *   more CPU per create);
 * - the young generation: V8 doubles it, up to two 16 MB semi-spaces, while much of it survives scavenges; here
 *   it can stop at `maxNewSpaceBytes`. Node takes `--max-semi-space-size` only on its command line, so the growth
 *   factor is set to 1 (no growth) while the young generation is at that size, and back to V8's 2 below it (after
 *   V8 has shrunk it), checked after every collection. Only while the heap is small (`youngBoundBelowBytes`): the
 *   16 MB it saves is a share of a heap of ~150 MB (10,000 stored pods), not of one of a gigabyte, where a small
 *   young generation promotes more of what every request leaves and the server's collections cost more CPU (2
 *   interleaved pairs at 20,000 nodes: the server's CPU 4-15 % lower without the bound, its RSS the same).
 *
 * Set once the process runs (the server once it listens, the controller manager once its flags are read), never on
 * Node's command line: V8 rejects a code cache made under other flags, and the bundle was compiled from its cache
 * before. From the first line, the more frequent full collections cost the server's start ~25 ms of CPU. A flag given
 * on the command line or in NODE_OPTIONS is left as it is.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** What {@link boundHeap} sets. */
export interface HeapBounds {
  /** `--heap-growing-percent`: how far past the last full collection's survivors the old generation grows. */
  growingPercent: number;
  /** Both semi-spaces of the young generation (`new_space` in V8's statistics), at most; V8's own when absent. */
  maxNewSpaceBytes?: number;
  /** The heap in use (all spaces) from which the young generation is V8's own again; no such size when absent. */
  youngBoundBelowBytes?: number;
}

/** The API server's: it holds every stored object, and a young generation of two 8 MB semi-spaces is enough. */
export const SERVER_HEAP: HeapBounds = {
  growingPercent: 50,
  maxNewSpaceBytes: 16 << 20,
  youngBoundBelowBytes: 256 << 20,
};
/** V8's own growth factor of the young generation. */
const GROWTH_FACTOR = 2;

function given(flag: string): boolean {
  const pattern = new RegExp(`^--${flag.replace(/-/g, '[-_]')}\\b`);
  return [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].some((a) => pattern.test(a));
}

/** The flags this module changed, with V8's defaults. */
const changed: Record<string, number> = {};

function set(flag: string, value: number): void {
  setFlagsFromString(`--${flag}=${value}`);
}

let bounded = false;

/**
 * The young generation's growth factor after a collection: 1 (no growth) once it is `maxNewSpaceBytes` while the
 * heap in use is under `youngBoundBelowBytes`, else V8's own.
 */
export function youngGrowthFactor(youngBytes: number, heapUsedBytes: number, bounds: HeapBounds): number {
  const max = bounds.maxNewSpaceBytes;
  if (max === undefined) return GROWTH_FACTOR;
  if (bounds.youngBoundBelowBytes !== undefined && heapUsedBytes >= bounds.youngBoundBelowBytes) return GROWTH_FACTOR;
  return youngBytes >= max ? 1 : GROWTH_FACTOR;
}

/** Applies `bounds` (once; a flag given on the command line or in NODE_OPTIONS stays as given). */
export function boundHeap(bounds: HeapBounds): void {
  if (bounded) return;
  bounded = true;
  if (!given('heap-growing-percent')) {
    changed['heap-growing-percent'] = 0;
    set('heap-growing-percent', bounds.growingPercent);
  }

  const maxNewSpaceBytes = bounds.maxNewSpaceBytes;
  if (maxNewSpaceBytes !== undefined && !given('max-semi-space-size') && !given('semi-space-growth-factor')) {
    changed['semi-space-growth-factor'] = GROWTH_FACTOR;
    let factor = GROWTH_FACTOR;
    const check = () => {
      const spaces = getHeapSpaceStatistics();
      const young = spaces.find((s) => s.space_name === 'new_space');
      if (young === undefined) return;
      let used = 0;
      for (const space of spaces) used += space.space_used_size;
      const wanted = youngGrowthFactor(young.space_size, used, bounds);
      if (wanted !== factor) {
        factor = wanted;
        set('semi-space-growth-factor', wanted);
      }
    };
    new PerformanceObserver(check).observe({ type: 'gc' });
  }

  // V8's code cache records the flags it was made with, and the build writes each process's as it exits
  // (dist/server/main.js, dist/controllers/main.js): back to V8's defaults before that, or every start would reject
  // the cache.
  process.prependOnceListener('exit', () => {
    for (const [flag, value] of Object.entries(changed)) set(flag, value);
  });
}
