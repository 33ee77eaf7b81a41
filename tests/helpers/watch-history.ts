/**
 * Write loads and their acknowledged history, and checks of watch streams against that history: the oracle of
 * the watch guarantee tests (tests/reliability/watch-*.test.ts).
 */
import assert from 'node:assert/strict';
import type { Api, Json } from './http.js';
import { rvOf, type WatchEvent } from './watch.js';

/** One acknowledged write: its type as a watch shows it, the object's name, and (but for deletes) its rv. */
export interface Ack {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  rv?: number;
}

export const configMap = (name: string, value: string, rv?: string): Json => ({
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
export async function writeLoad(
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
export function assertExactly(seen: readonly WatchEvent[], acks: readonly Ack[], what: string): Required<Ack>[] {
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
export function assertSuffix(
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

/**
 * Where the initial ADDED events of a watch without a resourceVersion end: a position whose events so far are
 * exactly the state at the revision just before the next event, and whose following events are exactly the
 * history after it. Throws when there is none (a gap, a repeat, or an initial state that never existed).
 */
export function findSnapshotSplit(
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
