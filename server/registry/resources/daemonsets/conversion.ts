/**
 * Pieces shared by the two DaemonSet views (apps/v1 and extensions/v1beta1): pod template defaulting, key order
 * as Go serializes the structs, the shape of a status, and the templateGeneration annotation check.
 */
import { int64ToNumber, NumError, parseInt64 } from '../../../../apimachinery/strconv.js';
import { errors } from '../../status.js';
import { isObj, type Obj } from '../../validation/helpers.js';
import { defaultPodTemplateSpec } from '../../validation/pod-defaults.js';
import type { PodTemplateSpec } from '../../validation/types.js';
import { TEMPLATE_GENERATION_ANNOTATION } from '../../validation/apps.js';

/** apps/v1 DaemonSetSpec fields in Go struct order. */
export const APPS_V1_SPEC_ORDER = ['selector', 'template', 'updateStrategy', 'minReadySeconds', 'revisionHistoryLimit'];
/** extensions/v1beta1 DaemonSetSpec fields in Go struct order. */
export const EXTENSIONS_SPEC_ORDER = [
  'selector',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'templateGeneration',
  'revisionHistoryLimit',
];
/** DaemonSetStatus fields in Go struct order. */
const STATUS_ORDER = [
  'currentNumberScheduled',
  'numberMisscheduled',
  'desiredNumberScheduled',
  'numberReady',
  'observedGeneration',
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
  'collisionCount',
  'conditions',
];
/** ObjectMeta fields up to creationTimestamp, in Go struct order. */
const TEMPLATE_META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
];
/** Status counters Go always serializes (no omitempty). */
const REQUIRED_COUNTERS = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'];
/** Status fields Go omits when zero (omitempty). */
const OMIT_WHEN_ZERO = ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'];

/** The object at `o[k]`, replacing an absent/null/non-object value by `{}` (a Go struct is never nil). */
export function ensureObj(o: Obj, k: string): Obj {
  const v = o[k];
  if (isObj(v)) return v;
  const fresh: Obj = {};
  o[k] = fresh;
  return fresh;
}

/** Reorders `o`'s keys in place: `order` first (those present), then the rest as they were. */
export function orderKeys(o: Obj, order: readonly string[]): void {
  const rest = Object.keys(o).filter((k) => !order.includes(k));
  const entries = [...order.filter((k) => k in o), ...rest].map((k) => [k, o[k]] as const);
  for (const [k] of entries) delete o[k];
  for (const [k, v] of entries) o[k] = v;
}

/** Puts an apps object's top-level keys in the order its Go struct serializes them (spec before status), in place. */
export function orderTopLevelKeys(o: Obj): void {
  orderKeys(o, ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
}

/** A copy of `o` with its keys in `order` first (for the read path, where inputs are frozen). */
export function withKeyOrder(o: Obj, order: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of order) if (k in o) out[k] = o[k];
  for (const k of Object.keys(o)) if (!(k in out)) out[k] = o[k];
  return out;
}

/**
 * extensions/v1beta1 defaulting shared by its workloads (DaemonSets, ReplicaSets, Deployments): when the template
 * has labels, `spec.selector` ← `{matchLabels: <template labels>}` if absent and `metadata.labels` ← the template
 * labels if empty.
 */
export function defaultSelectorAndLabelsFromTemplate(o: Obj): void {
  const spec = ensureObj(o, 'spec');
  const template = isObj(spec.template) ? spec.template : undefined;
  const labels = template && isObj(template.metadata) ? template.metadata.labels : undefined;
  if (!isObj(labels)) return;
  if (spec.selector == null) spec.selector = { matchLabels: { ...labels } };
  const meta = ensureObj(o, 'metadata');
  if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
}

/**
 * Defaulting of `spec.template` shared by both versions: the v1 PodSpec defaults, and the template metadata
 * Go always serializes (`metadata: {creationTimestamp: null}`).
 */
export function defaultDaemonSetTemplate(spec: Obj): void {
  const template = ensureObj(spec, 'template');
  const meta = ensureObj(template, 'metadata');
  if (!('creationTimestamp' in meta)) {
    // Go's zero metav1.Time serializes as null, placed where ObjectMeta's field order has it.
    meta.creationTimestamp = null;
    orderKeys(meta, TEMPLATE_META_ORDER);
  }
  defaultPodTemplateSpec(template as PodTemplateSpec);
  orderKeys(template, ['metadata', 'spec']);
}

/** The zero DaemonSetStatus as Go serializes it (the four counters without omitempty). */
export function zeroDaemonSetStatus(): Obj {
  return { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
}

/**
 * A status as Go round-trips it: the four required counters present (0 when absent), omitempty counters
 * dropped when 0, empty conditions dropped, fields in struct order. Returns a new object.
 */
export function normalizeDaemonSetStatus(status: unknown): Obj {
  const st: Obj = isObj(status) ? { ...status } : {};
  for (const k of REQUIRED_COUNTERS) if (typeof st[k] !== 'number') st[k] = 0;
  for (const k of OMIT_WHEN_ZERO) if (st[k] === 0 || st[k] === null) delete st[k];
  if (st.collisionCount === null) delete st.collisionCount;
  if (st.conditions === null || (Array.isArray(st.conditions) && st.conditions.length === 0)) delete st.conditions;
  return withKeyOrder(st, STATUS_ORDER);
}

/**
 * Parses a templateGeneration annotation the way the apps/v1 → internal conversion does (strconv.ParseInt);
 * an unparseable value fails the request with 400, as a conversion error does upstream.
 */
export function parseTemplateGenerationAnnotation(value: string): number {
  try {
    return int64ToNumber(parseInt64(value));
  } catch (err) {
    if (err instanceof NumError) throw errors.badRequest(err.message);
    throw err;
  }
}

/** The templateGeneration annotation of a request body checked and normalized in place (absent stays absent). */
export function checkTemplateGenerationAnnotation(meta: Obj): void {
  const ann = meta.annotations;
  if (!isObj(ann) || !(TEMPLATE_GENERATION_ANNOTATION in ann)) return;
  const raw = ann[TEMPLATE_GENERATION_ANNOTATION];
  ann[TEMPLATE_GENERATION_ANNOTATION] = String(
    parseTemplateGenerationAnnotation(typeof raw === 'string' ? raw : String(raw)),
  );
}
