/**
 * The extensions/v1beta1 view of DaemonSets (as Kubernetes 1.15 served it): its own defaulting (selector and
 * labels from the template, OnDelete), `spec.templateGeneration` as a field instead of the annotation, and no
 * `rollingUpdate.maxSurge` (the stored value is kept by the strategy when a request through this view cannot
 * express it).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ServedVersion } from '../../definition.js';
import { errors } from '../../status.js';
import { isObj, type Obj } from '../../validation/helpers.js';
import { setTemplateGeneration, TEMPLATE_GENERATION_ANNOTATION, templateGenerationOf } from '../../validation/apps.js';
import {
  APPS_V1_SPEC_ORDER,
  defaultDaemonSetTemplate,
  defaultSelectorAndLabelsFromTemplate,
  ensureObj,
  EXTENSIONS_SPEC_ORDER,
  orderKeys,
  withKeyOrder,
} from './conversion.js';

/**
 * SetDefaults_DaemonSet of extensions/v1beta1 plus the pod template defaults: when the template has labels,
 * `spec.selector` ← `{matchLabels: <template labels>}` if absent and `metadata.labels` ← the template labels if
 * empty; updateStrategy OnDelete (maxUnavailable 1 only for RollingUpdate); revisionHistoryLimit 10. Mutates `ds`.
 */
export function defaultExtensionsV1beta1DaemonSet(ds: KubeObject): KubeObject {
  defaultSelectorAndLabelsFromTemplate(ds as Obj);
  const spec = ensureObj(ds as Obj, 'spec');
  const strategy = ensureObj(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'OnDelete';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    if (ru.maxUnavailable == null) ru.maxUnavailable = 1;
  }
  orderKeys(strategy, ['type', 'rollingUpdate']);
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  defaultDaemonSetTemplate(spec);
  orderKeys(spec, EXTENSIONS_SPEC_ORDER);
  return ds;
}

/** `spec.templateGeneration` of a request body: an integer, 0 when absent; anything else fails decoding (400). */
function requestTemplateGeneration(v: unknown): number {
  if (v == null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  const type = typeof v === 'number' ? 'number ' + String(v) : Array.isArray(v) ? 'array' : typeof v;
  throw errors.badRequest(
    `json: cannot unmarshal ${type} into Go struct field DaemonSetSpec.spec.templateGeneration of type int64`,
  );
}

/**
 * extensions/v1beta1 → storage (apps/v1): `spec.templateGeneration` moves into the annotation (replacing any the
 * client sent), `maxSurge` is dropped (not part of this version). Mutates and returns `ds`.
 */
export function extensionsDaemonSetToStorage(ds: KubeObject): KubeObject {
  ds.apiVersion = 'apps/v1';
  ds.kind = 'DaemonSet';
  const spec = ensureObj(ds as Obj, 'spec');
  const tg = requestTemplateGeneration(spec.templateGeneration);
  delete spec.templateGeneration;
  setTemplateGeneration(ds, tg);
  const strategy = isObj(spec.updateStrategy) ? spec.updateStrategy : undefined;
  if (strategy && isObj(strategy.rollingUpdate)) delete strategy.rollingUpdate.maxSurge;
  orderKeys(spec, APPS_V1_SPEC_ORDER);
  return ds;
}

/**
 * storage (apps/v1) → extensions/v1beta1: the annotation becomes `spec.templateGeneration` (omitted when 0, as
 * Go's omitempty does) and leaves metadata; `maxSurge` is not shown. Never mutates the (frozen) input.
 */
export function extensionsDaemonSetFromStorage(ds: KubeObject): KubeObject {
  const meta: Obj = { ...ds.metadata };
  if (isObj(meta.annotations) && TEMPLATE_GENERATION_ANNOTATION in meta.annotations) {
    const { [TEMPLATE_GENERATION_ANNOTATION]: _tg, ...rest } = meta.annotations;
    if (Object.keys(rest).length > 0) meta.annotations = rest;
    else delete meta.annotations;
  }
  const src: Obj = isObj(ds.spec) ? ds.spec : {};
  const spec: Obj = { ...src };
  const tg = templateGenerationOf(ds);
  if (tg !== 0) spec.templateGeneration = tg;
  if (
    isObj(src.updateStrategy) &&
    isObj(src.updateStrategy.rollingUpdate) &&
    'maxSurge' in src.updateStrategy.rollingUpdate
  ) {
    const { maxSurge: _ms, ...ru } = src.updateStrategy.rollingUpdate;
    spec.updateStrategy = { ...src.updateStrategy, rollingUpdate: ru };
  }
  return { ...ds, metadata: meta, spec: withKeyOrder(spec, EXTENSIONS_SPEC_ORDER) } as KubeObject;
}

/**
 * extensions/v1beta1 DaemonSets: no short names or categories (so `ds` and `all` resolve to apps/v1 only);
 * selector changes allowed; DELETE without a policy orphans dependents.
 */
export const extensionsV1beta1DaemonSetView: ServedVersion = {
  group: 'extensions',
  version: 'v1beta1',
  groupVersion: 'extensions/v1beta1',
  shortNames: [],
  categories: [],
  default: (obj) => void defaultExtensionsV1beta1DaemonSet(obj),
  toStorage: (obj) => extensionsDaemonSetToStorage(obj),
  fromStorage: (obj) => extensionsDaemonSetFromStorage(obj),
  defaultPropagationPolicy: 'Orphan',
};
