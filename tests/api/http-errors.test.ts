/**
 * Every error reply is a Kubernetes Status, including those Node's HTTP parser or Fastify's router produce before
 * any route runs: an undecodable path, headers over the limit, an unknown method, CONNECT, control characters in a
 * header, an unknown HTTP version, a body over 3 MiB (by Content-Length and chunked).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api } from '../helpers/http.js';
import { parseRaw, rawExchange } from '../helpers/raw-http.js';

function assertStatus(body: any, code: number, reason: string): void {
  assert.equal(body.kind, 'Status');
  assert.equal(body.apiVersion, 'v1');
  assert.equal(body.status, 'Failure');
  assert.equal(body.code, code);
  assert.equal(body.reason, reason);
  assert.equal(typeof body.message, 'string');
}

describe('HTTP-level error replies are Status objects', () => {
  let srv: InProcessServer;
  let api: Api;
  before(async () => {
    srv = await startInProcess();
    api = new Api(srv.url);
  });
  after(() => srv.close());

  const closed: Array<[string, string, number, string]> = [
    [
      'headers over 16 KiB',
      `GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'RequestHeaderFieldsTooLarge',
    ],
    [
      'a URI over the header limit',
      `GET /api/v1/namespaces?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
      'RequestHeaderFieldsTooLarge',
    ],
    ['an unknown method', 'FOO /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'MethodNotAllowed'],
    ['CONNECT to a path', 'CONNECT /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n\r\n', 405, 'MethodNotAllowed'],
    [
      'CONNECT to an authority',
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
      405,
      'MethodNotAllowed',
    ],
    [
      'a control character in a header',
      'GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n',
      400,
      'BadRequest',
    ],
    ['an unknown HTTP version', 'GET /api/v1/namespaces HTTP/9.9\r\nHost: x\r\n\r\n', 505, 'HTTPVersionNotSupported'],
    ['bytes that are no request', 'hello there\r\n\r\n', 400, 'BadRequest'],
    [
      'Content-Length and chunked together',
      'POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      'BadRequest',
    ],
  ];
  for (const [what, bytes, code, reason] of closed) {
    it(`${what}: ${code} ${reason} Status, then the connection closes`, async () => {
      const res = parseRaw(await rawExchange(srv.url, bytes));
      assert.equal(res.code, code);
      assert.match(res.headers['content-type']!, /^application\/json/);
      assert.equal(res.headers['connection'], 'close');
      assertStatus(res.body, code, reason);
    });
  }

  it('a path that does not decode (%zz) is a 400 BadRequest Status', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const req = http.get(`${srv.url}/api/v1/namespaces/%zz`, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(`${res.statusCode}\n${body}`));
      });
      req.on('error', reject);
    });
    const [code, body] = [Number(raw.split('\n')[0]), JSON.parse(raw.slice(raw.indexOf('\n') + 1))];
    assert.equal(code, 400);
    assertStatus(body, 400, 'BadRequest');
  });

  it('a name longer than any route parameter limit gets the apiserver answer (404 NotFound), not a 414', async () => {
    const name = 'a'.repeat(2000);
    const res = await api.get(`/api/v1/namespaces/default/configmaps/${name}`);
    assert.equal(res.status, 404);
    assertStatus(res.body, 404, 'NotFound');
    assert.equal(res.body.details.name, name);
  });

  it('a body over 3 MiB is a 413 RequestEntityTooLarge Status (Content-Length and chunked)', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { x: 'a'.repeat(3 * 1024 * 1024) } });
    const res = await api.request('POST', '/api/v1/namespaces/default/configmaps', { raw: big });
    assert.equal(res.status, 413);
    assertStatus(res.body, 413, 'RequestEntityTooLarge');
    assert.equal(res.body.message, 'Request entity too large: limit is 3145728');

    const chunked = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(
        `${srv.url}/api/v1/namespaces/default/configmaps`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('a'.repeat(1024 * 1024));
      req.end();
    });
    assert.equal(chunked.status, 413);
    assertStatus(chunked.body, 413, 'RequestEntityTooLarge');
    assert.equal((await api.get('/api/v1/namespaces/default/configmaps/big')).status, 404);
  });

  it('an invalid ?timeout= is a 400 with the apiserver message', async () => {
    const res = await api.get('/api/v1/namespaces?timeout=abc');
    assert.equal(res.status, 400);
    assertStatus(res.body, 400, 'BadRequest');
    assert.equal(res.body.message, 'invalid timeout specified in the request URL - time: invalid duration "abc"');
    const missingUnit = await api.get('/api/v1/namespaces?timeout=10');
    assert.equal(
      missingUnit.body.message,
      'invalid timeout specified in the request URL - time: missing unit in duration "10"',
    );
    assert.equal((await api.get('/api/v1/namespaces?timeout=10s')).status, 200);
  });

  it('the server still answers after all of that', async () => {
    assert.equal((await api.get('/api/v1/namespaces/default')).status, 200);
  });
});
