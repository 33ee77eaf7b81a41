/**
 * Field paths and field sets as sigs.k8s.io/structured-merge-diff models them, and their `FieldsV1` wire form
 * (the `fieldsV1` of a managedFields entry): `f:<field>`, `k:<json of the key fields>` for an item of an
 * associative list, `v:<json value>` for an item of a set, `i:<index>`, and `.` for "this node itself".
 */
import { compareBytes, goJsonString, goQuote } from './json.js';

/** One step of a path: a struct/map field, a keyed list item, a set item, or a list index. */
export type PathElement = { field: string } | { key: [string, unknown][] } | { value: unknown } | { index: number };

export type Path = readonly PathElement[];

/** A field-name element. */
export function fieldPE(name: string): PathElement {
  return { field: name };
}

/** A key element from key-field values (sorted by name, as upstream keeps them): `fields` is its own, sorted in place. */
export function keyPE(fields: [string, unknown][]): PathElement {
  sortInPlace(fields, byName);
  return { key: fields };
}

function byName(a: [string, unknown], b: [string, unknown]): number {
  return compareBytes(a[0], b[0]);
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

/** Upstream's total order of values: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareBytes(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 4: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort(compareBytes);
      const ky = Object.keys(y).sort(compareBytes);
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const c = compareBytes(kx[i]!, ky[i]!) || compareValues(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length === ky.length ? 0 : kx.length < ky.length ? -1 : 1;
    }
    default:
      return 0;
  }
}

/** Order of path elements: fields, then keys, then values, then indexes. */
export function comparePE(a: PathElement, b: PathElement): number {
  const ta = 'field' in a ? 0 : 'key' in a ? 1 : 'value' in a ? 2 : 3;
  const tb = 'field' in b ? 0 : 'key' in b ? 1 : 'value' in b ? 2 : 3;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if ('field' in a) return compareBytes(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const x = a.key;
    const y = (b as { key: [string, unknown][] }).key;
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareBytes(x[i]![0], y[i]![0]) || compareValues(x[i]![1], y[i]![1]);
      if (c !== 0) return c;
    }
    return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
  }
  if ('value' in a) return compareValues(a.value, (b as { value: unknown }).value);
  const i = (a as { index: number }).index;
  const j = (b as { index: number }).index;
  return i < j ? -1 : i > j ? 1 : 0;
}

/** Compact JSON of a value as structured-merge-diff serializes key and set values. */
function valueJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goJsonString(v);
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort(compareBytes)
    .map((k) => `${goJsonString(k)}:${valueJson(o[k])}`)
    .join(',')}}`;
}

const keys = new WeakMap<PathElement, string>();

/**
 * `f:<name>` keys by field name, so that every set uses the same string for a field: it keys the sets' maps and
 * the FieldsV1 objects, where a string seen before is found faster than a new one. (Bounded: names beyond the
 * first MAX_FIELD_KEYS get a fresh string each time.)
 */
const fieldKeys = new Map<string, string>();
const MAX_FIELD_KEYS = 10_000;

/** The FieldsV1 key of a field-name element (`peKey({ field: name })`). */
export function fieldKey(name: string): string {
  let f = fieldKeys.get(name);
  if (f === undefined) {
    f = `f:${name}`;
    if (fieldKeys.size < MAX_FIELD_KEYS) fieldKeys.set(name, f);
  }
  return f;
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"x"}`, `v:"x"`, `i:0`. */
export function peKey(pe: PathElement): string {
  if ('field' in pe) return fieldKey(pe.field);
  let k = keys.get(pe);
  if (k !== undefined) return k;
  if ('key' in pe) k = `k:{${pe.key.map(([name, v]) => `${goJsonString(name)}:${valueJson(v)}`).join(',')}}`;
  else if ('value' in pe) k = `v:${valueJson(pe.value)}`;
  else k = `i:${pe.index}`;
  keys.set(pe, k);
  return k;
}

/** Upstream's human-readable value (value.ToString): strings quoted, numbers and booleans bare. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${valueString(x)}`)
      .join('');
  return String(v);
}

/** The element as conflict messages print it: `.name`, `[name="x"]`, `[=x]`, `[0]`. */
export function peString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** A whole path as upstream prints it: `.spec.template.spec.containers[name="fluentd"].image`. */
export function pathString(path: Path): string {
  return path.map(peString).join('');
}

