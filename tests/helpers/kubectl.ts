import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './tmp.js';

/**
 * Finds a real kubectl of a given minor version. Search order: `KUBECTL_1_<minor>` (e.g. KUBECTL_1_27), then
 * `kubectl.1.<minor>` beside the real file of the kubectl on the PATH (this machine's image ships 1.27 ... 1.33
 * there), then `.tools/kubectl-1.<minor>/usr/bin/kubectl` in the repository (where `scripts/install-kubectl-1.20`
 * extracts Debian's kubernetes-client). `default` means `KUBECTL`, else `kubectl.1.32`, else `kubectl` on the PATH.
 */
export function findKubectl(version: string = 'default'): string {
  const tried: string[] = [];
  const check = (p: string | undefined): string | undefined => {
    if (!p) return undefined;
    tried.push(p);
    return existsSync(p) ? p : undefined;
  };
  if (version === 'default') {
    const env = check(process.env['KUBECTL']);
    if (env) return env;
    version = '1.32';
  }
  const minor = version.replace(/^1\./, '');
  const fromEnv = check(process.env[`KUBECTL_1_${minor}`]);
  if (fromEnv) return fromEnv;
  let onPath: string | undefined;
  try {
    onPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    onPath = undefined;
  }
  if (onPath) {
    const beside = check(join(dirname(realpathSync(onPath)), `kubectl.1.${minor}`));
    if (beside) return beside;
  }
  const tools = check(join(REPO_ROOT, '.tools', `kubectl-1.${minor}`, 'usr', 'bin', 'kubectl'));
  if (tools) return tools;
  throw new Error(
    `kubectl 1.${minor} not found (looked at: ${tried.join(', ') || 'nothing'}). ` +
      `Set KUBECTL_1_${minor} to its path` +
      (minor === '20' ? ' or run scripts/install-kubectl-1.20 (Debian kubernetes-client).' : '.'),
  );
}

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against a kubeconfig with a fresh cache directory per Kubectl instance. */
export class Kubectl {
  readonly binary: string;
  readonly kubeconfig: string;
  private readonly cache = tempDir('kubectl-cache-');

  constructor(kubeconfig: string, version = 'default') {
    this.binary = findKubectl(version);
    this.kubeconfig = kubeconfig;
  }

  private argv(args: string[]): string[] {
    return ['--kubeconfig', this.kubeconfig, '--cache-dir', this.cache.path, ...args];
  }

  run(args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const proc = spawn(this.binary, this.argv(args), {
        cwd: opts.cwd ?? REPO_ROOT,
        env: { ...process.env, KUBECONFIG: this.kubeconfig },
      });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (d) => (stdout += d));
      proc.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`kubectl ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
      }, opts.timeoutMs ?? 30000);
      proc.on('error', reject);
      proc.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      if (opts.input !== undefined) proc.stdin.end(opts.input);
      else proc.stdin.end();
    });
  }

  /** Runs and fails the test with kubectl's output when it exits non-zero. */
  async ok(args: string[], opts: { input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get -w`); collects its output until stopped. */
  start(args: string[]): { proc: ChildProcess; output(): string; stop(): void } {
    const proc = spawn(this.binary, this.argv(args), { env: { ...process.env, KUBECONFIG: this.kubeconfig } });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    return { proc, output: () => out, stop: () => proc.kill('SIGTERM') };
  }

  dispose(): void {
    this.cache.remove();
  }
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${opts.what ?? 'condition'}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
