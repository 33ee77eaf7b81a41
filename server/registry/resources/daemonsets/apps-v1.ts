/**
 * The apps/v1 view of DaemonSets. Its form is the storage form, so conversion is almost the identity: the
 * templateGeneration annotation of a request is checked the way the v1 → internal conversion parses it, and a
 * stray `spec.templateGeneration` (an extensions/v1beta1 field) is dropped as Go decoding would.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ServedVersion } from '../../definition.js';
import type { Obj } from '../../validation/helpers.js';
import { validateDaemonSetSelectorUpdate } from '../../validation/apps.js';
import {
  APPS_V1_SPEC_ORDER,
  checkTemplateGenerationAnnotation,
  defaultDaemonSetTemplate,
  ensureObj,
  orderKeys,
} from './conversion.js';

/**
 * SetDefaults_DaemonSet of apps/v1 plus the pod template defaults: updateStrategy RollingUpdate with
 * maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10. The selector is not defaulted. Mutates `ds`.
 */
export function defaultAppsV1DaemonSet(ds: KubeObject): KubeObject {
  const spec = ensureObj(ds as Obj, 'spec');
  const strategy = ensureObj(spec, 'updateStrategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    if (ru.maxUnavailable == null) ru.maxUnavailable = 1;
    if (ru.maxSurge == null) ru.maxSurge = 0;
    orderKeys(ru, ['maxUnavailable', 'maxSurge']);
  }
  orderKeys(strategy, ['type', 'rollingUpdate']);
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  defaultDaemonSetTemplate(spec);
  orderKeys(spec, APPS_V1_SPEC_ORDER);
  return ds;
}

/** apps/v1 DaemonSets: `ds`, in category `all`; DELETE without a policy deletes dependents in the background. */
export const appsV1DaemonSetView: ServedVersion = {
  group: 'apps',
  version: 'v1',
  groupVersion: 'apps/v1',
  shortNames: ['ds'],
  categories: ['all'],
  default: (obj) => void defaultAppsV1DaemonSet(obj),
  toStorage(obj) {
    obj.apiVersion = 'apps/v1';
    obj.kind = 'DaemonSet';
    checkTemplateGenerationAnnotation(obj.metadata as Obj);
    // Not a field of apps/v1 (decoding drops it); the annotation carries it.
    const spec = obj.spec as Obj | undefined;
    if (spec && typeof spec === 'object') delete spec.templateGeneration;
    return obj;
  },
  fromStorage: (obj) => obj,
  defaultPropagationPolicy: 'Background',
  validateUpdate: (obj, old) => validateDaemonSetSelectorUpdate(obj, old),
};
