/**
 * Cluster figures: the API server and the controller manager as child processes, N simulated nodes.
 *   - nodes registered and Ready (from the controller manager's start);
 *   - a DaemonSet all pods Ready on them;
 *   - a rolling update of it with maxUnavailable 10 %;
 *   - the resident memory of both processes, per pod.
 * Progress is followed through watches, never by polling lists of thousands of objects.
 * Knobs (environment): BENCH_CLUSTER_PHASES=1 prints each phase's cost (with its end on the monotonic clock, in µs,
 * the clock of `--cpu-prof` profiles); BENCH_SERVER_NODE_ARGS / BENCH_MANAGER_NODE_ARGS are node flags of the API
 * server's / controller manager's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { heapArgsFor, serverHeapArgsFor, serverStorageArgsFor } from '../cli/cluster-size.js';
import { type ApiServer, freePort, rssOf, sleep, startApiServer, startControllerManager } from './harness.js';

export interface ClusterResult {
  nodes: number;
  nodesReadyMs: number;
  daemonSetReadyMs: number;
  /** Absent when the run left the rolling update out. */
  rollingUpdateMs: number | undefined;
  serverRssBytes: number;
  managerRssBytes: number;
  /** Controller-manager RSS once the pods exist, minus its RSS with the nodes alone, per pod. */
  managerBytesPerPod: number;
  /** What each phase cost: requests served, CPU seconds of each process, the load average at its end. */
  phases: PhaseCost[];
}

/** The cost of one phase of the cluster figures. */
export interface PhaseCost {
  phase: string;
  ms: number;
  /** Requests the API server counted (`apiserver_request_total`), in all and by `verb resource[/subresource]`. */
  requests: number;
  byRequest: Record<string, number>;
  serverCpuS: number;
  managerCpuS: number;
  /** The 1-minute load average when the phase ended. */
  load: number;
}

/** CPU seconds (user + system) a process has used, from /proc; NaN elsewhere. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime (fields 14, 15) in clock ticks
  } catch {
    return Number.NaN;
  }
}

/** The server's `apiserver_request_total` summed by `verb resource[/subresource]`. */
async function requestCounts(server: ApiServer): Promise<Map<string, number>> {
  const r = await server.http.send('GET', '/metrics', undefined, { accept: 'text/plain' });
  const out = new Map<string, number>();
  for (const line of r.body.toString().split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!] as [string, string]),
    );
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** Follows the cost of the phases: `mark(name)` closes the phase begun at the previous mark. */
class PhaseMeter {
  readonly phases: PhaseCost[] = [];
  private t = performance.now();
  private counts = new Map<string, number>();
  private server = 0;
  private manager = 0;
  /** The controller manager's /metrics (its heap figures are printed with each phase). */
  managerMetrics?: string;

  constructor(
    private readonly api: ApiServer,
    private readonly managerPid: () => number | undefined,
  ) {}

  /** Starts the first phase now. */
  async begin(): Promise<void> {
    this.counts = await requestCounts(this.api);
    this.server = cpuSecondsOf(this.api.child.pid);
    this.manager = cpuSecondsOf(this.managerPid()) || 0;
    this.t = performance.now();
  }

  /** Closes the phase begun at the previous mark. */
  async mark(phase: string): Promise<void> {
    const { cost, counts, server, manager } = await this.measure(phase);
    this.phases.push(cost);
    this.counts = counts;
    this.server = server;
    this.manager = manager;
    this.t = performance.now();
  }

  /**
   * With BENCH_CLUSTER_PHASES, prints what the phase has cost so far (`note`: where it stands), without closing it:
   * a long phase (the moonshot's) shows where it goes while it runs, and what it did when it times out.
   */
  async progress(note: string): Promise<void> {
    if (process.env.BENCH_CLUSTER_PHASES) await this.measure(`(running) ${note}`);
  }

