import type { UserInfo } from '../../plugins/auth.js';

/**
 * A resource that is only ever created and answered, never stored (kube-apiserver's "virtual" resources): the
 * self-reviews. `POST /apis/<group>/<version>/<plural>` decodes and checks the body (server/api/create-only.ts),
 * then `create` computes the answer, which is sent back with 201. Every other verb is a 405. One definition per kind;
 * the routes, discovery entries and OpenAPI operations are generated from it.
 */
export interface VirtualResource {
  group: string;
  /** The served versions, preferred first; each takes and answers the same shape. */
  versions: readonly string[];
  plural: string;
  singular: string;
  kind: string;
  /** The answer: the object to send back, without kind and apiVersion (added in the request's version). */
  create(req: VirtualRequest): Record<string, unknown>;
}

/** One create request of a virtual resource. */
export interface VirtualRequest {
  /** The decoded body, its kind checked and its unknown fields removed. */
  body: Record<string, unknown>;
  /** The version the request came through (`v1beta1`). */
  version: string;
  /** Who is asking. */
  user: UserInfo;
  dryRun: boolean;
  now: Date;
}

type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The metadata of an answer built from scratch, as Go serializes an empty ObjectMeta (`creationTimestamp: null`). */
export function emptyObjectMeta(): Obj {
  return { creationTimestamp: null };
}

/** Only the non-empty strings of `keys` in `v`, in that order: a Go struct of `omitempty` strings after a round trip. */
export function nonEmptyStrings(v: unknown, keys: readonly string[]): Obj {
  const out: Obj = {};
  if (!isObj(v)) return out;
  for (const k of keys) if (typeof v[k] === 'string' && v[k] !== '') out[k] = v[k];
  return out;
}
