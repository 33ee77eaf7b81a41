/**
 * Deployments: stored once in the apps/v1 form under `/registry/deployments/<ns>/<name>`, served through apps/v1
 * and extensions/v1beta1 (pkg/registry/apps/deployment/strategy.go), with `/status` and `/scale`. The
 * extensions/v1beta1 `spec.rollbackTo` lives in the annotation `deprecated.deployment.rollback.to` of the stored
 * form, where the apps/v1 conversion kept it; the Deployment controller acts on it and clears it.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy, ServedVersion } from '../../definition.js';
import { errors } from '../../status.js';
import { isObj, semanticEqual, type Obj } from '../../validation/helpers.js';
import {
  validateDaemonSetSelectorUpdate,
  validateDeploymentSpec,
  validateDeploymentStatusUpdate,
} from '../../validation/apps.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import {
  defaultDaemonSetTemplate,
  defaultSelectorAndLabelsFromTemplate,
  ensureObj,
  orderKeys,
  orderTopLevelKeys,
  withKeyOrder,
} from '../daemonsets/conversion.js';
import { deploymentPrinter } from './printer.js';

/** The annotation the apps/v1 form carries extensions/v1beta1's `spec.rollbackTo.revision` in. */
export const ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
/** extensions/v1beta1's "unset" for revisionHistoryLimit and progressDeadlineSeconds (keep all, no deadline). */
const MAX_INT32 = 2147483647;

/** DeploymentSpec fields in Go struct order (rollbackTo only in extensions/v1beta1). */
const SPEC_ORDER = [
  'replicas',
  'selector',
  'template',
  'strategy',
  'minReadySeconds',
  'revisionHistoryLimit',
  'paused',
  'rollbackTo',
  'progressDeadlineSeconds',
];
/** DeploymentStatus fields in Go struct order (every one omitempty). */
const STATUS_ORDER = [
  'observedGeneration',
  'replicas',
  'updatedReplicas',
  'readyReplicas',
  'availableReplicas',
  'unavailableReplicas',
  'conditions',
  'collisionCount',
];

/**
 * SetDefaults_Deployment of apps/v1 (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
 * progressDeadlineSeconds 600) or of extensions/v1beta1 (selector and labels from the template, RollingUpdate 1/1,
 * revisionHistoryLimit and progressDeadlineSeconds MaxInt32, which mean unlimited), with the pod template defaults.
 */
export function defaultDeployment(d: KubeObject, extensions: boolean): KubeObject {
  if (extensions) defaultSelectorAndLabelsFromTemplate(d as Obj);
  const spec = ensureObj(d as Obj, 'spec');
  if (spec.replicas == null) spec.replicas = 1;
  const strategy = ensureObj(spec, 'strategy');
  if (!strategy.type) strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    if (ru.maxUnavailable == null) ru.maxUnavailable = extensions ? 1 : '25%';
    if (ru.maxSurge == null) ru.maxSurge = extensions ? 1 : '25%';
    orderKeys(ru, ['maxUnavailable', 'maxSurge']);
  }
  orderKeys(strategy, ['type', 'rollingUpdate']);
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = extensions ? MAX_INT32 : 10;
  if (spec.progressDeadlineSeconds == null) spec.progressDeadlineSeconds = extensions ? MAX_INT32 : 600;
  defaultDaemonSetTemplate(spec);
  orderKeys(spec, SPEC_ORDER);
  return d;
}

/** A status as Go round-trips it: zero counters and empty conditions omitted, fields in struct order. */
export function normalizeDeploymentStatus(status: unknown): Obj {
  const st: Obj = isObj(status) ? { ...status } : {};
  for (const k of STATUS_ORDER)
    if (k !== 'collisionCount' && k !== 'conditions' && (st[k] === 0 || st[k] === null)) delete st[k];
  if (st.collisionCount === null) delete st.collisionCount;
  if (st.conditions === null || (Array.isArray(st.conditions) && st.conditions.length === 0)) delete st.conditions;
  return withKeyOrder(st, STATUS_ORDER);
}

