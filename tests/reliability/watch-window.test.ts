/**
 * Watch guarantees at the edges, against the history of acknowledged writes (an API server in the test
 * process, with a small history window and watch buffer, and its own accounting at hand):
 * - a watch from any retained resourceVersion sees exactly the later events; below the retained window it gets
 *   an ERROR event carrying a 410 Expired Status, and the stream ends;
 * - a watcher that never reads is cut off, with a bounded amount of data held for it by the server, while the
 *   other watchers keep receiving every event;
 * - a watcher that stops reading for a while, less than the stall timeout, gets every event once it reads again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api } from '../helpers/http.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';
import { eventually } from '../helpers/kubectl.js';
import { assertExactly, assertSuffix, configMap, writeLoad, type Ack } from '../helpers/watch-history.js';
import type { CachedStorage } from '../../storage/cache/cacher.js';

/** A namespace `ns` of its own on `server`: a client, its ConfigMaps' path, and the resourceVersion they are at. */
async function configMapsIn(server: InProcessServer, ns: string): Promise<{ api: Api; base: string; from: number }> {
  const api = new Api(server.url);
  await api.createNamespace(ns);
  const base = `/api/v1/namespaces/${ns}/configmaps`;
  return { api, base, from: Number((await api.expect(200, 'GET', base)).metadata.resourceVersion) };
}

/** A watch of `url` on a connection of its own, as the response comes: its body not read yet. */
function rawWatch(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, resolve);
    req.on('error', reject);
  });
}

describe('resume from any retained resourceVersion; 410 Expired below the window', () => {
  const WINDOW = 100;
  const BOOKMARK_MS = 50;
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({
      bookmarkIntervalMs: BOOKMARK_MS,
      storageOptions: { maxHistoryEvents: WINDOW },
    });
  });
  after(async () => server?.close());

  it('every resourceVersion in the window replays exactly the later writes; older ones get 410 Expired', async () => {
    const { api, base, from: start } = await configMapsIn(server, 'resume');
    // the reference: a watch from before the writes, read as they happen
    const reference = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${start}`);
    const acks = await writeLoad(api, base, { writers: 4, total: WINDOW * 3 });
    const compacted = server.storage.compactedRevision();
    const current = server.storage.currentRevision();
    assert.ok(compacted > start, `the window moved past the start (${compacted} > ${start})`);
    assert.ok(current - compacted <= WINDOW * 2, `the window is bounded (${compacted}..${current})`);
    await eventually(() => reference.received.length >= acks.length, {
      what: 'the reference watch',
      timeoutMs: 30_000,
    });
    reference.close();
    const history = assertExactly(reference.received, acks, 'the reference watch');

    /** A watch from `rv` with bookmarks, read until a bookmark says everything up to `current` was sent. */
    async function watchFrom(rv: number): Promise<WatchEvent[]> {
      const w = await WatchStream.open(
        `${server.url}${base}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
      );
      try {
        assert.equal(w.status, 200);
        const seen: WatchEvent[] = [];
        for (;;) {
          const ev = await w.next(20_000);
          if (ev.type === 'BOOKMARK') {
            if (rvOf(ev) >= current) return seen;
            continue;
          }
          seen.push(ev);
          if (ev.type === 'ERROR') return seen;
        }
      } finally {
        w.close();
      }
    }
    const retained: number[] = [];
    for (let rv = compacted; rv <= current; rv++) retained.push(rv);
    for (let i = 0; i < retained.length; i += 20) {
      await Promise.all(
        retained.slice(i, i + 20).map(async (rv) => assertSuffix(await watchFrom(rv), history, rv, `watch from ${rv}`)),
      );
    }

    const below = [start, Math.floor((start + compacted) / 2), compacted - 1].filter((rv) => rv > 0);
    for (const rv of below) {
      const w = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${rv}`);
      try {
        assert.equal(w.status, 200, 'the error comes as a watch event, as upstream');
        const ev = await w.next();
        assert.equal(ev.type, 'ERROR', `watch from ${rv} (window starts after ${compacted})`);
        assert.equal(ev.object.kind, 'Status');
        assert.equal(ev.object.apiVersion, 'v1');
        assert.equal(ev.object.status, 'Failure');
        assert.equal(ev.object.code, 410);
        assert.equal(ev.object.reason, 'Expired');
        assert.match(ev.object.message, /too old resource version/);
        assert.deepEqual(await w.untilEnd(10_000), [], 'the stream ends after the error');
      } finally {
        w.close();
      }
    }
  });
});

describe('a watcher that never reads', () => {
  const BUFFER = 100;
  const STALL_MS = 3000;
  let server: InProcessServer;
  const sockets = new Set<Socket>();
  before(async () => {
    server = await startInProcess({ storageOptions: { watchBufferLimit: BUFFER }, watchStallTimeoutMs: STALL_MS });
    server.fastify.server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server?.close();
  });

  it('is cut off with bounded memory; the other watchers receive every event', async (t) => {
    const { api, base, from } = await configMapsIn(server, 'never-reads');
    const storage = server.storage as CachedStorage;
    const watchersBefore = storage.watcherCount();

    // The sleeper: a raw HTTP watch whose body is never read.
    const sleeperRes = await rawWatch(`${server.url}${base}?watch=true&resourceVersion=${from}`);
    assert.equal(sleeperRes.statusCode, 200);
    sleeperRes.pause();
    const readers: WatchStream[] = [];
    for (let i = 0; i < 4; i++)
      readers.push(await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${from}`));
    await eventually(() => storage.watcherCount() === watchersBefore + 5, { what: 'five watchers registered' });

    // Big objects, so that the kernel's socket buffers cannot absorb them all.
    const big = 'x'.repeat(32 * 1024);
    let maxQueued = 0;
    let droppedAt: number | undefined;
    const sample = () => {
      let queued = 0;
      for (const s of sockets) queued += s.writableLength;
      maxQueued = Math.max(maxQueued, queued);
      if (droppedAt === undefined && storage.watcherCount() === watchersBefore + 4) droppedAt = ackCount;
    };
    let ackCount = 0;
    const acks: Ack[] = [];
    const timer = setInterval(sample, 5);
    const writes = 500;
    try {
      acks.push(
        ...(await writeLoad(api, base, {
          writers: 4,
          total: writes,
          value: (i) => `${i}:${big}`,
          onAck: () => {
            ackCount++;
            sample();
          },
        })),
      );
    } finally {
      clearInterval(timer);
    }
    sample();
    await eventually(() => storage.watcherCount() === watchersBefore + 4, {
      what: 'the sleeper dropped',
      timeoutMs: 10_000,
    });
    // ... and lets go of its connection: nothing stays queued for a client that takes nothing
    await eventually(() => [...sockets].every((x) => x.writableLength === 0), {
      what: 'the connection of the sleeper closed',
      timeoutMs: STALL_MS + 10_000,
    });
    t.diagnostic(
      `sleeper dropped after about ${droppedAt ?? acks.length} of ${writes} writes of 32 KiB; at most ${Math.round(maxQueued / 1024)} KiB queued on the server's sockets`,
    );
    // What the server holds for its watchers stays small: the sleeper's hub buffer (BUFFER events, shared with
    // the history) and at most a socket's high-water mark plus one event per connection.
    assert.ok(maxQueued < 8 * 1024 * 1024, `server socket buffers held ${maxQueued} bytes`);

    // The readers got everything, live: one more write reaches them.
    const marker = await api.expect(201, 'POST', base, { body: configMap('marker', 'end') });
    for (const [i, r] of readers.entries()) {
      await r.nextMatching((e) => e.object?.metadata?.name === 'marker', 30_000);
      r.close();
      assertExactly(
        r.received.filter((e) => e.object.metadata.name !== 'marker'),
        acks,
        `reader ${i}`,
      );
    }
    assert.ok(Number(marker.metadata.resourceVersion) > 0);

    // The sleeper, read at last: a gapless prefix of the sequence, then the end (the connection was closed).
    const body = await new Promise<string>((resolve) => {
      let text = '';
      sleeperRes.setEncoding('utf8');
      sleeperRes.on('data', (d: string) => (text += d));
      sleeperRes.on('close', () => resolve(text));
      sleeperRes.on('error', () => {}); // 'aborted': the server closed the connection mid-stream
      sleeperRes.resume();
    });
    const lines = body.split('\n');
    lines.pop(); // an event the connection was closed in the middle of
    const events = lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as WatchEvent);
    assert.ok(events.length < acks.length, `the sleeper was cut off (${events.length} of ${acks.length} events)`);
    const reference = readers[0]!.received;
    assert.deepEqual(
      events.map((e) => e.object.metadata.resourceVersion),
      reference.slice(0, events.length).map((e) => e.object.metadata.resourceVersion),
      'what the sleeper got is a prefix of the sequence',
    );
  });
});

