#!/usr/bin/env node
// `npm run build`: compiles the TypeScript into dist/ (tsc, incremental) and snapshots the OpenAPI definitions
// (scripts/snapshot-definitions.mjs) — but only when something it reads changed since the last build.
// A fingerprint of every input (path, size, mtime of the sources, tsconfig.json, package-lock.json) is kept in
// dist/.build-fingerprint; when it matches, the build is skipped in a few milliseconds, so `npm start` and
// `npm test` start at once on unchanged sources. `npm run build -- --force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const stampFile = join(dist, '.build-fingerprint');
const force = process.argv.includes('--force');

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
  for (const file of ['tsconfig.json', 'package-lock.json', 'scripts/snapshot-definitions.mjs']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(`${path}\0${readFileSync(path, 'utf8')}\n`);
  }
  return hash.digest('hex');
}

const before = fingerprint();
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === before) process.exit(0);

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const steps = [[tsc, '-p', join(root, 'tsconfig.json')], [join(root, 'scripts', 'snapshot-definitions.mjs')]];
for (const args of steps) {
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// The fingerprint taken before compiling: a source edited during the build makes the next build run again.
writeFileSync(stampFile, before);
