/**
 * Debian's etcd (etcd-server, installed by scripts/install-test-tools.sh) started by a test: one member on
 * loopback free ports (client and peer), a temporary data directory, killed and removed by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

/** Where Debian installs etcd; ETCD_BIN overrides it. */
export const ETCD_BIN = process.env['ETCD_BIN'] ?? '/usr/bin/etcd';

/** Whether etcd is installed (tests that need it skip with this reason otherwise). */
export const etcdMissing: string | false = existsSync(ETCD_BIN)
  ? false
  : `etcd is not installed at ${ETCD_BIN} (scripts/install-test-tools.sh installs etcd-server)`;

export interface EtcdProcess {
  /** The client URL (`http://127.0.0.1:<port>`). */
  url: string;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL, wait for exit, remove the data directory. Idempotent. */
  stop(): Promise<void>;
  /** Removes the data directory (synchronously; after the process is gone). */
  removeDir(): void;
  /** SIGKILLs etcd and starts it again on the same data directory and ports (a crash and a restart). */
  restart(): Promise<EtcdProcess>;
}

type StartOptions = { maxRequestBytes?: number; timeoutMs?: number };
/** Where a member lives: its data directory and ports (kept across a restart). */
type Placement = { dir: { path: string; remove(): void }; clientPort: number; peerPort: number };

/** A free loopback TCP port (the listener is closed before it is returned). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const address = srv.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Starts one etcd member and waits until it serves (retried on another port pair if one was taken). */
export async function startEtcd(opts: StartOptions = {}): Promise<EtcdProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOnce(opts: StartOptions, placement?: Placement): Promise<EtcdProcess> {
  const where: Placement = placement ?? {
    // On tmpfs when there is one: etcd syncs every write, and the disk is shared with other test runs.
    dir: tempDir('kube-emu-etcd-', existsSync('/dev/shm') ? '/dev/shm' : undefined),
    clientPort: await freePort(),
    peerPort: await freePort(),
  };
  const { dir, clientPort, peerPort } = where;
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(
    ETCD_BIN,
    [
      '--name',
      'test',
      '--data-dir',
      join(dir.path, 'data'),
      '--listen-client-urls',
      url,
      '--advertise-client-urls',
      url,
      '--listen-peer-urls',
      peer,
      '--initial-advertise-peer-urls',
      peer,
      '--initial-cluster',
      `test=${peer}`,
      '--initial-cluster-state',
      'new',
      '--max-request-bytes',
      String(opts.maxRequestBytes ?? 2 * 1024 * 1024),
      '--log-level',
      'error',
      '--logger',
      'zap',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  // A watchdog kills etcd (and removes its data) if this process dies without stopping it.
  spawn(
    '/bin/sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -0 "$1" 2>/dev/null || { kill -9 "$2" 2>/dev/null; sleep 1; rm -rf "$3"; }',
      'etcd-watchdog',
      String(process.pid),
      String(proc.pid),
      dir.path,
    ],
    { stdio: 'ignore', detached: true },
  ).unref();
  const exited = once(proc, 'exit');
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    dir.remove();
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  try {
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`etcd exited:\n${out}`);
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy:\n${out}`);
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok && ((await res.json()) as { health?: string }).health === 'true') break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const restart = async () => {
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    return startOnce(opts, where);
  };
  return { url, proc, output: () => out, stop, removeDir: () => dir.remove(), restart };
}

/** `TEST_STORAGE=etcd`: the API tests' servers store in etcd instead of LevelDB. */
export const TEST_ON_ETCD = process.env['TEST_STORAGE'] === 'etcd';

let shared: Promise<string[]> | undefined;

/**
 * The etcd the test servers of this process use under TEST_STORAGE=etcd: `TEST_ETCD_SERVERS` (comma-separated
 * client URLs, set by scripts/run-tests.mjs), or else one etcd started for this process and killed when it exits.
 */
export function testEtcdServers(): Promise<string[]> {
  shared ??= (async () => {
    const given = process.env['TEST_ETCD_SERVERS'];
    if (given) return given.split(',');
    if (etcdMissing) throw new Error(`TEST_STORAGE=etcd: ${etcdMissing}`);
    const etcd = await startEtcd();
    // It must not keep this process alive: it goes when the process exits.
    etcd.proc.unref();
    (etcd.proc.stdout as unknown as { unref?(): void } | null)?.unref?.();
    (etcd.proc.stderr as unknown as { unref?(): void } | null)?.unref?.();
    process.once('exit', () => {
      etcd.proc.kill('SIGKILL');
      etcd.removeDir();
    });
    return [etcd.url];
  })();
  return shared;
}

let prefixes = 0;

/**
 * A prefix of its own for one test server on the shared etcd: derived from its data directory when it has one
 * (a server restarted on the same directory finds its objects again), else unique in this process.
 */
export function testEtcdPrefix(dataDir?: string): string {
  const id = dataDir
    ? createHash('sha256').update(dataDir).digest('hex').slice(0, 16)
    : `${process.pid}-${++prefixes}-${Date.now()}`;
  return `/test-${id}`;
}

/** The flags that put a server process on the test etcd (empty unless TEST_STORAGE=etcd). */
export async function testStorageArgs(dataDir: string, args: readonly string[] = []): Promise<string[]> {
  if (!TEST_ON_ETCD || args.includes('--storage')) return [];
  return [
    '--storage',
    'etcd',
    '--etcd-servers',
    (await testEtcdServers()).join(','),
    '--etcd-prefix',
    testEtcdPrefix(dataDir),
  ];
}
