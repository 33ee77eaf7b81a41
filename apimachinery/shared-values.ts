/**
 * Deep freezing of parsed JSON objects that a process keeps for long (the API server's stored objects, the
 * controller manager's informer caches) in less memory: thousands of pods repeat the same strings (images,
 * toleration keys, timestamps of one second) and the same subtrees (tolerations, resources, owner references,
 * labels), which each JSON.parse makes again. A {@link ValueSharing} replaces them with one shared instance each.
 */

/** The one frozen `{}` that every empty object of a shared-frozen value is: frozen, one instance serves them all. */
export const EMPTY_OBJECT: object = Object.freeze({});

export interface ValueSharingOptions {
  /** Members whose (object or array) values are looked up by their JSON text and shared. */
  members: Iterable<string>;
  /** Members whose array values have each of their object elements looked up and shared (e.g. `conditions`). */
  elementsOf?: Iterable<string>;
  /** Strings the pool holds at most before it starts over (default 8192). */
  maxPooledStrings?: number;
  /** The longest string value pooled (default 64 characters). */
  maxPooledChars?: number;
  /** The longest JSON text of a subtree looked up (default 4096 characters). */
  maxSharedText?: number;
  /** Characters of JSON text the subtree table holds at most before it starts over (default 1 MiB). */
  maxSharedChars?: number;
}

/**
 * Deep freezing with sharing: every empty object becomes {@link EMPTY_OBJECT}; string values longer than 10
 * characters (V8 already shares the shorter ones JSON.parse makes) and at most `maxPooledChars` come from a
 * string pool; the values of the named members (and the elements of the `elementsOf` ones) come from a table of
 * frozen subtrees keyed by their JSON text, when that text is at most `maxSharedText` characters. Only the named
 * members are looked up: serializing every subtree to find the repeated ones costs far more than it saves.
 * Bounded: the pool starts over once it holds `maxPooledStrings` strings, the table once its texts hold
 * `maxSharedChars` characters (the values every object repeats come back with the next object).
 */
export class ValueSharing {
  private readonly pool = new Map<string, string>();
  private readonly trees = new Map<string, object>();
  /** The subtrees the table holds or held: taken as they are without a lookup. */
  private readonly instances = new WeakSet<object>();
  private treeChars = 0;
  private readonly members: ReadonlySet<string>;
  /** Undefined when none is named (the common case costs no lookup per member). */
  private readonly elementsOf: ReadonlySet<string> | undefined;
  private readonly maxPooledStrings: number;
  private readonly maxPooledChars: number;
  private readonly maxSharedText: number;
  private readonly maxSharedChars: number;

  constructor(opts: ValueSharingOptions) {
    this.members = new Set(opts.members);
    const elementsOf = new Set(opts.elementsOf ?? []);
    this.elementsOf = elementsOf.size > 0 ? elementsOf : undefined;
    this.maxPooledStrings = opts.maxPooledStrings ?? 8192;
    this.maxPooledChars = opts.maxPooledChars ?? 64;
    this.maxSharedText = opts.maxSharedText ?? 4096;
    this.maxSharedChars = opts.maxSharedChars ?? 1 << 20;
  }

  /**
   * Deeply freezes `value`, a JSON value just parsed that nothing else references yet (what `deepFreeze` does),
   * with its members replaced by their shared forms; `value` itself is kept. Frozen members are taken as they are.
   *
   * `previous`, a version of the same object this sharing froze before (an informer's cached copy that `value`
   * replaces): each member equal to the previous version's member at the same path (same text, same members in the
   * same order) becomes that member, so a new version holds only what changed, and the strings and subtrees other
   * structures took from the previous version stay one instance. Such members are taken without a lookup.
   */
  freeze<T>(value: T, previous?: unknown): T {
    if (value !== null && typeof value === 'object' && !Object.isFrozen(value))
      this.freezeMembers(value as object, false, previous);
    return value;
  }

  /** The pooled instance of a string of `s`'s text (`s` itself when it is out of the pooled range or new). */
  string(s: string): string {
    if (s.length <= 10 || s.length > this.maxPooledChars) return s;
    const known = this.pool.get(s);
    if (known !== undefined) return known;
    if (this.pool.size >= this.maxPooledStrings) this.pool.clear();
    this.pool.set(s, s);
    return s;
  }