  private async measure(phase: string) {
    const ms = performance.now() - this.t;
    const counts = await requestCounts(this.api);
    const server = cpuSecondsOf(this.api.child.pid);
    const manager = cpuSecondsOf(this.managerPid());
    const byRequest: Record<string, number> = {};
    let requests = 0;
    for (const [k, v] of counts) {
      const d = v - (this.counts.get(k) ?? 0);
      if (d > 0 && !k.endsWith(' metrics')) {
        byRequest[k] = d;
        requests += d;
      }
    }
    const cost: PhaseCost = {
      phase,
      ms,
      requests,
      byRequest,
      serverCpuS: server - this.server,
      managerCpuS: manager - this.manager,
      load: loadavg()[0]!,
    };
    if (process.env.BENCH_CLUSTER_PHASES)
      process.stderr.write(
        `cluster phase ${phase}: ${Math.round(ms)} ms, ${requests} requests, server ${cost.serverCpuS.toFixed(2)} s / manager ${cost.managerCpuS.toFixed(2)} s CPU, load ${cost.load.toFixed(1)}, ends at ${process.hrtime.bigint() / 1000n} µs\n  ${JSON.stringify(byRequest)}\n`,
      );
    if (process.env.BENCH_CLUSTER_PHASES && this.managerMetrics) {
      try {
        const text = await (await fetch(this.managerMetrics)).text();
        const pick = (name: string) => {
          const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
          return m ? `${(Number(m[1]) / 2 ** 20).toFixed(1)} MB` : '?';
        };
        process.stderr.write(
          `  manager: RSS ${pick('process_resident_memory_bytes')}, heap used ${pick('nodejs_heap_size_used_bytes')} of ${pick('nodejs_heap_size_total_bytes')}, external ${pick('nodejs_external_memory_bytes')}\n`,
        );
        // V8's spaces, as committed: where the heap's RSS is (new space, old space, code, large objects)
        const spaces = [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)$/gm)];
        if (spaces.length > 0)
          process.stderr.write(
            `  manager spaces: ${spaces.map((m) => `${m[1]} ${(Number(m[2]) / 2 ** 20).toFixed(1)}`).join(', ')} MB\n`,
          );
      } catch {
        // no metrics: nothing printed
      }
    }
    return { cost, counts, server, manager };
  }
}

interface DaemonSetStatus {
  desiredNumberScheduled?: number;
  numberReady?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  observedGeneration?: number;
}

