#!/usr/bin/env node
// `npm run soak`: the reliability tests (tests/reliability/) at soak sizes, one file at a time. Every size is an
// environment variable (tests/helpers/knobs.ts); one already set wins over the soak default here. Extra words
// narrow the files as for `npm test`, e.g. `npm run soak -- crash`.
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
const words = process.argv.slice(2);
const files = words.length > 0 ? words.map((w) => `tests/reliability/${w}`) : ['tests/reliability'];
const root = new URL('..', import.meta.url).pathname;
const result = spawnSync(process.execPath, [`${root}scripts/run-tests.mjs`, ...files], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
