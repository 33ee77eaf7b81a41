#!/usr/bin/env node
/**
 * The API server's RSS per stored pod and its CPU per LIST of every stored pod, first LIST apart: `--n` pod creates by
 * 64 clients while 10 watchers watch (as `npm run bench`'s figures), the RSS a second later minus the idle RSS, then
 * `--lists` sequential LISTs, each with the server's CPU time over it (all threads, and the main thread alone: the
 * rest is V8's background compilation and GC), from /proc/<pid>/task/<tid>/schedstat. CPU, not wall time, so the
 * figures hold on a machine shared with other work.
 *
 *   node scripts/profile-store.mjs [--n 10000] [--lists 8] [--rounds 2] [--main A/dist/server/main.js,B/...]
 *                                  [--prof DIR]
 *
 * Several `--main` builds (each optionally with node flags: `main.js+--flag`) run one after the other in each
 * round, in alternating order. `--prof DIR` runs the servers under `node --cpu-prof` and leaves, beside each
 * .cpuprofile, the CLOCK_MONOTONIC windows of its LISTs (`lists-<pid>.json`), to cut the profile to one LIST.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { createPods, sleep, startApiServer } = await import(new URL('../dist/bench/harness.js', import.meta.url).href);

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    lists: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    main: { type: 'string' },
    prof: { type: 'string' },
  },
});
const N = Number(opts.n);
const LISTS = Number(opts.lists);
const ROUNDS = Number(opts.rounds);
const mains = (opts.main ?? new URL('../dist/server/main.js', import.meta.url).pathname).split(',').map((m) => {
  const [path, ...flags] = m.split('+');
  return { label: m, path: resolve(path), flags };
});

/** CPU time (ms) of the process's main thread and of all its threads. */
function cpu(pid) {
  let main = 0;
  let all = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      all += ns;
      if (tid === String(pid)) main = ns;
    } catch {
      // the thread ended
    }
  }
  return { main: main / 1e6, all: all / 1e6 };
}

function rss(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
}

/** A watch that reads bytes and does nothing with them. */
function rawWatch(url, path) {
  return new Promise((done, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, agent: false }, (res) => {
      res.on('data', () => {});
      res.on('error', () => {});
      done(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET whose body is counted, not kept. */
function countedGet(url, path, agent) {
  return new Promise((done, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, agent, headers: { accept: 'application/json' } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => (res.statusCode === 200 ? done() : reject(new Error(`GET ${path}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function measure(main) {
  const nodeArgs = opts.prof ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.prof)] : [];
  const server = await startApiServer({ main: main.path, nodeArgs: [...nodeArgs, ...main.flags] });
  const url = new URL(server.url);
  const pid = server.child.pid;
  const closers = [];
  try {
    await sleep(500);
    const idle = rss(pid);
    await server.http.json('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bench' },
    });
    for (let i = 0; i < 10; i++) closers.push(await rawWatch(url, '/api/v1/namespaces/bench/pods?watch=true'));
    const before = cpu(pid).all;
    await createPods(server.http, 'bench', N, 64, 'p', (i) => ({ app: 'bench', group: `g-${i % 1000}` }));
    const createCpu = cpu(pid).all - before;
    await sleep(1000);
    const perPod = (rss(pid) - idle) / N;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const lists = [];
    const windows = [];
    for (let i = 0; i < LISTS; i++) {
      await sleep(50);
      const a = cpu(pid);
      const t0 = process.hrtime.bigint() / 1000n;
      await countedGet(url, '/api/v1/namespaces/bench/pods', agent);
      windows.push([Number(t0), Number(process.hrtime.bigint() / 1000n)]);
      const b = cpu(pid);
      lists.push({ main: b.main - a.main, all: b.all - a.all });
    }
    agent.destroy();
    if (opts.prof) writeFileSync(join(resolve(opts.prof), `lists-${pid}.json`), JSON.stringify(windows));
    return { perPod, createCpu: createCpu / N, lists };
  } finally {
    for (const close of closers) close();
    await server.stop();
  }
}

const results = new Map(mains.map((m) => [m.label, []]));
for (let round = 1; round <= ROUNDS; round++) {
  for (const main of round % 2 ? mains : [...mains].reverse()) {
    const r = await measure(main);
    results.get(main.label).push(r);
    const lists = r.lists.map((l) => `${l.main.toFixed(0)}+${(l.all - l.main).toFixed(0)}`).join(' ');
    console.log(
      `round ${round} ${main.label}: ${(r.perPod / 1024).toFixed(2)} KB/pod, create ${(r.createCpu * 1000).toFixed(0)} µs, LIST CPU ms (main+other threads): ${lists}`,
    );
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`\n${N} pods, ${ROUNDS} rounds; LIST CPU = main thread + other threads (ms):`);
for (const [label, rs] of results) {
  const first = rs.map((r) => r.lists[0]);
  const later = rs.flatMap((r) => r.lists.slice(2));
  console.log(
    `  ${label}: RSS/pod ${(mean(rs.map((r) => r.perPod)) / 1024).toFixed(2)} KB, create ${(mean(rs.map((r) => r.createCpu)) * 1000).toFixed(0)} µs,` +
      ` first LIST ${mean(first.map((l) => l.main)).toFixed(1)}+${mean(first.map((l) => l.all - l.main)).toFixed(1)},` +
      ` LISTs 3rd on ${mean(later.map((l) => l.main)).toFixed(1)}+${mean(later.map((l) => l.all - l.main)).toFixed(1)}`,
  );
}
