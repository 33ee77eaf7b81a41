/**
 * ServiceAccounts (core/v1; pkg/registry/core/serviceaccount): namespaced, no status, no generation. Validation is
 * ValidateServiceAccount (the metadata, with a DNS-subdomain name); create and update keep only the name of every
 * `secrets` reference, as upstream's strategy does. `token` (./token.ts) issues TokenRequests; the ServiceAccount
 * admission of pods lives beside them (./admission.ts); the controller manager keeps a `default` account in every
 * active namespace (controllers/serviceaccounts).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import type { FieldError } from '../../../../apimachinery/field-errors.js';
import { identityVersion } from '../../identity-version.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { serviceAccountPrinter } from './printer.js';
import { serviceAccountToken } from './token.js';

/** ValidateServiceAccount: the metadata of a namespaced object named as a DNS subdomain; nothing else is checked. */
export function validateServiceAccount(sa: KubeObject): FieldError[] {
  return validateObjectMeta(sa?.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain });
}

/** cleanSecretReferences: a `secrets` entry keeps only its name. */
function cleanSecretReferences(sa: KubeObject): void {
  if (!Array.isArray(sa.secrets)) return;
  sa.secrets = sa.secrets.map((ref: unknown) => {
    const name = ref !== null && typeof ref === 'object' ? (ref as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? { name } : {};
  });
}

const strategy: ResourceStrategy = {
  prepareForCreate: (obj) => cleanSecretReferences(obj),
  validate: (obj) => validateServiceAccount(obj),
  prepareForUpdate: (obj) => cleanSecretReferences(obj),
  // The metadata rules of an update (ValidateObjectMetaUpdate) are applied by the generic store for every kind.
  validateUpdate: () => [],
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** ServiceAccounts: namespaced, core/v1 (short name `sa`), stored under `/registry/serviceaccounts/<ns>/<name>`. */
export const serviceAccounts: ResourceDefinition = {
  group: '',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  namespaced: true,
  etcdPrefix: 'serviceaccounts',
  versions: [identityVersion({ group: '', version: 'v1', kind: 'ServiceAccount', shortNames: ['sa'] })],
  strategy,
  createSubresources: [serviceAccountToken],
  printer: serviceAccountPrinter,
  nameValidator: nameIsDNSSubdomain,
};
