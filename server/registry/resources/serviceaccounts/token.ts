import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { CreateSubresource } from '../../definition.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { rfc3339 } from '../../../../apimachinery/time.js';
import { normalizeMeta } from '../../meta.js';
import { errors } from '../../status.js';
import {
  EXPIRATION_EXTENSION_SECONDS,
  tokenClaims,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
} from '../../../serviceaccount/claims.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A token's lifetime when the request names none (SetDefaults_TokenRequestSpec: an hour). */
const DEFAULT_EXPIRATION_SECONDS = 3600;
/** The shortest lifetime a token may be asked for (ValidateTokenRequest: 10 minutes). */
const MIN_EXPIRATION_SECONDS = 10 * 60;
/** The longest (ValidateTokenRequest: 2^32 seconds). */
const MAX_EXPIRATION_SECONDS = 2 ** 32;

const TOKEN_REQUEST_GROUP = 'authentication.k8s.io';

/** ValidateTokenRequest: the requested lifetime is between 10 minutes and 2^32 seconds. */
export function validateTokenRequestSpec(expirationSeconds: number): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'spec.expirationSeconds';
  if (expirationSeconds < MIN_EXPIRATION_SECONDS)
    errs.push(fieldErr.invalid(path, expirationSeconds, 'may not specify a duration less than 10 minutes'));
  if (expirationSeconds > MAX_EXPIRATION_SECONDS)
    errs.push(fieldErr.invalid(path, expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** The group, version and kind a reference names (schema.FromAPIVersionAndKind: an unparsable apiVersion names none). */
function gvkOf(apiVersion: string, kind: string): { group: string; version: string; kind: string } {
  const parts = apiVersion === '' ? [] : apiVersion.split('/');
  if (parts.length > 2) return { group: '', version: '', kind };
  return parts.length === 2
    ? { group: parts[0]!, version: parts[1]!, kind }
    : { group: '', version: parts[0] ?? '', kind };
}

/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token` (authentication.k8s.io/v1 TokenRequest; kubectl create
 * token), as kube-apiserver's TokenREST: the body's name and namespace, when given, must be the account's; the account
 * must exist (404 otherwise); audiences default to the API server's, the lifetime to an hour and must lie between
 * 10 minutes and 2^32 seconds (422 `TokenRequest.authentication.k8s.io "" is invalid`); a bound object (Pod, Secret
 * or Node, in the core group) must exist, have the uid given and, for a pod, run as this account. The answer is the
 * request with a signed JWT and its expiry in `status`, with 201. A pod-bound token asking for 3607 s (what pods get
 * projected) lives a year and carries `warnafter`, as kube-apiserver extends them by default.
 */
export const serviceAccountToken: CreateSubresource = {
  name: 'token',
  group: TOKEN_REQUEST_GROUP,
  version: 'v1',
  kind: 'TokenRequest',
  acceptedVersions: [`${TOKEN_REQUEST_GROUP}/v1`],
  async create(req) {
    const { store, view, name, body } = req;
    const namespace = req.namespace ?? '';
    const invalid = (errs: FieldError[], objectName: string) =>
      errors.invalid(TOKEN_REQUEST_GROUP, 'TokenRequest', objectName, errs);
    const metadata: Obj = isObj(body.metadata) ? { ...body.metadata } : {};
    const requestName = str(metadata.name);
    if (requestName && requestName !== name) {
      throw invalid(
        [fieldErr.invalid('metadata.name', requestName, 'must match the service account name if specified')],
        name,
      );
    }
    const requestNamespace = str(metadata.namespace);
    if (requestNamespace && requestNamespace !== namespace) {
      throw invalid(
        [
          fieldErr.invalid(
            'metadata.namespace',
            requestNamespace,
            'must match the service account namespace if specified',
          ),
        ],
        name,
      );
    }
    const account = await store.get(view, namespace, name);
    const { read, tokenSigner } = store.services;

    const spec: Obj = isObj(body.spec) ? { ...body.spec } : {};
    const audiences =
      Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(str) : [...tokenSigner.audiences];
    const expirationSeconds =
      typeof spec.expirationSeconds === 'number' ? spec.expirationSeconds : DEFAULT_EXPIRATION_SECONDS;
    const now = new Date();
    // The system fields of the request's metadata are not the client's to set (WipeObjectMetaSystemFields).
    for (const k of ['uid', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']) delete metadata[k];
    metadata.name = name;
    metadata.namespace = namespace;
    metadata.creationTimestamp = rfc3339(now);
    const errs = validateTokenRequestSpec(expirationSeconds);
    if (errs.length > 0) throw invalid(errs, '');

    let pod: KubeObject | undefined;
    let secret: KubeObject | undefined;
    let node: KubeObject | undefined;
    const ref = isObj(spec.boundObjectRef) ? spec.boundObjectRef : undefined;
    if (ref) {
      const refName = str(ref.name);
      const gvk = gvkOf(str(ref.apiVersion), str(ref.kind));
      let uid: string;
      if (gvk.group === '' && gvk.kind === 'Pod') {
        pod = await read('pods', namespace, refName);
        if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, refName);
        const runsAs = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? '';
        if (runsAs !== name)
          throw errors.badRequest(
            `cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`,
          );
        uid = pod.metadata.uid ?? '';
        const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
        // The pod's node goes into the claims too; known only by name when the Node object is gone.
        if (nodeName) node = (await read('nodes', undefined, nodeName)) ?? { metadata: { name: nodeName } };
      } else if (gvk.group === '' && gvk.kind === 'Node') {
        node = await read('nodes', undefined, refName);
        if (!node) throw errors.notFound({ group: '', resource: 'nodes' }, refName);
        uid = node.metadata.uid ?? '';
      } else if (gvk.group === '' && gvk.kind === 'Secret') {
        secret = await read('secrets', namespace, refName);
        if (!secret) throw errors.notFound({ group: '', resource: 'secrets' }, refName);
        uid = secret.metadata.uid ?? '';
      } else {
        throw errors.badRequest(`cannot bind token to object of type ${gvk.group}/${gvk.version}, Kind=${gvk.kind}`);
      }
      const wanted = str(ref.uid);
      if (wanted && wanted !== uid) {
        throw errors.conflict(
          { group: gvk.group, resource: gvk.kind },
          refName,
          `the UID in the bound object reference (${wanted}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
    }

    // A projected pod token (3607 s, for this server) is extended, with a time after which its use is only warned about.
    const extend =
      !!pod &&
      expirationSeconds === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS &&
      audiences.every((a) => tokenSigner.audiences.includes(a));
    const claims = tokenClaims({
      serviceAccount: account,
      pod,
      secret,
      node,
      issuer: tokenSigner.issuer,
      audiences,
      now,
      expirationSeconds: extend ? EXPIRATION_EXTENSION_SECONDS : expirationSeconds,
      warnAfterSeconds: extend ? expirationSeconds : undefined,
    });
    return {
      kind: 'TokenRequest',
      apiVersion: `${TOKEN_REQUEST_GROUP}/v1`,
      metadata: normalizeMeta(metadata),
      spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
      status: {
        token: tokenSigner.sign(claims),
        expirationTimestamp: rfc3339(new Date(Math.floor(now.getTime() / 1000) * 1000 + expirationSeconds * 1000)),
      },
    };
  },
};
