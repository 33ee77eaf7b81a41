#!/usr/bin/env node
/**
 * The controller manager process: `node dist/controllers/main.js --kubeconfig PATH` (or `--server URL
 * [--token T] [--certificate-authority F]`) `[--root-ca-file F] [--nodes N] [--workers N] [--speed F]
 * [--kubelet-address A] [--kubelet-port P] [--log-level L] [--leader-elect[=false]] [--leader-elect-* ...]`.
 * Talks to the API server over HTTP(S) only; SIGINT/SIGTERM stop it cleanly (exit 0). Started and restarted by
 * `npm start`, or alone. The simulated kubelets serve container logs on A:P, which every node reports.
 * With leader election (the default, as kube-controller-manager) it runs its components only while it holds the
 * Lease `kube-system/kube-controller-manager`; it exits 1 when it loses it, and releases it when stopped.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { managerHeapFor } from '../cli/cluster-size.js';
import { boundHeap } from '../cli/heap.js';
import { goDurationError, parseGoDuration } from '../apimachinery/duration.js';
import { redactingPinoOptions } from '../apimachinery/redact.js';
import { components } from './components.js';
import { isAbortError, realClock } from './machinery/clock.js';
import { DEFAULT_USER_AGENT, HttpApiClient, loadKubeconfig } from './machinery/client.js';
import { tooManyNodes } from './kubelet/ids.js';
import { isLoopback } from './kubelet/log-server.js';
import { ApiEventRecorder } from './machinery/events.js';
import { errorInfo } from './machinery/informer.js';
import {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  defaultIdentity,
  LeaderElector,
  validateLeaderElection,
} from './machinery/leader-election.js';
import { DEFAULT_METRICS_PORT, serveMetrics } from './machinery/metrics.js';
import type { Logger } from './machinery/types.js';
import { startControllerManager } from './manager.js';

/** Concurrent syncs per controller by default: upstream's --concurrent-daemonset-syncs default. */
const DEFAULT_WORKERS = 2;
/** How long a stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 8000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** The longest --leader-elect-* duration. */
const MAX_DURATION_MS = 24 * 3600 * 1000;
/** The Lease kube-controller-manager elects on. */
const DEFAULT_LEASE_NAMESPACE = 'kube-system';
const DEFAULT_LEASE_NAME = 'kube-controller-manager';

/** How this process takes part in leader election (upstream's --leader-elect-* flags). */
interface LeaderElectionFlags {
  enabled: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  namespace: string;
  name: string;
  /** Default: `<hostname>_<uuid>`, new for every process. */
  identity?: string;
}

interface Flags {
  kubeconfig?: string;
  server?: string;
  token?: string;
  certificateAuthority?: string;
  rootCAFile?: string;
  nodes: number;
  workers: number;
  speed: number;
  kubeletAddress: string;
  kubeletPort: number;
  /** Port of /metrics and /healthz on the kubelet address; undefined: the default (taken: a free one). */
  metricsPort?: number;
  logLevel: string;
  leaderElection: LeaderElectionFlags;
  help: boolean;
}

class UsageError extends Error {}

