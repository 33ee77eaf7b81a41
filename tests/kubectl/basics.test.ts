/**
 * Real kubectl (1.32, the default on this machine's PATH, and 1.27) against the server as a process, with a
 * fresh discovery cache per run: the everyday commands of the chapter and their exact outputs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { tempDir } from '../helpers/tmp.js';

const NODE = 'k0-default-pool-35609c18-z7tb';

const NODE_YAML = `apiVersion: v1
kind: Node
metadata:
  name: ${NODE}
  labels:
    kubernetes.io/hostname: ${NODE}
    kubernetes.io/os: linux
`;

const podYaml = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: demo
spec:
  containers:
  - name: nginx
    image: nginx:1.27
`;

/** The rows of a `kubectl get` table whose first column is `name`. */
const rowsFor = (out: string, name: string) => out.split('\n').filter((l) => l.split(/\s+/)[0] === name);

for (const version of ['1.32', '1.27']) {
  describe(`kubectl ${version}`, () => {
    let server: ServerProcess;
    let kubectl: Kubectl;
    const files = tempDir('kubectl-manifests-');
    const started: Array<{ stop(): void }> = [];

    before(async () => {
      server = await startServerProcess();
      kubectl = new Kubectl(server.kubeconfig, version);
      writeFileSync(join(files.path, 'node.yaml'), NODE_YAML);
      writeFileSync(join(files.path, 'pod.yaml'), podYaml('kubectl-pod-1'));
      writeFileSync(join(files.path, 'pod-2.yaml'), podYaml('kubectl-pod-2'));
    });
    after(async () => {
      for (const s of started) s.stop();
      if (server) {
        await server.stop();
        server.cleanup();
      }
      kubectl?.dispose();
      files.remove();
    });

    it('is the version asked for', async () => {
      const out = await kubectl.ok(['version', '--client', '-o', 'json']);
      const v = JSON.parse(out).clientVersion;
      assert.equal(`${v.major}.${v.minor}`, version);
    });

    it('get namespaces lists the four initial namespaces', async () => {
      const out = await kubectl.ok(['get', 'namespaces']);
      const lines = out.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+STATUS\s+AGE$/);
      const rows = lines.slice(1).map((l) => l.split(/\s+/));
      assert.deepEqual(
        rows.map((r) => r[0]),
        ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
      );
      for (const r of rows) assert.equal(r[1], 'Active');
    });

    it('create -f node.yaml prints node/<name> created; a second time AlreadyExists', async () => {
      const r = await kubectl.run(['create', '-f', 'node.yaml'], { cwd: files.path });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `node/${NODE} created`);
      const again = await kubectl.run(['create', '-f', 'node.yaml'], { cwd: files.path });
      assert.equal(again.code, 1);
      assert.equal(
        again.stderr.trim(),
        `Error from server (AlreadyExists): error when creating "node.yaml": nodes "${NODE}" already exists`,
      );
    });

    it('get nodes shows it', async () => {
      const out = await kubectl.ok(['get', 'nodes']);
      assert.match(out.split('\n')[0]!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
      assert.equal(rowsFor(out, NODE).length, 1);
    });

    it('label nodes <n> ssd=true; get nodes --selector ssd=true shows only it; ssd- unlabels', async () => {
      const labeled = await kubectl.ok(['label', 'nodes', NODE, 'ssd=true']);
      assert.equal(labeled.trim(), `node/${NODE} labeled`);
      const selected = await kubectl.ok(['get', 'nodes', '--selector', 'ssd=true']);
      const lines = selected.trim().split('\n');
      assert.equal(lines.length, 2, selected);
      assert.equal(rowsFor(selected, NODE).length, 1);
      const json = JSON.parse(await kubectl.ok(['get', 'node', NODE, '-o', 'json']));
      assert.equal(json.metadata.labels.ssd, 'true');

      const unlabeled = await kubectl.ok(['label', 'nodes', NODE, 'ssd-']);
      assert.equal(unlabeled.trim(), `node/${NODE} unlabeled`);
      const none = await kubectl.run(['get', 'nodes', '--selector', 'ssd=true']);
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.equal(none.stderr.trim(), 'No resources found');
    });

    it('create a pod from a manifest; get pods -o jsonpath', async () => {
      const r = await kubectl.run(['create', '-f', 'pod.yaml'], { cwd: files.path });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod/kubectl-pod-1 created');
      const names = await kubectl.ok(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}']);
      assert.equal(names, 'kubectl-pod-1');
      const table = await kubectl.ok(['get', 'pods']);
      assert.match(table.split('\n')[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      assert.equal(rowsFor(table, 'kubectl-pod-1').length, 1);
    });

    it('patch --subresource=status merges into the status and leaves the rest as it was', async () => {
      const before = JSON.parse(await kubectl.ok(['get', 'pod', 'kubectl-pod-1', '-o', 'json']));
      const patch = '{"status":{"conditions":[{"type":"example.com/Checked","status":"True"}]}}';
      const out = await kubectl.ok([
        'patch',
        'pod',
        'kubectl-pod-1',
        '--subresource=status',
        '--type=strategic',
        '-p',
        patch,
      ]);
      assert.equal(out.trim(), 'pod/kubectl-pod-1 patched');
      const after = JSON.parse(await kubectl.ok(['get', 'pod', 'kubectl-pod-1', '-o', 'json']));
      assert.deepEqual(
        after.status.conditions.find((c: { type: string }) => c.type === 'example.com/Checked'),
        { type: 'example.com/Checked', status: 'True' },
      );
      assert.deepEqual(after.spec, before.spec);
      assert.deepEqual(after.metadata.labels, before.metadata.labels);
      assert.equal(after.status.phase, before.status.phase);
    });

    it('get pods -w sees a new pod and its deletion; delete pod prints pod "x" deleted', async () => {
      const watcher = kubectl.start(['get', 'pods', '-w']);
      const events = kubectl.start(['get', 'pods', '-w', '--output-watch-events']);
      started.push(watcher, events);
      // the initial list is printed first: the existing pod, once
      await eventually(() => rowsFor(watcher.output(), 'kubectl-pod-1').length === 1, {
        what: 'initial list',
        timeoutMs: 30000,
      });
      await eventually(() => events.output().includes('kubectl-pod-1'), {
        what: 'initial list with events',
        timeoutMs: 30000,
      });

      const created = await kubectl.run(['create', '-f', 'pod-2.yaml'], { cwd: files.path });
      assert.equal(created.code, 0, created.stderr);
      await eventually(() => rowsFor(watcher.output(), 'kubectl-pod-2').length === 1, {
        what: 'new pod row',
        timeoutMs: 30000,
      });

      const deleted = await kubectl.run(['delete', 'pod', 'kubectl-pod-2'], { timeoutMs: 60000 });
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout.trim(), 'pod "kubectl-pod-2" deleted');
      await eventually(() => rowsFor(watcher.output(), 'kubectl-pod-2').length >= 2, {
        what: 'deletion row',
        timeoutMs: 30000,
      });
      await eventually(() => /^DELETED\s+kubectl-pod-2\s/m.test(events.output()), {
        what: 'DELETED event',
        timeoutMs: 30000,
      });

      const ev = events.output();
      assert.match(ev, /^ADDED\s+kubectl-pod-1\s/m, 'initial list as ADDED');
      assert.match(ev, /^ADDED\s+kubectl-pod-2\s/m);
      assert.equal(
        rowsFor(watcher.output(), 'kubectl-pod-1').length,
        1,
        'the listed pod is not printed again by the watch',
      );
      assert.equal(watcher.proc.exitCode, null, 'get -w keeps running: the server does not close the watch');
      assert.equal(watcher.proc.signalCode, null);
      const gone = await kubectl.run(['get', 'pod', 'kubectl-pod-2']);
      assert.equal(gone.code, 1);
    });

    it('get pod missing exits 1 with the NotFound message', async () => {
      const r = await kubectl.run(['get', 'pod', 'missing']);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "missing" not found');
    });

    it('delete pod prints pod "x" deleted', async () => {
      const r = await kubectl.run(['delete', 'pod', 'kubectl-pod-1'], { timeoutMs: 60000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod "kubectl-pod-1" deleted');
      const none = await kubectl.run(['get', 'pods']);
      assert.equal(none.code, 0);
      assert.equal(none.stderr.trim(), 'No resources found in default namespace.');
    });

    it('get all namespaces with -A; get nodes -o wide', async () => {
      const all = await kubectl.ok(['get', 'pods', '-A']);
      assert.equal(all, '');
      const wide = await kubectl.ok(['get', 'nodes', '-o', 'wide']);
      assert.match(
        wide.split('\n')[0]!,
        /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/,
      );
    });
  });
}
