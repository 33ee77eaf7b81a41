/**
 * The controller manager's only way to the API server: REST over HTTP or HTTPS (verified against the cluster's CA),
 * as client-go's rest client does it (JSON bodies, patch content types, Status errors, streaming watches, a
 * client-side QPS limit). Configured from a kubeconfig file or a server URL, CA and optional bearer token.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import type { KubeObject } from '../../apimachinery/objects.js';
import { isAbortError, realClock } from './clock.js';
import { TokenBucket } from './ratelimit.js';
import { HttpTransport, type TransportResponse } from './transport.js';
import type {
  ApiClient,
  Clock,
  DeleteOptions,
  ListOptions,
  ListResponse,
  PatchOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchOptions,
} from './types.js';

/** A metav1.Status as the API server sends it with every error. */
export interface Status {
  kind?: string;
  apiVersion?: string;
  metadata?: Record<string, unknown>;
  status?: string;
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
  code?: number;
}

/** A non-2xx answer (or an ERROR watch event): the HTTP code, the Status reason and the whole Status. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: Status;

  constructor(status: Status, code = status.code ?? 500) {
    super(status.message || `the server answered ${code}${status.reason ? ` (${status.reason})` : ''}`);
    this.name = 'ApiError';
    this.code = code;
    this.reason = status.reason ?? '';
    this.status = status;
  }
}

/** 404: the object (or its namespace) does not exist. */
export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.code === 404;
/** 409 AlreadyExists: a create of a name that is taken. */
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';
/** 409 other than AlreadyExists: a stale resourceVersion or a failed precondition; re-read and retry. */
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason !== 'AlreadyExists';
/** 422: the object failed validation (the Status carries `details.causes`). */
export const isInvalid = (err: unknown): boolean => err instanceof ApiError && err.code === 422;
/** 410: the resourceVersion (or continue token) asked for is older than the server keeps. */
export const isGone = (err: unknown): boolean => err instanceof ApiError && err.code === 410;

/** What the controller manager needs from a kubeconfig. */
export interface KubeconfigInfo {
  /** The context used (the current one unless another was asked for). */
  context: string;
  server: string;
  token?: string;
  /** The context's default namespace, if any. */
  namespace?: string;
  /** The CA (PEM) the server's certificate is verified with: certificate-authority-data or certificate-authority. */
  ca?: string;
  /** The cluster's insecure-skip-tls-verify. */
  insecureSkipTLSVerify?: boolean;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: Array<{
    name: string;
    cluster?: {
      server?: string;
      'certificate-authority-data'?: string;
      'certificate-authority'?: string;
      'insecure-skip-tls-verify'?: boolean;
    };
  }>;
  users?: Array<{ name: string; user?: { token?: string; tokenFile?: string } }>;
  contexts?: Array<{ name: string; context?: { cluster?: string; user?: string; namespace?: string } }>;
}

/**
 * Reads a kubeconfig (YAML or JSON): the server and bearer token of the current context (or `context`).
 * Throws an Error naming the file and what is missing. Client certificates are not supported: the emulator
 * authenticates with bearer tokens only.
 */