/** Parses a FieldsV1 key; undefined for an unknown element type (ignored, as upstream does). */
export function parsePE(key: string): PathElement | undefined {
  const colon = key.indexOf(':');
  if (colon < 0) throw new Error(`unable to parse path element: ${key}`);
  const kind = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  switch (kind) {
    case 'f':
      return { field: rest };
    case 'k': {
      const v = JSON.parse(rest) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`expected key object: ${key}`);
      return keyPE(Object.entries(v as Record<string, unknown>));
    }
    case 'v':
      return { value: JSON.parse(rest) as unknown };
    case 'i': {
      if (!/^-?\d+$/.test(rest)) throw new Error(`invalid index: ${key}`);
      return { index: Number(rest) };
    }
    default:
      return undefined;
  }
}

/** Sets already decoded from (frozen, stored) FieldsV1 objects. */
const decoded = new WeakMap<object, FieldSet>();

/**
 * Sets decoded from FieldsV1 by the object's JSON text, the most recent first out, within a bound on the texts'
 * length (a set takes about ten times its text in memory). Sets are immutable in use, so one serves every
 * object of that shape.
 */
class SetsByText {
  private readonly sets = new Map<string, FieldSet>();
  private chars = 0;

  constructor(private readonly maxChars: number) {}

  get(text: string): FieldSet | undefined {
    return this.sets.get(text);
  }

  remember(text: string, set: FieldSet): void {
    if (text.length > this.maxChars / 16 || this.sets.has(text)) return;
    this.sets.set(text, set);
    this.chars += text.length;
    for (const old of this.sets.keys()) {
      if (this.chars <= this.maxChars) break;
      this.sets.delete(old);
      this.chars -= old.length;
    }
  }
}

const byText = new SetsByText(1 << 20);

/**
 * Sorts `items` in place, stably: by insertion when there are a few (Array.prototype.sort copies the array first,
 * and the nodes of a field set have a few members each, mostly), else by Array.prototype.sort.
 */
export function sortInPlace<T>(items: T[], order: (a: T, b: T) => number): void {
  if (items.length > 32) {
    items.sort(order);
    return;
  }
  for (let i = 1; i < items.length; i++) {
    const x = items[i]!;
    let j = i - 1;
    for (; j >= 0 && order(items[j]!, x) > 0; j--) items[j + 1] = items[j]!;
    items[j + 1] = x;
  }
}

/** The `{}` of a FieldsV1 leaf (and of `.`): frozen, so every encoded set can share it. */
export const LEAF: Record<string, unknown> = Object.freeze({});

interface Child {
  pe: PathElement;
  set: FieldSet;
}

/**
 * A set of field paths: `members` are the paths ending here, `children` the subtrees below. Immutable in use:
 * the set operations return new sets (sharing unchanged subtrees).
 */
export class FieldSet {
  private readonly members = new Map<string, PathElement>();
  private readonly children = new Map<string, Child>();
  /**
   * The set's FieldsV1 object once encoded, and the one of a subtree that is a member itself (`.` added): sets are
   * immutable in use, and a new set shares the subtrees it did not change, so each is encoded once.
   */
  private fieldsV1: Record<string, unknown> | undefined;
  private fieldsV1WithSelf: Record<string, unknown> | undefined;

  /** A set holding the given paths. */
  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** A set from the members and child subtrees of its top level. */
  static build(members: Iterable<PathElement>, children: Iterable<{ pe: PathElement; set: FieldSet }>): FieldSet {
    const s = new FieldSet();
    for (const pe of members) s.members.set(peKey(pe), pe);
    for (const c of children) if (!c.set.isEmpty()) s.attach(c.pe, c.set);
    return s;
  }

  /** Adds a path (its parents are not added). The empty path is ignored, as upstream ignores it. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]!);
    const last = path[path.length - 1]!;
    s.members.set(peKey(last), last);
  }

  /** Adds `pe` as a member at this level (`insert([pe])` without the path). */
  addMember(pe: PathElement): void {
    this.members.set(peKey(pe), pe);
  }

  /** The subtree below `pe`, created (empty) when missing: for building a set, insert into it. */
  descend(pe: PathElement): FieldSet {
    const k = peKey(pe);
    let c = this.children.get(k);
    if (!c) this.children.set(k, (c = { pe, set: new FieldSet() }));
    return c.set;
  }

