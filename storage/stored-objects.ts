/** Building blocks shared by the watch cache and the raw backends: frozen events and resourceVersion stamping. */
import type { KubeObject } from '../apimachinery/objects.js';
import { ValueSharing } from '../apimachinery/shared-values.js';
import type { StoredEvent, WatchEventType } from './interface.js';

/**
 * How stored objects share their values (see {@link ValueSharing}): every empty object is one frozen `{}`, repeated
 * strings one string, and the subtrees of the members whose values repeat across objects one subtree each: a
 * pod's managed fields (`fieldsV1`: about 600 bytes of heap of its 1.5 KB), the tolerations admission gives every
 * pod, the resources of the containers of a template. Only these few are looked up (serializing every subtree to
 * find the repeated ones took about 50 µs a pod, these few about 3 µs).
 */
const storedSharing = new ValueSharing({ members: ['fieldsV1', 'tolerations', 'resources'] });

/**
 * Deeply freezes `value`, a JSON value just parsed that nothing else references yet (what `deepFreeze` does), in
 * less memory (see {@link storedSharing}); `value` itself is kept. The store keeps every object for as long as it
 * lives: a stored pod took about 3.0 KB of heap parsed, 1.3 KB of it the 25 empty objects of its managed fields and
 * some 300 bytes repeated strings; 1.5 KB with its strings pooled, and about 0.8 KB with its managed fields and
 * tolerations shared too. Frozen members are taken as they are.
 */
export function freezeParsed<T>(value: T): T {
  return storedSharing.freeze(value);
}

/**
 * How far below a written object its stored form looks for subtrees it can take as they are: a member (1) such as
 * the `spec` a status write keeps, a member's member (2), an item of one of those (3) such as a managed fields entry
 * a write left alone, and a member of that item (4) such as the `fieldsV1` the field manager encoded for the write.
 */
export const ADOPT_DEPTH = 4;

/**
 * The JSON text of `record` (what `JSON.stringify` gives) and a copy of it that equals `JSON.parse` of that text, in
 * which the frozen subtrees found within {@link ADOPT_DEPTH} levels are the record's own instances (a member the
 * store shares, such as `fieldsV1`, its shared instance). A write keeps most of the live object it replaces: the
 * kubelet's status write keeps the stored spec, and a patch of the object the stored status. Reading those parts
 * back from the text again took 40 % of a DaemonSet pod's status write's stored form (text, copy and freezing:
 * 52.4 → 31.0 µs, replaying 1,500 such writes as the server received them; a strategic merge patch of a small pod
 * 25.7 → 21.3 µs), and each version held a copy of its own (a pod and its status write's version: 4.4 → 3.2 KB of
 * heap while the watch window holds both). Frozen values reach a written object only from what is stored
 * (parsed, deeply frozen) and from the field manager's frozen encodings, all plain JSON data. The levels that hold
 * them are written member by member, as `JSON.stringify` writes them; everything else goes through its text. A
 * record none of whose members is frozen (a create, where only the field manager's `fieldsV1` is, or a Lease's
 * renewal a kubelet sends whole) is read back from its whole text: looking further and composing its levels cost
 * more than the parse it saved (a Lease PUT's stored form ~7.4 → ~10.3 µs when any frozen part within three
 * levels was looked for).
 */
export function storedForm(record: object): { json: string; copy: unknown } {
  if (plainContainer(record) && holdsFrozen(record, 1)) {
    const copy = composed(record, ADOPT_DEPTH);
    return { json: composedText, copy };
  }
  const json = JSON.stringify(record);
  return { json, copy: JSON.parse(json) };
}

/** The text of the value {@link composed} or {@link composedMember} made last. */
let composedText = '';

/** Whether an object or array within `depth` levels below `v` is frozen. */
function holdsFrozen(v: object, depth: number): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (frozenWithin(v[i], depth)) return true;
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) if (frozenWithin(o[k], depth)) return true;
  return false;
}

function frozenWithin(x: unknown, depth: number): boolean {
  return x !== null && typeof x === 'object' && (Object.isFrozen(x) || (depth > 1 && holdsFrozen(x, depth - 1)));
}

/** Whether `x` is a plain object or array that JSON.stringify writes member by member (no `toJSON`). */
function plainContainer(x: object): boolean {
  const proto: unknown = Object.getPrototypeOf(x);
  return (proto === Object.prototype || proto === Array.prototype || proto === null) && !('toJSON' in x);
}

