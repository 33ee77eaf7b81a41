/**
 * HttpApiClient against a real API server in this process (every verb, errors, watch), and against a raw
 * HTTP server for what a real server does not make easy to see (headers, chunk boundaries, odd errors).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import {
  ApiError,
  DEFAULT_USER_AGENT,
  HttpApiClient,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  listQuery,
  loadKubeconfig,
  resourcePath,
} from '../../../../controllers/machinery/client.js';
import { RESOURCES, type WatchEvent } from '../../../../controllers/machinery/types.js';
import { writeKubeconfig } from '../../../../server/kubeconfig.js';
import { podManifest } from '../../../helpers/http.js';
import { startInProcess, type InProcessServer } from '../../../helpers/server.js';
import { tempDir } from '../../../helpers/tmp.js';

/** Reads events until `n` arrived, then aborts the watch. */
async function take(stream: AsyncIterable<WatchEvent>, n: number, abort: AbortController): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  if (n === 0) return out;
  for await (const ev of stream) {
    out.push(ev);
    if (out.length === n) break;
  }
  abort.abort();
  return out;
}

describe('HttpApiClient against the API server', () => {
  let server: InProcessServer;
  let client: HttpApiClient;
  const ns = 'client-test';

  before(async () => {
    server = await startInProcess();
    client = new HttpApiClient({ server: server.url });
    await client.create(RESOURCES.namespaces, undefined, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns },
    });
  });
  after(async () => {
    await server.close();
  });

  it('creates, gets, lists with selectors and pages', async () => {
    for (const [name, app] of [
      ['p1', 'web'],
      ['p2', 'web'],
      ['p3', 'db'],
    ]) {
      const created = await client.create(RESOURCES.pods, ns, podManifest(name!, { labels: { app: app! } }));
      assert.equal(created.metadata.name, name);
      assert.ok(created.metadata.uid && created.metadata.resourceVersion);
    }
    const got = await client.get(RESOURCES.pods, ns, 'p1');
    assert.equal(got.metadata.labels!.app, 'web');
    const web = await client.list(RESOURCES.pods, { namespace: ns, labelSelector: 'app=web' });
    assert.deepEqual(web.items.map((p) => p.metadata.name).sort(), ['p1', 'p2']);
    assert.ok(web.metadata.resourceVersion);
    const page1 = await client.list(RESOURCES.pods, { namespace: ns, limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.metadata.continue);
    const page2 = await client.list(RESOURCES.pods, { namespace: ns, limit: 2, continue: page1.metadata.continue });
    assert.deepEqual(
      page2.items.map((p) => p.metadata.name),
      ['p3'],
    );
    const all = await client.list(RESOURCES.pods, { fieldSelector: `metadata.namespace=${ns}` });
    assert.equal(all.items.length, 3, 'all namespaces, filtered by field');
  });

  it('patches with each patch type; updates the status subresource', async () => {
    await client.create(RESOURCES.pods, ns, podManifest('patched'));
    const merged = await client.patch(RESOURCES.pods, ns, 'patched', 'merge', { metadata: { labels: { a: '1' } } });
    assert.equal(merged.metadata.labels!.a, '1');
    const strategic = await client.patch(RESOURCES.pods, ns, 'patched', 'strategic', {
      metadata: { labels: { b: '2' } },
    });
    assert.deepEqual(strategic.metadata.labels, { a: '1', b: '2' });
    const json = await client.patch(RESOURCES.pods, ns, 'patched', 'json', [
      { op: 'remove', path: '/metadata/labels/a' },
    ]);
    assert.deepEqual(json.metadata.labels, { b: '2' });
    const status = await client.patch<KubeObject & { status: { phase: string } }>(
      RESOURCES.pods,
      ns,
      'patched',
      'merge',
      { status: { phase: 'Running' } },
      { subresource: 'status' },
    );
    assert.equal(status.status.phase, 'Running');
    const updated = await client.update(
      RESOURCES.pods,
      ns,
      { ...status, status: { ...status.status, phase: 'Succeeded' } },
      { subresource: 'status' },
    );
    assert.equal((updated as { status?: { phase?: string } }).status!.phase, 'Succeeded');
  });

  it('throws ApiError with the Status: 404, 409 AlreadyExists, 409 Conflict, 422', async () => {
    const notFound = await client.get(RESOURCES.pods, ns, 'missing').catch((e: unknown) => e);
    assert.ok(notFound instanceof ApiError);
    assert.equal(notFound.code, 404);
    assert.equal(notFound.reason, 'NotFound');
    assert.equal(notFound.status.kind, 'Status');
    assert.ok(isNotFound(notFound));
    assert.match(notFound.message, /pods "missing" not found/);

    await client.create(RESOURCES.pods, ns, podManifest('dup'));
    const dup = await client.create(RESOURCES.pods, ns, podManifest('dup')).catch((e: unknown) => e);
    assert.ok(isAlreadyExists(dup) && !isConflict(dup));

    const current = await client.get(RESOURCES.pods, ns, 'dup');
    await client.patch(RESOURCES.pods, ns, 'dup', 'merge', { metadata: { labels: { x: 'y' } } });
    const stale = await client
      .update(RESOURCES.pods, ns, { ...current, metadata: { ...current.metadata, labels: { stale: 'true' } } })
      .catch((e: unknown) => e);
    assert.ok(isConflict(stale), `expected a conflict, got ${String(stale)}`);

    const invalid = await client
      .create(RESOURCES.pods, ns, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: {} })
      .catch((e: unknown) => e);
    assert.ok(invalid instanceof ApiError && invalid.code === 422 && invalid.reason === 'Invalid');
  });

  it('deletes with DeleteOptions (preconditions honoured)', async () => {
    const p = await client.create(RESOURCES.pods, ns, podManifest('doomed'));
    const wrongUid = await client
      .delete(RESOURCES.pods, ns, 'doomed', { preconditions: { uid: 'not-the-uid' } })
      .catch((e: unknown) => e);
    assert.ok(wrongUid instanceof ApiError && wrongUid.code === 409, 'the precondition was sent');
    const res = await client.delete(RESOURCES.pods, ns, 'doomed', {
      preconditions: { uid: p.metadata.uid },
      gracePeriodSeconds: 0,
    });
    assert.ok(res === undefined || res.metadata.name === 'doomed');
    assert.ok(isNotFound(await client.get(RESOURCES.pods, ns, 'doomed').catch((e: unknown) => e)));
  });

  it('watches from a resourceVersion: ADDED, MODIFIED, DELETED in order; abort ends the stream quietly', async () => {
    const list = await client.list(RESOURCES.pods, { namespace: ns });
    const abort = new AbortController();
    const stream = client.watch(RESOURCES.pods, {
      namespace: ns,
      resourceVersion: list.metadata.resourceVersion!,
      signal: abort.signal,
    });
    const events = take(stream, 3, abort);
    await new Promise((r) => setTimeout(r, 50));
    await client.create(RESOURCES.pods, ns, podManifest('watched'));
    await client.patch(RESOURCES.pods, ns, 'watched', 'merge', { metadata: { labels: { v: '2' } } });
    await client.delete(RESOURCES.pods, ns, 'watched', { gracePeriodSeconds: 0 });
    const got = await events;
    assert.deepEqual(
      got.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED watched', 'MODIFIED watched', 'DELETED watched'],
    );
    assert.equal(got[1]!.object.metadata.labels!.v, '2');
  });

  it('a watch with timeoutSeconds ends when the server closes it; bookmarks can be asked for', async () => {
    const list = await client.list(RESOURCES.nodes);
    const abort = new AbortController();
    const started = Date.now();
    const seen: WatchEvent[] = [];
    for await (const ev of client.watch(RESOURCES.nodes, {
      resourceVersion: list.metadata.resourceVersion!,
      timeoutSeconds: 1,
      allowWatchBookmarks: true,
      signal: abort.signal,
    }))
      seen.push(ev);
    assert.ok(Date.now() - started >= 900);
    assert.ok(seen.every((e) => e.type === 'BOOKMARK'));
  });

  it('sends the bearer token; 401 without it; from a kubeconfig written by the server', async () => {
    const secured = await startInProcess({ bearerToken: 's3cret' });
    try {
      const anonymous = new HttpApiClient({ server: secured.url });
      const err = await anonymous.list(RESOURCES.nodes).catch((e: unknown) => e);
      assert.ok(err instanceof ApiError && err.code === 401 && err.reason === 'Unauthorized');
      const path = writeKubeconfig(secured.dataDir, secured.url, 's3cret');
      assert.deepEqual(loadKubeconfig(path), {
        context: 'kube-emulator',
        server: secured.url,
        token: 's3cret',
        namespace: 'default',
        insecureSkipTLSVerify: true,
      });
      const fromFile = HttpApiClient.fromKubeconfig(path);
      assert.ok(Array.isArray((await fromFile.list(RESOURCES.nodes)).items));
    } finally {
      await secured.close();
    }
  });
});

