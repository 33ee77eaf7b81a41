/**
 * A scriptable ApiClient for informer and recorder tests: lists and watches answer from what the test sets
 * up, every call is recorded, and each watch is a channel the test pushes events into and ends.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { ApiError, type Status } from '../../../../controllers/machinery/client.js';
import type {
  ApiClient,
  DeleteOptions,
  ListOptions,
  ListResponse,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchOptions,
} from '../../../../controllers/machinery/types.js';

/** An async iterable the test feeds: `push` events, then `end()` or `fail(err)`; the watch signal ends it too. */
export class FakeWatch {
  private readonly buffer: WatchEvent[] = [];
  private waiting: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private failWaiting: ((err: unknown) => void) | undefined;
  private ended = false;
  private error: unknown;
  /** True once the consumer stopped reading (ended, broke out, or its signal aborted). */
  closed = false;

  constructor(readonly opts: WatchOptions) {
    opts.signal.addEventListener('abort', () => this.end(), { once: true });
  }

  push(type: WatchEvent['type'], object: KubeObject | Status): this {
    this.buffer.push({ type, object: object as KubeObject });
    this.flush();
    return this;
  }
  end(): void {
    this.ended = true;
    this.flush();
  }
  fail(err: unknown): void {
    this.error = err;
    this.ended = true;
    this.flush();
  }

  private flush(): void {
    if (!this.waiting) return;
    const resolve = this.waiting;
    const reject = this.failWaiting!;
    if (this.buffer.length > 0) {
      this.waiting = this.failWaiting = undefined;
      resolve({ value: this.buffer.shift()!, done: false });
    } else if (this.ended) {
      this.waiting = this.failWaiting = undefined;
      this.closed = true;
      if (this.error !== undefined) reject(this.error);
      else resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () =>
        new Promise<IteratorResult<WatchEvent>>((resolve, reject) => {
          this.waiting = resolve;
          this.failWaiting = reject;
          this.flush();
        }),
      return: async () => {
        this.closed = true;
        this.ended = true;
        return { value: undefined, done: true };
      },
    };
  }
}

export interface Call {
  verb: 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';
  ref: ResourceRef;
  namespace?: string;
  name?: string;
  body?: unknown;
  patchType?: PatchType;
  opts?: unknown;
}

/**
 * Objects live in `objects` (by `namespace/name`); `rv` is the store revision lists report. `failNext` makes
 * the next call of a verb throw; `listHook`/`watchHook` override answers.
 */
export class FakeApiClient implements ApiClient {
  readonly calls: Call[] = [];
  readonly watches: FakeWatch[] = [];
  readonly objects = new Map<string, KubeObject>();
  rv = 1;
  /** Errors thrown by the next calls of a verb, in order. */
  readonly failNext: Partial<Record<Call['verb'], unknown[]>> = {};
  /** Custom answers; return undefined to fall back to the default. */
  listHook?: (opts: ListOptions) => ListResponse | undefined;
  createHook?: (obj: KubeObject) => KubeObject | undefined;
  private watchWaiters: Array<() => void> = [];

  /** Stores an object with the next resourceVersion (as a write would). */
  put(obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.objects.set(key(stored), stored);
    return stored;
  }
  remove(namespace: string | undefined, name: string): void {
    this.objects.delete(namespace ? `${namespace}/${name}` : name);
    this.rv++;
  }

  /** Resolves with the n-th watch (0-based) once it has been opened. */
  async watchNo(n: number): Promise<FakeWatch> {
    while (this.watches.length <= n) await new Promise<void>((r) => this.watchWaiters.push(r));
    return this.watches[n]!;
  }

  count(verb: Call['verb']): number {
    return this.calls.filter((c) => c.verb === verb).length;
  }

  private failure(verb: Call['verb']): void {
    const queue = this.failNext[verb];
    if (queue && queue.length > 0) throw queue.shift();
  }

  async list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ListResponse<T>> {
    this.calls.push({ verb: 'list', ref, opts: { ...opts } });
    this.failure('list');
    const custom = this.listHook?.(opts);
    if (custom) return structuredClone(custom) as ListResponse<T>;
    const all = [...this.objects.values()].sort((a, b) => key(a).localeCompare(key(b)));
    const start = opts.continue ? Number(opts.continue) : 0;
    const end = opts.limit ? start + opts.limit : all.length;
    const items = all.slice(start, end);
    const metadata: ListResponse['metadata'] = { resourceVersion: String(this.rv) };
    if (end < all.length) metadata.continue = String(end);
    return structuredClone({ items, metadata }) as ListResponse<T>;
  }

  watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
    this.calls.push({ verb: 'watch', ref, opts: { ...opts, signal: undefined } });
    const queue = this.failNext.watch;
    const err = queue && queue.length > 0 ? queue.shift() : undefined;
    const w = new FakeWatch(opts);
    if (err !== undefined) w.fail(err);
    this.watches.push(w);
    for (const r of this.watchWaiters.splice(0)) r();
    return w as unknown as AsyncIterable<WatchEvent<T>>;
  }

  async get<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T> {
    this.calls.push({ verb: 'get', ref, namespace, name });
    this.failure('get');
    const obj = this.objects.get(namespace ? `${namespace}/${name}` : name);
    if (!obj) throw notFound(ref, name);
    return structuredClone(obj) as T;
  }

  async create<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T): Promise<T> {
    this.calls.push({ verb: 'create', ref, namespace, name: obj.metadata.name, body: structuredClone(obj) });
    this.failure('create');
    const custom = this.createHook?.(obj);
    if (custom) return custom as T;
    const k = key({ ...obj, metadata: { ...obj.metadata, namespace } });
    if (this.objects.has(k))
      throw new ApiError({
        kind: 'Status',
        code: 409,
        reason: 'AlreadyExists',
        message: `${ref.resource} "${obj.metadata.name}" already exists`,
      });
    return this.put({ ...obj, metadata: { ...obj.metadata, namespace } }) as T;
  }

  async update<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, obj: T): Promise<T> {
    this.calls.push({ verb: 'update', ref, namespace, name: obj.metadata.name, body: structuredClone(obj) });
    this.failure('update');
    return this.put(obj) as T;
  }

  async patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
  ): Promise<T> {
    this.calls.push({ verb: 'patch', ref, namespace, name, body: structuredClone(patch), patchType: type });
    this.failure('patch');
    const obj = this.objects.get(namespace ? `${namespace}/${name}` : name);
    if (!obj) throw notFound(ref, name);
    return this.put({ ...obj, ...(patch as object) }) as T;
  }

  async delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): Promise<KubeObject | undefined> {
    this.calls.push({ verb: 'delete', ref, namespace, name, opts });
    this.failure('delete');
    const obj = this.objects.get(namespace ? `${namespace}/${name}` : name);
    if (!obj) throw notFound(ref, name);
    this.remove(namespace, name);
    return obj;
  }
}

export function notFound(ref: ResourceRef, name: string): ApiError {
  return new ApiError({
    kind: 'Status',
    code: 404,
    reason: 'NotFound',
    message: `${ref.resource} "${name}" not found`,
  });
}

export function gone(message = 'too old resource version'): ApiError {
  return new ApiError({ kind: 'Status', code: 410, reason: 'Expired', message });
}

function key(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}

/** A pod-shaped object for cache tests. */
export function pod(namespace: string, name: string, labels: Record<string, string> = {}, rv?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels, uid: `uid-${namespace}-${name}`, ...(rv ? { resourceVersion: rv } : {}) },
  };
}
