import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { Http1Client } from '../../../../controllers/machinery/http1.js';
import { HttpTransport, TransportError } from '../../../../controllers/machinery/transport.js';

/** A raw TCP server answering each request (head and body read) with `answer(request, socket)`. */
async function rawServer(
  t: TestContext,
  answer: (request: string, socket: Socket) => void,
): Promise<{ url: URL; server: NetServer }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const request = buf.slice(0, end + 4 + length);
        buf = buf.slice(end + 4 + length);
        answer(request, socket);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // stopped by the test, whether it passes or not
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), server };
}

describe('Http1Client: requests read whole on keep-alive connections', () => {
  let http: HttpServer;
  let url: URL;
  const connections = new Set<Socket>();
  let opened = 0;
  before(async () => {
    http = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.url === '/empty') {
          res.writeHead(204).end();
          return;
        }
        if (req.url === '/chunked') {
          // many chunks, in separate writes
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          for (let i = 0; i < 50; i++) res.write(`part ${i} ✓;`);
          res.end();
          return;
        }
        if (req.url === '/close') {
          res.writeHead(200, { Connection: 'close', 'Content-Length': '2' }).end('ok');
          return;
        }
        if (req.url === '/slow') return; // never answers
        res.writeHead(req.url === '/missing' ? 404 : 200, {
          'Content-Type': 'application/json',
          'X-Twice': ['a', 'b'],
        });
        res.end(JSON.stringify({ method: req.method, url: req.url, body, headers: req.headers }));
      });
    });
    http.on('connection', (s: Socket) => {
      opened++;
      connections.add(s);
      s.on('close', () => connections.delete(s));
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  });
  after(() => {
    http.closeAllConnections();
    http.close();
  });

  it('sends the method, path, headers and body; reads status, headers and body; reuses one connection', async () => {
    const client = new Http1Client(url);
    const before = opened;
    for (let i = 0; i < 3; i++) {
      const res = await client.request({
        method: 'POST',
        path: `/objects?i=${i}`,
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer t' },
        body: JSON.stringify({ name: `o-${i}`, note: 'ünïcödé' }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.ok, true);
      assert.equal(res.headers['x-twice'], 'a, b');
      const echoed = JSON.parse(res.text);
      assert.deepEqual(
        [echoed.method, echoed.url, JSON.parse(echoed.body)],
        ['POST', `/objects?i=${i}`, { name: `o-${i}`, note: 'ünïcödé' }],
      );
      assert.equal(echoed.headers.authorization, 'Bearer t');
      assert.equal(echoed.headers.host, url.host);
    }
    assert.equal(opened - before, 1, 'one keep-alive connection');
    const missing = await client.request({ method: 'GET', path: '/missing', headers: {} });
    assert.deepEqual([missing.status, missing.ok], [404, false]);
    client.close();
  });

  it('reads chunked bodies, empty answers and HEAD; a Connection: close answer closes its connection', async () => {
    const client = new Http1Client(url);
    const chunked = await client.request({ method: 'GET', path: '/chunked', headers: {} });
    assert.equal(chunked.text, Array.from({ length: 50 }, (_, i) => `part ${i} ✓;`).join(''));
    const empty = await client.request({ method: 'DELETE', path: '/empty', headers: {}, body: '' });
    assert.deepEqual([empty.status, empty.text], [204, '']);
    const head = await client.request({ method: 'HEAD', path: '/x', headers: {} });
    assert.deepEqual([head.status, head.text], [200, '']);
    const before = opened;
    assert.equal((await client.request({ method: 'GET', path: '/close', headers: {} })).text, 'ok');
    assert.equal((await client.request({ method: 'GET', path: '/x', headers: {} })).status, 200);
    assert.equal(opened - before, 1, 'a new connection after the closed one');
    client.close();
  });

  it('a kept connection the server closed meanwhile: the request goes on a new one', async () => {
    const client = new Http1Client(url);
    await client.request({ method: 'GET', path: '/a', headers: {} });
    for (const s of connections) s.destroy(); // the server's idle timeout
    const res = await client.request({ method: 'POST', path: '/b', headers: {}, body: '{}' });
    assert.equal(res.status, 200);
    client.close();
  });

  it('aborts with the signal, and the aborted connection is not kept', async () => {
    const client = new Http1Client(url);
    const ctl = new AbortController();
    const pending = client.request({ method: 'GET', path: '/slow', headers: {}, signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('timed out')), 20);
    await assert.rejects(pending, /timed out/);
    assert.equal((await client.request({ method: 'GET', path: '/x', headers: {} })).status, 200);
    await assert.rejects(
      client.request({ method: 'GET', path: '/x', headers: {}, signal: AbortSignal.abort(new Error('before')) }),
      /before/,
    );
    client.close();
  });

  it('a request past timeoutMs rejects with a TimeoutError and its connection goes; one in time keeps it', async (t) => {
    const connections: Socket[] = [];
    const { url: raw, server } = await rawServer(t, (request, socket) => {
      if (request.startsWith('GET /hang ')) return;
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    server.on('connection', (s) => connections.push(s));
    const client = new Http1Client(raw);
    const ok = await client.request({ method: 'GET', path: '/a', headers: {}, timeoutMs: 50 });
    assert.equal(ok.text, 'ok');
    await new Promise((r) => setTimeout(r, 100)); // past the first request's timeout: its timer was cleared
    assert.equal((await client.request({ method: 'GET', path: '/b', headers: {}, timeoutMs: 50 })).text, 'ok');
    assert.equal(connections.length, 1, 'one kept connection');
    const started = Date.now();
    await assert.rejects(
      client.request({ method: 'GET', path: '/hang', headers: {}, timeoutMs: 50 }),
      (err: unknown) => err instanceof DOMException && err.name === 'TimeoutError',
    );
    assert.ok(Date.now() - started >= 45);
    await new Promise((r) => setImmediate(r));
    assert.ok(connections[0]!.destroyed || connections[0]!.readableEnded, 'the timed-out connection is closed');
    assert.equal((await client.request({ method: 'GET', path: '/c', headers: {} })).text, 'ok');
    assert.equal(connections.length, 2, 'the next request went on a new connection');
    // through the transport, the TimeoutError as it is (not a TransportError)
    const transport = new HttpTransport(raw);
    await assert.rejects(
      transport.requestText('/hang', { method: 'GET', headers: {}, timeoutMs: 30 }),
      (err: unknown) => err instanceof DOMException && err.name === 'TimeoutError',
    );
    transport.close();
    client.close();
  });

  it('through HttpTransport: the server URL path prefixes the paths; no answer is a TransportError', async (t) => {
    const based = new HttpTransport(new URL(`${url.origin}/base/`));
    const res = await based.requestText('/api/v1/pods', { method: 'GET', headers: {} });
    assert.equal(JSON.parse(res.text).url, '/base/api/v1/pods');
    based.close();
    const closed = await rawServer(t, () => {});
    const port = (closed.server.address() as AddressInfo).port;
    closed.server.close();
    await new Promise((r) => setImmediate(r));
    const refused = new HttpTransport(new URL(`http://127.0.0.1:${port}`));
    await assert.rejects(refused.requestText('/x', { method: 'GET', headers: {} }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
      assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+\/x failed: /);
      return true;
    });
  });
});

describe('Http1Client: answers as raw bytes', () => {
  it('a body up to the close; chunk extensions and trailers; an answer split byte by byte', async (t) => {
    const { url } = await rawServer(t, (request, socket) => {
      if (request.startsWith('GET /until-close')) {
        socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it');
        return;
      }
      const answer =
        'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: y\r\n\r\n';
      // one byte per write
      const bytes = Buffer.from(answer);
      let i = 0;
      const next = () => {
        if (i < bytes.length) socket.write(bytes.subarray(i, ++i), next);
      };
      next();
    });
    const client = new Http1Client(url);
    const whole = await client.request({ method: 'GET', path: '/until-close', headers: {} });
    assert.equal(whole.text, 'all of it');
    const chunked = await client.request({ method: 'POST', path: '/c', headers: {}, body: 'x' });
    assert.deepEqual([chunked.status, chunked.statusText, chunked.text], [201, 'Created', 'Wikipedia']);
    const again = await client.request({ method: 'POST', path: '/c', headers: {}, body: 'y' });
    assert.equal(again.text, 'Wikipedia');
    client.close();
  });

  it('a kept connection closed as the request went out, nothing answered: once more on a new connection', async (t) => {
    const served = new WeakMap<Socket, number>();
    let connectionsSeen = 0;
    const { url } = await rawServer(t, (_request, socket) => {
      const n = (served.get(socket) ?? 0) + 1;
      served.set(socket, n);
      if (n === 1) connectionsSeen++;
      // the second request on a connection finds the server closing it (its idle timeout)
      if (n === 2) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const client = new Http1Client(url);
    assert.equal((await client.request({ method: 'GET', path: '/1', headers: {} })).text, 'ok');
    assert.equal((await client.request({ method: 'POST', path: '/2', headers: {}, body: '{}' })).text, 'ok');
    assert.equal(connectionsSeen, 2);
    // a new connection that closes unanswered is an error, not tried again
    const fresh = await rawServer(t, (_request, socket) => socket.destroy());
    await assert.rejects(new Http1Client(fresh.url).request({ method: 'GET', path: '/', headers: {} }), /closed/);
    client.close();
  });

  it('fails on what is not an answer: a connection closed mid-answer, a bad chunk size, a huge head, not HTTP', async (t) => {
    const { url } = await rawServer(t, (request, socket) => {
      const path = request.split(' ')[1];
      if (path === '/cut') socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part');
      else if (path === '/bad-chunk') socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
      else if (path === '/huge') socket.write(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20_000)}`);
      else socket.write('SSH-2.0-OpenSSH\r\n\r\n');
    });
    const client = new Http1Client(url);
    await assert.rejects(client.request({ method: 'GET', path: '/cut', headers: {} }), /closed before the answer/);
    await assert.rejects(client.request({ method: 'GET', path: '/bad-chunk', headers: {} }), /invalid chunk size/);
    await assert.rejects(client.request({ method: 'GET', path: '/huge', headers: {} }), /head is too large/);
    await assert.rejects(client.request({ method: 'GET', path: '/ssh', headers: {} }), /not an HTTP\/1\.1 answer/);
    client.close();
  });
});
