/**
 * JSON patch (RFC 6902), as kube-apiserver applies `application/json-patch+json`
 * (gopkg.in/evanphx/json-patch.v4). The operations are carried out with fast-json-patch; paths are first
 * resolved the way evanphx v4 resolves them, which differs from RFC 6902 in a few places:
 *
 * - negative array indexes count from the end (`/items/-1` is the last element; `add` at `-1` appends);
 * - `replace` of a missing object member adds it;
 * - `test` treats a missing member and `null` alike; a missing `value` means `null` (also for add/replace);
 * - a `from` member that is missing is read as `null` by `copy`.
 *
 * Any failing operation is a 422 with the generic message upstream gives (the cause is kept in `detail`);
 * more than 10000 operations is a 413; `copy` operations adding more than 3 MiB in all fail with a 422.
 */

import jsonpatch from 'fast-json-patch';
import { copyDocument } from '../../apimachinery/copy.js';
import { entityTooLarge, genericInvalid } from './errors.js';

/** One operation of a JSON patch, as decoded (members are checked when the operation is applied). */
export interface JsonPatchOperation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
  [member: string]: unknown;
}

/** Most operations kube-apiserver accepts in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

type Container = Record<string, unknown> | unknown[];

interface Location {
  /** The object or list holding the target. */
  container: Container;
  /** Escaped JSON pointer of the container. */
  pointer: string;
  /** Unescaped last path segment. */
  key: string;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class OpFailure extends Error {}

const fail = (message: string): never => {
  throw new OpFailure(message);
};

/** evanphx decodePatchKey: `~1` → `/`, then `~0` → `~`. */
const decodeKey = (k: string) => k.replaceAll('~1', '/').replaceAll('~0', '~');
const encodeKey = (k: string) => jsonpatch.escapePathComponent(k);

/** Go strconv.Atoi, or undefined when `s` is not a base-10 integer. */
function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) && Math.abs(Number(s)) < 2 ** 63 ? Number(s) : undefined;
}

/** Finds the container of `path` (evanphx findObject); undefined when a step is missing or not a container. */
function locate(doc: unknown, path: string): Location | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: unknown = doc;
  let pointer = '';
  for (const raw of split.slice(1, -1)) {
    const part = decodeKey(raw);
    if (Array.isArray(cur)) {
      const idx = arrayIndex(cur, part, false);
      if (idx === undefined) return undefined;
      cur = cur[idx];
      pointer += `/${idx}`;
    } else if (isMap(cur)) {
      if (!Object.hasOwn(cur, part)) return undefined;
      cur = cur[part];
      pointer += `/${encodeKey(part)}`;
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(cur) && !isMap(cur)) return undefined;
  return { container: cur, pointer, key: decodeKey(split[split.length - 1]) };
}

/** Index of an existing element (`forInsert`: an insertion point, `-` or up to the length), negatives from the end. */
function arrayIndex(list: unknown[], key: string, forInsert: boolean): number | undefined {
  const size = forInsert ? list.length + 1 : list.length;
  if (forInsert && key === '-') return list.length;
  let idx = atoi(key);
  if (idx === undefined || idx >= size || idx < -size) return undefined;
  if (idx < 0) idx += size;
  return idx;
}

function stringMember(op: JsonPatchOperation, name: 'path' | 'from', what: string): string {
  const v = op[name];
  if (typeof v !== 'string')
    fail(v === undefined || v === null ? `${what}: missing value` : `${what}: json: cannot unmarshal into string`);
  return v as string;
}

/** Reads the value at a location: undefined for a missing object member; fails for a bad list index. */
function read(loc: Location, path: string, what: string): unknown {
  if (Array.isArray(loc.container)) {
    const idx = arrayIndex(loc.container, loc.key, false);
    if (idx === undefined)
      fail(
        `error in ${what} for path: '${path}': Unable to access invalid index: ${loc.key}: invalid index referenced`,
      );
    return loc.container[idx as number];
  }
  return Object.hasOwn(loc.container, loc.key) ? loc.container[loc.key] : undefined;
}

function add(doc: unknown, path: string, value: unknown): void {
  const loc = locate(doc, path) ?? fail(`add operation does not apply: doc is missing path: "${path}": missing value`);
  let target: string;
  if (Array.isArray(loc.container)) {
    const idx = arrayIndex(loc.container, loc.key, true);
    if (idx === undefined)
      fail(`error in add for path: '${path}': Unable to access invalid index: ${loc.key}: invalid index referenced`);
    target = `${loc.pointer}/${idx}`;
  } else {
    target = `${loc.pointer}/${encodeKey(loc.key)}`;
  }
  jsonpatch.applyOperation(doc, { op: 'add', path: target, value }, true, true);
}

