#!/usr/bin/env node
// `npm run build`: compiles the TypeScript into dist/ (tsc, incremental) and snapshots the OpenAPI definitions
// (scripts/snapshot-definitions.mjs) — but only when something it reads changed since the last build.
// Fingerprints of every input (path, size, mtime of the sources, tsconfig.json, package-lock.json) are kept in
// dist/.build-fingerprint; when they match, the build is skipped in a few milliseconds, so `npm start` and
// `npm test` start at once on unchanged sources (`npm start` checks only the inputs of what it runs: not the tests
// nor the bench). `npm run build -- --force` always builds.
//
// Then the processes' entry points (dist/server/main.js, dist/controllers/main.js, dist/cli/start.js) are replaced
// by bundles of the same sources (esbuild, see bundle()): loading one file instead of hundreds of ES modules is
// most of what a start costs. Every other compiled module stays in dist/ as tsc wrote it (the tests import them).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-fingerprint');

/** The directories of tsconfig.json's `include` that nothing `npm start` runs is compiled from. */
const NOT_RUN_BY_START = new Set(['bench', 'tests']);

/**
 * The fingerprint of the inputs of what `npm start` runs (`run`: every other source directory and the build's own
 * files) and, unless `runOnly`, of the rest (`rest`: the tests and the bench).
 */
function fingerprints({ runOnly = false } = {}) {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const dirs = [...new Set(tsconfig.include.map((pattern) => pattern.split('/')[0]))].sort();
  const walk = (hash, dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(hash, path);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  const run = createHash('sha256');
  for (const dir of dirs) if (!NOT_RUN_BY_START.has(dir)) walk(run, join(root, dir));
  for (const file of ['tsconfig.json', 'package-lock.json', 'scripts/snapshot-definitions.mjs', 'scripts/build.mjs']) {
    const path = join(root, file);
    if (existsSync(path)) run.update(`${path}\0${readFileSync(path, 'utf8')}\n`);
  }
  if (runOnly) return { run: run.digest('hex') };
  const rest = createHash('sha256');
  for (const dir of dirs) if (NOT_RUN_BY_START.has(dir)) walk(rest, join(root, dir));
  return { run: run.digest('hex'), rest: rest.digest('hex') };
}

/**
 * Builds when an input changed since the last build (always with `force`); exits the process if a step fails.
 * With `runOnly` (`npm start`), only a change of what `npm start` runs counts: a changed test or bench alone leaves
 * dist/ as it is until the next build without it (`npm test`, `npm run build`), and the start does not stat them.
 */
export async function build({ force = false, runOnly = false } = {}) {
  const stamp = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').split('\n') : [];
  if (!force && runOnly && stamp[0] === fingerprints({ runOnly: true }).run) return;
  const before = fingerprints();
  if (!force && stamp[0] === before.run && stamp[1] === before.rest) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const steps = [[tsc, '-p', join(root, 'tsconfig.json')], [join(root, 'scripts', 'snapshot-definitions.mjs')]];
  for (const args of steps) {
    const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  await bundle();
  // The fingerprints taken before compiling: a source edited during the build makes the next build run again.
  writeFileSync(stampFile, `${before.run}\n${before.rest}`);
}

// `node scripts/build.mjs [--force]`; scripts/start.mjs imports build() instead (one process for `npm start`).
if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  await build({ force: process.argv.includes('--force') });
}

/**
 * The entry points as bundles: the launcher an ES module, with what it imports lazily in chunks under dist/bundle/;
 * the API server and the controller manager CommonJS scripts run with a code cache (see below). Every output sits one directory below dist/, so a module's `import.meta.url` becomes the URL
 * of its compiled file in dist/ (what reads files beside itself, or resolves packages from there, is unchanged).
 * Packages that read files beside themselves stay outside (loaded from node_modules), as do those only loaded on
 * first use; classic-level's native addon is loaded from its package in node_modules. Source maps (`--enable-source-maps`) lead back to the TypeScript.
 */
async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    process.stderr.write('build: esbuild is not installed: the entry points stay unbundled (slower to start)\n');
    return;
  }
  const entries = ['cli/start.ts'];
  const importMetaUrl = {
    name: 'import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (text.includes('import.meta.url')) {
          const compiled = relative(root, args.path).replace(/\.ts$/, '.js');
          text = text.replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(`../${compiled}`)}, import.meta.url).href`,
          );
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
  // classic-level (LevelDB) is bundled but for its native addon, which node-gyp-build finds from the package's
  // directory: the one in node_modules, resolved when the bundle runs.
  const nativeAddon = {
    name: 'native-addon',
    setup(b) {
      b.onLoad({ filter: /[\\/]classic-level[\\/]binding\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('(__dirname)'))
          throw new Error(`build: ${args.path} no longer loads its addon from __dirname`);
        const dir = "require('node:path').dirname(require['resolve']('classic-level'))";
        return { contents: text.replace('(__dirname)', `(${dir})`), loader: 'js' };
      });
    },
  };
  // Node's https and http2 modules (with tls and its secure contexts) are required at the top of Fastify's server
  // module and prom-client's Pushgateway, but used only to serve TLS or HTTP/2 and to push metrics: in the server
  // and controller manager bundles they are loaded on first use instead (compiling them took ~10 ms of a start over plain HTTP). Their
  // requirers only reach into them (`https.createServer`), so an object that loads the module on first access
  // stands in for it.
  const lazyBuiltins = {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter: /^(node:)?(https|http2)$/ }, (args) =>
        args.namespace === 'lazy-builtin'
          ? { path: args.path, external: true }
          : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' },
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
        contents: `let m;
