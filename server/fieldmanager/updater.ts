/**
 * Ownership bookkeeping of structured-merge-diff's Updater: which manager owns which fields after an update
 * or an apply, conflicts between appliers and other managers, and the pruning of fields an applier stopped
 * setting. Objects are given in the request's version; managers may hold sets in other versions, for which
 * objects are converted.
 */
import { semanticEqual } from '../../apimachinery/copy.js';
import { FieldSet, type Path } from './fieldpath.js';
import type { TypeNode } from './typed.js';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './walk.js';

/** A manager's fields, the version they are expressed in, and whether they were applied. */
export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Manager identifier → owned fields. */
export type ManagedFieldSets = Map<string, VersionedSet>;

/** What the updater needs to know about the kind. */
export interface UpdaterContext {
  /** The type of the kind in an apiVersion (undefined when that version is not served). */
  typeOf(apiVersion: string): TypeNode | undefined;
  /** Converts an object between served versions; undefined when the target version is not served. */
  convert(obj: unknown, from: string, to: string): unknown;
  /** Fields nobody owns in a version (the strategy's reset fields: status, or spec on /status). */
  ignored(apiVersion: string): FieldSet | undefined;
}

/** One field owned by another manager that an apply would change. */
export interface Conflict {
  manager: string;
  path: Path;
}

/** Thrown by an apply that conflicts with other managers (without force). */
export class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(`${conflicts.length} conflicts`);
  }
}

/** The top-level fields `ignored` holds whole (a comparison need not look below them), once per set. */
const wholeFields = new WeakMap<FieldSet, ReadonlySet<string>>();
export function ignoredFields(ignored: FieldSet | undefined): ReadonlySet<string> | undefined {
  if (!ignored) return undefined;
  let names = wholeFields.get(ignored);
  if (!names) {
    const found = new Set<string>();
    for (const pe of ignored.memberElements()) if ('field' in pe) found.add(pe.field);
    wholeFields.set(ignored, (names = found));
  }
  return names.size > 0 ? names : undefined;
}

/** Sets whose members are all top-level fields (whole), once per set. */
const onlyWholeFields = new WeakMap<FieldSet, boolean>();
/**
 * Whether `ignored` is only whole top-level fields (a strategy's `status` or `spec`): then a comparison that passes
 * over {@link ignoredFields} has nothing of it in its result, and taking `ignored` out of it changes nothing.
 */
export function ignoredWhole(ignored: FieldSet | undefined): boolean {
  if (!ignored) return true;
  let whole = onlyWholeFields.get(ignored);
  if (whole === undefined) {
    whole = ignored.childEntries().length === 0 && ignored.memberElements().every((pe) => 'field' in pe);
    onlyWholeFields.set(ignored, whole);
  }
  return whole;
}

/** Compares two objects of type `t` without what `ignored` takes out of the result. */
function compareOwned(oldObj: unknown, newObj: unknown, t: TypeNode, ignored: FieldSet | undefined): Comparison {
  return excluded(compare(oldObj, newObj, t, ignoredFields(ignored)), ignored);
}

function excluded(c: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored || ignored.isEmpty()) return c;
  return {
    added: c.added.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
  };
}

function updateOthers(
  ctx: UpdaterContext,
  oldObj: unknown,
  newObj: unknown,
  version: string,
  managers: ManagedFieldSets,
  workflow: string,
  force: boolean,
): { managers: ManagedFieldSets; compare: Comparison } {
  const type = ctx.typeOf(version)!;
  const own = compareOwned(oldObj, newObj, type, ctx.ignored(version));
  /** Each version's comparison, with what it added or modified (the fields another manager may lose). */
  const byVersion = new Map<string, { cmp: Comparison; changed: FieldSet }>([
    [version, { cmp: own, changed: own.modified.union(own.added) }],
  ]);
  const conflicts = new Map<string, FieldSet>();
  const removed = new Map<string, FieldSet>();
  const out: ManagedFieldSets = new Map(managers);
  for (const [manager, vs] of managers) {
    if (manager === workflow) continue;
    let cv = byVersion.get(vs.apiVersion);
    if (!cv) {
      const t = ctx.typeOf(vs.apiVersion);
      const o = t && ctx.convert(oldObj, version, vs.apiVersion);
      const n = t && ctx.convert(newObj, version, vs.apiVersion);
      if (!t || o === undefined || n === undefined) {
        out.delete(manager); // a version that is no longer served: its managers are forgotten
        continue;
      }
      const cmp = compareOwned(o, n, t, ctx.ignored(vs.apiVersion));
      cv = { cmp, changed: cmp.modified.union(cmp.added) };
      byVersion.set(vs.apiVersion, cv);
    }
    // (most writes change nothing another manager owns: the intersection is made only when there is one)
    if (vs.set.intersects(cv.changed)) conflicts.set(manager, vs.set.intersection(cv.changed));
    if (!cv.cmp.removed.isEmpty()) removed.set(manager, cv.cmp.removed);
  }
  if (!force && conflicts.size > 0) {
    const list: Conflict[] = [];
    for (const [manager, set] of conflicts) for (const path of set.paths()) list.push({ manager, path });
    throw new ConflictsError(list);
  }
  for (const [manager, set] of conflicts) {
    const vs = out.get(manager);
    if (vs) out.set(manager, { ...vs, set: vs.set.difference(set) });
  }
  for (const [manager, set] of removed) {
    const vs = out.get(manager);
    if (vs) out.set(manager, { ...vs, set: vs.set.difference(set) });
  }
  for (const [manager, vs] of [...out]) if (vs.set.isEmpty()) out.delete(manager);
  return { managers: out, compare: own };
}

