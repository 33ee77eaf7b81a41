/**
 * The RollingUpdate strategy (rollout.ts) and the OnDelete / history behaviour around it, as upstream's
 * update_test.go sequences: 5 nodes, all pods Ready, then a template change; each step is one sync and counts
 * the pod creates and deletes it issued. As upstream's fake pod control, the harness's watch delivers every
 * write at once (so a sync's own deletes are observed before its rolling-update step); one test runs a whole
 * rollout with a watch that lags a full sync behind instead.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from '../../../../apimachinery/time.js';
import { DaemonSetController } from '../../../../controllers/daemonset/controller.js';
import { newRevision, templateHash } from '../../../../controllers/daemonset/history.js';
import {
  findUpdatedPodsOnNode,
  nextAvailableAfter,
  planRollingUpdate,
  rolloutBudget,
  rolloutIsIdle,
  type RolloutPlan,
} from '../../../../controllers/daemonset/rollout.js';
import type { ControllerRevision, DaemonSet, IntOrString, Node, Pod } from '../../../../controllers/daemonset/types.js';
import type { ApiClient } from '../../../../controllers/machinery/types.js';
import { daemonPod, daemonSet, FakeCluster, node, RESOURCES } from './fakes.js';

const KEY = 'default/foo';
const HASH_LABEL = 'controller-revision-hash';

/** A client over the cluster whose watch delivers each write as soon as it is made (upstream's fake pod control). */
function immediateWatch(cluster: FakeCluster): ApiClient {
  const writes = new Set<PropertyKey>(['create', 'update', 'patch', 'delete']);
  return new Proxy(cluster, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      if (!writes.has(prop)) return fn.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await fn.apply(target, args);
        } finally {
          target.flush();
        }
      };
    },
  });
}

const unavailable = (v: IntOrString): DaemonSet['spec']['updateStrategy'] => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: v },
});
const surge = (v: IntOrString): DaemonSet['spec']['updateStrategy'] => ({
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: 0, maxSurge: v },
});

interface World {
  cluster: FakeCluster;
  c: DaemonSetController;
}

/** `n` nodes and DaemonSet foo (OnDelete), synced once: one pod per node, Ready unless `ready: false`. */
async function world(n = 5, opts: { ready?: boolean; immediate?: boolean; ds?: DaemonSet } = {}): Promise<World> {
  const cluster = new FakeCluster();
  const ctx = cluster.context();
  const c = new DaemonSetController(opts.immediate === false ? ctx : { ...ctx, client: immediateWatch(cluster) });
  for (let i = 0; i < n; i++) cluster.seed(RESOURCES.nodes, node(`node-${i}`));
  cluster.seed(RESOURCES.daemonsets, opts.ds ?? daemonSet());
  await c.sync(KEY);
  cluster.flush();
  assert.equal(pods(cluster).length, n);
  if (opts.ready !== false) markReady(cluster);
  return { cluster, c };
}

const pods = (cluster: FakeCluster) => cluster.objects<Pod>(RESOURCES.pods);
const dsOf = (cluster: FakeCluster) => cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!;

/** Marks up to `count` live pods matching `pred` Ready (or not) as of now, and delivers the updates. */
function markReady(
  cluster: FakeCluster,
  opts: { ready?: boolean; count?: number; pred?: (p: Pod) => boolean } = {},
): void {
  const ready = opts.ready ?? true;
  let left = opts.count ?? Infinity;
  for (const pod of pods(cluster)) {
    if (left <= 0) break;
    if (pod.metadata.deletionTimestamp) continue;
    const isReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (isReady === ready || (opts.pred && !opts.pred(pod))) continue;
    const status = {
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: rfc3339(cluster.clock.now()) },
      ],
    };
    void cluster.update(RESOURCES.pods, pod.metadata.namespace, { ...pod, status }, { subresource: 'status' });
    left--;
  }
  cluster.flush();
}

/** Changes the DaemonSet as a user would (the server bumps generation and the template generation annotation). */
async function edit(cluster: FakeCluster, fn: (ds: DaemonSet) => void, templateChanged = true): Promise<void> {
  const ds = structuredClone(dsOf(cluster));
  fn(ds);
  ds.metadata.generation = (ds.metadata.generation ?? 1) + 1;
  if (templateChanged) {
    const anns = ds.metadata.annotations!;
    anns['deprecated.daemonset.template.generation'] = String(
      Number(anns['deprecated.daemonset.template.generation']) + 1,
    );
  }
  await cluster.update(RESOURCES.daemonsets, 'default', ds);
  cluster.flush();
}

