#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--json FILE] [--only start,api,storage,cluster,ceilings] [--nodes 1000,5000]
 *   [--stored-pods 10000,100000] [--moonshot] [--speed F]`
 *
 * A standalone process: it starts the real API server (and the controller manager) as child processes, drives
 * them over HTTP, measures the ceilings of this machine in the same run (bare Fastify, LevelDB synced batches),
 * and prints each figure beside its goal (issue 11) as a table, then writes the same as JSON.
 * `--quick` runs every figure at a small scale in well under 2 minutes: it checks that the bench works, its
 * numbers are not the goals' measures.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import {
  measureCreates,
  measureFanOut,
  measureGet,
  measureList,
  measureWatchLatency,
  serverStartToReady,
  startToNodesReady,
  storeWithPods,
} from './api.js';
import { EXTRA_CA_CERTS } from '../cli/child-env.js';
import { etcdMissing, startEtcd } from '../tests/helpers/etcd.js';
import { bareFastifyCeiling, etcdTxnCeiling, levelBatchCeiling } from './ceilings.js';
import { measureCluster } from './cluster.js';
import { sleep, startApiServer } from './harness.js';

const SECTIONS = ['ceilings', 'start', 'api', 'storage', 'cluster'];
const USAGE = `Usage: npm run bench [-- --quick] [--json FILE] [--only SECTIONS] [--nodes N,...] [--stored-pods N,...]
                     [--moonshot] [--speed F]

  --quick            every figure at a small scale (under 2 minutes; checks that the bench works)
  --json FILE        where to write the figures as JSON (default bench-results.json)
  --only SECTIONS    comma-separated, of: ${SECTIONS.join(', ')}
  --nodes N,...      the simulated cluster sizes (default 1000,5000)
  --stored-pods N,.. the stores the server starts on (default 10000,100000)
  --moonshot         also the DaemonSet on 100,000 simulated nodes (~10 minutes)
  --speed F          the controller manager's --speed (default 0.1)
  --help             this text
`;

/** The flags, or the usage on stderr and exit 2 when they are wrong (exit 0 for --help). */
function flags() {
  const wrong = (what: string): never => {
    process.stderr.write(`error: ${what}\n\n${USAGE}`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'string', default: 'bench-results.json' },
        only: { type: 'string' },
        moonshot: { type: 'boolean', default: false },
        speed: { type: 'string' },
        nodes: { type: 'string' },
        'stored-pods': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    return wrong(err instanceof Error ? err.message : String(err));
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const unknown = parsed.only?.split(',').filter((s) => !SECTIONS.includes(s)) ?? [];
  if (unknown.length > 0) wrong(`unknown --only section(s): ${unknown.join(', ')}`);
  for (const name of ['nodes', 'stored-pods'] as const) {
    const text = parsed[name];
    if (text !== undefined && !/^[1-9][0-9_]*(,[1-9][0-9_]*)*$/.test(text))
      wrong(`invalid --${name} "${text}": positive integers separated by commas`);
  }
  if (parsed.speed !== undefined && !(Number(parsed.speed) > 0))
    wrong(`invalid --speed "${parsed.speed}": a positive number`);
  return parsed;
}
const opts = flags();
const quick = opts.quick!;
const only = opts.only ? new Set(opts.only.split(',')) : undefined;
// The controller manager's --speed: 0.1 runs the simulated pod lifecycle ten times faster (Pending 50 ms, Running
// 100-200 ms later, 200 ms to stop), so that the cluster figures measure the emulator, not its simulated durations: at
// speed 1 a rolling update of 1,000 pods with maxUnavailable 10 % waits at least 10 × (2 s to stop + 0.5 s + up to
// 2 s to start) = 45 s. Heartbeats (Lease renewals, node status) are not scaled by the speed.
const speed = Number(opts.speed ?? 0.1);
const runs = (section: string) => !only || only.has(section);
const counts = (text: string | undefined) => text?.split(',').map((n) => Number(n.replace(/_/g, '')));

/** Scale of every figure: full runs the goals' sizes, quick a small version of each. */
const N = quick
  ? {
      starts: 1,
      serverStarts: 2,
      storedPods: [1_000],
      creates: 1_000,
      gets: 2_000,
      lists: 5,
      selectiveLists: 15,
      latencyWatchers: 20,
      latencyRate: 200,
      latencySeconds: 2,
      fanOutWatchers: 100,
      fanOutUpdates: 50,
      levelObjects: 5_000,
      etcdObjects: 2_000,
      storageCreates: 1_000,
      clusters: [100],
    }
  : {
      starts: 3,
      serverStarts: 5,
      storedPods: [10_000, 100_000],
      creates: 10_000,
      gets: 20_000,
      lists: 30,
      // a selective LIST takes well under a millisecond: 1,000 of them make a p99 that is not the slowest of a few
      selectiveLists: 1_000,
      latencyWatchers: 100,
      latencyRate: 1_000,
      latencySeconds: 5,
      fanOutWatchers: 1_000,
      fanOutUpdates: 200,
      levelObjects: 50_000,
      etcdObjects: 10_000,
      storageCreates: 5_000,
      clusters: [1_000, 5_000],
    };
if (opts.nodes) N.clusters = counts(opts.nodes)!;
if (opts['stored-pods']) N.storedPods = counts(opts['stored-pods'])!;

interface Row {
  figure: string;
  value: number;
  unit: string;
  /** The goal: the value must be below (`<`) or at least (`>=`) `goal`. */
  op?: '<' | '<=' | '>=';
  goal?: number;
  note?: string;
}

const rows: Row[] = [];
function row(r: Row) {
  rows.push(r);
  process.stderr.write(`  ${r.figure}: ${fmt(r.value, r.unit)}${r.note ? ` (${r.note})` : ''}\n`);
}

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return 'n/a';
  if (unit === 'B') return v >= 1 << 20 ? `${(v / (1 << 20)).toFixed(0)} MB` : `${(v / 1024).toFixed(1)} KB`;
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`;
  if (unit === '/s') return `${Math.round(v).toLocaleString('en-US')}/s`;
  if (unit === '%') return `${v.toFixed(0)} %`;
  return `${v} ${unit}`;
}