describe('HttpApiClient on the wire', () => {
  let http: Server;
  let url: string;
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;
  const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

  before(async () => {
    http = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        handler(req, body, res);
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const addr = http.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  after(() => {
    http.closeAllConnections();
    http.close();
  });

  it('sends User-Agent, Accept, Authorization, patch content types and a DeleteOptions body', async () => {
    handler = (_req, _body, res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"Status","status":"Success"}');
    seen.length = 0;
    const client = new HttpApiClient({ server: url + '/', token: 't0k' });
    for (const type of ['merge', 'strategic', 'json'] as const)
      await client.patch(RESOURCES.daemonsets, 'ns', 'ds', type, {});
    assert.equal(
      await client.delete(RESOURCES.pods, 'ns', 'p', { propagationPolicy: 'Foreground' }),
      undefined,
      'a Status answer is undefined',
    );
    assert.deepEqual(
      seen.map((r) => r.headers['content-type']),
      [
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
        'application/json-patch+json',
        'application/json',
      ],
    );
    assert.deepEqual(
      seen.map((r) => `${r.method} ${r.url}`),
      [
        'PATCH /apis/apps/v1/namespaces/ns/daemonsets/ds',
        'PATCH /apis/apps/v1/namespaces/ns/daemonsets/ds',
        'PATCH /apis/apps/v1/namespaces/ns/daemonsets/ds',
        'DELETE /api/v1/namespaces/ns/pods/p',
      ],
    );
    assert.deepEqual(JSON.parse(seen[3]!.body), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Foreground',
    });
    for (const r of seen) {
      assert.equal(r.headers['user-agent'], DEFAULT_USER_AGENT);
      assert.equal(r.headers.authorization, 'Bearer t0k');
      assert.equal(r.headers.accept, 'application/json');
    }
    assert.match(DEFAULT_USER_AGENT, /^kube-controller-manager\/v1\.32\.0 \(\w+\/\w+\) kube-emulator$/);
  });

  it('gives up on a request after requestTimeoutMs with a TimeoutError', async () => {
    handler = () => {}; // never answers
    const client = new HttpApiClient({ server: url, requestTimeoutMs: 50 });
    await assert.rejects(
      client.get(RESOURCES.pods, 'ns', 'p'),
      (err: unknown) => err instanceof DOMException && err.name === 'TimeoutError',
    );
    client.close();
  });

  it('parses watch events split anywhere across chunks, multi-byte characters included', async () => {
    const events = [
      { type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'über-pod', resourceVersion: '5' } } },
      { type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: 'b', resourceVersion: '6' } } },
      { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '7' } } },
    ];
    const bytes = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join('') + '\n');
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      let i = 0;
      const step = () => {
        if (i >= bytes.length) return res.end();
        res.write(bytes.subarray(i, i + 7)); // 7-byte chunks cut lines and the ü in two
        i += 7;
        setImmediate(step);
      };
      step();
    };
    seen.length = 0;
    const client = new HttpApiClient({ server: url });
    const got: WatchEvent[] = [];
    for await (const ev of client.watch(RESOURCES.pods, {
      namespace: 'ns',
      resourceVersion: '4',
      allowWatchBookmarks: true,
      timeoutSeconds: 300,
      labelSelector: 'a=b',
      signal: new AbortController().signal,
    }))
      got.push(ev);
    assert.deepEqual(got, events);
    assert.equal(
      seen[0]!.url,
      '/api/v1/namespaces/ns/pods?watch=true&labelSelector=a%3Db&resourceVersion=4&allowWatchBookmarks=true&timeoutSeconds=300',
    );
  });

  it('a non-2xx watch answer throws before any event; a text body becomes a Status', async () => {
    handler = (_req, _body, res) =>
      res
        .writeHead(410, { 'Content-Type': 'application/json' })
        .end(
          JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 1 (50)' }),
        );
    const client = new HttpApiClient({ server: url });
    const consume = async () => {
      for await (const _ of client.watch(RESOURCES.pods, {
        resourceVersion: '1',
        signal: new AbortController().signal,
      }))
        assert.fail('no event expected');
    };
    const err = await consume().catch((e: unknown) => e);
    assert.ok(isGone(err));
    assert.equal((err as ApiError).message, 'too old resource version: 1 (50)');

    handler = (_req, _body, res) => res.writeHead(503, { 'Content-Type': 'text/plain' }).end('overloaded');
    const text = await client.get(RESOURCES.pods, 'ns', 'p').catch((e: unknown) => e);
    assert.ok(text instanceof ApiError);
    assert.deepEqual(
      { code: text.code, reason: text.reason, message: text.message },
      { code: 503, reason: 'ServiceUnavailable', message: 'overloaded' },
    );
  });

  it('ends a watch quietly when aborted mid-stream', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } }) + '\n');
    };
    const client = new HttpApiClient({ server: url });
    const abort = new AbortController();
    const got = await take(client.watch(RESOURCES.pods, { resourceVersion: '0', signal: abort.signal }), 1, abort);
    assert.equal(got.length, 1);
    const abort2 = new AbortController();
    const it = client.watch(RESOURCES.pods, { resourceVersion: '0', signal: abort2.signal })[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.done, false);
    assert.equal(first.value.object.metadata.name, 'a');
    const pending = it.next(); // waits on the open stream
    abort2.abort();
    assert.deepEqual(await pending, { value: undefined, done: true }, 'ends without an error');
  });
});

