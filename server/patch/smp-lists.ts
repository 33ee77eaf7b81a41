/**
 * List handling of the strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch, server side):
 * merging lists by merge key or as sets, `$patch: delete|replace` list elements, and the element order
 * rules (patch order first, then the order of the live list, `$setElementOrder` on top).
 *
 * Upstream mutates the live list in place, and Go slices share their backing array: deleting elements
 * shifts the live list and appended elements fill the freed tail. The `$setElementOrder` step then orders
 * the server-only items by that mutated backing array, which is observable in the result
 * (`[2, 4]` + add `3` + delete `1` on `[1, 2, 4]` gives `[2, 4, 3]`, not `[2, 3, 4]`). `LiveList` reproduces it.
 */

import { genericInvalid, internalError, MERGEPATCH } from './errors.js';
import { goS, goTypeForS, goV } from './go-fmt.js';
import type { SchemaNode } from './schema.js';

/** A decoded JSON object. */
export type JMap = Record<string, unknown>;

/** Element kind of a list, as `reflect.Kind` distinguishes them. */
export type ElemKind = 'map' | 'scalar';

/** Callback merging one element map into another (strategicpatch's mergeMap for the element schema). */
export type MergeElement = (original: JMap, patch: JMap, schema: SchemaNode | undefined) => JMap;

export const DIRECTIVE = '$patch';

export function isMap(v: unknown): v is JMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function hasOwn(m: JMap, k: string): boolean {
  return Object.hasOwn(m, k);
}

/** Go interface equality of decoded JSON scalars (maps and slices never compare equal). */
export function goEq(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return a === b;
}

/** `map: map[...] does not contain declared merge key: <key>` (mergepatch.ErrNoMergeKey), a 500. */
export function noMergeKey(m: JMap, key: string) {
  return internalError(`map: ${goV(m)} does not contain declared merge key: ${key}`);
}

/** `expected a <T>, but received a <type>` (mergepatch.ErrBadArgType), a 500. */
export function badArgType(expected: 'map[string]interface {}' | '[]interface {}', actual: unknown) {
  return internalError(`expected a ${expected}, but received a ${goTypeForS(actual)}`);
}

/**
 * The element kind shared by all elements of `lists` (sliceElementType): errors for lists of lists (422),
 * mixed element types, or no element at all.
 */
export function sliceElementKind(lists: unknown[][]): ElemKind {
  let first: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t =
        v === null
          ? 'nil'
          : Array.isArray(v)
            ? 'slice'
            : isMap(v)
              ? 'map'
              : typeof v === 'number'
                ? Number.isInteger(v)
                  ? 'int64'
                  : 'float64'
                : typeof v;
      if (first === undefined) {
        if (t === 'slice') throw genericInvalid(MERGEPATCH.noListOfLists);
        first = t;
      } else if (t !== first) {
        throw internalError(`list element types are not identical: [${lists.map((l) => goV(l)).join(' ')}]`);
      }
    }
  }
  if (first === undefined) throw internalError('no elements in any of the given slices');
  return first === 'map' ? 'map' : 'scalar';
}

/** Index of the first map in `list` whose `key` equals `value`; errors on a non-map met before it. */
function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isMap(v)) throw internalError(`value for key ${i} is not a map.`);
    if (hasOwn(v, key) && goEq(v[key], value)) return i;
  }
  return -1;
}

/**
 * The live list being merged, with Go slice aliasing: `view` is the caller's slice header over the shared
 * backing array (its length never changes), `cur` the list as the merge sees it.
 */
class LiveList {
  readonly view: unknown[];
  cur: unknown[];
  private shared = true;

  constructor(original: readonly unknown[]) {
    this.view = [...original];
    this.cur = [...original];
  }

  /** `append(s[:k], s[k+1:]...)`: shifts the tail left inside the backing array. */
  deleteAt(k: number): void {
    if (this.shared) for (let i = k; i < this.cur.length - 1; i++) this.view[i] = this.view[i + 1];
    this.cur.splice(k, 1);
  }

  /** `append(s, v)`: writes into the backing array while it has room, else moves to a new array. */
  append(v: unknown): void {
    if (this.shared && this.cur.length < this.view.length) this.view[this.cur.length] = v;
    else this.shared = false;
    this.cur.push(v);
  }

  set(k: number, v: unknown): void {
    if (this.shared) this.view[k] = v;
    this.cur[k] = v;
  }

  /** The list is replaced by a fresh one (`$patch: replace`): no more aliasing. */
  replaceWith(list: unknown[]): void {
    this.shared = false;
    this.cur = list;
  }
}

/** Result of merging two lists: the merged list, and the caller's view of the live list afterwards. */
export interface SliceMerge {
  merged: unknown[];
  aliasedOriginal: unknown[];
}

/**
 * Merges `patch` into the live list `original` (mergeSlice). Lists of scalars are merged as sets (or, for
 * `$deleteFromPrimitiveList`, the patch items are removed); lists of maps are merged by `mergeKey`.
 */