/** The copy of `v` (a plain object or array, not frozen) with {@link composedText} set to its text. */
function composed(v: object, depth: number): unknown {
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    let text = '[';
    for (let i = 0; i < v.length; i++) {
      const c = composedMember(v[i], depth - 1);
      if (i > 0) text += ',';
      if (c === undefined) {
        text += 'null';
        out[i] = null;
      } else {
        text += composedText;
        out[i] = c;
      }
    }
    composedText = `${text}]`;
    return out;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let text = '{';
  for (const k of Object.keys(o)) {
    const c = composedMember(o[k], depth - 1, storedSharing.sharesMember(k));
    if (c === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(k)}:${composedText}`;
    // an own member, as JSON.parse makes `__proto__` one
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  composedText = `${text}}`;
  return out;
}

/**
 * The copy of a member (undefined where JSON.stringify leaves it out) with {@link composedText} set to its text:
 * a frozen plain subtree as it is, a plain one that holds some within `depth` composed, anything else read back
 * from its text.
 */
function composedMember(x: unknown, depth: number, sharedKey = false): unknown {
  // scalars are their own copies (what JSON.parse would make of their text)
  if (typeof x === 'string' || typeof x === 'boolean') {
    composedText = JSON.stringify(x);
    return x;
  }
  if (typeof x === 'number' && Number.isFinite(x)) {
    composedText = JSON.stringify(x);
    return x === 0 ? 0 : x; // -0 is written 0
  }
  if (x !== null && typeof x === 'object' && plainContainer(x)) {
    if (Object.isFrozen(x)) {
      composedText = JSON.stringify(x);
      return sharedKey ? storedSharing.shared(x, composedText) : x;
    }
    if (depth > 0 && holdsFrozen(x, depth)) return composed(x, depth);
  }
  const text = JSON.stringify(x) as string | undefined;
  if (text === undefined) return undefined;
  composedText = text;
  return JSON.parse(text);
}

/** `obj` (already frozen) with only `metadata.resourceVersion` changed, sharing everything else. */
export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  const metadata = Object.freeze({ ...obj.metadata, resourceVersion: String(revision) });
  return Object.freeze({ ...obj, metadata });
}

/** A frozen StoredEvent (the one instance every watcher and the window share). */
export function makeEvent(
  type: WatchEventType,
  key: string,
  revision: number,
  object: KubeObject,
  prevObject?: KubeObject,
): StoredEvent {
  const event: StoredEvent =
    prevObject === undefined ? { type, key, revision, object } : { type, key, revision, object, prevObject };
  return Object.freeze(event);
}

/** Where a {@link lazyEvent} reads its object (not enumerable: events compare by their members). */
const SOURCE = Symbol('source');

function readSource(this: { [SOURCE]: { readonly object: KubeObject } }): KubeObject {
  return this[SOURCE].object;
}

/**
 * A frozen StoredEvent whose object is `source.object`, read when first needed: an event of the window whose object
 * is still the current one, which the store parses only when something reads it.
 */
export function lazyEvent(
  type: WatchEventType,
  key: string,
  revision: number,
  source: { readonly object: KubeObject },
  prevObject?: KubeObject,
): StoredEvent {
  const event = prevObject === undefined ? { type, key, revision } : { type, key, revision, prevObject };
  Object.defineProperty(event, SOURCE, { value: source });
  Object.defineProperty(event, 'object', { enumerable: true, get: readSource });
  return Object.freeze(event) as StoredEvent;
}

/** Metadata with `resourceVersion` set; a new key goes right after `uid`, where ObjectMeta serializes it. */
export function metaWithRevision(meta: KubeObject['metadata'], revision: number): KubeObject['metadata'] {
  const rv = String(revision);
  if (meta === undefined || meta === null) return { resourceVersion: rv };
  if ('resourceVersion' in meta || !('uid' in meta)) return { ...meta, resourceVersion: rv };
  const out: KubeObject['metadata'] = {};
  for (const [k, v] of Object.entries(meta)) {
    out[k] = v;
    if (k === 'uid') out['resourceVersion'] = rv;
  }
  return out;
}

/**
 * The JSON text a backend just stored an object as, kept for the first reader of the (frozen) object: the API
 * serves that text (reordered to kind/apiVersion) instead of serializing the object again. Taken once, so a text
 * lives no longer than until then (the server caches what it serves itself). Held weakly by object, and only for
 * the most recent writes: texts nobody takes (objects never served as JSON) are dropped, oldest first, beyond
 * {@link MAX_STORED_TEXTS} writes or {@link MAX_STORED_TEXT_CHARS} characters.
 */
interface Held {
  text: string | undefined;
}
const storedTexts = new WeakMap<KubeObject, Held>();
/** The holders of the most recent texts, oldest first from `heldFrom`. */
const held: Held[] = [];
let heldFrom = 0;
let heldChars = 0;

/** More than a group commit's largest batch (1,000 writes), whose responses all follow the batch. */
export const MAX_STORED_TEXTS = 4096;
export const MAX_STORED_TEXT_CHARS = 4 * 1024 * 1024;

/** Records `json` (`JSON.stringify` of a plain-data object) as the text of `obj`, its frozen parse. */
export function rememberStoredText(obj: KubeObject, json: string): void {
  const h: Held = { text: json };
  storedTexts.set(obj, h);
  held.push(h);
  heldChars += json.length;
  while (held.length - heldFrom > MAX_STORED_TEXTS || heldChars > MAX_STORED_TEXT_CHARS) {
    const old = held[heldFrom]!;
    held[heldFrom++] = undefined as unknown as Held;
    heldChars -= old.text?.length ?? 0;
    old.text = undefined;
  }
  if (heldFrom > MAX_STORED_TEXTS) {
    held.splice(0, heldFrom);
    heldFrom = 0;
  }
}

/** The text recorded for `obj` by {@link rememberStoredText}, forgotten once taken; undefined when none is. */
export function takeStoredText(obj: KubeObject): string | undefined {
  const h = storedTexts.get(obj);
  if (h === undefined) return undefined;
  storedTexts.delete(obj);
  const text = h.text;
  if (text !== undefined) {
    h.text = undefined;
    heldChars -= text.length;
  }
  return text;
}
