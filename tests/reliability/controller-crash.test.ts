/**
 * Crash safety of the controller manager during a DaemonSet rolling update: the whole emulator runs as
 * `npm start` runs it (the launcher restarts the controller manager when it dies); the rollout starts and the
 * controller manager is SIGKILLed several times at random moments of it. The cluster must converge to exactly
 * one pod per node, every one of the new template, with no duplicate at any moment: a watch from before the
 * rollout never sees two live pods of the DaemonSet on one node, and sees exactly one pod created per node; the
 * DaemonSet has exactly one ControllerRevision per template.
 *
 * Knobs: RELIABILITY_NODES (default 8), RELIABILITY_CM_KILLS (default 3).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';
import { sleep } from '../helpers/http.js';
import { PodRecorder, imageOf, twoLivePodsOnANode, type WatchedPod } from '../helpers/availability.js';
import { envInt } from '../helpers/knobs.js';

const NODES = envInt('RELIABILITY_NODES', 8);
const KILLS = envInt('RELIABILITY_CM_KILLS', 3);
const NS = 'default';

describe('SIGKILL of the controller manager during a DaemonSet rolling update', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ nodes: NODES, speed: 0.1, timeoutMs: 120_000 });
  });
  after(async () => {
    await c?.stop();
  });

  it(`${KILLS} kills: converges to one pod per node with the new template, never two`, async (t) => {
    const dsPath = `/apis/apps/v1/namespaces/${NS}/daemonsets`;
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'roller' },
      spec: {
        selector: { matchLabels: { app: 'roller' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } },
        template: {
          metadata: { labels: { app: 'roller' } },
          spec: { containers: [{ name: 'c', image: 'roller:1' }] },
        },
      },
    };
    assert.equal((await c.api('POST', dsPath, ds)).status, 201);
    const settled = async (image: string) => {
      const d = (await c.api('GET', `${dsPath}/roller`)).body;
      const s = d.status ?? {};
      if (s.observedGeneration !== d.metadata.generation) return false;
      if (s.desiredNumberScheduled !== NODES || s.updatedNumberScheduled !== NODES) return false;
      if (s.numberAvailable !== NODES || s.currentNumberScheduled !== NODES || s.numberMisscheduled !== 0) return false;
      const pods = (await c.api('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Droller`)).body
        .items as WatchedPod[];
      return pods.length === NODES && pods.every((p) => !p.metadata.deletionTimestamp && imageOf(p) === image)
        ? pods
        : false;
    };
    await eventually(() => settled('roller:1'), { timeoutMs: 120_000, what: 'the first version on every node' });

    // Watch from here: at no moment two live pods of the DaemonSet on one node.
    const violations: string[] = [];
    const recorder = await PodRecorder.start(c.url, NS, 'app=roller', twoLivePodsOnANode(violations));
    const createdBefore = recorder.events.filter((e) => e.type === 'ADDED').length;

    const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'roller:2' }] } } } };
    assert.equal(
      (await c.api('PATCH', `${dsPath}/roller`, patch, 'application/strategic-merge-patch+json')).status,
      200,
    );
    let pid = c.controllerManagerPid();
    for (let k = 0; k < KILLS; k++) {
      // a random moment: after the rollout made some progress since the last kill, plus up to a second; once every
      // new pod exists (a fast controller manager may finish the rollout between two kills) there is no progress
      // left to wait for, and the remaining kills test restarts over a finished rollout
      const added = () => recorder.events.filter((e) => e.type === 'ADDED').length;
      const created = added();
      await eventually(() => added() > created || k === 0 || added() - createdBefore >= NODES, {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: 'progress of the rollout',
      });
      await sleep(Math.floor(Math.random() * 1000));
      assert.ok(pid, 'the controller manager runs under the launcher');
      process.kill(pid!, 'SIGKILL');
      const killed = pid;
      pid = await eventually(
        () => {
          const p = c.controllerManagerPid();
          return p !== undefined && p !== killed ? p : undefined;
        },
        { timeoutMs: 60_000, what: 'a restarted controller manager' },
      );
      t.diagnostic(`kill ${k + 1}: ${recorder.events.filter((e) => e.type === 'ADDED').length} new pods so far`);
    }

    const pods = (await eventually(() => settled('roller:2'), {
      timeoutMs: 180_000,
      what: 'the new version on every node',
    })) as WatchedPod[];
    const nodes = new Set(pods.map((p) => p.spec!.nodeName));
    assert.equal(nodes.size, NODES, 'one pod on every node');
    // let a late duplicate show up, then count what the watch saw
    await sleep(1500);
    await recorder.stop();
    assert.deepEqual(violations, [], 'two live pods of the DaemonSet on one node');
    const created = recorder.events.filter((e) => e.type === 'ADDED').length - createdBefore;
    assert.equal(created, NODES, `exactly one new pod per node was created (${created})`);
    assert.equal(recorder.pods.size, NODES, 'no other pod is left');
    // one ControllerRevision per template, none created twice by a restarted controller
    const uid = (await c.api('GET', `${dsPath}/roller`)).body.metadata.uid;
    const revisions = ((await c.api('GET', `/apis/apps/v1/namespaces/${NS}/controllerrevisions`)).body.items as any[])
      .filter((r) => r.metadata.ownerReferences?.some((o: any) => o.uid === uid))
      .map((r) => r.revision)
      .sort();
    assert.deepEqual(revisions, [1, 2], 'the ControllerRevisions of the DaemonSet');
  });
});
