/**
 * Secrets never reach a log line. Both processes log through pino with these options: credential-bearing fields are
 * censored by path, and every line is scrubbed of bearer credentials (an `Authorization` value, a JWT such as a
 * service account token) and of the secrets the process knows (its own bearer token) just before it is written.
 */

/** What a censored value becomes. */
export const REDACTED = '[REDACTED]';

/** Paths pino censors wherever a log object carries them (request headers, Node's raw bytes of a bad request). */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  'headers.cookie',
  'headers["proxy-authorization"]',
  'err.rawPacket',
  'rawPacket',
  'token',
  'bearerToken',
];

const BEARER = /(Bearer|Basic)(\s+|%20|\\t)[^\s"'\\,;]+/gi;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** `text` with credentials replaced by [REDACTED]: bearer and basic credentials, JWTs, and each of `secrets`. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(BEARER, (_m, scheme: string, gap: string) => `${scheme}${gap}${REDACTED}`);
  out = out.replace(JWT, REDACTED);
  for (const s of secrets) if (s.length >= 4 && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** Options of a pino logger that never writes a secret (merged over `base`); `secrets` are scrubbed verbatim. */
export function redactingPinoOptions<T extends object>(
  base: T,
  secrets: readonly string[] = [],
): T & { redact: { paths: string[]; censor: string }; hooks: { streamWrite(s: string): string } } {
  const b = base as T & { redact?: unknown; hooks?: Record<string, unknown> };
  const extraPaths = Array.isArray(b.redact)
    ? (b.redact as string[])
    : ((b.redact as { paths?: string[] } | undefined)?.paths ?? []);
  const known = secrets.filter((s) => s.length > 0);
  return {
    ...base,
    redact: { paths: [...new Set([...REDACTED_LOG_PATHS, ...extraPaths])], censor: REDACTED },
    hooks: { ...(b.hooks ?? {}), streamWrite: (s: string) => redactSecrets(s, known) },
  };
}
