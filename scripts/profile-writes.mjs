#!/usr/bin/env node
/**
 * The API server's CPU per write request, by kind: pod creates, Lease updates (PUT), merge and strategic merge
 * PATCHes of pods, each driven by 64 clients while 10 watchers watch the written resource (as `npm run bench`'s
 * create figure). The figure is the server child's CPU time (utime + stime from /proc/<pid>/stat, and of its main
 * thread alone from /proc/<pid>/task/<pid>/schedstat) over a phase divided by its requests, the median of the rounds, so
 * it holds on a machine shared with other work, where wall-clock rates do not.
 *
 *   node scripts/profile-writes.mjs [--n 6000] [--warm 1000] [--rounds 6] [--clients 64] [--watchers 10]
 *                                   [--main A/dist/server/main.js,B/dist/server/main.js] [--prof DIR]
 *
 * Several `--main` builds run side by side, their phases interleaved round by round (A then B, then B then A),
 * so that each figure is taken over the same stretch of a machine whose load varies: build the baseline into
 * another directory (a copy of dist/ beside a `node_modules` link and package.json) for A/B runs. `--prof DIR`
 * runs the servers under `node --cpu-prof` and leaves, beside each .cpuprofile, the CLOCK_MONOTONIC windows of its
 * phases (`windows-<pid>.json`), to cut the profile to one kind of request.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const harness = await import(new URL('../dist/bench/harness.js', import.meta.url).href);
const { closedLoop, pod, startApiServer } = harness;

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '6000' },
    warm: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '6' },
    clients: { type: 'string', default: '64' },
    watchers: { type: 'string', default: '10' },
    main: { type: 'string' },
    prof: { type: 'string' },
  },
});
const N = Number(opts.n);
const WARM = Number(opts.warm);
const RUNS = Number(opts.rounds);
const CLIENTS = Number(opts.clients);
const WATCHERS = Number(opts.watchers);
/** Builds to compare: `path/to/main.js`, optionally with node flags for its server (`main.js+--flag+--flag2`). */
const mains = (opts.main ?? new URL('../dist/server/main.js', import.meta.url).pathname).split(',').map((m) => {
  const [path, ...flags] = m.split('+');
  return { label: m, path: resolve(path), flags };
});
const TICK = 100; // USER_HZ on Linux
const KINDS = ['create', 'leaseCreate', 'put', 'patch', 'spatch'];
/** The kinds whose CPU is measured (Lease creates only make the Leases that the PUTs update). */
const MEASURED = ['create', 'put', 'patch', 'spatch'];

/**
 * CPU time (ms) of a process (utime + stime), or with `mainThread` of its main thread alone (the one that serves
 * requests), from its schedstat: nanoseconds on the CPU, not the 10 ms ticks of stat.
 */
function cpuMs(pid, mainThread = false) {
  if (mainThread) return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
}

/** utime and stime of a process (ms). */
function cpuSplit(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [(Number(fields[11]) * 1000) / TICK, (Number(fields[12]) * 1000) / TICK];
}

/** A watch that reads bytes and does nothing with them (the figure is the server's, not this process's). */
function rawWatch(url, path) {
  return new Promise((resolveWatch, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, agent: false, headers: { accept: 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch ${path}: ${res.statusCode}`));
        res.on('data', () => {});
        res.on('error', () => {});
        resolveWatch(() => req.destroy());
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function expect(r, status, what) {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.body.toString().slice(0, 300)}`);
}

function lease(name, holder) {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'bench' },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 40,
      renewTime: new Date().toISOString().replace('Z', '000Z'),
    },
  };
}

