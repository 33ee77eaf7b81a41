#!/usr/bin/env node
/**
 * The API server's CPU per write request, by kind: pod creates, Lease updates (PUT) and merge PATCHes of pods,
 * each driven by 64 clients while 10 watchers watch the written resource (as `npm run bench`'s create figure).
 * The figure is the server child's CPU time (utime + stime from /proc/<pid>/stat) over a phase divided by its
 * requests, so it holds on a machine shared with other work, where wall-clock rates do not.
 *
 *   node scripts/profile-writes.mjs [--n 5000] [--warm 1000] [--runs 3] [--clients 64] [--watchers 10]
 *                                   [--main A/dist/server/main.js,B/dist/server/main.js] [--prof DIR]
 *
 * Several `--main` entries are run interleaved (A, B, A, B, ...) and compared by their medians: build the
 * baseline into another directory (e.g. a copy of dist/ beside a `node_modules` link) for A/B runs. `--prof DIR`
 * runs the server under `node --cpu-prof` and leaves one .cpuprofile per run in DIR.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const harness = await import(new URL('../dist/bench/harness.js', import.meta.url).href);
const { Http, closedLoop, freePort, pod, startChild, tempDir, waitReady } = harness;

const { values: opts } = parseArgs({
  options: {
    n: { type: 'string', default: '5000' },
    warm: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '64' },
    watchers: { type: 'string', default: '10' },
    main: { type: 'string' },
    prof: { type: 'string' },
  },
});
const N = Number(opts.n);
const WARM = Number(opts.warm);
const RUNS = Number(opts.runs);
const CLIENTS = Number(opts.clients);
const WATCHERS = Number(opts.watchers);
const mains = (opts.main ?? new URL('../dist/server/main.js', import.meta.url).pathname)
  .split(',')
  .map((m) => resolve(m));
const TICK = 100; // USER_HZ on Linux

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICK;
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

async function oneServer(main, run) {
  const dir = tempDir('profile-writes-');
  const port = await freePort();
  const nodeArgs = opts.prof ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts.prof)] : [];
  const child = startChild('API server', [
    ...nodeArgs,
    main,
    '--port',
    String(port),
    '--data-dir',
    dir.path,
    '--log-level',
    'warn',
    '--disable-admission-plugins',
    'ServiceAccount',
  ]);
  const base = `http://127.0.0.1:${port}`;
  const url = new URL(base);
  const http = new Http(base);
  const closers = [];
  try {
    await waitReady(`${base}/readyz`, child);
    await http.json('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    for (let i = 0; i < WATCHERS; i++) {
      closers.push(await rawWatch(url, '/api/v1/namespaces/bench/pods?watch=true'));
      closers.push(await rawWatch(url, '/apis/coordination.k8s.io/v1/namespaces/bench/leases?watch=true'));
    }
    const leases = new Map();
    const phases = {
      create: (prefix) => (i) =>
        http
          .send(
            'POST',
            '/api/v1/namespaces/bench/pods',
            pod(`${prefix}-${i}`, { app: 'bench', group: `g-${i % 1000}` }),
          )
          .then((r) => expect(r, 201, 'create pod')),
      leaseCreate: (prefix) => (i) =>
        http
          .send('POST', '/apis/coordination.k8s.io/v1/namespaces/bench/leases', lease(`${prefix}-${i}`, `node-${i}`))
          .then((r) => {
            expect(r, 201, 'create lease');
            leases.set(`${prefix}-${i}`, JSON.parse(r.body.toString()));
          }),
      put: (prefix) => (i) => {
        const name = `${prefix}-${i}`;
        const current = leases.get(name);
        current.spec.renewTime = new Date().toISOString().replace('Z', '000Z');
        return http.send('PUT', `/apis/coordination.k8s.io/v1/namespaces/bench/leases/${name}`, current).then((r) => {
          expect(r, 200, 'update lease');
          leases.set(name, JSON.parse(r.body.toString()));
        });
      },
      patch: (prefix) => (i) =>
        http
          .send(
            'PATCH',
            `/api/v1/namespaces/bench/pods/${prefix}-${i}`,
            { metadata: { annotations: { 'bench/seq': String(i) } } },
            { 'content-type': 'application/merge-patch+json' },
          )
          .then((r) => expect(r, 200, 'merge patch pod')),
    };
    // Warm-up: every kind once over WARM objects of their own (JIT, caches), not counted.
    for (const kind of ['create', 'leaseCreate', 'put', 'patch']) await closedLoop(WARM, CLIENTS, phases[kind]('w'));
    const result = {};
    const windows = {};
    for (const kind of ['create', 'leaseCreate', 'put', 'patch']) {
      const t0 = process.hrtime.bigint() / 1000n;
      const before = cpuMs(child.pid);
      const { ms } = await closedLoop(N, CLIENTS, phases[kind]('p'));
      const cpu = cpuMs(child.pid) - before;
      windows[kind] = [Number(t0), Number(process.hrtime.bigint() / 1000n)];
      if (kind !== 'leaseCreate') result[kind] = { cpuUs: (cpu * 1000) / N, rate: (N / ms) * 1000 };
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `run ${run} ${main}: ${Object.entries(result)
        .map(([k, v]) => `${k} ${v.cpuUs.toFixed(0)} µs (${v.rate.toFixed(0)}/s)`)
        .join(', ')}  [load ${load}]`,
    );
    // The phases' CLOCK_MONOTONIC windows (µs), the clock of a .cpuprofile's timestamps: a profile's samples can be
    // cut to one kind of request.
    if (opts.prof) writeFileSync(join(resolve(opts.prof), `windows-${child.pid}.json`), JSON.stringify(windows));
    return result;
  } finally {
    for (const close of closers) close();
    http.close();
    await child.stop();
    dir.remove();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const all = mains.map(() => []);
for (let run = 1; run <= RUNS; run++) {
  for (let m = 0; m < mains.length; m++) all[m].push(await oneServer(mains[m], run));
}
console.log(
  `\nmedian server CPU per request over ${RUNS} run(s), ${N} requests each, ${CLIENTS} clients, ${WATCHERS} watchers:`,
);
for (let m = 0; m < mains.length; m++) {
  const line = ['create', 'put', 'patch']
    .map((k) => `${k} ${median(all[m].map((r) => r[k].cpuUs)).toFixed(0)} µs`)
    .join(', ');
  console.log(`  ${mains[m]}: ${line}`);
}