describe('client helpers', () => {
  it('builds resource paths', () => {
    const cases: Array<[Parameters<typeof resourcePath>, string]> = [
      [[RESOURCES.pods], '/api/v1/pods'],
      [[RESOURCES.pods, 'ns'], '/api/v1/namespaces/ns/pods'],
      [[RESOURCES.pods, 'ns', 'p', 'status'], '/api/v1/namespaces/ns/pods/p/status'],
      [[RESOURCES.nodes, 'ignored', 'n1'], '/api/v1/nodes/n1'],
      [[RESOURCES.daemonsets, 'kube-system', 'fluentd'], '/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd'],
      [[RESOURCES.leases, 'kube-node-lease'], '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases'],
    ];
    for (const [args, want] of cases) assert.equal(resourcePath(...args), want);
  });

  it('builds list queries with only what is set', () => {
    assert.equal(listQuery({}), '');
    assert.equal(listQuery({ limit: 500, continue: 'abc', resourceVersion: '' }), '?limit=500&continue=abc');
    assert.equal(listQuery({ fieldSelector: 'spec.nodeName=n1' }), '?fieldSelector=spec.nodeName%3Dn1');
  });

  it('loads kubeconfigs: current context, token files, clear errors', () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'token'), 'from-file\n');
      const path = join(dir.path, 'config');
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: b',
          'clusters:',
          '- {name: c1, cluster: {server: "http://127.0.0.1:1"}}',
          '- {name: c2, cluster: {server: "http://127.0.0.1:2"}}',
          'users:',
          '- {name: u1, user: {token: t1}}',
          '- {name: u2, user: {tokenFile: token}}',
          'contexts:',
          '- {name: a, context: {cluster: c1, user: u1}}',
          '- {name: b, context: {cluster: c2, user: u2, namespace: kube-system}}',
          '- {name: broken, context: {cluster: nope}}',
        ].join('\n'),
      );
      assert.deepEqual(loadKubeconfig(path), {
        context: 'b',
        server: 'http://127.0.0.1:2',
        token: 'from-file',
        namespace: 'kube-system',
      });
      assert.deepEqual(loadKubeconfig(path, 'a'), {
        context: 'a',
        server: 'http://127.0.0.1:1',
        token: 't1',
        namespace: undefined,
      });
      assert.throws(() => loadKubeconfig(path, 'missing'), /context "missing" not found/);
      assert.throws(() => loadKubeconfig(path, 'broken'), /has no server/);
      assert.throws(() => new HttpApiClient({ server: 'ftp://x' }), /http or https only/);
    } finally {
      dir.remove();
    }
  });
});
