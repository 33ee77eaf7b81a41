import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Paths anyone may read without credentials: the non-resource URLs of kube-apiserver's system:public-info-viewer
 * ClusterRole, bound to system:unauthenticated.
 */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/** Who a request comes from, as kube-apiserver's authenticators describe a user (user.Info). */
export interface UserInfo {
  readonly username: string;
  readonly uid: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/**
 * The holder of the server's bearer token: the administrator of a kubeadm cluster (its admin.conf user), in
 * `system:masters`; every authenticated user is also in `system:authenticated`.
 */
export const ADMIN_USER: UserInfo = Object.freeze({
  username: 'kubernetes-admin',
  uid: '',
  groups: Object.freeze(['system:masters', 'system:authenticated']),
  extra: Object.freeze({}),
});

/** A request nobody authenticated (no token required, or a public probe): kube-apiserver's anonymous user. */
export const ANONYMOUS_USER: UserInfo = Object.freeze({
  username: 'system:anonymous',
  uid: '',
  groups: Object.freeze(['system:unauthenticated']),
  extra: Object.freeze({}),
});

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user of the request, set by the authentication plugin before any handler runs. */
    user: UserInfo;
  }
  interface FastifyContextConfig {
    /** A route anyone may read without a token (the live view's static page, which then asks for one). */
    public?: boolean;
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A token for a server bound beyond loopback: the given one, or a new random one; saved to `<dataDir>/token`. */
export function prepareToken(dataDir: string, token?: string): string {
  const secret = token ?? randomBytes(24).toString('base64url');
  writeFileSync(resolve(dataDir, 'token'), secret + '\n', { mode: 0o600 });
  return secret;
}

/**
 * Looks at a bearer token other than the server's own: `unknown` when it is none of its business, the user it
 * identifies, or `invalid` (a token it issued that no longer holds: expired, its account or bound object gone).
 */
export type TokenAuthenticator = (
  token: string,
) => Promise<{ kind: 'unknown' } | { kind: 'user'; user: UserInfo } | { kind: 'invalid'; reason: string }>;

const UNAUTHORIZED = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
});

/** The bearer token of an `Authorization` header (`Bearer <token>`, scheme in any case), if it carries one. */
function bearerTokenOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /^\s*Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Authentication: every request gets its user in `req.user`. With a bearer token, `Authorization: Bearer <token>`
 * is required on every request but health and version probes (401 otherwise) and identifies the administrator;
 * the token is compared in constant time (SHA-256 digests of equal length through timingSafeEqual, so neither its
 * content nor its length leaks). Without one (a loopback server) a caller without credentials is anonymous. In both
 * cases a bearer token the `tokenAuthenticator` knows (a service account token this server signed) identifies its
 * user, and one it refuses is a 401, as kube-apiserver fails a request whose credentials do not hold rather than
 * taking it as anonymous; with a server token, so is any other token, probes included.
 */
export function registerAuthentication(
  app: FastifyInstance,
  opts: { bearerToken?: string; tokenAuthenticator?: TokenAuthenticator },
): void {
  app.decorateRequest('user', null as unknown as UserInfo);
  const secret = opts.bearerToken;
  const authenticate = opts.tokenAuthenticator;
  const expected = secret ? digest(secret) : undefined;
  const isPublic = (req: FastifyRequest) =>
    req.routeOptions.config?.public === true || PUBLIC_PATHS.has(req.url.split('?')[0]!);
  const unauthorized = (reply: FastifyReply) => reply.code(401).type('application/json').send(UNAUTHORIZED);
  app.addHook('onRequest', async (req, reply) => {
    req.user = ANONYMOUS_USER;
    const token = bearerTokenOf(req.headers.authorization);
    if (expected && token !== undefined && timingSafeEqual(digest(token), expected)) {
      req.user = ADMIN_USER;
      return;
    }
    if (token !== undefined && authenticate) {
      const result = await authenticate(token).catch((err: unknown) => ({
        kind: 'invalid' as const,
        reason: String(err),
      }));
      if (result.kind === 'user') {
        req.user = result.user;
        return;
      }
      if (result.kind === 'invalid') {
        req.log.debug({ reason: result.reason }, 'service account token refused');
        return unauthorized(reply);
      }
    }
    // Credentials that do not hold are refused even where anonymous callers are welcome, as kube-apiserver does.
    if (expected && (token !== undefined || !isPublic(req))) return unauthorized(reply);
  });
}
