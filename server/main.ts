#!/usr/bin/env node
/**
 * The API server process: flags → open storage (while the app's modules load and buildApp() builds the app) → listen →
 * write a kubeconfig.
 * `node dist/server/main.js --port P --host H --data-dir D`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Storage } from '../storage/interface.js';
import { openLevelStorage } from '../storage/level/level-storage.js';
import { boundHeap, SERVER_HEAP } from '../cli/heap.js';
import { parseFlags, tlsEnabled, usage, UsageError, type ServerFlags } from './flags.js';
import { writeKubeconfig } from './kubeconfig.js';
import { prepareToken } from './plugins/auth.js';
import { loggerOptions } from './plugins/telemetry.js';
import {
  ensureCA,
  ensureServingCertificate,
  loadServingCertificate,
  pkiPaths,
  servingNames,
  type ServingTLS,
} from './pki.js';

async function main(argv: string[]): Promise<void> {
  let flags: ServerFlags;
  try {
    flags = parseFlags(argv, 'server');
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${usage('server')}`);
      process.exit(2);
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(usage('server'));
    return;
  }
  if (flags.nodes > 0) {
    process.stderr.write(
      'error: --nodes is for `npm start` (node dist/cli/start.js), which runs the controller manager that creates the nodes; the API server alone cannot\n',
    );
    process.exit(2);
  }
  const dataDir = resolve(flags.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const maxHistoryBytes = flags.watchCacheMiB ? flags.watchCacheMiB * 1024 * 1024 : undefined;
  // LevelDB opens on the thread pool while the app is built (buildApp awaits it where it is first needed).
  let storage: Storage | Promise<Storage>;
  if (flags.storage === 'etcd') {
    // etcd's client (etcd3, gRPC and its protobuf definitions, ~50-150 ms to load) only for a store on etcd.
    const { openEtcdStorage } = await import('../storage/etcd/etcd-storage.js');
    try {
      storage = await openEtcdStorage({ servers: flags.etcdServers!, prefix: flags.etcdPrefix, maxHistoryBytes });
    } catch (err) {
      process.stderr.write(
        `error: etcd at ${flags.etcdServers!.join(',')}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exit(1);
    }
  } else {
    storage = openLevelStorage({
      dir: resolve(dataDir, 'store'),
      maxHistoryBytes,
      ...(flags.storageWriteBufferMiB ? { objectsWriteBufferBytes: flags.storageWriteBufferMiB * 1024 * 1024 } : {}),
    });
    storage.catch(() => {}); // awaited by buildApp, where a failure stops the start
  }
  // The cluster CA exists even for plain HTTP: it is what pods find in kube-root-ca.crt. A first start makes it here
  // (an ECDSA P-256 key, ~1 ms; the 2048-bit RSA key it had took 50-400 ms of CPU, and `npm start` on a new data
  // directory waited ~100 ms for it after the server listened), while the store opens on the thread pool.
  ensureCA(dataDir);
  // A token whenever the server speaks TLS (always beyond loopback; with --tls or one's own certificate on it): kubectl
  // sends credentials only over TLS, and when its kubeconfig names none for an https server it asks for a username
  // and password at the terminal.
  const token = flags.token || tlsEnabled(flags) ? prepareToken(dataDir, flags.token) : undefined;
  let tls: ServingTLS | undefined;
  if (tlsEnabled(flags)) {
    try {
      tls =
        flags.tlsCertFile && flags.tlsPrivateKeyFile
          ? loadServingCertificate(flags.tlsCertFile, flags.tlsPrivateKeyFile)
          : ensureServingCertificate(
              dataDir,
              servingNames(flags.host, { serviceClusterIPRange: flags.serviceClusterIPRange }),
            );
    } catch (err) {
      process.stderr.write(`error: TLS: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  }
  // The app's modules (Fastify, pino, prom-client, the registry: ~20 ms of a start) load once the store's open is
  // under way on the thread pool, so that opening LevelDB overlaps them and the building of the app.
  // LevelDB opens in two steps on the pool (its directory, ~1-4 ms, then the database), and the second starts only
  // once this thread has run the first one's callback: a turn of the event loop after the modules have loaded lets
  // it (otherwise the app waited ~6-14 ms for the store). Two immediates: the first may run in the turn whose poll
  // phase is running now, the second comes after a poll phase that ran the finished directory's callback.
  const { buildApp, DEFAULT_SHUTDOWN_GRACE_MS } = await import('./app.js');
  await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  const { fastify } = await buildApp({
    storage,
    tls,
    logger: loggerOptions(flags.logLevel, process.stderr),
    limits: {
      ...flags.limits,
      // 0 turns an in-flight limit off, as kube-apiserver's flags do
      maxRequestsInflight: flags.limits.maxRequestsInflight === 0 ? Infinity : flags.limits.maxRequestsInflight,
      maxMutatingRequestsInflight:
        flags.limits.maxMutatingRequestsInflight === 0 ? Infinity : flags.limits.maxMutatingRequestsInflight,
    },
    bearerToken: token,
    kubelet: flags.kubeletPreferredAddressTypes
      ? { preferredAddressTypes: flags.kubeletPreferredAddressTypes }
      : undefined,
    serviceAccountKeyFile: resolve(dataDir, 'sa.key'),
    disableAdmissionPlugins: flags.disableAdmissionPlugins,
    serviceClusterIPRange: flags.serviceClusterIPRange,
    serviceNodePortRange: flags.serviceNodePortRange,
  });
  const store = await storage; // open: buildApp awaited it
  // Graceful stop: /readyz fails, the listener closes, watches end cleanly, requests in flight finish and are
  // answered (cut after the grace period), then the store is flushed and closed. Exit 0, or 1 if that failed.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    fastify.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      fastify.log.error({}, 'shutdown did not finish in time: exiting');
      process.exit(1);
    }, DEFAULT_SHUTDOWN_GRACE_MS + 5000).unref();
    let code = 0;
    try {
      await fastify.close();
    } catch (err) {
      code = 1;
      fastify.log.error({ err }, 'closing the server failed');
    }
    try {
      await store.close();
    } catch (err) {
      code = 1;
      fastify.log.error({ err }, 'closing the store failed');
    }
    fastify.log.info({}, 'stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await fastify.listen({ port: flags.port, host: flags.host });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : flags.port;
  const shownHost = flags.host === '0.0.0.0' || flags.host === '::' ? '127.0.0.1' : flags.host;
  const url = `${tls ? 'https' : 'http'}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  // Written before anything is answered (no I/O is awaited between the listen and here): a client that polled
  // /readyz finds it. Over plain HTTP it names no CA; with TLS the CA was ready before the listen.
  const kubeconfig = writeKubeconfig(dataDir, url, token, tls?.ca);
  const caFile = tls && !flags.tlsCertFile ? pkiPaths(dataDir).caCert : undefined;
  const curlTLS = tls ? (caFile ? `--cacert ${caFile} ` : '') : '';
  process.stdout.write(
    [
      `kube-emulator API server listening on ${url}`,
      `  data directory: ${dataDir}`,
      `  kubeconfig:     ${kubeconfig}`,
      `  live view:      ${url}/ui/`,
      '',
      'Use it with:',
      `  export KUBECONFIG=${kubeconfig}`,
      '  kubectl get namespaces',
      token
        ? `  curl ${curlTLS}-H "Authorization: Bearer $(cat ${resolve(dataDir, 'token')})" ${url}/api/v1/namespaces`
        : `  curl ${curlTLS}${url}/api/v1/namespaces`,
      '',
    ].join('\n'),
  );
  boundHeap(SERVER_HEAP); // once started: the start's own heap growth is not slowed by more full collections

  // Under `npm start` the launcher holds our stdin: when it goes away (even killed), so do we.
  if (process.env['KUBE_EMULATOR_SUPERVISED'] === '1') {
    process.stdin.on('close', () => void stop('launcher gone'));
    process.stdin.on('error', () => void stop('launcher gone'));
    process.stdin.resume();
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`kube-emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