const load = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));
module.exports = new Proxy({}, {
  get: (_, k) => load()[k],
  has: (_, k) => k in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, k) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), k);
    return d && { ...d, configurable: true };
  },
});
`,
        loader: 'js',
      }));
    },
  };
  rmSync(join(dist, 'bundle'), { recursive: true, force: true }); // chunks of earlier builds
  const common = {
    outbase: root,
    outdir: dist,
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    packages: 'bundle',
    external: [
      // reads its .proto files beside itself; loaded only for --storage etcd
      'etcd3',
      // loaded on first use from node_modules (Swagger UI, YAML, protobuf, Fastify's schema compilers)
      '@fastify/swagger',
      '@fastify/swagger-ui',
      '@fastify/ajv-compiler',
      '@fastify/fast-json-stringify-compiler',
      'yaml',
      'protobufjs',
    ],
    plugins: [importMetaUrl, nativeAddon],
    metafile: true,
    write: false,
    logLevel: 'warning',
  };
  const esm = await esbuild.build({
    ...common,
    entryPoints: entries.map((e) => join(root, e)),
    entryNames: '[dir]/[name]',
    chunkNames: 'bundle/[name]-[hash]',
    splitting: true,
    format: 'esm',
    // The launcher reads a kubeconfig at every start: YAML is bundled for it (imported from node_modules, its
    // CommonJS files took ~60 ms of CPU while the API server was starting).
    external: common.external.filter((pkg) => pkg !== 'yaml'),
    // CommonJS packages inside the bundle call require() for Node's own modules
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
  });
  // The API server and the controller manager as one CommonJS script each (dist/server/main.cjs,
  // dist/controllers/main.cjs) that dist/server/main.js and dist/controllers/main.js compile with V8's code cache
  // (see codeCacheLoader()): an ES module cannot use one on Node 20, and compiling the bundle took ~50 ms of a start.
  // The server's lazily imported etcd backend is inside it (the package etcd3 is still loaded on first use).
  const script = {
    ...common,
    entryNames: '[dir]/[name]',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    // import() of a package loaded on first use becomes require(): a script compiled by node:vm has no import()
    supported: { 'dynamic-import': false },
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  const cjs = await esbuild.build({
    ...script,
    entryPoints: [join(root, 'server/main.ts')],
    plugins: [...common.plugins, lazyBuiltins],
  });
  // The controller manager reads its kubeconfig at every start: YAML is bundled for it (see the launcher's). Its
  // https and http2 are loaded on first use too (prom-client's Pushgateway requires https; a plain HTTP server
  // needs neither).
  const controllers = await esbuild.build({
    ...script,
    entryPoints: [join(root, 'controllers/main.ts')],
    external: common.external.filter((pkg) => pkg !== 'yaml'),
    plugins: [...common.plugins, lazyBuiltins],
  });
  for (const result of [esm, cjs, controllers]) {
    for (const out of Object.keys(result.metafile.outputs)) {
      if (relative(dist, join(root, out)).split('/').length !== 2)
        throw new Error(`build: ${out} is not one directory below dist/`);
    }
    for (const file of result.outputFiles) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, /\.c?js$/.test(file.path) ? asciiOnly(file.text) : file.text);
    }
  }
  const loaders = { server: join(dist, 'server', 'main.js'), controllers: join(dist, 'controllers', 'main.js') };
  for (const [what, loader] of Object.entries(loaders)) {
    writeFileSync(loader, codeCacheLoader(what === 'server' ? 'the API server' : 'the controller manager'));
    rmSync(`${loader}.map`, { force: true }); // tsc's, for the module the loader replaces
  }
  await warmCodeCache(loaders.server, loaders.controllers);
}

/**
 * dist/server/main.js (dist/controllers/main.js): runs the bundle main.cjs beside it as Node's CommonJS loader would,
 * compiled with the V8 code cache in main.cjs.cache when there is one that fits (same source, same V8 and flags; otherwise V8 rejects it
 * and compiles as usual; with --enable-source-maps, Node's own loader loads it, so traces are mapped). With
 * KUBE_EMULATOR_WRITE_CODE_CACHE set, the process writes the cache as it exits: it then
 * holds every function compiled until then, so the functions a start runs need no compiling at the next one.
 */
function codeCacheLoader(what) {
  return `#!/usr/bin/env node
