/**
 * "Updating a DaemonSet" from the chapter with real kubectl 1.32 against `npm start -- --nodes 3`: fluentd
 * (extensions/v1beta1, so OnDelete) keeps its pods after an image change until they are deleted one by one;
 * switched to RollingUpdate (maxUnavailable 1, minReadySeconds 2) it rolls node by node while
 * `kubectl rollout status` reports progress; then `rollout history`, `undo`, the "skipped rollback" of an undo
 * to the current template, and `rollout restart`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageOf, isAvailable, PodRecorder, unavailableNodes, type WatchedPod } from '../helpers/availability.js';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { chapterManifest, manifestImage } from '../helpers/paths.js';

const fluentd = chapterManifest('fluentd.yaml');
const NS = 'kube-system';
/** The chapter's image (the book's v0.14.10, or the project's example's). */
const V1 = manifestImage(readFileSync(fluentd, 'utf8'));
const V2 = 'fluent/fluentd:v0.14.11';
const V3 = 'fluent/fluentd:v1.16';
const MIN_READY = 2;

interface PodList {
  items: WatchedPod[];
}

describe('kubectl 1.32: updating the fluentd DaemonSet', {
  timeout: 180_000,
}, () => {
  let cluster: Cluster;
  let k: Kubectl;
  let nodes: string[] = [];
  const file = (name: string) => join(cluster.dataDir, name);

  before(async () => {
    cluster = await startCluster({ nodes: 3, speed: 0.1 });
    k = new Kubectl(cluster.kubeconfig, '1.32');
    const manifest = readFileSync(fluentd, 'utf8');
    assert.ok(manifest.includes(V1));
    writeFileSync(file('fluentd-v2.yaml'), manifest.replace(V1, V2));
    // The rolling update settings go at the top of spec, the image changes once more.
    const rolling = manifest
      .replace(V1, V3)
      .replace(
        /^spec:\n/m,
        `spec:\n  minReadySeconds: ${MIN_READY}\n  updateStrategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxUnavailable: 1\n`,
      );
    writeFileSync(file('fluentd-rolling.yaml'), rolling);
    nodes = ((await cluster.api('GET', '/api/v1/nodes')).body.items as Array<{ metadata: { name: string } }>)
      .map((n) => n.metadata.name)
      .sort();
  });
  after(async () => {
    k?.dispose();
    await cluster?.stop();
  });

  const podList = async () =>
    (JSON.parse(await k.ok(['get', 'pods', '-n', NS, '-l', 'app=fluentd', '-o', 'json'])) as PodList).items;
  /** Pods by node; only when every node has exactly one Ready, non-terminating pod. */
  const settled = async (image?: string) => {
    const pods = (await podList()).filter((p) => !p.metadata.deletionTimestamp);
    const ok =
      pods.length === nodes.length &&
      pods.every((p) => isAvailable(p, 0, Date.now()) && (!image || imageOf(p) === image));
    return ok ? new Map(pods.map((p) => [p.spec!.nodeName!, p])) : undefined;
  };
  const waitSettled = (image?: string) =>
    eventually(() => settled(image), {
      timeoutMs: 40_000,
      what: `one Ready pod per node${image ? ` running ${image}` : ''}`,
    });
  const historyRevisions = async () =>
    (await k.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', NS]))
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => Number(l.trim().split(/\s+/)[0]));

  /** Runs `rollout status` to completion while a watch checks that at most one node is ever without an available pod. */
  async function rolloutWatched(
    start: () => Promise<string>,
  ): Promise<{ started: string; status: string; maxUnavailable: number }> {
    // Pods Ready for less than minReadySeconds are not available yet: let the last replacements get there first.
    await eventually(async () => unavailableNodes(await podList(), nodes, MIN_READY, Date.now()).length === 0, {
      timeoutMs: 20_000,
      what: 'every node available',
    });
    let maxUnavailable = 0;
    const seen: string[] = [];
    const rec = await PodRecorder.start(cluster.url, NS, 'app=fluentd', (pods, at) => {
      const down = unavailableNodes(pods, nodes, MIN_READY, at);
      if (down.length > maxUnavailable) {
        maxUnavailable = down.length;
        seen.push(`${new Date(at).toISOString()}: ${down.join(', ')}`);
      }
    });
    try {
      // Old pods have been Ready far longer than minReadySeconds: every node starts available.
      assert.equal(maxUnavailable, 0, 'every node had an available pod before the rollout');
      const started = await start();
      const r = await k.run(['rollout', 'status', 'daemonsets', 'fluentd', '-n', NS], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, `rollout status failed\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.ok(maxUnavailable <= 1, `more than one node unavailable: ${seen.join('; ')}`);
      return { started, status: r.stdout, maxUnavailable };
    } finally {
      await rec.stop();
    }
  }

  it('apply -f fluentd.yaml: one pod per node; its strategy defaults to OnDelete', async () => {
    assert.equal((await k.ok(['apply', '-f', fluentd])).trim(), 'daemonset.extensions/fluentd created');
    await waitSettled(V1);
    assert.equal(
      (await k.ok(['get', 'ds', 'fluentd', '-n', NS, '-o', 'jsonpath={.spec.updateStrategy.type}'])).trim(),
      'OnDelete',
    );
  });

  it('rollout status refuses an OnDelete DaemonSet', async () => {
    const r = await k.run(['rollout', 'status', 'daemonsets', 'fluentd', '-n', NS]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'error: rollout status is only available for RollingUpdate strategy type');
  });

  it('OnDelete: a new image replaces no pod until each pod is deleted, then each comes back with it', async () => {
    const before = (await waitSettled(V1))!;
    assert.equal(
      (await k.ok(['apply', '-f', file('fluentd-v2.yaml')])).trim(),
      'daemonset.extensions/fluentd configured',
    );
    await eventually(async () => (await historyRevisions()).join() === '1,2', {
      timeoutMs: 20_000,
      what: 'revision 2',
    });
    await eventually(
      async () => {
        const ds = JSON.parse(await k.ok(['get', 'ds', 'fluentd', '-n', NS, '-o', 'json']));
        return ds.status.observedGeneration === ds.metadata.generation;
      },
      { what: 'the controller to observe the change' },
    );
    await new Promise((r) => setTimeout(r, 1000));
    const unchanged = (await settled(V1))!;
    assert.ok(unchanged, 'every pod still runs the old image');
    assert.deepEqual(
      [...unchanged.values()].map((p) => p.metadata.name).sort(),
      [...before.values()].map((p) => p.metadata.name).sort(),
    );

    for (const node of nodes) {
      const victim = before.get(node)!.metadata.name;
      assert.equal(
        (await k.ok(['delete', 'pods', victim, '-n', NS], { timeoutMs: 60_000 })).trim(),
        `pod "${victim}" deleted`,
      );
      const replacement = await eventually(
        async () => {
          const p = (await podList()).find(
            (x) => x.spec?.nodeName === node && x.metadata.name !== victim && !x.metadata.deletionTimestamp,
          );
          return p && isAvailable(p, 0, Date.now()) ? p : undefined;
        },
        { timeoutMs: 30_000, what: `a replacement on ${node}` },
      );
      assert.equal(imageOf(replacement!), V2);
      const others = (await podList()).filter((p) => p.spec?.nodeName !== node && !p.metadata.deletionTimestamp);
      for (const p of others) {
        const untouchedYet = nodes.indexOf(p.spec!.nodeName!) > nodes.indexOf(node);
        if (untouchedYet)
          assert.equal(
            p.metadata.name,
            before.get(p.spec!.nodeName!)!.metadata.name,
            'pods not deleted yet are left alone',
          );
      }
    }
    await waitSettled(V2);
  });

  it('RollingUpdate (maxUnavailable 1, minReadySeconds 2): rollout status follows the rollout to the end, one node at a time', async () => {
    const { started, status } = await rolloutWatched(() => k.ok(['apply', '-f', file('fluentd-rolling.yaml')]));
    assert.equal(started.trim(), 'daemonset.extensions/fluentd configured');
    const lines = status.trim().split('\n');
    assert.equal(lines.at(-1), 'daemon set "fluentd" successfully rolled out');
    assert.ok(lines.length >= 2, `progress was printed:\n${status}`);
    for (const l of lines.slice(0, -1)) {
      assert.match(
        l,
        /^Waiting for daemon set spec update to be observed\.\.\.$|^Waiting for daemon set "fluentd" rollout to finish: (\d+ out of 3 new pods have been updated|\d+ of 3 updated pods are available)\.\.\.$/,
      );
    }
    assert.ok(lines.some((l) => /out of 3 new pods have been updated/.test(l)));
    await waitSettled(V3);
    const ds = JSON.parse(await k.ok(['get', 'ds', 'fluentd', '-n', NS, '-o', 'json']));
    assert.deepEqual(
      [
        ds.status.desiredNumberScheduled,
        ds.status.updatedNumberScheduled,
        ds.status.numberAvailable,
        ds.status.observedGeneration,
      ],
      [3, 3, 3, ds.metadata.generation],
    );
  });

  it('rollout history lists the revisions; --revision=N shows its pod template', async () => {
    const out = await k.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', NS]);
    assert.match(out, /^daemonset\.apps\/fluentd \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n3\s+<none>\n/);
    const r1 = await k.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', NS, '--revision=1']);
    assert.match(r1, /^daemonset\.apps\/fluentd with revision #1\nPod Template:\n/);
    assert.match(r1, new RegExp(`Image:\\s+${V1.replace(/\./g, '\\.')}\\n`));
    const r3 = await k.ok(['rollout', 'history', 'daemonset', 'fluentd', '-n', NS, '--revision=3']);
    assert.match(r3, new RegExp(`Image:\\s+${V3.replace(/\./g, '\\.')}\\n`));
    const missing = await k.run(['rollout', 'history', 'daemonset', 'fluentd', '-n', NS, '--revision=9']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /unable to find the specified revision/);
  });

  it('rollout undo brings the previous image back, re-using its revision', async () => {
    const { started } = await rolloutWatched(() => k.ok(['rollout', 'undo', 'daemonset', 'fluentd', '-n', NS]));
    assert.equal(started.trim(), 'daemonset.apps/fluentd rolled back');
    await waitSettled(V2);
    assert.deepEqual(await historyRevisions(), [1, 3, 4], 'revision 2 was renumbered to 4');
  });

  it('rollout undo to the current template is skipped', async () => {
    const r = await k.run(['rollout', 'undo', 'daemonset', 'fluentd', '-n', NS, '--to-revision=4']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.trim(),
      'daemonset.apps/fluentd skipped rollback (current template already matches revision 4)',
    );
    assert.deepEqual(await historyRevisions(), [1, 3, 4]);
  });

  it('rollout restart replaces every pod', async () => {
    const before = new Set([...(await waitSettled(V2))!.values()].map((p) => p.metadata.name));
    const { started } = await rolloutWatched(() => k.ok(['rollout', 'restart', 'daemonset', 'fluentd', '-n', NS]));
    assert.equal(started.trim(), 'daemonset.apps/fluentd restarted');
    const after = (await waitSettled(V2))!;
    for (const p of after.values()) assert.ok(!before.has(p.metadata.name), `${p.metadata.name} was restarted`);
    const ann = (
      await k.ok(['get', 'ds', 'fluentd', '-n', NS, '-o', 'jsonpath={.spec.template.metadata.annotations}'])
    ).trim();
    assert.match(ann, /kubectl\.kubernetes\.io\/restartedAt/);
    assert.deepEqual(await historyRevisions(), [1, 3, 4, 5]);
  });
});
