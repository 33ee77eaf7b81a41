/**
 * ClusterRoleBindings (rbac.authorization.k8s.io/v1; pkg/registry/rbac/clusterrolebinding): grant a ClusterRole to
 * users, groups and service accounts (which name their namespace) across the cluster. Defaulting and the immutable
 * roleRef as for RoleBindings; validation is ValidateClusterRoleBinding(Update). PUT may create.
 */
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { nameIsPathSegment } from '../../validation/names.js';
import {
  canonicalBinding,
  defaultBinding,
  validateClusterRoleBinding,
  validateClusterRoleBindingUpdate,
} from '../../validation/rbac.js';
import { clusterRoleBindingPrinter } from '../rolebindings/printer.js';

export const clusterRoleBindingStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => canonicalBinding(obj),
  validate: (obj) => validateClusterRoleBinding(obj),
  prepareForUpdate: (obj) => canonicalBinding(obj),
  validateUpdate: (obj, old) => validateClusterRoleBindingUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};

/** ClusterRoleBindings: cluster-scoped, stored under `/registry/clusterrolebindings/<name>`. */
export const clusterRoleBindings: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  kind: 'ClusterRoleBinding',
  listKind: 'ClusterRoleBindingList',
  namespaced: false,
  etcdPrefix: 'clusterrolebindings',
  versions: [
    identityVersion({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'ClusterRoleBinding',
      default: (o) => defaultBinding(o),
    }),
  ],
  strategy: clusterRoleBindingStrategy,
  printer: clusterRoleBindingPrinter,
  nameValidator: nameIsPathSegment,
};
