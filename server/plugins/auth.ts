import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Paths anyone may read, as kube-apiserver lets unauthenticated health and version probes through. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

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
 * Authentication: every request gets its user in `req.user`. With a bearer token, `Authorization: Bearer <token>`
 * is required on every request but health and version probes (401 otherwise) and identifies the administrator;
 * without one (a loopback server) every caller is anonymous.
 */
export function registerAuthentication(app: FastifyInstance, opts: { bearerToken?: string }): void {
  app.decorateRequest('user', null as unknown as UserInfo);
  const secret = opts.bearerToken;
  if (!secret) {
    app.addHook('onRequest', (req, _reply, done) => {
      req.user = ANONYMOUS_USER;
      done();
    });
    return;
  }
  const expected = Buffer.from(`Bearer ${secret}`);
  app.addHook('onRequest', async (req, reply) => {
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length === expected.length && timingSafeEqual(got, expected)) {
      req.user = ADMIN_USER;
      return;
    }
    req.user = ANONYMOUS_USER;
    const path = req.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    return reply
      .code(401)
      .type('application/json')
      .send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
  });
}
