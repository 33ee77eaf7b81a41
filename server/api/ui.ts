import { createHash } from 'node:crypto';
import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../registry/registry.js';

/**
 * The live view of the cluster (`/ui/`): static ES modules and CSS from the repository's `ui/` folder, served as
 * they are (no build step). The page itself is public, as a login page is: it holds no data, asks for the bearer
 * token when the server wants one, and sends it on its own API calls.
 *
 * Also the root index `GET /`: kube-apiserver's `{"paths": [...]}` (which listed `/ui/` when it proxied the
 * dashboard); a browser asking for HTML is sent on to `/ui/`.
 */

/** `ui/` at the repository root, found from this file in the sources (server/api/) or compiled (dist/server/api/). */
export function uiDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', '..', 'ui'), resolve(here, '..', '..', '..', 'ui')];
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
  /** mtime and size when read: an edited file is read again (no restart while working on the page). */
  stamp: string;
}

/**
 * The servable files of the folder (one level, known extensions, plain names), each read on first request and
 * again when it changes; anything else is not found.
 */
function staticFiles(dir: string): (name: string) => StaticFile | undefined {
  const cache = new Map<string, StaticFile>();
  return (name) => {
    const type = CONTENT_TYPES[extname(name)];
    if (!type || !/^[\w-][\w.-]*$/.test(name)) return undefined;
    const path = join(dir, name);
    let st: Stats;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const stamp = `${st.mtimeMs}:${st.size}`;
    let file = cache.get(name);
    if (file?.stamp !== stamp) {
      const body = readFileSync(path);
      file = { body, type, stamp, etag: createHash('sha256').update(body).digest('base64url').slice(0, 27) };
      cache.set(name, file);
    }
    return file;
  };
}

function sendFile(req: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply
    .header('ETag', `"${file.etag}"`)
    .header('Cache-Control', 'no-cache')
    .header('X-Content-Type-Options', 'nosniff');
  if (req.headers['if-none-match'] === `"${file.etag}"`) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}

/** Whether the client prefers HTML (a browser's navigation), as opposed to an API client's JSON or anything. */
function wantsHTML(accept: string | undefined): boolean {
  const first = (accept ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  return first === 'text/html';
}

/** Paths the root index may list, when the server has a GET route for them. */
const INDEX_CANDIDATES = [
  '/.well-known/openid-configuration',
  '/healthz',
  '/livez',
  '/metrics',
  '/openapi/v2',
  '/openapi/v3',
  '/openid/v1/jwks',
  '/readyz',
  '/ui/',
  '/version',
];

export function registerUIRoutes(app: FastifyInstance, registry: Registry, dir: string = uiDirectory()): void {
  const file = staticFiles(dir);
  const notFound = (reply: FastifyReply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('404 page not found\n');

  app.get('/ui', { config: { public: true } }, async (_req, reply) => reply.redirect('/ui/', 301));
  app.get('/ui/', { config: { public: true } }, async (req, reply) => {
    const index = file('index.html');
    return index ? sendFile(req, reply, index) : notFound(reply);
  });
  app.get<{ Params: { file: string } }>('/ui/:file', { config: { public: true } }, async (req, reply) => {
    const found = file(req.params.file);
    return found ? sendFile(req, reply, found) : notFound(reply);
  });

  let paths: string[] | undefined;
  app.get('/', async (req, reply) => {
    if (wantsHTML(req.headers.accept)) return reply.redirect('/ui/', 302);
    paths ??= [
      '/api',
      '/api/v1',
      '/apis',
      ...registry.groups().flatMap((g) => [`/apis/${g.name}`, ...g.versions.map((v) => `/apis/${g.name}/${v}`)]),
      ...INDEX_CANDIDATES.filter((p) => app.hasRoute({ method: 'GET', url: p })),
    ].sort();
    return reply.type('application/json').send(JSON.stringify({ paths }, null, 2));
  });
}
