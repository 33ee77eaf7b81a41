#!/usr/bin/env node
// `npm run soak`: the reliability tests (tests/reliability/) at soak sizes, one file at a time, then the memory soak
// (tests/soak/run.ts: large objects rewritten for 30 minutes, RSS sampled, flat or it fails). Every size of the
// reliability tests is an environment variable (tests/helpers/knobs.ts); one already set wins over the soak default
// here. Extra words narrow the reliability files as for `npm test` (`npm run soak -- crash`), `memory` runs only the
// memory soak, and flags go to the memory soak (`npm run soak -- memory --minutes 5`).
import { spawnSync } from 'node:child_process';

const SOAK = {
  RELIABILITY_ROUNDS: '30', // API server SIGKILL rounds
  RELIABILITY_CRASH_CLIENTS: '16',
  RELIABILITY_CLIENTS: '16', // linearizability: clients, increments each, counters
  RELIABILITY_INCREMENTS: '100',
  RELIABILITY_COUNTERS: '3',
  RELIABILITY_WATCHERS: '100',
  RELIABILITY_WATCH_EVENTS: '5000',
  RELIABILITY_NODES: '30', // controller manager kills during a rolling update
  RELIABILITY_CM_KILLS: '8',
};
const env = { TEST_CONCURRENCY: '1', ...SOAK, ...process.env };
const args = process.argv.slice(2);
const flagStart = args.findIndex((a) => a.startsWith('--'));
const words = flagStart < 0 ? args : args.slice(0, flagStart);
const memoryFlags = flagStart < 0 ? [] : args.slice(flagStart);
const root = new URL('..', import.meta.url).pathname;
const reliabilityWords = words.filter((w) => w !== 'memory');
let status = 0;
if (words.length === 0 || reliabilityWords.length > 0) {
  const files =
    reliabilityWords.length > 0 ? reliabilityWords.map((w) => `tests/reliability/${w}`) : ['tests/reliability'];
  const result = spawnSync(process.execPath, [`${root}scripts/run-tests.mjs`, ...files], { stdio: 'inherit', env });
  status = result.status ?? 1;
}
if (words.length === 0 || words.includes('memory')) {
  const result = spawnSync(process.execPath, [`${root}dist/tests/soak/run.js`, ...memoryFlags], { stdio: 'inherit' });
  status = status || (result.status ?? 1);
}
process.exit(status);
