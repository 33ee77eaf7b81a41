/**
 * The current objects of a store, in memory: a Map for point reads plus the keys in sorted order, kept as a
 * list of sorted chunks (at most CHUNK_MAX keys each) so an insert or delete is a binary search plus a splice
 * of one small chunk, whatever the number of keys, and a prefix list is a binary search plus a contiguous scan.
 * Keys compare as JS strings (UTF-16 code units), which for the ASCII keys Kubernetes uses is the same order as
 * LevelDB's bytes. Keys are also indexed by label value, so that a list selecting one value visits only its keys.
 */
import type { KubeObject } from '../../apimachinery/objects.js';

/** A current object and the revision of its last write (its `metadata.resourceVersion`). */
export interface Entry {
  readonly object: KubeObject;
  readonly modRevision: number;
  /** Serialized size (the watch cache's memory accounting). */
  readonly bytes?: number;
}

/** Consecutive keys of one chunk: `keys[from]` .. `keys[to - 1]`. */
export interface KeyRun {
  readonly keys: readonly string[];
  readonly from: number;
  readonly to: number;
}

const CHUNK_MAX = 512;

/** Whether two objects' labels are the same members with the same values (the label index holds the same keys). */
function sameLabels(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let n = 0;
  for (const name in a) {
    if (!Object.hasOwn(b, name) || a[name] !== b[name]) return false;
    n++;
  }
  for (const _ in b) if (--n < 0) return false;
  return true;
}

