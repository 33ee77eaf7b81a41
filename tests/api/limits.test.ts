/**
 * The request limits of kube-apiserver: max in-flight read and mutating requests (429 TooManyRequests with
 * Retry-After: 1; watches take no slot; system:masters is never refused), the request timeout (504 Timeout; a
 * shorter ?timeout= honoured; watches not cut), watch caps per client and in total, connection timeouts (a client
 * that sends headers and half a body is cut off in bounded time), and 500 watchers without a listener leak.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { Storage } from '../../storage/interface.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api } from '../helpers/http.js';
import { parseRaw } from '../helpers/raw-http.js';

/** A store whose reads and writes of keys containing "slow" wait until `release()`. */
function gatedStorage() {
  let open!: () => void;
  let gate = new Promise<void>((r) => (open = r));
  let waiting = 0;
  const wrap = (s: Storage): Storage =>
    new Proxy(s, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if ((prop === 'get' || prop === 'create') && typeof v === 'function') {
          return async (key: string, ...rest: unknown[]) => {
            if (key.includes('slow')) {
              waiting++;
              await gate;
              waiting--;
            }
            return v.call(target, key, ...rest);
          };
        }
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  return {
    wrap,
    waiting: () => waiting,
    release() {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
  };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Opens a watch from a given local address; resolves with its status and a way to close it. */
function openWatch(url: string, path: string, localAddress = '127.0.0.1') {
  return new Promise<{ status: number; body: string; close(): void }>((resolve, reject) => {
    const req = http.get(`${url}${path}`, { localAddress, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, close() {} }));
        return;
      }
      res.on('error', () => {});
      resolve({ status: 200, body: '', close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const servers: InProcessServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

describe('max in-flight requests', () => {
  it('refuses reads beyond --max-requests-inflight and writes beyond --max-mutating-requests-inflight with 429', async () => {
    const gate = gatedStorage();
    const srv = await startInProcess({
      wrapStorage: gate.wrap,
      limits: { maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 },
    });
    servers.push(srv);
    const api = new Api(srv.url);
    const cm = '/api/v1/namespaces/default/configmaps';
    const slowReads = [api.get(`${cm}/slow-1`), api.get(`${cm}/slow-2`)];
    const slowWrite = api.post(cm, { metadata: { name: 'slow-w' } });
    await until(() => gate.waiting() === 3, 'three requests held');

    const refused = await api.get(`${cm}/other`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.deepEqual(refused.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Too many requests, please try again later.',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    });
    const refusedWrite = await api.post(cm, { metadata: { name: 'second' } });
    assert.equal(refusedWrite.status, 429);
    assert.equal((await api.get(`${cm}/second`)).status, 429, 'reads are still full');

    // a watch is long-running: it takes no slot and is not refused
    const watch = await openWatch(srv.url, `${cm}?watch=true`);
    assert.equal(watch.status, 200);
    watch.close();

    // client-go sees the 429 too (and would retry after Retry-After)
    const kc = new k8s.KubeConfig();
    kc.loadFromClusterAndUser({ name: 'c', server: srv.url, skipTLSVerify: true }, { name: 'u' });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(core.readNamespacedConfigMap({ name: 'x', namespace: 'default' }), (err: any) => {
      assert.equal(err.code, 429);
      return true;
    });

    gate.release();
    assert.deepEqual(
      (await Promise.all(slowReads)).map((r) => r.status),
      [404, 404],
    );
    assert.equal((await slowWrite).status, 201);
    assert.equal((await api.post(cm, { metadata: { name: 'second' } })).status, 201);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /apiserver_dropped_requests_total\{request_kind="readOnly"\} [1-9]/);
    assert.match(metrics, /apiserver_dropped_requests_total\{request_kind="mutating"\} 1\b/);
  });

  it('never refuses system:masters (the bearer token holder), as upstream', async () => {
    const gate = gatedStorage();
    const srv = await startInProcess({
      wrapStorage: gate.wrap,
      bearerToken: 'tok',
      limits: { maxRequestsInflight: 1 },
    });
    servers.push(srv);
    const api = new Api(srv.url);
    const headers = { authorization: 'Bearer tok' };
    const held = api.get('/api/v1/namespaces/default/configmaps/slow', { headers });
    await until(() => gate.waiting() === 1, 'a held read');
    assert.equal((await api.get('/api/v1/namespaces/default/configmaps/x', { headers })).status, 404);
    gate.release();
    assert.equal((await held).status, 404);
  });
});

describe('request timeout', () => {
  it('answers 504 Timeout when a request takes longer than --request-timeout, and honours a shorter ?timeout=', async () => {
    const gate = gatedStorage();
    const srv = await startInProcess({ wrapStorage: gate.wrap, limits: { requestTimeoutMs: 1000 } });
    servers.push(srv);
    const api = new Api(srv.url);
    const t0 = Date.now();
    const res = await api.get('/api/v1/namespaces/default/configmaps/slow');
    assert.equal(res.status, 504);
    assert.ok(Date.now() - t0 >= 950 && Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(res.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
      reason: 'Timeout',
      details: {},
      code: 504,
    });
    const t1 = Date.now();
    assert.equal((await api.get('/api/v1/namespaces/default/configmaps/slow?timeout=50ms')).status, 504);
    // well before the server's 1 s (a loaded machine may add a few hundred ms)
    assert.ok(Date.now() - t1 < 800, `?timeout=50ms took ${Date.now() - t1} ms`);

    // a watch is not cut by the request timeout
    const events: string[] = [];
    const ac = new AbortController();
    const watch = await fetch(`${srv.url}/api/v1/namespaces/default/configmaps?watch=true`, { signal: ac.signal });
    const reader = watch.body!.getReader();
    await new Promise((r) => setTimeout(r, 1300));
    gate.release();
    await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'after' } });
    const { value } = await reader.read();
    events.push(new TextDecoder().decode(value));
    assert.match(events[0]!, /"ADDED"/);
    ac.abort();
  });
});

describe('watch caps', () => {
  it('caps open watches per client address and in total with 429', async () => {
    const srv = await startInProcess({ limits: { maxWatchesPerClient: 3, maxWatches: 5 } });
    servers.push(srv);
    const path = '/api/v1/namespaces/default/configmaps?watch=true';
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await openWatch(srv.url, path));
    assert.deepEqual(
      mine.map((w) => w.status),
      [200, 200, 200],
    );
    const fourth = await openWatch(srv.url, path);
    assert.equal(fourth.status, 429);
    assert.equal(JSON.parse(fourth.body).reason, 'TooManyRequests');
    // another client is not affected by the first one's cap...
    const other = [await openWatch(srv.url, path, '127.0.0.2'), await openWatch(srv.url, path, '127.0.0.2')];
    assert.deepEqual(
      other.map((w) => w.status),
      [200, 200],
    );
    // ...but the total is capped
    assert.equal((await openWatch(srv.url, path, '127.0.0.3')).status, 429);
    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /^apiserver_registered_watchers 5$/m);
    // a closed watch frees its place
    mine[0]!.close();
    await until(() => true, 'noop');
    await new Promise((r) => setTimeout(r, 200));
    const again = await openWatch(srv.url, path);
    assert.equal(again.status, 200);
    for (const w of [...mine, ...other, again]) w.close();
  });

  it('500 watchers of a busy resource raise no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const srv = await startInProcess();
      servers.push(srv);
      const watchers = [];
      for (let i = 0; i < 500; i++)
        watchers.push(await openWatch(srv.url, '/api/v1/namespaces/default/configmaps?watch=true'));
      assert.ok(watchers.every((w) => w.status === 200));
      const api = new Api(srv.url);
      const big = 'x'.repeat(200 * 1024);
      await api.post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'busy' }, data: { v: big } });
      for (let i = 0; i < 5; i++)
        await api.request('PATCH', '/api/v1/namespaces/default/configmaps/busy', {
          raw: JSON.stringify({ data: { v: big + i } }),
          contentType: 'application/merge-patch+json',
        });
      await new Promise((r) => setTimeout(r, 500));
      for (const w of watchers) w.close();
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
      [],
    );
  });
});