  /** Whether `path` is a member. */
  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.children.get(peKey(path[i]!))?.set;
    return !!s && s.members.has(peKey(path[path.length - 1]!));
  }

  /** Whether `pe` is a member at this level. */
  hasMember(pe: PathElement): boolean {
    return this.members.has(peKey(pe));
  }

  /** True when no path is a member. */
  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** The subtree below `pe`, if there is one (may be empty). */
  below(pe: PathElement): FieldSet | undefined {
    return this.children.get(peKey(pe))?.set;
  }

  /** The paths below `pe`, without the prefix (an empty set when there are none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(peKey(pe))?.set ?? new FieldSet();
  }

  /** Paths in either set: this set itself when `o` adds nothing to it, and its subtrees that `o` adds nothing to. */
  union(o: FieldSet): FieldSet {
    if (o === this || (o.members.size === 0 && o.children.size === 0)) return this;
    if (this.members.size === 0 && this.children.size === 0) return o;
    let out: FieldSet | undefined;
    const copy = (): FieldSet => {
      const s = new FieldSet();
      for (const [k, pe] of this.members) s.members.set(k, pe);
      for (const [k, c] of this.children) s.children.set(k, c);
      return s;
    };
    for (const [k, pe] of o.members) {
      if (this.members.has(k)) continue;
      out ??= copy();
      out.members.set(k, pe);
    }
    for (const [k, c] of o.children) {
      const mine = this.children.get(k);
      const set = mine ? mine.set.union(c.set) : c.set;
      if (mine && set === mine.set) continue;
      out ??= copy();
      out.children.set(k, mine ? { pe: c.pe, set } : c);
    }
    return out ?? this;
  }

  /** Whether some path is in both sets (intersection is not empty), without making the intersection. */
  intersects(o: FieldSet): boolean {
    const [small, large] = this.members.size <= o.members.size ? [this, o] : [o, this];
    for (const k of small.members.keys()) if (large.members.has(k)) return true;
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (other && c.set.intersects(other.set)) return true;
    }
    return false;
  }

  /** Paths in both sets. */
  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.members) if (o.members.has(k)) out.members.set(k, pe);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) continue;
      const r = c.set.intersection(other.set);
      if (!r.isEmpty()) out.children.set(k, { pe: c.pe, set: r });
    }
    return out;
  }

  /** Paths of this set that are not members of `o` (a member of `o` does not remove what lies below it). */
  difference(o: FieldSet): FieldSet {
    if (o.members.size === 0 && o.children.size === 0) return this;
    const out = new FieldSet();
    let changed = false;
    for (const [k, pe] of this.members) {
      if (!o.members.has(k)) out.members.set(k, pe);
      else changed = true;
    }
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      const r = other ? c.set.difference(other.set) : c.set;
      if (r !== c.set) changed = true;
      if (r === c.set) out.children.set(k, c);
      else if (!r.isEmpty()) out.children.set(k, { pe: c.pe, set: r });
    }
    return changed ? out : this;
  }

  /** Like difference, but a member of `o` also removes everything below it. */
  recursiveDifference(o: FieldSet): FieldSet {
    if (o.members.size === 0 && o.children.size === 0) return this;
    const out = new FieldSet();
    let changed = false;
    for (const [k, pe] of this.members) {
      if (!o.members.has(k)) out.members.set(k, pe);
      else changed = true;
    }
    for (const [k, c] of this.children) {
      if (o.members.has(k)) {
        changed = true;
        continue;
      }
      const other = o.children.get(k);
      const r = other ? c.set.recursiveDifference(other.set) : c.set;
      if (r !== c.set) changed = true;
      if (r === c.set) out.children.set(k, c);
      else if (!r.isEmpty()) out.children.set(k, { pe: c.pe, set: r });
    }
    return changed ? out : this;
  }

  /** Same members at every level. */
  equals(o: FieldSet): boolean {
    if (this.members.size !== o.members.size) return false;
    for (const k of this.members.keys()) if (!o.members.has(k)) return false;
    const mine = [...this.children].filter(([, c]) => !c.set.isEmpty());
    const theirs = [...o.children].filter(([, c]) => !c.set.isEmpty());
    if (mine.length !== theirs.length) return false;
    for (const [k, c] of mine) {
      const other = o.children.get(k);
      if (!other || !c.set.equals(other.set)) return false;
    }
    return true;
  }

  /** Member elements at this level, in upstream's order. */
  memberElements(): PathElement[] {
    return [...this.members.values()].sort(comparePE);
  }

  /** Child subtrees at this level, in upstream's order. */
  childEntries(): { pe: PathElement; set: FieldSet }[] {
    return [...this.children.values()].sort((a, b) => comparePE(a.pe, b.pe));
  }

  /** Every member path, depth first: the members of a node before its children (upstream's Iterate). */
  paths(prefix: PathElement[] = []): PathElement[][] {
    const out: PathElement[][] = [];
    for (const pe of this.memberElements()) out.push([...prefix, pe]);
    for (const c of this.childEntries()) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  /** The FieldsV1 JSON object (deeply frozen): members as `{}`, subtrees as objects with `.` last when also a member. */
  toFieldsV1(): Record<string, unknown> {
    return this.emit(false);
  }

  /** The FieldsV1 object of this set, with `.` when `includeSelf`: encoded once per set (sets are immutable in use). */
  private emit(includeSelf: boolean): Record<string, unknown> {
    if (includeSelf) return (this.fieldsV1WithSelf ??= this.encode(true));
    return (this.fieldsV1 ??= this.encode(false));
  }

  private encode(includeSelf: boolean): Record<string, unknown> {
    // Members and non-empty subtrees, each once, in upstream's order.
    const nodes: { key: string; pe: PathElement; sub: FieldSet | undefined }[] = [];
    for (const [key, pe] of this.members) {
      const c = this.children.get(key);
      nodes.push({ key, pe, sub: c && !c.set.isEmpty() ? c.set : undefined });
    }
    for (const [key, c] of this.children)
      if (!this.members.has(key) && !c.set.isEmpty()) nodes.push({ key, pe: c.pe, sub: c.set });
    sortInPlace(nodes, (a, b) => comparePE(a.pe, b.pe));
    const out: Record<string, unknown> = {};
    for (const { key, sub } of nodes) out[key] = sub ? sub.emit(this.members.has(key)) : LEAF;
    if (includeSelf && nodes.length > 0) out['.'] = LEAF;
    return Object.freeze(out);
  }

  /** Attaches a parsed subtree below `pe` (used while reading FieldsV1). */
  private attach(pe: PathElement, set: FieldSet): void {
    this.children.set(peKey(pe), { pe, set });
  }

  /** Parses a FieldsV1 object; throws on malformed content (unknown element kinds are skipped). */
  static fromFieldsV1(json: unknown): FieldSet {
    const cacheable = json !== null && typeof json === 'object' && Object.isFrozen(json);
    const hit = cacheable ? decoded.get(json) : undefined;
    if (hit) return hit;
    // Each write stores a new copy of its managedFields, so most FieldsV1 objects are new here; their text is
    // not: objects of one kind share few shapes (every pod of a template, every node's Lease).
    const text = json !== null && typeof json === 'object' ? JSON.stringify(json) : undefined;
    let set = text === undefined ? undefined : byText.get(text);
    if (!set) {
      set = FieldSet.read(json).set ?? new FieldSet();
      if (text !== undefined) byText.remember(text, set);
    }
    if (cacheable) {
      decoded.set(json, set);
      set.fieldsV1 ??= json as Record<string, unknown>;
    }
    return set;
  }

  private static read(json: unknown): { set: FieldSet | undefined; member: boolean } {
    if (json === null) return { set: undefined, member: true };
    if (typeof json !== 'object' || Array.isArray(json)) throw new Error('ReadMapCB: expect { or n');
    let set: FieldSet | undefined;
    let member = false;
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      if (k === '.') {
        member = true;
        continue;
      }
      const pe = parsePE(k);
      if (!pe) continue;
      const child = FieldSet.read(v);
      if (child.member) (set ??= new FieldSet()).insert([pe]);
      if (child.set && !child.set.isEmpty()) (set ??= new FieldSet()).attach(pe, child.set);
    }
    if (!set) member = true;
    return { set, member };
  }
}