/** A running server of one build, with its watchers and the Leases it holds. */
async function startServer(main) {
  if (opts.prof) mkdirSync(resolve(opts.prof), { recursive: true });
  const nodeArgs = opts.prof ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.prof)] : [];
  const api = await startApiServer({ nodeArgs: [...nodeArgs, ...main.flags], main: main.path });
  const { child, http } = api;
  const url = new URL(api.url);
  const closers = [];
  const server = {
    main,
    child,
    http,
    leases: new Map(),
    windows: Object.fromEntries(KINDS.map((k) => [k, []])),
    /** Per measured kind, each round's [process CPU ms, main thread CPU ms, requests]. */
    rounds: Object.fromEntries(MEASURED.map((k) => [k, []])),
    async stop() {
      for (const close of closers) close();
      await api.stop();
    },
  };
  try {
    await http.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    for (let i = 0; i < WATCHERS; i++) {
      closers.push(await rawWatch(url, '/api/v1/namespaces/bench/pods?watch=true'));
      closers.push(await rawWatch(url, '/apis/coordination.k8s.io/v1/namespaces/bench/leases?watch=true'));
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

/** One kind of request against `server`, `prefix` naming the objects of this round. */
function operation(server, kind, prefix) {
  const { http, leases } = server;
  switch (kind) {
    case 'create':
      return (i) =>
        http
          .send(
            'POST',
            '/api/v1/namespaces/bench/pods',
            pod(`${prefix}-${i}`, { app: 'bench', group: `g-${i % 1000}` }),
          )
          .then((r) => expect(r, 201, 'create pod'));
    case 'leaseCreate':
      return (i) =>
        http
          .send('POST', '/apis/coordination.k8s.io/v1/namespaces/bench/leases', lease(`${prefix}-${i}`, `node-${i}`))
          .then((r) => {
            expect(r, 201, 'create lease');
            leases.set(`${prefix}-${i}`, JSON.parse(r.body.toString()));
          });
    case 'put':
      return (i) => {
        const name = `${prefix}-${i}`;
        const current = leases.get(name);
        current.spec.renewTime = new Date().toISOString().replace('Z', '000Z');
        return http.send('PUT', `/apis/coordination.k8s.io/v1/namespaces/bench/leases/${name}`, current).then((r) => {
          expect(r, 200, 'update lease');
          leases.delete(name);
        });
      };
    case 'patch':
      return (i) =>
        http
          .send(
            'PATCH',
            `/api/v1/namespaces/bench/pods/${prefix}-${i}`,
            { metadata: { annotations: { 'bench/seq': String(i) } } },
            { 'content-type': 'application/merge-patch+json' },
          )
          .then((r) => expect(r, 200, 'merge patch pod'));
    case 'spatch':
      return (i) =>
        http
          .send(
            'PATCH',
            `/api/v1/namespaces/bench/pods/${prefix}-${i}`,
            { metadata: { annotations: { 'bench/strategic': String(i) } } },
            { 'content-type': 'application/strategic-merge-patch+json' },
          )
          .then((r) => expect(r, 200, 'strategic merge patch pod'));
  }
}

/** Runs `count` requests of `kind`; the server's CPU time over them is kept as one round's figure. */
async function phase(server, kind, prefix, count) {
  const t0 = process.hrtime.bigint() / 1000n;
  const pid = server.child.pid;
  const before = [cpuMs(pid), cpuMs(pid, true)];
  await closedLoop(count, CLIENTS, operation(server, kind, prefix));
  const after = [cpuMs(pid), cpuMs(pid, true)];
  server.windows[kind].push([Number(t0), Number(process.hrtime.bigint() / 1000n)]);
  if (kind in server.rounds) server.rounds[kind].push([after[0] - before[0], after[1] - before[1], count]);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Every build's server runs at once, and the phases alternate between them (A, B, then B, A in the next round):
// each build's figure is taken over the same stretch of a machine whose load changes from second to second.
const servers = [];
try {
  for (const main of mains) servers.push(await startServer(main));
  // Warm-up: every kind once over objects of their own (JIT, caches), not counted.
  for (const server of servers) for (const kind of KINDS) await phase(server, kind, 'w', WARM);
  for (const server of servers) for (const kind of MEASURED) server.rounds[kind] = [];
  const perRound = Math.ceil(N / RUNS);
  for (let round = 1; round <= RUNS; round++) {
    const order = round % 2 ? servers : [...servers].reverse();
    for (const kind of KINDS) for (const server of order) await phase(server, kind, `r${round}`, perRound);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`round ${round}/${RUNS} done [load ${load}]`);
  }
  console.log(
    `\nserver CPU per request (utime+stime), medians of ${RUNS} interleaved rounds of ${perRound} requests of each kind, ${CLIENTS} clients, ${WATCHERS} watchers; process (main thread):`,
  );
  for (const server of servers) {
    const line = MEASURED.map((k) => {
      const rounds = server.rounds[k];
      const processUs = median(rounds.map(([cpu, , n]) => (cpu * 1000) / n));
      const mainUs = median(rounds.map(([, cpu, n]) => (cpu * 1000) / n));
      return `${k} ${processUs.toFixed(0)} (${mainUs.toFixed(0)}) µs`;
    }).join(', ');
    const [user, system] = cpuSplit(server.child.pid);
    console.log(
      `  ${server.main.label}: ${line} (whole run: ${Math.round((100 * system) / (user + system))} % in the kernel)`,
    );
    const perRoundMain = MEASURED.map(
      (k) => `${k} ${server.rounds[k].map(([, cpu, n]) => ((cpu * 1000) / n).toFixed(0)).join('/')}`,
    ).join('; ');
    console.log(`    main thread per round (µs): ${perRoundMain}`);
    if (server !== servers[0]) {
      // Each round's figure against the first build's of the same round (taken over the same stretch of time).
      const ratios = MEASURED.map((k) => {
        const mine = server.rounds[k];
        const theirs = servers[0].rounds[k];
        const r = median(mine.map(([, cpu, n], i) => (cpu / n / (theirs[i][1] / theirs[i][2]) - 1) * 100));
        return `${k} ${r >= 0 ? '+' : ''}${r.toFixed(1)} %`;
      }).join(', ');
      console.log(`    main thread against the first build, median of the rounds' ratios: ${ratios}`);
    }
    // The phases' CLOCK_MONOTONIC windows (µs), the clock of a .cpuprofile's timestamps: a profile's samples can be
    // cut to one kind of request.
    if (opts.prof)
      writeFileSync(join(resolve(opts.prof), `windows-${server.child.pid}.json`), JSON.stringify(server.windows));
  }
} finally {
  for (const server of servers) await server.stop();
}
