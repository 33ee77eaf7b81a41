/**
 * core/v1 validation and defaulting entry point: re-exports the pod, node, namespace and event functions
 * and the quantity helpers (split across pod*.ts, node.ts, misc.ts and quantity.ts to keep files small).
 */
export {
  defaultPodSpec,
  defaultPodTemplateSpec,
  defaultPodFields,
  defaultPod,
  preparePodForCreate,
  computePodQOS,
  addDefaultTolerations,
  imageTag,
} from './pod-defaults.js';
export type { DefaultPodOptions } from './pod-defaults.js';
export {
  validatePodSpec,
  validatePod,
  validatePodUpdate,
  validatePodStatusUpdate,
  validateTolerations,
  validateTaintEffect,
  UPDATABLE_POD_SPEC_FIELDS,
} from './pod.js';
export type { PodSpecOptions } from './pod.js';
export { validateResources, validateResourceQuantity, isOvercommitAllowed } from './pod-containers.js';
export { validateVolumes } from './pod-volumes.js';
export { defaultNode, validateNode, validateNodeUpdate, validateNodeTaints, nodePodCIDRs } from './node.js';
export {
  defaultNamespace,
  validateNamespace,
  validateNamespaceUpdate,
  validateNamespaceStatusUpdate,
  validateNamespaceFinalizeUpdate,
  defaultEvent,
  validateEvent,
} from './misc.js';
export {
  parseQuantity,
  quantityError,
  compareQuantity,
  roundUpToMilli,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
} from './quantity.js';
export type { Quantity, QuantityFormat } from './quantity.js';
