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

  it('during the writes, watches without a resourceVersion and paginated lists see consistent snapshots', async (t) => {
    const api = new Api(server.url);
    const ns = 'snapshots';
    await api.createNamespace(ns);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const from = Number((await api.expect(200, 'GET', base)).metadata.resourceVersion);
    const reference = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${from}`);
    let writing = true;
    // Paginated lists (5 per page) all through the writes: each one, pages joined, is the state at its revision.
    const lists: Array<{ rv: number; items: string[] }> = [];
    const lister = (async () => {
      while (writing) {
        const items: string[] = [];
        let cont = '';
        let rv = 0;
        do {
          const page = await api.expect(
            200,
            'GET',
            `${base}?limit=5${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
          );
          if (rv === 0) rv = Number(page.metadata.resourceVersion);
          else assert.equal(Number(page.metadata.resourceVersion), rv, 'every page is read at the first page revision');
          for (const o of page.items as Json[]) items.push(`${o.metadata.name}@${o.metadata.resourceVersion}`);
          cont = page.metadata.continue ?? '';
        } while (cont);
        lists.push({ rv, items: items.sort() });
      }
    })();
    // Watches joining without a resourceVersion (ADDED for what exists, then changes), and with
    // sendInitialEvents (the same, then a bookmark naming the revision of the initial state).
    const joiners: Array<Promise<WatchStream>> = [];
    let acked = 0;
    const acks = await writeLoad(api, base, {
      writers: 6,
      total: Math.ceil(EVENTS / 2),
      onAck: () => {
        if (++acked % Math.ceil(EVENTS / 20) !== 0) return;
        const initialEvents = joiners.length % 2 === 1;
        joiners.push(
          WatchStream.open(
            `${server.url}${base}?watch=true${initialEvents ? '&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true' : ''}`,
          ),
        );
      },
    });
    writing = false;
    await lister;
    await api.expect(201, 'POST', base, { body: configMap('marker', 'end') });
    const untilMarker = async (w: WatchStream) => {
      await w.nextMatching((e) => e.object?.metadata?.name === 'marker', 60_000);
      w.close();
      return w.received.filter((e) => e.object.metadata.name !== 'marker');
    };
    const history = assertExactly(await untilMarker(reference), acks, 'the reference watch');
    /** The objects (name@rv, sorted) at revision `rv`, from the history. */
    const stateAt = (rv: number): string[] => {
      const live = new Map<string, number>();
      for (const a of history) {
        if (a.rv > rv) break;
        if (a.type === 'DELETED') live.delete(a.name);
        else live.set(a.name, a.rv);
      }
      return [...live].map(([n, r]) => `${n}@${r}`).sort();
    };
    for (const l of lists) assert.deepEqual(l.items, stateAt(l.rv), `a paginated list at ${l.rv}`);

    for (const [i, p] of joiners.entries()) {
      const w = await p;
      assert.equal(w.status, 200);
      const seen = await untilMarker(w);
      const bookmark = seen.findIndex((e) => e.type === 'BOOKMARK');
      let initial: WatchEvent[];
      let rest: WatchEvent[];
      let at: number;
      if (i % 2 === 1) {
        assert.ok(bookmark >= 0, `joiner ${i}: the bookmark ending the initial events`);
        assert.equal(seen[bookmark]!.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
        initial = seen.slice(0, bookmark);
        rest = seen.slice(bookmark + 1).filter((e) => e.type !== 'BOOKMARK');
        at = rvOf(seen[bookmark]!);
      } else {
        // the initial ADDED events are the state at some revision; the changes follow it without a gap
        const split = findSnapshotSplit(seen, stateAt, history);
        initial = seen.slice(0, split);
        rest = seen.slice(split);
        at = rest.length > 0 ? rvOf(rest[0]!) - 1 : Number.MAX_SAFE_INTEGER;
      }
      assert.ok(
        initial.every((e) => e.type === 'ADDED'),
        `joiner ${i}: initial events are ADDED`,
      );
      assert.deepEqual(
        initial.map((e) => `${e.object.metadata.name}@${e.object.metadata.resourceVersion}`).sort(),
        stateAt(at),
        `joiner ${i}: the initial events are the state at ${at}`,
      );
      assertSuffix(rest, history, at, `joiner ${i}: the changes after ${at}`);
    }
    t.diagnostic(`${lists.length} paginated lists, ${joiners.length} joining watches`);
  });
});

/**
 * Where the initial ADDED events of a watch without a resourceVersion end: a position whose events so far are
 * exactly the state at the revision just before the next event, and whose following events are exactly the
 * history after it. Throws when there is none (a gap, a repeat, or an initial state that never existed).
 */
function findSnapshotSplit(
  seen: readonly WatchEvent[],
  stateAt: (rv: number) => string[],
  history: readonly Required<Ack>[],
): number {
  const show = (e: WatchEvent) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`;
  const names: string[] = [];
  for (let j = 0; j <= seen.length; j++) {
    const at = j < seen.length ? rvOf(seen[j]!) - 1 : Number.MAX_SAFE_INTEGER;
    const want = stateAt(at);
    const sorted = [...names].sort();
    if (sorted.length === want.length && sorted.every((x, k) => x === want[k])) {
      const rest = seen.slice(j).map(show);
      const later = history.filter((a) => a.rv > at).map((a) => `${a.type} ${a.name}@${a.rv}`);
      if (rest.length === later.length && rest.every((x, k) => x === later[k])) return j;
    }
    if (j === seen.length || seen[j]!.type !== 'ADDED') break;
    names.push(`${seen[j]!.object.metadata.name}@${seen[j]!.object.metadata.resourceVersion}`);
  }
  throw new Error(
    `the watch is not a state at some revision followed by every later change: ${seen.slice(0, 12).map(show).join(', ')}`,
  );
}
