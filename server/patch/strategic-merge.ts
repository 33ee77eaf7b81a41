/**
 * Strategic merge patch, as kube-apiserver applies `application/strategic-merge-patch+json`
 * (strategicpatch.StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls):
 *
 * - maps merge recursively; `null` deletes a key; a value for a key the object lacks (or of another JSON
 *   type) is taken as is, minus its `null`s and any map carrying `$patch`;
 * - lists whose field has strategy `merge` are merged by the field's merge key (lists of maps) or as sets
 *   (lists of scalars); other lists, and fields the schema does not know, are replaced;
 * - `$patch: replace` (map: take the patch map; list element: the patch elements become the list),
 *   `$patch: delete` (map: empty it; list element: remove the live elements with that merge key value),
 *   `$retainKeys` (drop the live keys not listed), `$setElementOrder/<list>` (final order of a merged list),
 *   `$deleteFromPrimitiveList/<list>` (remove scalars). `$patch: merge` is rejected, as upstream rejects it.
 *
 * Key order of the result: keys of the original first, new keys in patch order.
 */

import { copyDocument } from '../../apimachinery/copy.js';
import { badRequest, internalError, MERGEPATCH } from './errors.js';
import { goS, goV } from './go-fmt.js';
import { cannotUnmarshal } from './go-json.js';
import type { SchemaNode, SchemaResolver } from './schema.js';
import {
  badArgType,
  DIRECTIVE,
  goEq,
  hasOwn,
  isMap,
  mergeSlice,
  noMergeKey,
  normalizeElementOrder,
  partitionMaps,
  partitionScalars,
  sliceElementKind,
  type JMap,
  type MergeElement,
} from './smp-lists.js';

const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder';
const DELETE_FROM = '$deleteFromPrimitiveList';

/**
 * Applies the strategic merge patch `patch` to `original` and returns the result; neither input is modified.
 * `schema` is the schema of the object's kind (e.g. the `io.k8s.api.apps.v1.DaemonSet` definition); with no
 * schema, or below fields it does not describe, maps are merged and lists replaced. Errors are PatchErrors
 * with upstream's messages and codes; a `null` patch leaves the object unchanged.
 */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  schema: SchemaNode | undefined,
  resolver: SchemaResolver,
): unknown {
  const base = original ?? {};
  if (!isMap(base)) throw new TypeError('strategicMergePatch: the original object must be a JSON object');
  if (patch === null || patch === undefined) return copyDocument(base);
  if (!isMap(patch)) throw badRequest(cannotUnmarshal(patch, 'map[string]interface {}'));
  return new StrategicMerger(resolver).mergeMap(copyDocument(base), copyDocument(patch), schema);
}

interface FieldLookup {
  /** Schema of the field (maps) or of its elements (lists). */
  sub: SchemaNode | undefined;
  strategy: string;
  mergeKey: string;
}

/** The merge itself; it works in place on private copies of the original and the patch. */
class StrategicMerger {
  private readonly mergeElement: MergeElement = (o, p, s) => this.mergeMap(o, p, s);

  constructor(private readonly resolver: SchemaResolver) {}

  mergeMap(original: JMap, patch: JMap, schema: SchemaNode | undefined): JMap {
    if (hasOwn(patch, DIRECTIVE)) return mapDirective(patch);
    applyRetainKeys(original, patch);
    this.mergeOrderedLists(original, patch, schema);
    for (const key of Object.keys(patch)) {
      let k = key;
      let isDeleteList = false;
      if (key.startsWith(DELETE_FROM)) {
        k = extractKey(key, DELETE_FROM);
        isDeleteList = true;
      }
      const patchV = patch[key];
      if (patchV === null) {
        delete original[k];
        continue;
      }
      if (!hasOwn(original, k) || goKind(original[k]) !== goKind(patchV)) {
        if (!isDeleteList) takePatchValue(original, k, patchV);
        continue;
      }
      const cur = original[k];
      if (isMap(cur)) {
        const f = this.lookup(schema, k, false);
        setKey(original, k, f.strategy === 'replace' ? patchV : this.mergeMap(cur, patchV as JMap, f.sub));
      } else if (Array.isArray(cur)) {
        const f = this.lookup(schema, k, true);
        const merge = f.strategy === 'merge' || isDeleteList;
        setKey(
          original,
          k,
          merge
            ? mergeSlice(cur, patchV as unknown[], f.sub, f.mergeKey, isDeleteList, this.mergeElement).merged
            : patchV,
        );
      } else {
        setKey(original, k, patchV);
      }
    }
    return original;
  }

