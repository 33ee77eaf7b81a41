#!/usr/bin/env node
/**
 * `npm start`: the API server and the controller manager as two processes, supervised.
 * Starts the API server (`dist/server/main.js`) and, while it starts, the controller manager
 * (`dist/controllers/main.js --kubeconfig <data-dir>/kubeconfig --root-ca-file <data-dir>/pki/ca.crt`: it
 * verifies an https server with the kubeconfig's CA and token), which loads its modules and then waits for a line
 * on its stdin: the launcher writes it once the server has printed its "listening on URL" line (by then it answers
 * `/readyz`, which the launcher checks too). The controller manager is restarted
 * with exponential backoff whenever it dies. SIGINT/SIGTERM stop the controller manager, then the server, and
 * exit 0; if the API server dies, the controller manager is stopped and the launcher exits non-zero.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limitFlagArgs, parseFlags, storageFlagArgs, usage, UsageError, type ServerFlags } from '../server/flags.js';
import { tooManyNodes } from '../controllers/kubelet/ids.js';
import { childEnv, managerUsesDefaultTrust, serverUsesDefaultTrust } from './child-env.js';
import { heapArgsFor, serverHeapArgsFor, serverStorageArgsFor } from './cluster-size.js';
import { defaultIdentity } from '../controllers/machinery/identity.js';
import type { HttpTransport } from '../controllers/machinery/transport.js';

/**
 * The kubeconfig reader (it loads yaml) and the HTTP client (node:http), loaded once both processes have been
 * spawned: their module loading then overlaps their start instead of delaying it.
 */
async function clientModules() {
  const [{ loadKubeconfig }, { HttpTransport }] = await Promise.all([
    import('../controllers/machinery/client.js'),
    import('../controllers/machinery/transport.js'),
  ]);
  return { loadKubeconfig, HttpTransport };
}

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_MAIN = join(DIST, 'server', 'main.js');
const CONTROLLERS_MAIN = join(DIST, 'controllers', 'main.js');

/** Restarts of the controller manager wait 1 s, doubling to 30 s; a run of a minute resets the delay. */
const RESTART_INITIAL_MS = 1000;
const RESTART_MAX_MS = 30_000;
const RESTART_RESET_AFTER_MS = 60_000;
/** How long a child gets to stop after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 10_000;
const READY_TIMEOUT_MS = 60_000;

/** The flags of `npm start`: the server's, plus those only the controller manager takes. */
export interface StartFlags extends ServerFlags {
  speed?: string;
  workers?: string;
  metricsPort?: string;
}

const EXTRA_USAGE = [
  '  --speed F       controller manager: multiplies simulated durations (1 real time, 0.1 ten times faster)',
  '  --workers N     controller manager: concurrent syncs per controller (default 2)',
  '  --metrics-port P  controller manager: port of its /metrics and /healthz (default 10257, a free one if taken; 0: a free one)',
  '',
].join('\n');

/** Takes `--speed`, `--workers` and `--metrics-port` out of argv (validated by the controller manager), then parses the rest as the server does. */
export function parseStartFlags(argv: string[]): StartFlags {
  const rest: string[] = [];
  const extra: { speed?: string; workers?: string; metricsPort?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(speed|workers|metrics-port)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) {
      rest.push(argv[i]!);
      continue;
    }
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === '') throw new UsageError(`flag --${m[1]} needs a value`);
    if (m[1] === 'speed' && !(Number(v) > 0 && Number.isFinite(Number(v))))
      throw new UsageError(`invalid --speed ${JSON.stringify(v)}: must be a positive number`);
    if (m[1] === 'workers' && !(/^\d+$/.test(v) && Number(v) >= 1))
      throw new UsageError(`invalid --workers ${JSON.stringify(v)}: must be a positive integer`);
    if (m[1] === 'metrics-port') {
      if (!(/^\d+$/.test(v) && Number(v) <= 65535))
        throw new UsageError(`invalid --metrics-port ${JSON.stringify(v)}: must be an integer from 0 to 65535`);
      extra.metricsPort = v;
      continue;
    }
    extra[m[1] as 'speed' | 'workers'] = v;
  }
  const flags = { ...parseFlags(rest, 'start'), ...extra };
  const tooMany = tooManyNodes(flags.nodes);
  if (tooMany) throw new UsageError(tooMany);
  return flags;
}