describe('a watcher that stops reading for a while', () => {
  const STALL_MS = 4000;
  let server: InProcessServer;
  before(async () => {
    server = await startInProcess({ watchStallTimeoutMs: STALL_MS });
  });
  after(async () => {
    await server?.close();
  });

  // The server's writes to it fill its socket; each wait ends at the socket's 'drain' (a flush writes to the socket
  // itself), and without that wait's end the watch would stall until the server cut it off.
  it('gets every event, in order, once it reads again', async () => {
    const { api, base, from } = await configMapsIn(server, 'pauses');
    const res = await rawWatch(`${server.url}${base}?watch=true&resourceVersion=${from}`);
    assert.equal(res.statusCode, 200);
    res.pause();
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (text += d));
    // ~6 MiB of events, far more than the kernel's socket buffers hold while the watcher reads nothing
    const big = 'x'.repeat(32 * 1024);
    const acks = await writeLoad(api, base, { writers: 4, total: 200, value: (i) => `${i}:${big}` });
    await new Promise((r) => setTimeout(r, 500));
    res.resume();
    const lines = () => text.split('\n').filter((l) => l.trim() !== '');
    await eventually(() => lines().length >= acks.length, {
      what: `all ${acks.length} events (got ${lines().length})`,
      timeoutMs: STALL_MS * 2,
    });
    res.destroy();
    const events = lines().map((l) => JSON.parse(l) as WatchEvent);
    assert.ok(!events.some((e) => e.type === 'ERROR'), 'no ERROR event');
    assertExactly(events, acks, 'the watcher that paused');
  });
});