describe('connection timeouts', () => {
  it('cuts off a client that sends headers and half a body, one that never finishes its headers, and idle ones', async () => {
    const srv = await startInProcess({
      connectionTimeouts: { headersMs: 500, requestMs: 1000, keepAliveMs: 500, checkIntervalMs: 100 },
    });
    servers.push(srv);
    const port = Number(new URL(srv.url).port);
    const timed = (bytes: string) =>
      new Promise<{ ms: number; out: string }>((resolve) => {
        const t0 = Date.now();
        const s = net.connect(port, '127.0.0.1');
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('error', () => {});
        s.on('close', () => resolve({ ms: Date.now() - t0, out }));
        s.write(bytes);
      });
    const [halfBody, halfHeaders, nothing] = await Promise.all([
      timed(
        'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"metadata":',
      ),
      timed('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      timed(''),
    ]);
    for (const [what, r] of [
      ['half a body', halfBody],
      ['half the headers', halfHeaders],
      ['nothing', nothing],
    ] as const)
      assert.ok(r.ms < 3000, `${what}: the connection stayed open ${r.ms} ms`);
    const answered = parseRaw(halfBody.out);
    assert.equal(answered.code, 408);
    assert.equal(answered.body.kind, 'Status');

    // an idle keep-alive connection is closed after the keep-alive timeout
    const idle = await new Promise<number>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let t0 = 0;
      s.on('data', () => (t0 ||= Date.now()));
      s.on('error', () => {});
      s.on('close', () => resolve(Date.now() - t0));
      s.write('GET /version HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.ok(idle >= 300 && idle < 3000, `idle connection closed after ${idle} ms`);
  });
});
