/**
 * An in-memory API server for component tests (kubelet, garbage collector, pod GC): an ApiClient whose
 * writes follow the API server's rules that matter here (resourceVersion conflicts, /status, merge patches,
 * uid preconditions, graceful pod deletion, orphan/foreground finalizers, removal when the last finalizer
 * goes) and feed fake informers synchronously, plus a ControllerContext on a FakeClock. Every call is recorded.
 */
import { clone as copyJson } from '../../../../apimachinery/copy.js';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { ApiError } from '../../../../controllers/machinery/client.js';
import { FakeClock, settle } from '../../../../controllers/machinery/clock.js';
import { IndexedStore, keyOf, objectKey } from '../../../../controllers/machinery/lister.js';
import {
  RESOURCES,
  type ApiClient,
  type ControllerContext,
  type DeleteOptions,
  type EventHandlers,
  type EventType,
  type IndexFunc,
  type Informer,
  type InformerFactory,
  type ListResponse,
  type Logger,
  type PatchType,
  type ResourceRef,
  type WatchEvent,
} from '../../../../controllers/machinery/types.js';

type Json = Record<string, any>;

/** A logger that drops everything (set DEBUG_TESTS=1 to print). */
export const quietLog: Logger = {
  debug: (o, m) => void (process.env.DEBUG_TESTS && console.log('debug', m, JSON.stringify(o))),
  info: (o, m) => void (process.env.DEBUG_TESTS && console.log('info', m, JSON.stringify(o))),
  warn: (o, m) => void (process.env.DEBUG_TESTS && console.log('warn', m, JSON.stringify(o))),
  error: (o, m) => void (process.env.DEBUG_TESTS && console.log('error', m, JSON.stringify(o))),
  child: () => quietLog,
};

/** A recorded API call. */
export interface Call {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  resource: string;
  namespace?: string;
  name: string;
  subresource?: string;
  body?: any;
  opts?: DeleteOptions;
}

/** An event recorded through `ctx.recorder(component, host)`. */
export interface RecordedEvent {
  component: string;
  host?: string;
  object: string;
  type: EventType;
  reason: string;
  message: string;
  at: number;
}

export function apiError(code: number, reason: string, message = reason): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }, code);
}

/** A copy of JSON data; undefined (an absent status, no options) stays undefined. */
function clone<T>(v: T): T {
  return v === undefined ? v : copyJson(v);
}

/** RFC 7386 merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Json = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const refKey = (ref: ResourceRef) => `${ref.group}/${ref.resource}`;

/** An informer over the fake cluster's objects of one resource; changes arrive synchronously. */
export class FakeInformer<T extends KubeObject = KubeObject> implements Informer<T> {
  readonly lister = new IndexedStore<T>();
  private readonly handlers: EventHandlers<T>[] = [];
  constructor(readonly ref: ResourceRef) {}
  on(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (h.add) for (const o of this.lister.list()) h.add(o);
  }
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.lister.addIndex(name, fn);
  }
  async run(): Promise<void> {}
  hasSynced(): boolean {
    return true;
  }
  /** Changes held back (a watch that lags behind the writes), while holding. */
  private held: Array<['ADDED' | 'MODIFIED' | 'DELETED', T]> | undefined;
  /** Holds the changes back until {@link release}. */
  hold(): void {
    this.held ??= [];
  }
  /** Delivers the changes held back, in order, and delivers the next ones at once again. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [type, obj] of held) this.deliver(type, obj);
  }
  deliver(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    if (this.held) {
      this.held.push([type, clone(obj)]);
      return;
    }
    const copy = clone(obj);
    if (type === 'DELETED') {
      this.lister.remove(objectKey(copy));
      for (const h of this.handlers) h.delete?.(copy);
      return;
    }
    const old = this.lister.upsert(copy);
    for (const h of this.handlers) {
      if (old) h.update?.(old, copy);
      else h.add?.(copy);
    }
  }
}

/** The fake API server, its client, informers and context. */
export class FakeCluster implements ApiClient, InformerFactory {
  readonly clock = new FakeClock(Date.UTC(2024, 0, 1));
  readonly calls: Call[] = [];
  readonly events: RecordedEvent[] = [];
  private readonly stores = new Map<string, Map<string, KubeObject>>();
  private readonly informersByRef = new Map<string, FakeInformer<any>>();
  private rv = 100;
  private uid = 0;
  /** Calls to fail once: `verb resource name` → error. */
  readonly failures = new Map<string, ApiError>();

  /** A context for components, with this cluster as client and informer factory. */
  context(speed = 1, workers = 2): ControllerContext {
    return {
      client: this,
      clock: this.clock,
      informers: this,
      recorder: (component: string, host?: string) => ({
        event: (obj: KubeObject, type: EventType, reason: string, message: string) =>
          void this.events.push({
            component,
            host,
            object: keyOf(obj.metadata.namespace, obj.metadata.name ?? ''),
            type,
            reason,
            message,
            at: this.clock.now(),
          }),
      }),
      log: quietLog,
      speed,
      workers,
    };
  }

