/**
 * The LevelDB layout of the store and the (de)serialization of its records. A store is two LevelDB databases: the
 * event log, synced with every batch (the commit point), and the current objects, written after it without a sync
 * (a view of the log: what a crash loses of it is replayed from the log at the next open).
 *
 * In the store's directory, the current objects:
 * - `o:<key>`        the current object: `<modRevision>:<JSON>` (older stores: the bare JSON, whose
 *                    `metadata.resourceVersion` is the mod revision);
 * - `m:checkpoint`   every object write at or below this revision is durable (synced after LevelDB wrote its
 *                    memory table to a table file): a start replays the log's events after it.
 *
 * In its `events` directory ({@link EVENTS_DIR}), the event log:
 * - `e:<revision>`   one event per revision (16-digit zero-padded so byte order is revision order):
 *                    `{"type","key","object","prevObject"?}`; a DELETED record's `object` is the last state
 *                    (its resourceVersion is set to the deletion revision when decoded);
 * - `m:rev`          the revision of the last committed batch, in older stores (and in a log moved out of one
 *                    database): they wrote it with every batch. The newest event says the same, and a key written
 *                    beside each batch's events made every table of the log overlap the others, so LevelDB merged
 *                    them instead of moving them;
 * - `m:compacted`    history at or below this revision has been removed.
 *
 * Stores written before the split kept all of these in one database (the store's directory); the first open
 * moves their log into `events` (storage/level/level-backend.ts).
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import type { WatchEventType } from '../interface.js';
import type { RawEvent, RawObject } from '../raw.js';
import {
  freezeParsed,
  metaWithRevision,
  rememberStoredText,
  storedForm,
  withResourceVersion,
} from '../stored-objects.js';

/** Key prefixes and meta keys of the layout described above. */
export const OBJECT_PREFIX = 'o:';
export const EVENT_PREFIX = 'e:';
export const META_REVISION = 'm:rev';
export const META_COMPACTED = 'm:compacted';
export const META_CHECKPOINT = 'm:checkpoint';
/** The event log's directory, inside the store's. */
export const EVENTS_DIR = 'events';

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

/** The revision of an event-log key. */
export function eventRevision(dbKey: string): number {
  return Number(dbKey.slice(EVENT_PREFIX.length));
}

/**
 * The stored form of `obj` at `revision`: a private deep copy (exactly what a reload from disk yields: it is parsed
 * from its JSON) with `metadata.resourceVersion` set, deeply frozen ({@link freezeParsed}: its empty objects and
 * repeated strings shared), plus its JSON for the batch. Parsed rather than copied member by member: JSON.parse sizes
 * each object exactly, a copy built by adding members does not (a stored pod takes about 3.0 KB of heap parsed, 1.7 KB
 * with the sharing, 4.1 KB copied), and the store keeps every object for as long as it lives. The frozen subtrees
 * of what it replaces that a write kept (a status write's spec) are taken as they are ({@link storedForm}): only the
 * few objects above them are built member by member.
 */
export function materialize(obj: KubeObject, revision: number): { object: KubeObject; json: string } {
  const { json, copy } = storedForm({ ...obj, metadata: metaWithRevision(obj.metadata, revision) });
  const object = freezeParsed(copy) as KubeObject;
  rememberStoredText(object, json);
  return { object, json };
}

/** The value of an object record. */
export function encodeObject(modRevision: number, json: string): string {
  return `${modRevision}:${json}`;
}

/** The mod revision and JSON of an object record, without parsing the JSON (legacy records: parsed once). */
export function decodeObjectRecord(value: string): { modRevision: number; json: string } {
  if (value.startsWith('{')) return { modRevision: revisionOf(JSON.parse(value) as KubeObject), json: value };
  const colon = value.indexOf(':');
  const modRevision = Number(value.slice(0, colon));
  if (colon < 1 || !Number.isSafeInteger(modRevision)) throw new Error('corrupt object record');
  return { modRevision, json: value.slice(colon + 1) };
}

/**
 * A current object read from the store, parsed (and frozen) the first time its `object` is read: opening a store
 * reads every object, and most of them are not needed before a request asks for them (a pod parses in about 10 µs,
 * and its text takes about half the memory of the parsed object until then).
 */
class LazyObject implements RawObject {
  private text: string | undefined;
  private parsed: KubeObject | undefined;

  constructor(
    readonly key: string,
    readonly modRevision: number,
    json: string,
  ) {
    this.text = json;
    this.bytes = json.length;
  }

  readonly bytes: number;

  get object(): KubeObject {
    if (this.parsed === undefined) {
      this.parsed = freezeParsed(JSON.parse(this.text!) as KubeObject);
      rememberStoredText(this.parsed, this.text!); // the first serialization reuses the text (the stored form's)
      this.text = undefined;
    }
    return this.parsed;
  }
}

