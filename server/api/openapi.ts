import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { buildOpenAPIv2, buildOpenAPIv3, contentHash, type OpenAPIv3Set } from '../../openapi/document.js';
import { encodeOpenAPIv2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RESPONSE } from '../../openapi/protobuf.js';
import type { Registry } from '../registry/registry.js';
import { errors } from '../registry/status.js';

/** One representation of a document, ready to send: bytes, Content-Type and entity tag (unquoted). */
interface Representation {
  body: Buffer;
  type: string;
  etag: string;
}

function representation(body: string | Uint8Array, type: string): Representation {
  const buf = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return { body: buf, type, etag: contentHash(buf) };
}

/**
 * The served OpenAPI documents of one registry, each built on first use and kept: the registry does not change after
 * startup, so every document, its serialization and its hash are computed once per server.
 */
export class OpenAPIDocuments {
  private v2Doc?: Record<string, unknown>;
  private v2JSONRep?: Representation;
  private v2ProtoRep?: Representation;
  private v3Set?: OpenAPIv3Set;
  private v3IndexRep?: Representation;
  private readonly v3Reps = new Map<string, Representation>();

  constructor(private readonly registry: Registry) {}

  /** The Swagger 2.0 document (JSON form). */
  get v2(): Record<string, unknown> {
    return (this.v2Doc ??= buildOpenAPIv2(this.registry));
  }

  /** `/openapi/v2` and `/swagger.json` in JSON. */
  get v2JSON(): Representation {
    return (this.v2JSONRep ??= representation(JSON.stringify(this.v2), 'application/json'));
  }

  /** `/openapi/v2` as gnostic protobuf (encoded once). */
  get v2Protobuf(): Representation {
    return (this.v2ProtoRep ??= representation(encodeOpenAPIv2(this.v2), OPENAPI_V2_PROTOBUF_RESPONSE));
  }

  /** The per-group-version OpenAPI 3 documents and their index. */
  get v3(): OpenAPIv3Set {
    return (this.v3Set ??= buildOpenAPIv3(this.registry));
  }

  /** `/openapi/v3`: the index. */
  get v3Index(): Representation {
    return (this.v3IndexRep ??= representation(JSON.stringify(this.v3.index), 'application/json'));
  }

  /** The document of a prefix (`api/v1`, `apis/apps/v1`); its etag is the hash its index entry carries. */
  v3Document(prefix: string): Representation | undefined {
    let rep = this.v3Reps.get(prefix);
    if (!rep) {
      const doc = this.v3.docs.get(prefix);
      if (!doc) return undefined;
      rep = { body: Buffer.from(JSON.stringify(doc)), type: 'application/json', etag: this.v3.hashes.get(prefix)! };
      this.v3Reps.set(prefix, rep);
    }
    return rep;
  }
}

const documents = new WeakMap<Registry, OpenAPIDocuments>();

/** The (shared, lazily built) OpenAPI documents of a registry. */
export function openAPIDocuments(registry: Registry): OpenAPIDocuments {
  let d = documents.get(registry);
  if (!d) documents.set(registry, (d = new OpenAPIDocuments(registry)));
  return d;
}

/** Whether an If-None-Match header names this entity tag (or `*`); weak tags compare equal, as for GET. */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === `"${etag}"`;
  });
}

function send(req: FastifyRequest, reply: FastifyReply, rep: Representation): FastifyReply {
  reply.header('ETag', `"${rep.etag}"`);
  if (notModified(req.headers['if-none-match'], rep.etag)) return reply.code(304).send();
  return reply.type(rep.type).send(rep.body);
}

const PROTOBUF_TYPES = new Set([OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_RESPONSE]);

/** The representation of `/openapi/v2` an Accept header asks for, in the client's preference order (q, then position). */
function negotiateV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  if (!accept || !accept.trim()) return 'json';
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type: type ?? '', q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((r) => r.type && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (PROTOBUF_TYPES.has(r.type)) return 'protobuf';
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') return 'json';
  }
  return undefined;
}

/**
 * `GET /openapi/v2` (JSON, or gnostic protobuf when the Accept header asks for it), `GET /swagger.json`,
 * `GET /openapi/v3` (the index) and `GET /openapi/v3/<prefix>` (one group-version), with ETag/If-None-Match.
 * Documents are built on the first request. Call before the Fastify instance is ready.
 */
