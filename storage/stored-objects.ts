/** Building blocks shared by the watch cache and the raw backends: frozen events and resourceVersion stamping. */
import type { KubeObject } from '../apimachinery/objects.js';
import type { StoredEvent, WatchEventType } from './interface.js';

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