/** The sorted current state; mutated only when a committed batch is applied. */
export class KeyIndex {
  private readonly entries = new Map<string, Entry>();
  /** Non-empty sorted chunks; every key of chunk n sorts before every key of chunk n+1. */
  private chunks: string[][] = [];
  /**
   * `<label name>\0<value>` → the keys of the objects that have that label value. After a bulk load it is built on
   * first use (it reads every object, and a store's objects are parsed when first read), then kept current.
   */
  private byLabel: Map<string, Set<string>> | undefined = new Map();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Inserts or replaces the entry of `key`. A replacement whose labels are those of the entry it replaces (most
   * writes: a status, a spec, an annotation) leaves the label index as it is.
   */
  set(key: string, entry: Entry): void {
    const old = this.entries.get(key);
    this.entries.set(key, entry);
    if (!old) {
      this.insertKey(key);
      if (this.byLabel) this.label(this.byLabel, key, entry);
    } else if (this.byLabel && !sameLabels(old.object.metadata?.labels, entry.object.metadata?.labels)) {
      this.unlabel(this.byLabel, key, old);
      this.label(this.byLabel, key, entry);
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    if (this.byLabel) this.unlabel(this.byLabel, key, old);
    const [c, i] = this.locate(key);
    const chunk = this.chunks[c]!;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
  }

  /** Bulk load for opening a store: replaces everything with `items` (any order) in O(n log n). */
  load(items: Iterable<[string, Entry]>): void {
    this.entries.clear();
    for (const [key, entry] of items) this.entries.set(key, entry);
    // An empty load (a new store) keeps its index current from the start; a loaded one builds it on first use.
    this.byLabel = this.entries.size === 0 ? new Map() : undefined;
    const keys = [...this.entries.keys()].sort(compareKeys);
    this.chunks = [];
    for (let i = 0; i < keys.length; i += CHUNK_MAX / 2) this.chunks.push(keys.slice(i, i + CHUNK_MAX / 2));
  }

  /** The keys starting with `prefix`, in order, after `startAfter` (exclusive) when given. */
  *keys(prefix: string, startAfter?: string): Generator<string, void, undefined> {
    for (const run of this.runs(prefix, startAfter)) {
      for (let i = run.from; i < run.to; i++) yield run.keys[i]!;
    }
  }

  /**
   * The keys of {@link keys} as runs of a sorted chunk (`keys[from..to)`, valid until the index changes), so that a
   * list visits its keys in plain loops: one generator step per chunk rather than per key (the scan of a LIST of
   * 10,000 pods took half the CPU, ~1 ms instead of ~2 once optimized).
   */
  *runs(prefix: string, startAfter?: string): Generator<KeyRun, void, undefined> {
    let [c, i] = this.start(prefix, startAfter);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c]!;
      if (i >= chunk.length) continue;
      if (chunk[chunk.length - 1]!.startsWith(prefix)) {
        yield { keys: chunk, from: i, to: chunk.length };
        continue;
      }
      // The prefix range ends inside this chunk: its keys are a leading run of chunk[i..].
      const to = this.prefixEnd(chunk, i, prefix);
      if (to > i) yield { keys: chunk, from: i, to };
      return;
    }
  }

  /**
   * The keys starting with `prefix` (after `startAfter` when given) whose object has label `name` = `value`, in
   * order; undefined when that is not much less than a scan of the prefix would visit (it then sorts nothing).
   */
  keysWithLabel(prefix: string, name: string, value: string, startAfter?: string): string[] | undefined {
    const keys = this.labels().get(labelKey(name, value));
    if (!keys) return [];
    if (keys.size * 8 > this.entries.size) return undefined;
    const out: string[] = [];
    for (const key of keys) {
      if (key.startsWith(prefix) && (startAfter === undefined || key > startAfter)) out.push(key);
    }
    return out.sort(compareKeys);
  }

  /** How many keys start with `prefix` and sort after `after`. */
  countAfter(prefix: string, after: string): number {
    let [c, i] = this.start(prefix, after);
    let n = 0;
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c]!;
      if (chunk[chunk.length - 1]!.startsWith(prefix)) {
        n += chunk.length - i;
        continue;
      }
      // The prefix range ends inside this chunk: its keys are a leading run of chunk[i..].
      return n + (this.prefixEnd(chunk, i, prefix) - i);
    }
    return n;
  }

  /** The end of the run of keys starting with `prefix` that begins at `chunk[from]` (or is empty). */
  private prefixEnd(chunk: readonly string[], from: number, prefix: string): number {
    let lo = from;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The position of the first key >= prefix and > startAfter. */
  private start(prefix: string, startAfter: string | undefined): [number, number] {
    if (startAfter === undefined || startAfter < prefix) return this.locate(prefix);
    const at = this.locate(startAfter);
    const chunk = this.chunks[at[0]];
    if (chunk && chunk[at[1]] === startAfter) return at[1] + 1 < chunk.length ? [at[0], at[1] + 1] : [at[0] + 1, 0];
    return at;
  }

  /** The position (chunk, offset) of the first key >= `key`; [chunks.length, 0] past the end. */
  private locate(key: string): [number, number] {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid]!;
      if (chunk[chunk.length - 1]! < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return [lo, 0];
    const chunk = this.chunks[lo]!;
    let i = 0;
    let j = chunk.length;
    while (i < j) {
      const mid = (i + j) >>> 1;
      if (chunk[mid]! < key) i = mid + 1;
      else j = mid;
    }
    return [lo, i];
  }

  /** The label index, built now if it was not. */
  private labels(): Map<string, Set<string>> {
    if (!this.byLabel) {
      const byLabel = new Map<string, Set<string>>();
      for (const [key, entry] of this.entries) this.label(byLabel, key, entry);
      this.byLabel = byLabel;
    }
    return this.byLabel;
  }

  private label(byLabel: Map<string, Set<string>>, key: string, entry: Entry): void {
    const labels = entry.object.metadata?.labels;
    if (!labels) return;
    for (const [name, value] of Object.entries(labels)) {
      if (typeof value !== 'string') continue;
      const k = labelKey(name, value);
      let keys = byLabel.get(k);
      if (!keys) byLabel.set(k, (keys = new Set()));
      keys.add(key);
    }
  }

  private unlabel(byLabel: Map<string, Set<string>>, key: string, entry: Entry): void {
    const labels = entry.object.metadata?.labels;
    if (!labels) return;
    for (const [name, value] of Object.entries(labels)) {
      if (typeof value !== 'string') continue;
      const k = labelKey(name, value);
      const keys = byLabel.get(k);
      if (keys?.delete(key) && keys.size === 0) byLabel.delete(k);
    }
  }

  private insertKey(key: string): void {
    let [c, i] = this.locate(key);
    if (c === this.chunks.length) {
      if (c === 0) {
        this.chunks.push([key]);
        return;
      }
      c--;
      i = this.chunks[c]!.length;
    }
    const chunk = this.chunks[c]!;
    if (i === chunk.length) chunk.push(key);
    else chunk.splice(i, 0, key);
    if (chunk.length > CHUNK_MAX) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK_MAX / 2));
  }
}

function labelKey(name: string, value: string): string {
  return `${name}\0${value}`;
}

/** The key order of every index and list. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
