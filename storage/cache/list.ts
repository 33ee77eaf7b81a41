/**
 * Range reads over the in-memory state at the current or an older revision. The state at an older revision R
 * is the current state with the retained events after R undone: a key's value at R is the `prevObject` of its
 * first event after R (absent when that event is an ADDED); keys without events after R are unchanged.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import type { ListOptions, ListResult, StoredEvent } from '../interface.js';
import type { History } from './history.js';
import { compareKeys, type KeyIndex } from './key-index.js';

/**
 * Lists `prefix` at `revision`, which the caller has checked lies in [compacted revision, `committed`] (so the
 * history holds every event after it). Runs synchronously: it sees one consistent state.
 */
export function listAt(
  index: KeyIndex,
  history: History,
  prefix: string,
  revision: number,
  committed: number,
  opts: ListOptions = {},
): ListResult {
  const startAfter = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : Infinity;
  const filter = opts.filter;
  const changed = revision < committed ? changesAfter(history, prefix, revision, startAfter) : undefined;
  if (!changed && filter && opts.labelEquals) {
    const [name, value] = opts.labelEquals;
    const keys = index.keysWithLabel(prefix, name, value, startAfter);
    if (keys) return listKeys(index, prefix, revision, keys, limit, filter);
  }
  // Keys that exist at `revision` but not any more: merged into the scan of the current keys.
  const gone: string[] = [];
  if (changed) {
    for (const [key, ev] of changed) if (ev.type !== 'ADDED' && !index.has(key)) gone.push(key);
    gone.sort(compareKeys);
  }
  let g = 0;
  const items: KubeObject[] = [];
  /** Lists `key` when it exists at `revision` and is selected; true once the page is full. */
  const visit = (key: string): boolean => {
    const ev = changed?.get(key);
    const obj = ev ? (ev.type === 'ADDED' ? undefined : ev.prevObject) : index.get(key)?.object;
    if (obj === undefined || (filter && !filter(obj))) return false;
    items.push(obj);
    return items.length >= limit;
  };
  let full: string | undefined;
  // Plain loops over runs of keys (see KeyIndex.runs): a full LIST visits every key under the prefix.
  scan: for (const run of index.runs(prefix, startAfter)) {
    const { keys, to } = run;
    for (let i = run.from; i < to; i++) {
      const key = keys[i]!;
      while (g < gone.length && gone[g]! < key) {
        if (visit(gone[g]!)) {
          full = gone[g];
          break scan;
        }
        g++;
      }
      if (visit(key)) {
        full = key;
        break scan;
      }
    }
  }
  for (; full === undefined && g < gone.length; g++) if (visit(gone[g]!)) full = gone[g];
  if (full !== undefined) {
    const remaining = remainingAfter(index, prefix, changed, full);
    if (remaining > 0) {
      return filter
        ? { items, revision, nextKey: full }
        : { items, revision, nextKey: full, remainingItemCount: remaining };
    }
  }
  return { items, revision };
}

/** {@link listAt} at the current revision over `keys` (in order): the keys of a label value, for a selector. */
function listKeys(
  index: KeyIndex,
  prefix: string,
  revision: number,
  keys: readonly string[],
  limit: number,
  filter: (obj: KubeObject) => boolean,
): ListResult {
  const items: KubeObject[] = [];
  for (const key of keys) {
    const obj = index.get(key)!.object;
    if (!filter(obj)) continue;
    items.push(obj);
    if (items.length >= limit) {
      // As a scan: a next key whenever any key (kept or not) follows under the prefix.
      if (remainingAfter(index, prefix, undefined, key) === 0) break;
      return { items, revision, nextKey: key };
    }
  }
  return { items, revision };
}

/** The first event after `revision` of every key under `prefix` (after `startAfter`). */
function changesAfter(
  history: History,
  prefix: string,
  revision: number,
  startAfter: string | undefined,
): Map<string, StoredEvent> {
  const changed = new Map<string, StoredEvent>();
  for (const ev of history.after(revision)) {
    if (!ev.key.startsWith(prefix) || (startAfter !== undefined && ev.key <= startAfter)) continue;
    if (!changed.has(ev.key)) changed.set(ev.key, ev);
  }
  return changed;
}

/** How many keys under the prefix exist (at the listed revision) after `key`. */
function remainingAfter(
  index: KeyIndex,
  prefix: string,
  changed: Map<string, StoredEvent> | undefined,
  key: string,
): number {
  let remaining = index.countAfter(prefix, key);
  if (changed) {
    for (const [k, ev] of changed) {
      if (k <= key) continue;
      const existedThen = ev.type !== 'ADDED';
      const existsNow = index.has(k);
      if (existsNow && !existedThen) remaining--;
      else if (!existsNow && existedThen) remaining++;
    }
  }
  return remaining;
}
