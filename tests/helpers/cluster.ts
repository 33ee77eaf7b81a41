import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { loadKubeconfig } from '../../controllers/machinery/client.js';
import { HttpTransport } from '../../controllers/machinery/transport.js';
import { testStorageArgs } from './etcd.js';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './tmp.js';

const START = join(REPO_ROOT, 'dist', 'cli', 'start.js');

/**
 * The whole emulator as `npm start` runs it: API server and controller manager, on 127.0.0.1 (or the `--host` of
 * `args`) and a free port. `api` uses the written kubeconfig's CA and token, so it works over TLS too.
 */
export interface Cluster {
  url: string;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  output(): string;
  /** GET/POST/... JSON against the API server; returns status and parsed body. */
  api(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: any }>;
  /** The pid of the controller manager child (from `ps`), for kill tests. */
  controllerManagerPid(): number | undefined;
  /** SIGTERM, wait for exit, remove the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `node dist/cli/start.js --port 0 --data-dir <tmp> --nodes N --speed S` and waits until the API
 * server answers and N nodes are Ready. `speed` scales the simulated kubelet's timings (0.1: ten times faster).
 */
export async function startCluster(
  opts: { nodes?: number; speed?: number; args?: string[]; timeoutMs?: number } = {},
): Promise<Cluster> {
  const dir = tempDir('kube-emu-cluster-');
  const nodes = opts.nodes ?? 0;
  const args = [
    START,
    '--port',
    '0',
    '--data-dir',
    dir.path,
    '--nodes',
    String(nodes),
    '--log-level',
    'warn',
    '--speed',
    String(opts.speed ?? 0.1),
    '--metrics-port',
    '0',
    ...(await testStorageArgs(dir.path, opts.args)),
    ...(opts.args ?? []),
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = once(proc, 'exit');
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]!);
      } else if (proc.exitCode !== null || Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`the emulator did not start:\n${out}`));
      }
    }, 50);
  });
  const kubeconfig = loadKubeconfig(join(dir.path, 'kubeconfig'));
  const transport = new HttpTransport(new URL(url), { ca: kubeconfig.ca });
  const auth: Record<string, string> = kubeconfig.token ? { authorization: `Bearer ${kubeconfig.token}` } : {};
  const api: Cluster['api'] = async (method, path, body, contentType = 'application/json') => {
    const res = await transport.request(url + path, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };
  for (;;) {
    const r = await api('GET', '/api/v1/nodes').catch(() => undefined);
    const ready = (r?.body?.items ?? []).filter((n: any) =>
      (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length >= nodes) break;
    if (Date.now() > deadline) throw new Error(`${nodes} nodes were not Ready in time:\n${out}`);
    await new Promise((r2) => setTimeout(r2, 100));
  }
  return {
    url,
    dataDir: dir.path,
    kubeconfig: join(dir.path, 'kubeconfig'),
    proc,
    output: () => out,
    api,
    controllerManagerPid() {
      const ps = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(proc.pid)], { encoding: 'utf8' });
      const line = ps.split('\n').find((l) => l.includes('controllers/main.js'));
      return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      transport.close();
      dir.remove();
    },
  };
}
