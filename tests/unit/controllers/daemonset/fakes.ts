/**
 * In-memory fakes for the DaemonSet controller tests: a cluster that answers the ApiClient calls the controller
 * makes (recording each), informers over the machinery's IndexedStore whose watch events the test delivers
 * with `flush()` (so a slow watch is simply one not flushed yet), an event recorder and a silent logger.
 */
import type { KubeObject, OwnerReference } from '../../../../apimachinery/objects.js';
import { rfc3339 } from '../../../../apimachinery/time.js';
import { ApiError } from '../../../../controllers/machinery/client.js';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { IndexedStore, objectKey } from '../../../../controllers/machinery/lister.js';
import type {
  ApiClient,
  ControllerContext,
  DeleteOptions,
  EventHandlers,
  EventRecorder,
  EventType,
  IndexFunc,
  Informer,
  InformerFactory,
  ListResponse,
  Logger,
  PatchType,
  ResourceRef,
  WatchEvent,
} from '../../../../controllers/machinery/types.js';
import { RESOURCES } from '../../../../controllers/machinery/types.js';
import type { DaemonSet, Node, Pod, Taint } from '../../../../controllers/daemonset/types.js';

/** A silent logger. */
export const nullLog: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return nullLog;
  },
};

/** An informer whose events the test (or FakeCluster.flush) applies. */
export class FakeInformer<T extends KubeObject> implements Informer<T> {
  readonly lister = new IndexedStore<T>();
  private readonly handlers: EventHandlers<T>[] = [];
  constructor(readonly ref: ResourceRef) {}
  on(h: EventHandlers<T>): void {
    this.handlers.push(h);
  }
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.lister.addIndex(name, fn);
  }
  async run(): Promise<void> {}
  hasSynced(): boolean {
    return true;
  }
  /** Applies a watch event to the cache, then calls the handlers. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const copy = structuredClone(obj);
    if (type === 'DELETED') {
      const old = this.lister.remove(objectKey(copy));
      for (const h of this.handlers) h.delete?.(old ?? copy);
      return;
    }
    const old = this.lister.upsert(copy);
    for (const h of this.handlers) {
      if (old) h.update?.(old, copy);
      else h.add?.(copy);
    }
  }
}

/** Informers by resource. */
export class FakeInformerFactory implements InformerFactory {
  readonly map = new Map<string, FakeInformer<KubeObject>>();
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): FakeInformer<T> {
    let inf = this.map.get(ref.resource);
    if (!inf) this.map.set(ref.resource, (inf = new FakeInformer(ref)));
    return inf as unknown as FakeInformer<T>;
  }
  start(): void {}
  async waitForSync(): Promise<void> {}
}

/** One recorded API call. */
export interface Call {
  verb: 'get' | 'create' | 'update' | 'patch' | 'delete' | 'list';
  resource: string;
  namespace?: string;
  name?: string;
  body?: unknown;
  patchType?: PatchType;
  subresource?: string;
}

/** One recorded event. */
export interface RecordedEvent {
  name?: string;
  type: EventType;
  reason: string;
  message: string;
}

/** Records events. */
export class FakeRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push({ name: obj.metadata.name, type, reason, message });
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

/** An API error as the server answers it. */
export function apiError(code: number, reason: string, message = reason): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/**
 * The cluster: objects per resource; every write is recorded in `calls` and queued as a watch event that
 * `flush()` delivers to the informers. `fail` may throw for a call (return an error to throw it).
 */
export class FakeCluster implements ApiClient {
  readonly clock: FakeClock;
  informers = new FakeInformerFactory();
  readonly recorder = new FakeRecorder();
  readonly calls: Call[] = [];
  readonly stores = new Map<string, Map<string, KubeObject>>();
  private pending: Array<{ ref: ResourceRef; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: KubeObject }> = [];
  private seq = 0;
  private rv = 100;
  fail?: (call: Call) => unknown;

  constructor(clock = new FakeClock()) {
    this.clock = clock;
  }

  /** The context a controller under test gets. */
  context(workers = 1): ControllerContext {
    return {
      client: this,
      clock: this.clock,
      informers: this.informers,
      recorder: () => this.recorder,
      log: nullLog,
      speed: 1,
      workers,
    };
  }

  private store(ref: ResourceRef): Map<string, KubeObject> {
    let s = this.stores.get(ref.resource);
    if (!s) this.stores.set(ref.resource, (s = new Map()));
    return s;
  }

