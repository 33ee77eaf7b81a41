// The OpenAPI endpoints over HTTP (server/api/openapi.ts): /openapi/v2 in JSON and gnostic protobuf, /swagger.json,
// the v3 index and group-version documents, ETag/If-None-Match, 404 Status replies, and the Swagger UI explorer.
// The app is assembled here as buildApp assembles it (resource routes included), plus the OpenAPI routes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { encodeOpenAPIv2, decodeOpenAPIv2 } from '../../openapi/protobuf.js';
import { registerDiscoveryRoutes } from '../../server/api/discovery.js';
import { registerOpenAPIExplorer, registerOpenAPIRoutes } from '../../server/api/openapi.js';
import type { ResourceRouter } from '../../server/api/resource-router.js';
import { registerResourceRoutes } from '../../server/api/resources.js';
import { registerVirtualRoutes } from '../../server/api/virtual.js';
import { defaultResources, defaultVirtualResources } from '../../server/registry/resources/index.js';
import { registerErrorHandling } from '../../server/plugins/errors.js';
import { Registry } from '../../server/registry/registry.js';
import type { Storage } from '../../storage/interface.js';
import { openLevelStorage } from '../../storage/level/level-storage.js';
import { tempDir } from '../helpers/tmp.js';

type Obj = Record<string, any>;

const PROTO = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let app: FastifyInstance;
let registry: Registry;
let storage: Storage;
let dir: { path: string; remove(): void };
const shutdown = new AbortController();
const routes: RouteOptions[] = [];
/** The resource routes (behind generic Fastify routes: server/api/resource-router.ts). */
let resourceRoutes: ResourceRouter;

before(async () => {
  dir = tempDir();
  storage = await openLevelStorage({ dir: join(dir.path, 'store') });
  registry = new Registry(storage, defaultResources(), defaultVirtualResources());
  app = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { maxParamLength: 512 } });
  app.addHook('onRoute', (r) => void routes.push(r));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  registerErrorHandling(app);
  registerDiscoveryRoutes(app, registry);
  resourceRoutes = registerResourceRoutes(app, {
    registry,
    storage,
    shutdownSignal: shutdown.signal,
    bookmarkIntervalMs: 60_000,
  });
  registerVirtualRoutes(app, registry);
  registerOpenAPIRoutes(app, registry);
  registerOpenAPIExplorer(app, registry);
  await app.ready();
});

after(async () => {
  shutdown.abort();
  await app.close();
  await storage.close();
  dir.remove();
});

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url, headers });
}

