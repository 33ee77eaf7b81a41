/**
 * `metadata.managedFields` to and from the field sets the updater works with, as
 * k8s.io/apimachinery/pkg/util/managedfields does: manager identifiers (the entry without time and fields,
 * and without apiVersion for appliers), entry order, the cap on update managers, and the manager name of a
 * request (`fieldManager`, else the User-Agent up to its first `/`).
 */
import { fieldErr, type FieldError } from '../../apimachinery/field-errors.js';
import { FieldSet } from './fieldpath.js';
import { compareBytes, goJsonString } from './json.js';
import type { ManagedFieldSets } from './updater.js';

/** One entry of `metadata.managedFields`, keys in Go's order. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

/** Field sets by manager identifier, and when each manager last changed something. */
export interface Managed {
  fields: ManagedFieldSets;
  times: Map<string, string | undefined>;
}

/** The most update managers kept; older ones are merged into `ancient-changes` buckets. */
export const MAX_UPDATE_MANAGERS = 10;
/** Longest field manager name (validation.FieldManagerMaxLength). */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/** An empty Managed. */
export function emptyManaged(): Managed {
  return { fields: new Map(), times: new Map() };
}

/** The identifier of a manager: its entry as JSON without time, fields and (for appliers) apiVersion. */
export function managerIdentifier(e: {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  const parts: string[] = [];
  if (e.manager) parts.push(`"manager":${goJsonString(e.manager)}`);
  if (e.operation) parts.push(`"operation":${goJsonString(e.operation)}`);
  if (e.apiVersion && e.operation !== 'Apply') parts.push(`"apiVersion":${goJsonString(e.apiVersion)}`);
  if (e.subresource) parts.push(`"subresource":${goJsonString(e.subresource)}`);
  return `{${parts.join(',')}}`;
}

/** What a manager identifier says. */
export type Identifier = Readonly<{ manager?: string; operation?: string; apiVersion?: string; subresource?: string }>;

/** Identifiers already parsed: there are few (a manager, operation, version and subresource each), up to a bound. */
const identifiers = new Map<string, Identifier>();
const MAX_IDENTIFIERS = 1000;

/** The entry fields an identifier carries. */
export function parseIdentifier(id: string): Identifier {
  let e = identifiers.get(id);
  if (e === undefined) {
    e = Object.freeze(JSON.parse(id) as Identifier);
    if (identifiers.size < MAX_IDENTIFIERS) identifiers.set(id, e);
  }
  return e;
}

/** `managedFields: []` or `[{}]` in a request: the client resets field management. */
export function isResetManagedFields(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  const only = v[0] as unknown;
  return (
    v.length === 1 &&
    only !== null &&
    typeof only === 'object' &&
    !Array.isArray(only) &&
    Object.values(only).every((x) => x === undefined || x === '' || x === null)
  );
}

/** Decodes managedFields entries; throws on what upstream refuses (bad operation, no apiVersion, bad fieldsType or fields). */
export function decodeManagedFields(entries: unknown): Managed {
  const m = emptyManaged();
  if (entries === undefined || entries === null) return m;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((raw, i) => {
    const e = (raw ?? {}) as ManagedFieldsEntry;
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || e.apiVersion.length < 1) throw new Error('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '')
      throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1')
      throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const id = managerIdentifier(e);
    const set = FieldSet.fromFieldsV1(e.fieldsV1 === undefined ? {} : e.fieldsV1);
    m.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === 'Apply' });
    m.times.set(id, typeof e.time === 'string' ? e.time : undefined);
  });
  return m;
}

/** Decodes, or undefined when the entries are not valid. */
export function tryDecodeManagedFields(entries: unknown): Managed | undefined {
  try {
    return decodeManagedFields(entries);
  } catch {
    return undefined;
  }
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const t = Date.parse(time);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** The entry of manager `id` (its identifier) owning `fieldsV1` in `apiVersion`, changed last at `time`. */
export function managedEntry(
  id: string,
  applied: boolean,
  apiVersion: string,
  time: string | undefined,
  fieldsV1: unknown,
): ManagedFieldsEntry {
  const ident = parseIdentifier(id);
  const e: ManagedFieldsEntry = {};
  if (ident.manager) e.manager = ident.manager;
  e.operation = applied ? 'Apply' : (ident.operation ?? 'Update');
  e.apiVersion = apiVersion;
  if (time) e.time = time;
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = fieldsV1;
  if (ident.subresource) e.subresource = ident.subresource;
  return e;
}

/** The managedFields entries of `m` in upstream's order (Apply first, then by time, manager, version, subresource). */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (m.fields.size === 0) return undefined;
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields)
    out.push(managedEntry(id, vs.applied, vs.apiVersion, m.times.get(id), vs.set.toFieldsV1()));
  return out.sort(
    (p, q) =>
      compareBytes(p.operation ?? '', q.operation ?? '') ||
      seconds(p.time) - seconds(q.time) ||
      compareBytes(p.manager ?? '', q.manager ?? '') ||
      compareBytes(p.apiVersion ?? '', q.apiVersion ?? '') ||
      compareBytes(p.subresource ?? '', q.subresource ?? ''),
  );
}

/**
 * Keeps at most MAX_UPDATE_MANAGERS update managers: the oldest are merged, per apiVersion, into an
 * `ancient-changes` manager (upstream's capManagersManager). Mutates `m`.
 */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || compareBytes(a, b));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const vs = m.fields.get(id)!;
    const time = m.times.get(id);
    const bucket = managerIdentifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      const s = m.fields.get(first)!;
      m.fields.delete(first);
      m.fields.set(bucket, s);
    }
    m.fields.set(bucket, {
      set: vs.set.union(m.fields.get(bucket)!.set),
      apiVersion: vs.apiVersion,
      applied: vs.applied,
    });
    m.fields.delete(id);
    m.times.delete(id);
    length--;
    m.times.set(bucket, time);
  }
}

/** Printable ASCII of at most FIELD_MANAGER_MAX_LENGTH characters (as many bytes). */
const PRINTABLE_ASCII = new RegExp(`^[\\x20-\\x7e]{0,${FIELD_MANAGER_MAX_LENGTH}}$`);

/** The manager name derived from a User-Agent: the part before the first `/`, printable characters, at most 128 bytes. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const slash = ua.indexOf('/');
  const prefix = slash < 0 ? ua : ua.slice(0, slash);
  // The common case, printable ASCII within the bound, is kept whole (no control or non-space separator in it).
  if (PRINTABLE_ASCII.test(prefix)) return prefix;
  let out = '';
  for (const ch of prefix) {
    if (/[\p{C}]/u.test(ch) || (/\p{Z}/u.test(ch) && ch !== ' ')) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

/** ValidateFieldManager: at most 128 bytes, printable characters only. */
export function validateFieldManager(name: string, field = 'fieldManager'): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(name) > FIELD_MANAGER_MAX_LENGTH) errs.push(fieldErr.tooLong(field, FIELD_MANAGER_MAX_LENGTH));
  let at = 0;
  for (const ch of name) {
    if (/[\p{C}]/u.test(ch) || (/\p{Z}/u.test(ch) && ch !== ' ')) {
      const u = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(fieldErr.invalid(field, name, `invalid character ${u} (at position ${at})`));
    }
    at += Buffer.byteLength(ch);
  }
  return errs;
}
