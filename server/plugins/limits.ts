import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { goDurationError, parseGoDuration } from '../../apimachinery/duration.js';
import { errors, StatusError } from '../registry/status.js';
import { replyWithStatus } from './errors.js';

/**
 * The limits kube-apiserver puts on requests, with its defaults:
 * - `--max-requests-inflight` (800) read and `--max-mutating-requests-inflight` (400) mutating requests at once;
 *   beyond, 429 TooManyRequests with `Retry-After: 1`. Long-running requests (watches, pods/log) take no slot, and
 *   members of `system:masters` are never refused (upstream's max-inflight filter lets them through too).
 * - `--request-timeout` (60 s) for every request that is not long-running, shortened by a `?timeout=` the client
 *   sends (kubectl's --request-timeout): past it the client gets 504 Timeout.
 * - Watches: at most `maxWatchesPerClient` open at once per client (its user when authenticated, else its address;
 *   `system:masters` exempt) and `maxWatches` in all; beyond, 429 TooManyRequests with `Retry-After: 1`.
 */
export interface RequestLimits {
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  requestTimeoutMs: number;
  maxWatchesPerClient: number;
  maxWatches: number;
}

export const DEFAULT_LIMITS: RequestLimits = {
  maxRequestsInflight: 800,
  maxMutatingRequestsInflight: 400,
  requestTimeoutMs: 60_000,
  maxWatchesPerClient: 1000,
  maxWatches: 10_000,
};

/**
 * Connection timeouts of the HTTP server, as kube-apiserver's: headers must arrive within 32 s (its
 * ReadHeaderTimeout), the whole request, body included, within the request timeout (60 s), and an idle keep-alive
 * connection is closed after 90 s (its IdleTimeout). `checkIntervalMs` is how often Node looks for overdue ones.
 */
export interface ConnectionTimeouts {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  checkIntervalMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = {
  headersMs: 32_000,
  requestMs: 60_000,
  keepAliveMs: 90_000,
  checkIntervalMs: 2_000,
};

/** The Fastify and Node HTTP server options that enforce the connection timeouts. */
export function connectionOptions(t: ConnectionTimeouts) {
  return {
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    http: { headersTimeout: Math.min(t.headersMs, t.requestMs), connectionsCheckingInterval: t.checkIntervalMs },
  };
}

/** Live counts, read by the metrics. */
export interface LimitState {
  readOnly: number;
  mutating: number;
  watches: number;
  dropped: { readOnly: number; mutating: number };
}

const PRIVILEGED_GROUP = 'system:masters';

function tooManyRequests(): StatusError {
  return new StatusError(
    {
      message: 'Too many requests, please try again later.',
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
      code: 429,
    },
    { 'Retry-After': '1' },
  );
}

function timedOut(): StatusError {
  return new StatusError({
    message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
    reason: 'Timeout',
    details: {},
    code: 504,
  });
}

export function newLimitState(): LimitState {
  return { readOnly: 0, mutating: 0, watches: 0, dropped: { readOnly: 0, mutating: 0 } };
}

/** Registers the limits (after authentication, which they read); they keep their live counts in `state`. */
export function registerLimits(app: FastifyInstance, limits: RequestLimits, state: LimitState): void {
  const watchesByClient = new Map<string, number>();

  const privileged = (req: FastifyRequest) => req.user?.groups.includes(PRIVILEGED_GROUP) === true;

  const admitWatch = (req: FastifyRequest, reply: FastifyReply) => {
    const exempt = privileged(req);
    const client =
      req.user && req.user.username !== 'system:anonymous' ? `user:${req.user.username}` : `addr:${req.ip}`;
    const mine = watchesByClient.get(client) ?? 0;
    if (state.watches >= limits.maxWatches || (!exempt && mine >= limits.maxWatchesPerClient)) {
      req.log.debug({ client, watches: state.watches, mine }, 'watch refused: too many watches');
      throw tooManyRequests();
    }
    state.watches++;
    watchesByClient.set(client, mine + 1);
    reply.raw.once('close', () => {
      state.watches--;
      const n = (watchesByClient.get(client) ?? 1) - 1;
      if (n <= 0) watchesByClient.delete(client);
      else watchesByClient.set(client, n);
    });
  };

  app.addHook('onRequest', (req, reply, done) => {
    try {
      admit(req, reply);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });

  const admit = (req: FastifyRequest, reply: FastifyReply) => {
    const info = req.kube;
    if (info.longRunning) {
      if (info.verb === 'WATCH') admitWatch(req, reply);
      return;
    }
    let timeoutMs = limits.requestTimeoutMs;
    const asked = (req.query as Record<string, unknown>)['timeout'];
    const text = Array.isArray(asked) ? asked[0] : asked;
    if (typeof text === 'string' && text !== '') {
      const ns = parseGoDuration(text);
      if (ns === undefined)
        throw errors.badRequest(`invalid timeout specified in the request URL - ${goDurationError(text)}`);
      const ms = ns / 1e6;
      if (ms > 0 && ms < timeoutMs) timeoutMs = Math.max(1, Math.floor(ms));
    }
    const mutating = info.mutating;
    if (
      mutating ? state.mutating >= limits.maxMutatingRequestsInflight : state.readOnly >= limits.maxRequestsInflight
    ) {
      if (!privileged(req)) {
        if (mutating) state.dropped.mutating++;
        else state.dropped.readOnly++;
        throw tooManyRequests();
      }
    }
    if (mutating) state.mutating++;
    else state.readOnly++;
    const timer = timeoutMs > 0 ? setTimeout(() => replyWithStatus(req, reply, timedOut()), timeoutMs) : undefined;
    reply.raw.once('close', () => {
      if (mutating) state.mutating--;
      else state.readOnly--;
      if (timer) clearTimeout(timer);
    });
  };
}
