/**
 * Operations: `/metrics` (Prometheus text, kube-apiserver's metric names; behind the bearer token when there is
 * one), `/livez` `/readyz` `/healthz` with named checks, `?verbose`, `?exclude=` and single-check paths, the
 * controller manager's own `/metrics` (work queue depth, adds, retries, durations) and `/healthz` on its port, and
 * structured request logs with request ids that never carry credentials, even at trace level.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Storage } from '../../storage/interface.js';
import { startInProcess, startServerProcess, type InProcessServer, type ServerProcess } from '../helpers/server.js';
import { startCluster } from '../helpers/cluster.js';
import { Api } from '../helpers/http.js';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { rawExchange } from '../helpers/raw-http.js';

/** The value of one sample of a Prometheus text exposition (labels in the order written), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^([^{ ]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got[p[1]!] = p[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('/metrics', () => {
  it('counts requests by verb, resource and code, observes latency, and reports watches, objects and the revision', async () => {
    const srv = await startInProcess();
    cleanups.push(() => srv.close());
    const api = new Api(srv.url);
    const cm = '/api/v1/namespaces/default/configmaps';
    await api.expect(201, 'POST', cm, { body: { metadata: { name: 'a' } } });
    await api.expect(201, 'POST', cm, { body: { metadata: { name: 'b' } } });
    await api.expect(404, 'GET', `${cm}/missing`);
    const list = await api.expect(200, 'GET', cm);
    const ac = new AbortController();
    const watch = await fetch(`${srv.url}${cm}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, {
      signal: ac.signal,
    });
    assert.equal(watch.status, 200);

    const res = await fetch(`${srv.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const cmLabels = { group: '', version: 'v1', resource: 'configmaps', subresource: '' };
    assert.equal(sample(text, 'apiserver_request_total', { verb: 'POST', ...cmLabels, code: '201' }), 2);
    assert.equal(sample(text, 'apiserver_request_total', { verb: 'GET', ...cmLabels, code: '404' }), 1);
    assert.equal(sample(text, 'apiserver_request_total', { verb: 'LIST', ...cmLabels, code: '200' }), 1);
    assert.equal(sample(text, 'apiserver_request_duration_seconds_count', { verb: 'POST', ...cmLabels }), 2);
    assert.equal(sample(text, 'apiserver_request_duration_seconds_bucket', { verb: 'POST', ...cmLabels, le: '60' }), 2);
    assert.equal(sample(text, 'apiserver_longrunning_requests', { verb: 'WATCH', ...cmLabels }), 1);
    assert.equal(sample(text, 'apiserver_registered_watchers'), 1);
    assert.equal(sample(text, 'apiserver_storage_objects', { resource: 'configmaps' }), 2);
    assert.equal(sample(text, 'apiserver_storage_objects', { resource: 'daemonsets.apps' }), 0);
    assert.equal(sample(text, 'apiserver_storage_objects', { resource: 'namespaces' }), 4);
    assert.equal(sample(text, 'kube_emulator_storage_current_revision'), Number(list.metadata.resourceVersion));
    assert.equal(sample(text, 'apiserver_current_inflight_requests', { request_kind: 'readOnly' }), 1, 'the scrape');
    assert.equal(sample(text, 'apiserver_current_inflight_requests', { request_kind: 'mutating' }), 0);
    assert.ok(sample(text, 'process_resident_memory_bytes')! > 0);

    ac.abort();
    await eventually(async () => {
      const t = await (await fetch(`${srv.url}/metrics`)).text();
      return sample(t, 'apiserver_request_total', { verb: 'WATCH', ...cmLabels, code: '200' }) === 1 ? t : undefined;
    });
  });

  it('needs the bearer token when the server has one (health probes do not); kubectl reads it with get --raw', async () => {
    const srv = await startServerProcess({ args: ['--token', 'metrics-secret'] });
    cleanups.push(async () => {
      await srv.stop();
      srv.cleanup();
    });
    const anon = await fetch(`${srv.url}/metrics`);
    assert.equal(anon.status, 401);
    assert.equal(((await anon.json()) as any).reason, 'Unauthorized');
    assert.equal((await fetch(`${srv.url}/livez`)).status, 200);
    const withToken = await fetch(`${srv.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    assert.equal(withToken.status, 200);
    assert.match(await withToken.text(), /^# TYPE apiserver_request_total counter$/m);

    const k = new Kubectl(srv.kubeconfig);
    cleanups.push(() => k.dispose());
    // kubectl sends no token over plain http: /readyz is public, /metrics answers 401 through kubectl too
    assert.match(await k.ok(['get', '--raw', '/readyz?verbose']), /\[\+\]storage ok\n[\s\S]*readyz check passed/);
    const r = await k.run(['get', '--raw', '/metrics']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized/);
  });
});

describe('health checks', () => {
  it('/livez, /readyz and /healthz name their checks, honour ?exclude, and serve each check alone', async () => {
    let broken = false;
    const wrap = (s: Storage): Storage =>
      new Proxy(s, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === 'list')
            return async (...args: unknown[]) => {
              if (broken) throw new Error('disk on fire');
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    const srv: InProcessServer = await startInProcess({ wrapStorage: wrap });
    cleanups.push(() => srv.close());
    const api = new Api(srv.url);
    const hooks = '[+]poststarthook/start-system-namespaces-controller ok\n[+]poststarthook/bootstrap-controller ok\n';

    for (const path of ['/livez', '/readyz', '/healthz']) {
      const plain = await api.get(path);
      assert.equal(plain.status, 200);
      assert.equal(plain.text, 'ok');
      assert.equal(plain.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(plain.headers.get('x-content-type-options'), 'nosniff');
    }
    assert.equal((await api.get('/livez?verbose')).text, `[+]ping ok\n[+]storage ok\n${hooks}livez check passed\n`);
    assert.equal(
      (await api.get('/readyz?verbose')).text,
      `[+]ping ok\n[+]storage ok\n${hooks}[+]shutdown ok\nreadyz check passed\n`,
    );
    assert.equal(
      (await api.get('/readyz?verbose&exclude=shutdown&exclude=nope')).text,
      `[+]ping ok\n[+]storage ok\n${hooks}[+]shutdown excluded: ok\nwarn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n`,
    );
    assert.equal((await api.get('/livez/ping')).text, 'ok');
    assert.equal((await api.get('/readyz/poststarthook/bootstrap-controller')).text, 'ok');
    assert.equal((await api.get('/livez/nope')).status, 404);

    broken = true;
    const failed = await api.get('/livez');
    assert.equal(failed.status, 500);
    assert.equal(failed.text, `[+]ping ok\n[-]storage failed: reason withheld\n${hooks}livez check failed\n`);
    const single = await api.get('/livez/storage');
    assert.equal(single.status, 500);
    assert.equal(single.text, 'internal server error: disk on fire\n');
    assert.equal((await api.get('/readyz?exclude=storage')).status, 200);
    broken = false;
  });
});

describe('controller manager metrics', () => {
  it('serves work queue metrics and /healthz on its own port, printed at start', async () => {
    const cluster = await startCluster({ nodes: 1 });
    cleanups.push(() => cluster.stop());
    const url = (await eventually(
      async () => /kube-controller-manager metrics on (http:\/\/\S+)\/metrics/.exec(cluster.output())?.[1],
    ))!;
    assert.doesNotMatch(url, new RegExp(`^${new URL(cluster.url).origin}$`), 'not the API server port');
    assert.equal(await (await fetch(`${url}/healthz`)).text(), 'ok');
    await cluster.api('POST', '/apis/apps/v1/namespaces/default/daemonsets', {
      metadata: { name: 'ds' },
      spec: {
        selector: { matchLabels: { app: 'ds' } },
        template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    });
    const text = (await eventually(async () => {
      const t = await (await fetch(`${url}/metrics`)).text();
      return (sample(t, 'workqueue_work_duration_seconds_count', { name: 'daemonset' }) ?? 0) > 0 ? t : undefined;
    }))!;
    assert.ok(sample(text, 'workqueue_adds_total', { name: 'daemonset' })! >= 1);
    assert.notEqual(sample(text, 'workqueue_depth', { name: 'daemonset' }), undefined);
    assert.notEqual(sample(text, 'workqueue_retries_total', { name: 'daemonset' }), undefined);
    assert.ok(sample(text, 'workqueue_queue_duration_seconds_count', { name: 'daemonset' })! >= 1);
    assert.match(text, /^# TYPE workqueue_work_duration_seconds histogram$/m);
  });
});

describe('request logs', () => {
  it('carry a request id and the audit fields at debug, and never a token, even for a malformed request at trace', async () => {
    const srv: ServerProcess = await startServerProcess({ args: ['--log-level', 'trace', '--token', 'tok-123'] });
    cleanups.push(async () => {
      await srv.stop();
      srv.cleanup();
    });
    const secret = 'sa-SECRETVALUE-0123456789';
    const res = await fetch(`${srv.url}/api/v1/namespaces/default/configmaps`, {
      headers: { authorization: 'Bearer tok-123', 'audit-id': 'my-audit-id-1' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('audit-id'), 'my-audit-id-1');
    await fetch(`${srv.url}/api/v1/namespaces`, { headers: { authorization: `Bearer ${secret}` } });
    await rawExchange(
      srv.url,
      `GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\nX-Bad: \x01\r\n\r\n`,
    );
    await rawExchange(srv.url, `FOO /api HTTP/1.1\r\nAuthorization: Bearer ${secret}\r\n\r\n`);
    await rawExchange(
      srv.url,
      `GET /api HTTP/1.1\r\nAuthorization: Bearer ${secret}\r\nX: ${'a'.repeat(20000)}\r\n\r\n`,
    );
    const lines = (await eventually(async () => {
      const ls = srv
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      return ls.filter((l) => l.msg === 'malformed request refused').length >= 3 ? ls : undefined;
    }))!;
    const out = srv.output();
    assert.ok(!out.includes(secret), 'a bearer token appears in the logs');
    assert.ok(!out.includes('tok-123'), 'the server token appears in the logs');
    const mine = lines.find((l) => l.msg === 'request' && l.reqId === 'my-audit-id-1');
    assert.ok(mine, 'a request line with the request id');
    assert.equal(mine.verb, 'LIST');
    assert.equal(mine.resource, 'configmaps');
    assert.equal(mine.user, 'kubernetes-admin');
    assert.equal(mine.code, 200);
    assert.equal(typeof mine.latencyMs, 'number');
    assert.equal(mine.level, 20);
    const refused = lines.find((l) => l.msg === 'request' && l.code === 401);
    assert.ok(refused?.reqId, 'the refused request is logged with its id');
  });
});