const newImage = (image: string) => (ds: DaemonSet) => {
  (ds.spec.template.spec!['containers'] as Array<{ image: string }>)[0]!.image = image;
};

/** One sync: [creates, deletes] of pods it issued. */
async function step(w: World): Promise<[number, number]> {
  const from = w.cluster.calls.length;
  await w.c.sync(KEY);
  w.cluster.flush();
  const calls = w.cluster.calls.slice(from).filter((c) => c.resource === 'pods');
  return [calls.filter((c) => c.verb === 'create').length, calls.filter((c) => c.verb === 'delete').length];
}

type Step = [number, number] | 'ready';
const R = 'ready' as const;

/** Runs a script of syncs and "mark every pod Ready" steps, comparing each sync's creates and deletes. */
async function run(w: World, steps: Step[]): Promise<void> {
  const got: Step[] = [];
  for (const s of steps) {
    if (s === R) {
      markReady(w.cluster);
      got.push(R);
    } else {
      got.push(await step(w));
    }
  }
  assert.deepEqual(got, steps);
}

describe('RollingUpdate sequences (update_test.go)', () => {
  const cases: Array<{
    name: string;
    strategy: DaemonSet['spec']['updateStrategy'];
    initialReady?: boolean;
    templateChanged?: boolean;
    steps: Step[];
  }> = [
    {
      name: 'maxUnavailable 1: delete 1 → create 1, five times',
      strategy: unavailable(1),
      steps: [...Array.from({ length: 5 }, () => [[0, 1], [1, 0], R] as Step[]).flat(), [0, 0]],
    },
    {
      name: 'maxUnavailable 2: delete 2 → create 2 → delete 2 → create 2 → delete 1 → create 1',
      strategy: unavailable(2),
      steps: [[0, 2], [2, 0], R, [0, 2], [2, 0], R, [0, 1], [1, 0], R, [0, 0]],
    },
    {
      name: 'maxUnavailable 50% of 5 rounds up to 3',
      strategy: unavailable('50%'),
      steps: [[0, 3], [3, 0], R, [0, 2], [2, 0], R, [0, 0]],
    },
    {
      name: 'maxUnavailable 10% of 5 rounds up to 1',
      strategy: unavailable('10%'),
      steps: [[0, 1], [1, 0], R, [0, 1], [1, 0], [0, 0], [0, 0]],
    },
    {
      name: 'new pods that do not become Ready stop progress (maxUnavailable 3)',
      strategy: unavailable(3),
      steps: [
        [0, 3],
        [3, 0],
        [0, 0],
        [0, 0],
      ],
    },
    {
      name: 'all old pods unready: all replaced at once',
      strategy: unavailable(3),
      initialReady: false,
      steps: [
        [0, 5],
        [5, 0],
        [0, 0],
      ],
    },
    {
      name: 'maxUnavailable 0 and no surge behaves as maxUnavailable 1',
      strategy: unavailable(0),
      steps: [[0, 1], [1, 0], R, [0, 1]],
    },
    {
      name: 'maxSurge 2: create 2 → create 2 + delete 2 → create 1 + delete 2 → delete 1',
      strategy: surge(2),
      steps: [[2, 0], [0, 0], R, [2, 2], [0, 0], R, [1, 2], [0, 0], R, [0, 1], [0, 0]],
    },
    { name: 'maxSurge 20% of 5 rounds up to 1', strategy: surge('20%'), steps: [[1, 0], [0, 0], R, [1, 1], [0, 0]] },
    {
      name: 'maxSurge 3 with all old pods unready: surge everywhere, then drop the old pods',
      strategy: surge(3),
      initialReady: false,
      steps: [
        [5, 0],
        [0, 5],
        [0, 0],
      ],
    },
    {
      name: 'template unchanged (only the strategy changed): nothing',
      strategy: unavailable(3),
      templateChanged: false,
      steps: [
        [0, 0],
        [0, 0],
      ],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const w = await world(5, { ready: tc.initialReady ?? true });
      const changed = tc.templateChanged ?? true;
      await edit(
        w.cluster,
        (ds) => {
          if (changed) newImage('foo2/bar2')(ds);
          ds.spec.updateStrategy = tc.strategy;
        },
        changed,
      );
      await run(w, tc.steps);
    });
  }

  it('a finished rollout leaves one Ready pod of the new revision per node, and the status says so', async () => {
    const w = await world(5);
    await edit(w.cluster, (ds) => {
      newImage('foo2/bar2')(ds);
      ds.spec.updateStrategy = unavailable(2);
    });
    await run(w, [[0, 2], [2, 0], R, [0, 2], [2, 0], R, [0, 1], [1, 0], R, [0, 0]]);
    const hash = templateHash(dsOf(w.cluster));
    assert.deepEqual(
      pods(w.cluster).map((p) => p.metadata.labels![HASH_LABEL]),
      Array(5).fill(hash),
    );
    const st = dsOf(w.cluster).status!;
    assert.deepEqual(
      [st.desiredNumberScheduled, st.updatedNumberScheduled, st.numberAvailable, st.observedGeneration],
      [5, 5, 5, 2],
    );
  });

  it('a later update never touches Ready pods beyond the budget (20 nodes, maxUnavailable 10, two updates)', async () => {
    const w = await world(20);
    await edit(w.cluster, (ds) => {
      newImage('foo2/bar2')(ds);
      ds.spec.updateStrategy = unavailable(10);
    });
    await run(w, [
      [0, 10],
      [10, 0],
    ]);
    const survivors = pods(w.cluster)
      .filter((p) => p.status?.conditions?.[0]?.status === 'True')
      .map((p) => p.metadata.name);
    assert.equal(survivors.length, 10);
    await edit(w.cluster, newImage('foo3/bar3'));
    await run(w, [
      [0, 10],
      [10, 0],
      [0, 0],
    ]);
    const names = new Set(pods(w.cluster).map((p) => p.metadata.name));
    for (const s of survivors) assert.ok(names.has(s), `${s} (Ready, old) was kept`);
  });
});

