/**
 * The garbage collector (see collector.ts): `garbageCollector(ctx)` is its component factory.
 */
export { garbageCollector, GarbageCollector, GC_COMPONENT, type GarbageCollectorOptions } from './collector.js';
export {
  discoverDeletableResources,
  wellKnownResources,
  type DeletableResources,
  type DiscoveryFetcher,
} from './discovery.js';
export { DependencyGraph, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from './graph.js';
