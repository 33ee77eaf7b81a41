/**
 * ConfigMaps (core/v1; pkg/registry/core/configmap): namespaced, no status, no generation. `data` holds text,
 * `binaryData` bytes (base64 in JSON, `bytes` in protobuf); an immutable config map only takes metadata changes.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { normalizeDataMap, orderFields } from '../../validation/data-maps.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { configMapPrinter } from './printer.js';
import { validateConfigMap, validateConfigMapUpdate } from './validation.js';

/** The stored form of the data maps: sorted keys, no empty maps (what reading the object back gives upstream). */
function normalizeConfigMap(obj: KubeObject): void {
  normalizeDataMap(obj, 'data');
  normalizeDataMap(obj, 'binaryData');
  if (obj['immutable'] === null) delete obj['immutable'];
  orderFields(obj, ['immutable', 'data', 'binaryData']);
}

/** The ConfigMap strategy: nothing to clear or bump; PUT without a resourceVersion is accepted, PUT never creates. */
export const configMapStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => normalizeConfigMap(obj),
  validate: (obj) => validateConfigMap(obj),
  prepareForUpdate: (obj) => normalizeConfigMap(obj),
  validateUpdate: (obj, old) => validateConfigMapUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** ConfigMaps: namespaced, core/v1 (short name `cm`), stored under `/registry/configmaps/<ns>/<name>`. */
export const configMaps: ResourceDefinition = {
  group: '',
  plural: 'configmaps',
  singular: 'configmap',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  namespaced: true,
  etcdPrefix: 'configmaps',
  versions: [identityVersion({ group: '', version: 'v1', kind: 'ConfigMap', shortNames: ['cm'] })],
  strategy: configMapStrategy,
  printer: configMapPrinter,
  nameValidator: nameIsDNSSubdomain,
};
