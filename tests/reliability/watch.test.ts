/**
 * Watch guarantees, held against the history of acknowledged writes:
 * - many watchers at a high event rate all see one and the same ordered sequence, with no gap: exactly the
 *   acknowledged writes, with their resourceVersions; watches started mid-way from an acknowledged
 *   resourceVersion see exactly the later part of it;
 * - a watch from any retained resourceVersion sees exactly the later events; below the retained window it gets
 *   an ERROR event carrying a 410 Expired Status, and the stream ends;
 * - a watcher that never reads is cut off, with a bounded amount of data held for it by the server, while the
 *   other watchers keep receiving every event.
 *
 * Knobs: RELIABILITY_WATCHERS (default 50), RELIABILITY_WATCH_EVENTS (writes in the fan-out test, default 600).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { startInProcess, startServerProcess, type InProcessServer, type ServerProcess } from '../helpers/server.js';
import { Api, sleep, type Json } from '../helpers/http.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';
import { envInt } from '../helpers/knobs.js';
import { eventually } from '../helpers/kubectl.js';
import type { LevelStorage } from '../../storage/level/level-storage.js';

const WATCHERS = envInt('RELIABILITY_WATCHERS', 50);
const EVENTS = envInt('RELIABILITY_WATCH_EVENTS', 600);

/** One acknowledged write: its type as a watch shows it, the object's name, and (but for deletes) its rv. */
interface Ack {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  rv?: number;
}

const configMap = (name: string, value: string, rv?: string): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(rv ? { resourceVersion: rv } : {}) },
  data: { value },
});

/**
 * `writers` clients write `total` times to ConfigMaps in `base` as fast as the server answers: creates, updates
 * (PUT with the resourceVersion) and deletes of their own objects. Returns the acknowledged writes, in the order
 * of the answers; calls `onAck` after each.
 */
async function writeLoad(
  api: Api,
  base: string,
  opts: { writers: number; total: number; value?: (i: number) => string; onAck?: (a: Ack) => void },
): Promise<Ack[]> {
  const acks: Ack[] = [];
  let issued = 0;
  const value = opts.value ?? ((i: number) => String(i));
  await Promise.all(
    Array.from({ length: opts.writers }, async (_, w) => {
      const live = new Map<string, string>(); // name -> rv
      let serial = 0;
      while (issued < opts.total) {
        const i = issued++;
        let ack: Ack;
        const names = [...live.keys()];
        const choice = names.length < 3 ? 0 : i % 5;
        if (choice === 0 || choice === 1) {
          const name = `w${w}-${serial++}`;
          const obj = await api.expect(201, 'POST', base, { body: configMap(name, value(i)) });
          live.set(name, obj.metadata.resourceVersion);
          ack = { type: 'ADDED', name, rv: Number(obj.metadata.resourceVersion) };
        } else if (choice < 4) {
          const name = names[i % names.length]!;
          const obj = await api.expect(200, 'PUT', `${base}/${name}`, {
            body: configMap(name, value(i), live.get(name)),
          });
          live.set(name, obj.metadata.resourceVersion);
          ack = { type: 'MODIFIED', name, rv: Number(obj.metadata.resourceVersion) };
        } else {
          const name = names[0]!;
          await api.expect(200, 'DELETE', `${base}/${name}`);
          live.delete(name);
          ack = { type: 'DELETED', name };
        }
        acks.push(ack);
        opts.onAck?.(ack);
      }
    }),
  );
  return acks;
}

/**
 * Checks that `seen`, the events of a watch that started before every write of `acks`, is exactly the
 * acknowledged writes: strictly increasing resourceVersions, every create and update at the resourceVersion it
 * was acknowledged with, and per object exactly its writes in order (deletes have no acknowledged
 * resourceVersion: their place comes from the events). Returns the writes with the deletes' resourceVersions
 * filled in, sorted by resourceVersion: the history against which later watches are checked.
 */
function assertExactly(seen: readonly WatchEvent[], acks: readonly Ack[], what: string): Required<Ack>[] {
  for (let i = 1; i < seen.length; i++)
    assert.ok(rvOf(seen[i]!) > rvOf(seen[i - 1]!), `${what}: rv ${rvOf(seen[i]!)} after ${rvOf(seen[i - 1]!)}`);
  const perObject = <T extends { name: string }>(list: readonly T[]) => {
    const m = new Map<string, T[]>();
    for (const a of list) m.set(a.name, [...(m.get(a.name) ?? []), a]);
    return m;
  };
  const events = seen.map((e) => ({ type: e.type, name: e.object.metadata.name as string, rv: rvOf(e) }));
  const got = perObject(events);
  const want = perObject(acks);
  assert.deepEqual(
    [...got.keys()].sort(),
    [...want.keys()].sort(),
    `${what}: the objects written and the objects in events`,
  );
  const resolved: Required<Ack>[] = [];
  for (const [name, writes] of want) {
    const evs = got.get(name)!;
    assert.deepEqual(
      evs.map((e) => e.type),
      writes.map((a) => a.type),
      `${what}: events of ${name}`,
    );
    for (const [i, a] of writes.entries()) {
      if (a.rv !== undefined) assert.equal(evs[i]!.rv, a.rv, `${what}: ${a.type} ${name} at its acknowledged rv`);
      resolved.push({ type: a.type, name, rv: evs[i]!.rv });
    }
  }
  return resolved.sort((a, b) => a.rv - b.rv);
}

