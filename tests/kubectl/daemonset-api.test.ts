/**
 * Real kubectl of every supported version against the API server, with default validation and a fresh cache:
 * the chapter's extensions/v1beta1 DaemonSet applied, re-applied, read through both groups, explained,
 * labelled, annotated, patched three ways, applied server-side (conflicts, then forced) and deleted. Output must read like a real
 * cluster's, with no warnings a real cluster would not print.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kubectl, KUBECTL_VERSIONS } from '../helpers/kubectl.js';
import { chapterManifest, manifestImage } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { tempDir } from '../helpers/tmp.js';

const fluentdPath = chapterManifest('fluentd.yaml');
const fluentdText = readFileSync(fluentdPath, 'utf8');
const fluentdImage = manifestImage(fluentdText);
/** The manifest's memory limit in Mi (200 in the book's file), and the edit's (100 more). */
const limitMi = Number(/limits:\s*(?:\{\s*|\n\s*)memory:\s*(\d+)Mi/.exec(fluentdText)?.[1]);

/** stderr lines a real cluster prints too (kubectl's own notices), which the tests tolerate. */
function unexpectedWarnings(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter(
      (l) =>
        !/^Warning: resource daemonsets\/fluentd is missing the kubectl.kubernetes.io\/last-applied-configuration annotation/.test(
          l,
        ),
    );
}

for (const version of KUBECTL_VERSIONS) {
  describe(`kubectl ${version}: DaemonSets through both groups`, () => {
    let server: ServerProcess;
    let kubectl: Kubectl;
    const files = tempDir('kubectl-files-');
    const changed = join(files.path, 'fluentd-changed.yaml');

    before(async () => {
      server = await startServerProcess();
      kubectl = new Kubectl(server.kubeconfig, version);
      const manifest = readFileSync(fluentdPath, 'utf8');
      // The memory limit, raised by 100Mi (block or flow style: the book's file or the project's example).
      const limit = /(limits:\s*(?:\{\s*|\n\s*)memory:\s*)(\d+)Mi/;
      const edited = manifest.replace(limit, (_, head: string, mi: string) => `${head}${Number(mi) + 100}Mi`);
      assert.notEqual(edited, manifest, 'the manifest edit applies');
      writeFileSync(changed, edited);
    });
    after(async () => {
      kubectl?.dispose();
      await server?.stop();
      server?.cleanup();
      files.remove();
    });

    const getJSON = async (args: string[]) =>
      JSON.parse(await kubectl.ok([...args, '-o', 'json'])) as Record<string, any>;

    it('apply -f fluentd.yaml creates it through extensions/v1beta1', async () => {
      const r = await kubectl.run(['apply', '-f', fluentdPath]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'daemonset.extensions/fluentd created');
      assert.deepEqual(unexpectedWarnings(r.stderr), []);
    });

    it('a second apply with one changed field is "configured" and changes exactly that field', async () => {
      const before = await getJSON(['get', 'daemonsets.v1.apps', 'fluentd', '-n', 'kube-system']);
      const r = await kubectl.run(['apply', '-f', changed]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'daemonset.extensions/fluentd configured');
      assert.deepEqual(unexpectedWarnings(r.stderr), []);
      const afterObj = await getJSON(['get', 'daemonsets.v1.apps', 'fluentd', '-n', 'kube-system']);
      const c0 = before['spec'].template.spec.containers[0];
      const c1 = afterObj['spec'].template.spec.containers[0];
      assert.equal(c0.resources.limits.memory, `${limitMi}Mi`);
      assert.equal(c1.resources.limits.memory, `${limitMi + 100}Mi`);
      // everything else in the spec is untouched
      c1.resources.limits.memory = `${limitMi}Mi`;
      assert.deepEqual(afterObj['spec'], before['spec']);
      assert.equal(afterObj['metadata'].generation, before['metadata'].generation + 1);
      const r2 = await kubectl.run(['apply', '-f', changed]);
      assert.equal(r2.stdout.trim(), 'daemonset.extensions/fluentd unchanged');
    });

    it('get ds prints the upstream columns, -o wide the wide ones', async () => {
      const out = await kubectl.ok(['get', 'ds', '-n', 'kube-system']);
      const lines = out.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
      assert.match(lines[1]!, /^fluentd\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+<none>\s+\d+s$/);
      const wide = await kubectl.ok(['get', 'daemonsets', '-n', 'kube-system', '-o', 'wide']);
      assert.match(
        wide,
        /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/,
      );
      assert.match(wide, /fluentd\s+fluent\/fluentd:v0\.14\.10\s+app=fluentd/);
    });

    it('daemonsets.v1.apps and daemonsets.v1beta1.extensions are the same object', async () => {
      const apps = await getJSON(['get', 'daemonsets.v1.apps', 'fluentd', '-n', 'kube-system']);
      const ext = await getJSON(['get', 'daemonsets.v1beta1.extensions', 'fluentd', '-n', 'kube-system']);
      assert.equal(apps['apiVersion'], 'apps/v1');
      assert.equal(ext['apiVersion'], 'extensions/v1beta1');
      assert.equal(apps['metadata'].uid, ext['metadata'].uid);
      assert.equal(apps['metadata'].resourceVersion, ext['metadata'].resourceVersion);
      assert.equal(ext['spec'].updateStrategy.type, 'OnDelete');
      assert.equal(ext['spec'].templateGeneration, 2);
    });

    it('explain daemonset.spec.updateStrategy prints the field documentation', async () => {
      const r = await kubectl.run(['explain', 'daemonset.spec.updateStrategy']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /KIND:\s+DaemonSet/);
      assert.match(r.stdout, /DESCRIPTION:/);
      assert.match(r.stdout, /rollingUpdate\s+<(Object|RollingUpdateDaemonSet)>/);
      assert.match(r.stdout, /type\s+<string>/);
      if (version === '1.20') assert.match(r.stdout, /VERSION:\s+apps\/v1/);
      else assert.match(r.stdout, /GROUP:\s+apps\nKIND:\s+DaemonSet\nVERSION:\s+v1/);
    });

    it('label, annotate and patch (json, merge, strategic) as on a real cluster', async () => {
      assert.equal(
        (await kubectl.ok(['label', 'ds', 'fluentd', '-n', 'kube-system', 'tier=logging'])).trim(),
        'daemonset.apps/fluentd labeled',
      );
      const annotated = (await kubectl.ok(['annotate', 'ds', 'fluentd', '-n', 'kube-system', 'team=ops'])).trim();
      // kubectl 1.27 prints "annotate" (its own wording), the others "annotated"
      assert.match(annotated, /^daemonset\.apps\/fluentd annotated?$/);
      const p = (type: string, body: string) =>
        kubectl.ok(['patch', 'ds', 'fluentd', '-n', 'kube-system', '--type', type, '-p', body]);
      assert.equal((await p('merge', '{"spec":{"minReadySeconds":3}}')).trim(), 'daemonset.apps/fluentd patched');
      assert.equal(
        (await p('json', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":5}]')).trim(),
        'daemonset.apps/fluentd patched',
      );
      assert.equal(
        (
          await p(
            'strategic',
            '{"spec":{"template":{"spec":{"containers":[{"name":"fluentd","image":"fluent/fluentd:v0.14.11"}]}}}}',
          )
        ).trim(),
        'daemonset.apps/fluentd patched',
      );
      const ds = await getJSON(['get', 'ds', 'fluentd', '-n', 'kube-system']);
      assert.equal(ds['metadata'].labels.tier, 'logging');
      assert.equal(ds['metadata'].annotations.team, 'ops');
      assert.equal(ds['spec'].minReadySeconds, 3);
      assert.equal(ds['spec'].revisionHistoryLimit, 5);
      const c = ds['spec'].template.spec.containers[0];
      assert.equal(c.image, 'fluent/fluentd:v0.14.11');
      assert.equal(c.volumeMounts.length, 2, 'strategic merge keeps the other container fields');
      const unlabeled = (await kubectl.ok(['label', 'ds', 'fluentd', '-n', 'kube-system', 'tier-'])).trim();
      assert.match(unlabeled, /^daemonset\.apps\/fluentd (un)?labeled$/);
    });

    it('apply --server-side reports conflicts with other managers and takes fields over with --force-conflicts', async () => {
      const conflict = await kubectl.run(['apply', '--server-side', '-f', changed]);
      assert.equal(conflict.code, 1, 'the image set by `kubectl patch` conflicts');
      assert.match(conflict.stderr, /conflict with "kubectl-patch"/);
      assert.match(conflict.stderr, /\.spec\.template\.spec\.containers\[name="fluentd"\]\.image/);
      const r = await kubectl.run(['apply', '--server-side', '--force-conflicts', '-f', changed]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'daemonset.extensions/fluentd serverside-applied');
      assert.deepEqual(unexpectedWarnings(r.stderr), []);
      // kubectl 1.20 always prints managedFields; later versions hide them unless asked
      const ds = await getJSON([
        'get',
        'ds',
        'fluentd',
        '-n',
        'kube-system',
        ...(version === '1.20' ? [] : ['--show-managed-fields']),
      ]);
      assert.equal(ds['spec'].template.spec.containers[0].image, fluentdImage);
      const managers = (ds['metadata'].managedFields as { manager: string; operation: string }[]).map(
        (m) => `${m.manager}/${m.operation}`,
      );
      assert.ok(managers.includes('kubectl/Apply'), `an Apply entry for kubectl (${managers.join(', ')})`);
    });

    it('get -o yaml shows the apps/v1 object with its defaults', async () => {
      const yaml = await kubectl.ok(['get', 'ds', 'fluentd', '-n', 'kube-system', '-o', 'yaml']);
      assert.match(yaml, /^apiVersion: apps\/v1\nkind: DaemonSet\n/);
      assert.match(yaml, /terminationMessagePolicy: File/);
      assert.match(yaml, /schedulerName: default-scheduler/);
      assert.match(yaml, /type: OnDelete/);
    });

    it('get nodes and get pods -o wide print the upstream columns', async () => {
      const empty = await kubectl.run(['get', 'pods', '-o', 'wide', '-n', 'kube-system']);
      assert.equal(empty.code, 0);
      assert.match(empty.stderr, /No resources found in kube-system namespace\./);
      const node = join(files.path, 'node.yaml');
      writeFileSync(
        node,
        'apiVersion: v1\nkind: Node\nmetadata:\n  name: k0-default-pool-35609c18-z7tb\n  labels:\n    ssd: "true"\n',
      );
      assert.equal((await kubectl.ok(['create', '-f', node])).trim(), 'node/k0-default-pool-35609c18-z7tb created');
      const nodes = (await kubectl.ok(['get', 'nodes'])).trim().split('\n');
      assert.match(nodes[0]!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
      // no kubelet runs in this test: a node without a Ready condition is Unknown, as on a real cluster
      assert.match(nodes[1]!, /^k0-default-pool-35609c18-z7tb\s+Unknown\s+<none>\s+\d+s\s*$/);
      const pod = join(files.path, 'pod.yaml');
      writeFileSync(
        pod,
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n',
      );
      assert.equal((await kubectl.ok(['create', '-f', pod])).trim(), 'pod/web created');
      const pods = (await kubectl.ok(['get', 'pods', '-o', 'wide'])).trim().split('\n');
      assert.match(pods[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
      // no scheduler: a pod created without a node stays Pending
      assert.match(pods[1]!, /^web\s+0\/1\s+Pending\s+0\s+\d+s\s+<none>\s+<none>\s+<none>\s+<none>$/);
      assert.equal((await kubectl.ok(['delete', 'pod', 'web'])).trim(), 'pod "web" deleted');
    });

    it('delete -f fluentd.yaml removes it', async () => {
      const r = await kubectl.run(['delete', '-f', fluentdPath]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'daemonset.extensions "fluentd" deleted');
      const gone = await kubectl.run(['get', 'ds', 'fluentd', '-n', 'kube-system']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /daemonsets.apps "fluentd" not found/);
    });
  });
}