export function registerOpenAPIRoutes(app: FastifyInstance, registry: Registry): void {
  const docs = openAPIDocuments(registry);

  app.get('/openapi/v2', async (req, reply) => {
    const format = negotiateV2(req.headers.accept);
    if (!format)
      throw errors.notAcceptable(
        `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTOBUF}`,
      );
    reply.header('Vary', 'Accept');
    return send(req, reply, format === 'protobuf' ? docs.v2Protobuf : docs.v2JSON);
  });

  app.get('/swagger.json', async (req, reply) => send(req, reply, docs.v2JSON));

  app.get('/openapi/v3', async (req, reply) => send(req, reply, docs.v3Index));

  app.get(
    '/openapi/v3/*',
    async (req: FastifyRequest<{ Params: { '*': string }; Querystring: { hash?: string | string[] } }>, reply) => {
      const prefix = req.params['*'].replace(/\/+$/, '');
      const rep = docs.v3Document(prefix);
      if (!rep) throw errors.pathNotFound();
      const hash = req.query.hash;
      // As kube-apiserver: a URL naming the current hash never changes content, so clients may cache it for good.
      if (typeof hash === 'string' && hash === rep.etag) {
        reply.header('Vary', 'Accept');
        reply.header('Cache-Control', 'public, immutable');
        reply.header('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
      }
      return send(req, reply, rep);
    },
  );
}

/** Where the Swagger UI is served. */
export const OPENAPI_UI_PREFIX = '/openapi/ui';

/** Headers of the explorer's answers that belong to its own (injected) connection, not to the one forwarded to. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/**
 * The OpenAPI explorer for people: Swagger UI at `/openapi/ui` over the Swagger 2.0 document (every served path,
 * each can be tried from the browser); its JSON at `/openapi/ui/json`. Swagger UI (@fastify/swagger-ui, with
 * @fastify/static and the rest) takes ~45 ms to load, so it is loaded on the first request under the prefix: it is
 * registered, with @fastify/swagger in static mode, on an instance of its own that the prefix's routes forward
 * to (after this server's own hooks: authentication, limits, telemetry). No schema and no hook is added to any
 * other route; paths Swagger UI does not serve get this server's 404. Call before the instance is ready.
 */
export function registerOpenAPIExplorer(app: FastifyInstance, registry: Registry): void {
  const docs = openAPIDocuments(registry);
  let explorer: Promise<FastifyInstance> | undefined;
  const load = async (): Promise<FastifyInstance> => {
    const [{ default: fastifySwagger }, { default: fastifySwaggerUi }] = await Promise.all([
      import('@fastify/swagger'),
      import('@fastify/swagger-ui'),
    ]);
    const inner = Fastify({ logger: false });
    // Static mode takes its document when the plugin loads; the real one is handed to the UI per request instead
    // (transformSpecification), so it is built on first use like the others.
    const stub = { swagger: '2.0', info: { title: 'Kubernetes', version: 'see /openapi/v2' }, paths: {} };
    await inner.register(fastifySwagger, { mode: 'static', specification: { document: stub as never } });
    await inner.register(fastifySwaggerUi, {
      routePrefix: OPENAPI_UI_PREFIX,
      uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: -1, filter: true },
      theme: { title: 'Kubernetes API' },
      transformSpecification: () => docs.v2,
      transformSpecificationClone: false,
    });
    inner.setNotFoundHandler((_req, reply) => reply.code(404).header('x-explorer-not-found', '1').send());
    await inner.ready();
    return inner;
  };
  const forward = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!explorer) {
      explorer = load();
      explorer.catch(() => {
        explorer = undefined; // a failed load is tried again by the next request
      });
    }
    const inner = await explorer;
    const res = await inner.inject({
      method: 'GET', // a HEAD is answered by Fastify from the GET's answer, as for every other route
      url: req.url,
      headers: req.headers as Record<string, string>,
    });
    if (res.headers['x-explorer-not-found']) {
      reply.callNotFound();
      return reply;
    }
    for (const [k, v] of Object.entries(res.headers)) if (!HOP_HEADERS.has(k) && v !== undefined) reply.header(k, v);
    // An empty answer (a 304) is sent without a body, so that no Content-Type or Content-Length is added to it.
    return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined);
  };
  app.get(OPENAPI_UI_PREFIX, forward);
  app.get(`${OPENAPI_UI_PREFIX}/*`, forward);
}
