/**
 * ObjectMeta validation on create and update (k8s.io/apimachinery/pkg/api/validation/objectmeta.go, plus the
 * core-group finalizer rule from pkg/apis/core/validation). Pure functions returning upstream field errors.
 */
import {
  child,
  fieldErr,
  type FieldError,
  goStringSlice,
  index,
  invalidRendered,
} from '../../../apimachinery/field-errors.js';
import { validateLabels } from '../../../apimachinery/labels.js';
import { byteLen, isQualifiedName } from '../../../apimachinery/validation.js';
import { arr, goTime, isObj, num, sortedKeys, str } from './helpers.js';
import { nameIsDNSLabel, nameIsPathSegment, type NameValidator } from './names.js';
import type { ObjectMeta, OwnerReference } from './types.js';

/** Upstream's FieldImmutableErrorMsg. */
export const FIELD_IMMUTABLE = 'field is immutable';
/** Total annotation size limit in bytes (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** Options for validateObjectMeta. */
export interface ObjectMetaOptions {
  /** Whether the kind is namespaced (namespace required) or cluster-scoped (namespace forbidden). */
  namespaced: boolean;
  /** Rule for `name` (and for `generateName` with prefix=true). */
  nameValidator: NameValidator;
  /**
   * Also apply the built-in-kind finalizer rule (`metadata.finalizers[i]`: unprefixed names must be one of
   * kubernetes/orphan/foregroundDeletion). True for kinds validated by pkg/apis/*; false for custom resources.
   */
  kubeFinalizers?: boolean;
}