describe('minReadySeconds', () => {
  it('an old pod goes only once the new pod has been Ready for more than minReadySeconds; the sync re-queues for that moment', async () => {
    const w = await world(3);
    await edit(w.cluster, (ds) => {
      newImage('foo2/bar2')(ds);
      ds.spec.updateStrategy = unavailable(1);
      ds.spec.minReadySeconds = 10;
    });
    // The old pods have been Ready since the start: advance past minReadySeconds so they are available.
    w.cluster.clock.advance(60_000);
    await run(w, [
      [0, 1],
      [1, 0],
    ]);
    markReady(w.cluster);
    w.cluster.clock.advance(4000);
    while (w.c.queue.length() > 0) await w.c.processNext(new AbortController().signal);
    assert.deepEqual(await step(w), [0, 0], 'Ready for 4 s of 10');
    while (w.c.queue.length() > 0) await w.c.processNext(new AbortController().signal);
    w.cluster.clock.advance(6000);
    assert.equal(w.c.queue.length(), 0, 'not due yet: available only strictly after 10 s');
    w.cluster.clock.advance(1);
    assert.equal(w.c.queue.length(), 1, 're-queued when the new pod turns available');
    assert.deepEqual(await step(w), [0, 1]);
  });

  it('nextAvailableAfter: the earliest Ready-but-not-available pod decides; none without minReadySeconds', () => {
    const ds = daemonSet();
    const now = Date.UTC(2024, 0, 1, 0, 1, 0);
    const p = (name: string, since: string, ready = true) => daemonPod(ds, name, 'n', { readySince: since, ready });
    const list = [
      p('a', '2024-01-01T00:00:55Z'),
      p('b', '2024-01-01T00:00:52Z'),
      p('c', '2024-01-01T00:00:00Z'),
      p('d', '2024-01-01T00:00:59Z', false),
    ];
    assert.equal(nextAvailableAfter(list, 10, now), 2001);
    assert.equal(nextAvailableAfter(list, 0, now), undefined);
    assert.equal(nextAvailableAfter([list[2]!], 10, now), undefined);
  });

  it('surge with minReadySeconds: the old pod stays until the new one is available, then the next node surges', async () => {
    const w = await world(3);
    w.cluster.clock.advance(60_000);
    await edit(w.cluster, (ds) => {
      newImage('foo2/bar2')(ds);
      ds.spec.updateStrategy = surge(1);
      ds.spec.minReadySeconds = 15;
    });
    await run(w, [[1, 0], [0, 0], R]);
    w.cluster.clock.advance(10_000);
    await run(w, [[0, 0]]);
    w.cluster.clock.advance(5001);
    await run(w, [
      [1, 1],
      [0, 0],
    ]);
  });
});

