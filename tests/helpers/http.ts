/**
 * Curl-like requests for API tests: `fetch` with the body decoded as JSON when the server says it is JSON.
 * Nothing here retries or interprets status codes; tests assert on them.
 */

import assert from 'node:assert/strict';

export type Json = any;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The decoded JSON body, or the text when the body is not JSON. */
  body: Json;
  text: string;
}

export interface RequestOptions {
  /** A value to send as JSON (`Content-Type: application/json` unless `contentType` says otherwise). */
  body?: unknown;
  /** A raw body sent as is (e.g. malformed JSON). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Abort the request after this many ms (default 30 s). */
  timeoutMs?: number;
}

export class Api {
  private readonly base: string | (() => string);

  /** `url`, or a function giving it when a request is made (a suite's server starts in its `before` hook). */
  constructor(url: string | (() => string)) {
    this.base = url;
  }

  /** The server's URL: `http://127.0.0.1:<port>`. */
  get url(): string {
    return typeof this.base === 'string' ? this.base : this.base();
  }

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const res = await fetch(this.url + path, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30000),
    });
    const text = await res.text();
    let decoded: Json = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        decoded = JSON.parse(text);
      } catch {
        decoded = text;
      }
    }
    return { status: res.status, headers: res.headers, body: decoded, text };
  }

  get(path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('GET', path, opts);
  }
  post(path: string, body: unknown, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', path, { ...opts, body });
  }
  put(path: string, body: unknown, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('PUT', path, { ...opts, body });
  }
  patch(
    path: string,
    body: unknown,
    contentType = 'application/merge-patch+json',
    opts: RequestOptions = {},
  ): Promise<ApiResponse> {
    return this.request('PATCH', path, { ...opts, body, contentType });
  }
  delete(path: string, body?: unknown, opts: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('DELETE', path, { ...opts, body });
  }

  /** Like request, but fails with the whole reply when the status is not the expected one. */
  async expect(status: number, method: string, path: string, opts: RequestOptions = {}): Promise<Json> {
    const res = await this.request(method, path, opts);
    if (res.status !== status)
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.text.slice(0, 2000)}`);
    return res.body;
  }

  /** POST /api/v1/namespaces; returns the namespace. */
  createNamespace(name: string): Promise<Json> {
    return this.expect(201, 'POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  }
}

/** The Success Status kube-apiserver answers a create-only subresource with (pods/binding, pods/eviction): 201. */
export const CREATED_SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

/**
 * Asserts a failure `Status` body: its kind and apiVersion, `status: Failure`, the code and reason (undefined: none),
 * and the message when one is given (exactly, or matching a RegExp).
 */
export function assertFailureStatus(
  body: Json,
  code: number,
  reason: string | undefined,
  message?: string | RegExp,
): void {
  assert.equal(body?.kind, 'Status', JSON.stringify(body));
  assert.equal(body.apiVersion, 'v1', JSON.stringify(body));
  assert.equal(body.status, 'Failure', JSON.stringify(body));
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(body.reason, reason, JSON.stringify(body));
  if (typeof message === 'string') assert.equal(body.message, message);
  else if (message) assert.match(body.message, message);
}

/** A minimal valid Pod. */
export function podManifest(
  name: string,
  opts: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    nodeName?: string;
    generateName?: string;
  } = {},
): Json {
  const metadata: Json = opts.generateName !== undefined ? { generateName: opts.generateName } : { name };
  if (opts.labels) metadata.labels = opts.labels;
  if (opts.annotations) metadata.annotations = opts.annotations;
  const spec: Json = { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] };
  if (opts.nodeName) spec.nodeName = opts.nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** A minimal valid core/v1 Event about `involved` (name, kind, uid) in `namespace`. */
export function eventManifest(
  name: string,
  namespace: string,
  involved: { name: string; kind: string; uid?: string; namespace?: string },
  reason = 'Testing',
): Json {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: {
      apiVersion: 'v1',
      kind: involved.kind,
      name: involved.name,
      namespace: involved.namespace ?? namespace,
      uid: involved.uid ?? '',
    },
    reason,
    message: `event ${name}`,
    type: 'Normal',
    source: { component: 'tests' },
    count: 1,
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
