#!/usr/bin/env node
// `npm run build`: compiles the TypeScript into dist/ (tsc, incremental) and snapshots the OpenAPI definitions
// (scripts/snapshot-definitions.mjs) — but only when something it reads changed since the last build.
// A fingerprint of every input (path, size, mtime of the sources, tsconfig.json, package-lock.json) is kept in
// dist/.build-fingerprint; when it matches, the build is skipped in a few milliseconds, so `npm start` and
// `npm test` start at once on unchanged sources. `npm run build -- --force` always builds.
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

function fingerprint() {
  const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const dirs = tsconfig.include.map((pattern) => pattern.split('/')[0]);
  const hash = createHash('sha256');
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts') || e.name.endsWith('.json')) {
        const s = statSync(path);
        hash.update(`${path}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const dir of [...new Set(dirs)].sort()) walk(join(root, dir));
  for (const file of ['tsconfig.json', 'package-lock.json', 'scripts/snapshot-definitions.mjs', 'scripts/build.mjs']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(`${path}\0${readFileSync(path, 'utf8')}\n`);
  }
  return hash.digest('hex');
}

/** Builds when an input changed since the last build (always with `force`); exits the process if a step fails. */
export async function build({ force = false } = {}) {
  const before = fingerprint();
  if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === before) return;
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const steps = [[tsc, '-p', join(root, 'tsconfig.json')], [join(root, 'scripts', 'snapshot-definitions.mjs')]];
  for (const args of steps) {
    const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  await bundle();
  // The fingerprint taken before compiling: a source edited during the build makes the next build run again.
  writeFileSync(stampFile, before);
}

// `node scripts/build.mjs [--force]`; scripts/start.mjs imports build() instead (one process for `npm start`).
if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  await build({ force: process.argv.includes('--force') });
}

/**
 * The entry points as bundles: one ES module each, with what they share (and what they import lazily) in chunks
 * under dist/bundle/. Every output sits one directory below dist/, so a module's `import.meta.url` becomes the URL
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
  const entries = ['server/main.ts', 'controllers/main.ts', 'cli/start.ts'];
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
        const dir = "require('node:path').dirname(require.resolve('classic-level'))";
        return { contents: text.replace('(__dirname)', `(${dir})`), loader: 'js' };
      });
    },
  };
  rmSync(join(dist, 'bundle'), { recursive: true, force: true }); // chunks of earlier builds
  const result = await esbuild.build({
    entryPoints: entries.map((e) => join(root, e)),
    outbase: root,
    outdir: dist,
    entryNames: '[dir]/[name]',
    chunkNames: 'bundle/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    packages: 'bundle',
    external: [
      // reads its .proto files beside itself; loaded only for --storage etcd
      'etcd3',
      // loaded on first use from node_modules (Swagger UI, certificates, YAML, protobuf, Fastify's schema compilers)
      '@fastify/swagger',
      '@fastify/swagger-ui',
      '@fastify/ajv-compiler',
      '@fastify/fast-json-stringify-compiler',
      'node-forge',
      'yaml',
      'protobufjs',
    ],
    // CommonJS packages inside the bundle call require() for Node's own modules
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
    },
    plugins: [importMetaUrl, nativeAddon],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  for (const out of Object.keys(result.metafile.outputs)) {
    if (relative(dist, join(root, out)).split('/').length !== 2)
      throw new Error(`build: ${out} is not one directory below dist/`);
  }
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.path.endsWith('.js') ? asciiOnly(file.text) : file.text);
  }
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
