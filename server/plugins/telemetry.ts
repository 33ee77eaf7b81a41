import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogFn = (...args: unknown[]) => void;
type ParentLogger = Record<Level, LogFn> & {
  level: string;
  child(bindings: Record<string, unknown>, opts?: object): unknown;
  isLevelEnabled?(level: string): boolean;
};

/**
 * A request's logger (`req.log`), made the first time the request logs at an enabled level: most requests never
 * do, and a pino child serializes its bindings when it is made. Its lines are the child's own.
 */
class LazyChildLogger {
  private made: ParentLogger | undefined;

  constructor(
    private readonly parent: ParentLogger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  get level(): string {
    return this.made ? this.made.level : this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  child(bindings: Record<string, unknown>, opts?: object): unknown {
    return this.real().child(bindings, opts);
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(): void {}

  private real(): ParentLogger {
    return (this.made ??= this.parent.child(this.bindings, {}) as ParentLogger);
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made) this.made[level](...args);
    else if (this.parent.isLevelEnabled!(level)) this.real()[level](...args);
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made when first used (see LazyChildLogger). */
export function childLogger(
  this: unknown,
  logger: unknown,
  bindings: Record<string, unknown>,
  opts: object,
): FastifyBaseLogger {
  const parent = logger as ParentLogger;
  if (typeof parent.isLevelEnabled !== 'function' || Object.keys(opts).length > 0)
    return parent.child(bindings, opts) as FastifyBaseLogger;
  return new LazyChildLogger(parent, bindings) as unknown as FastifyBaseLogger;
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