/** A {@link RawObject} whose object is parsed from `json` when first read. */
export function lazyObject(key: string, modRevision: number, json: string): RawObject {
  return new LazyObject(key, modRevision, json);
}

/** The JSON of an event-log record from the serialized new object and the serialized previous one. */
export function encodeEvent(type: WatchEventType, key: string, objectJson: string, prevJson?: string): string {
  const prev = prevJson === undefined ? '' : `,"prevObject":${prevJson}`;
  return `{"type":${JSON.stringify(type)},"key":${JSON.stringify(key)},"object":${objectJson}${prev}}`;
}

interface EventRecord {
  type: WatchEventType;
  key: string;
  object: KubeObject;
  prevObject?: KubeObject;
}

/** The head of an ADDED event-log record as {@link encodeEvent} writes it (an ADDED record has no prevObject). */
const ADDED_HEAD = '{"type":"ADDED","key":';
const OBJECT_MEMBER = ',"object":';

/**
 * Parses an event-log record into a frozen RawEvent (older stores' DELETED records carry both states). An ADDED
 * record's object is parsed on first read: opening a store reads the window's events, and the cache serves most
 * of their objects from the current objects it has already read.
 */
export function decodeEvent(revision: number, json: string): RawEvent {
  const added = lazyAdded(revision, json);
  if (added) return added;
  const rec = JSON.parse(json) as EventRecord;
  if (rec.type !== 'ADDED' && rec.type !== 'MODIFIED' && rec.type !== 'DELETED') {
    throw new Error(`corrupt event record: type ${String(rec.type)}`);
  }
  const bytes = json.length;
  if (rec.type === 'DELETED') {
    const last = freezeParsed(rec.prevObject ?? rec.object);
    const object = withResourceVersion(last, revision);
    return Object.freeze({ type: rec.type, key: rec.key, revision, object, prevObject: last, bytes });
  }
  const object = freezeParsed(rec.object);
  const prevObject = rec.prevObject === undefined ? undefined : freezeParsed(rec.prevObject);
  return Object.freeze(
    prevObject === undefined
      ? { type: rec.type, key: rec.key, revision, object, bytes }
      : { type: rec.type, key: rec.key, revision, object, prevObject, bytes },
  );
}

/** The key and object text of an ADDED record as {@link encodeEvent} writes it; undefined for any other form. */
function addedParts(json: string): { key: string; text: string } | undefined {
  if (!json.startsWith(ADDED_HEAD) || !json.endsWith('}')) return undefined;
  const keyEnd = endOfString(json, ADDED_HEAD.length);
  if (keyEnd < 0 || !json.startsWith(OBJECT_MEMBER, keyEnd)) return undefined;
  const key = JSON.parse(json.slice(ADDED_HEAD.length, keyEnd)) as unknown;
  if (typeof key !== 'string') return undefined;
  return { key, text: json.slice(keyEnd + OBJECT_MEMBER.length, -1) };
}

/** An ADDED record whose object is parsed when first read; undefined when the record is not in that form. */
function lazyAdded(revision: number, json: string): RawEvent | undefined {
  const parts = addedParts(json);
  if (!parts) return undefined;
  const { key } = parts;
  let text: string | undefined = parts.text;
  let object: KubeObject | undefined;
  const event = { type: 'ADDED' as const, key, revision, bytes: json.length };
  Object.defineProperty(event, 'object', {
    enumerable: true,
    get(): KubeObject {
      if (object === undefined) {
        object = freezeParsed(JSON.parse(text!) as KubeObject);
        text = undefined;
      }
      return object;
    },
  });
  return Object.freeze(event) as RawEvent;
}

/**
 * What an event-log record does to the current objects, for a replay: its key and, unless it is a deletion, the
 * object's JSON as it was stored (an ADDED record's is cut out of the record; another's is parsed and written
 * again, which gives the same text, since the stored text is `JSON.stringify`'s).
 */
export function eventEffect(json: string): { key: string; objectJson: string | undefined } {
  const added = addedParts(json);
  if (added) return { key: added.key, objectJson: added.text };
  const rec = JSON.parse(json) as EventRecord;
  if (typeof rec.key !== 'string' || (rec.type !== 'ADDED' && rec.type !== 'MODIFIED' && rec.type !== 'DELETED')) {
    throw new Error(`corrupt event record: type ${String(rec.type)}`);
  }
  return { key: rec.key, objectJson: rec.type === 'DELETED' ? undefined : JSON.stringify(rec.object) };
}

/** The index just past the JSON string that starts (with its quote) at `start`; -1 when there is none. */
function endOfString(text: string, start: number): number {
  if (text[start] !== '"') return -1;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c)
      i++; // backslash: skip the escaped character
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The mod revision recorded in a stored object (0 when missing or malformed). */
export function revisionOf(obj: KubeObject): number {
  const rv = Number(obj.metadata?.resourceVersion);
  return Number.isSafeInteger(rv) && rv > 0 ? rv : 0;
}
