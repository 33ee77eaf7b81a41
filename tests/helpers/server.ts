import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import { openEtcdStorage } from '../../storage/etcd/etcd-storage.js';
import { openLevelStorage } from '../../storage/level/level-storage.js';
import type { Storage } from '../../storage/interface.js';
import { after, before } from 'node:test';
import { Api } from './http.js';
import { TEST_ON_ETCD, testEtcdPrefix, testEtcdServers, testStorageArgs } from './etcd.js';
import { SERVER_MAIN } from './paths.js';
import { tempDir } from './tmp.js';

/**
 * An API server running inside the test process on 127.0.0.1 and a free port, over a temp LevelDB (or, under
 * TEST_STORAGE=etcd, a prefix of its own on the test etcd).
 */
export interface InProcessServer {
  url: string;
  fastify: FastifyInstance;
  storage: Storage;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The admission plugins an API server started alone turns off unless a test asks for them: without the controller
 * manager no namespace gets its `default` ServiceAccount, so the ServiceAccount admission would refuse every pod
 * (kube-apiserver's own integration tests start their servers with `--disable-admission-plugins=ServiceAccount`).
 */
export const API_SERVER_ALONE_DISABLED_ADMISSION = ['ServiceAccount'];

/**
 * An API server in the test process. The ServiceAccount admission is off unless `disableAdmissionPlugins` says
 * otherwise (`[]`: everything on, as in a cluster).
 */
export async function startInProcess(
  opts: Partial<Omit<AppOptions, 'storage'>> & {
    storageOptions?: Record<string, unknown>;
    /** Wraps the store the server uses (e.g. to slow it down); the wrapper must close the store it wraps. */
    wrapStorage?: (storage: Storage) => Storage;
  } = {},
): Promise<InProcessServer> {
  const dir = tempDir();
  const { storageOptions, wrapStorage, ...appOptions } = opts;
  const opened = TEST_ON_ETCD
    ? await openEtcdStorage({ servers: await testEtcdServers(), prefix: testEtcdPrefix(), ...(storageOptions ?? {}) })
    : await openLevelStorage({ dir: join(dir.path, 'store'), ...(storageOptions ?? {}) });
  const storage = wrapStorage ? wrapStorage(opened) : opened;
  const { fastify } = await buildApp({
    storage,
    disableAdmissionPlugins: API_SERVER_ALONE_DISABLED_ADMISSION,
    ...appOptions,
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    fastify,
    storage,
    dataDir: dir.path,
    async close() {
      await fastify.close();
      await storage.close();
      dir.remove();
    },
  };
}

/** What {@link useInProcessServer} gives a suite: a client of its server, and the server once started. */
export interface InProcessSuite {
  /** A client of the suite's server, usable from the tests on. */
  api: Api;
  /** The server (after the suite's `before` hook has run). */
  server(): InProcessServer;
}

/**
 * The setup of an API test suite in one call: registers in the current suite a `before` hook that starts an API
 * server in the test process (startInProcess with these options) and creates `namespaces`, and an `after` hook that
 * closes it.
 */
export function useInProcessServer(
  opts: Parameters<typeof startInProcess>[0] & { namespaces?: string[] } = {},
): InProcessSuite {
  const { namespaces = [], ...serverOpts } = opts;
  let started: InProcessServer | undefined;
  const server = (): InProcessServer => {
    if (!started) throw new Error('the suite server is not started yet (use it from a test or a later hook)');
    return started;
  };
  const api = new Api(() => server().url);
  before(async () => {
    started = await startInProcess(serverOpts);
    for (const ns of namespaces) await api.createNamespace(ns);
  });
  after(async () => {
    await started?.close();
    started = undefined;
  });
  return { api, server };
}

/** The API server as a separate OS process (`node dist/server/main.js`), as users start it. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Removes the data directory (after stop/kill) unless it was given by the caller. */
  cleanup(): void;
}

/** `admission: true` runs every admission plugin; by default the ServiceAccount admission is off (see startInProcess). */
export async function startServerProcess(
  opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; admission?: boolean } = {},
): Promise<ServerProcess> {
  const owned = opts.dataDir ? undefined : tempDir();
  const dataDir = opts.dataDir ?? owned!.path;
  const admission = opts.admission
    ? []
    : ['--disable-admission-plugins', API_SERVER_ALONE_DISABLED_ADMISSION.join(',')];
  const proc = spawn(
    process.execPath,
    [
      SERVER_MAIN,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      ...admission,
      ...(await testStorageArgs(dataDir, opts.args)),
      ...(opts.args ?? []),
    ],
    {
      env: { ...process.env, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${opts.timeoutMs ?? 20000} ms:\n${out}`)),
      opts.timeoutMs ?? 20000,
    );
    const onData = () => {
      const m = /listening on (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const exited = once(proc, 'exit');
  return {
    url,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig'),
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
    async kill() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      owned?.remove();
    },
  };
}
