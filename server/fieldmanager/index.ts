/**
 * Field management for one served resource view, as kube-apiserver's FieldManager chain does it
 * (k8s.io/apimachinery/pkg/util/managedfields/internal): managedFields on every create, update and patch, and
 * server-side apply with conflicts, forced ownership, pruning of fields an applier dropped, the
 * `before-first-apply` manager for objects without managedFields, and the kubectl client-side → server-side
 * apply upgrade through the last-applied-configuration annotation.
 */
import { clone, deepFreeze, semanticEqual } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { rfc3339 } from '../../apimachinery/time.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors, StatusError } from '../registry/status.js';
import { FieldSet, fieldPE, pathString, type Path } from './fieldpath.js';
import { goJsonMarshal, goQuote } from './json.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  isResetManagedFields,
  managedEntry,
  managerIdentifier,
  parseIdentifier,
  tryDecodeManagedFields,
  type Managed,
} from './managed.js';
import { typeFor, type TypeNode } from './typed.js';
import {
  apply,
  ConflictsError,
  ignoredFields,
  ignoredWhole,
  update,
  type Conflict,
  type UpdaterContext,
} from './updater.js';
import { compare, goNormalize, normalizeUpdate, ownedFieldsV1, toFieldSet, validateApplied } from './walk.js';

export { FieldSet, pathString } from './fieldpath.js';
export { managerFromUserAgent, validateFieldManager, MAX_UPDATE_MANAGERS } from './managed.js';

