/**
 * Crash safety of the API server, as users run it (a separate process): several clients create, update (PUT and
 * merge patch, both with a resourceVersion precondition) and delete ConfigMaps concurrently; the server is
 * SIGKILLed at a random moment, restarted on the same data directory, and that over several rounds. After every
 * restart:
 * - every acknowledged write is there, with its content; a write in flight at the kill either happened entirely
 *   or not at all (every field of an object carries the id of one write, its payload intact);
 * - resourceVersions keep growing: the list's revision covers everything seen, new writes get larger ones;
 * - a watch resumed from the last resourceVersion the previous watch saw neither repeats nor skips: over all
 *   rounds the watch streams, concatenated, carry strictly increasing resourceVersions and, per object, exactly
 *   the writes that happened (acknowledged ones with the resourceVersions they were acknowledged with, plus the
 *   in-flight ones the restart shows happened); a watch with a label selector, resumed the same way, sees
 *   exactly what the selector makes of that (objects entering it ADDED, leaving it DELETED).
 *
 * Knobs: RELIABILITY_ROUNDS (kills, default 4), RELIABILITY_CRASH_CLIENTS (default 8).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { Api, sleep, type Json } from '../helpers/http.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';
import { tempDir } from '../helpers/tmp.js';
import { envInt } from '../helpers/knobs.js';
import { eventually } from '../helpers/kubectl.js';

const ROUNDS = envInt('RELIABILITY_ROUNDS', 4);
const CLIENTS = envInt('RELIABILITY_CRASH_CLIENTS', 8);
const OBJECTS_PER_CLIENT = 4;
/** Acknowledged writes a round waits for before the kill lands (at a random moment up to KILL_WITHIN_MS later). */
const MIN_ACKS_PER_ROUND = 20;
const KILL_WITHIN_MS = 1500;
const NS = 'crash';

/** One write as a client issued it, in the order that client issued them. */
interface Write {
  id: string;
  kind: 'create' | 'update' | 'delete';
  name: string;
  /** For deletes: the id of the state deleted. */
  prevId?: string;
  /** 'acked': answered with success; 'lost': no answer (in flight at a kill), resolved at the next restart. */
  status: 'acked' | 'lost' | 'applied' | 'not-applied';
  /** The resourceVersion of the answer (creates and updates). */
  rv?: number;
}

/** What a client believes of one of its objects: absent, or its write id and resourceVersion. */
interface Known {
  id: string;
  rv: string;
}

/** A label that half of the writes set to even: a label-selector watch sees objects enter and leave it. */
const parity = (id: string): string => (/[02468]$/.test(id) ? 'even' : 'odd');
const SELECTOR = 'parity=even';
const payload = (id: string): string => `${id}:`.repeat(Math.ceil(800 / (id.length + 1)));
function configMap(name: string, id: string, rv?: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      labels: { write: id, parity: parity(id) },
      annotations: { write: id },
      ...(rv ? { resourceVersion: rv } : {}),
    },
    data: { write: id, payload: payload(id) },
  };
}

/** The id of the write an object's content comes from; throws when its fields disagree (a torn write). */
function writeIdOf(obj: Json): string {
  const id = obj.data?.write;
  const parts = [obj.metadata?.labels?.write, obj.metadata?.annotations?.write, id];
  if (typeof id !== 'string' || parts.some((p) => p !== id) || obj.data?.payload !== payload(id))
    throw new Error(`${obj.metadata?.name}: fields from different writes (torn write): ${JSON.stringify(parts)}`);
  return id;
}

