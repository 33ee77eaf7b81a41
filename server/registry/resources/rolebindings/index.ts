/**
 * RoleBindings (rbac.authorization.k8s.io/v1; pkg/registry/rbac/rolebinding): grant a Role of their namespace or a
 * ClusterRole to users, groups and service accounts, within the namespace. Defaulting (rbac/v1) fills the roleRef's
 * and the users' and groups' apiGroup; validation is ValidateRoleBinding(Update): the roleRef never changes
 * (`cannot change roleRef`). PUT may create.
 */
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { nameIsPathSegment } from '../../validation/names.js';
import {
  canonicalBinding,
  defaultBinding,
  validateRoleBinding,
  validateRoleBindingUpdate,
} from '../../validation/rbac.js';
import { roleBindingPrinter } from './printer.js';

export const roleBindingStrategy: ResourceStrategy = {
  prepareForCreate: (obj) => canonicalBinding(obj),
  validate: (obj) => validateRoleBinding(obj),
  prepareForUpdate: (obj) => canonicalBinding(obj),
  validateUpdate: (obj, old) => validateRoleBindingUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: true,
};

/** RoleBindings: namespaced, stored under `/registry/rolebindings/<ns>/<name>`. */
export const roleBindings: ResourceDefinition = {
  group: 'rbac.authorization.k8s.io',
  plural: 'rolebindings',
  singular: 'rolebinding',
  kind: 'RoleBinding',
  listKind: 'RoleBindingList',
  namespaced: true,
  etcdPrefix: 'rolebindings',
  versions: [
    identityVersion({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      kind: 'RoleBinding',
      default: (o) => defaultBinding(o),
    }),
  ],
  strategy: roleBindingStrategy,
  printer: roleBindingPrinter,
  nameValidator: nameIsPathSegment,
};
