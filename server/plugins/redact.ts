import type { FastifyServerOptions } from 'fastify';
import { redactingPinoOptions } from '../../apimachinery/redact.js';

type LoggerOption = NonNullable<FastifyServerOptions['logger']>;

/**
 * The API server's logger options with secrets kept out of every line, at every level: request credentials and
 * Node's raw bytes of a malformed request (which carry its headers and body) are censored, and bearer tokens, JWTs
 * and `secrets` (the server's own token) are scrubbed from each line before it is written.
 */
export function redactingLoggerOptions(logger: LoggerOption, secrets: ReadonlyArray<string | undefined> = []): object {
  const base = typeof logger === 'object' ? logger : {};
  return redactingPinoOptions(
    base,
    secrets.filter((s): s is string => !!s),
  );
}
