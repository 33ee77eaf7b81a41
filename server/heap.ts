/**
 * How the API server process's V8 heap grows. The server keeps every stored object in memory and V8 gives back
 * little of what its heap once took, so what a burst of writes makes the heap grow to stays resident for as long as
 * the server runs (10,000 pod creates left about 190 MB of RSS, against some 55 MB of live heap). Two bounds, each
 * lowering that by 10-15 MB, with no measurable CPU cost on creates, updates and patches (docs/performance.md):
 *
 * - the old generation: V8 lets it grow up to four times what survived the last full collection before the next
 *   one; here each limit is 1.5 times that (`--heap-growing-percent`), so full collections come more often (1.2
 *   times held no less memory after 10,000 creates, and cost about 10 % more CPU per create);
 * - the young generation: V8 doubles it, up to two 16 MB semi-spaces, while much of it survives scavenges; here
 *   it stops at two 8 MB semi-spaces ({@link MAX_NEW_SPACE_BYTES}). Node takes `--max-semi-space-size` only on
 *   its command line, so the growth factor is set to 1 (no growth) while the young generation is at that size,
 *   and back to V8's 2 below it (after V8 has shrunk it), checked after every collection.
 *
 * Set once the server has started (main.ts calls {@link boundHeap}): from the first line, the more frequent full
 * collections cost a start ~25 ms of CPU. A flag given on the command line or in NODE_OPTIONS is left as it is.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;
/** Both semi-spaces of the young generation (`new_space` in V8's statistics). */
export const MAX_NEW_SPACE_BYTES = 16 << 20;
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

/** Applies the bounds (once; a flag given on the command line or in NODE_OPTIONS stays as given). */
export function boundHeap(): void {
  if (bounded) return;
  bounded = true;
  if (!given('heap-growing-percent')) {
    changed['heap-growing-percent'] = 0;
    set('heap-growing-percent', HEAP_GROWING_PERCENT);
  }

  if (!given('max-semi-space-size') && !given('semi-space-growth-factor')) {
    changed['semi-space-growth-factor'] = GROWTH_FACTOR;
    let factor = GROWTH_FACTOR;
    const check = () => {
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      if (young === undefined) return;
      const wanted = young.space_size >= MAX_NEW_SPACE_BYTES ? 1 : GROWTH_FACTOR;
      if (wanted !== factor) {
        factor = wanted;
        set('semi-space-growth-factor', wanted);
      }
    };
    new PerformanceObserver(check).observe({ type: 'gc' });
  }

  // V8's code cache records the flags it was made with, and the build writes the server's as the process exits
  // (dist/server/main.js): back to V8's defaults before that, or every start would reject the cache.
  process.prependOnceListener('exit', () => {
    for (const [flag, value] of Object.entries(changed)) set(flag, value);
  });
}