const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

class Launcher {
  private server?: ChildProcess;
  private manager?: ChildProcess;
  private stopping = false;
  /** Set once the API server answers /readyz: a controller manager started from then on may go at once. */
  private serverReady = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay = RESTART_INITIAL_MS;
  private kubeconfig = '';
  private identity = '';

  constructor(private readonly flags: StartFlags) {}

  info(msg: string): void {
    if (!QUIET_LEVELS.has(this.flags.logLevel)) process.stderr.write(`kube-emulator: ${msg}\n`);
  }
  warn(msg: string): void {
    if (this.flags.logLevel !== 'silent' && this.flags.logLevel !== 'fatal' && this.flags.logLevel !== 'error')
      process.stderr.write(`kube-emulator: ${msg}\n`);
  }

  async start(): Promise<void> {
    const f = this.flags;
    const dataDir = resolve(f.dataDir);
    this.kubeconfig = join(dataDir, 'kubeconfig');
    const args = [
      ...serverHeapArgsFor(f.nodes),
      SERVER_MAIN,
      '--port',
      String(f.port),
      '--host',
      f.host,
      '--data-dir',
      dataDir,
      '--log-level',
      f.logLevel,
    ];
    if (f.token) args.push('--token', f.token);
    if (f.kubeletPreferredAddressTypes)
      args.push('--kubelet-preferred-address-types', f.kubeletPreferredAddressTypes.join(','));
    if (f.disableAdmissionPlugins.length > 0)
      args.push('--disable-admission-plugins', f.disableAdmissionPlugins.join(','));
    if (f.serviceClusterIPRange) args.push('--service-cluster-ip-range', f.serviceClusterIPRange);
    if (f.serviceNodePortRange) args.push('--service-node-port-range', f.serviceNodePortRange);
    if (f.tls !== undefined) args.push(`--tls=${f.tls}`);
    if (f.tlsCertFile && f.tlsPrivateKeyFile)
      args.push('--tls-cert-file', resolve(f.tlsCertFile), '--tls-private-key-file', resolve(f.tlsPrivateKeyFile));
    if (f.watchCacheMiB) args.push('--watch-cache-mib', String(f.watchCacheMiB));
    if (f.storageWriteBufferMiB) args.push('--storage-write-buffer-mib', String(f.storageWriteBufferMiB));
    else if (f.storage !== 'etcd') args.push(...serverStorageArgsFor(f.nodes));
    args.push(...limitFlagArgs(f.limits), ...storageFlagArgs(f));
    const server = spawn(process.execPath, args, {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: childEnv({ KUBE_EMULATOR_SUPERVISED: '1' }, serverUsesDefaultTrust(f)),
    });
    this.server = server;
    this.info(`API server started (pid ${server.pid})`);
    const listening = waitForListening(server);
    listening.catch(() => {}); // awaited below
    // The controller manager loads its modules while the server starts, and waits for a line on its stdin
    // (written once the server listens and is ready) before it reads the kubeconfig.
    mkdirSync(dataDir, { recursive: true });
    this.identity = controllerManagerIdentity(dataDir);
    if (!this.stopping) this.startManager();
    const { loadKubeconfig, HttpTransport } = await clientModules();
    const url = await listening;
    server.on('exit', (code, signal) => this.onServerExit(code, signal));
    // The server prints that line once it listens, and everything /readyz checks holds by then (the system namespaces
    // are written before it listens, the bootstrap is marked as it does): the controller manager goes at once, while
    // this process checks /readyz for its own message (its first request, on a new HTTP client, took ~40 ms).
    if (!this.stopping) {
      this.serverReady = true;
      this.manager?.stdin?.write('go\n');
    }
    // The kubeconfig's CA verifies an https server; over plain HTTP the kubeconfig is read after the controller
    // manager was told to go (a first YAML parse costs the launcher ~10 ms).
    const ca = url.startsWith('https:') ? loadKubeconfig(this.kubeconfig).ca : undefined;
    await waitForReady(HttpTransport, url, ca, server);
    this.info(`API server ready at ${url} (live view: ${url}/ui/)`);
    if (this.stopping) return;
    // Pods are admitted once their namespace has its `default` ServiceAccount, which the controller manager
    // creates: say when that is so, so that a `kubectl run` right after this line is never refused.
    if (await waitForDefaultServiceAccount(HttpTransport, url, loadKubeconfig(this.kubeconfig), () => this.stopping))
      this.info(`cluster ready: kubectl --kubeconfig ${this.kubeconfig} ...`);
    else if (!this.stopping)
      this.warn(
        `the default ServiceAccount did not appear within ${READY_TIMEOUT_MS / 1000} s: pods are refused until it does`,
      );
  }

