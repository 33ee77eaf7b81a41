/**
 * `kubectl logs` with real kubectl (every case with 1.32, the core ones with every other version of
 * KUBECTL_VERSIONS) against the whole emulator (`npm start -- --nodes 2`): a pod's
 * log, `-c`, `--tail`, `--since`, `--since-time`, `--timestamps`, `--limit-bytes`, `--previous` (its upstream error
 * before a restart, the old instance after `kubectl set image`), `-l`, `logs ds/<name>` (kubectl picks one pod), and
 * `logs -f` on a DaemonSet's pod streaming until the pod is deleted, when kubectl exits. Pods are created with
 * `spec.nodeName`; the DaemonSet controller places its own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl, KUBECTL_VERSIONS, MAIN_KUBECTL_VERSION } from '../helpers/kubectl.js';

const NS = 'logs';

/** Lines after the `[kube-emulator] ... started` line of a container's log. */
const afterStart = (out: string) => out.trimEnd().split('\n').slice(1);

function manifests(nodes: string[]): string {
  const pod = (name: string, node: string, containers: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${NS}
  labels: {app: ${name}}
spec:
  nodeName: ${node}
  terminationGracePeriodSeconds: 1
  containers:
${containers}
---
`;
  return (
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n---\n` +
    pod(
      'solo',
      nodes[0]!,
      '  - name: solo\n    image: busybox:1.36\n    command: ["sh", "-c", "echo one; echo two; echo three; echo four; echo five; sleep 3600"]',
    ) +
    pod(
      'web',
      nodes[1]!,
      '  - name: nginx\n    image: nginx:1.27\n  - name: side\n    image: busybox:1.36\n    command: ["sh", "-c", "echo side-a; echo side-b; sleep 3600"]',
    ) +
    pod('stuck', nodes[0]!, '  - name: app\n    image: example.com/app:non-existent') +
    `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logger
  namespace: ${NS}
spec:
  selector:
    matchLabels: {app: logger}
  template:
    metadata:
      labels: {app: logger}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: fluentd
        image: fluent/fluentd:v0.14.10
`
  );
}