// Written by scripts/build.mjs: loads main.cjs (${what}, bundled) with V8's code cache main.cjs.cache.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
const filename = fileURLToPath(new URL('./main.cjs', import.meta.url));
if (process.sourceMapsEnabled) {
  // --enable-source-maps: Node maps stack traces of what its own loader loaded, not of a node:vm script
  createRequire(import.meta.url)(filename);
} else {
  const cacheFile = \`\${filename}.cache\`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  // The bundle is ASCII (see asciiOnly() in scripts/build.mjs): read as latin1, it is a one-byte string at once.
  // Its first line (#!) becomes the wrapper's, so line numbers stay those of main.cjs.
  const source = readFileSync(filename, 'latin1').replace(/^#!.*/, '');
  const script = new Script(\`(function (exports, require, module, __filename, __dirname) {\${source}\\n})\`, {
    filename,
    cachedData,
  });
  const out = process.env.KUBE_EMULATOR_WRITE_CODE_CACHE;
  if (out) {
    delete process.env.KUBE_EMULATOR_WRITE_CODE_CACHE;
    process.once('exit', () => {
      writeFileSync(\`\${out}.tmp\`, script.createCachedData());
      renameSync(\`\${out}.tmp\`, out);
    });
  }
  const module = { exports: {}, filename, id: filename };
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, dirname(filename));
}
`;
}

/**
 * Writes dist/server/main.cjs.cache and dist/controllers/main.cjs.cache. The server's: a start on a temporary data
 * directory until /readyz answers, then a stop (it writes the cache as it exits; what requests compile later would
 * make the cache bigger, and so every start slower). The controller manager's: a run against the server started
 * again, until 3 nodes are Ready (what `npm start -- --nodes 3` does first: a Lease, informers' lists and watches,
 * nodes, events, service accounts, config maps), then a stop. Without them both start as well, only slower.
 */
async function warmCodeCache(loader, managerLoader) {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { createServer } = await import('node:net');
  const cacheFile = join(dist, 'server', 'main.cjs.cache');
  const managerCacheFile = join(dist, 'controllers', 'main.cjs.cache');
  rmSync(cacheFile, { force: true });
  rmSync(managerCacheFile, { force: true });
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-build-'));
  const port = await new Promise((res, rej) => {
    const s = createServer().once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const children = [];
  /** Runs `args` (a loader and its flags) with `env`; `running()` is false once it exited, `stop()` ends it. */
  const run = (args, env = {}) => {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
    let done = false;
    const exited = new Promise((res) => child.once('exit', res)).then(() => (done = true));
    const handle = {
      running: () => !done,
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
    children.push(child);
    return handle;
  };
  const serverArgs = [loader, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dir, '--log-level', 'error'];
  const ready = (server) =>
    poll(
      () => !server.running(),
      async () => {
        const res = await fetch(`${url}/readyz`);
        await res.arrayBuffer();
        return res.status === 200;
      },
    );
  try {
    const first = run(serverArgs, { KUBE_EMULATOR_WRITE_CODE_CACHE: cacheFile });
    await ready(first);
    await first.stop();
    const server = run(serverArgs);
    const caFile = join(dir, 'pki', 'ca.crt'); // over plain HTTP, a new CA may be written just after /readyz passes
    if (
      (await ready(server)) &&
      (await poll(
        () => !server.running(),
        () => existsSync(caFile),
      ))
    ) {
      const kubeconfig = join(dir, 'kubeconfig');
      const args = ['--kubeconfig', kubeconfig, '--root-ca-file', caFile, '--nodes', '3', '--metrics-port', '0'];
      const manager = run([managerLoader, ...args, '--log-level', 'error'], {
        KUBE_EMULATOR_WRITE_CODE_CACHE: managerCacheFile,
      });
      const isReady = (n) => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      await poll(
        () => !server.running() || !manager.running(),
        async () => {
          const res = await fetch(`${url}/api/v1/nodes`);
          return res.status === 200 && (await res.json()).items.filter(isReady).length >= 3;
        },
      );
      await manager.stop();
    }
    await server.stop();
  } finally {
    for (const child of children) child.kill('SIGKILL'); // only those still running: the others exited
    rmSync(dir, { recursive: true, force: true });
  }
  if (!existsSync(cacheFile)) process.stderr.write('build: no code cache for the API server (it starts slower)\n');
  if (!existsSync(managerCacheFile))
    process.stderr.write('build: no code cache for the controller manager (it starts slower)\n');
}

/** Calls `check` every 50 ms (for at most 30 s, or until `stopped()`) until it returns true: whether it did. */
async function poll(stopped, check) {
  for (let i = 0; i < 600 && !stopped(); i++) {
    try {
      if (await check()) return true;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * `text` with every non-ASCII character written as a `\uXXXX` escape. esbuild leaves them in comments and regular
 * expressions; a single one makes Node decode, and V8 hold and parse, the whole file as two-byte text, which costs
 * tens of milliseconds at each start. The escapes mean the same in strings, templates, regular expressions and
 * comments (the source maps' columns on those few lines are off by a few characters).
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/gu, (c) => {
    const code = c.codePointAt(0);
    if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
    const v = code - 0x10000;
    return `\\u${(0xd800 + (v >> 10)).toString(16)}\\u${(0xdc00 + (v & 0x3ff)).toString(16)}`;
  });
}