describe('GET /openapi/v2 and /swagger.json', () => {
  it('answers JSON by default and for application/json', async () => {
    for (const accept of [undefined, 'application/json', 'application/json, */*', '*/*']) {
      const res = await get('/openapi/v2', accept ? { accept } : {});
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.json().swagger, '2.0');
      assert.match(String(res.headers.etag), /^"[0-9A-F]{128}"$/);
      assert.equal(res.headers.vary, 'Accept');
    }
  });

  it('answers the gnostic protobuf to the Accept header kubectl 1.20–1.28 send', async () => {
    for (const accept of [
      PROTO,
      'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
      `application/json;q=0.5, ${PROTO}`,
    ]) {
      const res = await get('/openapi/v2', { accept });
      assert.equal(res.statusCode, 200);
      // kube-apiserver's spelling: client-go rejects the '@' form in a Content-Type (Go's mime.ParseMediaType).
      assert.equal(res.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      const doc = decodeOpenAPIv2(res.rawPayload) as Obj;
      assert.equal(doc.swagger, '2.0');
      assert.ok(doc.paths.path.some((p: Obj) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}'));
    }
  });

  it('the protobuf and the JSON are the same document', async () => {
    const json = (await get('/openapi/v2')).json();
    const proto = (await get('/openapi/v2', { accept: PROTO })).rawPayload;
    assert.deepEqual(Buffer.from(encodeOpenAPIv2(json)), proto);
  });

  it('refuses media types it cannot produce with a 406 Status', async () => {
    const res = await get('/openapi/v2', { accept: 'text/html' });
    assert.equal(res.statusCode, 406);
    assert.equal(res.json().kind, 'Status');
    assert.equal(res.json().reason, 'NotAcceptable');
  });

  it('/swagger.json is the JSON document', async () => {
    const a = await get('/swagger.json');
    const b = await get('/openapi/v2');
    assert.equal(a.statusCode, 200);
    assert.match(String(a.headers['content-type']), /^application\/json/);
    assert.equal(a.body, b.body);
    assert.equal(a.headers.etag, b.headers.etag);
  });

  it('304 Not Modified for a matching If-None-Match, per representation', async () => {
    const json = await get('/openapi/v2');
    const proto = await get('/openapi/v2', { accept: PROTO });
    assert.notEqual(json.headers.etag, proto.headers.etag);
    for (const [accept, etag] of [
      ['application/json', json.headers.etag],
      [PROTO, proto.headers.etag],
    ] as const) {
      const res = await get('/openapi/v2', { accept, 'if-none-match': String(etag) });
      assert.equal(res.statusCode, 304);
      assert.equal(res.body, '');
      assert.equal(res.headers.etag, etag);
      assert.equal((await get('/openapi/v2', { accept, 'if-none-match': `W/${etag}, "other"` })).statusCode, 304);
    }
    // The JSON tag does not validate the protobuf.
    assert.equal(
      (await get('/openapi/v2', { accept: PROTO, 'if-none-match': String(json.headers.etag) })).statusCode,
      200,
    );
    assert.equal((await get('/swagger.json', { 'if-none-match': String(json.headers.etag) })).statusCode, 304);
  });
});

describe('every documented operation is a route of the server', () => {
  it('v2 paths and methods', async () => {
    const paths = (await get('/openapi/v2')).json().paths as Obj;
    let n = 0;
    for (const [path, item] of Object.entries(paths)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      for (const method of ['get', 'put', 'post', 'delete', 'patch']) {
        if (!item[method]) continue;
        assert.ok(
          app.hasRoute({ method: method.toUpperCase() as 'GET', url }) || resourceRoutes.has(method.toUpperCase(), url),
          `${method} ${url}`,
        );
        n++;
      }
    }
    assert.ok(n >= 20);
  });
});

describe('every route the server serves for a resource is documented', () => {
  it('each path and method that does not answer 405 is an operation of /openapi/v2 and of its v3 document', async () => {
    const v2 = (await get('/openapi/v2')).json().paths as Obj;
    const index = (await get('/openapi/v3')).json().paths as Obj;
    const v3 = new Map<string, Obj>();
    for (const prefix of Object.keys(index)) v3.set(prefix, (await get(`/openapi/v3/${prefix}`)).json().paths);
    const resourceRoute = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/./;
    const served: string[] = [];
    const undocumented: string[] = [];
    const declared = routes.filter((r) => !(r.config as { resourceRouter?: unknown } | undefined)?.resourceRouter);
    for (const r of [...declared, ...resourceRoutes.routes()]) {
      const url = String(r.url);
      const m = resourceRoute.exec(url);
      if (!m) continue;
      for (const method of [r.method].flat().filter((x) => x !== 'HEAD')) {
        // Parameters that name nothing and a dry run: whatever the route does, it changes nothing, and only the
        // routes that exist to refuse the method answer 405 MethodNotAllowed.
        const res = await app.inject({
          method: method as 'GET',
          url: `${url.replace(/:(\w+)/g, 'openapi-route-$1')}?dryRun=All`,
          headers: { 'content-type': 'application/json' },
          payload: method === 'GET' || method === 'DELETE' ? undefined : '{}',
        });
        if (res.statusCode === 405) continue;
        const path = url.replace(/:(\w+)/g, '{$1}');
        served.push(`${method} ${path}`);
        const op = method.toLowerCase();
        if (!v2[path]?.[op]) undocumented.push(`v2: ${method} ${path} (answers ${res.statusCode})`);
        const prefix = m[1]!.replace(/^\//, '');
        if (!v3.get(prefix)?.[path]?.[op]) undocumented.push(`v3 ${prefix}: ${method} ${path}`);
      }
    }
    assert.deepEqual(undocumented, []);
    for (const must of [
      'GET /api/v1/namespaces/{namespace}/pods/{name}/log',
      'POST /api/v1/namespaces/{namespace}/pods/{name}/eviction',
      'POST /api/v1/namespaces/{namespace}/pods/{name}/binding',
      'POST /api/v1/namespaces/{namespace}/bindings',
      'POST /api/v1/namespaces/{namespace}/serviceaccounts/{name}/token',
      'PUT /api/v1/namespaces/{name}/finalize',
      'PATCH /api/v1/namespaces/{namespace}/pods/{name}/status',
    ])
      assert.ok(served.includes(must), `the server serves ${must}`);
  });
});

describe('GET /openapi/v3 and /openapi/v3/<group-version>', () => {
  it('the index lists every served group-version with a hashed URL', async () => {
    const res = await get('/openapi/v3');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const index = res.json();
    const expected = [
      ...new Set([
        ...registry.handles.map((h) =>
          h.view.group ? `apis/${h.view.group}/${h.view.version}` : `api/${h.view.version}`,
        ),
        ...registry.virtuals.flatMap((v) => v.versions.map((version) => `apis/${v.group}/${version}`)),
      ]),
    ].sort();
    assert.deepEqual(Object.keys(index.paths).sort(), expected);
    for (const [prefix, entry] of Object.entries(index.paths) as [string, Obj][]) {
      assert.match(entry.serverRelativeURL, new RegExp(`^/openapi/v3/${prefix}\\?hash=[0-9A-F]{128}$`));
    }
    assert.equal((await get('/openapi/v3', { 'if-none-match': String(res.headers.etag) })).statusCode, 304);
  });

  it('serves each document at its serverRelativeURL, immutable when the hash matches', async () => {
    const index = (await get('/openapi/v3')).json();
    for (const [prefix, entry] of Object.entries(index.paths) as [string, Obj][]) {
      const res = await get(entry.serverRelativeURL, { accept: 'application/json' });
      assert.equal(res.statusCode, 200, prefix);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers['cache-control'], 'public, immutable');
      assert.ok(res.headers.expires);
      const hash = new URL(entry.serverRelativeURL, 'http://x').searchParams.get('hash');
      assert.equal(res.headers.etag, `"${hash}"`);
      const doc = res.json();
      assert.equal(doc.openapi, '3.0.0');
      assert.ok(Object.keys(doc.paths).every((p) => p.startsWith(`/${prefix}/`)));
      assert.equal((await get(entry.serverRelativeURL, { 'if-none-match': `"${hash}"` })).statusCode, 304);
    }
  });

  it('accepts any hash, or none, without promising immutability', async () => {
    for (const url of ['/openapi/v3/api/v1', '/openapi/v3/api/v1?hash=0123', '/openapi/v3/api/v1/']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['cache-control'], undefined);
      assert.equal(res.json().openapi, '3.0.0');
    }
  });

  it('404 Status for documents it does not have', async () => {
    for (const url of [
      '/openapi/v3/apis/nope/v1',
      '/openapi/v3/api/v2',
      '/openapi/v3/apis/apps',
      '/openapi/v3/',
      '/openapi/v4',
    ]) {
      const res = await get(url);
      assert.equal(res.statusCode, 404, url);
      const body = res.json();
      assert.equal(body.kind, 'Status');
      assert.equal(body.reason, 'NotFound');
      assert.equal(body.code, 404);
    }
  });
});