/** extensions/v1beta1 → storage: `spec.rollbackTo` becomes the annotation (or goes). Mutates `d`. */
function extensionsToStorage(d: KubeObject): KubeObject {
  const spec = ensureObj(d as Obj, 'spec');
  const rollbackTo = spec.rollbackTo;
  delete spec.rollbackTo;
  const meta = d.metadata as Obj;
  if (isObj(meta.annotations)) delete meta.annotations[ROLLBACK_TO_ANNOTATION];
  if (isObj(rollbackTo)) {
    const rev = rollbackTo.revision ?? 0;
    if (typeof rev !== 'number' || !Number.isInteger(rev))
      throw errors.badRequest(
        `json: cannot unmarshal ${typeof rev} into Go struct field RollbackConfig.spec.rollbackTo.revision of type int64`,
      );
    const ann = ensureObj(meta, 'annotations');
    ann[ROLLBACK_TO_ANNOTATION] = String(rev);
  }
  if (isObj(meta.annotations) && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  return d;
}

/** storage → extensions/v1beta1: the annotation becomes `spec.rollbackTo`. Never mutates the (frozen) input. */
function extensionsFromStorage(d: KubeObject): KubeObject {
  const ann = d.metadata.annotations;
  if (!ann || !(ROLLBACK_TO_ANNOTATION in ann)) return d;
  const { [ROLLBACK_TO_ANNOTATION]: raw, ...rest } = ann;
  const meta: Obj = { ...d.metadata };
  if (Object.keys(rest).length > 0) meta.annotations = rest;
  else delete meta.annotations;
  const revision = Number(raw);
  const spec: Obj = { ...(isObj(d.spec) ? d.spec : {}) };
  spec.rollbackTo = Number.isInteger(revision) && revision !== 0 ? { revision } : {};
  return { ...d, metadata: meta, spec: withKeyOrder(spec, SPEC_ORDER) } as KubeObject;
}

function view(group: 'apps' | 'extensions'): ServedVersion {
  const apps = group === 'apps';
  return {
    group,
    version: apps ? 'v1' : 'v1beta1',
    groupVersion: apps ? 'apps/v1' : 'extensions/v1beta1',
    shortNames: apps ? ['deploy'] : [],
    categories: apps ? ['all'] : [],
    default: (o) => void defaultDeployment(o, !apps),
    toStorage(o) {
      o.apiVersion = 'apps/v1';
      o.kind = 'Deployment';
      if (apps) {
        const spec = o.spec as Obj | undefined;
        if (isObj(spec)) delete spec.rollbackTo; // not a field of apps/v1 (decoding drops it)
        return o;
      }
      return extensionsToStorage(o);
    },
    fromStorage: (o) => (apps ? o : extensionsFromStorage(o)),
    defaultPropagationPolicy: apps ? 'Background' : 'Orphan',
    ...(apps ? { validateUpdate: (o: KubeObject, old: KubeObject) => validateDaemonSetSelectorUpdate(o, old) } : {}),
  };
}

/**
 * Create clears status and sets generation 1; an update bumps the generation when the spec or the annotations
 * change (annotations are copied to the replica sets); ValidateDeployment.
 */
export const deploymentStrategy: ResourceStrategy = {
  prepareForCreate(d) {
    d.status = {};
    d.metadata.generation = 1;
    orderTopLevelKeys(d);
  },
  validate: (d) => validateDeploymentSpec(d),
  prepareForUpdate(d, old) {
    if (old.status === undefined) delete d.status;
    else d.status = old.status;
    if (
      !semanticEqual(d.spec, old.spec) ||
      !semanticEqual(d.metadata.annotations ?? {}, old.metadata.annotations ?? {})
    )
      d.metadata.generation = (old.metadata.generation ?? 0) + 1;
    orderTopLevelKeys(d);
  },
  validateUpdate: (d) => validateDeploymentSpec(d),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** `/status`: spec and labels from the stored object, status normalized; ValidateDeploymentStatusUpdate. */
export const deploymentStatusStrategy: ResourceStrategy = {
  prepareForCreate: deploymentStrategy.prepareForCreate,
  validate: deploymentStrategy.validate,
  prepareForUpdate(d, old) {
    if (old.spec === undefined) delete d.spec;
    else d.spec = old.spec;
    // As upstream: labels come from the stored object too (annotations may change: the controller's revision).
    if (old.metadata.labels === undefined) delete d.metadata.labels;
    else d.metadata.labels = old.metadata.labels;
    d.metadata.generation = old.metadata.generation;
    d.status = normalizeDeploymentStatus(d.status);
    orderTopLevelKeys(d);
  },
  validateUpdate: (d, old) => validateDeploymentStatusUpdate(d, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** Deployments (apps): apps/v1 (preferred) and extensions/v1beta1 over one stored object. */
export const deployments: ResourceDefinition = {
  group: 'apps',
  plural: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  namespaced: true,
  etcdPrefix: 'deployments',
  versions: [view('apps'), view('extensions')],
  strategy: deploymentStrategy,
  statusStrategy: deploymentStatusStrategy,
  scale: true,
  printer: deploymentPrinter,
  nameValidator: nameIsDNSSubdomain,
};