/** The annotation kubectl's client-side apply keeps the applied configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager that takes ownership of existing fields when an object without managedFields is first applied to. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

const SELF = 'current-operation';
/** The fields no manager owns (upstream's stripped fields): type meta and the system-set metadata. */
export const STRIP = FieldSet.of(
  [fieldPE('apiVersion')],
  [fieldPE('kind')],
  [fieldPE('metadata')],
  ...[
    'name',
    'namespace',
    'creationTimestamp',
    'selfLink',
    'uid',
    'clusterName',
    'generation',
    'managedFields',
    'resourceVersion',
  ].map((f) => [fieldPE('metadata'), fieldPE(f)]),
);
/** Extra fields a /status write may not own, beyond `spec` (the status strategies' reset fields). */
const STATUS_RESET: Record<string, string[][]> = {
  pods: [
    ['metadata', 'deletionTimestamp'],
    ['metadata', 'ownerReferences'],
  ],
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `obj` without the top-level fields in `names` (a shallow copy; `obj` itself is left alone). */
function withoutFields(obj: Obj, names: ReadonlySet<string>): Obj {
  let found = false;
  for (const k of names) if (Object.hasOwn(obj, k)) found = true;
  if (!found) return obj;
  const out: Obj = {};
  for (const k of Object.keys(obj)) {
    if (names.has(k)) continue;
    // a member named `__proto__` stays an own property
    if (k === '__proto__')
      Object.defineProperty(out, k, { value: obj[k], enumerable: true, writable: true, configurable: true });
    else out[k] = obj[k];
  }
  return out;
}

function withoutManagedFields(obj: unknown): unknown {
  if (!isObj(obj) || !isObj(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/** `apps/v1, Kind=DaemonSet` (schema.GroupVersionKind's String()). */
function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const slash = av.indexOf('/');
  const [group, version] = slash >= 0 ? [av.slice(0, slash), av.slice(slash + 1)] : ['', av];
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/** How a conflict names its manager: `"kubectl"`, or `"x" using apps/v1` for updaters, with the subresource. */
export function printManager(id: string): string {
  let e: ReturnType<typeof parseIdentifier>;
  try {
    e = parseIdentifier(id);
  } catch {
    return goQuote(id);
  }
  let s = goQuote(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${goQuote(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion ?? ''}`;
  return s;
}

/** The 409 of an apply that conflicts (upstream's NewConflictError), one cause per conflicting field. */
export function conflictError(conflicts: Conflict[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
  const causes = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (sorted.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0]!.manager)}: ${pathString(sorted[0]!.path)}`;
  } else {
    const lines: string[] = [];
    let last: string | undefined;
    for (const c of sorted) {
      if (c.manager !== last) lines.push(`conflicts with ${printManager(c.manager)}:`);
      last = c.manager;
      lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError({ message, reason: 'Conflict', details: { causes }, code: 409 });
}

/** Field management of one resource as served through one group/version. */
export class FieldManager {
  private readonly ctxs = new Map<string, UpdaterContext>();
  private typeNode: TypeNode | undefined;

  constructor(private readonly handle: ResourceHandle) {}

  private get version(): string {
    return this.handle.view.groupVersion;
  }

  private type(): TypeNode {
    return (this.typeNode ??= typeFor(this.handle.view.group, this.handle.view.version, this.handle.def.kind));
  }

  /** The updater's view of the kind for a subresource ('' = the main resource). */
  private context(subresource: string): UpdaterContext {
    let ctx = this.ctxs.get(subresource);
    if (ctx) return ctx;
    const { def } = this.handle;
    const resetPaths =
      subresource === 'status'
        ? [['spec'], ...(STATUS_RESET[def.plural] ?? [])]
        : def.statusStrategy
          ? [['status']]
          : [];
    const reset = resetPaths.length ? FieldSet.of(...resetPaths.map((p) => p.map(fieldPE))) : undefined;
    const viewOf = (gv: string) => def.versions.find((v) => v.groupVersion === gv);
    ctx = {
      typeOf: (gv) => {
        const v = viewOf(gv);
        return v ? typeFor(v.group, v.version, def.kind) : undefined;
      },
      convert: (obj, from, to) => {
        if (from === to) return obj;
        const src = viewOf(from);
        const dst = viewOf(to);
        if (!src || !dst || !isObj(obj)) return undefined;
        const stored = src.toStorage(clone(obj) as KubeObject, {
          view: src,
          now: new Date(),
          dryRun: true,
          namespace: undefined,
        });
        return goNormalize(dst.fromStorage(stored), typeFor(dst.group, dst.version, def.kind));
      },
      ignored: () => reset,
    };
    this.ctxs.set(subresource, ctx);
    return ctx;
  }

  /** The normalized absent object, frozen: what every create's object is compared with (only read there). */
  private nothing: unknown;

  private normalized(obj: unknown): unknown {
    return goNormalize(withoutManagedFields(obj ?? {}), this.type());
  }

  /** Adds the update of `id` (through the managedFieldsUpdater/stripMeta wrappers) to `managed`. */
  private recordUpdate(
    managed: Managed,
    live: unknown,
    next: unknown,
    id: string,
    subresource: string,
    now: string,
  ): Managed {
    const fields = update(this.context(subresource), live, next, this.version, managed.fields, SELF);
    const times = new Map(managed.times);
    const self = fields.get(SELF);
    fields.delete(SELF);
    if (self) {
      const set = self.set.difference(STRIP);
      if (!set.isEmpty()) {
        const prev = fields.get(id);
        // (the manager's previous set itself when the update added nothing to it: its encoding is reused)
        fields.set(id, { set: prev ? prev.set.union(set) : set, apiVersion: self.apiVersion, applied: false });
        times.set(id, now);
      }
    }
    const out: Managed = { fields, times };
    capUpdateManagers(out);
    return out;
  }

  /**
   * Sets `next.metadata.managedFields` for a create (`live` undefined), update or patch by `manager`; `live` and
   * `next` are in this view's form (`next` defaulted as it will be stored). A body's own valid managedFields
   * replace the live ones, `[]` or `[{}]` resets them; on a subresource the live ones are always kept.
   * Returns `next` (mutated).
   */
  update(live: KubeObject | undefined, next: KubeObject, manager: string, subresource = ''): KubeObject {
    if (!isObj(next)) return next;
    if (!isObj(next.metadata)) next.metadata = {};
    const liveEntries = live?.metadata?.managedFields;
    const fromLive = () =>
      liveEntries === undefined ? emptyManaged() : (tryDecodeManagedFields(liveEntries) ?? emptyManaged());
    let managed: Managed;
    const given = next.metadata.managedFields;
    if (subresource) managed = fromLive();
    else if (isResetManagedFields(given)) managed = emptyManaged();
    else {
      // A body that sends the live entries back (a PUT of what was read, a patch that left them alone) decodes as
      // they do: the live entries are frozen, so their field sets are decoded once, not on every write.
      const same = liveEntries !== undefined && given !== undefined && semanticEqual(given, liveEntries);
      // (no entries decode as none: a body without them, a create's mostly, takes the live ones)
      const m = given === undefined ? undefined : tryDecodeManagedFields(same ? liveEntries : given);
      managed = m && m.fields.size > 0 ? m : fromLive();
    }
    delete next.metadata.managedFields;
    // Objects that exist without managedFields are not tracked until they are applied to.
    if (managed.fields.size === 0 && live?.metadata?.uid) return next;
    try {
      const id = managerIdentifier({
        manager: manager || 'unknown',
        operation: 'Update',
        apiVersion: this.version,
        subresource,
      });
      let liveN: unknown;
      let nextN: unknown;
      // Only compare reads the normalized objects unless another version's managers need them converted.
      let oneVersion = true;
      for (const vs of managed.fields.values()) if (vs.apiVersion !== this.version) oneVersion = false;
      if (live === undefined) {
        liveN = this.nothing ??= deepFreeze(this.normalized(undefined));
        // The comparison passes over the reset fields (a created Node's status): they need no normalizing.
        const ignored = this.context(subresource).ignored(this.version);
        const skip = oneVersion ? ignoredFields(ignored) : undefined;
        nextN = this.normalized(skip ? withoutFields(next, skip) : next);
        if (managed.fields.size === 0 && !subresource && ignoredWhole(ignored)) {
          // What nobody owned before is the writer's alone: its fields as FieldsV1 at once, the entry recordUpdate
          // and encodeManagedFields would give (tests/unit/fieldmanager/write-fast-paths.test.ts compares them).
          const fieldsV1 = ownedFieldsV1(liveN, nextN, this.type(), skip, STRIP);
          if (fieldsV1)
            next.metadata.managedFields = [managedEntry(id, false, this.version, rfc3339(new Date()), fieldsV1)];
          return next;
        }
      } else {
        // What the write left alone is one value on both sides, which the comparison passes over: the same field
        // sets result.
        [liveN, nextN] = normalizeUpdate(
          withoutManagedFields(live),
          withoutManagedFields(next),
          this.type(),
          oneVersion,
        );
      }
      const result = this.recordUpdate(managed, liveN, nextN, id, subresource, rfc3339(new Date()));
      const entries = encodeManagedFields(result);
      if (entries) next.metadata.managedFields = entries;
    } catch {
      // UpdateNoErrors: the live managedFields are kept rather than losing them.
      if (liveEntries !== undefined) next.metadata.managedFields = liveEntries;
    }
    return next;
  }

  /**
   * Server-side apply of `config` by `manager` onto `live` (undefined: the object does not exist yet). Returns
   * the object to store, in this view's form, with its managedFields. Throws the apiserver's errors: 400 for a
   * config of another kind or with managedFields, 500 for fields the schema does not declare, 409 on conflicts.
   */
  apply(live: KubeObject | undefined, config: Obj, manager: string, force: boolean, subresource = ''): KubeObject {
    const { def, view } = this.handle;
    if (config.apiVersion !== view.groupVersion || config.kind !== def.kind) {
      throw errors.badRequest(`invalid object type: ${gvkString(config.apiVersion, config.kind)}`);
    }
    const liveView = live ? (clone(live) as KubeObject) : undefined;
    let managed: Managed;
    try {
      managed = decodeManagedFields(liveView?.metadata?.managedFields);
    } catch (err) {
      throw new StatusError({ message: `failed to decode managed fields: ${(err as Error).message}`, code: 500 });
    }
    const run = (forced: boolean) => this.applyOnce(liveView, config, managed, manager, forced, subresource);
    let result: { object: KubeObject; managed: Managed };
    try {
      result = run(force);
    } catch (err) {
      if (!(err instanceof ConflictsError)) throw err;
      const remaining = manager === 'kubectl' ? this.notAllowedByLastApplied(liveView, err.conflicts) : err.conflicts;
      if (remaining.length > 0) throw conflictError(remaining);
      result = run(true);
    }
    const { object } = result;
    if (manager === 'kubectl') syncLastApplied(object, config);
    if (!isObj(object.metadata)) object.metadata = {};
    const entries = encodeManagedFields(result.managed);
    if (entries) object.metadata.managedFields = entries;
    else delete object.metadata.managedFields;
    return object;
  }

  private applyOnce(
    liveView: KubeObject | undefined,
    config: Obj,
    initial: Managed,
    manager: string,
    force: boolean,
    subresource: string,
  ): { object: KubeObject; managed: Managed } {
    const now = rfc3339(new Date());
    const liveT = this.normalized(liveView);
    let managed = initial;
    if (managed.fields.size === 0) {
      const id = managerIdentifier({
        manager: BEFORE_FIRST_APPLY,
        operation: 'Update',
        apiVersion: this.version,
        subresource,
      });
      managed = this.recordUpdate(managed, this.normalized(undefined), liveT, id, subresource, now);
    }
    const meta = config.metadata;
    if (isObj(meta) && meta.managedFields !== undefined && meta.managedFields !== null)
      throw errors.badRequest('metadata.managedFields must be nil');
    const errs = validateApplied(config, this.type());
    if (errs.length > 0) {
      const ns = isObj(meta) && typeof meta.namespace === 'string' ? meta.namespace : '';
      const name = isObj(meta) && typeof meta.name === 'string' ? meta.name : '';
      const detail = errs.length === 1 ? errs[0] : `errors:\n${errs.map((e) => `  ${e}`).join('\n')}`;
      throw new StatusError({
        message: `failed to create typed patch object (${ns}/${name}; ${gvkString(config.apiVersion, config.kind)}): ${detail}`,
        code: 500,
      });
    }
    const id = managerIdentifier({ manager, operation: 'Apply', subresource });
    const r = apply(this.context(subresource), liveT, config, this.version, managed.fields, id, force);
    const fields = r.managers;
    const own = fields.get(id);
    if (own) {
      const set = own.set.difference(STRIP);
      if (set.isEmpty()) fields.delete(id);
      else fields.set(id, { ...own, set });
    }
    const times = new Map(managed.times);
    let object: KubeObject;
    if (r.object !== undefined) {
      object = r.object as KubeObject;
      times.set(id, now);
    } else {
      object = (liveView ? clone(liveView) : {}) as KubeObject;
    }
    const out: Managed = { fields, times };
    capUpdateManagers(out);
    return { object, managed: out };
  }

  /** The conflicts kubectl's last-applied-configuration does not explain (client-side → server-side apply upgrade). */
  private notAllowedByLastApplied(liveView: KubeObject | undefined, conflicts: Conflict[]): Conflict[] {
    const text = liveView?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
    if (typeof text !== 'string' || text === '') return conflicts;
    let last: unknown;
    try {
      last = JSON.parse(text);
    } catch {
      return conflicts;
    }
    if (!isObj(last) || last.apiVersion !== this.version || validateApplied(last, this.type()).length > 0)
      return conflicts;
    const t = this.type();
    const cmp = compare(last, this.normalized(liveView), t);
    const allowed = toFieldSet(last, t).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
    return conflicts.filter((c) => !allowed.has(c.path as Path));
  }
}

/** Rewrites an existing last-applied-configuration annotation to the applied configuration (kubectl only). */
function syncLastApplied(object: KubeObject, config: Obj): void {
  const annotations = object.metadata?.annotations;
  if (
    !isObj(annotations) ||
    typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' ||
    annotations[LAST_APPLIED_ANNOTATION] === ''
  )
    return;
  const copy = clone(config);
  if (isObj(copy.metadata) && isObj(copy.metadata.annotations))
    delete copy.metadata.annotations[LAST_APPLIED_ANNOTATION];
  object.metadata.annotations = { ...annotations, [LAST_APPLIED_ANNOTATION]: `${goJsonMarshal(copy)}\n` };
}

const managers = new WeakMap<ResourceHandle, FieldManager>();

/** The FieldManager of a handle (one per served view). */
export function fieldManagerFor(handle: ResourceHandle): FieldManager {
  let fm = managers.get(handle);
  if (!fm) managers.set(handle, (fm = new FieldManager(handle)));
  return fm;
}
