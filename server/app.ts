import { setMaxListeners } from 'node:events';
import { createRequire } from 'node:module';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Storage } from '../storage/interface.js';
import { registerDiscoveryRoutes } from './api/discovery.js';
import { registerOpenAPIExplorer, registerOpenAPIRoutes } from './api/openapi.js';
import { KubeletClient, type KubeletClientOptions } from './api/kubelet-client.js';
import { registerResourceRoutes } from './api/resources.js';
import { registerVirtualRoutes } from './api/virtual.js';
import { registerAuthentication } from './plugins/auth.js';
import { MAX_REQUEST_BODY_BYTES, registerErrorHandling } from './plugins/errors.js';
import { DEFAULT_EVENT_TTL_SECONDS, EventTTL } from './registry/event-ttl.js';
import { NamespaceLifecycle } from './registry/namespace-lifecycle.js';
import { Registry } from './registry/registry.js';
import { defaultResources, defaultVirtualResources } from './registry/resources/index.js';
import { authenticateServiceAccountToken } from './serviceaccount/claims.js';
import { TokenSigner } from './serviceaccount/jwt.js';
import { advertiseAddress, KubernetesServiceController } from './registry/resources/services/kubernetes-service.js';

export interface AppOptions {
  storage: Storage;
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
}

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

export interface App {
  fastify: FastifyInstance;
  registry: Registry;
}

/**
 * Builds the API server over an open Storage: routes for every resource, discovery, health, error replies.
 * The initial namespaces are created before it is returned. Closing the Fastify instance ends all watches
 * and background work; the caller closes the storage.
 */
export async function buildApp(opts: AppOptions): Promise<App> {
  const fastify = Fastify({
    logger: opts.logger ?? false,
    // No per-request log lines: a hot path stays free of them; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_REQUEST_BODY_BYTES,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: 512 },
    schemaController: lazySchemaCompilers(),
  });
  const tokenSigner = opts.serviceAccountKeyFile ? TokenSigner.fromKeyFile(opts.serviceAccountKeyFile) : undefined;
  const registry = new Registry(
    opts.storage,
    defaultResources({
      serviceClusterIPRange: opts.serviceClusterIPRange,
      serviceNodePortRange: opts.serviceNodePortRange,
    }),
    defaultVirtualResources(),
    { tokenSigner, disabledAdmissionPlugins: opts.disableAdmissionPlugins },
  );
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // every open watch listens for shutdown
  let ready = false;

  // Bodies are decoded by the handlers (JSON, YAML, the patch types), never coerced by Fastify.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  registerErrorHandling(fastify);
  registerAuthentication(fastify, {
    bearerToken: opts.bearerToken,
    tokenAuthenticator: (token) =>
      authenticateServiceAccountToken(token, registry.services.tokenSigner, registry.services.read),
  });
  registerDiscoveryRoutes(fastify, registry, () => ready);
  registerResourceRoutes(fastify, {
    registry,
    storage: opts.storage,
    shutdownSignal: shutdown.signal,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    watchStallTimeoutMs: opts.watchStallTimeoutMs,
    kubelets: new KubeletClient(opts.kubelet),
  });
  registerVirtualRoutes(fastify, registry);
  registerOpenAPIRoutes(fastify, registry);
  registerOpenAPIExplorer(fastify, registry);

  const lifecycle = new NamespaceLifecycle(registry, opts.storage, fastify.log);
  const eventTTL = new EventTTL(opts.storage, {
    ttlSeconds: opts.eventTTLSeconds ?? DEFAULT_EVENT_TTL_SECONDS,
    sweepMs: opts.eventSweepMs ?? 60_000,
    log: fastify.log,
  });
  // The `kubernetes` Service and its endpoints name the address and port the server listens on, known once it does.
  const kubernetesService = new KubernetesServiceController(registry, opts.storage, fastify.log);
  fastify.addHook('onListen', async () => {
    const address = fastify.server.address();
    if (address && typeof address === 'object')
      kubernetesService.start(advertiseAddress(address.address), address.port);
  });
  fastify.addHook('preClose', async () => {
    ready = false;
    shutdown.abort();
    lifecycle.stop();
    eventTTL.stop();
    kubernetesService.stop();
  });
  await lifecycle.start();
  eventTTL.start();
  await fastify.ready();
  ready = true;
  return { fastify, registry };
}
