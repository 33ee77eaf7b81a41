/**
 * `npm run bench`'s flags (dist/bench/run.js): --help prints the usage; a wrong flag is a usage error (exit 2), never
 * a stack trace nor a run of minutes with a section silently skipped.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

const BENCH = new URL('../../../bench/run.js', import.meta.url).pathname;
const run = (args: string[]) => spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('npm run bench: flags', () => {
  it('--help prints the usage with every section, exit 0', () => {
    const r = run(['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: npm run bench/);
    assert.match(r.stdout, /--only SECTIONS +comma-separated, of: ceilings, start, api, storage, cluster\n/);
  });
  const cases: Array<{ args: string[]; out: RegExp }> = [
    { args: ['--frobnicate'], out: /^error: Unknown option '--frobnicate'/ },
    { args: ['--only', 'cluter'], out: /^error: unknown --only section\(s\): cluter\n/ },
    { args: ['--nodes', '1k'], out: /^error: invalid --nodes "1k": positive integers separated by commas\n/ },
    { args: ['--stored-pods', '0'], out: /^error: invalid --stored-pods "0"/ },
    { args: ['--speed', '0'], out: /^error: invalid --speed "0": a positive number\n/ },
  ];
  for (const c of cases) {
    it(`${c.args.join(' ')}: a usage error, exit 2`, () => {
      const r = run(c.args);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, c.out);
      assert.match(r.stderr, /\nUsage: npm run bench/);
      assert.doesNotMatch(r.stderr, /\n +at /, 'no stack trace');
    });
  }
});
