import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { ControllerExpectations } from '../../../../controllers/machinery/expectations.js';
import { Backoff } from '../../../../controllers/daemonset/backoff.js';
import {
  daemonPodTemplate,
  groupByNode,
  newDaemonPod,
  planNodes,
  podsShouldBeOnNode,
  slowStartBatch,
  syncNodes,
  unscheduledPodsWithoutNode,
  type PlanDeps,
} from '../../../../controllers/daemonset/manage.js';
import type { DaemonSet, Pod } from '../../../../controllers/daemonset/types.js';
import { apiError, daemonPod, daemonSet, FakeCluster, FakeRecorder, node, nullLog, RESOURCES } from './fakes.js';

function planDeps(clock = new FakeClock()) {
  const recorder = new FakeRecorder();
  const requeues: number[] = [];
  const deps: PlanDeps = {
    recorder,
    backoff: new Backoff(clock),
    clock,
    log: nullLog,
    enqueueAfter: (_ds, ms) => void requeues.push(ms),
  };
  return { deps, recorder, requeues, clock };
}

const at = (s: number) => new Date(Date.UTC(2024, 0, 1) + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('podsShouldBeOnNode', () => {
  it('deals with existing pods: creates on empty nodes, keeps one, deletes the excess (2 creates, 5 deletes)', () => {
    const ds = daemonSet();
    const { deps } = planDeps();
    const nodes = ['n0', 'n1', 'n2', 'n3', 'n4'].map((n) => node(n));
    const pods: Pod[] = [];
    const counts: Record<string, number> = { n1: 1, n2: 2, n3: 5 };
    for (const [n, k] of Object.entries(counts))
      for (let i = 0; i < k; i++) pods.push(daemonPod(ds, `${n}-p${i}`, n, { created: at(i) }));
    const plan = planNodes(deps, ds, nodes, groupByNode(pods), 'hash');
    assert.deepEqual(plan.nodesNeedingDaemonPods, ['n0', 'n4']);
    assert.equal(plan.podsToDelete.length, 5);
    assert.ok(
      !plan.podsToDelete.includes('n2-p0') && !plan.podsToDelete.includes('n3-p0'),
      'the oldest pod of each node is kept',
    );
  });

  const failedRows: Array<[string, number, number, number, number]> = [
    ['0 failed, 1 running: nothing', 0, 1, 0, 0],
    ['no pods: 1 create', 0, 0, 1, 0],
    ['1 failed, 0 running: 1 delete', 1, 0, 0, 1],
    ['1 failed, 3 running: 3 deletes (failed + 2 excess)', 1, 3, 0, 3],
  ];
  for (const [name, failed, running, creates, deletes] of failedRows) {
    it(`failed pods: ${name}`, () => {
      const ds = daemonSet();
      const { deps, recorder } = planDeps();
      const pods = [
        ...Array.from({ length: failed }, (_, i) => daemonPod(ds, `f${i}`, 'n1', { phase: 'Failed' })),
        ...Array.from({ length: running }, (_, i) => daemonPod(ds, `r${i}`, 'n1', { created: at(i) })),
      ];
      const plan = podsShouldBeOnNode(deps, node('n1'), groupByNode(pods), ds, 'hash');
      assert.equal(plan.nodesNeedingDaemonPods.length, creates);
      assert.equal(plan.podsToDelete.length, deletes);
      assert.equal(plan.failedPodsObserved, failed);
      assert.equal(
        recorder.events.filter((e) => e.reason === 'FailedDaemonPod' && e.type === 'Warning').length,
        failed,
      );
      if (failed)
        assert.equal(recorder.events[0]!.message, 'Found failed daemon pod default/f0 on node n1, will try to kill it');
    });
  }

  it('failed pod deletions on a node back off exponentially', () => {
    const ds = daemonSet();
    const { deps, requeues, clock } = planDeps();
    const map = groupByNode([daemonPod(ds, 'f', 'n1', { phase: 'Failed' })]);
    assert.equal(podsShouldBeOnNode(deps, node('n1'), map, ds, 'h').podsToDelete.length, 1);
    clock.advance(500);
    assert.equal(podsShouldBeOnNode(deps, node('n1'), map, ds, 'h').podsToDelete.length, 0, 'within the 1 s back-off');
    assert.deepEqual(requeues, [1000]);
    clock.advance(600);
    assert.equal(podsShouldBeOnNode(deps, node('n1'), map, ds, 'h').podsToDelete.length, 1);
    clock.advance(1500);
    assert.equal(
      podsShouldBeOnNode(deps, node('n1'), map, ds, 'h').podsToDelete.length,
      0,
      'the back-off doubled to 2 s',
    );
    assert.deepEqual(requeues, [1000, 2000]);
  });

  it('a succeeded pod is deleted with a Normal event', () => {
    const ds = daemonSet();
    const { deps, recorder } = planDeps();
    const plan = podsShouldBeOnNode(
      deps,
      node('n1'),
      groupByNode([daemonPod(ds, 's', 'n1', { phase: 'Succeeded' })]),
      ds,
      'h',
    );
    assert.deepEqual(plan.podsToDelete, ['s']);
    assert.deepEqual(
      recorder.events.map((e) => [e.type, e.reason]),
      [['Normal', 'SucceededDaemonPod']],
    );
  });

  it('a pod being deleted blocks creation and is not deleted again', () => {
    const ds = daemonSet();
    const { deps } = planDeps();
    const plan = podsShouldBeOnNode(
      deps,
      node('n1'),
      groupByNode([daemonPod(ds, 'd', 'n1', { deleting: true })]),
      ds,
      'h',
    );
    assert.deepEqual(plan, { nodesNeedingDaemonPods: [], podsToDelete: [], failedPodsObserved: 0 });
  });

  it('pods on a node that no longer qualifies are deleted (except those already being deleted)', () => {
    const ds = daemonSet('foo', (d) => (d.spec.template.spec!.nodeSelector = { color: 'blue' }));
    const { deps } = planDeps();
    const pods = [daemonPod(ds, 'a', 'n1'), daemonPod(ds, 'b', 'n1', { deleting: true })];
    assert.deepEqual(podsShouldBeOnNode(deps, node('n1'), groupByNode(pods), ds, 'h').podsToDelete, ['a']);
  });

  it('an untolerated NoSchedule taint keeps the existing pod and creates none', () => {
    const ds = daemonSet();
    const { deps } = planDeps();
    const tainted = node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] });
    assert.deepEqual(
      podsShouldBeOnNode(deps, tainted, groupByNode([daemonPod(ds, 'a', 'n1')]), ds, 'h').podsToDelete,
      [],
    );
    assert.deepEqual(podsShouldBeOnNode(deps, tainted, new Map(), ds, 'h').nodesNeedingDaemonPods, []);
  });

  it('bound pods sort before unbound ones, then by creation time and name', () => {
    const ds = daemonSet();
    const { deps } = planDeps();
    const unbound = daemonPod(ds, 'a-unbound', 'n1', { created: at(0) });
    unbound.spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
          },
        },
      },
    };
    const pods = [unbound, daemonPod(ds, 'c', 'n1', { created: at(5) }), daemonPod(ds, 'b', 'n1', { created: at(5) })];
    assert.deepEqual(podsShouldBeOnNode(deps, node('n1'), groupByNode(pods), ds, 'h').podsToDelete.sort(), [
      'a-unbound',
      'c',
    ]);
  });

  describe('with surge (RollingUpdate, maxSurge 1)', () => {
    const surge = (d: DaemonSet) =>
      (d.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const hashLabels = (h: string) => ({ name: 'simple-daemon', type: 'production', 'controller-revision-hash': h });
    const rows: Array<[string, { newReady: boolean; oldReady: boolean }, string[]]> = [
      ['new pod not ready, old ready: keep both', { newReady: false, oldReady: true }, []],
      ['new pod available: delete the old one', { newReady: true, oldReady: true }, ['old']],
      ['old pod not ready: delete it', { newReady: false, oldReady: false }, ['old']],
    ];
    for (const [name, o, deletes] of rows) {
      it(name, () => {
        const ds = daemonSet('foo', surge);
        const { deps } = planDeps();
        const pods = [
          daemonPod(ds, 'old', 'n1', { created: at(0), ready: o.oldReady, labels: hashLabels('old') }),
          daemonPod(ds, 'new', 'n1', { created: at(1), ready: o.newReady, labels: hashLabels('cur') }),
        ];
        assert.deepEqual(podsShouldBeOnNode(deps, node('n1'), groupByNode(pods), ds, 'cur').podsToDelete, deletes);
      });
    }
    it('extra pods of either kind are deleted', () => {
      const ds = daemonSet('foo', surge);
      const { deps } = planDeps();
      const pods = [
        daemonPod(ds, 'old1', 'n1', { created: at(0), labels: hashLabels('old') }),
        daemonPod(ds, 'old2', 'n1', { created: at(1), labels: hashLabels('old') }),
        daemonPod(ds, 'new1', 'n1', { created: at(2), ready: false, labels: hashLabels('cur') }),
        daemonPod(ds, 'new2', 'n1', { created: at(3), labels: hashLabels('cur') }),
      ];
      assert.deepEqual(podsShouldBeOnNode(deps, node('n1'), groupByNode(pods), ds, 'cur').podsToDelete, [
        'old2',
        'new2',
      ]);
    });
  });

  it('unscheduled pods targeting a missing node are deleted', () => {
    const ds = daemonSet();
    const pod = daemonPod(ds, 'lost', 'gone');
    pod.spec = {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gone'] }] }],
          },
        },
      },
    };
    const bound = daemonPod(ds, 'bound', 'gone2');
    assert.deepEqual(unscheduledPodsWithoutNode([node('n1')], groupByNode([pod, bound])), ['lost']);
  });

  it('groupByNode skips deleted terminal pods unless asked', () => {
    const ds = daemonSet();
    const pods = [daemonPod(ds, 'a', 'n1', { phase: 'Failed', deleting: true }), daemonPod(ds, 'b', 'n1')];
    assert.deepEqual(
      groupByNode(pods)
        .get('n1')!
        .map((p) => p.metadata.name),
      ['b'],
    );
    assert.equal(groupByNode(pods, true).get('n1')!.length, 2);
  });
});

