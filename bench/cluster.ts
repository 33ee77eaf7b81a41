/**
 * Cluster figures: the API server and the controller manager as child processes, N simulated nodes.
 *   - nodes registered and Ready (from the controller manager's start);
 *   - a DaemonSet all pods Ready on them;
 *   - a rolling update of it with maxUnavailable 10 %;
 *   - the resident memory of both processes, per pod.
 * Progress is followed through watches, never by polling lists of thousands of objects.
 */
import { performance } from 'node:perf_hooks';
import { type ApiServer, rssOf, sleep, startApiServer, startControllerManager } from './harness.js';

export interface ClusterResult {
  nodes: number;
  nodesReadyMs: number;
  daemonSetReadyMs: number;
  rollingUpdateMs: number;
  serverRssBytes: number;
  managerRssBytes: number;
  /** Controller-manager RSS once the pods exist, minus its RSS with the nodes alone, per pod. */
  managerBytesPerPod: number;
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

/** Runs every cluster figure for `nodes` simulated nodes; `speed` is the controller manager's --speed. */
export async function measureCluster(nodes: number, speed: number, timeoutMs: number): Promise<ClusterResult> {
  const server = await startApiServer({ withServiceAccounts: true });
  let manager: ReturnType<typeof startControllerManager> | undefined;
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
        return ready.size >= nodes;
      },
      timeoutMs,
    );
    manager = startControllerManager(server, ['--nodes', String(nodes), '--speed', String(speed)]);
    await nodesReady;
    const nodesReadyMs = performance.now() - t0;
    await sleep(500);
    const managerNodesOnly = manager.rss;

    // a DaemonSet on every node
    const t1 = performance.now();
    const dsPath = '/apis/apps/v1/namespaces/default/daemonsets';
    const allReady = (image: string, minGeneration: number) => (ev: { object: any }) => {
      const st = (ev.object?.status ?? {}) as DaemonSetStatus;
      const gen = ev.object?.metadata?.generation ?? 0;
      const img = ev.object?.spec?.template?.spec?.containers?.[0]?.image;
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
    await sleep(500);
    const managerWithPods = manager.rss;

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
    const rollingUpdateMs = performance.now() - t2;

    return {
      nodes,
      nodesReadyMs,
      daemonSetReadyMs,
      rollingUpdateMs,
      serverRssBytes: rssOf(server.child.pid),
      managerRssBytes: manager.rss,
      managerBytesPerPod: Math.max(0, managerWithPods - managerNodesOnly) / nodes,
    };
  } finally {
    await manager?.stop();
    await server.stop();
  }
}
