import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './tmp.js';

/**
 * The kubectl versions the tests drive, oldest first: the project supports 1.20 through 1.33; 1.27 and 1.28 are the
 * middle ones whose requests differ (1.27 asks authentication.k8s.io/v1beta1 for whoami, 1.28 v1), and 1.32 and
 * 1.33 send protobuf. The one list every test file takes its versions from.
 */
export const KUBECTL_VERSIONS = ['1.20', '1.27', '1.28', '1.32', '1.33'] as const;
export type KubectlVersion = (typeof KUBECTL_VERSIONS)[number];

/** The kubectl of this machine's PATH, and the one a file's scenarios that run once are run with. */
export const MAIN_KUBECTL_VERSION: KubectlVersion = '1.32';

/**
 * The versions that run a file's long per-version scenario in full: the oldest (JSON, the most different client) and
 * the main one (protobuf). The others run its core commands, so that adding a version does not double the suite's
 * time.
 */
export const FULL_SCENARIO_KUBECTL_VERSIONS: readonly KubectlVersion[] = ['1.20', MAIN_KUBECTL_VERSION];

/** Whether a version runs the whole per-version scenario (see FULL_SCENARIO_KUBECTL_VERSIONS), not only its core. */
export function runsFullScenario(version: string): boolean {
  return (FULL_SCENARIO_KUBECTL_VERSIONS as readonly string[]).includes(version);
}

/**
 * `it` for the steps of a per-version scenario beyond its core commands: registered only for the versions that run
 * the scenario in full (runsFullScenario), absent for the others.
 */
export function itInFullScenario(
  version: string,
): (name: string, fn: (t: TestContext) => Promise<void> | void) => void {
  return runsFullScenario(version) ? (name, fn) => void it(name, fn) : () => undefined;
}

/** The minor number of a `1.<minor>` version. */
export function kubectlMinor(version: string): number {
  return Number(version.replace(/^1\./, ''));
}

/**
 * kubectl 1.32 and later send protobuf bodies from their typed clients (`create configmap`, `create role`, ...) and
 * ask for protobuf answers; older ones speak JSON.
 */
export function speaksProtobuf(version: string): boolean {
  return kubectlMinor(version) >= 32;
}

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