describe('Swagger UI at /openapi/ui', () => {
  it('answers the HTML page', async () => {
    for (const url of ['/openapi/ui', '/openapi/ui/']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.match(res.body, /swagger/i);
    }
    const init = await get('/openapi/ui/static/swagger-initializer.js');
    assert.equal(init.statusCode, 200);
  });

  it('its JSON specification is the served document, daemonsets included when served', async () => {
    const res = await get('/openapi/ui/json');
    assert.equal(res.statusCode, 200);
    const spec = res.json();
    const served = (await get('/openapi/v2')).json();
    assert.deepEqual(spec, served);
    assert.ok(spec.paths['/api/v1/namespaces/{namespace}/pods/{name}']);
    for (const h of registry.handles) {
      const base = h.view.group ? `/apis/${h.view.group}/${h.view.version}` : '/api/v1';
      const collection = h.def.namespaced
        ? `${base}/namespaces/{namespace}/${h.def.plural}`
        : `${base}/${h.def.plural}`;
      assert.ok(spec.paths[collection], collection);
    }
    if (registry.find('apps/v1', 'daemonsets')) {
      assert.ok(spec.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}']);
      assert.ok(spec.paths['/apis/extensions/v1beta1/namespaces/{namespace}/daemonsets/{name}']);
    }
  });

  it('is loaded on first use and answers as Swagger UI does: 404 Status, revalidation, HEAD', async () => {
    const missing = await get('/openapi/ui/no-such-file');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().kind, 'Status');
    const css = await get('/openapi/ui/static/swagger-ui.css');
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const etag = String(css.headers.etag);
    const again = await get('/openapi/ui/static/swagger-ui.css', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.headers['content-type'], undefined);
    assert.equal(again.rawPayload.length, 0);
    const head = await app.inject({ method: 'HEAD', url: '/openapi/ui/static/swagger-ui.css' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], css.headers['content-length']);
    assert.equal(head.rawPayload.length, 0);
  });

  it('adds no schema to any other route', () => {
    const ours = routes.filter((r) => !String(r.url).startsWith('/openapi/ui'));
    assert.ok(ours.length > 20);
    for (const r of ours) assert.equal(r.schema, undefined, `${r.method} ${r.url}`);
  });

  it('leaves the resource routes behaving as before', async () => {
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openapi-test', labels: { a: 'b' } } };
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/namespaces',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    assert.equal(created.statusCode, 201, created.body);
    const got = await get('/api/v1/namespaces/openapi-test');
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().metadata.labels.a, 'b');
    assert.equal(got.json().status.phase, 'Active');
    const missing = await get('/api/v1/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().kind, 'Status');
  });
});
