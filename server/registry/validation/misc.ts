/**
 * Namespace and core/v1 Event defaulting and validation (pkg/apis/core/v1 defaults, the namespace
 * strategy, pkg/apis/core/validation ValidateNamespace* and events.go legacy rules).
 */
import { fieldErr, type FieldError } from '../../../apimachinery/field-errors.js';
import { byteLen, isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { arr, isObj, obj, str } from './helpers.js';
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSLabel } from './names.js';
import type { Event, Namespace } from './types.js';

/**
 * Namespace defaulting on create: the `kubernetes.io/metadata.name` label (when named), status.phase
 * Active when unset, and the `kubernetes` finalizer appended to spec.finalizers when missing.
 */
export function defaultNamespace(ns: Namespace): Namespace {
  if (!isObj(ns)) return ns;
  if (!isObj(ns.metadata)) ns.metadata = {};
  const name = str(ns.metadata.name);
  if (name)
    ns.metadata.labels = { ...obj(ns.metadata.labels), 'kubernetes.io/metadata.name': name } as Record<string, string>;
  if (!isObj(ns.status)) ns.status = {};
  ns.status.phase ||= 'Active';
  if (!isObj(ns.spec)) ns.spec = {};
  const fins = arr<string>(ns.spec.finalizers);
  if (!fins.includes('kubernetes')) ns.spec.finalizers = [...fins, 'kubernetes'];
  return ns;
}

function specFinalizers(ns: Namespace, indexed: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr<string>(ns?.spec?.finalizers).forEach((f, i) => {
    const p = indexed ? `spec.finalizers[${i}]` : 'spec.finalizers';
    for (const m of isQualifiedName(str(f))) errs.push(fieldErr.invalid(p, str(f), m));
    errs.push(...validateKubeFinalizerName(str(f), p));
  });
  return errs;
}

/** ValidateNamespace: metadata (cluster-scoped, DNS-label name) and spec.finalizers names. */
export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns?.metadata, {
    namespaced: false,
    nameValidator: nameIsDNSLabel,
    kubeFinalizers: true,
  });
  return errs.concat(specFinalizers(ns, false));
}

/** ValidateNamespaceUpdate: metadata update rules only (spec and status change through subresources). */
export function validateNamespaceUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return validateObjectMetaUpdate(ns?.metadata, old?.metadata, 'metadata', { kubeFinalizers: true });
}

/** ValidateNamespaceStatusUpdate: phase Active unless deleting, Terminating once deleting. */
export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = validateNamespaceUpdate(ns, old);
  const phase = str(ns?.status?.phase);
  if (!ns?.metadata?.deletionTimestamp) {
    if (phase !== 'Active')
      errs.push(fieldErr.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fieldErr.invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/** ValidateNamespaceFinalizeUpdate (the /finalize subresource): metadata update rules and finalizer names. */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  return validateNamespaceUpdate(ns, old).concat(specFinalizers(ns, true));
}

/**
 * core/v1 Event "defaulting": the zero values Go always serializes for an Event (empty involvedObject and
 * source structs, null timestamps, empty reportingComponent/reportingInstance). No scheme defaults exist.
 */
export function defaultEvent(ev: Event): Event {
  if (!isObj(ev)) return ev;
  if (!isObj(ev.involvedObject)) ev.involvedObject = {};
  if (!isObj(ev.source)) ev.source = {};
  for (const f of ['firstTimestamp', 'lastTimestamp', 'eventTime'] as const) if (ev[f] === undefined) ev[f] = null;
  ev.reportingComponent ??= '';
  ev.reportingInstance ??= '';
  return ev;
}

const isZeroTime = (v: unknown) => typeof v !== 'string' || v === '';

/**
 * Events written through core/v1 (create and update): the legacy rules only. Without eventTime, the
 * involved object's namespace must match (or be empty with the event in "" / "default"); with eventTime
 * (new-style events), reportingController/reportingInstance/action/reason are required and bounded. The
 * event namespace must be a DNS subdomain. (Name/metadata checks are the generic BeforeCreate ones.)
 */
export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const e: Event = isObj(ev) ? ev : {};
  const ns = str(e.metadata?.namespace);
  const ions = str(e.involvedObject?.namespace);
  const mismatch = () => fieldErr.invalid('involvedObject.namespace', ions, 'does not match event.namespace');
  if (isZeroTime(e.eventTime)) {
    if (!ions) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== ions) errs.push(mismatch());
  } else {
    if (!ions && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const rc = str(e.reportingComponent);
    if (!rc) errs.push(fieldErr.required('reportingController', ''));
    for (const m of isQualifiedName(rc)) errs.push(fieldErr.invalid('reportingController', rc, m));
    const ri = str(e.reportingInstance);
    if (!ri) errs.push(fieldErr.required('reportingInstance', ''));
    if (byteLen(ri) > 128) errs.push(fieldErr.invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!str(e.action)) errs.push(fieldErr.required('action', ''));
    if (byteLen(str(e.action)) > 128) errs.push(fieldErr.invalid('action', '', 'can have at most 128 characters'));
    if (!str(e.reason)) errs.push(fieldErr.required('reason', ''));
    if (byteLen(str(e.reason)) > 128) errs.push(fieldErr.invalid('reason', '', 'can have at most 128 characters'));
    if (byteLen(str(e.message)) > 1024) errs.push(fieldErr.invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErr.invalid('namespace', ns, m));
  return errs;
}
