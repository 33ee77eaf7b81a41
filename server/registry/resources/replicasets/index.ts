/**
 * ReplicaSets: stored once in the apps/v1 form under `/registry/replicasets/<ns>/<name>`, served through apps/v1
 * and extensions/v1beta1 (pkg/registry/apps/replicaset/strategy.go), with `/status` and `/scale`.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy, ServedVersion } from '../../definition.js';
import { isObj, obj, semanticEqual, type Obj } from '../../validation/helpers.js';
import {
  validateDaemonSetSelectorUpdate,
  validateReplicaSetSpec,
  validateReplicaSetStatus,
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
import { replicaSetPrinter } from './printer.js';

/** ReplicaSetSpec fields in Go struct order. */
const SPEC_ORDER = ['replicas', 'minReadySeconds', 'selector', 'template'];
/** ReplicaSetStatus fields in Go struct order. */
const STATUS_ORDER = [
  'replicas',
  'fullyLabeledReplicas',
  'readyReplicas',
  'availableReplicas',
  'observedGeneration',
  'conditions',
];

/** SetDefaults_ReplicaSet (replicas 1) and the pod template defaults; extensions/v1beta1 first takes the selector and labels from the template. */
export function defaultReplicaSet(rs: KubeObject, extensions: boolean): KubeObject {
  if (extensions) defaultSelectorAndLabelsFromTemplate(rs as Obj);
  const spec = ensureObj(rs as Obj, 'spec');
  if (spec.replicas == null) spec.replicas = 1;
  defaultDaemonSetTemplate(spec);
  orderKeys(spec, SPEC_ORDER);
  return rs;
}

/** A status as Go round-trips it: `replicas` always, the other counters and conditions omitted when empty. */
export function normalizeReplicaSetStatus(status: unknown): Obj {
  const st: Obj = isObj(status) ? { ...status } : {};
  if (typeof st.replicas !== 'number') st.replicas = 0;
  for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'])
    if (st[k] === 0 || st[k] === null) delete st[k];
  if (st.conditions === null || (Array.isArray(st.conditions) && st.conditions.length === 0)) delete st.conditions;
  return withKeyOrder(st, STATUS_ORDER);
}

function view(group: 'apps' | 'extensions'): ServedVersion {
  const apps = group === 'apps';
  return {
    group,
    version: apps ? 'v1' : 'v1beta1',
    groupVersion: apps ? 'apps/v1' : 'extensions/v1beta1',
    shortNames: apps ? ['rs'] : [],
    categories: apps ? ['all'] : [],
    default: (o) => void defaultReplicaSet(o, !apps),
    toStorage(o) {
      o.apiVersion = 'apps/v1';
      o.kind = 'ReplicaSet';
      return o;
    },
    fromStorage: (o) => o,
    defaultPropagationPolicy: apps ? 'Background' : 'Orphan',
    ...(apps ? { validateUpdate: (o: KubeObject, old: KubeObject) => validateDaemonSetSelectorUpdate(o, old) } : {}),
  };
}

/** Create clears status and sets generation 1; a spec change bumps the generation; ValidateReplicaSet. */
export const replicaSetStrategy: ResourceStrategy = {
  prepareForCreate(rs) {
    rs.status = { replicas: 0 };
    rs.metadata.generation = 1;
    orderTopLevelKeys(rs);
  },
  validate: (rs) => validateReplicaSetSpec(rs),
  prepareForUpdate(rs, old) {
    if (old.status === undefined) delete rs.status;
    else rs.status = old.status;
    if (!semanticEqual(rs.spec, old.spec)) rs.metadata.generation = (old.metadata.generation ?? 0) + 1;
    orderTopLevelKeys(rs);
  },
  validateUpdate: (rs) => validateReplicaSetSpec(rs),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** `/status`: spec from the stored object, status normalized; ValidateReplicaSetStatusUpdate. */
export const replicaSetStatusStrategy: ResourceStrategy = {
  prepareForCreate: replicaSetStrategy.prepareForCreate,
  validate: replicaSetStrategy.validate,
  prepareForUpdate(rs, old) {
    if (old.spec === undefined) delete rs.spec;
    else rs.spec = old.spec;
    rs.metadata.generation = old.metadata.generation;
    rs.status = normalizeReplicaSetStatus(rs.status);
    orderTopLevelKeys(rs);
  },
  validateUpdate: (rs) => validateReplicaSetStatus(rs),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** ReplicaSets (apps): apps/v1 (preferred) and extensions/v1beta1 over one stored object. */
export const replicaSets: ResourceDefinition = {
  group: 'apps',
  plural: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  listKind: 'ReplicaSetList',
  namespaced: true,
  etcdPrefix: 'replicasets',
  versions: [view('apps'), view('extensions')],
  strategy: replicaSetStrategy,
  statusStrategy: replicaSetStatusStrategy,
  scale: true,
  printer: replicaSetPrinter,
  fieldSelectors: { 'status.replicas': (rs) => String(obj(rs.status).replicas ?? 0) },
  nameValidator: nameIsDNSSubdomain,
};
