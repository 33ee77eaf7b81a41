import { setMaxListeners } from 'node:events';
import { createRequire } from 'node:module';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Storage } from '../storage/interface.js';
import { registerDiscoveryRoutes } from './api/discovery.js';
import { registerOpenAPIExplorer, registerOpenAPIRoutes } from './api/openapi.js';
import { KubeletClient, type KubeletClientOptions } from './api/kubelet-client.js';
import { registerResourceRoutes } from './api/resources.js';
import { trimApiTrailingSlashes } from './api/resource-router.js';
import { registerUIRoutes } from './api/ui.js';
import { registerVirtualRoutes } from './api/virtual.js';
import { ApiServerMetrics } from './metrics.js';
import { registerAuthentication } from './plugins/auth.js';
import {
  clientErrorHandler,
  frameworkErrors,
  MAX_REQUEST_BODY_BYTES,
  registerErrorHandling,
} from './plugins/errors.js';
import { type HealthCheck, postStartHook, registerHealthChecks } from './plugins/health.js';
import {
  type ConnectionTimeouts,
  connectionOptions,
  DEFAULT_CONNECTION_TIMEOUTS,
  DEFAULT_LIMITS,
  newLimitState,
  type RequestLimits,
  registerLimits,
} from './plugins/limits.js';
import { registerRequestInfo } from './plugins/request-info.js';
import { childLogger, registerTelemetry, requestId } from './plugins/telemetry.js';
import { redactingLoggerOptions } from './plugins/redact.js';
import { DEFAULT_EVENT_TTL_SECONDS, EventTTL } from './registry/event-ttl.js';
import { NamespaceLifecycle } from './registry/namespace-lifecycle.js';
import { Registry } from './registry/registry.js';
import { defaultResources, defaultVirtualResources } from './registry/resources/index.js';
import { authenticateServiceAccountToken } from './serviceaccount/claims.js';
import { TokenSigner } from './serviceaccount/jwt.js';
import { loadSchemas } from './schemas.js';
import { advertiseAddress, KubernetesServiceController } from './registry/resources/services/kubernetes-service.js';

export interface AppOptions {
  /**
   * The store, open, or a promise of it while it opens: what needs no store (the Fastify instance, the token signer,
   * the resource definitions) is built meanwhile.
   */
  storage: Storage | Promise<Storage>;
  /** Fastify's logger option (pino); false by default in tests. */
  logger?: FastifyServerOptions['logger'];
  /** How long a quiet watch that asked for bookmarks waits before one (kube-apiserver: about a minute). */
  bookmarkIntervalMs?: number;
  /**
   * How long a watch waits for its client to take more data before it closes the connection: a client that
   * stopped reading is cut off instead of holding the connection and its buffers for ever. Default 60 s.
   */
  watchStallTimeoutMs?: number;
  /** When set, every request but health and version probes needs `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Events expire this long after their last write (kube-apiserver's --event-ttl, 1 h). */
  eventTTLSeconds?: number;
  /** How often expired events are looked for. */
  eventSweepMs?: number;
  /** How the server reaches kubelets for pods/log (preferred node address types, time and stream bounds). */
  kubelet?: KubeletClientOptions;
  /**
   * The PEM private key that signs service account tokens (kube-apiserver's --service-account-signing-key-file),
   * created when missing; without it a key is made in memory and tokens die with the server.
   */
  serviceAccountKeyFile?: string;
  /** Admission plugins turned off by name (kube-apiserver's --disable-admission-plugins): `ServiceAccount`. */
  disableAdmissionPlugins?: readonly string[];
  /** IPv4 range of Service cluster IPs (kube-apiserver's --service-cluster-ip-range; default 10.96.0.0/12). */
  serviceClusterIPRange?: string;
  /** Range of Service node ports (kube-apiserver's --service-node-port-range; default 30000-32767). */
  serviceNodePortRange?: string;
  /** In-flight, timeout and watch limits (kube-apiserver's defaults: see DEFAULT_LIMITS). */
  limits?: Partial<RequestLimits>;
  /** Header, request and keep-alive timeouts of connections (see DEFAULT_CONNECTION_TIMEOUTS). */
  connectionTimeouts?: Partial<ConnectionTimeouts>;
  /**
   * On close, how long requests in flight get to finish (and be answered) before their connections are cut
   * (default 5 s). Watches end at once, cleanly; idle connections close at once.
   */
  shutdownGraceMs?: number;
  /** Serve HTTPS with this PEM key and certificate (kube-apiserver's --tls-private-key-file, --tls-cert-file). */
  tls?: { key: string; cert: string };
}

