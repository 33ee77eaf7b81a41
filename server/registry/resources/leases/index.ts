/**
 * Leases (coordination.k8s.io/v1; pkg/registry/coordination/lease): the kubelet's node heartbeat in
 * `kube-node-lease` and the leader-election lock of controllers. Namespaced, no status subresource, no
 * generation; validation is ValidateLease(Update) (metadata with a DNS-subdomain name, then the spec rules).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy } from '../../definition.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { isObj, num, str } from '../../validation/helpers.js';
import { validateObjectMeta } from '../../validation/meta.js';
import { isQualifiedName } from '../../../../apimachinery/validation.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { identityVersion } from '../../identity-version.js';
import { leasePrinter } from './printer.js';

/** The coordinated-election strategies a Lease may name without a domain prefix. */
const LEASE_STRATEGIES = ['OldestEmulationVersion'] as const;

/**
 * ValidateLeaseSpec: leaseDurationSeconds > 0 and leaseTransitions ≥ 0 when set, a known (or domain-qualified)
 * strategy, and preferredHolder only together with a strategy. Times are MicroTimes and not checked further.
 */
export function validateLeaseSpec(spec: unknown, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec)) return errs;
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0)
    errs.push(fieldErr.invalid(`${path}.leaseDurationSeconds`, duration, 'must be greater than 0'));
  const transitions = num(spec.leaseTransitions);
  if (transitions !== undefined && transitions < 0) {
    errs.push(fieldErr.invalid(`${path}.leaseTransitions`, transitions, 'must be greater than or equal to 0'));
  }
  const strategy = spec.strategy === undefined || spec.strategy === null ? undefined : str(spec.strategy);
  if (strategy !== undefined) {
    const field = `${path}.strategy.strategy`;
    if (!strategy.includes('/')) {
      if (!(LEASE_STRATEGIES as readonly string[]).includes(strategy))
        errs.push(fieldErr.notSupported(field, strategy, LEASE_STRATEGIES));
    } else {
      for (const m of isQualifiedName(strategy)) errs.push(fieldErr.invalid(field, strategy, m));
    }
  }
  if (str(spec.preferredHolder) && !strategy) {
    errs.push(fieldErr.forbidden(`${path}.preferredHolder`, 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

/** ValidateLease: metadata (namespaced, DNS-subdomain name) and the spec. */
export function validateLease(lease: KubeObject): FieldError[] {
  return [
    ...validateObjectMeta(lease?.metadata, { namespaced: true, nameValidator: nameIsDNSSubdomain }),
    ...validateLeaseSpec(lease?.spec),
  ];
}

/** The Lease strategy: nothing to clear or bump; PUT may create (AllowCreateOnUpdate) but must carry a resourceVersion. */
export const leaseStrategy: ResourceStrategy = {
  prepareForCreate() {},
  validate: (obj) => validateLease(obj),
  prepareForUpdate() {},
  // Metadata update rules are applied by the generic store for every kind.
  validateUpdate: (obj) => validateLeaseSpec(obj.spec),
  allowUnconditionalUpdate: false,
  allowCreateOnUpdate: true,
};

/** Leases: namespaced, coordination.k8s.io/v1 only, stored under `/registry/leases/<ns>/<name>`. */
export const leases: ResourceDefinition = {
  group: 'coordination.k8s.io',
  plural: 'leases',
  singular: 'lease',
  kind: 'Lease',
  listKind: 'LeaseList',
  namespaced: true,
  etcdPrefix: 'leases',
  versions: [identityVersion({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' })],
  strategy: leaseStrategy,
  printer: leasePrinter,
  nameValidator: nameIsDNSSubdomain,
};
