/**
 * Deployments with real kubectl 1.20, 1.28 and 1.33 against `npm start -- --nodes 3 --speed 0.1`, one namespace
 * per version: `create deployment --replicas=3`, `get rs`, `scale`, `set image`, `rollout status|history|undo|
 * pause|resume|restart`, `expose deployment`, `delete --cascade=orphan` and adoption of the orphaned ReplicaSet
 * by a re-created Deployment, and `autoscale` failing cleanly (no HorizontalPodAutoscalers are served).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';

type Any = Record<string, any>;

describe('kubectl: Deployments and ReplicaSets', { timeout: 600_000 }, () => {
  let cluster: Cluster;
  before(async () => {
    cluster = await startCluster({ nodes: 3, speed: 0.1 });
  });
  after(async () => {
    await cluster?.stop();
  });

  for (const version of ['1.20', '1.28', '1.33']) {
    it(`kubectl ${version}: create, scale, set image, rollout status/history/undo/pause/resume/restart, expose, orphan and adopt`, async () => {
      const k = new Kubectl(cluster.kubeconfig, version);
      const ns = `deploy-${version.replace('.', '-')}`;
      const kn = (args: string[]) => k.ok([...args, '-n', ns]);
      const json = async (args: string[]) => JSON.parse(await kn([...args, '-o', 'json'])) as Any;
      const status = (timeout = '90s') => kn(['rollout', 'status', 'deployment/web', `--timeout=${timeout}`]);
      const rsOfWeb = async () =>
        ((await json(['get', 'rs', '-l', 'app=web'])).items as Any[]).sort(
          (a, b) =>
            Number(a.metadata.annotations['deployment.kubernetes.io/revision']) -
            Number(b.metadata.annotations['deployment.kubernetes.io/revision']),
        );
      try {
        await k.ok(['create', 'namespace', ns]);
        assert.match(
          await kn(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']),
          /deployment\.apps\/web created/,
        );
        assert.match(await status(), /successfully rolled out/);
        const rsTable = await kn(['get', 'rs']);
        assert.match(rsTable, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/);
        assert.match(rsTable, /web-[a-z0-9]+\s+3\s+3\s+3\s/);
        assert.match(await kn(['get', 'deploy']), /web\s+3\/3\s+3\s+3\s/);

        assert.match(await kn(['scale', 'deployment/web', '--replicas=5']), /deployment\.apps\/web scaled/);
        await eventually(async () => (await json(['get', 'deploy', 'web'])).status.availableReplicas === 5, {
          timeoutMs: 30_000,
          what: '5 available',
        });

        await kn(['set', 'image', 'deployment/web', 'nginx=nginx:1.25']);
        assert.match(await status(), /successfully rolled out/);
        let rss = await rsOfWeb();
        assert.deepEqual(
          rss.map((r) => [r.spec.replicas, r.spec.template.spec.containers[0].image]),
          [
            [0, 'nginx'],
            [5, 'nginx:1.25'],
          ],
        );
        const history = await kn(['rollout', 'history', 'deployment/web']);
        assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
        assert.match(await kn(['rollout', 'history', 'deployment/web', '--revision=2']), /nginx:1\.25/);

        assert.match(await kn(['rollout', 'undo', 'deployment/web']), /rolled back/);
        assert.match(await status(), /successfully rolled out/);
        const d = await json(['get', 'deploy', 'web']);
        assert.equal(d.spec.template.spec.containers[0].image, 'nginx');
        assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
        assert.match(await kn(['rollout', 'history', 'deployment/web']), /\n2\s+<none>\n3\s+<none>/);

        assert.match(await kn(['rollout', 'pause', 'deployment/web']), /paused/);
        await kn(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']);
        await eventually(
          async () =>
            ((await json(['get', 'deploy', 'web'])).status.conditions as Any[]).some(
              (c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused',
            ),
          { what: 'DeploymentPaused' },
        );
        assert.equal((await rsOfWeb()).length, 2, 'no new ReplicaSet while paused');
        assert.match(await kn(['rollout', 'resume', 'deployment/web']), /resumed/);
        assert.match(await status(), /successfully rolled out/);
        assert.equal((await rsOfWeb()).length, 3);

        assert.match(await kn(['rollout', 'restart', 'deployment/web']), /restarted/);
        assert.match(await status(), /successfully rolled out/);
        rss = await rsOfWeb();
        assert.equal(rss.length, 4);
        assert.ok(rss[3].spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);

        assert.match(await kn(['expose', 'deployment', 'web', '--port=80']), /service\/web exposed/);
        const svc = await json(['get', 'service', 'web']);
        assert.deepEqual(svc.spec.selector, { app: 'web' });

        // orphan the ReplicaSets and pods, then adopt them back
        const before = rss[3];
        const podNames = ((await json(['get', 'pods', '-l', 'app=web'])).items as Any[])
          .map((p) => p.metadata.name)
          .sort();
        assert.match(await kn(['delete', 'deployment', 'web', '--cascade=orphan']), /deleted/);
        await eventually(
          async () => ((await rsOfWeb()) as Any[]).every((r) => (r.metadata.ownerReferences ?? []).length === 0),
          { what: 'orphaned ReplicaSets' },
        );
        const template = structuredClone(before.spec.template);
        delete template.metadata.labels['pod-template-hash'];
        const manifest = {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: ns },
          spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template },
        };
        await k.ok(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
        const d2 = await json(['get', 'deploy', 'web']);
        await eventually(
          async () =>
            ((await rsOfWeb()) as Any[]).every((r) =>
              (r.metadata.ownerReferences ?? []).some((o: Any) => o.uid === d2.metadata.uid),
            ),
          { what: 'adopted ReplicaSets' },
        );
        assert.match(await status(), /successfully rolled out/);
        assert.equal((await rsOfWeb()).length, 4, 'no new ReplicaSet: the orphan with the same template was adopted');
        const after = ((await json(['get', 'pods', '-l', 'app=web'])).items as Any[])
          .map((p) => p.metadata.name)
          .sort();
        assert.deepEqual(after, podNames, 'the pods were kept');

        const hpa = await k.run(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '-n', ns]);
        assert.notEqual(hpa.code, 0, 'no HorizontalPodAutoscalers are served');
        assert.doesNotMatch(hpa.stderr, /panic|goroutine/);
      } finally {
        k.dispose();
      }
    });
  }
});