  /** The informer of `ref`'s changes, as the component under test has it (see FakeInformer's hold and release). */
  watchOf(ref: ResourceRef): FakeInformer {
    return this.informer(ref) as FakeInformer;
  }

  // InformerFactory
  informer<T extends KubeObject = KubeObject>(ref: ResourceRef): Informer<T> {
    let inf = this.informersByRef.get(refKey(ref));
    if (!inf) {
      inf = new FakeInformer<T>(ref);
      for (const o of this.store(ref).values()) inf.deliver('ADDED', o);
      this.informersByRef.set(refKey(ref), inf);
    }
    return inf as FakeInformer<T>;
  }
  start(): void {}
  async waitForSync(): Promise<void> {}

  private store(ref: ResourceRef): Map<string, KubeObject> {
    let s = this.stores.get(refKey(ref));
    if (!s) this.stores.set(refKey(ref), (s = new Map()));
    return s;
  }

  private notify(ref: ResourceRef, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    this.informersByRef.get(refKey(ref))?.deliver(type, obj);
  }

  private fail(verb: string, ref: ResourceRef, name: string): void {
    const key = `${verb} ${ref.resource} ${name}`;
    const err = this.failures.get(key);
    if (err) {
      this.failures.delete(key);
      throw err;
    }
  }

