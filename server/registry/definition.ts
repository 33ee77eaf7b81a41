import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { KubeletClient } from '../api/kubelet-client.js';
import type { FieldError } from '../../apimachinery/field-errors.js';
import type { Storage } from '../../storage/interface.js';
import type { GroupResource } from './status.js';
import type { Printer } from '../printers/types.js';
import type { Registry } from './registry.js';
import type { GenericStore } from './store.js';
import type { TokenSigner } from '../serviceaccount/jwt.js';
import type { GetSubresourceDoc } from '../../openapi/document.js';

/** What a strategy knows about the request it serves. */
export interface RequestContext {
  /** The namespace of the request path (namespaced resources). */
  namespace?: string;
  /** The served view the request came through (its group/version decide defaulting and policies). */
  view: ServedVersion;
  now: Date;
  dryRun: boolean;
}

/** Reads a stored object of a core resource by its plural (`serviceaccounts`, `nodes`); undefined when there is none. */
export type ObjectReader = (
  resource: string,
  namespace: string | undefined,
  name: string,
) => Promise<KubeObject | undefined>;

/** What the server lends every resource beyond its own store (`GenericStore.services`). */
export interface ServerServices {
  /** Reads objects of other resources (admission lookups, the objects a token is bound to). */
  readonly read: ObjectReader;
  /** Signs service account tokens (serviceaccounts/token) and checks them (authentication). */
  readonly tokenSigner: TokenSigner;
  /** The admission plugins turned off (kube-apiserver's --disable-admission-plugins), by name. */
  readonly disabledAdmissionPlugins: ReadonlySet<string>;
}

/**
 * An admission plugin acting on the creation of a resource's objects (kube-apiserver's ServiceAccount plugin for
 * pods): it may change the new object, or refuse it by throwing a StatusError.
 */
export interface AdmissionPlugin {
  /** Upstream's plugin name (`ServiceAccount`), as --disable-admission-plugins names it. */
  readonly name: string;
  admit(obj: KubeObject, ctx: AdmissionContext): Promise<void>;
}

/** What admission on create is told: the request, and a way to read the objects it looks up. */
export interface AdmissionContext extends RequestContext {
  read: ObjectReader;
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
  // --- Hooks around the write (upstream's BeginCreate, BeginUpdate, AfterDelete), for what lives beside the object:
  // a Service's cluster IPs and node ports. Given the store's Storage to read what they need.
  /**
   * Before prepareForCreate and validation: may complete the object and reserve what it takes (throwing a StatusError
   * refuses the create). The returned function is called once, with whether the object was stored.
   */
  beginCreate?(obj: KubeObject, ctx: RequestContext, storage: Storage): Promise<FinishWrite>;
  /** The same for an update, before prepareForUpdate; called again (after a `false` finish) when the write is retried. */
  beginUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, storage: Storage): Promise<FinishWrite>;
  /** After the object was removed from storage (not on dry runs). Must not throw. */
  afterDelete?(obj: KubeObject, storage: Storage): Promise<void>;
}

/** Completes what a begin hook started: keeps its reservations when the object was written, undoes them otherwise. */
export type FinishWrite = (stored: boolean) => void;

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
  /**
   * The `scale` subresource (Deployments, ReplicaSets): `spec.replicas`, `status.replicas` and `spec.selector` read
   * and written as a Scale (autoscaling/v1; extensions/v1beta1's own Scale through that group, see scaleKindFor).
   */
  scale?: boolean;
  /** The `finalize` subresource (namespaces): only spec.finalizers change. */
  finalizeStrategy?: ResourceStrategy;
  /** Subresources of an object that only take a POST and are answered without being stored (pods/eviction). */
  createSubresources?: CreateSubresource[];
  /** Subresources read with GET and answered by their own handler, not with the object (pods/log). */
  getSubresources?: GetSubresource[];
  /**
   * The field selector labels beyond `metadata.name` (and `metadata.namespace` for namespaced resources), each
   * with its value for an object: the one place they are declared (see fieldLabelsOf, fieldValuesOf).
   */
  fieldSelectors?: Readonly<Record<string, (obj: KubeObject) => string>>;
  /**
   * Admission on create (upstream's admission plugins for the kind, e.g. ServiceAccount for pods), in order, each
   * unless disabled: after defaulting and the namespace check, before the name is generated and the object
   * validated, as kube-apiserver's mutating admission runs before BeforeCreate.
   */
  admission?: readonly AdmissionPlugin[];
  /** The Table columns of `kubectl get` (server-side printing); the Name/Age printer when absent. */
  printer?: Printer<any>;
  /** A DELETE that removes the object at once answers with the object rather than a Status (upstream's pods). */
  returnsDeletedObject?: boolean;
  /** `false` for resources without deletecollection (namespaces, as upstream). */
  deleteCollection?: boolean;
  /** The resource segment of its storage keys (`/registry/<etcdPrefix>/...`). */
  readonly etcdPrefix: string;
  /** Validates the name of a new object: upstream's DNS subdomain or label rules (messages). */
  nameValidator(name: string, prefix: boolean): string[];
}