describe('terminating pods', () => {
  it('are neither deleted again nor counted as a second pod on their node', () => {
    const ds = daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable(2)));
    const nodes = ['n0', 'n1', 'n2'].map((n) => node(n));
    const byNode = new Map<string, Pod[]>([
      ['n0', [daemonPod(ds, 'old-0', 'n0'), daemonPod(ds, 'gone-0', 'n0', { deleting: true })]],
      ['n1', [daemonPod(ds, 'old-1', 'n1')]],
      ['n2', [daemonPod(ds, 'old-2', 'n2')]],
    ]);
    const plan = planRollingUpdate(ds, nodes, byNode, 'new-hash', Date.UTC(2024, 0, 2));
    assert.deepEqual(plan.podsToDelete, ['old-0', 'old-1']);
    assert.equal(findUpdatedPodsOnNode(ds, byNode.get('n0')!, 'new-hash').ok, true);
  });

  it('a node whose old pod is terminating is judged by its new pod alone', () => {
    const ds = daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable(1)));
    const nodes = ['n0', 'n1'].map((n) => node(n));
    const newLabels = { ...ds.spec.template.metadata!.labels!, [HASH_LABEL]: 'h2' };
    const byNode = new Map<string, Pod[]>([
      ['n0', [daemonPod(ds, 'gone-0', 'n0', { deleting: true }), daemonPod(ds, 'new-0', 'n0', { labels: newLabels })]],
      ['n1', [daemonPod(ds, 'old-1', 'n1')]],
    ]);
    assert.deepEqual(planRollingUpdate(ds, nodes, byNode, 'h2', Date.UTC(2024, 0, 2)).podsToDelete, ['old-1']);
  });
});

describe('rolloutBudget (updatedDesiredNodeCounts)', () => {
  const rows: Array<[string, DaemonSet['spec']['updateStrategy'], number, number, number, number]> = [
    // name, strategy, nodes, maxSurge, maxUnavailable, desired
    ['no nodes', unavailable(0), 0, 0, 0, 0],
    ['two nodes, maxUnavailable 1', unavailable(1), 2, 0, 1, 2],
    ['both 0 falls back to maxUnavailable 1', unavailable(0), 2, 0, 1, 2],
    ['surge 0 with maxUnavailable 0 also falls back', surge(0), 2, 0, 1, 2],
    ['50% of 2 → 1', unavailable('50%'), 2, 0, 1, 2],
    ['50% of 3 → 2', unavailable('50%'), 3, 0, 2, 3],
    ['surge 50% of 2 → 1', surge('50%'), 2, 1, 0, 2],
    ['surge 100% of 2 → 2', surge('100%'), 2, 2, 0, 2],
    ['OnDelete: both 0, then 1', { type: 'OnDelete' }, 2, 0, 1, 2],
  ];
  for (const [name, strategy, n, maxSurge, maxUnavailable, desired] of rows) {
    it(name, () => {
      const ds = daemonSet('foo', (d) => (d.spec.updateStrategy = strategy));
      const byNode = new Map<string, Pod[]>();
      const got = rolloutBudget(
        ds,
        Array.from({ length: n }, (_, i) => node(`n${i}`)),
        byNode,
      );
      assert.deepEqual(got, { maxSurge, maxUnavailable, desiredNumberScheduled: desired });
      assert.equal(byNode.size, n, 'an empty entry per node without pods');
    });
  }
  it('an invalid percentage fails the step', () => {
    const ds = daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable('half')));
    assert.throws(() => rolloutBudget(ds, [node('n0')], new Map()), /invalid value for MaxUnavailable/);
  });
});

