/**
 * Bad input that once froze, crashed or emptied the server (issue 10), each answered now as kube-apiserver answers
 * it: a 4xx Status with upstream's reason and text, nothing stored changed, and the server still serving.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api, podManifest, type ApiResponse } from '../helpers/http.js';

const NS = 'bad-input';
const CM = `/api/v1/namespaces/${NS}/configmaps`;

const deepJson = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

function assertStatus(res: ApiResponse, code: number, reason: string, message?: string | RegExp): void {
  assert.equal(res.status, code, res.text.slice(0, 300));
  assert.equal(res.body.kind, 'Status');
  assert.equal(res.body.code, code);
  assert.equal(res.body.reason, reason);
  if (typeof message === 'string') assert.equal(res.body.message, message);
  else if (message) assert.match(res.body.message, message);
}

describe('bad input', () => {
  let server: InProcessServer;
  let api: Api;
  /** Everything stored, for before/after comparisons. */
  const dump = async () => {
    const listed = await server.storage.list('/registry/');
    return { revision: listed.revision, items: JSON.stringify(listed.items) };
  };

  before(async () => {
    server = await startInProcess();
    api = new Api(server.url);
    await api.createNamespace(NS);
    for (const name of ['a', 'b', 'c']) {
      await api.expect(201, 'POST', CM, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, labels: { l: 'v' }, annotations: { x: 'y' }, finalizers: ['example.com/keep'] },
          data: { k: 'v' },
        },
      });
    }
  });
  after(async () => server?.close());

  it('a JSON patch of copies doubling the object stops at the copy limit (422), quickly', async () => {
    const before = await dump();
    const ops: unknown[] = [{ op: 'add', path: '/metadata/annotations/big', value: 'y'.repeat(2000) }];
    for (let i = 0; i < 20; i++)
      ops.push({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/k${i}` });
    const t = Date.now();
    const res = await api.request('PATCH', `${CM}/a`, { body: ops, contentType: 'application/json-patch+json' });
    assertStatus(res, 422, 'Invalid', 'the server rejected our request due to an error in our request');
    assert.ok(Date.now() - t < 15000);
    assert.deepEqual(await dump(), before);
  });

  it('more than 10000 JSON patch operations is a 413', async () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
    const res = await api.request('PATCH', `${CM}/a`, { body: ops, contentType: 'application/json-patch+json' });
    assertStatus(
      res,
      413,
      'RequestEntityTooLarge',
      'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });

  for (const [what, method, path, contentType, body] of [
    [
      'POST',
      'POST',
      CM,
      'application/json',
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${deepJson(10000)}}`,
    ],
    [
      'PUT',
      'PUT',
      `${CM}/a`,
      'application/json',
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"x":${deepJson(10000)}}`,
    ],
    ['merge patch', 'PATCH', `${CM}/a`, 'application/merge-patch+json', `{"x":${deepJson(10000)}}`],
    ['strategic merge patch', 'PATCH', `${CM}/a`, 'application/strategic-merge-patch+json', `{"x":${deepJson(10000)}}`],
    [
      'JSON patch',
      'PATCH',
      `${CM}/a`,
      'application/json-patch+json',
      `[{"op":"add","path":"/x","value":${deepJson(10000)}}]`,
    ],
    [
      'YAML POST',
      'POST',
      CM,
      'application/yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${deepJson(3400)}`,
    ],
    [
      'server-side apply',
      'PATCH',
      `${CM}/a?fieldManager=t`,
      'application/apply-patch+yaml',
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"x":${deepJson(3400)}}`,
    ],
    [
      'server-side apply, compact sequences',
      'PATCH',
      `${CM}/a?fieldManager=t`,
      'application/apply-patch+yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nx: ${'- '.repeat(3400)}1\n`,
    ],
  ] as const) {
    it(`deep nesting in a ${what} body is a 400`, async () => {
      const before = await dump();
      const res = await api.request(method, path, { raw: body, contentType });
      assertStatus(res, 400, 'BadRequest', /exceeded max depth/);
      assert.deepEqual(await dump(), before);
    });
  }

  it('nesting below the bound is served (unknown fields dropped with a warning)', async () => {
    const res = await api.request('POST', `${CM}?dryRun=All`, {
      raw: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok"},"x":${deepJson(900)}}`,
    });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.match(res.headers.get('warning') ?? '', /unknown field/);
  });

  it('a YAML alias bomb is a 400, in a YAML POST and in server-side apply', async () => {
    let y = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    let prev = 'a';
    for (const n of 'bcdefghi') {
      y += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
      prev = n;
    }
    const before = await dump();
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${y}`;
    const post = await api.request('POST', CM, { raw: body, contentType: 'application/yaml' });
    assertStatus(post, 400, 'BadRequest', /yaml: document contains excessive aliasing/);
    const apply = await api.request('PATCH', `${CM}/bomb?fieldManager=t`, {
      raw: body,
      contentType: 'application/apply-patch+yaml',
    });
    assertStatus(apply, 400, 'BadRequest', /yaml: document contains excessive aliasing/);
    assert.deepEqual(await dump(), before);
  });

  for (const cpu of ['1e100000', '1e999999']) {
    it(`a pod with cpu ${cpu} is answered at once`, async () => {
      const pod = podManifest(`q${cpu.length}`);
      pod.spec.containers[0].resources = { limits: { cpu } };
      const t = Date.now();
      const res = await api.request('POST', `/api/v1/namespaces/${NS}/pods?dryRun=All`, {
        body: pod,
        timeoutMs: 20000,
      });
      assert.equal(res.status, 201, res.text.slice(0, 300));
      assert.equal(res.body.spec.containers[0].resources.requests.cpu, cpu === '1e100000' ? '10e99999' : '1e999999');
      assert.ok(Date.now() - t < 5000, `took ${Date.now() - t} ms`);
    });
  }

  it('a continue token with revision 1e99 is a 400', async () => {
    const token = Buffer.from('{"v":"meta.k8s.io/v1","rv":1e99,"start":"a"}').toString('base64url');
    const res = await api.get(`${CM}?limit=1&continue=${token}`);
    assertStatus(
      res,
      400,
      'BadRequest',
      'invalid continue token: continue key is not valid: json: cannot unmarshal number 1e99 into Go struct field continueToken.rv of type int64',
    );
  });

  it('a watch from resourceVersion 99999999999999999999999 is a 400 before the stream starts', async () => {
    const res = await api.get(`${CM}?watch=true&resourceVersion=99999999999999999999999`, { timeoutMs: 5000 });
    assertStatus(
      res,
      400,
      'BadRequest',
      'resourceVersion: Invalid value: "99999999999999999999999": strconv.ParseUint: parsing "99999999999999999999999": value out of range',
    );
  });

  it('a watch from a future resourceVersion within uint64 waits for it instead of failing', async () => {
    const res = await api.get(`${CM}?watch=true&resourceVersion=18446744073709551615&timeoutSeconds=1`, {
      timeoutMs: 10000,
    });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
  });

  it('gracePeriodSeconds beyond int64 on a collection DELETE is a 400 and deletes nothing', async () => {
    const before = await dump();
    const res = await api.request('DELETE', `${CM}?gracePeriodSeconds=-99999999999999999999`);
    assertStatus(res, 400, 'BadRequest', 'strconv.ParseInt: parsing "-99999999999999999999": value out of range');
    assert.deepEqual(await dump(), before);
    const list = await api.expect(200, 'GET', CM);
    assert.equal(list.items.length, 3);
  });

  for (const [query, message] of [
    ['limit=abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['limit=', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['timeoutSeconds=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['timeoutSeconds=9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ] as const) {
    it(`${query} is a 400 on lists, watches and collection deletes`, async () => {
      for (const [method, path] of [
        ['GET', `${CM}?${query}`],
        ['GET', `${CM}?watch=true&${query}`],
        ['DELETE', `${CM}?${query}`],
      ] as const) {
        const res = await api.request(method, path, { timeoutMs: 5000 });
        assertStatus(res, 400, 'BadRequest', message);
      }
      assert.equal((await api.expect(200, 'GET', CM)).items.length, 3);
    });
  }

  it('timeoutSeconds=-1 ends a watch at once, as an expired deadline does upstream', async () => {
    const t = Date.now();
    const res = await api.get(`${CM}?watch=true&timeoutSeconds=-1`, { timeoutMs: 5000 });
    assert.equal(res.status, 200);
    assert.ok(Date.now() - t < 3000);
  });

  it('a huge timeoutSeconds is not the immediate timeout setTimeout would make of it', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}${CM}?watch=true&timeoutSeconds=99999999999`, { signal: controller.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    // the initial ADDED events arrive, then the stream stays open
    const ended = await Promise.race([
      (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })(),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1500)),
    ]);
    controller.abort();
    assert.equal(ended, false);
  });

  for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
    it(`a ${type} of {"metadata":null} is a 400 and keeps labels, annotations and finalizers`, async () => {
      const before = await dump();
      const res = await api.request('PATCH', `${CM}/b`, { raw: '{"metadata":null}', contentType: type });
      assertStatus(
        res,
        400,
        'BadRequest',
        'the name of the object (b based on URL) was undeterminable: name must be provided',
      );
      assert.deepEqual(await dump(), before);
      const cm = await api.expect(200, 'GET', `${CM}/b`);
      assert.deepEqual(cm.metadata.labels, { l: 'v' });
      assert.deepEqual(cm.metadata.finalizers, ['example.com/keep']);
    });
  }

  it('the server still serves', async () => {
    assert.equal((await api.get('/readyz')).status, 200);
  });
});