  /** The stored object (a copy), or undefined. */
  object<T extends KubeObject = Json & KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    return clone(this.store(ref).get(keyOf(ref.namespaced ? namespace : undefined, name))) as T | undefined;
  }

  /** Every stored object of a resource (copies). */
  objects<T extends KubeObject = Json & KubeObject>(ref: ResourceRef): T[] {
    return [...this.store(ref).values()].map((o) => clone(o) as T);
  }

  /** Calls of a verb (and resource, and subresource when given). */
  callsOf(verb: Call['verb'], resource?: string, subresource?: string): Call[] {
    return this.calls.filter(
      (c) =>
        c.verb === verb &&
        (!resource || c.resource === resource) &&
        (subresource === undefined || c.subresource === subresource),
    );
  }

  /** Stores an object as a user would create it (no call recorded). */
  seed<T extends KubeObject>(ref: ResourceRef, obj: T): T {
    return this.put(ref, clone(obj), 'ADDED') as T;
  }

  private put(ref: ResourceRef, obj: KubeObject, type: 'ADDED' | 'MODIFIED'): KubeObject {
    const meta = obj.metadata;
    if (type === 'ADDED') {
      meta.uid ??= `uid-${++this.uid}`;
      meta.creationTimestamp ??= new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    meta.resourceVersion = String(++this.rv);
    obj.apiVersion ??= ref.group ? `${ref.group}/${ref.version}` : ref.version;
    obj.kind ??= ref.kind;
    const key = keyOf(ref.namespaced ? meta.namespace : undefined, meta.name ?? '');
    this.store(ref).set(key, obj);
    this.notify(ref, type, obj);
    return clone(obj);
  }

  private remove(ref: ResourceRef, obj: KubeObject): KubeObject {
    this.store(ref).delete(keyOf(ref.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name ?? ''));
    this.notify(ref, 'DELETED', obj);
    return clone(obj);
  }

  /** Stores a changed object; removes it when it is being deleted, has no finalizers and no grace left. */
  private write(ref: ResourceRef, obj: KubeObject): KubeObject {
    const m = obj.metadata;
    if (m.finalizers && m.finalizers.length === 0) delete m.finalizers;
    if (m.ownerReferences && m.ownerReferences.length === 0) delete m.ownerReferences;
    if (m.deletionTimestamp && !(m.finalizers ?? []).length && (m.deletionGracePeriodSeconds ?? 0) === 0)
      return this.remove(ref, obj);
    return this.put(ref, obj, 'MODIFIED');
  }

  private current(ref: ResourceRef, namespace: string | undefined, name: string): KubeObject {
    const cur = this.store(ref).get(keyOf(ref.namespaced ? namespace : undefined, name));
    if (!cur) throw apiError(404, 'NotFound', `${ref.resource} "${name}" not found`);
    return cur;
  }

  // ApiClient
  async list<T extends KubeObject = KubeObject>(ref: ResourceRef): Promise<ListResponse<T>> {
    this.calls.push({ verb: 'list', resource: ref.resource, name: '' });
    return { items: this.objects<T>(ref), metadata: { resourceVersion: String(this.rv) } };
  }
  // biome-ignore lint/correctness/useYield: informers in these tests are fed directly, never watched
  async *watch<T extends KubeObject = KubeObject>(): AsyncIterable<WatchEvent<T>> {
    throw new Error('FakeCluster: watch is not supported (informers are fed directly)');
  }
  async get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    this.calls.push({ verb: 'get', resource: ref.resource, namespace, name });
    this.fail('get', ref, name);
    return clone(this.current(ref, namespace, name)) as T;
  }
  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T): Promise<T> {
    const o = clone(obj);
    if (ref.namespaced) o.metadata.namespace = namespace ?? o.metadata.namespace;
    this.calls.push({ verb: 'create', resource: ref.resource, namespace, name: o.metadata.name ?? '', body: clone(o) });
    this.fail('create', ref, o.metadata.name ?? '');
    if (this.store(ref).has(keyOf(ref.namespaced ? o.metadata.namespace : undefined, o.metadata.name ?? '')))
      throw apiError(409, 'AlreadyExists');
    delete o.metadata.resourceVersion;
    return this.put(ref, o, 'ADDED') as T;
  }
  async update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts: { subresource?: string } = {},
  ): Promise<T> {
    const name = obj.metadata.name ?? '';
    this.calls.push({
      verb: 'update',
      resource: ref.resource,
      namespace,
      name,
      subresource: opts.subresource,
      body: clone(obj),
    });
    this.fail(opts.subresource ? `update/${opts.subresource}` : 'update', ref, name);
    const cur = this.current(ref, namespace, name);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion)
      throw apiError(409, 'Conflict', 'the object has been modified');
    const next: KubeObject =
      opts.subresource === 'status'
        ? { ...clone(cur), status: clone((obj as Json).status) }
        : { ...clone(obj), status: clone((cur as Json).status) };
    next.metadata = {
      ...clone(opts.subresource === 'status' ? cur.metadata : obj.metadata),
      uid: cur.metadata.uid,
      deletionTimestamp: cur.metadata.deletionTimestamp,
      deletionGracePeriodSeconds: cur.metadata.deletionGracePeriodSeconds,
    };
    if (next.metadata.deletionTimestamp === undefined) delete next.metadata.deletionTimestamp;
    if (next.metadata.deletionGracePeriodSeconds === undefined) delete next.metadata.deletionGracePeriodSeconds;
    return this.write(ref, next) as T;
  }
  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: { subresource?: string } = {},
  ): Promise<T> {
    this.calls.push({
      verb: 'patch',
      resource: ref.resource,
      namespace,
      name,
      subresource: opts.subresource,
      body: clone(patch),
    });
    this.fail('patch', ref, name);
    if (type !== 'merge') throw new Error(`FakeCluster: ${type} patches are not supported`);
    const cur = this.current(ref, namespace, name);
    const wantRV = (patch as Json)?.metadata?.resourceVersion;
    if (wantRV && wantRV !== cur.metadata.resourceVersion)
      throw apiError(409, 'Conflict', 'the object has been modified');
    const next = mergePatch(clone(cur), patch) as KubeObject;
    return this.write(ref, next) as T;
  }
  async delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KubeObject | undefined> {
    this.calls.push({ verb: 'delete', resource: ref.resource, namespace, name, opts: clone(opts) });
    this.fail('delete', ref, name);
    const cur = clone(this.current(ref, namespace, name));
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid)
      throw apiError(409, 'Conflict', 'Precondition failed: UID');
    const m = cur.metadata;
    const fins = new Set(m.finalizers ?? []);
    if (opts.propagationPolicy === 'Orphan') {
      fins.add('orphan');
      fins.delete('foregroundDeletion');
    } else if (opts.propagationPolicy === 'Foreground') {
      fins.add('foregroundDeletion');
      fins.delete('orphan');
    }
    const pod = cur as Json;
    const bound = ref.resource === 'pods' && pod.spec?.nodeName && !['Succeeded', 'Failed'].includes(pod.status?.phase);
    const grace = bound ? (opts.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30) : 0;
    if (fins.size === 0 && grace === 0) return this.remove(ref, cur);
    m.finalizers = [...fins];
    const now = this.clock.now();
    const deadline = now + grace * 1000;
    if (!m.deletionTimestamp || deadline < Date.parse(m.deletionTimestamp)) {
      m.deletionTimestamp = new Date(deadline).toISOString().replace(/\.\d{3}Z$/, 'Z');
      m.deletionGracePeriodSeconds = grace;
    }
    return this.write(ref, cur);
  }

  /** Advances the fake clock by `ms`, letting every async step that falls due run. */
  async tick(ms: number): Promise<void> {
    await this.clock.tick(ms);
    for (let i = 0; i < 5; i++) await settle();
  }

  /** Lets pending async work run without moving time. */
  async settle(): Promise<void> {
    await this.tick(0);
  }
}

/** A Node as `--nodes` creates it (no status yet). */
export function nodeObj(name: string, extra: Json = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, ...extra };
}

/** A pod bound to `node` (or unbound with node ''), one container per image. */
export function podObj(name: string, node: string, images: string[] = ['nginx'], extra: Json = {}): KubeObject {
  const spec: Json = {
    containers: images.map((image, i) => ({ name: i === 0 ? 'app' : `app${i}`, image })),
    terminationGracePeriodSeconds: 30,
  };
  if (node) spec.nodeName = node;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(extra.metadata ?? {}) },
    spec: { ...spec, ...(extra.spec ?? {}) },
    status: { phase: 'Pending', qosClass: 'BestEffort', ...(extra.status ?? {}) },
  };
}

export { RESOURCES };
