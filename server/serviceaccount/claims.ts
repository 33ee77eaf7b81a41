/**
 * What a service account token says and how the API server checks it (pkg/serviceaccount/claims.go and the
 * authenticator of jwt.go): the registered claims (iss, sub, aud, iat, nbf, exp, jti) and the private
 * `kubernetes.io` claim naming the namespace, the service account and the objects the token is bound to; a token is
 * accepted while it is in date, meant for this API server and everything it names still exists with the same uid.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { UserInfo } from '../plugins/auth.js';
import type { ObjectReader } from '../registry/definition.js';
import { parseToken, unverifiedIssuer, type TokenSigner } from './jwt.js';

/** The expiration a token projected into a pod asks for: the server extends it and only warns after it (3607 s). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
/** How long such an extended token lives (a year, kube-apiserver's default maximum extension). */
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** Clock skew tolerated on exp, nbf and iat (go-jose's default leeway), and for objects deleted just now. */
const LEEWAY_SECONDS = 60;

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'authentication.kubernetes.io/';

/** `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

type Ref = { name: string; uid: string };
const refOf = (obj: KubeObject): Ref => ({ name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' });

/** The objects a token is issued for and bound to, already read. */
export interface TokenSubjects {
  serviceAccount: KubeObject;
  pod?: KubeObject;
  secret?: KubeObject;
  /** The node of a bound pod (only its name when the Node object does not exist), or the node the token is bound to. */
  node?: KubeObject;
}

/**
 * The claims of a new token: registered claims (second precision) and the `kubernetes.io` claim with the bound
 * objects; `warnAfterSeconds` adds the time after which the holder should have refreshed an extended token.
 */
export function tokenClaims(
  o: TokenSubjects & {
    issuer: string;
    audiences: readonly string[];
    now: Date;
    expirationSeconds: number;
    warnAfterSeconds?: number;
  },
): Record<string, unknown> {
  const sa = o.serviceAccount;
  const now = Math.floor(o.now.getTime() / 1000);
  const k8s: Record<string, unknown> = { namespace: sa.metadata.namespace ?? '', serviceaccount: refOf(sa) };
  if (o.pod) {
    k8s.pod = refOf(o.pod);
    if (o.node) k8s.node = omitEmpty(refOf(o.node));
  } else if (o.secret) {
    k8s.secret = refOf(o.secret);
  } else if (o.node) {
    k8s.node = refOf(o.node);
  }
  if (o.warnAfterSeconds) k8s.warnafter = now + o.warnAfterSeconds;
  return {
    aud: [...o.audiences],
    exp: now + o.expirationSeconds,
    iat: now,
    iss: o.issuer,
    jti: randomUUID(),
    'kubernetes.io': k8s,
    nbf: now,
    sub: serviceAccountUsername(sa.metadata.namespace ?? '', sa.metadata.name ?? ''),
  };
}

/** Drops empty strings, as Go's `omitempty` does (a node known only by name has no uid). */
function omitEmpty(ref: Ref): Partial<Ref> {
  return ref.uid ? ref : { name: ref.name };
}

/** The result of looking at a bearer token: not ours (another authenticator may know it), a user, or refused. */
export type TokenAuthentication =
  | { kind: 'unknown' }
  | { kind: 'user'; user: UserInfo }
  | { kind: 'invalid'; reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A `{name, uid}` claim, or undefined when absent or malformed. */
function refClaim(v: unknown): Ref | undefined {
  return isObj(v) ? { name: str(v.name), uid: str(v.uid) } : undefined;
}

/** A NumericDate claim in seconds, or undefined when absent or not a number. */
function numericDate(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Authenticates a bearer token as a service account (kube-apiserver's service account token authenticator): a JWT
 * whose issuer is not ours is someone else's business; one that is must carry our signature, be in date (60 s
 * leeway), name one of our audiences, and everything it names (service account, bound pod, secret or node) must
 * still exist with the uid it names and not have been deleted more than a minute ago.
 */
export async function authenticateServiceAccountToken(
  token: string,
  signer: TokenSigner,
  read: ObjectReader,
  now = new Date(),
): Promise<TokenAuthentication> {
  if (unverifiedIssuer(token) !== signer.issuer) return { kind: 'unknown' };
  const parsed = parseToken(token);
  if (!parsed) return { kind: 'invalid', reason: 'malformed token' };
  if (!signer.verifySignature(parsed)) return { kind: 'invalid', reason: 'invalid signature' };
  const claims = parsed.payload;
  const t = now.getTime() / 1000;
  const nbf = numericDate(claims.nbf);
  const exp = numericDate(claims.exp);
  const iat = numericDate(claims.iat);
  if (nbf !== undefined && t + LEEWAY_SECONDS < nbf)
    return { kind: 'invalid', reason: 'service account token is not valid yet' };
  if (exp !== undefined && t - LEEWAY_SECONDS > exp)
    return { kind: 'invalid', reason: 'service account token has expired' };
  if (iat !== undefined && t + LEEWAY_SECONDS < iat)
    return { kind: 'invalid', reason: 'service account token is issued in the future' };
  const audiences =
    typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.map(str) : [];
  const tokenAudiences = audiences.length > 0 ? audiences : [...signer.audiences];
  if (!tokenAudiences.some((a) => signer.audiences.includes(a))) {
    return {
      kind: 'invalid',
      reason: `token audiences ${JSON.stringify(tokenAudiences)} is invalid for the target audiences ${JSON.stringify(signer.audiences)}`,
    };
  }

  const k8s = isObj(claims['kubernetes.io']) ? claims['kubernetes.io'] : undefined;
  const sa = refClaim(k8s?.serviceaccount);
  const namespace = str(k8s?.namespace);
  if (!k8s || !sa || !namespace || !sa.name)
    return { kind: 'invalid', reason: 'service account token claims are incomplete' };
  const deletedLongAgo = (obj: KubeObject) => {
    const ts = obj.metadata.deletionTimestamp;
    return !!ts && Date.parse(ts) < now.getTime() - LEEWAY_SECONDS * 1000;
  };
  const check = async (
    what: string,
    resource: string,
    ns: string | undefined,
    ref: Ref,
  ): Promise<KubeObject | string> => {
    const obj = await read(resource, ns, ref.name);
    const where = ns ? `${ns}/${ref.name}` : ref.name;
    if (!obj) return `${what} ${where} not found`;
    if (deletedLongAgo(obj)) return `${what} ${where} has been deleted`;
    if ((obj.metadata.uid ?? '') !== ref.uid)
      return `${what} UID (${obj.metadata.uid ?? ''}) does not match claim (${ref.uid})`;
    return obj;
  };
  const account = await check('service account', 'serviceaccounts', namespace, sa);
  if (typeof account === 'string') return { kind: 'invalid', reason: account };
  const extra: Record<string, string[]> = {};
  const secret = refClaim(k8s.secret);
  if (secret) {
    const found = await check('secret', 'secrets', namespace, secret);
    if (typeof found === 'string') return { kind: 'invalid', reason: found };
  }
  const pod = refClaim(k8s.pod);
  if (pod) {
    const found = await check('pod', 'pods', namespace, pod);
    if (typeof found === 'string') return { kind: 'invalid', reason: found };
    extra[`${EXTRA_PREFIX}pod-name`] = [pod.name];
    extra[`${EXTRA_PREFIX}pod-uid`] = [pod.uid];
  }
  const node = refClaim(k8s.node);
  if (node && !pod) {
    const found = await check('node', 'nodes', undefined, node);
    if (typeof found === 'string') return { kind: 'invalid', reason: found };
  }
  const jti = str(claims.jti);
  if (jti) extra[`${EXTRA_PREFIX}credential-id`] = [`JTI=${jti}`];
  if (node) {
    extra[`${EXTRA_PREFIX}node-name`] = [node.name];
    if (node.uid) extra[`${EXTRA_PREFIX}node-uid`] = [node.uid];
  }
  return {
    kind: 'user',
    user: Object.freeze({
      username: serviceAccountUsername(namespace, sa.name),
      uid: sa.uid,
      groups: Object.freeze(['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']),
      // Sorted, as Go writes a map.
      extra: Object.freeze(Object.fromEntries(Object.entries(extra).sort(([a], [b]) => (a < b ? -1 : 1)))),
    }),
  };
}