  private startManager(): void {
    const f = this.flags;
    const args = [
      ...heapArgsFor(f.nodes),
      CONTROLLERS_MAIN,
      '--kubeconfig',
      this.kubeconfig,
      '--nodes',
      String(f.nodes),
      '--log-level',
      f.logLevel,
      // The same leader election identity for every controller manager this data directory's launcher starts: a
      // restart (after a crash, or of the whole emulator) takes its own Lease at once instead of waiting for it
      // to expire. Another controller manager (another data directory, or started by hand) has its own.
      '--leader-elect-identity',
      this.identity,
    ];
    // The cluster CA the server keeps in the data directory (even for plain HTTP); with one's own serving certificate
    // the controller manager publishes the CA of its kubeconfig instead, as kube-controller-manager does.
    if (!f.tlsCertFile) args.push('--root-ca-file', join(resolve(f.dataDir), 'pki', 'ca.crt'));
    if (f.speed) args.push('--speed', f.speed);
    if (f.workers) args.push('--workers', f.workers);
    if (f.metricsPort) args.push('--metrics-port', f.metricsPort);
    const started = Date.now();
    const manager = spawn(process.execPath, args, {
      stdio: ['pipe', 'inherit', 'inherit'],
      env: childEnv({ KUBE_EMULATOR_SUPERVISED: '1', KUBE_EMULATOR_WAIT_FOR_SERVER: '1' }, managerUsesDefaultTrust(f)),
    });
    manager.stdin!.on('error', () => {}); // the child died: the exit handler deals with it
    if (this.serverReady) manager.stdin!.write('go\n');
    this.manager = manager;
    this.info(`controller manager started (pid ${manager.pid})`);
    manager.on('exit', (code, signal) => {
      if (this.manager === manager) this.manager = undefined;
      if (this.stopping) return;
      if (Date.now() - started >= RESTART_RESET_AFTER_MS) this.restartDelay = RESTART_INITIAL_MS;
      const delay = this.restartDelay;
      this.restartDelay = Math.min(RESTART_MAX_MS, this.restartDelay * 2);
      this.warn(
        `controller manager (pid ${manager.pid}) exited (${signal ? `signal ${signal}` : `code ${code}`}); restarting in ${delay} ms`,
      );
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        if (!this.stopping) this.startManager();
      }, delay);
    });
  }

  private onServerExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    // A Ctrl-C reaches the whole process group: give our own signal handler the chance to run first.
    setTimeout(() => {
      if (this.stopping) return;
      this.warn(
        `API server (pid ${this.server?.pid}) exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}): stopping`,
      );
      void this.stop(code && code !== 0 ? code : 1);
    }, 200);
  }

  /** Stops the controller manager, then the server; exits with `exitCode`. A second call while stopping forces it. */
  async stop(exitCode: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.manager) await terminate(this.manager);
    if (this.server) await terminate(this.server);
    this.info('stopped');
    process.exit(exitCode);
  }

  forceStop(): void {
    this.warn('second signal: killing everything');
    for (const p of [this.manager, this.server])
      if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    process.exit(1);
  }

  get isStopping(): boolean {
    return this.stopping;
  }
}