function remove(doc: unknown, path: string, what: string): unknown {
  const loc =
    locate(doc, path) ?? fail(`${what} operation does not apply: doc is missing path: "${path}": missing value`);
  if (Array.isArray(loc.container)) {
    const idx = arrayIndex(loc.container, loc.key, false);
    if (idx === undefined)
      fail(
        `error in ${what} for path: '${path}': Unable to access invalid index: ${loc.key}: invalid index referenced`,
      );
    return jsonpatch.applyOperation(doc, { op: 'remove', path: `${loc.pointer}/${idx}` }, true, true).removed;
  }
  if (!Object.hasOwn(loc.container, loc.key))
    fail(`error in ${what} for path: '${path}': Unable to remove nonexistent key: ${loc.key}: missing value`);
  return jsonpatch.applyOperation(doc, { op: 'remove', path: `${loc.pointer}/${encodeKey(loc.key)}` }, true, true)
    .removed;
}

function replace(doc: unknown, path: string, value: unknown): void {
  const loc =
    locate(doc, path) ?? fail(`replace operation does not apply: doc is missing path: ${path}: missing value`);
  if (Array.isArray(loc.container)) {
    const idx = arrayIndex(loc.container, loc.key, false);
    if (idx === undefined) fail(`replace operation does not apply: doc is missing key: ${path}: missing value`);
    jsonpatch.applyOperation(doc, { op: 'replace', path: `${loc.pointer}/${idx}`, value }, true, true);
    return;
  }
  const target = `${loc.pointer}/${encodeKey(loc.key)}`;
  if (Object.hasOwn(loc.container, loc.key))
    jsonpatch.applyOperation(doc, { op: 'replace', path: target, value }, true, true);
  else jsonpatch.applyOperation(doc, { op: 'add', path: target, value }, true, true);
}

function test(doc: unknown, path: string, expected: unknown): void {
  const loc = locate(doc, path) ?? fail(`test operation does not apply: is missing path: ${path}: missing value`);
  const actual = read(loc, path, 'test') ?? null;
  if (actual === null || expected === null) {
    if (actual === null && expected === null) return;
    fail(`testing value ${path} failed: test failed`);
  }
  const pointer = Array.isArray(loc.container)
    ? `${loc.pointer}/${arrayIndex(loc.container, loc.key, false)}`
    : `${loc.pointer}/${encodeKey(loc.key)}`;
  try {
    jsonpatch.applyOperation(doc, { op: 'test', path: pointer, value: expected }, true, true);
  } catch {
    fail(`testing value ${path} failed: test failed`);
  }
}

/**
 * The most a JSON patch's `copy` operations may add, in JSON bytes of the copied values: kube-apiserver sets
 * evanphx's AccumulatedCopySizeLimit to its JSONPatchMaxCopyBytes, 3 MiB by default. Without it, 20 copies of a
 * document into itself double it 20 times.
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

function applyOne(doc: unknown, op: JsonPatchOperation, copied: { bytes: number }): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const value = Object.hasOwn(op, 'value') ? (op.value ?? null) : null;
  switch (kind) {
    case 'add':
      return add(doc, stringMember(op, 'path', 'add operation failed to decode path'), value);
    case 'remove':
      remove(doc, stringMember(op, 'path', 'remove operation failed to decode path'), 'remove');
      return;
    case 'replace':
      return replace(doc, stringMember(op, 'path', 'replace operation failed to decode path'), value);
    case 'move': {
      const from = stringMember(op, 'from', 'move operation failed to decode from');
      const moved = remove(doc, from, 'move');
      return add(doc, stringMember(op, 'path', 'move operation failed to decode path'), moved);
    }
    case 'copy': {
      const from = stringMember(op, 'from', 'copy operation failed to decode from');
      const loc =
        locate(doc, from) ?? fail(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const value = read(loc, from, 'copy') ?? null;
      copied.bytes += Buffer.byteLength(JSON.stringify(value));
      if (copied.bytes > MAX_JSON_PATCH_COPY_BYTES) {
        fail(
          `Unable to complete the copy, the accumulated size increase of copy is ${copied.bytes}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
        );
      }
      return add(doc, stringMember(op, 'path', 'copy operation failed to decode path'), copyDocument(value));
    }
    case 'test':
      return test(doc, stringMember(op, 'path', 'test operation failed to decode path'), value);
    default:
      fail(`Unexpected kind: ${kind}`);
  }
}

/**
 * Applies the operations `ops` in order to a copy of `original` and returns it; the inputs are not
 * modified. Throws a PatchError: 413 beyond 10000 operations, 422 when an operation does not apply.
 */
export function jsonPatch(original: unknown, ops: readonly unknown[]): unknown {
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw entityTooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  const doc = copyDocument(original);
  const copied = { bytes: 0 };
  for (const raw of copyDocument(ops)) {
    try {
      applyOne(doc, isMap(raw) ? (raw as JsonPatchOperation) : {}, copied);
    } catch (e) {
      throw genericInvalid(e instanceof Error ? e.message : String(e));
    }
  }
  return doc;
}
