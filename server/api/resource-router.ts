import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The routes of every resource (collections, items, subresources of each served version), behind a dozen Fastify
 * routes instead of one per path and method. Fastify's cost is per route (a context, bound hooks, a HEAD twin):
 * the ~1,100 resource routes took a third of the server's start. Each resource path is still declared as a
 * pattern (`/apis/apps/v1/namespaces/:namespace/deployments/:name/status`); the generic Fastify routes
 * (`/apis/:group/:version/namespaces/:namespace/:plural/:name/:sub`, ...) match the request, with Fastify's own
 * path decoding and parameter bounds, and the pattern their parameters spell is looked up here. A path or method no
 * pattern declares gets the not-found handler's answer, as when no route matched; HEAD is served by GET's handler,
 * as Fastify's HEAD routes are. The request-info plugin reads the matched pattern (`routePattern`).
 */

/** A route handler; each declares its own request type (params, query). */
export type ResourceHandler = (req: any, reply: FastifyReply) => unknown;

export interface ResourceMatch {
  /** The declared pattern, e.g. `/api/v1/namespaces/:namespace/pods/:name/log`. */
  readonly pattern: string;
  readonly handler: ResourceHandler;
  /** The parameters of the pattern: what the handlers read as `req.params`. */
  readonly params: { namespace?: string; name?: string };
}

/** What the generic routes' parameters can be. */
interface GenericParams {
  group?: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  sub?: string;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BASES = ['/api/:version', '/apis/:group/:version'];
const SHAPES = [
  '/:plural',
  '/:plural/:name',
  '/:plural/:name/:sub',
  '/namespaces/:namespace/:plural',
  '/namespaces/:namespace/:plural/:name',
  '/namespaces/:namespace/:plural/:name/:sub',
];

/** Set on a request the generic routes matched: its resource route, or null when none is declared. */
const MATCH = Symbol('resourceMatch');
type Matched = FastifyRequest & { [MATCH]?: ResourceMatch | null };

/** A static segment of a pattern: a parameter value that decodes to more (`%2F`, `:`) names no pattern. */
function segment(v: string | undefined): boolean {
  return v !== undefined && v !== '' && !v.includes('/') && !v.includes(':');
}

export class ResourceRouter {
  private readonly patterns = new Map<string, Map<string, ResourceHandler>>();

  /** Declares `pattern` for `methods` (a method declared twice for a pattern is a programming error). */
  on(methods: string | readonly string[], pattern: string, handler: ResourceHandler): void {
    let byMethod = this.patterns.get(pattern);
    if (!byMethod) this.patterns.set(pattern, (byMethod = new Map()));
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      if (!(METHODS as readonly string[]).includes(method)) throw new Error(`resource route: method ${method}`);
      if (byMethod.has(method)) throw new Error(`resource route declared twice: ${method} ${pattern}`);
      byMethod.set(method, handler);
    }
  }

  /** Whether `method` is declared for `pattern` (as Fastify's hasRoute). */
  has(method: string, pattern: string): boolean {
    return this.patterns.get(pattern)?.has(method) ?? false;
  }

  /** Every declared pattern with its methods. */
  routes(): Array<{ url: string; method: string[] }> {
    return [...this.patterns].map(([url, byMethod]) => ({ url, method: [...byMethod.keys()] }));
  }

  /** The resource route of a request the generic routes matched (worked out once per request). */
  match(req: FastifyRequest): ResourceMatch | undefined {
    const r = req as Matched;
    if (r[MATCH] === undefined)
      r[MATCH] = this.lookup(req.method === 'HEAD' ? 'GET' : req.method, req.params as GenericParams);
    return r[MATCH] ?? undefined;
  }

  private lookup(method: string, p: GenericParams): ResourceMatch | null {
    if (!segment(p.version) || !segment(p.plural)) return null;
    if (p.group !== undefined && !segment(p.group)) return null;
    if (p.sub !== undefined && !segment(p.sub)) return null;
    const base = p.group === undefined ? `/api/${p.version}` : `/apis/${p.group}/${p.version}`;
    const tail = `${p.name !== undefined ? '/:name' : ''}${p.sub !== undefined ? `/${p.sub}` : ''}`;
    if (p.namespace !== undefined) {
      const found = this.find(method, `${base}/namespaces/:namespace/${p.plural}${tail}`, {
        namespace: p.namespace,
        ...(p.name !== undefined ? { name: p.name } : {}),
      });
      if (found || p.name !== undefined) return found;
      // `namespaces/<name>/<subresource>` (a namespace's status, finalize) has the shape of a namespaced collection
      return this.find(method, `${base}/namespaces/:name/${p.plural}`, { name: p.namespace });
    }
    return this.find(method, `${base}/${p.plural}${tail}`, p.name !== undefined ? { name: p.name } : {});
  }

  private find(method: string, pattern: string, params: ResourceMatch['params']): ResourceMatch | null {
    const handler = this.patterns.get(pattern)?.get(method);
    return handler ? { pattern, handler, params } : null;
  }

  /** Registers the generic routes on `app`. */
  register(app: FastifyInstance): void {
    const handler = (req: FastifyRequest, reply: FastifyReply) => {
      const m = this.match(req);
      if (!m) {
        reply.callNotFound();
        return;
      }
      req.params = m.params;
      return m.handler(req, reply);
    };
    for (const base of BASES)
      for (const shape of SHAPES)
        app.route({
          method: [...METHODS],
          url: `${base}${shape}`,
          config: { resourceRouter: this } as object,
          handler,
        });
  }
}

/**
 * The pattern a request was routed by: for the generic resource routes the declared pattern they matched (undefined
 * when none: the request is answered as by no route), otherwise Fastify's route pattern.
 */
export function routePattern(req: FastifyRequest): string | undefined {
  const router = (req.routeOptions.config as { resourceRouter?: ResourceRouter } | undefined)?.resourceRouter;
  return router ? router.match(req)?.pattern : req.routeOptions.url;
}

/**
 * A request's URL without the trailing slashes of its path when the path is the API's (`/api/...`, `/apis/...`,
 * `/version/`), as kube-apiserver's router reads it (go-restful's CurlyRouter tokenizes a path with its slashes
 * trimmed at both ends): `/api/v1/` and `/apis/apps/v1/` are the discovery documents (the Python client asks for them
 * so), `/api/v1/namespaces/default/pods/` the list. Other paths (`/ui/`, `/healthz`, `/openapi/v3`) are as sent.
 * Fastify's `rewriteUrl`, called before routing: a path that does not end with a slash costs a search for `?`.
 */
export function trimApiTrailingSlashes(req: { url?: string }): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const end = query < 0 ? url.length : query;
  if (end <= 1 || url.charCodeAt(end - 1) !== 0x2f) return url;
  if (!(url.startsWith('/api/') || url.startsWith('/apis/') || url.startsWith('/version/'))) return url;
  let trimmed = end;
  while (trimmed > 1 && url.charCodeAt(trimmed - 1) === 0x2f) trimmed--;
  return url.slice(0, trimmed) + url.slice(end);
}
