#!/usr/bin/env node
/**
 * What the controller manager keeps per pod: heap snapshots of its process (taken by V8 after a full collection,
 * `--heapsnapshot-signal`) with `--nodes` simulated nodes alone and once their DaemonSet is Ready, as in
 * `npm run bench`'s cluster figures, and the difference per pod: in all, by V8's node type and name, and by the
 * nearest retainer that is not a plain object, array, string or closure (`Class.member`, or `(scope) variable` for
 * a closure's or a module's variable). Live bytes, not RSS: the bench's figure is RSS, which also holds the garbage
 * V8 has not collected yet.
 *
 *   node scripts/profile-manager-heap.mjs [--nodes 1000] [--dist A/dist,B/dist] [--top 25] [--keep DIR]
 *
 * Several `--dist` builds (each a built `dist/` beside its `node_modules`) run one after the other. `--keep DIR`
 * leaves the snapshots there (they are removed otherwise).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    dist: { type: 'string' },
    top: { type: 'string', default: '25' },
    keep: { type: 'string' },
  },
});
const NODES = Number(opts.nodes);
const TOP = Number(opts.top);
const builds = (opts.dist ?? new URL('../dist', import.meta.url).pathname).split(',').map((d) => resolve(d));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The snapshot files in `dir`, oldest first. */
const snapshots = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .sort()
    .map((f) => join(dir, f));

/** Signals `pid` to write a snapshot into `dir` (its working directory) and waits until the file is complete. */
async function snapshot(pid, dir) {
  const before = snapshots(dir).length;
  process.kill(pid, 'SIGUSR2');
  while (snapshots(dir).length <= before) await sleep(200);
  const file = snapshots(dir).at(-1);
  for (let last = -1; ; ) {
    await sleep(1500);
    const size = statSync(file).size;
    if (size > 0 && size === last) return file;
    last = size;
  }
}

const DAEMONSET = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'heap', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'heap' } },
    template: {
      metadata: { labels: { app: 'heap' } },
      spec: { containers: [{ name: 'agent', image: 'agent:1', resources: { requests: { cpu: '10m' } } }] },
    },
  },
};

