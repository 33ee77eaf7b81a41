/** Building blocks shared by the watch cache and the raw backends: frozen events and resourceVersion stamping. */
import type { KubeObject } from '../apimachinery/objects.js';
import type { StoredEvent, WatchEventType } from './interface.js';

/** The one frozen `{}` that every empty object in a stored object is: frozen, one instance serves them all. */
const EMPTY_OBJECT: object = Object.freeze({});

/**
 * String values shared between stored objects: the same image, policy, manager, timestamp or toleration key in
 * thousands of objects is one string. V8 already shares the values of up to 10 characters that JSON.parse makes;
 * longer ones up to {@link MAX_POOLED_CHARS} are looked up here. Bounded: the pool starts over once it holds
 * {@link MAX_POOLED_STRINGS} strings (the values every object repeats come back with the next object).
 */
const pool = new Map<string, string>();
const MAX_POOLED_STRINGS = 8192;
const MAX_POOLED_CHARS = 64;

function isPoolable(v: unknown): v is string {
  return typeof v === 'string' && v.length > 10 && v.length <= MAX_POOLED_CHARS;
}

function pooled(s: string): string {
  if (s.length <= 10 || s.length > MAX_POOLED_CHARS) return s;
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= MAX_POOLED_STRINGS) pool.clear();
  pool.set(s, s);
  return s;
}

/**
 * Frozen subtrees shared between stored objects, by their JSON text: the same managed-field set (`fieldsV1`),
 * tolerations or container resources in thousands of objects is one instance. Only the members named in
 * {@link SHARED_MEMBERS} are looked up (serializing every subtree to find the repeated ones took about 50 µs a pod,
 * these few about 3 µs), and only when their text is at most {@link MAX_SHARED_TEXT} characters. Bounded like the
 * string pool: it starts over once its texts hold {@link MAX_SHARED_CHARS} characters.
 */
const sharedTrees = new Map<string, object>();
let sharedChars = 0;
const MAX_SHARED_TEXT = 4096;
const MAX_SHARED_CHARS = 1 << 20;
/**
 * Members whose values repeat across objects: a pod's managed fields (about 600 bytes of heap of its 1.5 KB),
 * the tolerations admission gives every pod, the resources of the containers of a template.
 */
const SHARED_MEMBERS: ReadonlySet<string> = new Set(['fieldsV1', 'tolerations', 'resources']);

/**
 * Deeply freezes `value`, a JSON value just parsed that nothing else references yet (what `deepFreeze` does), in
 * less memory: every empty object becomes one shared frozen `{}`, repeated string values one string (see
 * {@link pooled}) and repeated subtrees one subtree (see {@link sharedTrees}); `value` itself is kept. The store
 * keeps every object for as long as it lives: a stored pod took about 3.0 KB of heap parsed, 1.3 KB of it the 25
 * empty objects of its managed fields and some 300 bytes repeated strings; 1.5 KB with its strings pooled, and
 * about 0.8 KB with its managed fields and tolerations shared too. Frozen members are taken as they are.
 */
export function freezeParsed<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) freezeMembers(value as object);
  return value;
}

/**
 * Freezes `obj` with its members replaced by their shared forms. A string in the pooled range is written back
 * whatever {@link pooled} returned: `!==` cannot tell two strings of equal text apart, and the point is to store
 * the pool's.
 */
function freezeMembers(obj: object): void {
  if (Array.isArray(obj)) {
    for (let i = 0; i < obj.length; i++) {
      const v = obj[i];
      const m = member(v);
      if (m !== v || isPoolable(v)) obj[i] = m;
    }
  } else {
    const record = obj as Record<string, unknown>;
    for (const key in record) {
      const v = record[key];
      let m = member(v);
      if (m !== null && typeof m === 'object' && m !== EMPTY_OBJECT && SHARED_MEMBERS.has(key)) m = shared(m);
      // an own member (`__proto__` included): JSON.parse made it one
      if (m !== v || isPoolable(v)) record[key] = m;
    }
  }
  Object.freeze(obj);
}

function member(v: unknown): unknown {
  if (typeof v === 'string') return pooled(v);
  if (v === null || typeof v !== 'object' || Object.isFrozen(v)) return v;
  if (!Array.isArray(v)) {
    let empty = true;
    for (const _ in v) {
      empty = false;
      break;
    }
    if (empty) return EMPTY_OBJECT;
  }
  freezeMembers(v);
  return v;
}

/** The shared instance of `tree` (frozen), by its JSON text; `tree` itself when it is the first or too large. */
function shared(tree: object): object {
  const text = JSON.stringify(tree);
  if (text.length > MAX_SHARED_TEXT) return tree;
  const known = sharedTrees.get(text);
  if (known !== undefined) return known;
  if (sharedChars + text.length > MAX_SHARED_CHARS) {
    sharedTrees.clear();
    sharedChars = 0;
  }
  sharedTrees.set(text, tree);
  sharedChars += text.length;
  return tree;
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