/** Checks that `seen` is exactly the writes of `history` after `from`. */
function assertSuffix(
  seen: readonly WatchEvent[],
  history: readonly Required<Ack>[],
  from: number,
  what: string,
): void {
  assert.deepEqual(
    seen.map((e) => `${e.type} ${e.object.metadata.name}@${rvOf(e)}`),
    history.filter((a) => a.rv > from).map((a) => `${a.type} ${a.name}@${a.rv}`),
    what,
  );
}

describe('fan-out: many watchers at a high event rate', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess();
  });
  after(async () => {
    await server?.kill();
    server?.cleanup();
  });

  it(`${WATCHERS} watchers see the same ordered sequence, with every acknowledged write of ${EVENTS}`, async (t) => {
    const api = new Api(server.url);
    const ns = 'fanout';
    await api.createNamespace(ns);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const from = Number((await api.expect(200, 'GET', base)).metadata.resourceVersion);
    const watchers: WatchStream[] = [];
    for (let i = 0; i < WATCHERS; i++) {
      const w = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${from}`);
      assert.equal(w.status, 200);
      watchers.push(w);
    }
    // Watchers that join while the writes go on, each from the resourceVersion of a write just acknowledged.
    const late: Array<{ from: number; w: Promise<WatchStream> }> = [];
    let acked = 0;
    const started = Date.now();
    const acks = await writeLoad(api, base, {
      writers: 8,
      total: EVENTS,
      onAck: (a) => {
        if (a.rv !== undefined && ++acked % Math.ceil(EVENTS / 10) === 0)
          late.push({ from: a.rv, w: WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${a.rv}`) });
      },
    });
    const elapsed = Date.now() - started;
    const lastRV = Math.max(...acks.filter((a) => a.rv !== undefined).map((a) => a.rv!));
    const marker = await api.expect(201, 'POST', base, { body: configMap('marker', 'end') });
    const untilMarker = async (w: WatchStream) => {
      await w.nextMatching((e) => e.object?.metadata?.name === 'marker', 60_000);
      w.close();
      return w.received.filter((e) => e.object.metadata.name !== 'marker');
    };
    const sequences = await Promise.all(watchers.map(untilMarker));
    const reference = sequences[0]!;
    const history = assertExactly(reference, acks, 'watcher 0');
    assert.ok(rvOf(reference[reference.length - 1]!) >= lastRV);
    const show = (e: WatchEvent) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`;
    const ref = reference.map(show);
    for (const [i, s] of sequences.entries()) assert.deepEqual(s.map(show), ref, `watcher ${i}`);
    for (const [i, l] of late.entries()) {
      const w = await l.w;
      assert.equal(w.status, 200);
      assertSuffix(await untilMarker(w), history, l.from, `late watcher ${i} (from ${l.from})`);
    }
    assert.ok(Number(marker.metadata.resourceVersion) > lastRV);
    t.diagnostic(
      `${acks.length} writes in ${elapsed} ms (${Math.round((acks.length * 1000) / elapsed)}/s), ${WATCHERS} + ${late.length} watchers`,
    );
  });
});

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
    const api = new Api(server.url);
    const ns = 'resume';
    await api.createNamespace(ns);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const start = Number((await api.expect(200, 'GET', base)).metadata.resourceVersion);
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
  let server: InProcessServer;
  const sockets = new Set<Socket>();
  before(async () => {
    server = await startInProcess({ storageOptions: { watchBufferLimit: BUFFER } });
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
    const api = new Api(server.url);
    const ns = 'never-reads';
    await api.createNamespace(ns);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const from = Number((await api.expect(200, 'GET', base)).metadata.resourceVersion);
    const storage = server.storage as LevelStorage;
    const watchersBefore = storage.watcherCount();

    // The sleeper: a raw HTTP watch whose body is never read.
    const sleeperRes = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(`${server.url}${base}?watch=true&resourceVersion=${from}`, { agent: false }, resolve);
      req.on('error', reject);
    });
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

    // The sleeper, read at last: a gapless prefix of the sequence, then the end of the stream.
    const body = await new Promise<string>((resolve, reject) => {
      let text = '';
      sleeperRes.setEncoding('utf8');
      sleeperRes.on('data', (d: string) => (text += d));
      sleeperRes.on('end', () => resolve(text));
      sleeperRes.on('error', reject);
      sleeperRes.resume();
    });
    const events = body
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as WatchEvent);
    assert.ok(events.length < acks.length, `the sleeper was cut off (${events.length} of ${acks.length} events)`);
    const reference = readers[0]!.received;
    assert.deepEqual(
      events.map((e) => e.object.metadata.resourceVersion),
      reference.slice(0, events.length).map((e) => e.object.metadata.resourceVersion),
      'what the sleeper got is a prefix of the sequence',
    );
    await sleep(0);
  });
});
