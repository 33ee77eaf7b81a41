/**
 * Kubernetes objects as JSON (k8s.io/apimachinery/pkg/apis/meta/v1 ObjectMeta, OwnerReference): the shape the
 * API server stores and serves and the controllers read. Everything beyond metadata stays `unknown` and
 * passes through untouched; each side narrows what it reads.
 */

/** A plain JSON object. */
export type Obj = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta. Timestamps are RFC 3339 strings (see time.ts). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/**
 * Any API object. On the server, the storage form (for DaemonSets, the apps/v1 shape); in the controllers, what
 * the API returned. Objects held by the store or an informer are frozen and shared: clone before changing.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/**
 * `obj` without `metadata.managedFields` (what a client that keeps objects drops: no controller reads them). A fresh
 * parse the caller owns (not frozen) is changed in place: V8 gives an object made by spreading (`{ ...obj, metadata }`)
 * in a busy process a hidden class of its own (measured: every cached pod had one, ~250 bytes), while the parse's
 * stays the one every object of that shape shares. Its metadata loses the member where the server writes it, last
 * (V8 then takes the object back to the shape it had before that member: no copy, and the parse's room for every
 * member in the object itself); a copy made without the member keeps four members in the object and the rest in an
 * array of their own (~24 bytes more a cached object). Elsewhere, and for a frozen `obj`, metadata is copied.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || typeof meta !== 'object' || !('managedFields' in meta)) return obj;
  if (!Object.isFrozen(obj) && !Object.isFrozen(meta) && lastKey(meta) === 'managedFields') {
    delete meta.managedFields;
    return obj;
  }
  const { managedFields: _dropped, ...metadata } = meta;
  if (Object.isFrozen(obj)) return { ...obj, metadata };
  obj.metadata = metadata;
  return obj;
}

/** The last of `o`'s own enumerable string keys, in order (undefined when it has none). */
function lastKey(o: object): string | undefined {
  let last: string | undefined;
  for (const k in o) if (Object.hasOwn(o, k)) last = k;
  return last;
}