const USAGE = [
  'Usage: node dist/controllers/main.js (--kubeconfig PATH | --server URL [--token T]) [flags]',
  '',
  'Flags:',
  '  --kubeconfig PATH  kubeconfig of the API server (default $KUBECONFIG)',
  '  --server URL       API server URL, instead of a kubeconfig',
  '  --token T          bearer token for --server',
  '  --certificate-authority F  CA (PEM) an https --server is verified with (default: the system roots)',
  '  --root-ca-file F   CA bundle published as kube-root-ca.crt in every namespace (default: the kubeconfig CA)',
  '  --nodes N          make sure at least N simulated nodes exist (default 0)',
  `  --workers N        concurrent syncs per controller (default ${DEFAULT_WORKERS})`,
  '  --speed F          multiplies simulated durations: 1 real time, 0.1 ten times faster (default 1)',
  '  --kubelet-address A',
  '                     loopback address the simulated kubelets serve container logs on (default 127.0.0.1)',
  '  --kubelet-port P   port of that server; 0 picks a free one (default 0); nodes report it in their status',
  `  --metrics-port P   port of /metrics and /healthz on the kubelet address; 0 picks a free one (default ${DEFAULT_METRICS_PORT}, a free one if taken)`,
  '  --log-level L      fatal, error, warn, info, debug, trace or silent (default info)',
  '  --leader-elect[=false]  run the components only while holding the leader election Lease (default true)',
  '  --leader-elect-lease-duration D  how long candidates wait before taking an unrenewed Lease (default 15s)',
  '  --leader-elect-renew-deadline D  how long the leader tries to renew before giving up (default 10s)',
  '  --leader-elect-retry-period D    how long candidates wait between attempts (default 2s)',
  `  --leader-elect-resource-namespace NS  namespace of the Lease (default ${DEFAULT_LEASE_NAMESPACE})`,
  `  --leader-elect-resource-name N   name of the Lease (default ${DEFAULT_LEASE_NAME})`,
  '  --leader-elect-resource-lock L   the lock kind: leases, the only one (default leases)',
  '  --leader-elect-identity ID       holder identity (default <hostname>_<uuid>, new for every process); a',
  '                     restarted process with the same identity takes its own Lease at once (npm start uses it)',
  '  -h, --help         show this help',
  '',
].join('\n');

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    nodes: 0,
    workers: DEFAULT_WORKERS,
    speed: 1,
    kubeletAddress: '127.0.0.1',
    kubeletPort: 0,
    logLevel: 'info',
    leaderElection: {
      enabled: true,
      leaseDurationMs: DEFAULT_LEASE_DURATION_MS,
      renewDeadlineMs: DEFAULT_RENEW_DEADLINE_MS,
      retryPeriodMs: DEFAULT_RETRY_PERIOD_MS,
      namespace: DEFAULT_LEASE_NAMESPACE,
      name: DEFAULT_LEASE_NAME,
    },
    help: false,
  };
  const le = flags.leaderElection;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      flags.help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = m[1]!;
    const value = (): string => {
      const v = m[2] ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`flag --${name} needs a value`);
      return v;
    };
    const integer = (min: number): number => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min)
        throw new UsageError(`invalid --${name} ${JSON.stringify(v)}: must be an integer >= ${min}`);
      return Number(v);
    };
    const duration = (): number => {
      const v = value();
      const ns = parseGoDuration(v);
      if (ns === undefined) throw new UsageError(`invalid --${name} ${JSON.stringify(v)}: ${goDurationError(v)}`);
      if (ns <= 0) throw new UsageError(`invalid --${name} ${JSON.stringify(v)}: must be a positive duration`);
      // Node's timers hold at most about 24.8 days
      if (ns > MAX_DURATION_MS * 1e6) throw new UsageError(`invalid --${name} ${JSON.stringify(v)}: at most 24h`);
      return ns / 1e6;
    };
    switch (name) {
      case 'leader-elect': {
        // a boolean flag as pflag parses one: bare means true, a value only after `=`
        const v = m[2] ?? 'true';
        if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) le.enabled = true;
        else if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) le.enabled = false;
        else throw new UsageError(`invalid --leader-elect ${JSON.stringify(v)}: must be true or false`);
        break;
      }
      case 'leader-elect-lease-duration':
        le.leaseDurationMs = duration();
        break;
      case 'leader-elect-renew-deadline':
        le.renewDeadlineMs = duration();
        break;
      case 'leader-elect-retry-period':
        le.retryPeriodMs = duration();
        break;
      case 'leader-elect-resource-namespace':
        le.namespace = value();
        break;
      case 'leader-elect-resource-name':
        le.name = value();
        break;
      case 'leader-elect-resource-lock': {
        const v = value();
        if (v !== 'leases')
          throw new UsageError(`invalid --leader-elect-resource-lock ${JSON.stringify(v)}: only leases`);
        break;
      }
      case 'leader-elect-identity':
        le.identity = value();
        break;
      case 'kubeconfig':
        flags.kubeconfig = value();
        break;
      case 'server':
        flags.server = value();
        break;
      case 'token':
        flags.token = value();
        break;
      case 'certificate-authority':
        flags.certificateAuthority = value();
        break;
      case 'root-ca-file':
        flags.rootCAFile = value();
        break;
      case 'nodes': {
        flags.nodes = integer(0);
        const tooMany = tooManyNodes(flags.nodes);
        if (tooMany) throw new UsageError(tooMany);
        break;
      }
      case 'workers':
        flags.workers = integer(1);
        break;
      case 'speed': {
        const v = value();
        const n = Number(v);
        if (!(n > 0) || !Number.isFinite(n))
          throw new UsageError(`invalid --speed ${JSON.stringify(v)}: must be a positive number`);
        flags.speed = n;
        break;
      }
      case 'kubelet-address': {
        const v = value();
        // The server has no authentication: it only binds loopback (as the API server without a token does).
        if (!isLoopback(v))
          throw new UsageError(
            `invalid --kubelet-address ${JSON.stringify(v)}: must be a loopback address (the kubelet server has no authentication)`,
          );
        flags.kubeletAddress = v;
        break;
      }
      case 'kubelet-port': {
        const port = integer(0);
        if (port > 65535) throw new UsageError(`invalid --kubelet-port ${port}: must be at most 65535`);
        flags.kubeletPort = port;
        break;
      }
      case 'metrics-port': {
        const port = integer(0);
        if (port > 65535) throw new UsageError(`invalid --metrics-port ${port}: must be at most 65535`);
        flags.metricsPort = port;
        break;
      }
      case 'log-level': {
        const v = value();
        if (!LOG_LEVELS.includes(v))
          throw new UsageError(`invalid --log-level ${JSON.stringify(v)}: one of ${LOG_LEVELS.join(', ')}`);
        flags.logLevel = v;
        break;
      }
      default:
        throw new UsageError(`unknown flag --${name}`);
    }
  }
  if (flags.help) return flags;
  if (flags.kubeconfig && flags.server) throw new UsageError('--kubeconfig and --server are exclusive');
  if (flags.token && !flags.server) throw new UsageError('--token needs --server');
  if (flags.certificateAuthority && !flags.server) throw new UsageError('--certificate-authority needs --server');
  if (!flags.server) flags.kubeconfig ??= process.env.KUBECONFIG || undefined;
  if (!flags.kubeconfig && !flags.server) throw new UsageError('--kubeconfig or --server is required');
  if (le.enabled) {
    const errs = validateLeaderElection(le);
    if (errs.length > 0) throw new UsageError(`invalid leader election flags: ${errs.join('; ')}`);
  }
  return flags;
}