function verdict(r: Row): string {
  if (r.goal === undefined || r.op === undefined) return '';
  if (!Number.isFinite(r.value)) return 'not measured';
  const met = r.op === '<' ? r.value < r.goal : r.op === '<=' ? r.value <= r.goal : r.value >= r.goal;
  return met ? 'met' : 'missed';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function section(name: string, fn: () => Promise<void>) {
  if (!runs(name)) return;
  process.stderr.write(`${name}...\n`);
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`  ${name} failed: ${(err as Error).stack ?? err}\n`);
    rows.push({ figure: `${name}: failed`, value: Number.NaN, unit: '', note: (err as Error).message.slice(0, 120) });
    process.exitCode = 1;
  }
}

async function main() {
  let fastifyGets = Number.NaN;
  let levelCeiling = Number.NaN;

  await section('ceilings', async () => {
    const f = await bareFastifyCeiling(N.gets, 16);
    fastifyGets = f.perSecond;
    row({
      figure: 'ceiling: bare Fastify GET (16 clients)',
      value: f.perSecond,
      unit: '/s',
      note: `p99 ${f.p99.toFixed(2)} ms`,
    });
    levelCeiling = await levelBatchCeiling(N.levelObjects);
    row({ figure: 'ceiling: LevelDB synced batches of 100', value: levelCeiling, unit: '/s' });
    if (etcdMissing) row({ figure: 'ceiling: etcd', value: Number.NaN, unit: '/s', note: etcdMissing });
    else {
      const etcd = await startEtcd();
      try {
        const perSecond = await etcdTxnCeiling(etcd.url, N.etcdObjects, 64);
        row({ figure: 'ceiling: etcd create transactions (64 clients)', value: perSecond, unit: '/s' });
      } finally {
        await etcd.stop();
      }
    }
  });

  await section('start', async () => {
    const viaNpm: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < N.starts; i++) {
      viaNpm.push(await startToNodesReady(true));
      direct.push(await startToNodesReady(false));
    }
    row({
      figure: '`npm start -- --nodes 3` to 3 nodes Ready',
      value: median(viaNpm),
      unit: 'ms',
      op: '<',
      goal: 1000,
    });
    row({ figure: 'launcher (no npm) to 3 nodes Ready', value: median(direct), unit: 'ms' });
    // The server as the launcher starts it; where NODE_EXTRA_CA_CERTS is set, also as one started by hand has it
    // (Node 20 loads those certificates at every start: cli/child-env.ts), the two interleaved.
    const empty: Array<{ ms: number; cpuMs: number }> = [];
    const withExtraCa: Array<{ ms: number; cpuMs: number }> = [];
    const extraCa = process.env[EXTRA_CA_CERTS];
    for (let i = 0; i < N.serverStarts; i++) {
      empty.push(await serverStartToReady());
      if (extraCa) withExtraCa.push(await serverStartToReady(undefined, true));
    }
    row({
      figure: 'API server start to ready, empty',
      value: median(empty.map((s) => s.ms)),
      unit: 'ms',
      op: '<',
      goal: 300,
    });
    row({ figure: 'API server CPU time to ready, empty', value: median(empty.map((s) => s.cpuMs)), unit: 'ms' });
    if (extraCa)
      row({
        figure: 'API server start to ready, empty, with NODE_EXTRA_CA_CERTS',
        value: median(withExtraCa.map((s) => s.ms)),
        unit: 'ms',
        note: `as started by hand here: ${extraCa}; CPU ${fmt(median(withExtraCa.map((s) => s.cpuMs)), 'ms')}`,
      });
    for (const pods of N.storedPods) {
      const store = await storeWithPods(pods);
      try {
        const times: number[] = [];
        for (let i = 0; i < Math.min(3, N.serverStarts); i++) times.push((await serverStartToReady(store.path)).ms);
        const goal = pods >= 100_000 ? 5000 : pods >= 10_000 ? 1000 : undefined;
        row({
          figure: `API server start to ready, ${pods.toLocaleString('en-US')} pods stored`,
          value: median(times),
          unit: 'ms',
          ...(goal ? { op: '<' as const, goal } : {}),
        });
      } finally {
        store.remove();
      }
    }
  });

  await section('api', async () => {
    const server = await startApiServer();
    try {
      await sleep(500);
      const idleRss = server.child.rss;
      row({ figure: 'RSS of the API server, idle', value: idleRss, unit: 'B', op: '<', goal: 100 << 20 });
      const c = await measureCreates(server, 'bench', N.creates, 64, 10);
      row({
        figure: 'pod creates over HTTP (64 clients, durable, 10 watchers)',
        value: c.perSecond,
        unit: '/s',
        op: '>=',
        goal: 5000,
        note: `p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms`,
      });
      if (Number.isFinite(levelCeiling))
        row({
          figure: 'pod creates, share of the LevelDB ceiling',
          value: (c.perSecond / levelCeiling) * 100,
          unit: '%',
          op: '>=',
          goal: 10,
        });
      await sleep(1000);
      row({
        figure: 'RSS per stored pod (API server)',
        value: (server.child.rss - idleRss) / N.creates,
        unit: 'B',
        op: '<=',
        goal: 10 * 1024,
      });
      const g = await measureGet(server, '/api/v1/namespaces/bench/pods/p-0', N.gets, 16);
      row({
        figure: 'GET one object (16 clients)',
        value: g.perSecond,
        unit: '/s',
        note: `p99 ${g.p99.toFixed(2)} ms`,
      });
      if (Number.isFinite(fastifyGets))
        row({
          figure: 'GET one object, share of bare Fastify',
          value: (g.perSecond / fastifyGets) * 100,
          unit: '%',
          op: '>=',
          goal: 30,
        });
      const list = await measureList(server, '/api/v1/namespaces/bench/pods', N.lists);
      row({
        figure: `LIST ${N.creates.toLocaleString('en-US')} pods (JSON), p99`,
        value: list.p99,
        unit: 'ms',
        op: '<',
        goal: 50,
        note: `p50 ${list.p50.toFixed(1)} ms`,
      });
      const sel = await measureList(
        server,
        '/api/v1/namespaces/bench/pods?labelSelector=group%3Dg-7',
        N.selectiveLists,
      );
      row({
        figure: `selective LIST by label in ${N.creates.toLocaleString('en-US')}, p99`,
        value: sel.p99,
        unit: 'ms',
        op: '<',
        goal: 5,
        note: `p50 ${sel.p50.toFixed(2)} ms`,
      });
      const w = await measureWatchLatency(server, 'latency', N.latencyWatchers, N.latencyRate, N.latencySeconds);
      row({
        figure: `watch latency, ${N.latencyWatchers} watchers at ${N.latencyRate} events/s, p99`,
        value: w.p99,
        unit: 'ms',
        op: '<',
        goal: 10,
        note: `p50 ${w.p50.toFixed(2)} ms, ${w.events} deliveries; the PATCHes' own p50 ${w.writes.p50.toFixed(2)} ms, p99 ${w.writes.p99.toFixed(1)} ms`,
      });
      const f = await measureFanOut(server, 'fanout', N.fanOutWatchers, N.fanOutUpdates);
      row({
        figure: `watch fan-out, ${N.fanOutWatchers} watchers`,
        value: f,
        unit: '/s',
        op: '>=',
        goal: 100_000,
      });
    } finally {
      await server.stop();
    }
  });

  // The same workload on each store, side by side: creates while watchers follow, then lists of what was created.
  await section('storage', async () => {
    const stores: [string, () => Promise<{ args: string[]; stop(): Promise<void> }>][] = [
      ['LevelDB', async () => ({ args: [], stop: async () => {} })],
    ];
    if (etcdMissing) row({ figure: 'storage: etcd', value: Number.NaN, unit: '', note: etcdMissing });
    else
      stores.push([
        'etcd',
        async () => {
          const etcd = await startEtcd();
          return { args: ['--storage', 'etcd', '--etcd-servers', etcd.url], stop: () => etcd.stop() };
        },
      ]);
    for (const [name, open] of stores) {
      const store = await open();
      try {
        const server = await startApiServer({ extraArgs: store.args });
        try {
          const c = await measureCreates(server, 'bench', N.storageCreates, 64, 10);
          row({
            figure: `${name}: pod creates (64 clients, 10 watchers)`,
            value: c.perSecond,
            unit: '/s',
            note: `p50 ${c.p50.toFixed(1)} ms, p99 ${c.p99.toFixed(1)} ms`,
          });
          const list = await measureList(server, '/api/v1/namespaces/bench/pods', N.lists);
          row({
            figure: `${name}: LIST ${N.storageCreates.toLocaleString('en-US')} pods, p50`,
            value: list.p50,
            unit: 'ms',
            note: `p99 ${list.p99.toFixed(1)} ms`,
          });
          const w = await measureWatchLatency(server, 'latency', 20, N.latencyRate / 5, N.latencySeconds);
          row({
            figure: `${name}: watch latency, 20 watchers at ${N.latencyRate / 5} events/s, p99`,
            value: w.p99,
            unit: 'ms',
          });
        } finally {
          await server.stop();
        }
      } finally {
        await store.stop();
      }
    }
  });

  await section('cluster', async () => {
    const sizes = opts.moonshot ? [...N.clusters, 100_000] : N.clusters;
    for (const nodes of sizes) {
      const goals =
        nodes >= 100_000
          ? { nodes: 60_000, ds: 60_000, roll: undefined }
          : nodes >= 5000
            ? { nodes: 10_000, ds: 15_000, roll: 30_000 }
            : nodes >= 1000
              ? { nodes: 2000, ds: 3000, roll: 10_000 }
              : { nodes: undefined, ds: undefined, roll: undefined };
      const n = nodes.toLocaleString('en-US');
      const moonshot = nodes >= 100_000;
      const r = await measureCluster(nodes, speed, moonshot ? 1_200_000 : 300_000, { rollingUpdate: !moonshot });
      const goal = (g: number | undefined, op: '<' | '<=') => (g === undefined ? {} : { op, goal: g });
      row({ figure: `${n} nodes registered and Ready`, value: r.nodesReadyMs, unit: 'ms', ...goal(goals.nodes, '<') });
      row({
        figure: `DaemonSet all pods Ready on ${n} nodes`,
        value: r.daemonSetReadyMs,
        unit: 'ms',
        ...goal(goals.ds, '<='),
      });
      if (r.rollingUpdateMs !== undefined)
        row({
          figure: `rolling update (maxUnavailable 10 %) on ${n} nodes`,
          value: r.rollingUpdateMs,
          unit: 'ms',
          ...goal(goals.roll, '<='),
        });
      row({
        figure: `RSS per cached pod (controller manager), ${n} nodes`,
        value: r.managerBytesPerPod,
        unit: 'B',
        op: '<=',
        goal: 5 * 1024,
      });
      row({
        figure: `RSS of the API server / controller manager, ${n} nodes`,
        value: r.serverRssBytes,
        unit: 'B',
        note: `controller manager ${fmt(r.managerRssBytes, 'B')}`,
      });
    }
  });

  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const header = ['figure', 'measured', 'goal', ''];
  const lines = rows.map((r) => [
    r.figure,
    fmt(r.value, r.unit) + (r.note ? ` (${r.note})` : ''),
    r.goal === undefined ? '' : `${r.op} ${fmt(r.goal, r.unit)}`,
    verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const out = [header, widths.map((w) => '-'.repeat(w)), ...lines].map(
    (l) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`,
  );
  console.log(
    `\nkube-emulator bench${quick ? " (--quick: small scale, not the goals' measures)" : ''}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(`machine: ${machine}; controller manager --speed ${speed}\n`);
  console.log(out.join('\n'));
  writeFileSync(
    opts.json!,
    `${JSON.stringify({ date: new Date().toISOString(), machine, quick, speed, rows }, null, 2)}\n`,
  );
  console.log(`\n(JSON: ${opts.json})`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
