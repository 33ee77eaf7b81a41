/**
 * Watch guarantees under load, against the history of acknowledged writes (the API server as a process):
 * - many watchers at a high event rate all see one and the same ordered sequence, with no gap: exactly the
 *   acknowledged writes, with their resourceVersions; watches started mid-way from an acknowledged
 *   resourceVersion see exactly the later part of it;
 * - watches joining mid-way without a resourceVersion (or with sendInitialEvents) see the state at one revision,
 *   then every later change; paginated lists taken during the writes are the state at their revision.
 *
 * Knobs: RELIABILITY_WATCHERS (default 50), RELIABILITY_WATCH_EVENTS (writes, default 600).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { Api, type Json } from '../helpers/http.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';
import { envInt } from '../helpers/knobs.js';
import { assertExactly, assertSuffix, configMap, findSnapshotSplit, writeLoad } from '../helpers/watch-history.js';

const WATCHERS = envInt('RELIABILITY_WATCHERS', 50);
const EVENTS = envInt('RELIABILITY_WATCH_EVENTS', 600);

describe('fan-out: many watchers at a high event rate', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ timeoutMs: 60_000 });
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