  /**
   * Processes every `$setElementOrder/<list>` of `patch` with its list (mergePatchIntoOriginal): merges the
   * list, then puts the items named in the order list in that order, interleaving the live-only items.
   */
  private mergeOrderedLists(original: JMap, patch: JMap, schema: SchemaNode | undefined): void {
    for (const key of Object.keys(patch)) {
      if (!key.startsWith(SET_ORDER)) continue;
      const order = patch[key];
      delete patch[key];
      if (!Array.isArray(order)) throw badArgType('[]interface {}', order);
      const k = extractKey(key, SET_ORDER);
      const foundOriginal = hasOwn(original, k);
      const foundPatch = hasOwn(patch, k);
      const originalList = foundOriginal ? asList(original[k]) : [];
      const patchList = foundPatch ? asList(patch[k]) : [];
      const f = this.lookup(schema, k, true);
      validateAgainstOrder(patchList, order, f.mergeKey);
      let merged: unknown[];
      let serverOrder = originalList;
      if (foundOriginal && !foundPatch) merged = originalList;
      else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
      else if (foundOriginal && foundPatch) {
        if (f.strategy === 'merge') {
          const r = mergeSlice(originalList, patchList, f.sub, f.mergeKey, false, this.mergeElement);
          merged = r.merged;
          serverOrder = r.aliasedOriginal;
        } else merged = patchList;
      } else continue;
      const [inOrder, others] = f.mergeKey ? partitionMaps(merged, order, f.mergeKey) : partitionScalars(merged, order);
      // Upstream fails with "no elements in any of the given slices" here; only empty live lists (which a
      // typed object never has) and empty patch lists reach it, so an empty result is kept instead.
      if (serverOrder.length === 0 && patchList.length === 0) setKey(original, k, merged);
      else
        setKey(
          original,
          k,
          normalizeElementOrder(
            inOrder,
            others,
            order,
            serverOrder,
            f.mergeKey,
            sliceElementKind([serverOrder, patchList]),
          ),
        );
      delete patch[k];
    }
  }

  /** Schema and patch metadata of field `key` (LookupPatchMetadataForStruct / ...ForSlice). */
  private lookup(schema: SchemaNode | undefined, key: string, slice: boolean): FieldLookup {
    if (!schema) return { sub: undefined, strategy: '', mergeKey: '' };
    const field = this.resolver.field(schema, key);
    if (!field) return { sub: undefined, strategy: '', mergeKey: '' };
    const meta = this.resolver.patchMeta(field);
    return {
      sub: slice ? this.resolver.items(field) : field,
      strategy: extractStrategy(meta.strategies),
      mergeKey: meta.mergeKey,
    };
  }
}

/** `$patch` on a map: `replace` → the patch map without the directive, `delete` → `{}`, else an error. */
function mapDirective(patch: JMap): JMap {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === 'delete') return {};
  throw internalError(`unknown patch type: ${goS(directive)} in map: ${goV(patch)}`);
}

/** `$retainKeys`: every non-null patch key must be listed (400 otherwise); live keys not listed are dropped. */
function applyRetainKeys(original: JMap, patch: JMap): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badRequest(MERGEPATCH.badRetainKeys);
  const keep = new Set(list.filter((v): v is string => typeof v === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER)) continue;
    if (!keep.has(k)) throw badRequest(MERGEPATCH.badRetainKeys);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * Checks that the patch list names its (non-deleted) items in the relative order of the
 * `$setElementOrder` list (validatePatchWithSetOrderList).
 */
function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    items = [];
    for (const v of patchList) {
      if (!isMap(v)) throw badArgType('map[string]interface {}', v);
      if (v[DIRECTIVE] !== 'delete') items.push(v);
    }
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && hasOwn(items[p] as JMap, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw internalError(
      `The order in patch list:\n${goV(patchList)}\n doesn't match ${SET_ORDER} list:\n${goV(order)}\n`,
    );
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return goEq(left, right);
  if (!isMap(left)) throw badArgType('map[string]interface {}', left);
  if (!isMap(right)) throw badArgType('map[string]interface {}', right);
  if (!hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEq(left[mergeKey], right[mergeKey]);
}

/** The field name after `<prefix>/`; a malformed directive key is a 400. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw badRequest(prefix === DELETE_FROM ? MERGEPATCH.badPrimitiveList : MERGEPATCH.badSetElementOrder);
  }
  return key.slice(slash + 1);
}

/** Patch strategy out of the field's strategies, `retainKeys` aside (extractRetainKeysPatchStrategy). */
function extractStrategy(strategies: string[]): string {
  if (strategies.length === 0) return '';
  if (strategies.length === 1) return strategies[0] === 'retainKeys' ? '' : strategies[0];
  if (strategies.length === 2 && strategies[0] === 'retainKeys') return strategies[1];
  if (strategies.length === 2 && strategies[1] === 'retainKeys') return strategies[0];
  throw internalError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badArgType('[]interface {}', v);
  return v;
}

/** Go's dynamic type of a decoded value, for the "same type?" test of mergeMap. */
function goKind(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v;
}

/** Sets `original[k]` to a patch value taken whole: nulls discarded, maps with `$patch` removed. */
function takePatchValue(original: JMap, k: string, v: unknown): void {
  discardNulls(v);
  const [value, keep] = removeDirectives(v);
  if (keep) setKey(original, k, value);
  else delete original[k];
}

/** Deletes null-valued keys of every map inside `v` (nulls that are list elements stay). */
function discardNulls(v: unknown): void {
  if (Array.isArray(v)) for (const x of v) discardNulls(x);
  else if (isMap(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else discardNulls(x);
    }
  }
}

/** Drops every map carrying `$patch` from `v`; returns the value and whether to keep it at all. */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (isMap(v)) {
    if (hasOwn(v, DIRECTIVE)) return [undefined, false];
    for (const [k, x] of Object.entries(v)) {
      const [nx, keep] = removeDirectives(x);
      if (keep) setKey(v, k, nx);
      else delete v[k];
    }
    return [v, true];
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [nx, keep] = removeDirectives(x);
      if (keep) out.push(nx);
    }
    return [out, true];
  }
  return [v, true];
}

/** Assigns an own property, also for the key `__proto__`. */
function setKey(m: JMap, k: string, v: unknown): void {
  if (k === '__proto__')
    Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
  else m[k] = v;
}