describe('slowStartBatch', () => {
  const rows: Array<[string, number, number | undefined, number[], number, boolean]> = [
    ['all succeed: batches 1, 2, 4, 3', 10, undefined, [1, 2, 4, 3], 10, false],
    ['failure in the first batch stops at once', 10, 0, [1], 1, true],
    ['failure in the third batch', 10, 4, [1, 2, 4], 7, true],
    ['nothing to do', 0, undefined, [], 0, false],
  ];
  for (const [name, count, failAt, batches, attempted, failed] of rows) {
    it(name, async () => {
      const seen: number[] = [];
      let inBatch = 0;
      let started = 0;
      const res = await slowStartBatch(count, 1, async (i) => {
        if (started === 0 || inBatch === 0) seen.push(0);
        inBatch++;
        started++;
        await Promise.resolve();
        inBatch--;
        seen[seen.length - 1]!++;
        return i !== failAt;
      });
      assert.deepEqual(seen, batches);
      assert.deepEqual(res, { attempted, failed });
    });
  }
});

describe('syncNodes', () => {
  function setup(nodes: number, patch?: (d: DaemonSet) => void) {
    const cluster = new FakeCluster();
    const ds = daemonSet('foo', patch);
    const expectations = new ControllerExpectations(cluster.clock);
    const names = Array.from({ length: nodes }, (_, i) => `node-${i}`);
    return {
      cluster,
      ds,
      expectations,
      names,
      deps: { client: cluster, recorder: cluster.recorder, expectations, log: nullLog },
    };
  }

  it('creates one pod per node with labels, owner, node name and tolerations', async () => {
    const { cluster, ds, expectations, names, deps } = setup(3);
    const errors = await syncNodes(deps, ds, [], names, 'abc');
    assert.deepEqual(errors, []);
    const bodies = cluster.callsOf('create', 'pods').map((c) => c.body as Pod);
    assert.deepEqual(
      bodies.map((p) => p.spec!.nodeName),
      names,
    );
    const p = bodies[0]!;
    assert.equal(p.metadata.generateName, 'foo-');
    assert.deepEqual(p.metadata.labels, {
      name: 'simple-daemon',
      type: 'production',
      'pod-template-generation': '1',
      'controller-revision-hash': 'abc',
    });
    assert.deepEqual(p.metadata.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: 'foo',
        uid: 'ds-uid-foo',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(p.spec!.tolerations!.length, 6);
    assert.deepEqual(expectations.get('default/foo')?.add, 3);
    assert.deepEqual(
      cluster.recorder.events.map((e) => e.message),
      cluster.objects<Pod>(RESOURCES.pods).map((o) => `Created pod: ${o.metadata.name}`),
    );
  });

  it('caps creates and deletes at BurstReplicas', async () => {
    const { cluster, ds, expectations, names, deps } = setup(300);
    await syncNodes({ ...deps, burstReplicas: 250 }, ds, [], names, 'h');
    assert.equal(cluster.callsOf('create').length, 250);
    assert.equal(expectations.get('default/foo')?.add, 250);
  });

  it('stops after the first failing slow-start batch and lowers the expectations', async () => {
    const { cluster, ds, expectations, names, deps } = setup(100);
    let creates = 0;
    cluster.fail = (call) =>
      call.verb === 'create' && ++creates > 10 ? apiError(403, 'Forbidden', 'exceeded quota') : undefined;
    const errors = await syncNodes(deps, ds, [], names, 'h');
    assert.equal(cluster.callsOf('create').length, 15, 'batches 1, 2, 4, 8: the fourth fails');
    assert.equal(errors.length, 5);
    assert.equal(expectations.get('default/foo')?.add, 10, 'only the successful creates are still expected');
    assert.equal(cluster.recorder.events.filter((e) => e.reason === 'FailedCreate').length, 5);
    assert.equal(
      cluster.recorder.events.find((e) => e.reason === 'FailedCreate')!.message,
      'Error creating: exceeded quota',
    );
  });

  it('a terminating namespace is no error and records nothing', async () => {
    const { cluster, ds, expectations, names, deps } = setup(1);
    const err = apiError(403, 'Forbidden', 'namespace default is being terminated');
    err.status.details = { causes: [{ reason: 'NamespaceTerminating' }] };
    cluster.fail = (call) => (call.verb === 'create' ? err : undefined);
    assert.deepEqual(await syncNodes(deps, ds, [], names, 'h'), []);
    assert.equal(cluster.recorder.events.length, 0);
    assert.ok(expectations.satisfied('default/foo'));
  });

  it('deletes pods; a pod already gone is no error', async () => {
    const { cluster, ds, expectations, deps } = setup(0);
    cluster.seed(RESOURCES.pods, daemonPod(ds, 'a', 'n1'));
    const errors = await syncNodes(deps, ds, ['a', 'missing'], [], 'h');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      cluster.recorder.events.map((e) => `${e.reason}: ${e.message}`),
      ['SuccessfulDelete: Deleted pod: a'],
    );
    assert.equal(expectations.get('default/foo')?.del, 1, 'the missing pod counts as observed');
  });

  it('daemonPodTemplate leaves out pod-template-generation without the annotation; newDaemonPod copies annotations and finalizers', () => {
    const ds = daemonSet('foo', (d) => {
      d.metadata.annotations = {};
      d.spec.template.metadata!.annotations = { a: 'b' };
      d.spec.template.metadata!.finalizers = ['f'];
    });
    const t = daemonPodTemplate(ds, 'h');
    assert.equal(t.metadata!.labels!['pod-template-generation'], undefined);
    const pod = newDaemonPod(ds, t, 'n9');
    assert.deepEqual(pod.metadata.annotations, { a: 'b' });
    assert.deepEqual(pod.metadata.finalizers, ['f']);
    assert.equal(pod.spec!.nodeName, 'n9');
  });
});