describe('SIGKILL of the API server during concurrent creates, updates and deletes', () => {
  const dir = tempDir('kube-emu-crash-');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill();
    dir.remove();
  });

  it(`${ROUNDS} rounds: nothing acknowledged lost, nothing half applied, revisions grow, resumed watches exact`, async (t) => {
    const writes: Write[] = [];
    const known = new Map<string, Known | undefined>();
    const names: string[][] = Array.from({ length: CLIENTS }, (_, c) =>
      Array.from({ length: OBJECTS_PER_CLIENT }, (_, i) => `obj-${c}-${i}`),
    );
    const stream: WatchEvent[] = [];
    let maxSeen = 0;
    let lastWatched = 0;
    /** The events of a watch with a label selector, resumed the same way. */
    const filtered: WatchEvent[] = [];
    let lastFiltered = 0;
    const filteredQuery = (rv: number) =>
      `watch=true&labelSelector=${encodeURIComponent(SELECTOR)}&resourceVersion=${rv}`;
    let nextId = 0;
    let totalAcked = 0;
    let totalLost = 0;
    const base = `/api/v1/namespaces/${NS}/configmaps`;

    for (let round = 0; round <= ROUNDS; round++) {
      const startedAt = Date.now();
      server = await startServerProcess({ dataDir: dir.path, timeoutMs: 60_000 });
      const startMs = Date.now() - startedAt;
      const api = new Api(server.url);
      if (round === 0) {
        await api.createNamespace(NS);
        lastWatched = Number((await api.expect(200, 'GET', base)).metadata.resourceVersion);
        lastFiltered = lastWatched;
      } else {
        // What survived: every acknowledged write, each in-flight one entirely or not at all.
        const list = await api.expect(200, 'GET', base);
        const listRV = Number(list.metadata.resourceVersion);
        assert.ok(listRV >= maxSeen, `round ${round}: list revision ${listRV} < ${maxSeen} seen before the kill`);
        const stored = new Map<string, Json>(list.items.map((o: Json) => [o.metadata.name, o]));
        for (const name of names.flat()) {
          const obj = stored.get(name);
          const id = obj ? writeIdOf(obj) : undefined;
          const lost = writes.find((w) => w.name === name && w.status === 'lost');
          const before = known.get(name);
          if (lost) {
            const afterLost = lost.kind === 'delete' ? undefined : lost.id;
            if (id === afterLost && id !== before?.id) lost.status = 'applied';
            else if (id === before?.id) lost.status = 'not-applied';
            else
              assert.fail(
                `round ${round}: ${name} is ${id ?? 'absent'}, neither the acknowledged ${before?.id ?? 'absence'} nor the result of the write in flight (${lost.kind} ${lost.id})`,
              );
          } else {
            assert.equal(id, before?.id, `round ${round}: ${name} lost its acknowledged state`);
            if (obj) assert.equal(obj.metadata.resourceVersion, before!.rv, `round ${round}: ${name} resourceVersion`);
          }
          known.set(name, obj ? { id: id!, rv: obj.metadata.resourceVersion } : undefined);
        }
        const extra = [...stored.keys()].filter((n) => !known.has(n));
        assert.deepEqual(extra, [], 'objects nobody created');
        maxSeen = Math.max(maxSeen, listRV);
      }
      if (round === ROUNDS) {
        // the last restart: resume the watch over what the last round wrote, then stop
        const resumed = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${lastWatched}`);
        const resumedFiltered = await WatchStream.open(`${server.url}${base}?${filteredQuery(lastFiltered)}`);
        assert.equal(resumed.status, 200);
        assert.equal(resumedFiltered.status, 200);
        const marker = await api.expect(201, 'POST', base, { body: configMap('marker', 'm0') });
        assert.ok(Number(marker.metadata.resourceVersion) > maxSeen, 'a new write after the restart gets a larger RV');
        for (const [w, into] of [
          [resumed, stream],
          [resumedFiltered, filtered],
        ] as const) {
          await w.nextMatching((e) => e.object?.metadata?.name === 'marker', 30_000);
          w.close();
          into.push(...w.received.filter((e) => e.object?.metadata?.name !== 'marker'));
        }
        break;
      }

      // A watch resumed from the last resourceVersion the previous round's watch saw.
      const watch = await WatchStream.open(`${server.url}${base}?watch=true&resourceVersion=${lastWatched}`);
      assert.equal(watch.status, 200, `round ${round}: resuming the watch at ${lastWatched}`);
      const filteredWatch = await WatchStream.open(`${server.url}${base}?${filteredQuery(lastFiltered)}`);
      assert.equal(filteredWatch.status, 200, `round ${round}: resuming the ${SELECTOR} watch at ${lastFiltered}`);
      const floor = maxSeen;
      let acked = 0;
      let stop = false;
      let reachedMin: () => void = () => {};
      const enough = new Promise<void>((r) => (reachedMin = r));
      const ack = (w: Write, rv?: number) => {
        w.status = 'acked';
        w.rv = rv;
        if (rv !== undefined) {
          assert.ok(rv > floor, `round ${round}: ${w.kind} of ${w.name} got rv ${rv}, not above ${floor} seen before`);
          maxSeen = Math.max(maxSeen, rv);
        }
        if (++acked === MIN_ACKS_PER_ROUND) reachedMin();
      };
      const clients = names.map(async (mine, c) => {
        let seed = round * 1000 + c + 1;
        const random = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        while (!stop) {
          const name = mine[random(mine.length)]!;
          const cur = known.get(name);
          const id = `w${nextId++}`;
          const kind = !cur ? 'create' : random(10) < 7 ? 'update' : 'delete';
          const w: Write = { id, kind, name, status: 'lost', prevId: cur?.id };
          writes.push(w);
          let res;
          try {
            if (kind === 'create') res = await api.post(base, configMap(name, id));
            else if (kind === 'update' && random(2) === 0)
              res = await api.put(`${base}/${name}`, configMap(name, id, cur!.rv));
            else if (kind === 'update') {
              const patch = configMap(name, id, cur!.rv);
              res = await api.patch(`${base}/${name}`, { metadata: patch.metadata, data: patch.data });
            } else res = await api.delete(`${base}/${name}`, { preconditions: { resourceVersion: cur!.rv } });
          } catch {
            return; // cut off by the kill: the write stays 'lost' until the restart shows what happened
          }
          const expected = kind === 'create' ? 201 : 200;
          if (res.status !== expected)
            throw new Error(`round ${round}: ${kind} ${name}: ${res.status} ${res.text.slice(0, 300)}`);
          if (kind === 'delete') {
            known.set(name, undefined);
            ack(w);
          } else {
            assert.equal(writeIdOf(res.body), id);
            known.set(name, { id, rv: res.body.metadata.resourceVersion });
            ack(w, Number(res.body.metadata.resourceVersion));
          }
        }
      });
      await enough;
      await sleep(Math.floor(Math.random() * KILL_WITHIN_MS));
      await server.kill();
      stop = true;
      await Promise.all(clients);
      await watch.ended;
      stream.push(...watch.received);
      for (const e of watch.received) maxSeen = Math.max(maxSeen, rvOf(e));
      if (watch.received.length > 0) lastWatched = rvOf(watch.received[watch.received.length - 1]!);
      await filteredWatch.ended;
      filtered.push(...filteredWatch.received);
      if (filteredWatch.received.length > 0)
        lastFiltered = rvOf(filteredWatch.received[filteredWatch.received.length - 1]!);
      const lost = writes.filter((w) => w.status === 'lost').length;
      totalAcked += acked;
      totalLost += lost;
      t.diagnostic(
        `round ${round}: started in ${startMs} ms, ${acked} writes acknowledged, ${lost} in flight at the kill, watch at ${lastWatched}`,
      );
    }

    // The watch streams of all rounds, end to end: increasing revisions, and per object exactly what happened.
    for (let i = 1; i < stream.length; i++)
      assert.ok(
        rvOf(stream[i]!) > rvOf(stream[i - 1]!),
        `watch: rv ${rvOf(stream[i]!)} after ${rvOf(stream[i - 1]!)} (repeat or reorder)`,
      );
    const show = (e: WatchEvent) => `${e.type} ${e.object.data?.write}`;
    for (const name of names.flat()) {
      const happened = writes.filter((w) => w.name === name && (w.status === 'acked' || w.status === 'applied'));
      const expected = happened.map((w) =>
        w.kind === 'delete' ? `DELETED ${w.prevId}` : `${w.kind === 'create' ? 'ADDED' : 'MODIFIED'} ${w.id}`,
      );
      const seen = stream.filter((e) => e.object.metadata.name === name);
      assert.deepEqual(seen.map(show), expected, `watch events of ${name}`);
      for (const [i, w] of happened.entries())
        if (w.status === 'acked' && w.rv !== undefined)
          assert.equal(rvOf(seen[i]!), w.rv, `${name}: the event of ${w.id} carries its acknowledged rv`);
    }
    // The label-selector watch: what the selector makes of the full stream, as kube-apiserver's cacher does (an
    // object entering it is ADDED, leaving it DELETED with its previous content at the change's rv).
    const matches = (o: Json | undefined) => o?.metadata?.labels?.parity === 'even';
    const lastState = new Map<string, Json>();
    const expectedFiltered: string[] = [];
    for (const e of stream) {
      const name = e.object.metadata.name as string;
      const prev = lastState.get(name);
      const cur = e.type === 'DELETED' ? undefined : e.object;
      if (cur) lastState.set(name, cur);
      else lastState.delete(name);
      const rv = rvOf(e);
      if (matches(cur) && matches(prev)) expectedFiltered.push(`MODIFIED ${name} ${cur.data.write}@${rv}`);
      else if (matches(cur)) expectedFiltered.push(`ADDED ${name} ${cur.data.write}@${rv}`);
      else if (matches(prev)) expectedFiltered.push(`DELETED ${name} ${prev.data.write}@${rv}`);
    }
    assert.deepEqual(
      filtered.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.write}@${rvOf(e)}`),
      expectedFiltered,
      `the ${SELECTOR} watch, resumed after every restart`,
    );
    const applied = writes.filter((w) => w.status === 'applied').length;
    t.diagnostic(
      `${totalAcked} writes acknowledged, ${totalLost} in flight at kills (${applied} of them happened), ${stream.length} watch events, ${filtered.length} through ${SELECTOR}`,
    );
  });

  it('a namespace deletion cut short by a kill finishes after the restart', async (t) => {
    const nsDir = tempDir('kube-emu-crash-ns-');
    let s: ServerProcess | undefined;
    try {
      s = await startServerProcess({ dataDir: nsDir.path, timeoutMs: 60_000 });
      let api = new Api(s.url);
      await api.createNamespace('doomed');
      const doomed = '/api/v1/namespaces/doomed/configmaps';
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = w; i < 80; i += 8) await api.expect(201, 'POST', doomed, { body: configMap(`c${i}`, `w${i}`) });
        }),
      );
      await api.expect(200, 'DELETE', '/api/v1/namespaces/doomed');
      await sleep(Math.floor(Math.random() * 50));
      await s.kill();
      s = await startServerProcess({ dataDir: nsDir.path, timeoutMs: 60_000 });
      api = new Api(s.url);
      const atRestart = await api.get(doomed);
      t.diagnostic(`at the restart: ${atRestart.body.items?.length ?? 0} of 80 ConfigMaps left`);
      await eventually(async () => (await api.get('/api/v1/namespaces/doomed')).status === 404, {
        timeoutMs: 30_000,
        what: 'the namespace to be gone',
      });
      const left = await api.expect(200, 'GET', doomed);
      assert.deepEqual(left.items, [], 'nothing is left in the deleted namespace');
      // and the name can be used again
      await api.createNamespace('doomed');
    } finally {
      await s?.kill();
      nsDir.remove();
    }
  });
});