  /** Objects of a resource currently stored. */
  objects<T extends KubeObject>(ref: ResourceRef): T[] {
    return [...this.store(ref).values()] as T[];
  }

  /** Calls of one verb (and resource). */
  callsOf(verb: Call['verb'], resource?: string): Call[] {
    return this.calls.filter((c) => c.verb === verb && (resource === undefined || c.resource === resource));
  }

  /** Stores an object and delivers it to the informer at once (test setup; no call recorded). */
  seed<T extends KubeObject>(ref: ResourceRef, obj: T): T {
    const stored = this.write(ref, structuredClone(obj), true);
    this.informers.informer(ref).apply('ADDED', stored);
    this.pending.pop(); // delivered right away
    return structuredClone(stored) as T;
  }

  /** Delivers every queued watch event (or the first `n`) to the informers, in order. */
  flush(n = Infinity): number {
    let done = 0;
    while (this.pending.length > 0 && done < n) {
      const e = this.pending.shift()!;
      this.informers.informer(e.ref).apply(e.type, e.obj);
      done++;
    }
    return done;
  }

  /** Watch events not yet delivered. */
  pendingEvents(): number {
    return this.pending.length;
  }

  /**
   * A controller-manager restart: undelivered watch events are lost and fresh informers start empty; call
   * `relist()` after creating the new controller to fill them as their initial list would.
   */
  restart(): void {
    this.pending = [];
    this.informers = new FakeInformerFactory();
  }

  /** Delivers every stored object as ADDED to the (fresh) informers. */
  relist(): void {
    for (const [resource, store] of this.stores) {
      const inf = this.informers.map.get(resource);
      if (!inf) continue;
      for (const obj of store.values()) inf.apply('ADDED', obj);
    }
  }

  /** Drops the queued watch events (a watch that never delivers them, e.g. before a restart). */
  dropPending(): void {
    this.pending = [];
  }

  private write(ref: ResourceRef, obj: KubeObject, isNew: boolean): KubeObject {
    const m = obj.metadata;
    if (isNew) {
      m.uid ??= `uid-${++this.seq}`;
      m.creationTimestamp ??= rfc3339(this.clock.now());
    }
    m.resourceVersion = String(++this.rv);
    this.store(ref).set(objectKey(obj), obj);
    this.pending.push({ ref, type: isNew ? 'ADDED' : 'MODIFIED', obj: structuredClone(obj) });
    return obj;
  }

  private record(call: Call): void {
    this.calls.push(call);
    const err = this.fail?.(call);
    if (err) throw err;
  }

  private mustGet(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store(ref).get(namespace ? `${namespace}/${name}` : name);
    if (!obj) throw apiError(404, 'NotFound', `${ref.resource} "${name}" not found`);
    return obj;
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef): Promise<ListResponse<T>> {
    this.record({ verb: 'list', resource: ref.resource });
    return { items: structuredClone(this.objects<T>(ref)), metadata: { resourceVersion: String(this.rv) } };
  }

  watch<T extends KubeObject = KubeObject>(): AsyncIterable<WatchEvent<T>> {
    throw new Error('FakeCluster does not watch: use flush()');
  }

