#!/usr/bin/env node
// Runs every compiled test file (dist/tests/**/*.test.js) with Node's built-in test runner.
// `npm test -- kubectl storage` runs only the files whose path contains one of the given words.
// A full run (no words) then runs the API tests (tests/api) and the chapter (tests/kubectl/chapter) again with their servers on etcd (TEST_STORAGE=etcd:
// one etcd per test file, so that no file sees another's revisions) when etcd is installed, and says so when it is not; TEST_ETCD_PASS=0 skips that pass,
// TEST_ETCD_PASS=1 adds it to a run of some files (the API test files among them).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
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
// A compiled test whose TypeScript source is gone (a test renamed or deleted since the last build: tsc does not
// remove its old output) is not run.
const stale = files.filter((f) => !existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts')));
if (stale.length > 0) {
  console.error(
    `not running ${stale.length} compiled test file(s) whose source is gone: ${stale.map((f) => relative(root, f)).join(', ')}`,
  );
  files = files.filter((f) => !stale.includes(f));
}
if (filters.length > 0) files = files.filter((f) => filters.some((w) => relative(root, f).includes(w)));
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';

/**
 * Runs `list` with the test runner (TAP as it comes, then the failure recap); resolves to the exit status and the
 * recap (empty when nothing failed).
 */
async function runFiles(list, env = process.env) {
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
  const child = spawn(
    process.execPath,
    ['--test', `--test-concurrency=${concurrency}`, ...reporters, ...passThrough, ...list],
    { stdio: 'inherit', cwd: root, env },
  );
  const [code] = await once(child, 'exit');
  let recap = '';
  try {
    recap = readFileSync(recapFile, 'utf8');
    if (recap.length > 0) process.stdout.write(recap);
  } catch {
    // no recap written: nothing failed, or the runner died before reporting
  }
  rmSync(recapDir, { recursive: true, force: true });
  return { code: code ?? 1, recap };
}

/**
 * The API tests, and the book chapter with real kubectl, again with their servers on etcd (TEST_STORAGE=etcd);
 * 0 when etcd is not installed.
 */
async function runEtcdPass() {
  const apiDir = join(testDir, 'api');
  const chapter = join(testDir, 'kubectl', 'chapter.test.js');
  const apiFiles = files.filter((f) => f.startsWith(apiDir) || f === chapter);
  if (apiFiles.length === 0) return { code: 0, recap: '' };
  const { etcdMissing } = await import(join(testDir, 'helpers', 'etcd.js'));
  if (etcdMissing) {
    console.log(`\n# NOTE: the API tests did NOT run against etcd: ${etcdMissing}\n`);
    return { code: 0, recap: '' };
  }
  console.log(
    `\n# the API tests and the chapter again, their servers on etcd (TEST_STORAGE=etcd, ${apiFiles.length} files)\n`,
  );
  const started = Date.now();
  try {
    return await runFiles(apiFiles, { ...process.env, TEST_STORAGE: 'etcd' });
  } finally {
    console.log(`# the API tests on etcd took ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

const first = await runFiles(files);
const etcdPass = process.env.TEST_ETCD_PASS === '1' || (filters.length === 0 && process.env.TEST_ETCD_PASS !== '0');
let status = first.code;
if (etcdPass && process.env.TEST_STORAGE !== 'etcd') {
  const onEtcd = await runEtcdPass();
  status = Math.max(status, onEtcd.code);
  // The etcd pass's TAP and recap came after the first pass's: the last screen says how both passes ended, and
  // repeats what failed in the first one, so that a log cut to its tail still names it.
  if (first.code !== 0) {
    console.log(`\n# the first pass (every test file) FAILED (exit ${first.code}); what failed in it, again:`);
    process.stdout.write(first.recap.length > 0 ? first.recap : '# (its runner wrote no recap: see its TAP above)\n');
  }
  console.log(`# first pass: exit ${first.code}; on etcd: exit ${onEtcd.code}`);
}
process.exit(status);