  /**
   * Freezes `obj` with its members replaced by their shared forms. A string is written back whatever the pool (or
   * the previous version) gave: `!==` cannot tell two strings of equal text apart, and the point is to store theirs.
   * `shareElements`: `obj` is an array whose object elements are shared too. `prev`: the previous version's value at
   * this path (see {@link freeze}); returns whether `obj` now equals it member for member (then the caller takes
   * `prev` instead).
   */
  private freezeMembers(obj: object, shareElements: boolean, prev: unknown): boolean {
    let same = false;
    if (Array.isArray(obj)) {
      const p = Array.isArray(prev) ? (prev as unknown[]) : undefined;
      same = p !== undefined && p.length === obj.length;
      for (let i = 0; i < obj.length; i++) {
        const v = obj[i];
        const pv = p?.[i];
        const m =
          shareElements && v !== null && typeof v === 'object'
            ? this.sharedValue(v, false, pv)
            : this.member(v, false, pv);
        if (m !== v || typeof v === 'string') obj[i] = m;
        if (same && m !== pv) same = false;
      }
    } else {
      const record = obj as Record<string, unknown>;
      const p =
        prev !== null && typeof prev === 'object' && !Array.isArray(prev)
          ? (prev as Record<string, unknown>)
          : undefined;
      same = p !== undefined;
      let count = 0;
      for (const key in record) {
        count++;
        const v = record[key];
        // an own member (`__proto__` included: JSON.parse made it one), which the previous version's read must be too
        const pv = p === undefined || key === '__proto__' ? undefined : p[key];
        const shareElements = this.elementsOf !== undefined && this.elementsOf.has(key);
        const m =
          v !== null && typeof v === 'object' && this.members.has(key)
            ? this.sharedValue(v, shareElements, pv)
            : this.member(v, shareElements, pv);
        if (m !== v || typeof v === 'string') record[key] = m;
        if (same && (m !== pv || pv === undefined)) same = false;
      }
      if (same) same = sameKeyOrder(record, p!, count);
    }
    Object.freeze(obj);
    return same;
  }

  /**
   * The shared form of `v`, the value of a member (or an element) whose values are shared: the previous version's
   * when equal (see {@link freeze}); else looked up by its text before it is frozen, so that a value the table knows
   * (most of them: every pod's tolerations and resources, a manager's fieldsV1) is taken without walking and
   * freezing the one just parsed only to drop it.
   */
  private sharedValue(v: object, shareElements: boolean, prev: unknown): unknown {
    if (Object.isFrozen(v)) return v === EMPTY_OBJECT ? v : this.shared(v);
    if (prev !== null && typeof prev === 'object' && Array.isArray(prev) === Array.isArray(v)) {
      const m = this.member(v, shareElements, prev);
      return m === prev || m === EMPTY_OBJECT ? m : this.shared(m as object);
    }
    const text = JSON.stringify(v);
    if (text !== '{}' && text.length <= this.maxSharedText) {
      const known = this.trees.get(text);
      if (known !== undefined) return known;
    }
    const m = this.member(v, shareElements, undefined);
    return m === EMPTY_OBJECT ? m : this.shared(m as object, text);
  }

  /** The frozen form of a member's value: `prev` when equal to it (see {@link freeze}), else shared as it can be. */
  private member(v: unknown, shareElements: boolean, prev: unknown): unknown {
    if (typeof v === 'string') return v === prev ? prev : this.string(v);
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
    if (!Array.isArray(v)) {
      let empty = true;
      for (const _ in v) {
        empty = false;
        break;
      }
      if (empty) return EMPTY_OBJECT;
    }
    return this.freezeMembers(v, shareElements && Array.isArray(v), prev) ? prev : v;
  }

  /** Whether `key` names a member whose values are shared. */
  sharesMember(key: string): boolean {
    return this.members.has(key);
  }

  /**
   * The shared instance of `tree` (frozen, or frozen by the caller right after), by its JSON text (`text` when the
   * caller has it); `tree` itself when it is the first or too large.
   */
  shared(tree: object, text?: string): object {
    if (this.instances.has(tree)) return tree;
    text ??= JSON.stringify(tree);
    if (text.length > this.maxSharedText) return tree;
    const known = this.trees.get(text);
    if (known !== undefined) return known;
    if (this.treeChars + text.length > this.maxSharedChars) {
      this.trees.clear();
      this.treeChars = 0;
    }
    this.trees.set(text, tree);
    this.instances.add(tree);
    this.treeChars += text.length;
    return tree;
  }
}

/**
 * Whether `obj`'s `count` members, each also one of `prev`'s, come in `prev`'s order and are all of `prev`'s: two
 * versions that serialize alike.
 */
function sameKeyOrder(obj: object, prev: object, count: number): boolean {
  const keys = Object.keys(prev);
  if (keys.length !== count) return false;
  let i = 0;
  for (const key in obj) if (key !== keys[i++]) return false;
  return true;
}