  async get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    this.record({ verb: 'get', resource: ref.resource, namespace, name });
    return structuredClone(this.mustGet(ref, namespace, name)) as T;
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T): Promise<T> {
    this.record({ verb: 'create', resource: ref.resource, namespace, body: structuredClone(obj) });
    const o = structuredClone(obj) as KubeObject;
    o.metadata.namespace = namespace;
    if (!o.metadata.name && o.metadata.generateName)
      o.metadata.name = `${o.metadata.generateName}${String(++this.seq).padStart(5, 'x')}`;
    if (this.store(ref).has(objectKey(o)))
      throw apiError(409, 'AlreadyExists', `${ref.resource} "${o.metadata.name}" already exists`);
    return structuredClone(this.write(ref, o, true)) as T;
  }

  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: { subresource?: string },
  ): Promise<T> {
    this.record({
      verb: 'update',
      resource: ref.resource,
      namespace,
      name: obj.metadata.name,
      body: structuredClone(obj),
      subresource: opts?.subresource,
    });
    const cur = this.mustGet(ref, namespace, obj.metadata.name!);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw apiError(
        409,
        'Conflict',
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    // A status update keeps the stored spec; metadata (annotations: a Deployment's revision) is the caller's.
    const next = structuredClone(
      opts?.subresource === 'status'
        ? { ...cur, metadata: { ...cur.metadata, annotations: obj.metadata.annotations }, status: obj.status }
        : { ...obj, status: cur.status },
    ) as KubeObject;
    next.metadata = {
      ...next.metadata,
      uid: cur.metadata.uid,
      creationTimestamp: cur.metadata.creationTimestamp,
      namespace,
    };
    return structuredClone(this.write(ref, next, false)) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
  ): Promise<T> {
    this.record({
      verb: 'patch',
      resource: ref.resource,
      namespace,
      name,
      body: structuredClone(patch),
      patchType: type,
    });
    const cur = structuredClone(this.mustGet(ref, namespace, name));
    const pm = ((patch as { metadata?: Record<string, unknown> }).metadata ?? {}) as {
      uid?: string;
      resourceVersion?: string;
      labels?: Record<string, string | null>;
      ownerReferences?: Array<OwnerReference & { $patch?: string }>;
    };
    if (pm.uid !== undefined && pm.uid !== cur.metadata.uid)
      throw apiError(422, 'Invalid', 'metadata.uid: field is immutable');
    if (pm.resourceVersion !== undefined && pm.resourceVersion !== cur.metadata.resourceVersion)
      throw apiError(409, 'Conflict', 'conflict');
    if (pm.labels) {
      const labels = { ...(cur.metadata.labels ?? {}) };
      for (const [k, v] of Object.entries(pm.labels)) {
        if (v === null) delete labels[k];
        else labels[k] = v;
      }
      cur.metadata.labels = labels;
    }
    if (pm.ownerReferences) {
      let refs = [...(cur.metadata.ownerReferences ?? [])];
      for (const r of pm.ownerReferences) {
        refs = refs.filter((x) => x.uid !== r.uid);
        if (r.$patch !== 'delete') refs.push(r);
      }
      cur.metadata.ownerReferences = refs;
    }
    return structuredClone(this.write(ref, cur, false)) as T;
  }

  async delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): Promise<KubeObject | undefined> {
    this.record({ verb: 'delete', resource: ref.resource, namespace, name, body: opts });
    const cur = this.mustGet(ref, namespace, name);
    this.store(ref).delete(objectKey(cur));
    this.rv++;
    this.pending.push({ ref, type: 'DELETED', obj: structuredClone(cur) });
    return structuredClone(cur);
  }
}

/** A Ready node named `name` with labels and taints. */
export function node(
  name: string,
  opts: {
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    ready?: 'True' | 'False' | 'Unknown';
  } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }] },
  };
}

/** The test DaemonSet `foo` in `default` (as upstream's fixture): selector/template labels name=simple-daemon,type=production. */
export function daemonSet(name = 'foo', patch: (ds: DaemonSet) => void = () => {}): DaemonSet {
  const ds: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `ds-uid-${name}`,
      generation: 1,
      annotations: { 'deprecated.daemonset.template.generation': '1' },
    },
    spec: {
      selector: { matchLabels: { name: 'simple-daemon', type: 'production' } },
      template: {
        metadata: {
          creationTimestamp: null as unknown as string,
          labels: { name: 'simple-daemon', type: 'production' },
        },
        spec: {
          containers: [{ name: 'foo', image: 'foo/bar', resources: {} }],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
        },
      },
      updateStrategy: { type: 'OnDelete' },
      revisionHistoryLimit: 2,
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
  patch(ds);
  return ds;
}

/** A pod of `ds` on `nodeName` (controlled by it unless `orphan`), created at `created` seconds after the epoch of the fake clock. */
export function daemonPod(
  ds: DaemonSet,
  name: string,
  nodeName: string,
  opts: {
    orphan?: boolean;
    phase?: string;
    ready?: boolean;
    readySince?: string;
    created?: string;
    deleting?: boolean;
    labels?: Record<string, string>;
  } = {},
): Pod {
  const labels = opts.labels ?? { ...(ds.spec.template.metadata?.labels ?? {}) };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ds.metadata.namespace,
      uid: `pod-uid-${name}`,
      labels,
      creationTimestamp: opts.created ?? '2024-01-01T00:00:00Z',
      ...(opts.orphan
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'DaemonSet',
                name: ds.metadata.name!,
                uid: ds.metadata.uid!,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }),
      ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: { nodeName, containers: [] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: opts.ready === false ? 'False' : 'True',
          lastTransitionTime: opts.readySince ?? '2024-01-01T00:00:00Z',
        },
      ],
    },
  };
  return pod;
}

export { RESOURCES };