describe('kubectl logs', () => {
  let cluster: Cluster;
  let k: Kubectl;

  before(async () => {
    cluster = await startCluster({ nodes: 2, speed: 0.1 });
    k = new Kubectl(cluster.kubeconfig, MAIN_KUBECTL_VERSION);
    const nodes = (await k.ok(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/).sort();
    await k.ok(['apply', '-f', '-'], { input: manifests(nodes) });
    await eventually(
      async () => {
        const out = await k.ok(['get', 'pods', '-n', NS, '--no-headers']);
        const rows = out
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/));
        const ready = (name: string) =>
          rows.some((r) => r[0]!.startsWith(name) && r[2] === 'Running' && r[1]!.split('/')[0] === r[1]!.split('/')[1]);
        return (
          ready('solo') &&
          ready('web') &&
          rows.filter((r) => r[0]!.startsWith('logger-') && r[2] === 'Running').length === 2
        );
      },
      { timeoutMs: 30_000, what: 'the pods running' },
    );
  });
  after(async () => {
    k?.dispose();
    await cluster?.stop();
  });

  /** The DaemonSet's pods now. */
  const loggerPods = async (kc: Kubectl) =>
    (await kc.ok(['get', 'pods', '-n', NS, '-l', 'app=logger', '-o', 'jsonpath={.items[*].metadata.name}']))
      .trim()
      .split(/\s+/)
      .filter(Boolean);

  /** `kubectl logs -f` on a DaemonSet pod runs until the pod is deleted, then kubectl exits 0. */
  async function followUntilDeleted(kc: Kubectl): Promise<void> {
    const pods = await eventually(
      async () => {
        const names = await loggerPods(kc);
        return names.length === 2 ? names : undefined;
      },
      { timeoutMs: 20_000, what: 'two logger pods' },
    );
    const pod = pods![0]!;
    const follow = kc.start(['logs', '-f', '-n', NS, pod]);
    const exited = new Promise<number | null>((resolve) => follow.proc.on('close', (code) => resolve(code)));
    try {
      await eventually(() => /starting fluentd-0\.14\.10/.test(follow.output()), {
        timeoutMs: 15_000,
        what: `the log of ${pod} streaming`,
      });
      assert.equal(follow.proc.exitCode, null, 'kubectl logs -f keeps running while the pod runs');
      await kc.ok(['delete', 'pod', '-n', NS, pod, '--wait=false']);
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
      assert.equal(code, 0, `kubectl logs -f exits when the pod is deleted:\n${follow.output()}`);
      assert.match(
        follow.output(),
        /\[info\]: Received graceful stop\n\[kube-emulator\] container "fluentd" stopped: the pod is being deleted \(exit code 0\)\n$/,
      );
    } finally {
      follow.stop();
    }
  }

  describe(`with kubectl ${MAIN_KUBECTL_VERSION}`, () => {
    it('logs <pod>: the only container', async () => {
      const out = await k.ok(['logs', '-n', NS, 'solo']);
      assert.match(
        out,
        /^\[kube-emulator\] container "solo" started \(simulated, no process runs\): image docker\.io\/library\/busybox:1\.36, id [0-9a-f]{12}, command \["sh" "-c" "echo one; echo two; echo three; echo four; echo five; sleep 3600"\]\n/,
      );
      assert.deepEqual(afterStart(out), ['one', 'two', 'three', 'four', 'five']);
    });

    it('logs <pod> with several containers defaults to the first; -c names one', async () => {
      const r = await k.run(['logs', '-n', NS, 'web']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.trim(), 'Defaulted container "nginx" out of: nginx, side');
      assert.match(r.stdout, /\[notice\] 1#1: nginx\/1\.27\n/);
      assert.deepEqual(afterStart(await k.ok(['logs', '-n', NS, 'web', '-c', 'side'])), ['side-a', 'side-b']);
      const bad = await k.run(['logs', '-n', NS, 'web', '-c', 'nope']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /container nope is not valid for pod web/);
    });

    it('--tail, --limit-bytes, --timestamps, --since, --since-time', async () => {
      assert.equal(await k.ok(['logs', '-n', NS, 'solo', '--tail=2']), 'four\nfive\n');
      assert.equal(await k.ok(['logs', '-n', NS, 'solo', '--tail=1', '--limit-bytes=3']), 'fiv');
      const stamped = await k.ok(['logs', '-n', NS, 'solo', '--tail=2', '--timestamps']);
      assert.match(
        stamped,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z four\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z five\n$/,
      );
      const all = await k.ok(['logs', '-n', NS, 'solo']);
      assert.equal(await k.ok(['logs', '-n', NS, 'solo', '--since=1h']), all);
      assert.equal(await k.ok(['logs', '-n', NS, 'solo', '--since-time=2000-01-01T00:00:00Z']), all);
      assert.equal(await k.ok(['logs', '-n', NS, 'solo', '--since-time=2999-01-01T00:00:00Z']), '');
    });

    it('--previous: the upstream error before a restart, the old instance after set image', async () => {
      const before = await k.run(['logs', '-n', NS, 'solo', '--previous']);
      assert.equal(before.code, 1);
      assert.equal(
        before.stderr.trim(),
        'Error from server (BadRequest): previous terminated container "solo" in pod "solo" not found',
      );
      const old = await k.ok(['logs', '-n', NS, 'web', '-c', 'nginx']);
      await k.ok(['set', 'image', '-n', NS, 'pod/web', 'nginx=redis:7.4']);
      await eventually(
        async () =>
          (
            await k.ok([
              'get',
              'pod',
              '-n',
              NS,
              'web',
              '-o',
              'jsonpath={.status.containerStatuses[?(@.name=="nginx")].restartCount}',
            ])
          ).trim() === '1' &&
          (
            await k.ok([
              'get',
              'pod',
              '-n',
              NS,
              'web',
              '-o',
              'jsonpath={.status.containerStatuses[?(@.name=="nginx")].state.running}',
            ])
          ).trim() !== '',
        { timeoutMs: 20_000, what: 'the restart' },
      );
      const previous = await k.ok(['logs', '-n', NS, 'web', '-c', 'nginx', '--previous']);
      assert.ok(previous.startsWith(old), previous);
      assert.match(
        previous,
        /signal 3 \(SIGQUIT\) received, shutting down\n\[kube-emulator\] container "nginx" stopped: its definition changed, it will be restarted \(exit code 0\)\n$/,
      );
      assert.match(
        await k.ok(['logs', '-n', NS, 'web', '-c', 'nginx']),
        /image docker\.io\/library\/redis:7\.4[\s\S]*Ready to accept connections tcp\n$/,
      );
    });

    it('-l app=logger: every pod of the selector; logs ds/logger: one of them', async () => {
      const out = await k.ok(['logs', '-n', NS, '-l', 'app=logger']);
      assert.equal(out.match(/\[info\]: #0 fluentd worker is now running worker=0/g)?.length, 2, out);
      const prefixed = await k.ok(['logs', '-n', NS, '-l', 'app=logger', '--prefix', '--tail=1']);
      assert.equal(prefixed.trim().split('\n').length, 2);
      for (const line of prefixed.trim().split('\n')) assert.match(line, /^\[pod\/logger-[a-z0-9]{5}\/fluentd\] /);
      const one = await k.run(['logs', '-n', NS, 'ds/logger']);
      assert.equal(one.code, 0, one.stderr);
      assert.match(one.stderr, /^Found 2 pods, using pod\/logger-[a-z0-9]{5}\n$/);
      assert.match(one.stdout, /starting fluentd-0\.14\.10/);
    });

    it('errors of pods that cannot give a log', async () => {
      const stuck = await k.run(['logs', '-n', NS, 'stuck']);
      assert.equal(stuck.code, 1);
      assert.match(
        stuck.stderr.trim(),
        /^Error from server \(BadRequest\): container "app" in pod "stuck" is waiting to start: (image can't be pulled|trying and failing to pull image)$/,
      );
      const missing = await k.run(['logs', '-n', NS, 'nope']);
      assert.equal(
        missing.stderr.trim(),
        'error: error from server (NotFound): pods "nope" not found in namespace "logs"',
      );
    });

    it('logs -f on a DaemonSet pod streams until the pod is deleted', () => followUntilDeleted(k));
  });

  for (const version of KUBECTL_VERSIONS.filter((v) => v !== MAIN_KUBECTL_VERSION)) {
    describe(`with kubectl ${version}`, () => {
      let kv: Kubectl;
      before(() => {
        kv = new Kubectl(cluster.kubeconfig, version);
      });
      after(() => kv?.dispose());

      it('logs <pod>, -c, --tail, --timestamps, --since', async () => {
        assert.deepEqual(afterStart(await kv.ok(['logs', '-n', NS, 'solo'])), ['one', 'two', 'three', 'four', 'five']);
        assert.deepEqual(afterStart(await kv.ok(['logs', '-n', NS, 'web', '-c', 'side'])), ['side-a', 'side-b']);
        assert.equal(await kv.ok(['logs', '-n', NS, 'solo', '--tail=2']), 'four\nfive\n');
        assert.match(
          await kv.ok(['logs', '-n', NS, 'solo', '--tail=1', '--timestamps']),
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z five\n$/,
        );
        assert.equal(await kv.ok(['logs', '-n', NS, 'solo', '--since=1h', '--tail=1']), 'five\n');
      });

      it(
        version === '1.20'
          ? 'logs <pod> with several containers needs -c (kubectl 1.20 asks for one)'
          : 'logs <pod> with several containers defaults to the first',
        async () => {
          const r = await kv.run(['logs', '-n', NS, 'web']);
          if (version === '1.20') {
            assert.equal(r.code, 1);
            // kubectl 1.20 refuses on its own, with the words of the server's error.
            assert.equal(
              r.stderr.trim(),
              'error: a container name must be specified for pod web, choose one of: [nginx side]',
            );
          } else {
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stderr.trim(), 'Defaulted container "nginx" out of: nginx, side');
          }
        },
      );

      it('--previous: the old instance, or the upstream error', async () => {
        assert.match(
          await kv.ok(['logs', '-n', NS, 'web', '-c', 'nginx', '--previous']),
          /container "nginx" stopped: its definition changed/,
        );
        const r = await kv.run(['logs', '-n', NS, 'solo', '--previous']);
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr.trim(),
          'Error from server (BadRequest): previous terminated container "solo" in pod "solo" not found',
        );
      });

      it('-l app=logger and logs ds/logger', async () => {
        const out = await kv.ok(['logs', '-n', NS, '-l', 'app=logger']);
        assert.equal(out.match(/fluentd worker is now running/g)?.length, 2, out);
        const one = await kv.run(['logs', '-n', NS, 'ds/logger']);
        assert.equal(one.code, 0, one.stderr);
        assert.match(one.stderr, /Found 2 pods, using pod\/logger-[a-z0-9]{5}/);
        assert.match(one.stdout, /starting fluentd-0\.14\.10/);
      });

      it('logs -f on a DaemonSet pod streams until the pod is deleted', () => followUntilDeleted(kv));
    });
  }
});