describe('a whole rollout with the watch delivered between syncs', () => {
  it('converges with never more than maxUnavailable nodes without an available pod (as the controller sees them)', async () => {
    const w = await world(5, { immediate: false });
    await edit(w.cluster, (ds) => {
      newImage('foo2/bar2')(ds);
      ds.spec.updateStrategy = unavailable(2);
    });
    const hash = templateHash(dsOf(w.cluster));
    for (let round = 0; round < 60; round++) {
      await w.c.sync(KEY);
      const live = pods(w.cluster).filter((p) => !p.metadata.deletionTimestamp);
      const availableNodes = new Set(
        live.filter((p) => p.status?.conditions?.[0]?.status === 'True').map((p) => p.spec!.nodeName),
      );
      assert.ok(5 - availableNodes.size <= 2, `round ${round}: ${5 - availableNodes.size} nodes unavailable`);
      w.cluster.flush();
      markReady(w.cluster);
      if (
        live.length === 5 &&
        live.every((p) => p.metadata.labels![HASH_LABEL] === hash) &&
        w.c.expectations.satisfied(KEY)
      )
        break;
    }
    await w.c.sync(KEY);
    assert.deepEqual(
      pods(w.cluster).map((p) => p.metadata.labels![HASH_LABEL]),
      Array(5).fill(hash),
    );
    assert.equal(dsOf(w.cluster).status!.updatedNumberScheduled, 5);
  });
});

describe('OnDelete', () => {
  it('a template change makes a new revision and nothing else; a deleted pod comes back at the new revision', async () => {
    const w = await world(3);
    await edit(w.cluster, newImage('foo2/bar2'));
    await run(w, [
      [0, 0],
      [0, 0],
    ]);
    const revs = w.cluster.objects<ControllerRevision>(RESOURCES.controllerrevisions);
    assert.deepEqual(revs.map((r) => r.revision).sort(), [1, 2]);
    const hash = templateHash(dsOf(w.cluster));
    assert.equal(pods(w.cluster).filter((p) => p.metadata.labels![HASH_LABEL] === hash).length, 0);
    const victim = pods(w.cluster)[0]!;
    await w.cluster.delete(RESOURCES.pods, 'default', victim.metadata.name!);
    w.cluster.flush();
    await run(w, [
      [1, 0],
      [0, 0],
    ]);
    const replacement = pods(w.cluster).find((p) => p.spec!.nodeName === victim.spec!.nodeName)!;
    assert.equal(replacement.metadata.labels![HASH_LABEL], hash);
    assert.equal(replacement.metadata.labels!['pod-template-generation'], '2');
    assert.equal((replacement.spec!['containers'] as Array<{ image: string }>)[0]!.image, 'foo2/bar2');
    assert.equal(dsOf(w.cluster).status!.updatedNumberScheduled, 1);
  });
});