/** Annotation keys (qualified names, case-insensitive) and total size. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(annotations)) return errs;
  let total = 0;
  for (const k of sortedKeys(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, m));
    total += byteLen(k) + byteLen(str(annotations[k]));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldErr.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' };
}

/** Owner references: required fields (errors at the list path, without index, as upstream) and one controller. */
export function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of arr<OwnerReference>(refs)) {
    const gv = parseGroupVersion(str(r.apiVersion));
    if (!gv.version)
      errs.push(fieldErr.invalid(child(path, 'apiVersion'), str(r.apiVersion), 'version must not be empty'));
    if (!str(r.kind)) errs.push(fieldErr.invalid(child(path, 'kind'), str(r.kind), 'must not be empty'));
    if (!str(r.name)) errs.push(fieldErr.invalid(child(path, 'name'), str(r.name), 'must not be empty'));
    if (!str(r.uid)) errs.push(fieldErr.invalid(child(path, 'uid'), str(r.uid), 'must not be empty'));
    if (gv.group === '' && gv.version === 'v1' && r.kind === 'Event') {
      errs.push(fieldErr.invalid(path, r, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (r.controller === true) {
      const cur = `${str(r.kind)}/${str(r.name)}`;
      if (firstController) {
        errs.push(
          fieldErr.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else firstController = cur;
    }
  }
  return errs;
}

/** Finalizer names are qualified names; `orphan` and `foregroundDeletion` are mutually exclusive. */
export function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const list = arr<string>(finalizers).map(str);
  const errs: FieldError[] = [];
  for (const f of list) for (const m of isQualifiedName(f)) errs.push(fieldErr.invalid(path, f, m));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(
      invalidRendered(path, goStringSlice(list), list, 'finalizer orphan and foregroundDeletion cannot be both set'),
    );
  }
  return errs;
}

/** The built-in-kind rule: an unprefixed finalizer must be a standard one (error at `path`). */
export function validateKubeFinalizerName(name: string, path: string): FieldError[] {
  if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
    return [fieldErr.invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
  }
  return [];
}

/** A character of Unicode's "Other" categories (controls, formats, unassigned, surrogates, private use). */
const CONTROL = /\p{C}/u;

function validateManagedFields(entries: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(entries).forEach((e, i) => {
    if (!isObj(e)) return;
    // (an entry's path is made only for an error: every write checks every entry)
    const p = () => index(path, i);
    if (e.operation !== 'Apply' && e.operation !== 'Update')
      errs.push(fieldErr.invalid(child(p(), 'operation'), str(e.operation), 'must be `Apply` or `Update`'));
    if (str(e.fieldsType) && e.fieldsType !== 'FieldsV1')
      errs.push(fieldErr.invalid(child(p(), 'fieldsType'), str(e.fieldsType), 'must be `FieldsV1`'));
    const manager = str(e.manager);
    if (byteLen(manager) > 128) errs.push(fieldErr.tooLong(child(p(), 'manager'), 128));
    if (CONTROL.test(manager)) {
      let at = 0;
      for (const ch of manager) {
        if (CONTROL.test(ch)) {
          const u = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
          errs.push(fieldErr.invalid(child(p(), 'manager'), manager, `invalid character ${u} (at position ${at})`));
        }
        at += byteLen(ch);
      }
    }
    if (byteLen(str(e.subresource)) > 256) errs.push(fieldErr.tooLong(child(p(), 'subresource'), 256));
  });
  return errs;
}

function commonMeta(meta: ObjectMeta, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(meta.namespace);
  if (namespaced) {
    if (!ns) errs.push(fieldErr.required(child(path, 'namespace'), ''));
    else for (const m of nameIsDNSLabel(ns, false)) errs.push(fieldErr.invalid(child(path, 'namespace'), ns, m));
  } else if (ns) {
    errs.push(fieldErr.forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  const gen = num(meta.generation) ?? 0;
  if (gen < 0) errs.push(fieldErr.invalid(child(path, 'generation'), gen, 'must be greater than or equal to 0'));
  errs.push(...validateLabels(meta.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, child(path, 'finalizers')));
  errs.push(...validateManagedFields(meta.managedFields, child(path, 'managedFields')));
  return errs;
}

function kubeFinalizerErrors(meta: ObjectMeta, path: string): FieldError[] {
  return arr<string>(meta.finalizers).flatMap((f, i) =>
    validateKubeFinalizerName(str(f), index(child(path, 'finalizers'), i)),
  );
}

/**
 * Validates metadata of an object being created (after name generation): generateName (as a prefix) and
 * name against `nameValidator`, namespace presence by scope, generation, labels, annotations,
 * ownerReferences, finalizers and managedFields. Errors are in upstream's order.
 */
export function validateObjectMeta(
  meta: ObjectMeta | undefined | null,
  opts: ObjectMetaOptions,
  path = 'metadata',
): FieldError[] {
  const m: ObjectMeta = isObj(meta) ? meta : {};
  const errs: FieldError[] = [];
  const gen = str(m.generateName);
  if (gen)
    for (const msg of opts.nameValidator(gen, true)) errs.push(fieldErr.invalid(child(path, 'generateName'), gen, msg));
  const name = str(m.name);
  if (!name) errs.push(fieldErr.required(child(path, 'name'), 'name or generateName is required'));
  else for (const msg of opts.nameValidator(name, false)) errs.push(fieldErr.invalid(child(path, 'name'), name, msg));
  errs.push(...commonMeta(m, opts.namespaced, path));
  if (opts.kubeFinalizers) errs.push(...kubeFinalizerErrors(m, path));
  return errs;
}

/**
 * The generic metadata check the apiserver's BeforeCreate runs for every kind after the kind's own
 * validation (names only need to be valid path segments).
 */
export function validateGenericObjectMeta(
  meta: ObjectMeta | undefined | null,
  namespaced: boolean,
  path = 'metadata',
): FieldError[] {
  return validateObjectMeta(meta, { namespaced, nameValidator: nameIsPathSegment }, path);
}

function timeEqual(a: unknown, b: unknown): boolean {
  const ta = typeof a === 'string' && a ? Date.parse(a) : null;
  const tb = typeof b === 'string' && b ? Date.parse(b) : null;
  return ta === tb || (Number.isNaN(ta) && Number.isNaN(tb));
}

/**
 * Validates metadata on update: no new finalizers while deleting, resourceVersion present, generation not
 * decremented, name/namespace/uid/creationTimestamp/deletionTimestamp/deletionGracePeriodSeconds immutable,
 * and labels/annotations/ownerReferences/managedFields valid. (The apiserver's BeforeUpdate first copies
 * generation, creationTimestamp, a missing uid and an existing deletionTimestamp from the old object, so
 * through the API only uid/name/namespace/deletion* changes actually surface here.)
 * `kubeFinalizers` adds the built-in-kind finalizer rule for `newMeta.finalizers`.
 */
export function validateObjectMetaUpdate(
  newMeta: ObjectMeta | undefined | null,
  oldMeta: ObjectMeta | undefined | null,
  path = 'metadata',
  opts: { kubeFinalizers?: boolean } = {},
): FieldError[] {
  const n: ObjectMeta = isObj(newMeta) ? newMeta : {};
  const o: ObjectMeta = isObj(oldMeta) ? oldMeta : {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const oldSet = new Set(arr<string>(o.finalizers));
    const extra = [...new Set(arr<string>(n.finalizers))].filter((f) => !oldSet.has(f)).sort();
    if (extra.length) {
      errs.push(
        fieldErr.forbidden(
          child(path, 'finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`,
        ),
      );
    }
  }
  if (!str(n.resourceVersion))
    errs.push(fieldErr.invalid(child(path, 'resourceVersion'), '', 'must be specified for an update'));
  const ng = num(n.generation) ?? 0;
  if (ng < (num(o.generation) ?? 0))
    errs.push(fieldErr.invalid(child(path, 'generation'), ng, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid'] as const) {
    if (str(n[f]) !== str(o[f])) errs.push(fieldErr.invalid(child(path, f), str(n[f]), FIELD_IMMUTABLE));
  }
  if (!timeEqual(n.creationTimestamp, o.creationTimestamp)) {
    const v = n.creationTimestamp ? goTime(n.creationTimestamp) : '0001-01-01 00:00:00 +0000 UTC';
    errs.push(invalidRendered(child(path, 'creationTimestamp'), v, n.creationTimestamp ?? null, FIELD_IMMUTABLE));
  }
  if (!timeEqual(n.deletionTimestamp, o.deletionTimestamp)) {
    const v = n.deletionTimestamp ? goTime(n.deletionTimestamp) : 'null';
    errs.push(invalidRendered(child(path, 'deletionTimestamp'), v, n.deletionTimestamp ?? null, FIELD_IMMUTABLE));
  }
  if ((n.deletionGracePeriodSeconds ?? null) !== (o.deletionGracePeriodSeconds ?? null)) {
    errs.push(
      fieldErr.invalid(
        child(path, 'deletionGracePeriodSeconds'),
        n.deletionGracePeriodSeconds ?? null,
        FIELD_IMMUTABLE,
      ),
    );
  }
  errs.push(...validateLabels(n.labels, child(path, 'labels')));
  errs.push(...validateAnnotations(n.annotations, child(path, 'annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, child(path, 'ownerReferences')));
  errs.push(...validateManagedFields(n.managedFields, child(path, 'managedFields')));
  if (opts.kubeFinalizers) errs.push(...kubeFinalizerErrors(n, path));
  return errs;
}
