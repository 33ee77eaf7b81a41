/**
 * The chapter, verbatim, with real kubectl against `npm start -- --nodes 3`: fluentd on every node, a fourth
 * node getting its pod, labels steering nginx-fast-storage on and off nodes, a deleted pod coming back,
 * `--cascade=orphan` leaving pods without owners, and `delete -f` removing every fluentd pod.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { chapterManifest } from '../helpers/paths.js';

const fluentd = chapterManifest('fluentd.yaml');
const nginx = chapterManifest('nginx-fast-storage.yaml');

interface PodRow {
  name: string;
  ready: string;
  status: string;
  node: string;
}

/** Rows of `kubectl get pods -o wide` (NAME READY STATUS RESTARTS AGE IP NODE ...). */
function podRows(out: string): PodRow[] {
  return out
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const c = l.trim().split(/\s+/);
      return { name: c[0]!, ready: c[1]!, status: c[2]!, node: c[6]! };
    });
}

describe('the DaemonSets chapter with kubectl 1.32', () => {
  let cluster: Cluster;
  let k: Kubectl;
  let nodes: string[] = [];

  before(async () => {
    cluster = await startCluster({ nodes: 3, speed: 0.1 });
    k = new Kubectl(cluster.kubeconfig, '1.32');
  });
  after(async () => {
    k?.dispose();
    await cluster?.stop();
  });

  const pods = async (ns: string, selector?: string) =>
    podRows(await k.ok(['get', 'pods', '-n', ns, '-o', 'wide', ...(selector ? ['-l', selector] : [])]));
  const runningOn = async (ns: string, selector: string) =>
    (await pods(ns, selector))
      .filter((p) => p.status === 'Running' && p.ready === '1/1')
      .map((p) => p.node)
      .sort();

  it('npm start -- --nodes 3 gives three Ready nodes named as in the chapter', async () => {
    const out = await k.ok(['get', 'nodes']);
    const rows = out.trim().split('\n').slice(1);
    assert.equal(rows.length, 3);
    for (const r of rows)
      assert.match(r, /^k0-default-pool-[0-9a-f]{8}-[a-z0-9]{4}\s+Ready\s+<none>\s+\S+\s+v1\.\d+\.\d+/);
    nodes = rows.map((r) => r.split(/\s+/)[0]!).sort();
  });

  it('apply -f fluentd.yaml: within seconds one Running fluentd pod per node', async () => {
    assert.equal((await k.ok(['apply', '-f', fluentd])).trim(), 'daemonset.extensions/fluentd created');
    const placed = await eventually(
      async () => {
        const on = await runningOn('kube-system', 'app=fluentd');
        return on.length === 3 ? on : undefined;
      },
      { timeoutMs: 30_000, what: 'three Running fluentd pods' },
    );
    assert.deepEqual(placed, nodes);
    for (const p of await pods('kube-system')) assert.match(p.name, /^fluentd-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('describe daemonset fluentd shows the chapter counts and the SuccessfulCreate events', async () => {
    const out: string = await eventually(
      async () => {
        const d = await k.ok(['describe', 'daemonset', 'fluentd', '-n', 'kube-system']);
        // The events are written asynchronously by the controller's recorder, and the counts come from the
        // status the controller writes after it saw the pods (the Pods Status line is kubectl's count of the pods).
        const created =
          d.match(/Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: fluentd-/g)?.length ?? 0;
        const counted =
          /Desired Number of Nodes Scheduled: 3/.test(d) && /Current Number of Nodes Scheduled: 3/.test(d);
        return /Pods Status:\s+3 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/.test(d) && counted && created >= 3
          ? d
          : '';
      },
      { timeoutMs: 30_000, what: 'describe to show 3 Running, the status counts and the SuccessfulCreate events' },
    );
    assert.match(out, /Desired Number of Nodes Scheduled: 3/);
    assert.match(out, /Current Number of Nodes Scheduled: 3/);
    assert.match(out, /Number of Nodes Misscheduled: 0/);
    assert.equal(
      out.match(/Normal\s+SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: fluentd-/g)?.length,
      3,
    );
  });

  it('a fourth node gets its fluentd pod', async () => {
    const file = join(cluster.dataDir, 'node.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Node\nmetadata:\n  name: k0-default-pool-35609c18-extra\n');
    assert.equal((await k.ok(['create', '-f', file])).trim(), 'node/k0-default-pool-35609c18-extra created');
    await eventually(
      async () => (await runningOn('kube-system', 'app=fluentd')).includes('k0-default-pool-35609c18-extra'),
      {
        timeoutMs: 30_000,
        what: 'a fluentd pod on the new node',
      },
    );
    assert.equal((await runningOn('kube-system', 'app=fluentd')).length, 4);
  });

  it('labels steer nginx-fast-storage: only ssd=true nodes run it', async () => {
    const [a, b] = nodes;
    assert.equal((await k.ok(['label', 'nodes', a!, 'ssd=true'])).trim(), `node/${a} labeled`);
    const selected = await k.ok(['get', 'nodes', '--selector', 'ssd=true']);
    assert.equal(selected.trim().split('\n').length, 2);
    assert.equal((await k.ok(['apply', '-f', nginx])).trim(), 'daemonset.extensions/nginx-fast-storage created');
    await eventually(async () => (await runningOn('default', 'app=nginx')).join() === a, {
      timeoutMs: 30_000,
      what: 'nginx only on the ssd node',
    });
    await k.ok(['label', 'nodes', b!, 'ssd=true']);
    await eventually(async () => (await runningOn('default', 'app=nginx')).join() === [a, b].sort().join(), {
      timeoutMs: 30_000,
      what: 'nginx on both ssd nodes',
    });
    assert.equal((await k.ok(['label', 'nodes', b!, 'ssd-'])).trim(), `node/${b} unlabeled`);
    await eventually(async () => (await pods('default', 'app=nginx')).map((p) => p.node).join() === a, {
      timeoutMs: 30_000,
      what: "the unlabelled node's pod to go",
    });
  });

  it('kubectl delete pods X is followed by a new pod on the same node', async () => {
    const before = await pods('kube-system', 'app=fluentd');
    const victim = before[0]!;
    const out = await k.ok(['delete', 'pods', victim.name, '-n', 'kube-system'], { timeoutMs: 60_000 });
    assert.equal(out.trim(), `pod "${victim.name}" deleted`);
    const replacement = await eventually(
      async () => {
        const now = await pods('kube-system', 'app=fluentd');
        return now.find((p) => p.node === victim.node && p.name !== victim.name && p.status === 'Running');
      },
      { timeoutMs: 30_000, what: 'a replacement pod on the same node' },
    );
    assert.notEqual(replacement!.name, victim.name);
  });

  it('delete ds nginx-fast-storage --cascade=orphan leaves its pods running without ownerReferences', async () => {
    const before = await pods('default', 'app=nginx');
    assert.equal(
      (await k.ok(['delete', 'ds', 'nginx-fast-storage', '--cascade=orphan'], { timeoutMs: 60_000 })).trim(),
      'daemonset.apps "nginx-fast-storage" deleted',
    );
    await eventually(
      async () => {
        const list = JSON.parse(await k.ok(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])) as {
          items: { metadata: { ownerReferences?: unknown[] } }[];
        };
        return list.items.length === before.length && list.items.every((p) => !p.metadata.ownerReferences?.length);
      },
      { timeoutMs: 30_000, what: 'orphaned pods without ownerReferences' },
    );
    const after = await pods('default', 'app=nginx');
    assert.deepEqual(
      after.map((p) => p.name),
      before.map((p) => p.name),
    );
    assert.ok(after.every((p) => p.status === 'Running'));
  });

  it('delete -f fluentd.yaml removes all fluentd pods', async () => {
    assert.equal(
      (await k.ok(['delete', '-f', fluentd], { timeoutMs: 60_000 })).trim(),
      'daemonset.extensions "fluentd" deleted',
    );
    await eventually(async () => (await pods('kube-system', 'app=fluentd')).length === 0, {
      timeoutMs: 60_000,
      what: 'every fluentd pod gone',
    });
  });
});