describe('history during updates', () => {
  it('rolling back re-uses the old revision (renumbered) and keeps the pods that already run it', async () => {
    const w = await world(3);
    const original = structuredClone(dsOf(w.cluster).spec.template);
    const firstHash = templateHash(dsOf(w.cluster));
    await edit(w.cluster, (ds) => {
      newImage('foo:non-existent')(ds);
      ds.spec.updateStrategy = unavailable(1);
    });
    await run(w, [
      [0, 1],
      [1, 0],
      [0, 0],
    ]); // the new pod never gets Ready: stuck
    const survivors = pods(w.cluster)
      .filter((p) => p.metadata.labels![HASH_LABEL] === firstHash)
      .map((p) => p.metadata.name)
      .sort();
    assert.equal(survivors.length, 2);
    await edit(w.cluster, (ds) => (ds.spec.template = structuredClone(original)));
    await run(w, [[0, 1], [1, 0], R, [0, 0]]);
    const revs = w.cluster
      .objects<ControllerRevision>(RESOURCES.controllerrevisions)
      .sort((a, b) => a.revision - b.revision);
    assert.deepEqual(
      revs.map((r) => [r.metadata.name, r.revision]),
      [
        [revs[0]!.metadata.name, 2],
        [`foo-${firstHash}`, 3],
      ],
    );
    const names = pods(w.cluster).map((p) => p.metadata.name);
    for (const s of survivors) assert.ok(names.includes(s), `${s} was not restarted`);
    assert.deepEqual(
      pods(w.cluster).map((p) => p.metadata.labels![HASH_LABEL]),
      Array(3).fill(firstHash),
    );
  });

  it('revisionHistoryLimit keeps the revisions live pods still use', async () => {
    const w = await world(2, { ds: daemonSet('foo', (d) => (d.spec.revisionHistoryLimit = 0)) });
    const firstHash = templateHash(dsOf(w.cluster));
    for (const img of ['b', 'c']) {
      await edit(w.cluster, newImage(img));
      await step(w);
    }
    // OnDelete: the pods still run revision 1, so it stays; revision 2 ("b") is used by nobody and goes.
    const names = w.cluster
      .objects<ControllerRevision>(RESOURCES.controllerrevisions)
      .map((r) => r.metadata.name)
      .sort();
    assert.deepEqual(names, [`foo-${firstHash}`, `foo-${templateHash(dsOf(w.cluster))}`].sort());
  });

  it('a stale cached collisionCount is retried without bumping it again', async () => {
    const cluster = new FakeCluster();
    const c = new DaemonSetController(cluster.context());
    cluster.seed(RESOURCES.nodes, node('n0'));
    const ds = daemonSet();
    cluster.seed(RESOURCES.daemonsets, ds);
    // The live object already has collisionCount 1 (the watch has not brought it yet) and another template
    // squats on the name the stale count gives.
    const live = structuredClone(cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!);
    live.status = { ...live.status, collisionCount: 1 };
    await cluster.update(RESOURCES.daemonsets, 'default', live, { subresource: 'status' });
    cluster.dropPending();
    const squatter = newRevision(daemonSet('foo', newImage('other')), 1);
    squatter.metadata.name = `foo-${templateHash(ds)}`;
    squatter.metadata.ownerReferences = [{ ...squatter.metadata.ownerReferences![0]!, uid: 'someone-else' }];
    cluster.seed(RESOURCES.controllerrevisions, squatter);
    await assert.rejects(c.sync(KEY), /stale collision count/);
    assert.equal(cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!.status!.collisionCount, 1);
  });
});

describe('a rolling-update step with nothing to roll', () => {
  /** A controller that counts its rolling-update steps. */
  class Counting extends DaemonSetController {
    steps = 0;
    protected override async rollingUpdate(...args: [DaemonSet, () => Node[], string, never]): Promise<RolloutPlan> {
      this.steps++;
      return super.rollingUpdate(...args);
    }
  }

  it('is left out while every pod is of the current revision, and taken once one is not', async () => {
    const cluster = new FakeCluster();
    const c = new Counting({ ...cluster.context(), client: immediateWatch(cluster) });
    for (let i = 0; i < 4; i++) cluster.seed(RESOURCES.nodes, node(`node-${i}`));
    cluster.seed(
      RESOURCES.daemonsets,
      daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable(1))),
    );
    await c.sync(KEY);
    cluster.flush();
    markReady(cluster);
    await c.sync(KEY);
    cluster.flush();
    assert.equal(c.steps, 0, 'all four pods run the current revision: no step');
    assert.equal(dsOf(cluster).status?.numberReady, 4);
    // a template change: every pod is old now, and the steps roll them one node at a time
    await edit(cluster, newImage('b'));
    const w = { cluster, c };
    await run(w, [...Array.from({ length: 4 }, () => [[0, 1], [1, 0], R] as Step[]).flat(), [0, 0]]);
    const during = c.steps;
    // eight syncs: a step in each but the last, whose old pod was gone before it (it only creates the new one)
    assert.equal(during, 7);
    await step(w);
    assert.equal(c.steps, during, 'rolled out: no step again');
    assert.equal(dsOf(cluster).status?.updatedNumberScheduled, 4);
  });

  it('rolloutIsIdle: not with an old pod or minReadySeconds; a bad budget value still fails the sync', () => {
    const ds = daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable(1)));
    assert.equal(rolloutIsIdle(ds, true), true);
    assert.equal(rolloutIsIdle(ds, false), false);
    assert.equal(
      rolloutIsIdle(
        daemonSet('foo', (d) => (d.spec.minReadySeconds = 5)),
        true,
      ),
      false,
    );
    const bad = daemonSet('foo', (d) => (d.spec.updateStrategy = unavailable('half')));
    assert.throws(() => rolloutIsIdle(bad, true), /invalid value for MaxUnavailable/);
  });
});
