/**
 * The contracts of the controller manager's machinery. The controller process talks to the API server over
 * HTTP only (it never imports server/ or storage/), as kube-controller-manager does: list, watch, create,
 * update, patch, delete. Everything that waits takes a Clock so tests never sleep.
 */
import type { KubeObject } from '../../apimachinery/objects.js';

/** Where a resource lives on the API: `{group: 'apps', version: 'v1', resource: 'daemonsets', ...}`. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface ListResponse<T extends KubeObject = KubeObject> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** For ERROR, a metav1.Status. */
  object: T;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal: AbortSignal;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** `apply` is server-side apply (`application/apply-patch+yaml`; needs `fieldManager`, may `force`). */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

/** Options of a patch: the subresource, and the field manager and force flag of an apply. */
export interface PatchOptions {
  subresource?: string;
  fieldManager?: string;
  force?: boolean;
}

/** The API server as the controllers see it. Errors are ApiError (with the Status code and reason). */
export interface ApiClient {
  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts?: ListOptions): Promise<ListResponse<T>>;
  /** A watch stream; ends when the server closes it or the signal aborts. ERROR events are yielded as such. */
  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T>;
  /**
   * POST of a new object; with `subresource`, POST of `obj` to that subresource of the object `obj.metadata.name`
   * names (`pods/<name>/binding`), answered with whatever the server answers (a Status).
   */
  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: { subresource?: string },
  ): Promise<T>;
  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: { subresource?: string },
  ): Promise<T>;
  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: PatchOptions,
  ): Promise<T>;
  /** Returns the object (marked for deletion or as last seen) or undefined when the server answered a Status. */
  delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): Promise<KubeObject | undefined>;
}

/** Time, injectable: the real clock in production, a fake one that tests advance by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(timer: Timer): void;
  /** Resolves after `ms`, or rejects with an AbortError when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface Timer {
  readonly id: number;
}

export interface EventHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** `obj` is the last state known (a tombstone when the watch missed the deletion). */
  delete?(obj: T): void;
}

export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

/** Read-only view of an informer's cache. */
export interface Lister<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  list(namespace?: string): T[];
  byIndex(indexName: string, value: string): T[];
  /** How many objects the cache holds. */
  readonly size: number;
}

export interface Informer<T extends KubeObject> {
  readonly ref: ResourceRef;
  readonly lister: Lister<T>;
  on(handlers: EventHandlers<T>): void;
  addIndex(name: string, fn: IndexFunc<T>): void;
  /** list, watch from the list's resourceVersion, relist on 410 Expired, back off on errors; until aborted. */
  run(signal: AbortSignal): Promise<void>;
  hasSynced(): boolean;
}

export interface WorkQueue {
  /** Deduplicated; a key being processed is re-queued only after done(). */
  add(key: string): void;
  addAfter(key: string, ms: number): void;
  /** Per-key exponential backoff (with an overall bucket limit). */
  addRateLimited(key: string): void;
  forget(key: string): void;
  /** The number of times the key has been rate-limited since its last forget(). */
  retries(key: string): number;
  /** Next key to process; undefined once shut down or the signal aborts. */
  next(signal: AbortSignal): Promise<string | undefined>;
  done(key: string): void;
  length(): number;
  shutDown(): void;
}

/** A level-based controller: one sync per key (`namespace/name` or `name`); throwing re-queues with backoff. */
export interface Controller {
  readonly name: string;
  sync(key: string, signal: AbortSignal): Promise<void>;
}

/** Shared informers: one list+watch per resource (and filter), however many controllers use it. */
export interface InformerFactory {
  /** The shared informer of a resource; create before `start`. */
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): Informer<T>;
  /** Runs every informer created so far (and later ones as they are created) until the signal aborts. */
  start(signal: AbortSignal): void;
  /** Resolves once every informer has listed once; rejects when the signal aborts. */
  waitForSync(signal: AbortSignal): Promise<void>;
}

export type EventType = 'Normal' | 'Warning';

/** Records core/v1 Events about objects; aggregates repeats (count, lastTimestamp) as upstream's correlator. */
export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

/** A pino-compatible logger. */
export interface Logger {
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Everything a controller needs, handed over by the controller manager. */
export interface ControllerContext {
  client: ApiClient;
  clock: Clock;
  informers: InformerFactory;
  /**
   * An event recorder whose events carry `source.component` (and `reportingComponent`) = the given component
   * name, and `source.host` (and `reportingInstance`) = `host` when given (a kubelet passes its node's name).
   * One recorder per (component, host), shared by every caller.
   */
  recorder(component: string, host?: string): EventRecorder;
  log: Logger;
  /** Multiplies every simulated duration (kubelet timings, grace periods); 1 = real time, 0.1 = ten times faster. */
  speed: number;
  workers: number;
  /**
   * Where the simulated kubelets serve their HTTP API (container logs): one server for every node of the process,
   * which each node reports in its status. Absent: no server (component tests), nodes report the default port.
   */
  kubeletServer?: KubeletServerAddress;
  /**
   * The cluster's root CA bundle (PEM) the root CA publisher puts into every namespace's kube-root-ca.crt:
   * kube-controller-manager's --root-ca-file, else the CA of its kubeconfig. Absent: nothing to publish.
   */
  rootCA?: string;
  /**
   * Where background writes go (the simulated kubelets' Lease renewals): a client whose requests do not count as
   * the components' work, and whether that work keeps the process busy now (then they wait, within their bounds).
   * Absent: the context's client, never busy.
   */
  background?: { client: ApiClient; busy(): boolean };
}

/** The address and port the kubelet server binds (port 0: a free one) and the address nodes report for it. */
export interface KubeletServerAddress {
  address: string;
  port: number;
}

/**
 * A component of the controller manager (a controller with its queue and workers, the simulated kubelet, the
 * garbage collector): created with the context (registering informer handlers), then run until aborted.
 */
export interface Component {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
  /**
   * Offered by the component that plays the nodes' kubelets (the simulated kubelet): how the node pool registers a
   * node as a kubelet would, with its status in the create. Called once, before the pool's first create.
   */
  nodeRegistration?(signal: AbortSignal): Promise<NodeRegistration>;
}

/**
 * How a node is registered by its kubelet: the Node of the first POST (labels, pod CIDR and status: capacity,
 * addresses, nodeInfo, conditions), and what the kubelet does with the answer.
 */
export interface NodeRegistration {
  /** Nodes that exist already (listed before any create): their addresses and pod CIDRs are taken. */
  existing(nodes: KubeObject[]): void;
  /** The Node to create under `name`. */
  manifest(name: string): KubeObject;
  /** The node as created (the kubelet records NodeReady). */
  created(node: KubeObject): void;
  /** The create of `name` failed: what was set aside for it is free again. */
  failed(name: string): void;
}

export type ComponentFactory = (ctx: ControllerContext) => Component;

/** Well-known resources. */
export const RESOURCES = {
  nodes: { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  pods: { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  namespaces: { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  events: { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true },
  daemonsets: { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  controllerrevisions: {
    group: 'apps',
    version: 'v1',
    resource: 'controllerrevisions',
    kind: 'ControllerRevision',
    namespaced: true,
  },
  replicasets: { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  deployments: { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true },
} as const satisfies Record<string, ResourceRef>;
