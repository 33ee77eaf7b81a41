/**
 * ClusterRoles (rbac.authorization.k8s.io/v1; pkg/registry/rbac/clusterrole): cluster-wide sets of policy rules,
 * which may cover non-resource URLs. An `aggregationRule` makes the controller manager's clusterrole-aggregation
 * controller fill the rules from the cluster roles its label selectors match. Validation is
 * ValidateClusterRole(Update); an update tolerates selector label values that were already invalid before.
 */
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { nameIsPathSegment } from '../../validation/names.js';
import { canonicalRole, validateClusterRole, validateClusterRoleUpdate } from '../../validation/rbac.js';
import { createdAtPrinter } from '../roles/printer.js';

export const clusterRoleStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => canonicalRole(obj),
  validate: (obj) => validateClusterRole(obj),
  prepareForUpdate: (obj) => canonicalRole(obj),
  validateUpdate: (obj, old) => validateClusterRoleUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};

/** ClusterRoles: cluster-scoped, stored under `/registry/clusterroles/<name>`; the default table convertor's columns. */
export const clusterRoles: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  plural: 'clusterroles',
  singular: 'clusterrole',
  kind: 'ClusterRole',
  listKind: 'ClusterRoleList',
  namespaced: false,
  etcdPrefix: 'clusterroles',
  versions: [identityVersion({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' })],
  strategy: clusterRoleStrategy,
  printer: createdAtPrinter,
  nameValidator: nameIsPathSegment,
};