/** Resolves when `predicate` holds for a line of the watch at `path` (or for the list that starts it). */
async function watchUntil(
  server: ApiServer,
  path: string,
  predicate: (ev: { type: string; object: any }) => boolean,
  timeoutMs: number,
): Promise<void> {
  let done!: () => void;
  let fail!: (e: Error) => void;
  const reached = new Promise<void>((res, rej) => {
    done = res;
    fail = rej;
  });
  const sep = path.includes('?') ? '&' : '?';
  const w = await server.http.watch(`${path}${sep}watch=true&allowWatchBookmarks=false`, (line) => {
    try {
      if (predicate(JSON.parse(line))) done();
    } catch (err) {
      fail(err as Error);
    }
  });
  const timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms watching ${path}`)), timeoutMs);
  try {
    await reached;
  } finally {
    clearTimeout(timer);
    w.close();
  }
}

function daemonSet(image: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'bench-ds' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { app: 'bench-ds' } },
        spec: { containers: [{ name: 'agent', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      },
    },
  };
}

/**
 * Runs the cluster figures for `nodes` simulated nodes; `speed` is the controller manager's --speed. Without
 * `rollingUpdate` it stops once the DaemonSet is Ready (the moonshot's goal names nothing after that, and at its
 * size the rolling update alone would take several times the rest).
 */
export async function measureCluster(
  nodes: number,
  speed: number,
  timeoutMs: number,
  { rollingUpdate = true }: { rollingUpdate?: boolean } = {},
): Promise<ClusterResult> {
  // the launcher's heap and store for a cluster of this size, unless the environment names the node flags
  const server = await startApiServer({
    withServiceAccounts: true,
    nodeArgs: process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? serverHeapArgsFor(nodes),
    extraArgs: serverStorageArgsFor(nodes),
  });
  let manager: ReturnType<typeof startControllerManager> | undefined;
  const meter = new PhaseMeter(server, () => manager?.pid);
  // where the current phase stands, printed with its cost every minute (and when it fails) with BENCH_CLUSTER_PHASES
  let standing = 'starting';
  const ticker = setInterval(() => void meter.progress(standing).catch(() => {}), 60_000);
  try {
    // nodes: count the Ready ones through a watch that starts before the controller manager
    const ready = new Set<string>();
    const t0 = performance.now();
    const nodesReady = watchUntil(
      server,
      '/api/v1/nodes?resourceVersion=0',
      (ev) => {
        const name = ev.object?.metadata?.name as string;
        const isReady = (ev.object?.status?.conditions ?? []).some(
          (c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True',
        );
        if (ev.type !== 'DELETED' && isReady) ready.add(name);
        else ready.delete(name);
        standing = `${ready.size} of ${nodes} nodes Ready`;
        return ready.size >= nodes;
      },
      timeoutMs,
    );
    await meter.begin();
    const metricsPort = await freePort();
    manager = startControllerManager(
      server,
      ['--nodes', String(nodes), '--speed', String(speed), '--metrics-port', String(metricsPort)],
      // V8 flags of the controller manager's process, to compare (e.g. `--max-semi-space-size=2`)
      process.env.BENCH_MANAGER_NODE_ARGS?.split(' ').filter(Boolean) ?? heapArgsFor(nodes),
    );
    meter.managerMetrics = `http://127.0.0.1:${metricsPort}/metrics`;
    await nodesReady;
    const nodesReadyMs = performance.now() - t0;
    await meter.mark('nodes Ready');
    await sleep(500);
    const managerNodesOnly = manager.rss;
    await meter.begin();

    // a DaemonSet on every node
    const t1 = performance.now();
    const dsPath = '/apis/apps/v1/namespaces/default/daemonsets';
    const allReady = (image: string, minGeneration: number) => (ev: { object: any }) => {
      const st = (ev.object?.status ?? {}) as DaemonSetStatus;
      const gen = ev.object?.metadata?.generation ?? 0;
      const img = ev.object?.spec?.template?.spec?.containers?.[0]?.image;
      standing = `DaemonSet ${img}: ${st.numberReady ?? 0} Ready, ${st.updatedNumberScheduled ?? 0} updated of ${nodes}`;
      return (
        img === image &&
        gen >= minGeneration &&
        (st.observedGeneration ?? 0) >= gen &&
        st.desiredNumberScheduled === nodes &&
        st.updatedNumberScheduled === nodes &&
        st.numberReady === nodes &&
        st.numberAvailable === nodes
      );
    };
    const dsWatch = watchUntil(
      server,
      `${dsPath}?fieldSelector=metadata.name%3Dbench`,
      allReady('bench:1', 1),
      timeoutMs,
    );
    await server.http.json('POST', dsPath, daemonSet('bench:1'));
    await dsWatch;
    const daemonSetReadyMs = performance.now() - t1;
    await meter.mark('DaemonSet Ready');
    await sleep(500);
    const managerWithPods = manager.rss;
    await meter.begin();

    let rollingUpdateMs: number | undefined;
    if (rollingUpdate) {
      // a rolling update, maxUnavailable 10 %
      const t2 = performance.now();
      const rolled = watchUntil(
        server,
        `${dsPath}?fieldSelector=metadata.name%3Dbench`,
        allReady('bench:2', 2),
        timeoutMs,
      );
      await server.http.json(
        'PATCH',
        `${dsPath}/bench`,
        { spec: { template: { spec: { containers: [{ name: 'agent', image: 'bench:2' }] } } } },
        { 'content-type': 'application/strategic-merge-patch+json' },
      );
      await rolled;
      rollingUpdateMs = performance.now() - t2;
      await meter.mark('rolling update');
    }

    return {
      nodes,
      nodesReadyMs,
      daemonSetReadyMs,
      rollingUpdateMs,
      serverRssBytes: rssOf(server.child.pid),
      managerRssBytes: manager.rss,
      managerBytesPerPod: Math.max(0, managerWithPods - managerNodesOnly) / nodes,
      phases: meter.phases,
    };
  } catch (err) {
    await meter.progress(`${standing} when it failed`).catch(() => {});
    throw err;
  } finally {
    clearInterval(ticker);
    await manager?.stop();
    await server.stop();
  }
}