export function loadKubeconfig(path: string, context?: string): KubeconfigInfo {
  const text = readFileSync(path, 'utf8');
  const doc = (YAML.parse(text) ?? {}) as KubeconfigFile;
  const ctxName = context ?? doc['current-context'];
  if (!ctxName) throw new Error(`kubeconfig ${path}: no current-context`);
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new Error(`kubeconfig ${path}: context ${JSON.stringify(ctxName)} not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server)
    throw new Error(
      `kubeconfig ${path}: cluster ${JSON.stringify(ctx.cluster)} of context ${JSON.stringify(ctxName)} has no server`,
    );
  const user = ctx.user ? doc.users?.find((u) => u.name === ctx.user)?.user : undefined;
  let token = user?.token;
  if (!token && user?.tokenFile) token = readFileSync(resolve(dirname(path), user.tokenFile), 'utf8').trim();
  const info: KubeconfigInfo = {
    context: ctxName,
    server: cluster.server,
    token: token || undefined,
    namespace: ctx.namespace,
  };
  if (cluster['certificate-authority-data'])
    info.ca = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster['certificate-authority'])
    info.ca = readFileSync(resolve(dirname(path), cluster['certificate-authority']), 'utf8');
  if (cluster['insecure-skip-tls-verify'] === true) info.insecureSkipTLSVerify = true;
  return info;
}

export interface HttpApiClientOptions {
  /** The API server's base URL, e.g. `http://127.0.0.1:8080`. */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The CA (PEM) an https server's certificate must chain to (default: the system's roots). */
  ca?: string;
  /** Skip verifying an https server's certificate (kubeconfig's insecure-skip-tls-verify). */
  insecureSkipTLSVerify?: boolean;
  /**
   * Client-side request rate and burst (defaults DEFAULT_QPS, DEFAULT_BURST). kube-controller-manager's 20/s
   * protects a shared apiserver from a fleet; the emulator's one controller manager runs beside its server, and its
   * simulated kubelet plays every node, so the limit only stops a hot loop.
   */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Used by the rate limiter's waits. */
  clock?: Clock;
  /** Abort a non-watch request after this long (default 60 s). */
  requestTimeoutMs?: number;
}

/** The client's default request rate (per second) and burst: far above what the server answers, below a hot loop's. */
export const DEFAULT_QPS = 5000;
export const DEFAULT_BURST = 10_000;

const arch = process.arch === 'x64' ? 'amd64' : process.arch;
/** The User-Agent the controller manager sends, in kube-controller-manager's format. */
export const DEFAULT_USER_AGENT = `kube-controller-manager/v1.32.0 (${process.platform}/${arch}) kube-emulator`;

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** `/api/v1[/namespaces/ns]/pods[/name[/sub]]` or `/apis/group/version/...`. */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  if (ref.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) {
    if (!name) throw new Error(`${ref.resource}: empty name`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

/** The query string of a list or watch (only the options that are set). */
export function listQuery(opts: Partial<ListOptions & WatchOptions> & { watch?: boolean }): string {
  const q = new URLSearchParams();
  if (opts.watch) q.set('watch', 'true');
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
  if (opts.resourceVersion !== undefined && opts.resourceVersion !== '') q.set('resourceVersion', opts.resourceVersion);
  if (opts.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if (opts.timeoutSeconds !== undefined) q.set('timeoutSeconds', String(Math.floor(opts.timeoutSeconds)));
  if (opts.limit !== undefined && opts.limit > 0) q.set('limit', String(opts.limit));
  if (opts.continue) q.set('continue', opts.continue);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The ApiClient over HTTP. Every request (a watch counts once, when opened) waits for a token of the client's
 * rate limiter. Non-2xx answers throw ApiError; network failures throw a TransportError (a TypeError, with
 * the system error as `cause`).
 */
export class HttpApiClient implements ApiClient {
  readonly server: string;
  private readonly headers: Record<string, string>;
  private readonly limiter: TokenBucket;
  private readonly requestTimeoutMs: number;
  private readonly transport: HttpTransport;

  constructor(opts: HttpApiClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.server);
    } catch {
      throw new Error(`invalid server URL ${JSON.stringify(opts.server)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`invalid server URL ${JSON.stringify(opts.server)}: http or https only`);
    this.server = opts.server.replace(/\/+$/, '');
    this.headers = { Accept: 'application/json', 'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT };
    if (opts.token) this.headers.Authorization = `Bearer ${opts.token}`;
    this.limiter = new TokenBucket(opts.qps ?? DEFAULT_QPS, opts.burst ?? DEFAULT_BURST, opts.clock ?? realClock);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.transport = new HttpTransport(url, { ca: opts.ca, insecureSkipTLSVerify: opts.insecureSkipTLSVerify });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.transport.close();
  }

  /** A client for the server and token of a kubeconfig's current context; other options as the constructor. */
  static fromKubeconfig(
    path: string,
    opts: Omit<HttpApiClientOptions, 'server' | 'token' | 'ca' | 'insecureSkipTLSVerify'> = {},
  ): HttpApiClient {
    return HttpApiClient.fromKubeconfigInfo(loadKubeconfig(path), opts);
  }

  /** A client for what loadKubeconfig read (one read and parse for several clients). */
  static fromKubeconfigInfo(
    cfg: KubeconfigInfo,
    opts: Omit<HttpApiClientOptions, 'server' | 'token' | 'ca' | 'insecureSkipTLSVerify'> = {},
  ): HttpApiClient {
    return new HttpApiClient({
      ...opts,
      server: cfg.server,
      token: cfg.token,
      ca: cfg.ca,
      insecureSkipTLSVerify: cfg.insecureSkipTLSVerify,
    });
  }

  list<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<ListResponse<T>> {
    return this.request('GET', resourcePath(ref, opts.namespace) + listQuery(opts)) as Promise<ListResponse<T>>;
  }

  get<T extends KubeObject = KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.request('GET', resourcePath(ref, namespace, name)) as Promise<T>;
  }

  create<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts: { subresource?: string } = {},
  ): Promise<T> {
    const ns = namespace ?? obj.metadata.namespace;
    const path = opts.subresource
      ? resourcePath(ref, ns, obj.metadata.name ?? '', opts.subresource)
      : resourcePath(ref, ns);
    return this.request('POST', path, obj) as Promise<T>;
  }

  update<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts: { subresource?: string } = {},
  ): Promise<T> {
    const name = obj.metadata.name ?? '';
    return this.request(
      'PUT',
      resourcePath(ref, namespace ?? obj.metadata.namespace, name, opts.subresource),
      obj,
    ) as Promise<T>;
  }

  patch<T extends KubeObject = KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: PatchOptions = {},
  ): Promise<T> {
    const q = new URLSearchParams();
    if (opts.fieldManager) q.set('fieldManager', opts.fieldManager);
    if (opts.force) q.set('force', 'true');
    const query = q.toString();
    return this.request(
      'PATCH',
      resourcePath(ref, namespace, name, opts.subresource) + (query ? `?${query}` : ''),
      patch,
      PATCH_CONTENT_TYPES[type],
    ) as Promise<T>;
  }

  async delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): Promise<KubeObject | undefined> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...opts };
    const res = (await this.request('DELETE', resourcePath(ref, namespace, name), body)) as KubeObject | undefined;
    return res && res.kind !== 'Status' ? res : undefined;
  }

  /**
   * Opens `GET ...?watch=true` and yields one event per line as the server sends them, across chunk
   * boundaries. A non-2xx answer throws ApiError before the first event; ERROR events are yielded as such.
   * Ends quietly when the server closes the stream or the signal aborts; a broken connection throws.
   */
  async *watch<T extends KubeObject = KubeObject>(ref: ResourceRef, opts: WatchOptions): AsyncGenerator<WatchEvent<T>> {
    const { signal } = opts;
    if (signal.aborted) return;
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const url = this.server + resourcePath(ref, opts.namespace) + listQuery({ ...opts, watch: true });
    try {
      try {
        await this.limiter.take(signal);
      } catch (err) {
        if (isAbortError(err)) return;
        throw err;
      }
      let res: TransportResponse;
      try {
        res = await this.transport.request(url, { method: 'GET', headers: this.headers, signal: ctl.signal });
      } catch (err) {
        if (signal.aborted) return;
        throw err;
      }
      if (!res.ok) throw errorFrom(res.status, res.statusText, await res.text().catch(() => ''));
      const chunks = res.body[Symbol.asyncIterator]();
      const decoder = new TextDecoder();
      let pending = '';
      for (;;) {
        let chunk: IteratorResult<Buffer>;
        try {
          chunk = (await chunks.next()) as IteratorResult<Buffer>;
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        if (chunk.done) break;
        pending += decoder.decode(chunk.value, { stream: true });
        if (!pending.includes('\n')) continue;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          if (line.trim()) yield parseEvent<T>(line);
          if (signal.aborted) return;
        }
      }
      pending += decoder.decode();
      if (pending.trim()) yield parseEvent<T>(pending);
    } finally {
      signal.removeEventListener('abort', onAbort);
      ctl.abort();
    }
  }

  /** A GET of any API path (discovery documents), parsed as JSON; ApiError on non-2xx. */
  getJSON(path: string): Promise<unknown> {
    return this.request('GET', path);
  }

  /**
   * One request: JSON in and out, within the client's request timeout. Resolves with the parsed body (undefined when
   * empty).
   */
  private async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<unknown> {
    await this.limiter.take();
    const headers = body === undefined ? this.headers : { ...this.headers, 'Content-Type': contentType };
    const res = await this.transport.requestText(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.requestTimeoutMs,
    });
    if (!res.ok) throw errorFrom(res.status, res.statusText, res.text);
    const text = res.text;
    if (!text) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(
        `${method} ${path}: the server answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }
}

function parseEvent<T extends KubeObject>(line: string): WatchEvent<T> {
  let ev: WatchEvent<T>;
  try {
    ev = JSON.parse(line) as WatchEvent<T>;
  } catch {
    throw new Error(`watch: a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (!ev || typeof ev.type !== 'string' || typeof ev.object !== 'object' || ev.object === null) {
    throw new Error(`watch: not an event: ${line.slice(0, 200)}`);
  }
  return ev;
}

/** The ApiError of a non-2xx answer: its Status, or one made up from the code and text. */
function errorFrom(code: number, statusText: string, text: string): ApiError {
  let status: Status | undefined;
  try {
    const parsed = JSON.parse(text) as Status;
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status') status = parsed;
  } catch {
    // not JSON: made up below
  }
  status ??= {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: text.trim() || `the server answered ${code} ${statusText}`,
    reason: reasonForCode(code),
    code,
  };
  return new ApiError(status, code);
}

/** The StatusReason kube-apiserver uses for a bare HTTP code (client-go's reasonForError fallbacks). */
function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    406: 'NotAcceptable',
    409: 'Conflict',
    410: 'Expired',
    413: 'RequestEntityTooLarge',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