export function mergeSlice(
  original: unknown[],
  patch: unknown[],
  elemSchema: SchemaNode | undefined,
  mergeKey: string,
  isDeleteList: boolean,
  mergeElement: MergeElement,
): SliceMerge {
  if (original.length === 0 && patch.length === 0) return { merged: original, aliasedOriginal: original };
  const kind = sliceElementKind([original, patch]);
  if (kind === 'scalar') {
    if (isDeleteList)
      return { merged: original.filter((v) => !patch.some((d) => goEq(v, d))), aliasedOriginal: original };
    const merged = dedupeScalars([...original, ...patch]);
    const [inPatch, serverOnly] = mergeKey ? partitionMaps(merged, patch, mergeKey) : partitionScalars(merged, patch);
    return {
      merged: normalizeElementOrder(inPatch, serverOnly, patch, original, mergeKey, kind),
      aliasedOriginal: original,
    };
  }
  if (!mergeKey) throw internalError('cannot merge lists without merge key for struct');
  const live = new LiveList(original);
  const rest = applySpecialElements(live, patch, mergeKey);
  const serverOrder = [...live.cur];
  for (const v of rest) {
    const m = v as JMap;
    if (!hasOwn(m, mergeKey)) throw noMergeKey(m, mergeKey);
    const idx = findByKey(live.cur, mergeKey, m[mergeKey]);
    if (idx >= 0) live.set(idx, mergeElement(live.cur[idx] as JMap, m, elemSchema));
    else live.append(v);
  }
  const [inPatch, serverOnly] = partitionMaps(live.cur, rest, mergeKey);
  return {
    merged: normalizeElementOrder(inPatch, serverOnly, rest, serverOrder, mergeKey, kind),
    aliasedOriginal: live.view,
  };
}

/**
 * Handles list elements carrying `$patch` (mergeSliceWithSpecialElements): `delete` removes every live
 * element with the same merge key value, `replace` makes the other patch elements the whole list.
 * Returns the patch elements left to merge.
 */
function applySpecialElements(live: LiveList, patch: unknown[], mergeKey: string): unknown[] {
  const rest: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as JMap;
    if (!hasOwn(m, DIRECTIVE)) {
      rest.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(m, mergeKey)) throw noMergeKey(m, mergeKey);
      for (
        let idx = findByKey(live.cur, mergeKey, m[mergeKey]);
        idx >= 0;
        idx = findByKey(live.cur, mergeKey, m[mergeKey])
      )
        live.deleteAt(idx);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw internalError('merging lists cannot yet be specified in the patch');
    } else {
      throw internalError(`unknown patch type: ${goS(directive)} in map: ${goV(m)}`);
    }
  }
  if (!replace) return rest;
  live.replaceWith(rest);
  return [];
}

/** Go's in-place duplicate removal (deduplicateScalars): a later duplicate is overwritten by the last item. */
export function dedupeScalars(s: unknown[]): unknown[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (goEq(s[i], s[j])) {
        s[j] = s[length];
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

/** Splits scalars into those present in `by` and the others, keeping their order. */
export function partitionScalars(list: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  for (const v of list) (by.some((b) => goEq(b, v)) ? inBy : others).push(v);
  return [inBy, others];
}

/** Splits maps into those whose merge key value appears in `by` and the others (partitionMapsByPresentInList). */
export function partitionMaps(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const others: unknown[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map[string]interface {}', v);
    if (!hasOwn(v, mergeKey)) throw noMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]) >= 0 ? inBy : others).push(v);
  }
  return [inBy, others];
}

/** Position lookup in an order list, by merge key value for maps and by value for scalars (first match). */
function positions(order: readonly unknown[], mergeKey: string, kind: ElemKind): (item: unknown) => number {
  const keyOf = (item: unknown): unknown => (kind === 'map' ? (isMap(item) ? item[mergeKey] : undefined) : item);
  return (item) => {
    const k = keyOf(item);
    return order.findIndex((o) => goEq(keyOf(o), k));
  };
}

/**
 * Sorts `toSort` by the positions in `order` (normalizeSliceOrder); for maps, merge keys are required and
 * `$patch: delete` elements go last. Small lists use Go's insertion sort, so that elements missing from
 * `order` move exactly as upstream moves them.
 */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElemKind): unknown[] {
  let items = toSort;
  const deletions: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isMap(item)) throw badArgType('map[string]interface {}', item);
        if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      }
    }
    items = [];
    for (const v of toSort) ((v as JMap)[DIRECTIVE] === 'delete' ? deletions : items).push(v);
  }
  const pos = positions(order, mergeKey, kind);
  const idx = new Map<unknown, number>();
  const at = (v: unknown) => {
    if (!idx.has(v)) idx.set(v, pos(v));
    return idx.get(v) as number;
  };
  const less = (a: unknown, b: unknown) => {
    const ia = at(a);
    const ib = at(b);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  const out = [...items];
  if (out.length <= 20) {
    for (let i = 1; i < out.length; i++) {
      for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j], out[j - 1]] = [out[j - 1], out[j]];
    }
  } else {
    out.sort((a, b) => (at(a) >= 0 && at(b) >= 0 ? at(a) - at(b) : 0));
  }
  return [...out, ...deletions];
}

/**
 * Orders patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves them
 * (normalizeElementOrder + mergeSortedSlice): a server-only item goes before a patch item only when both
 * are in `serverOrder` and it comes first there; so items new to the list come before remaining ones.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElemKind,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const pos = positions(serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = pos(left[i]);
      const ri = pos(right[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