/**
 * An update (create, PUT, patch) by `manager`: it gains what it added or changed and loses what it removed;
 * other managers lose the fields it changed (updates always win).
 */
export function update(
  ctx: UpdaterContext,
  live: unknown,
  next: unknown,
  version: string,
  managers: ManagedFieldSets,
  manager: string,
): ManagedFieldSets {
  const { managers: out, compare: cmp } = updateOthers(ctx, live, next, version, managers, manager, true);
  const prev = out.get(manager)?.set;
  let set = (prev ? prev.difference(cmp.removed) : new FieldSet()).union(cmp.modified).union(cmp.added);
  const ignored = ctx.ignored(version);
  if (ignored) set = set.recursiveDifference(ignored);
  if (set.isEmpty()) out.delete(manager);
  else out.set(manager, { set, apiVersion: version, applied: false });
  return out;
}

/**
 * A server-side apply of `config` by `manager` onto `live`: the merged object (undefined when nothing changed)
 * and the new ownership. Throws ConflictsError when another manager owns a field the apply changes, unless
 * `force`. Fields the manager applied before and no longer applies are removed unless someone else owns them.
 */
export function apply(
  ctx: UpdaterContext,
  live: unknown,
  config: unknown,
  version: string,
  managers: ManagedFieldSets,
  manager: string,
  force: boolean,
): { object: unknown; managers: ManagedFieldSets } {
  const type = ctx.typeOf(version)!;
  let merged: unknown = merge(live, config, type) ?? {};
  const last = managers.get(manager);
  let set = toFieldSet(config, type);
  const ignored = ctx.ignored(version);
  if (ignored) set = set.recursiveDifference(ignored);
  const withApplier: ManagedFieldSets = new Map(managers);
  withApplier.set(manager, { set, apiVersion: version, applied: true });
  merged = prune(ctx, merged, version, withApplier, last);
  const { managers: out } = updateOthers(ctx, live, merged, version, withApplier, manager, force);
  return { object: semanticEqual(live, merged) ? undefined : merged, managers: out };
}

function prune(
  ctx: UpdaterContext,
  merged: unknown,
  version: string,
  managers: ManagedFieldSets,
  last: VersionedSet | undefined,
): unknown {
  if (!last || last.set.isEmpty()) return merged;
  const lv = last.apiVersion;
  const t = ctx.typeOf(lv);
  const converted = t && ctx.convert(merged, version, lv);
  if (!t || converted === undefined) return merged;
  let pruned: unknown = removeItems(converted, ensureNamedFieldsAreMembers(last.set, t), t) ?? {};
  // Add back what any manager (the applier's new configuration included) still owns.
  const byVersion = new Map<string, FieldSet>();
  for (const vs of managers.values())
    byVersion.set(vs.apiVersion, (byVersion.get(vs.apiVersion) ?? vs.set).union(vs.set));
  const versions = [...byVersion.keys()].sort((a, b) => (a === lv ? -1 : b === lv ? 1 : 0));
  let at = lv;
  for (const v of versions) {
    const vt = ctx.typeOf(v);
    if (!vt) continue;
    const m = ctx.convert(converted, lv, v);
    const p = ctx.convert(pruned, at, v);
    if (m === undefined || p === undefined) continue;
    const owned = ensureNamedFieldsAreMembers(byVersion.get(v)!, vt);
    const drop = ensureNamedFieldsAreMembers(toFieldSet(m, vt), vt).difference(
      ensureNamedFieldsAreMembers(toFieldSet(p, vt), vt).union(owned),
    );
    pruned = removeItems(m, drop, vt) ?? {};
    at = v;
  }
  // Only what the applier owned before may go; anything else removed above comes back.
  const back = ctx.convert(pruned, at, lv);
  if (back !== undefined) {
    const prunedSet = ensureNamedFieldsAreMembers(toFieldSet(back, t), t);
    const mergedSet = ensureNamedFieldsAreMembers(toFieldSet(converted, t), t);
    const lastSet = ensureNamedFieldsAreMembers(last.set, t);
    pruned = removeItems(converted, mergedSet.difference(prunedSet).intersection(lastSet), t) ?? {};
    at = lv;
  }
  const result = ctx.convert(pruned, at, version);
  return result === undefined ? merged : result;
}