/** Takes the two snapshots with the build in `dist`; returns their files. */
async function run(dist, dir) {
  const { startApiServer, startControllerManager } = await import(join(dist, 'bench', 'harness.js'));
  const server = await startApiServer({ withServiceAccounts: true });
  const cwd = process.cwd();
  process.chdir(dir); // the manager writes its snapshots into its working directory, which it takes from here
  let manager;
  try {
    manager = startControllerManager(
      server,
      ['--nodes', String(NODES), '--speed', '0.1'],
      ['--heapsnapshot-signal=SIGUSR2'],
    );
  } catch (err) {
    await server.stop();
    throw err;
  } finally {
    process.chdir(cwd);
  }
  try {
    const ready = (n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    while ((await server.http.json('GET', '/api/v1/nodes')).items.filter(ready).length < NODES) await sleep(250);
    await sleep(500);
    const nodesOnly = await snapshot(manager.pid, dir);
    await server.http.json('POST', '/apis/apps/v1/namespaces/default/daemonsets', DAEMONSET);
    for (;;) {
      const st = (await server.http.json('GET', '/apis/apps/v1/namespaces/default/daemonsets/heap')).status ?? {};
      if (st.numberReady === NODES && st.numberAvailable === NODES) break;
      await sleep(200);
    }
    await sleep(500);
    return [nodesOnly, await snapshot(manager.pid, dir)];
  } finally {
    await manager.stop();
    await server.stop();
  }
}

/** Types whose nodes are parts of something else: a node's bytes go to its nearest retainer of another type. */
const PARTS = new Set([
  'Object',
  'Array',
  'array',
  'hidden',
  'string',
  'concatenated string',
  'sliced string',
  'number',
  'closure',
  'synthetic',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'code',
  'object shape',
]);

/** Bytes of a snapshot by `type|name` and by owner (nearest retainer outside PARTS, by shortest path from root). */
function summarize(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const m = s.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const [types] = m.node_types;
  const [edgeTypes] = m.edge_types;
  const [iT, iN, iS, iE] = ['type', 'name', 'self_size', 'edge_count'].map((f) => m.node_fields.indexOf(f));
  const [eT, eN, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => m.edge_fields.indexOf(f));
  const count = s.nodes.length / nf;
  const firstEdge = new Uint32Array(count);
  for (let n = 0, e = 0; n < count; n++) {
    firstEdge[n] = e;
    e += s.nodes[n * nf + iE] * ef;
  }
  const name = (n) => {
    const t = types[s.nodes[n * nf + iT]];
    return t === 'object' ? s.strings[s.nodes[n * nf + iN]] : t;
  };
  // shortest retainer paths from the root (weak edges do not retain)
  const retainer = new Int32Array(count).fill(-1);
  const edgeName = new Array(count);
  const queue = [0];
  retainer[0] = 0;
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q];
    for (let e = firstEdge[n], end = e + s.nodes[n * nf + iE] * ef; e < end; e += ef) {
      const et = edgeTypes[s.edges[e + eT]];
      if (et === 'weak' || et === 'shortcut') continue;
      const to = s.edges[e + eTo] / nf;
      if (retainer[to] !== -1) continue;
      retainer[to] = n;
      edgeName[to] = et === 'element' || et === 'hidden' ? '[]' : s.strings[s.edges[e + eN]];
      queue.push(to);
    }
  }
  const byType = new Map();
  const byOwner = new Map();
  let total = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  for (let n = 1; n < count; n++) {
    const bytes = s.nodes[n * nf + iS];
    total += bytes;
    const t = types[s.nodes[n * nf + iT]];
    add(byType, t === 'object' || t === 'closure' ? `${t} ${s.strings[s.nodes[n * nf + iN]]}` : t, bytes);
    let owner = retainer[n] === -1 ? '(not retained)' : '(root)';
    for (let x = n, depth = 0; retainer[n] !== -1 && x !== 0 && depth < 64; depth++) {
      const edge = edgeName[x];
      x = retainer[x];
      // what compiled code holds (a script's source, its bytecode) is the code's, whichever closure's function
      // the shortest path happens to pass (the bundle's source, ~1 MB, was once a signal listener's)
      if (name(x) === 'code') {
        owner = '(compiled code)';
        break;
      }
      if (!PARTS.has(name(x))) {
        // a closure's scope is named by the variable that holds the value (a module's own variables are one)
        owner = name(x) === 'system / Context' ? `(scope) ${edge}` : `${name(x)}.${edge}`;
        break;
      }
    }
    add(byOwner, owner, bytes);
  }
  return { total, byType, byOwner };
}

function printDiff(title, a, b) {
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((k) => [k, (b.get(k) ?? 0) - (a.get(k) ?? 0)]).sort((x, y) => y[1] - x[1]);
  console.log(`  ${title} (bytes a pod):`);
  for (const [k, d] of rows.slice(0, TOP)) console.log(`${(d / NODES).toFixed(0).padStart(8)}  ${k}`);
}

for (const dist of builds) {
  const dir = opts.keep ? resolve(opts.keep) : mkdtempSync(join(tmpdir(), 'manager-heap-'));
  mkdirSync(dir, { recursive: true });
  try {
    const [before, after] = await run(dist, dir);
    const a = summarize(before);
    const b = summarize(after);
    console.log(`${dist}: ${NODES} nodes, the DaemonSet's pods`);
    console.log(`  live heap ${(a.total / 2 ** 20).toFixed(1)} → ${(b.total / 2 ** 20).toFixed(1)} MB`);
    console.log(`  growth ${((b.total - a.total) / NODES).toFixed(0)} bytes a pod`);
    printDiff('by type', a.byType, b.byType);
    printDiff('by nearest retainer', a.byOwner, b.byOwner);
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