/** Every field label a resource accepts in fieldSelector, in upstream's order. */
export function fieldLabelsOf(def: ResourceDefinition): string[] {
  return ['metadata.name', ...(def.namespaced ? ['metadata.namespace'] : []), ...Object.keys(def.fieldSelectors ?? {})];
}

/** The values of every field label for an object. */
export function fieldValuesOf(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const values: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (def.namespaced) values['metadata.namespace'] = obj.metadata.namespace ?? '';
  for (const [label, value] of Object.entries(def.fieldSelectors ?? {})) values[label] = value(obj);
  return values;
}

export function groupVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * A create-only subresource of an object (`POST .../pods/<name>/eviction`): the body is another kind (policy/v1
 * Eviction), decoded and checked by the generic route, then handed to `create`, which acts through the store and
 * returns what the response carries (a Status without a code gets 201, as kube-apiserver's create handler does).
 */
export interface CreateSubresource {
  /** The path segment and discovery name (`eviction` → `pods/eviction`). */
  name: string;
  /** The kind of the body, as discovery announces it: `policy`, `v1`, `Eviction`. */
  group: string;
  version: string;
  kind: string;
  /** The group/versions a body may be in (the announced one first): `policy/v1`, `policy/v1beta1`. */
  acceptedVersions: readonly string[];
  /**
   * Also served as a create-only collection of the parent's group/version, the object's name taken from the body's
   * metadata: core/v1 `bindings` (`POST /api/v1/namespaces/<ns>/bindings`), the older form of pods/binding.
   */
  collection?: { plural: string; singular: string };
  create(req: CreateSubresourceRequest): Promise<Record<string, unknown>>;
}

/** What a create-only subresource is asked to do. */
export interface CreateSubresourceRequest {
  store: GenericStore;
  /** The view of the parent resource the request came through. */
  view: ServedVersion;
  namespace: string | undefined;
  /** The name of the parent object, from the URL (empty through the subresource's `collection`). */
  name: string;
  /** The request came through the subresource's `collection`, not the object's path. */
  fromCollection?: boolean;
  /** The decoded body, its kind checked and its unknown fields handled as `fieldValidation` says. */
  body: Record<string, unknown>;
  /** `dryRun=All` in the query. */
  dryRun: boolean;
}

/**
 * A subresource of an object read with GET and answered by its own handler rather than with the object: pods/log
 * streams a container's log from the node's kubelet. Discovery lists it with the verb `get` and the parent's kind.
 */
export interface GetSubresource {
  /** The path segment and discovery name (`log` → `pods/log`). */
  name: string;
  /** What /openapi/v2 and /openapi/v3 say about it: its query parameters, media types and answer. */
  openapi: GetSubresourceDoc;
  /** Answers the GET: writes the reply itself, or throws a StatusError before anything is written. */
  get(req: GetSubresourceRequest): Promise<void>;
}

/** What a GET subresource is asked, and what it may use. */
export interface GetSubresourceRequest {
  store: GenericStore;
  /** The view of the parent resource the request came through. */
  view: ServedVersion;
  namespace: string | undefined;
  /** The name of the parent object, from the URL. */
  name: string;
  query: Record<string, string | string[] | undefined>;
  /** Every resource (a pod's node), and the server's client of the kubelets. */
  registry: Registry;
  kubelets: KubeletClient;
  /** Aborted when the server shuts down. */
  shutdownSignal: AbortSignal;
  request: FastifyRequest;
  reply: FastifyReply;
}
