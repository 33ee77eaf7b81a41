/**
 * The scheduler seen through real kubectl against the whole emulator (`npm start -- --nodes 3`: API server and
 * controller manager): `kubectl run` then `kubectl wait --for=condition=Ready` succeeds because the scheduler binds
 * the pod and the simulated kubelet runs it; `kubectl describe` shows the `Scheduled` event, and for a pod nothing can
 * take, upstream's `FailedScheduling` message; cordoned nodes get no new pods. kubectl 1.32 runs every case, every
 * version of KUBECTL_VERSIONS the happy path. One cluster for the file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { sleep } from '../helpers/http.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, MAIN_KUBECTL_VERSION } from '../helpers/kubectl.js';

/** The Events rows of `kubectl describe` with this reason, as [type, reason, age, from, message]. */
function eventRows(describe: string, reason: string): string[][] {
  const at = describe.indexOf('\nEvents:');
  assert.ok(at >= 0, `no Events section in:\n${describe}`);
  return describe
    .slice(at)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.split(/\s+/)[1] === reason)
    .map((l) => {
      const [type, r, age, from, ...message] = l.split(/\s{2,}/);
      return [type!, r!, age!, from!, message.join('  ')];
    });
}

describe('kubectl and the scheduler', { timeout: 240_000 }, () => {
  let cluster: Cluster;
  let nodes: string[];
  const kubectls: Kubectl[] = [];

  before(async () => {
    cluster = await startCluster({ nodes: 3 });
    nodes = ((await cluster.api('GET', '/api/v1/nodes')).body.items as Array<{ metadata: { name: string } }>)
      .map((n) => n.metadata.name)
      .sort();
    assert.equal(nodes.length, 3);
  });
  after(async () => {
    for (const k of kubectls) k.dispose();
    await cluster?.stop();
  });

  const nodeOf = async (k: Kubectl, pod: string) =>
    (await k.ok(['get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}'])).trim();

  for (const version of KUBECTL_VERSIONS) {
    it(`kubectl ${version}: run, wait for Ready, describe shows the Scheduled event`, async () => {
      const k = new Kubectl(cluster.kubeconfig, version);
      kubectls.push(k);
      const pod = `nginx-${version.replace('.', '-')}`;
      assert.equal(await k.ok(['run', pod, '--image=nginx']), `pod/${pod} created\n`);
      assert.equal(
        await k.ok(['wait', '--for=condition=Ready', `pod/${pod}`, '--timeout=60s'], { timeoutMs: 70_000 }),
        `pod/${pod} condition met\n`,
      );
      const node = await nodeOf(k, pod);
      assert.ok(nodes.includes(node), `bound to a node of the cluster, got ${JSON.stringify(node)}`);
      const rows = await eventually(
        async () => {
          const r = eventRows(await k.ok(['describe', 'pod', pod]), 'Scheduled');
          return r.length > 0 ? r : undefined;
        },
        { what: 'the Scheduled event in kubectl describe' },
      );
      assert.equal(rows!.length, 1);
      const [type, , , from, message] = rows![0]!;
      assert.equal(type, 'Normal');
      assert.equal(from, 'default-scheduler');
      assert.equal(message, `Successfully assigned default/${pod} to ${node}`);
      const wide = await k.ok(['get', 'pod', pod, '-o', 'wide']);
      assert.match(wide.split('\n')[1]!, new RegExp(`^${pod}\\s+1/1\\s+Running\\s+.*\\s${node}\\s`));
    });
  }

  describe(`kubectl ${MAIN_KUBECTL_VERSION}`, () => {
    let k: Kubectl;
    before(() => {
      k = new Kubectl(cluster.kubeconfig, MAIN_KUBECTL_VERSION);
      kubectls.push(k);
    });

    const failedScheduling = async (pod: string, expected: string) => {
      const rows = await eventually(
        async () => {
          const r = eventRows(await k.ok(['describe', 'pod', pod]), 'FailedScheduling');
          return r.some((row) => row[4] === expected) ? r : undefined;
        },
        { what: `FailedScheduling for ${pod}` },
      );
      const row = rows!.find((r) => r[4] === expected)!;
      assert.equal(row[0], 'Warning');
      assert.equal(row[3], 'default-scheduler');
      const status = JSON.parse(await k.ok(['get', 'pod', pod, '-o', 'json'])).status;
      assert.equal(status.phase, 'Pending');
      const condition = status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
      assert.deepEqual(
        { status: condition.status, reason: condition.reason, message: condition.message },
        { status: 'False', reason: 'Unschedulable', message: expected },
      );
    };

    it('a pod asking for 1000 CPUs stays Pending with FailedScheduling in upstream words', async () => {
      const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: huge
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: "1000"
`;
      assert.equal(await k.ok(['apply', '-f', '-'], { input: manifest }), 'pod/huge created\n');
      await failedScheduling(
        'huge',
        '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      );
      assert.equal(await nodeOf(k, 'huge'), '');
      await k.ok(['delete', 'pod', 'huge', '--wait=false']);
    });

    it('a readiness gate holds Ready until a status patch sets its condition, which the kubelet then keeps', async () => {
      const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: gated
spec:
  readinessGates:
  - conditionType: example.com/lb-ready
  containers:
  - name: app
    image: nginx
`;
      assert.equal(await k.ok(['apply', '-f', '-'], { input: manifest }), 'pod/gated created\n');
      const conditionOf = async (type: string) =>
        JSON.parse(
          (await k.ok(['get', 'pod', 'gated', '-o', `jsonpath={.status.conditions[?(@.type=="${type}")]}`])) || '{}',
        );
      await eventually(async () => (await conditionOf('ContainersReady')).status === 'True', {
        timeoutMs: 30_000,
        what: 'ContainersReady',
      });
      const ready = await conditionOf('Ready');
      assert.deepEqual(
        [ready.status, ready.reason, ready.message],
        [
          'False',
          'ReadinessGatesNotReady',
          'corresponding condition of pod readiness gate "example.com/lb-ready" does not exist.',
        ],
      );
      const patch = '{"status":{"conditions":[{"type":"example.com/lb-ready","status":"True"}]}}';
      await k.ok(['patch', 'pod', 'gated', '--subresource=status', '--type=strategic', '-p', patch]);
      assert.equal(
        await k.ok(['wait', '--for=condition=Ready', 'pod/gated', '--timeout=30s'], { timeoutMs: 40_000 }),
        'pod/gated condition met\n',
      );
      await sleep(500);
      assert.equal((await conditionOf('example.com/lb-ready')).status, 'True');
      assert.match(
        (await k.ok(['get', 'pod', 'gated', '-o', 'wide'])).split('\n')[1]!,
        /\s1\/1\s+Running\s.*\s1\/1\s*$/,
      );
      await k.ok(['delete', 'pod', 'gated', '--wait=false']);
    });

    it('a nodeSelector no node matches stays Pending with its event', async () => {
      await k.ok([
        'run',
        'nowhere',
        '--image=nginx',
        '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"disktype":"ssd"}}}',
      ]);
      await failedScheduling(
        'nowhere',
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
      const get = await k.ok(['get', 'pod', 'nowhere']);
      assert.match(get.split('\n')[1]!, /^nowhere\s+0\/1\s+Pending\s+0\s+/);
      // Labelling a node makes it fit: the pod is bound there and runs.
      await k.ok(['label', 'node', nodes[1]!, 'disktype=ssd']);
      assert.equal(
        await k.ok(['wait', '--for=condition=Ready', 'pod/nowhere', '--timeout=60s'], { timeoutMs: 70_000 }),
        'pod/nowhere condition met\n',
      );
      assert.equal(await nodeOf(k, 'nowhere'), nodes[1]);
      await k.ok(['label', 'node', nodes[1]!, 'disktype-']);
    });

    it('after cordoning every node but one, new pods land only on the one left', async () => {
      const open = nodes[2]!;
      for (const n of nodes.slice(0, 2)) assert.equal(await k.ok(['cordon', n]), `node/${n} cordoned\n`);
      // The scheduler learns of the cordon through its node watch, as kube-scheduler does: give it a moment.
      await sleep(200);
      try {
        const names = ['c1', 'c2', 'c3', 'c4'];
        for (const name of names) await k.ok(['run', name, '--image=nginx']);
        for (const name of names)
          await k.ok(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });
        for (const name of names) assert.equal(await nodeOf(k, name), open, `${name} is on the uncordoned node`);
        const table = await k.ok(['get', 'nodes']);
        for (const n of nodes.slice(0, 2)) assert.match(table, new RegExp(`${n}\\s+Ready,SchedulingDisabled\\s`));
        // Every node cordoned: the next pod says why it waits, and goes when one is uncordoned.
        await k.ok(['cordon', open]);
        await sleep(200);
        await k.ok(['run', 'c5', '--image=nginx']);
        await failedScheduling(
          'c5',
          '0/3 nodes are available: 3 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
        );
        await k.ok(['uncordon', nodes[0]!]);
        assert.equal(
          await k.ok(['wait', '--for=condition=Ready', 'pod/c5', '--timeout=60s'], { timeoutMs: 70_000 }),
          'pod/c5 condition met\n',
        );
        assert.equal(await nodeOf(k, 'c5'), nodes[0]);
      } finally {
        for (const n of nodes) await k.ok(['uncordon', n]);
      }
    });
  });
});
