import type { FastifyInstance, FastifyRequest } from 'fastify';
import { routePattern } from '../api/resource-router.js';

/**
 * What a request is, as kube-apiserver's RequestInfo filter sees it: the verb (as its metrics name verbs: LIST,
 * WATCH, GET, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION, or the HTTP method of a non-resource path), the
 * group, version, resource and subresource, and whether it is long-running or mutating. The limits, the metrics
 * and the request log all read it; it is worked out once per request from the matched route's pattern.
 */
export interface RequestInfo {
  readonly verb: string;
  readonly group: string;
  readonly version: string;
  /** '' for a non-resource path (discovery, health, /metrics) and for paths no route serves. */
  readonly resource: string;
  readonly subresource: string;
  /** Watches and the streaming subresources (log, exec, attach, portforward, proxy): no timeout, no in-flight slot. */
  readonly longRunning: boolean;
  /** Anything but get, list and watch takes a mutating in-flight slot (kube-apiserver's max-inflight split). */
  readonly mutating: boolean;
  /** The route's parsed pattern, shared by every request of the route. */
  readonly route: RouteInfo;
}

/** What the route pattern says, parsed once per pattern. */
export interface RouteInfo {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  /** The path names one object (`.../pods/:name`). */
  readonly named: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the request-info plugin before every other hook. */
    kube: RequestInfo;
  }
}

/** kube-apiserver's long-running subresources (BasicLongRunningRequestCheck). */
const LONG_RUNNING_SUBRESOURCES = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

const NON_RESOURCE: RouteInfo = {
  group: '',
  version: '',
  resource: '',
  subresource: '',
  named: false,
};

/** Parses a Fastify route pattern such as `/apis/apps/v1/namespaces/:namespace/daemonsets/:name/status`. */
export function parseRoutePattern(pattern: string): RouteInfo {
  const parts = pattern.split('/').filter((p) => p !== '');
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { ...NON_RESOURCE };
  }
  if (rest[0] === 'namespaces' && rest[1] === ':namespace' && rest.length >= 3) rest = rest.slice(2);
  const resource = rest[0]!;
  const named = rest[1] !== undefined && rest[1].startsWith(':');
  const subresource = named ? (rest[2] ?? '') : '';
  return { group, version, resource, subresource, named };
}

function isTrue(v: unknown): boolean {
  const s = Array.isArray(v) ? v[0] : v;
  return s === 'true' || s === '1';
}

const routes = new Map<string, RouteInfo>();

/** The RequestInfo of a request, from its matched route, method, query and Content-Type. */
export function requestInfo(req: FastifyRequest): RequestInfo {
  const pattern = routePattern(req);
  let route = pattern === undefined ? NON_RESOURCE : routes.get(pattern);
  if (route === undefined) {
    route = parseRoutePattern(pattern!);
    routes.set(pattern!, route);
  }
  const method = req.method;
  let verb: string;
  if (route.resource === '') {
    verb = method;
  } else {
    switch (method) {
      case 'GET':
      case 'HEAD':
        verb = route.named ? 'GET' : isTrue((req.query as Record<string, unknown>)['watch']) ? 'WATCH' : 'LIST';
        break;
      case 'PATCH':
        verb = (req.headers['content-type'] ?? '').startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
        break;
      case 'DELETE':
        verb = route.named ? 'DELETE' : 'DELETECOLLECTION';
        break;
      default:
        verb = method;
    }
  }
  return {
    verb,
    group: route.group,
    version: route.version,
    resource: route.resource,
    subresource: route.subresource,
    longRunning: verb === 'WATCH' || LONG_RUNNING_SUBRESOURCES.has(route.subresource),
    mutating: !(verb === 'GET' || verb === 'LIST' || verb === 'WATCH' || verb === 'HEAD'),
    route,
  };
}

/** Decorates every request with its RequestInfo (the first onRequest hook). */
export function registerRequestInfo(app: FastifyInstance): void {
  app.decorateRequest('kube', null as unknown as RequestInfo);
  app.addHook('onRequest', (req, _reply, done) => {
    req.kube = requestInfo(req);
    done();
  });
}