/** Resolves true when a line arrives on stdin, false when stdin ends first (the launcher is gone). */
function serverReadyLine(): Promise<boolean> {
  return new Promise((done) => {
    const finish = (ok: boolean) => {
      process.stdin.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', onEnd);
      process.stdin.pause();
      done(ok);
    };
    const onData = (chunk: Buffer) => {
      if (chunk.includes(10)) finish(true);
    };
    const onEnd = () => finish(false);
    process.stdin.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', onEnd);
  });
}

async function main(argv: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  // V8's heap bounds for this cluster's size (cli/cluster-size.ts), set on the running process (cli/heap.ts)
  const heap = managerHeapFor(flags.nodes);
  if (heap) boundHeap(heap);
  // Under `npm start` the launcher starts us while the API server is still starting, so that our modules load
  // meanwhile; it writes a line to our stdin once the server is ready and has written the kubeconfig.
  if (process.env.KUBE_EMULATOR_WAIT_FOR_SERVER === '1' && !(await serverReadyLine())) return 1;
  let server: string;
  let client: HttpApiClient;
  /** kube-controller-manager elects with a client of its own: renewals never queue behind the controllers' rate limit. */
  let electionClient: HttpApiClient;
  const electionAgent = `${DEFAULT_USER_AGENT}/leader-election`;
  let rootCA: string | undefined;
  let token: string | undefined;
  try {
    if (flags.server) {
      server = flags.server;
      token = flags.token;
      const ca = flags.certificateAuthority ? readFileSync(flags.certificateAuthority, 'utf8') : undefined;
      client = new HttpApiClient({ server, token, ca });
      electionClient = new HttpApiClient({ server, token, ca, userAgent: electionAgent });
      rootCA = ca;
    } else {
      const cfg = loadKubeconfig(flags.kubeconfig!);
      server = cfg.server;
      token = cfg.token;
      client = HttpApiClient.fromKubeconfigInfo(cfg);
      electionClient = HttpApiClient.fromKubeconfigInfo(cfg, { userAgent: electionAgent });
      rootCA = cfg.ca;
    }
    // kube-controller-manager publishes --root-ca-file, else the CA it trusts the API server with.
    if (flags.rootCAFile) rootCA = readFileSync(flags.rootCAFile, 'utf8');
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const log = pino(
    redactingPinoOptions({ level: flags.logLevel, name: 'kube-controller-manager' }, token ? [token] : []),
    pino.destination({ fd: 2, sync: true }),
  ) as unknown as Logger;

  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'shutting down');
    abort.abort();
    // Components finish their current sync; none may hold the process much longer than that.
    setTimeout(() => {
      log.warn({}, 'shutdown took too long: exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Under `npm start` the launcher holds our stdin: when it goes away, so do we (no orphans).
  if (process.env.KUBE_EMULATOR_SUPERVISED === '1') {
    process.stdin.on('close', () => stop('launcher gone'));
    process.stdin.on('error', () => stop('launcher gone'));
    process.stdin.resume();
  }

  let metrics: Awaited<ReturnType<typeof serveMetrics>>;
  try {
    metrics = await serveMetrics({
      address: flags.kubeletAddress,
      port: flags.metricsPort ?? DEFAULT_METRICS_PORT,
      fallback: flags.metricsPort === undefined,
      log,
    });
  } catch (err) {
    process.stderr.write(`error: cannot serve metrics: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  abort.signal.addEventListener('abort', () => metrics.server.close(), { once: true });
  process.stdout.write(
    `kube-controller-manager metrics on http://${flags.kubeletAddress.includes(':') ? `[${flags.kubeletAddress}]` : flags.kubeletAddress}:${metrics.port}/metrics\n`,
  );
  log.info(
    { server, nodes: flags.nodes, workers: flags.workers, speed: flags.speed, components: components.length },
    'starting controller manager',
  );

  // Leader election: the components run only while this process holds the Lease (kube-controller-manager's
  // leaderElectAndRun). Renewal goes on until the components have stopped; then the Lease is released.
  const le = flags.leaderElection;
  let elector: LeaderElector | undefined;
  const renewStop = new AbortController();
  let renewing: Promise<unknown> = Promise.resolve();
  if (le.enabled) {
    elector = new LeaderElector({
      client: electionClient,
      clock: realClock,
      log,
      namespace: le.namespace,
      name: le.name,
      identity: le.identity ?? defaultIdentity(),
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      recorder: new ApiEventRecorder({ client, clock: realClock, log, component: 'kube-controller-manager' }),
    });
    if (!(await elector.acquire(abort.signal))) {
      log.info({}, 'stopped before becoming the leader');
      return 0;
    }
    renewing = elector.renew(renewStop.signal).then((outcome) => {
      if (outcome !== 'lost') return;
      // Another candidate may take the Lease now: stop acting at once, as kube-controller-manager does.
      log.error({ identity: elector!.identity }, 'leaderelection lost');
      process.exit(1);
    });
  }
  /** After the components stopped: stop renewing and give the Lease up (client-go's ReleaseOnCancel). */
  const stepDown = async () => {
    if (!elector) return;
    renewStop.abort();
    await renewing;
    await elector.release();
  };

  try {
    const cm = await startControllerManager({
      client,
      log,
      speed: flags.speed,
      workers: flags.workers,
      components,
      nodes: flags.nodes,
      kubeletServer: { address: flags.kubeletAddress, port: flags.kubeletPort },
      rootCA,
      clusterSeed: server,
      signal: abort.signal,
    });
    await cm.done;
    await stepDown();
    log.info({}, 'stopped');
    return 0;
  } catch (err) {
    await stepDown();
    if (abort.signal.aborted && isAbortError(err)) {
      log.info({}, 'stopped before the caches synced');
      return 0;
    }
    log.error(
      { err: errorInfo(err), stack: err instanceof Error ? err.stack : undefined },
      'controller manager failed',
    );
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(
      `kube-controller-manager: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
