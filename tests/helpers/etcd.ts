/**
 * Debian's etcd (etcd-server, installed by scripts/install-test-tools.sh) started by a test: one member on
 * loopback free ports (client and peer), a temporary data directory, killed and removed by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
}

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
export async function startEtcd(opts: { maxRequestBytes?: number; timeoutMs?: number } = {}): Promise<EtcdProcess> {
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

async function startOnce(opts: { maxRequestBytes?: number; timeoutMs?: number }): Promise<EtcdProcess> {
  // On tmpfs when there is one: etcd syncs every write, and the disk is shared with other test runs.
  const dir = tempDir('kube-emu-etcd-', existsSync('/dev/shm') ? '/dev/shm' : undefined);
  const clientPort = await freePort();
  const peerPort = await freePort();
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
  return { url, proc, output: () => out, stop };
}
