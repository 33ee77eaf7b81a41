import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Paths anyone may read, as kube-apiserver lets unauthenticated health and version probes through. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A token for a server bound beyond loopback: the given one, or a new random one; saved to `<dataDir>/token`. */
export function prepareToken(dataDir: string, token?: string): string {
  const secret = token ?? randomBytes(24).toString('base64url');
  writeFileSync(resolve(dataDir, 'token'), secret + '\n', { mode: 0o600 });
  return secret;
}

/** Requires `Authorization: Bearer <token>` on every request but health and version probes. */
export function enableBearerAuth(app: FastifyInstance, secret: string): void {
  const expected = Buffer.from(`Bearer ${secret}`);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return;
    return reply
      .code(401)
      .type('application/json')
      .send(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }));
  });
}