/** The default of AppOptions.shutdownGraceMs. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5000;

/**
 * Fastify's own schema compilers (Ajv and fast-json-stringify), loaded the first time a route declares a schema
 * rather than when Fastify is constructed. The Kubernetes routes decode and validate bodies themselves, so a
 * start does not pay for loading them (about a fifth of the time to /readyz).
 */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  type Factory = (...args: unknown[]) => unknown;
  const lazily = (pkg: string) => {
    let factory: Factory | undefined;
    return (...args: unknown[]) => {
      factory ??= (requireFromFastify(pkg) as () => Factory)();
      return factory(...args);
    };
  };
  return {
    compilersFactory: {
      buildValidator: lazily('@fastify/ajv-compiler') as never,
      buildSerializer: lazily('@fastify/fast-json-stringify-compiler') as never,
    },
  };
}

/** `defaults` with the values of `given` that are set. */
function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export interface App {
  fastify: FastifyInstance;
  registry: Registry;
  metrics: ApiServerMetrics;
}

/**
 * Builds the API server over an open Storage: routes for every resource, discovery, health, error replies.
 * The initial namespaces are created before it is returned. Closing the Fastify instance ends all watches
 * and background work; the caller closes the storage.
 */
export async function buildApp(opts: AppOptions): Promise<App> {
  const timeouts = withDefaults(DEFAULT_CONNECTION_TIMEOUTS, opts.connectionTimeouts);
  const fastify = Fastify({
    ...(opts.tls ? { https: { key: opts.tls.key, cert: opts.tls.cert } } : {}),
    logger: opts.logger ? redactingLoggerOptions(opts.logger, [opts.bearerToken]) : false,
    // No per-request log lines at info: a hot path stays free of them (the telemetry plugin logs them at debug).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    childLoggerFactory: childLogger,
    bodyLimit: MAX_REQUEST_BODY_BYTES,
    // On close, requests in flight finish and are answered; idle connections close at once (see preClose).
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    ...connectionOptions(timeouts),
    clientErrorHandler,
    frameworkErrors,
    // A path segment is bounded by the 16 KiB header limit; a long name gets the apiserver's answer, not a 414.
    routerOptions: { maxParamLength: 16 * 1024 },
    rewriteUrl: trimApiTrailingSlashes,
    schemaController: lazySchemaCompilers(),
  });
  const tokenSigner = opts.serviceAccountKeyFile ? TokenSigner.fromKeyFile(opts.serviceAccountKeyFile) : undefined;
  const resources = defaultResources({
    serviceClusterIPRange: opts.serviceClusterIPRange,
    serviceNodePortRange: opts.serviceNodePortRange,
  });
  const virtualResources = defaultVirtualResources();
  const storage = await opts.storage;
  const registry = new Registry(storage, resources, virtualResources, {
    tokenSigner,
    disabledAdmissionPlugins: opts.disableAdmissionPlugins,
  });
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // every open watch listens for shutdown
  let namespacesStarted = false;
  let bootstrapped = false;

  // Bodies are decoded by the handlers (JSON, YAML, the patch types), never coerced by Fastify.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerErrorHandling(fastify);
  registerRequestInfo(fastify);
  const limitsState = newLimitState();
  const metrics = new ApiServerMetrics({ storage, registry, limits: limitsState });
  registerTelemetry(fastify, metrics);
  registerAuthentication(fastify, {
    bearerToken: opts.bearerToken,
    tokenAuthenticator: (token) =>
      authenticateServiceAccountToken(token, registry.services.tokenSigner, registry.services.read),
  });
  registerLimits(fastify, withDefaults(DEFAULT_LIMITS, opts.limits), limitsState);
  const storageCheck: HealthCheck = {
    name: 'storage',
    async check() {
      await storage.list('/registry/namespaces/', { limit: 1 });
    },
  };
  const ping: HealthCheck = { name: 'ping', check() {} };
  const hooks = [
    postStartHook('start-system-namespaces-controller', () => namespacesStarted),
    postStartHook('bootstrap-controller', () => bootstrapped),
  ];
  const shutdownCheck: HealthCheck = {
    name: 'shutdown',
    check() {
      if (shutdown.signal.aborted) throw new Error('process is shutting down');
    },
  };
  registerHealthChecks(
    fastify,
    {
      livez: [ping, storageCheck, ...hooks],
      readyz: [ping, storageCheck, ...hooks, shutdownCheck],
      healthz: [ping, storageCheck, ...hooks],
    },
    // The definitions every write reads for its managed fields (~20-30 ms of CPU): loaded before the first write of a
    // client that waited for readiness (the controller manager's Lease), not while it waits for the answer.
    () => {
      try {
        loadSchemas();
      } catch {
        // the first write that needs them answers with the error
      }
    },
  );
  // The system namespaces are written (a synced batch) while the routes are registered: the writes reach the thread
  // pool in the microtasks after start(), which the immediate lets run first.
  const lifecycle = new NamespaceLifecycle(registry, storage, fastify.log);
  const lifecycleStarted = lifecycle.start();
  lifecycleStarted.catch(() => {}); // awaited below, where a failure stops the start
  await new Promise((resolve) => setImmediate(resolve));
  registerDiscoveryRoutes(fastify, registry);
  registerResourceRoutes(fastify, {
    registry,
    storage,
    shutdownSignal: shutdown.signal,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    watchStallTimeoutMs: opts.watchStallTimeoutMs,
    kubelets: new KubeletClient(opts.kubelet),
  });
  registerVirtualRoutes(fastify, registry);
  registerOpenAPIRoutes(fastify, registry);
  registerOpenAPIExplorer(fastify, registry);
  registerUIRoutes(fastify, registry);

  const eventTTL = new EventTTL(storage, {
    ttlSeconds: opts.eventTTLSeconds ?? DEFAULT_EVENT_TTL_SECONDS,
    sweepMs: opts.eventSweepMs ?? 60_000,
    log: fastify.log,
  });
  // The `kubernetes` Service and its endpoints name the address and port the server listens on, known once it does.
  const kubernetesService = new KubernetesServiceController(registry, storage, fastify.log);
  fastify.addHook('onListen', async () => {
    const address = fastify.server.address();
    if (address && typeof address === 'object') {
      kubernetesService.start(advertiseAddress(address.address), address.port);
      bootstrapped = true;
    }
  });
  // Graceful close: watches end cleanly at once, the listener stops, idle keep-alive connections close as soon as
  // they are idle (answers in flight carry `Connection: close`), and whatever is still in flight after the grace
  // period is cut.
  let drain: NodeJS.Timeout | undefined;
  let cut: NodeJS.Timeout | undefined;
  let reconciling: Promise<void> | undefined;
  fastify.addHook('preClose', async () => {
    shutdown.abort();
    lifecycle.stop();
    eventTTL.stop();
    reconciling = kubernetesService.stop();
    const server = fastify.server;
    drain = setInterval(() => server.closeIdleConnections(), 50);
    cut = setTimeout(() => {
      fastify.log.warn({}, 'shutdown: requests still in flight after the grace period: closing their connections');
      server.closeAllConnections();
    }, opts.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
  });
  fastify.addHook('onClose', async () => {
    clearInterval(drain);
    clearTimeout(cut);
    await reconciling; // the caller closes the store after this
  });
  await lifecycleStarted;
  namespacesStarted = true;
  eventTTL.start();
  await fastify.ready();
  return { fastify, registry, metrics };
}