/**
 * A path being walked depth first, for walkers that fill field sets as they go: a child cursor per element
 * visited, and inserting a cursor's path into one of the sets its root was made for adds to the node it already
 * found instead of descending from the set's root again. Nodes are created when something is inserted below them.
 */
export class PathCursor {
  private nodes: (FieldSet | undefined)[] | undefined;

  private constructor(
    private readonly roots: readonly FieldSet[],
    private readonly parent: PathCursor | undefined,
    private readonly pe: PathElement | undefined,
  ) {
    if (!parent) this.nodes = [...roots];
  }

  /** The empty path of `sets`. */
  static root(...sets: FieldSet[]): PathCursor {
    return new PathCursor(sets, undefined, undefined);
  }

  /** This path followed by `pe`. */
  child(pe: PathElement): PathCursor {
    return new PathCursor(this.roots, this, pe);
  }

  /** Adds this path to `set`, one of the root's sets (the empty path is ignored, as insert ignores it). */
  insertInto(set: FieldSet): void {
    if (this.parent) this.parent.node(this.roots.indexOf(set)).addMember(this.pe!);
  }

  /** The node of this path in the root's `i`th set. */
  private node(i: number): FieldSet {
    const nodes = (this.nodes ??= []);
    return (nodes[i] ??= this.parent!.node(i).descend(this.pe!));
  }
}
