#!/usr/bin/env node
// Runs every compiled test file (dist/tests/**/*.test.js) with Node's built-in test runner.
// `npm test -- kubectl storage` runs only the files whose path contains one of the given words.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const testDir = join(root, 'dist', 'tests');

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
let files = collect(testDir);
if (filters.length > 0) files = files.filter((f) => filters.some((w) => relative(root, f).includes(w)));
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// TAP goes to the terminal as it comes; the failure recap (scripts/failure-recap.mjs) is printed after it,
// so that the last screen of a long run says which tests failed, why, and the summary.
const recapDir = mkdtempSync(join(tmpdir(), 'test-recap-'));
const recapFile = join(recapDir, 'recap.txt');
const reporters = passThrough.some((a) => a.startsWith('--test-reporter'))
  ? []
  : [
      '--test-reporter=tap',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts', 'failure-recap.mjs')}`,
      `--test-reporter-destination=${recapFile}`,
    ];
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, ...reporters, ...passThrough, ...files],
  { stdio: 'inherit', cwd: root },
);
try {
  const recap = readFileSync(recapFile, 'utf8');
  if (recap.length > 0) process.stdout.write(recap);
} catch {
  // no recap written: nothing failed, or the runner died before reporting
}
rmSync(recapDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
