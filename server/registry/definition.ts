import type { KubeObject } from '../../storage/interface.js';
import type { FieldError } from './field-errors.js';
import type { GroupResource } from './status.js';

/** What a strategy knows about the request it serves. */
export interface RequestContext {
  /** The namespace of the request path (namespaced resources). */
  namespace?: string;
  /** The served view the request came through (its group/version decide defaulting and policies). */
  view: ServedVersion;
  now: Date;
  dryRun: boolean;
}

/**
 * Per-resource behaviour of the generic store, named after kube-apiserver's RESTCreateStrategy and friends.
 * Objects passed in are mutable clones in the STORAGE form.
 */
export interface ResourceStrategy {
  /** Clears what a client may not set on create (status, generation...) before validation. */
  prepareForCreate(obj: KubeObject, ctx: RequestContext): void;
  validate(obj: KubeObject, ctx: RequestContext): FieldError[];
  /** Keeps what an update may not change (status on the main resource, spec on /status) and bumps generation. */
  prepareForUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  validateUpdate(obj: KubeObject, old: KubeObject, ctx: RequestContext): FieldError[];
  /** PUT without metadata.resourceVersion is accepted (last write wins). */
  readonly allowUnconditionalUpdate: boolean;
  /** PUT of a missing object creates it. */
  readonly allowCreateOnUpdate: boolean;
  /**
   * Graceful deletion: the grace period (seconds) to wait before the object is removed, or undefined to remove
   * it at once. Called with the current object and the requested grace period, if any.
   */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
  /** Finalizers kept outside metadata (a namespace's spec.finalizers) that also hold a deletion back. */
  pendingFinalizers?(obj: KubeObject): string[];
  /** Refuses a DELETE by throwing a StatusError (immortal namespaces, a namespace already terminating). */
  beforeDelete?(obj: KubeObject, gr: GroupResource): void;
  /** Changes made when an object is marked for deletion (a namespace becomes Terminating). */
  prepareForDelete?(obj: KubeObject): void;
}

/** One served group/version of a resource: a view over the single stored form. */
export interface ServedVersion {
  group: string;
  version: string;
  /** `apps/v1`, `v1` for core. */
  readonly groupVersion: string;
  shortNames: string[];
  categories: string[];
  /** Defaulting of an object in this version's form (create and update bodies, before conversion). */
  default(obj: KubeObject): void;
  /** This version's form → the storage form (returns a new object or the same, mutable). */
  toStorage(obj: KubeObject, ctx: RequestContext): KubeObject;
  /** Storage form → this version's form; must not mutate the (frozen) input. */
  fromStorage(obj: KubeObject): KubeObject;
  /** The propagation policy of a DELETE that names none. */
  defaultPropagationPolicy: PropagationPolicy;
  /** Extra validation of this view (e.g. selector immutability outside extensions/v1beta1). */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface ResourceDefinition {
  /** Storage group ('' for core); views may serve it under other groups. */
  group: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** The served views, in discovery preference order. */
  versions: ServedVersion[];
  strategy: ResourceStrategy;
  /** The `status` subresource; absent when the resource has none. */
  statusStrategy?: ResourceStrategy;
  /** The `finalize` subresource (namespaces): only spec.finalizers change. */
  finalizeStrategy?: ResourceStrategy;
  /** Field selector labels beyond metadata.name and metadata.namespace, with their values for an object. */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** Every field label this resource accepts in fieldSelector (metadata.name, metadata.namespace included). */
  fieldLabels: string[];
  /** The name used for OpenAPI/Table printers (`pods`, `daemonsets`...). */
  readonly etcdPrefix: string;
  /** Validates the name of a new object: upstream's DNS subdomain or label rules (messages). */
  nameValidator(name: string, prefix: boolean): string[];
}

export function groupVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
