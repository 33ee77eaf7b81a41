/**
 * DaemonSets: stored once in the apps/v1 form under `/registry/daemonsets/<ns>/<name>`, served through apps/v1
 * and extensions/v1beta1 (pkg/registry/apps/daemonset/strategy.go). templateGeneration lives in the annotation
 * `deprecated.daemonset.template.generation`, where the apps/v1 form keeps it.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { RequestContext, ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { isObj, obj, semanticEqual, type Obj } from '../../validation/helpers.js';
import {
  setTemplateGeneration,
  TEMPLATE_GENERATION_ANNOTATION,
  templateGenerationOf,
  validateDaemonSetSpec,
  validateDaemonSetSpecUpdate,
  validateDaemonSetStatusUpdate,
} from '../../validation/apps.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { appsV1DaemonSetView } from './apps-v1.js';
import { normalizeDaemonSetStatus, orderKeys, orderTopLevelKeys, zeroDaemonSetStatus } from './conversion.js';
import { extensionsV1beta1DaemonSetView } from './extensions-v1beta1.js';
import { daemonSetPrinter } from './printer.js';

/** The RollingUpdate settings of a storage-form DaemonSet, when its strategy is RollingUpdate. */
function rollingUpdateOf(ds: KubeObject): Obj | undefined {
  const strategy = obj(obj(ds.spec).updateStrategy);
  return strategy.type === 'RollingUpdate' && isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : undefined;
}

/**
 * Fills `maxSurge` of a RollingUpdate that has none: a request through extensions/v1beta1 cannot express it, so
 * the stored value is kept (`old`), else apps/v1's default 0 applies, as decoding the stored apps/v1 form would.
 */
function fillMaxSurge(ds: KubeObject, old: KubeObject | undefined): void {
  const ru = rollingUpdateOf(ds);
  if (!ru || ru.maxSurge != null) return;
  const before = old ? obj(obj(obj(old.spec).updateStrategy).rollingUpdate).maxSurge : undefined;
  ru.maxSurge = before ?? 0;
  orderKeys(ru, ['maxUnavailable', 'maxSurge']);
}

/**
 * The DaemonSet strategy: create clears status, sets generation 1 and templateGeneration max(given, 1); update
 * keeps status and templateGeneration, bumping both generations on a template change and generation alone on
 * any other spec change; validation as ValidateDaemonSet/ValidateDaemonSetUpdate. Selector immutability is the
 * apps/v1 view's (extensions/v1beta1 allows changes).
 */
export const daemonSetStrategy: ResourceStrategy = {
  prepareForCreate(ds: KubeObject) {
    ds.status = zeroDaemonSetStatus();
    ds.metadata.generation = 1;
    setTemplateGeneration(ds, Math.max(templateGenerationOf(ds), 1));
    fillMaxSurge(ds, undefined);
    orderTopLevelKeys(ds as Obj);
  },
  validate: (ds) => validateDaemonSetSpec(ds),
  prepareForUpdate(ds: KubeObject, old: KubeObject, ctx: RequestContext) {
    if (old.status === undefined) delete ds.status;
    else ds.status = old.status;
    fillMaxSurge(ds, ctx.view.group === 'extensions' ? old : undefined);
    const oldTg = templateGenerationOf(old);
    const oldGeneration = old.metadata.generation ?? 0;
    let tg = oldTg;
    if (!semanticEqual(obj(ds.spec).template, obj(old.spec).template)) {
      tg = oldTg + 1;
      ds.metadata.generation = oldGeneration + 1;
    } else if (!semanticEqual(ds.spec, old.spec)) {
      ds.metadata.generation = oldGeneration + 1;
    }
    setTemplateGeneration(ds, tg);
    orderTopLevelKeys(ds as Obj);
  },
  validateUpdate: (ds, old) => [...validateDaemonSetSpec(ds), ...validateDaemonSetSpecUpdate(ds, old)],
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/**
 * The `/status` strategy: spec (and with it the templateGeneration annotation) comes from the stored object;
 * status is normalized to what Go would round-trip; ValidateDaemonSetStatusUpdate.
 */
export const daemonSetStatusStrategy: ResourceStrategy = {
  prepareForCreate: daemonSetStrategy.prepareForCreate,
  validate: daemonSetStrategy.validate,
  prepareForUpdate(ds: KubeObject, old: KubeObject) {
    if (old.spec === undefined) delete ds.spec;
    else ds.spec = old.spec;
    const oldAnn = old.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
    if (oldAnn !== undefined) setTemplateGeneration(ds, templateGenerationOf(old));
    else if (isObj(ds.metadata.annotations))
      delete (ds.metadata.annotations as Record<string, string>)[TEMPLATE_GENERATION_ANNOTATION];
    ds.metadata.generation = old.metadata.generation;
    ds.status = normalizeDaemonSetStatus(ds.status);
    orderTopLevelKeys(ds as Obj);
  },
  validateUpdate: (ds, old) => validateDaemonSetStatusUpdate(ds, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** DaemonSets (apps): served as apps/v1 (preferred) and extensions/v1beta1 over one stored object. */
export const daemonSets: ResourceDefinition = {
  group: 'apps',
  plural: 'daemonsets',
  singular: 'daemonset',
  kind: 'DaemonSet',
  listKind: 'DaemonSetList',
  namespaced: true,
  etcdPrefix: 'daemonsets',
  versions: [appsV1DaemonSetView, extensionsV1beta1DaemonSetView],
  strategy: daemonSetStrategy,
  statusStrategy: daemonSetStatusStrategy,
  printer: daemonSetPrinter,
  nameValidator: nameIsDNSSubdomain,
};
