/**
 * The API server's Prometheus metrics (prom-client), named as kube-apiserver names them where it has the metric:
 * requests by verb, group, version, resource, subresource and code, their latency, the long-running requests and
 * watches open, the requests in flight and those refused, and the objects stored per resource. Each server has its
 * own registry (tests run several servers in one process). The request path only increments a counter child cached
 * per route, verb and code and observes one histogram child; everything else is read when /metrics is scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Storage } from '../storage/interface.js';
import type { LimitState } from './plugins/limits.js';
import type { RequestInfo, RouteInfo } from './plugins/request-info.js';
import type { Registry as ResourceRegistry } from './registry/registry.js';

/** kube-apiserver's buckets for apiserver_request_duration_seconds. */
const DURATION_BUCKETS = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

const REQUEST_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'code'] as const;
const DURATION_LABELS = ['verb', 'group', 'version', 'resource', 'subresource'] as const;

type RequestCounter = Counter<(typeof REQUEST_LABELS)[number]>;
type DurationHistogram = Histogram<(typeof DURATION_LABELS)[number]>;

export interface MetricsSources {
  storage: Storage;
  registry: ResourceRegistry;
  limits: LimitState;
}

export class ApiServerMetrics {
  readonly registry = new Registry();
  private readonly requests: RequestCounter;
  private readonly duration: DurationHistogram;
  private readonly longRunning: Gauge<'verb' | 'group' | 'version' | 'resource' | 'subresource'>;
  /** Label children per route and verb, so that a request does not build label keys. */
  private readonly children = new WeakMap<RouteInfo, Map<string, VerbChildren>>();

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out for each verb, group, version, resource, subresource and HTTP response code.',
      labelNames: REQUEST_LABELS,
      registers,
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb, group, version, resource and subresource.',
      labelNames: DURATION_LABELS,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.longRunning = new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Gauge of all active long-running apiserver requests (watches, log streams) broken out by verb, group, version, resource and subresource.',
      labelNames: DURATION_LABELS,
      registers,
    });
    const { limits, storage } = sources;
    new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Number of currently open watches.',
      registers,
      collect() {
        this.set(limits.watches);
      },
    });
    new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Number of requests in flight (not long-running), by request kind (readOnly, mutating).',
      labelNames: ['request_kind'],
      registers,
      collect() {
        this.set({ request_kind: 'readOnly' }, limits.readOnly);
        this.set({ request_kind: 'mutating' }, limits.mutating);
      },
    });
    new Counter({
      name: 'apiserver_dropped_requests_total',
      help: 'Number of requests refused with 429 because too many were in flight, by request kind.',
      labelNames: ['request_kind'],
      registers,
      collect() {
        this.reset();
        this.inc({ request_kind: 'readOnly' }, limits.dropped.readOnly);
        this.inc({ request_kind: 'mutating' }, limits.dropped.mutating);
      },
    });
    const handles = sources.registry.handles;
    new Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind (resource.group).',
      labelNames: ['resource'],
      registers,
      async collect() {
        const seen = new Set<string>();
        for (const h of handles) {
          const prefix = h.store.prefix(undefined);
          if (seen.has(prefix)) continue; // one storage prefix served by several versions
          seen.add(prefix);
          const label = h.def.group ? `${h.def.plural}.${h.def.group}` : h.def.plural;
          try {
            const page = await storage.list(prefix, { limit: 1 });
            this.set({ resource: label }, page.items.length + (page.remainingItemCount ?? 0));
          } catch {
            // the store is closing: leave the last value
          }
        }
      },
    });
    new Gauge({
      name: 'kube_emulator_storage_current_revision',
      help: 'The revision of the last committed write (what resourceVersions count).',
      registers,
      collect() {
        this.set(storage.currentRevision());
      },
    });
    new Gauge({
      name: 'kube_emulator_storage_compacted_revision',
      help: 'History at or below this revision is gone: watches and lists from older resourceVersions get 410.',
      registers,
      collect() {
        this.set(storage.compactedRevision());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one finished request and observes its latency. */
  observe(info: RequestInfo, code: number, seconds: number): void {
    let cache = this.children.get(info.route);
    if (cache === undefined) {
      cache = new Map();
      this.children.set(info.route, cache);
    }
    const key = info.verb;
    let byVerb = cache.get(key);
    if (byVerb === undefined) {
      byVerb = {
        duration: this.duration.labels(info.verb, info.group, info.version, info.resource, info.subresource),
        codes: new Map(),
      };
      cache.set(key, byVerb);
    }
    let counter = byVerb.codes.get(code);
    if (counter === undefined) {
      counter = this.requests.labels(
        info.verb,
        info.group,
        info.version,
        info.resource,
        info.subresource,
        String(code),
      );
      byVerb.codes.set(code, counter);
    }
    counter.inc();
    byVerb.duration.observe(seconds);
  }

  /** A long-running request started; call the returned function when it ends. */
  longRunningStarted(info: RequestInfo): () => void {
    const child = this.longRunning.labels(info.verb, info.group, info.version, info.resource, info.subresource);
    child.inc();
    return () => child.dec();
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

interface VerbChildren {
  duration: ReturnType<DurationHistogram['labels']>;
  codes: Map<number, ReturnType<RequestCounter['labels']>>;
}