/**
 * The leader election identity of the controller managers of a data directory (`<hostname>_<uuid>`), made once
 * and kept in `<data-dir>/controller-manager-identity`: only one launcher runs on a data directory.
 */
function controllerManagerIdentity(dataDir: string): string {
  const file = join(dataDir, 'controller-manager-identity');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[\x21-\x7e]{1,253}$/.test(id)) return id;
  } catch {
    // not made yet
  }
  const id = defaultIdentity();
  writeFileSync(file, `${id}\n`, { mode: 0o600 });
  return id;
}

/** Forwards the server's stdout and resolves with the URL of its "listening on URL" line. */
function waitForListening(server: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let seen = '';
    let found = false;
    server.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (found) return;
      seen += chunk.toString('utf8');
      const m = /listening on (https?:\/\/\S+)/.exec(seen);
      if (m) {
        found = true;
        seen = '';
        resolveUrl(m[1]!);
      }
    });
    server.once('exit', (code, signal) => {
      if (!found)
        reject(new Error(`the API server exited before listening (${signal ? `signal ${signal}` : `code ${code}`})`));
    });
  });
}

/** Polls `/readyz` (verifying an https server with the kubeconfig's CA) until it answers 200; rejects if the server exits or takes too long. */
async function waitForReady(
  Transport: typeof HttpTransport,
  url: string,
  ca: string | undefined,
  server: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const transport = new Transport(new URL(url), { ca });
  try {
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error('the API server exited before it was ready');
      try {
        const res = await transport.request(`${url}/readyz`, {
          method: 'GET',
          headers: {},
          signal: AbortSignal.timeout(2000),
        });
        await res.text();
        if (res.ok) return;
      } catch {
        // not answering yet
      }
      if (Date.now() > deadline)
        throw new Error(`the API server at ${url} was not ready within ${READY_TIMEOUT_MS / 1000} s`);
      // the controller manager waits for this answer: a short interval (the server is local and answers at once)
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    transport.close();
  }
}

/** Polls for `default/default` ServiceAccount; true once it exists, false when `stopped()` or after the timeout. */
async function waitForDefaultServiceAccount(
  Transport: typeof HttpTransport,
  url: string,
  { ca, token }: { ca?: string; token?: string },
  stopped: () => boolean,
): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const transport = new Transport(new URL(url), { ca });
  try {
    while (!stopped() && Date.now() < deadline) {
      try {
        const res = await transport.request(`${url}/api/v1/namespaces/default/serviceaccounts/default`, {
          method: 'GET',
          headers: token ? { authorization: `Bearer ${token}` } : {},
          signal: AbortSignal.timeout(2000),
        });
        await res.text();
        if (res.ok) return true;
      } catch {
        // not answering: try again
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  } finally {
    transport.close();
  }
}

/** SIGTERM, then SIGKILL after the grace period; resolves when the process has exited. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function main(argv: string[]): Promise<void> {
  let flags: StartFlags;
  try {
    flags = parseStartFlags(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n\n${usage('start')}${EXTRA_USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  if (flags.help) {
    process.stdout.write(usage('start') + EXTRA_USAGE);
    return;
  }
  const launcher = new Launcher(flags);
  const onSignal = (sig: string) => {
    if (launcher.isStopping) return launcher.forceStop();
    launcher.info(`${sig}: stopping the controller manager, then the API server`);
    void launcher.stop(0);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.stdout.on('error', () => {}); // a closed pipe downstream must not kill the launcher
  try {
    await launcher.start();
  } catch (err) {
    if (launcher.isStopping) return;
    process.stderr.write(`kube-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    await launcher.stop(1);
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`kube-emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
