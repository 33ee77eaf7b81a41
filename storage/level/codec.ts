/**
 * The LevelDB layout of the store and the (de)serialization of its records.
 *
 * - `o:<key>`        the current object (JSON), `metadata.resourceVersion` = its mod revision;
 * - `e:<revision>`   one event per revision (16-digit zero-padded so byte order is revision order):
 *                    `{"type","key","object","prevObject"?}`;
 * - `m:rev`          the revision of the last committed batch;
 * - `m:compacted`    history at or below this revision has been removed.
 */
import { deepFreeze, plainJsonCopy } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { StoredEvent, WatchEventType } from '../interface.js';

/** Key prefixes and meta keys of the layout described above. */
export const OBJECT_PREFIX = 'o:';
export const EVENT_PREFIX = 'e:';
export const META_REVISION = 'm:rev';
export const META_COMPACTED = 'm:compacted';

/** The exclusive upper bound of a `<tag>:` key range (':' + 1 = ';'). */
export const OBJECT_RANGE_END = 'o;';
export const EVENT_RANGE_END = 'e;';

/** The LevelDB key of the current object at storage key `key`. */
export function objectKey(key: string): string {
  return OBJECT_PREFIX + key;
}

/** The LevelDB key of the event-log record of `revision`. */
export function eventKey(revision: number): string {
  return EVENT_PREFIX + String(revision).padStart(16, '0');
}

/**
 * The stored form of `obj` at `revision`: a private deep copy (exactly what a reload from disk yields) with
 * `metadata.resourceVersion` set, deeply frozen, plus its JSON for the batch.
 */
export function materialize(obj: KubeObject, revision: number): { object: KubeObject; json: string } {
  const record = { ...obj, metadata: metaWithRevision(obj.metadata, revision) };
  const json = JSON.stringify(record);
  const object = (plainJsonCopy(record, true) ?? deepFreeze(JSON.parse(json))) as KubeObject;
  return { object, json };
}

/** Metadata with `resourceVersion` set; a new key goes right after `uid`, where ObjectMeta serializes it. */
function metaWithRevision(meta: KubeObject['metadata'], revision: number): KubeObject['metadata'] {
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

/** `obj` (already frozen) with only `metadata.resourceVersion` changed, sharing everything else. */
export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  const metadata = Object.freeze({ ...obj.metadata, resourceVersion: String(revision) });
  return Object.freeze({ ...obj, metadata });
}

/** A frozen StoredEvent (the one instance every watcher and the history share). */
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

/** The JSON of an event-log record; `objectJson` avoids serializing the new object twice. */
export function encodeEvent(event: StoredEvent, objectJson?: string): string {
  const object = objectJson ?? JSON.stringify(event.object);
  const prev = event.prevObject === undefined ? '' : `,"prevObject":${JSON.stringify(event.prevObject)}`;
  return `{"type":${JSON.stringify(event.type)},"key":${JSON.stringify(event.key)},"object":${object}${prev}}`;
}

interface EventRecord {
  type: WatchEventType;
  key: string;
  object: KubeObject;
  prevObject?: KubeObject;
}

/** Parses an event-log record written by {@link encodeEvent} (objects not yet frozen). */
export function decodeEvent(json: string): EventRecord {
  const rec = JSON.parse(json) as EventRecord;
  if (rec.type !== 'ADDED' && rec.type !== 'MODIFIED' && rec.type !== 'DELETED') {
    throw new Error(`corrupt event record: type ${String(rec.type)}`);
  }
  return rec;
}

/** The mod revision recorded in a stored object (0 when missing or malformed). */
export function revisionOf(obj: KubeObject): number {
  const rv = Number(obj.metadata?.resourceVersion);
  return Number.isSafeInteger(rv) && rv > 0 ? rv : 0;
}
