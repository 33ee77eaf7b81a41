/**
 * Roles (rbac.authorization.k8s.io/v1; pkg/registry/rbac/role): a namespaced set of policy rules. No status, no
 * generation; PUT may create (AllowCreateOnUpdate) and needs no resourceVersion. Validation is ValidateRole(Update):
 * path-segment names, rules with verbs and API groups with resources (no non-resource URLs in a namespace). The
 * rules are stored, never enforced: every request is still allowed.
 */
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { nameIsPathSegment } from '../../validation/names.js';
import { canonicalRole, validateRole, validateRoleUpdate } from '../../validation/rbac.js';
import { createdAtPrinter } from './printer.js';

export const roleStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => canonicalRole(obj),
  validate: (obj) => validateRole(obj),
  prepareForUpdate: (obj) => canonicalRole(obj),
  validateUpdate: (obj, old) => validateRoleUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};

/** Roles: namespaced, stored under `/registry/roles/<ns>/<name>`; the default table convertor's columns. */
export const roles: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  plural: 'roles',
  singular: 'role',
  kind: 'Role',
  listKind: 'RoleList',
  namespaced: true,
  etcdPrefix: 'roles',
  versions: [identityVersion({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' })],
  strategy: roleStrategy,
  printer: createdAtPrinter,
  nameValidator: nameIsPathSegment,
};
