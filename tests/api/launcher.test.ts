/**
 * `npm start` as users run it: `node dist/cli/start.js` starts the API server and the controller manager as
 * two processes, restarts the controller manager when it dies, and stops both on SIGTERM.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../apimachinery/objects.js';
import { HttpApiClient } from '../../controllers/machinery/client.js';
import { RESOURCES } from '../../controllers/machinery/types.js';
import { createCA } from '../../server/pki.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const START = join(REPO_ROOT, 'dist', 'cli', 'start.js');

interface Launched {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the first match of `re` in the output from `from` on (waits for it). */
  waitFor(re: RegExp, from?: number, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function launch(args: string[], env: NodeJS.ProcessEnv = process.env): Launched {
  const proc = spawn(process.execPath, [START, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    proc,
    output: () => out,
    exited,
    waitFor(re, from = 0, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out.slice(from));
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${re} within ${ms} ms; output:\n${out.slice(-4000)}`));
        }, ms);
        listeners.add(check);
        check();
      });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually<T>(check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start (dist/cli/start.js)', { timeout: 90_000 }, () => {
  it('runs both processes, ensures --nodes, restarts a killed controller manager, stops cleanly on SIGTERM', async () => {
    const dir = tempDir();
    // NODE_EXTRA_CA_CERTS, as the machines this runs on set it: Node 20 loads it at every start, and neither child
    // verifies a peer against the default trust here, so neither gets it (cli/child-env.ts)
    const extraCa = join(dir.path, 'extra-ca.crt');
    writeFileSync(extraCa, createCA('extra').cert);
    const l = launch(['--port', '0', '--data-dir', dir.path, '--nodes', '2', '--log-level', 'info', '--speed', '0.1'], {
      ...process.env,
      NODE_EXTRA_CA_CERTS: extraCa,
    });
    try {
      const serverPid = Number((await l.waitFor(/API server started \(pid (\d+)\)/))[1]);
      const url = (await l.waitFor(/listening on (http:\/\/\S+)/))[1]!;
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.doesNotMatch(url, /:0$/, 'the real port, not 0');
      const first = await l.waitFor(/controller manager started \(pid (\d+)\)/);
      const managerPid = Number(first[1]);
      const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      assert.ok(environ(l.proc.pid!).includes(`NODE_EXTRA_CA_CERTS=${extraCa}`), 'the launcher has it');
      for (const pid of [serverPid, managerPid]) {
        const env = environ(pid);
        assert.ok(env.includes('KUBE_EMULATOR_SUPERVISED=1'));
        assert.equal(env.filter((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')).length, 0, `pid ${pid}`);
      }

      const client = HttpApiClient.fromKubeconfig(join(dir.path, 'kubeconfig'));
      const names = async () => (await client.list(RESOURCES.nodes)).items.map((n) => n.metadata.name!).sort();
      const initial = await eventually(async () => ((await names()).length === 2 ? names() : undefined));
      for (const n of initial) assert.match(n, /^k0-default-pool-[0-9a-f]{8}-[bcdfghjklmnpqrstvwxz2456789]{4}$/);

      // A node deleted while the controller manager runs stays deleted until a restart ensures --nodes again.
      await client.delete(RESOURCES.nodes, undefined, initial[0]!);
      const mark = l.output().length;
      process.kill(managerPid, 'SIGKILL');
      await l.waitFor(
        new RegExp(`controller manager \\(pid ${managerPid}\\) exited \\(signal SIGKILL\\); restarting in \\d+ ms`),
        mark,
      );
      const restarted = await l.waitFor(/controller manager started \(pid (\d+)\)/, mark);
      const restartedPid = Number(restarted[1]);
      assert.notEqual(restartedPid, managerPid);
      // The launcher gives the restarted process the same leader election identity: it takes its own Lease at
      // once instead of waiting 15 s for it to expire.
      await l.waitFor(/successfully acquired lease kube-system\/kube-controller-manager/, mark, 5_000);
      const lease = await client.get<KubeObject & { spec?: Record<string, unknown> }>(
        RESOURCES.leases,
        'kube-system',
        'kube-controller-manager',
      );
      assert.equal(
        lease.spec?.holderIdentity,
        readFileSync(join(dir.path, 'controller-manager-identity'), 'utf8').trim(),
      );
      assert.equal(lease.spec?.leaseTransitions, 0, 'the same holder throughout');
      assert.equal(alive(managerPid), false);
      const after = await eventually(async () => {
        const now = await names();
        return now.length === 2 && now.includes(initial[1]!) ? now : undefined;
      });
      assert.equal(after.length, 2);
      assert.ok(alive(serverPid) && alive(restartedPid));

      l.proc.kill('SIGTERM');
      const [code, signal] = await l.exited;
      assert.equal(signal, null);
      assert.equal(code, 0, l.output().slice(-3000));
      assert.equal(alive(serverPid), false, 'the API server is gone');
      assert.equal(alive(restartedPid), false, 'the controller manager is gone');
      assert.match(l.output(), /SIGTERM: stopping the controller manager, then the API server/);
    } finally {
      if (l.proc.exitCode === null) l.proc.kill('SIGKILL');
      dir.remove();
    }
  });

  it('stops the controller manager and exits non-zero when the API server dies', async () => {
    const dir = tempDir();
    const l = launch(['--port', '0', '--data-dir', dir.path, '--log-level', 'info']);
    try {
      const serverPid = Number((await l.waitFor(/API server started \(pid (\d+)\)/))[1]);
      const managerPid = Number((await l.waitFor(/controller manager started \(pid (\d+)\)/))[1]);
      // The controller manager starts while the server does: kill the server once it runs.
      await l.waitFor(/API server ready/);
      process.kill(serverPid, 'SIGKILL');
      const [code] = await l.exited;
      assert.notEqual(code, 0);
      assert.match(l.output(), /API server \(pid \d+\) exited unexpectedly \(signal SIGKILL\)/);
      assert.equal(alive(managerPid), false);
    } finally {
      if (l.proc.exitCode === null) l.proc.kill('SIGKILL');
      dir.remove();
    }
  });

  it('exits non-zero when the API server cannot start (port taken)', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    const dir = tempDir();
    const l = launch(['--port', String(port), '--data-dir', dir.path, '--log-level', 'warn']);
    try {
      const [code] = await l.exited;
      assert.equal(code, 1);
      assert.match(l.output(), /exited before listening/);
    } finally {
      blocker.close();
      dir.remove();
    }
  });

  it('a second start on a data directory in use exits non-zero and says the store is in use', async () => {
    const dir = tempDir();
    const first = launch(['--port', '0', '--data-dir', dir.path, '--log-level', 'warn']);
    try {
      await first.waitFor(/listening on (http:\/\/\S+)/);
      const second = launch(['--port', '0', '--data-dir', dir.path, '--log-level', 'warn']);
      const [code] = await second.exited;
      assert.equal(code, 1);
      assert.match(
        second.output(),
        /the store in \S+ is in use by another process \(another server on the same data directory\?\)/,
      );
      assert.match(second.output(), /exited before listening/);
    } finally {
      first.proc.kill('SIGTERM');
      await first.exited;
      dir.remove();
    }
  });

  const usageCases: Array<{ args: string[]; code: number; out: RegExp }> = [
    { args: ['--bogus'], code: 2, out: /unknown flag --bogus[\s\S]*Usage: npm start --/ },
    { args: ['--speed', '0'], code: 2, out: /invalid --speed "0"/ },
    { args: ['--workers=x'], code: 2, out: /invalid --workers "x"/ },
    { args: ['--nodes', '-1'], code: 2, out: /invalid --nodes/ },
    // past the simulated nodes' distinct node IPs and pod CIDRs
    { args: ['--nodes', '200000'], code: 2, out: /invalid --nodes 200000: at most 129536 simulated nodes/ },
    { args: ['--help'], code: 0, out: /--nodes N[\s\S]*--speed F[\s\S]*--workers N/ },
  ];
  for (const c of usageCases) {
    it(`${c.args.join(' ')} → exit ${c.code}`, async () => {
      const l = launch(c.args);
      const [code] = await l.exited;
      assert.equal(code, c.code);
      assert.match(l.output(), c.out);
    });
  }
});

describe('node dist/controllers/main.js alone', { timeout: 30_000 }, () => {
  const MAIN = join(REPO_ROOT, 'dist', 'controllers', 'main.js');
  const cases: Array<{ args: string[]; code: number; out: RegExp }> = [
    {
      args: ['--server', 'http://127.0.0.1:1', '--frobnicate'],
      code: 2,
      out: /unknown flag --frobnicate[\s\S]*Usage:/,
    },
    { args: [], code: 2, out: /--kubeconfig or --server is required/ },
    {
      args: ['--server', 'http://127.0.0.1:1', '--nodes', '129537'],
      code: 2,
      out: /invalid --nodes 129537: at most 129536 simulated nodes/,
    },
    { args: ['--kubeconfig', '/nonexistent/kubeconfig'], code: 1, out: /ENOENT/ },
    { args: ['--help'], code: 0, out: /--leader-elect-lease-duration D/ },
    {
      args: ['--server', 'http://127.0.0.1:1', '--leader-elect-lease-duration', '5s'],
      code: 2,
      out: /leaseDuration must be greater than renewDeadline/,
    },
    {
      args: ['--server', 'http://127.0.0.1:1', '--leader-elect-retry-period=2'],
      code: 2,
      out: /invalid --leader-elect-retry-period "2": time: missing unit in duration "2"/,
    },
    {
      args: ['--server', 'http://127.0.0.1:1', '--leader-elect=maybe'],
      code: 2,
      out: /invalid --leader-elect "maybe"/,
    },
    {
      args: ['--server', 'http://127.0.0.1:1', '--leader-elect-lease-duration=1000h'],
      code: 2,
      out: /invalid --leader-elect-lease-duration "1000h": at most 24h/,
    },
    {
      args: ['--server', 'http://127.0.0.1:1', '--leader-elect-resource-lock', 'endpoints'],
      code: 2,
      out: /only leases/,
    },
  ];
  for (const c of cases) {
    it(`${c.args.join(' ') || '(no flags)'} → exit ${c.code}`, async () => {
      const proc = spawn(process.execPath, [MAIN, ...c.args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KUBECONFIG: '' },
      });
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      const [code] = (await once(proc, 'exit')) as [number];
      assert.equal(code, c.code, out);
      assert.match(out, c.out);
    });
  }
});
