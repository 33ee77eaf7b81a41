/**
 * The update cases of upstream's `[sig-apps] Daemon set` e2e suite (test/e2e/apps/daemon_set.go), against the
 * whole emulator (`npm start -- --nodes 3`: API server, DaemonSet controller, simulated kubelets) with plain
 * fetch: OnDelete does not update pods; RollingUpdate updates them all with at most maxUnavailable unavailable;
 * a rollback does not restart pods that never left the original template; maxSurge with maxUnavailable 0 keeps
 * every node served. Where upstream polls once a second, a watch checks the invariants at every pod change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imageOf, isAvailable, PodRecorder, unavailableNodes, type WatchedPod } from '../helpers/availability.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';

const DS_NAME = 'daemon-set';
const LABEL = 'daemonset-name';
const SELECTOR = `${LABEL}=${DS_NAME}`;
const IMAGE = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const NEW_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.52';
const HASH = 'controller-revision-hash';

type Obj = Record<string, any>;

describe('DaemonSet update e2e (daemon_set.go) against the emulator', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  let nodes: string[] = [];

  before(async () => {
    cluster = await startCluster({ nodes: 3, speed: 0.1 });
    nodes = ((await cluster.api('GET', '/api/v1/nodes')).body.items as Obj[])
      .map((n) => n.metadata.name as string)
      .sort();
    assert.equal(nodes.length, 3);
  });
  after(async () => {
    await cluster?.stop();
  });

  async function call(method: string, path: string, body?: unknown, contentType?: string): Promise<Obj> {
    const r = await cluster.api(method, path, body, contentType);
    assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Obj;
  }
  const dsPath = (ns: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets/${DS_NAME}`;

  /** A namespace and the e2e DaemonSet in it (one container `app`, port 9376), as upstream's newDaemonSet. */
  async function createDaemonSet(
    ns: string,
    spec: Obj = {},
    env?: Array<{ name: string; value: string }>,
  ): Promise<Obj> {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    const container: Obj = { name: 'app', image: IMAGE, ports: [{ containerPort: 9376 }] };
    if (env) container['env'] = env;
    return call('POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: DS_NAME },
      spec: {
        selector: { matchLabels: { [LABEL]: DS_NAME } },
        template: { metadata: { labels: { [LABEL]: DS_NAME } }, spec: { containers: [container] } },
        ...spec,
      },
    });
  }

  async function daemonPods(ns: string, ds: Obj): Promise<WatchedPod[]> {
    const list = await call('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(SELECTOR)}`);
    return (list['items'] as WatchedPod[]).filter((p) =>
      p.metadata.ownerReferences?.some((r) => r.controller && r.uid === ds['metadata'].uid),
    );
  }

  /** checkDaemonPodOnNodes (+ image): exactly one available, non-terminating pod per node; returns them by node. */
  async function runningOnAllNodes(
    ns: string,
    ds: Obj,
    opts: { image?: string; minReadySeconds?: number; timeoutMs?: number } = {},
  ): Promise<Map<string, WatchedPod>> {
    const byNode = await eventually(
      async () => {
        const live = (await daemonPods(ns, ds)).filter((p) => !p.metadata.deletionTimestamp);
        const now = Date.now();
        const ok =
          live.length === nodes.length &&
          live.every(
            (p) => isAvailable(p, opts.minReadySeconds ?? 0, now) && (!opts.image || imageOf(p) === opts.image),
          );
        const byNode = new Map(live.map((p) => [p.spec!.nodeName!, p]));
        return ok && byNode.size === nodes.length ? byNode : undefined;
      },
      {
        timeoutMs: opts.timeoutMs ?? 60_000,
        what: `one available pod${opts.image ? ` of ${opts.image}` : ''} on every node`,
      },
    );
    return byNode!;
  }

  /** waitForHistoryCreated + curHistory: exactly `n` revisions, one of which holds the current template. */
  async function history(ns: string, n: number): Promise<{ cur: Obj; all: Obj[] }> {
    const found = await eventually(
      async () => {
        const all = (
          await call(
            'GET',
            `/apis/apps/v1/namespaces/${ns}/controllerrevisions?labelSelector=${encodeURIComponent(SELECTOR)}`,
          )
        )['items'] as Obj[];
        if (all.length !== n) return undefined;
        const ds = await call('GET', dsPath(ns));
        const cur = all.filter((r) => {
          const { $patch, ...template } = r['data'].spec.template;
          return (
            $patch === 'replace' && JSON.stringify(sortKeys(template)) === JSON.stringify(sortKeys(ds['spec'].template))
          );
        });
        assert.ok(
          all.every((r) => r['metadata'].labels?.[HASH]),
          'every revision carries a hash label',
        );
        return cur.length === 1 ? { cur: cur[0]!, all } : undefined;
      },
      { timeoutMs: 30_000, what: `${n} revisions, one of them current` },
    );
    return found!;
  }

  /** Polls for `ms`, failing as soon as `check` throws (checkDaemonPodsImageAndAvailability's fail-fast). */
  async function holdsFor(ms: number, check: () => Promise<void>): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      await check();
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** A strategic-merge patch of the `app` container. */
  const patchApp = (ns: string, container: Obj) =>
    call(
      'PATCH',
      dsPath(ns),
      { spec: { template: { spec: { containers: [{ name: 'app', ...container }] } } } },
      'application/strategic-merge-patch+json',
    );

  /** GET + PUT of the image, retried on conflicts (upstream updateDaemonSetWithRetries). */
  async function setImage(ns: string, image: string): Promise<Obj> {
    for (let i = 0; ; i++) {
      const ds = await call('GET', dsPath(ns));
      ds['spec'].template.spec.containers[0].image = image;
      const r = await cluster.api('PUT', dsPath(ns), ds);
      if (r.status === 200) return r.body as Obj;
      assert.ok(r.status === 409 && i < 10, `PUT ${dsPath(ns)}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }

  /** Records the rollout: the largest number of nodes without an available pod seen at any pod change. */
  async function watchUnavailable(
    ns: string,
    minReadySeconds = 0,
  ): Promise<{ stop(): Promise<number>; log: string[] }> {
    let worst = 0;
    const log: string[] = [];
    const rec = await PodRecorder.start(cluster.url, ns, SELECTOR, (pods, at) => {
      const down = unavailableNodes(pods, nodes, minReadySeconds, at);
      if (down.length > worst) {
        worst = down.length;
        log.push(`${new Date(at).toISOString()} ${down.join(',')}`);
      }
    });
    return {
      log,
      async stop() {
        await rec.stop();
        return worst;
      },
    };
  }

  it('should not update pod when spec was updated and update strategy is OnDelete', async () => {
    const ns = 'e2e-ondelete';
    const ds = await createDaemonSet(ns, { updateStrategy: { type: 'OnDelete' } });
    await runningOnAllNodes(ns, ds);
    const first = await history(ns, 1);
    assert.equal(first.cur['revision'], 1);
    const hash1 = first.cur['metadata'].labels[HASH];
    for (const p of await daemonPods(ns, ds)) assert.equal(p.metadata.labels?.[HASH], hash1);

    await patchApp(ns, { image: NEW_IMAGE });
    const second = await history(ns, 2);
    assert.equal(second.cur['revision'], 2);
    assert.notEqual(second.cur['metadata'].labels[HASH], hash1);
    await holdsFor(2000, async () => {
      const pods = (await daemonPods(ns, ds)).filter((p) => !p.metadata.deletionTimestamp);
      assert.equal(pods.length, 3);
      for (const p of pods) {
        assert.equal(imageOf(p), IMAGE, 'OnDelete pods keep the old image');
        assert.ok(isAvailable(p, 0, Date.now()), `${p.metadata.name} stays available`);
        assert.equal(p.metadata.labels?.[HASH], hash1);
      }
    });
    await runningOnAllNodes(ns, ds, { image: IMAGE });
  });

  it('should update pod when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = 'e2e-rolling';
    const ds = await createDaemonSet(ns, { updateStrategy: { type: 'RollingUpdate' } });
    assert.equal(ds['spec'].updateStrategy.rollingUpdate.maxUnavailable, 1, 'apps/v1 defaults maxUnavailable to 1');
    await runningOnAllNodes(ns, ds);
    const first = await history(ns, 1);
    assert.equal(first.cur['revision'], 1);

    const rec = await watchUnavailable(ns);
    await patchApp(ns, { image: NEW_IMAGE });
    await runningOnAllNodes(ns, ds, { image: NEW_IMAGE, timeoutMs: 60_000 + nodes.length * 30_000 });
    const worst = await rec.stop();
    assert.ok(worst <= 1, `at most 1 node unavailable at any moment; saw ${worst}: ${rec.log.join('; ')}`);

    const second = await history(ns, 2);
    assert.equal(second.cur['revision'], 2);
    const hash2 = second.cur['metadata'].labels[HASH];
    for (const p of await daemonPods(ns, ds)) assert.equal(p.metadata.labels?.[HASH], hash2);
    // The controller counts the last pod only after its informer has seen it Ready, some milliseconds after this
    // test did: wait for the status instead of reading it once.
    await eventually(
      async () => {
        const st = (await call('GET', dsPath(ns)))['status'];
        assert.deepEqual([st.updatedNumberScheduled, st.numberAvailable, st.desiredNumberScheduled], [3, 3, 3]);
        return true;
      },
      { timeoutMs: 30_000, what: 'the status to count 3 updated and 3 available of 3 desired' },
    );
  });

  it('should rollback without unnecessary restarts', async () => {
    const ns = 'e2e-rollback';
    const ds = await createDaemonSet(ns, { updateStrategy: { type: 'RollingUpdate' } });
    await runningOnAllNodes(ns, ds);

    await setImage(ns, 'foo:non-existent');
    await eventually(async () => (await daemonPods(ns, ds)).some((p) => imageOf(p) === 'foo:non-existent'), {
      timeoutMs: 30_000,
      what: 'a pod of the new image',
    });
    const live = (await daemonPods(ns, ds)).filter((p) => !p.metadata.deletionTimestamp);
    const oldPods = live.filter((p) => imageOf(p) === IMAGE).map((p) => p.metadata.name);
    const newPods = live.filter((p) => imageOf(p) !== IMAGE);
    assert.ok(oldPods.length >= 1 && newPods.length >= 1, `old ${oldPods.length}, new ${newPods.length}`);
    assert.ok(
      newPods.every((p) => !isAvailable(p, 0, Date.now())),
      'foo:non-existent never gets Ready',
    );

    const rec = await watchUnavailable(ns);
    await setImage(ns, IMAGE);
    await runningOnAllNodes(ns, ds, { image: IMAGE });
    const worst = await rec.stop();
    assert.ok(worst <= 1, `at most 1 node unavailable; saw ${worst}: ${rec.log.join('; ')}`);
    const names = new Set((await daemonPods(ns, ds)).map((p) => p.metadata.name));
    for (const n of oldPods) assert.ok(names.has(n), `pod ${n} of the original template was not restarted`);
    const revs = await history(ns, 2);
    assert.equal(revs.cur['revision'], 3, 'the original revision is re-used and renumbered');
  });

  it('should surge pods onto nodes when spec was updated and update strategy is RollingUpdate', async () => {
    const ns = 'e2e-surge';
    const minReadySeconds = 2;
    const ds = await createDaemonSet(
      ns,
      {
        minReadySeconds,
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } },
      },
      [{ name: 'VERSION', value: '1' }],
    );
    await runningOnAllNodes(ns, ds, { minReadySeconds });
    const version = (p: WatchedPod) => p.spec?.containers?.[0]?.env?.find((e) => e.name === 'VERSION')?.value;

    const violations: string[] = [];
    let maxSurged = 0;
    const rec = await PodRecorder.start(cluster.url, ns, SELECTOR, (pods, at) => {
      const live = pods.filter((p) => !p.metadata.deletionTimestamp);
      const when = new Date(at).toISOString();
      const down = unavailableNodes(pods, nodes, minReadySeconds, at);
      if (down.length > 0) violations.push(`${when}: no available pod on ${down.join(',')} (maxUnavailable 0)`);
      const versions = new Set(live.map(version));
      if (versions.size > 2) violations.push(`${when}: ${versions.size} versions`);
      let surged = 0;
      for (const n of nodes) {
        const here = live.filter((p) => p.spec?.nodeName === n);
        if (here.length > 2) violations.push(`${when}: ${here.length} pods on ${n}`);
        if (here.filter((p) => version(p) === '1').length > 1 || here.filter((p) => version(p) === '2').length > 1)
          violations.push(`${when}: two pods of a version on ${n}`);
        const fresh = here.find((p) => version(p) === '2');
        if (fresh && here.some((p) => version(p) === '1') && !isAvailable(fresh, minReadySeconds, at)) surged++;
      }
      maxSurged = Math.max(maxSurged, surged);
    });
    await patchApp(ns, { env: [{ name: 'VERSION', value: '2' }] });
    await eventually(
      async () => {
        const pods = await daemonPods(ns, ds);
        const now = Date.now();
        return (
          pods.length === nodes.length &&
          pods.every((p) => !p.metadata.deletionTimestamp && version(p) === '2' && isAvailable(p, minReadySeconds, now))
        );
      },
      { timeoutMs: 60_000 + nodes.length * 30_000, what: 'every node running only VERSION=2, available' },
    );
    await rec.stop();
    assert.deepEqual(violations, []);
    assert.equal(maxSurged, 1, 'maxSurge 20% of 3 nodes rounds up to 1: one node at a time');

    const revs = await history(ns, 2);
    assert.equal(revs.cur['revision'], 2);
    for (const p of await daemonPods(ns, ds))
      assert.equal(p.metadata.labels?.[HASH], revs.cur['metadata'].labels[HASH]);
  });
});

/** A JSON value with object keys sorted at every depth (for order-independent comparison). */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v as Obj)
        .sort()
        .map((k) => [k, sortKeys((v as Obj)[k])]),
    );
  return v;
}
