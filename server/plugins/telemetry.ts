import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ApiServerMetrics } from '../metrics.js';

/**
 * What every request leaves behind: its counts and latency in the metrics, its request id (kube-apiserver's audit
 * ID: the client's `Audit-ID` header when it sends a sane one, else a new UUID; returned as `Audit-Id` and carried
 * as `reqId` by every log line of the request), and at debug level one line with the audit fields (verb, resource,
 * user, code, latency). At info and above a request writes no log line, so the hot path stays free of them.
 */

const AUDIT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify's genReqId: the request id. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && AUDIT_ID.test(given) ? given : randomUUID();
}

/**
 * Pino options of the API server's logger: level, destination, and redaction of anything that could carry a
 * credential or a body (headers, raw packets of malformed requests, bodies), whatever the level.
 */
export function loggerOptions(
  level: string,
  stream: NodeJS.WritableStream,
): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    stream,
    redact: {
      paths: [
        'req.headers',
        'headers',
        'authorization',
        '*.authorization',
        'rawPacket',
        'err.rawPacket',
        'body',
        'req.body',
        'err.body',
      ],
      censor: '[REDACTED]',
    },
  } as NonNullable<FastifyServerOptions['logger']>;
}

/** Registers the per-request bookkeeping and `GET /metrics`. */
export function registerTelemetry(app: FastifyInstance, metrics: ApiServerMetrics): void {
  const debug = app.log.level === 'debug' || app.log.level === 'trace';

  const logRequest = (req: FastifyRequest, code: number, seconds: number) => {
    const info = req.kube;
    req.log.debug(
      {
        verb: info.verb,
        resource: info.resource,
        subresource: info.subresource || undefined,
        user: req.user?.username,
        code,
        latencyMs: Math.round(seconds * 1e6) / 1e3,
      },
      'request',
    );
  };

  app.addHook('onRequest', (req, reply, done) => {
    reply.raw.setHeader('Audit-Id', req.id);
    const info = req.kube;
    if (info.longRunning) {
      // hijacked streams never reach onResponse: count them when they end
      const started = performance.now();
      const ended = metrics.longRunningStarted(info);
      reply.raw.once('close', () => {
        ended();
        const seconds = (performance.now() - started) / 1000;
        const code = reply.raw.statusCode;
        metrics.observe(info, code, seconds);
        if (debug) logRequest(req, code, seconds);
      });
    }
    done();
  });

  app.addHook('onResponse', (req, reply, done) => {
    const info = req.kube;
    if (info && !info.longRunning) {
      const seconds = reply.elapsedTime / 1000;
      metrics.observe(info, reply.statusCode, seconds);
      if (debug) logRequest(req, reply.statusCode, seconds);
    }
    done();
  });

  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
