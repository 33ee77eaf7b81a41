/**
 * The official Python client (`kubernetes` 22.6, Debian's python3-kubernetes, which `npm test` installs) against
 * the emulator as `npm start` runs it, configured only by the kubeconfig it writes: discovery as the client's
 * typed APIs ask for it (`/version/`, `/api/v1/`, `/apis/apps/v1/`: with a trailing slash), a DaemonSet Ready on
 * every node seen through a watch, logs (tailed and followed), patches, paged lists, the scale subresource,
 * eviction, server-side apply through the dynamic client, errors and foreground deletion; over HTTP and over HTTPS
 * with a bearer token (the client verifying the server's certificate with the kubeconfig's CA).
 * tests/api/python/client_check.py runs the steps and reports each one's outcome as JSON.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { REPO_ROOT } from '../helpers/paths.js';

const NODES = 2;

/**
 * A Python 3 that imports `kubernetes`: $PYTHON_KUBERNETES, else Debian's /usr/bin/python3 (where
 * python3-kubernetes installs it), else `python3` on the PATH. Throws, saying how to get one, when none does.
 */
function findPython(): string {
  const tried: string[] = [];
  for (const python of [process.env['PYTHON_KUBERNETES'], '/usr/bin/python3', 'python3']) {
    if (!python) continue;
    tried.push(python);
    try {
      execFileSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' });
      return python;
    } catch {
      // not this one
    }
  }
  throw new Error(
    `no Python with the kubernetes client (tried ${tried.join(', ')}): apt-get install python3-kubernetes ` +
      '(scripts/install-test-tools.sh does, as root), or set PYTHON_KUBERNETES to a python that imports it',
  );
}

type Report = Record<string, any>;

for (const mode of [
  { name: 'over HTTP', args: [] as string[] },
  {
    name: 'over HTTPS with a bearer token (the CA and token from the kubeconfig)',
    args: ['--tls', '--token', 'py-t0ken'],
  },
])
  describe(`the Python client (kubernetes 22.6) ${mode.name}`, () => {
    let cluster: Cluster | undefined;
    let report: Report;

    before(async () => {
      const python = findPython();
      cluster = await startCluster({ nodes: NODES, args: mode.args });
      if (mode.args.includes('--tls')) assert.match(cluster.url, /^https:/);
      const script = join(REPO_ROOT, 'tests', 'api', 'python', 'client_check.py');
      const { stdout } = await promisify(execFile)(python, [script, cluster.kubeconfig, String(NODES)], {
        timeout: 120_000,
        maxBuffer: 16 << 20,
      });
      report = JSON.parse(stdout) as Report;
    });
    after(async () => {
      await cluster?.stop();
    });

    /** The outcome of `step`, failing with the Python error (and its trace) when the step raised. */
    const outcome = (step: string): Report => {
      const r = report[step];
      assert.ok(r, `no outcome for ${step}`);
      assert.equal(r.error, undefined, `${step} raised ${r.error}\n${r.trace ?? ''}`);
      return r;
    };

    it('reads the version and discovery documents (paths with a trailing slash)', () => {
      assert.deepEqual(outcome('version'), { gitVersion: 'v1.32.0', major: '1', minor: '32' });
      const d = outcome('discovery');
      assert.deepEqual(d.core, ['v1']);
      for (const g of ['apps', 'coordination.k8s.io', 'discovery.k8s.io', 'policy', 'rbac.authorization.k8s.io'])
        assert.ok(d.groups.includes(g), g);
      for (const r of ['pods', 'pods/log', 'pods/eviction', 'configmaps', 'nodes'])
        assert.ok(d.coreResources.includes(r), r);
      for (const r of ['daemonsets', 'daemonsets/status', 'deployments/scale'])
        assert.ok(d.appsResources.includes(r), r);
      assert.equal(d.appsPreferred, 'apps/v1');
    });

    it('creates a DaemonSet whose pods a watch sees Running and Ready on every node', () => {
      const ds = outcome('daemonset');
      assert.equal(ds.created, 'py-ds');
      assert.equal(ds.creationTimestampParsed, true);
      assert.equal(ds.readyThroughWatch, NODES);
      assert.deepEqual(ds.nodesOfPods, ds.nodes);
      assert.equal(ds.nodes.length, NODES);
      assert.equal(ds.desired, NODES);
      assert.equal(ds.numberReady, NODES);
      assert.deepEqual(ds.duplicate, { status: 409, reason: 'AlreadyExists' });
    });

    it("reads a pod's log, tailed and followed", () => {
      const logs = outcome('logs');
      assert.equal(logs.tailLines, 2);
      assert.match(logs.followFirstLine, /container "c" started/);
    });

    it('patches (a dict goes as a strategic merge patch), lists in pages and deletes a collection', () => {
      const patch = outcome('patch');
      assert.equal(patch.generation, 2);
      assert.deepEqual(patch.annotation, { rev: '2' });
      const pages = outcome('pages');
      assert.deepEqual(
        pages.names,
        [0, 1, 2, 3, 4].map((i) => `py-page-${i}`),
      );
      assert.equal(pages.pages, 3);
      assert.equal(pages.leftAfterDeleteCollection, 0);
    });

    it('scales a Deployment through its scale subresource, and evicts one of its pods', () => {
      const scale = outcome('scale');
      assert.deepEqual(
        { read: scale.read, selector: scale.selector, patched: scale.patched, replaced: scale.replaced },
        { read: 1, selector: 'app=py-deploy', patched: 3, replaced: 2 },
      );
      assert.equal(scale.readyReplicas, 2);
      assert.equal(outcome('eviction').deletedOrTerminating, true);
    });

    it('applies server-side and merge-patches through the dynamic client', () => {
      const dyn = outcome('dynamic');
      assert.deepEqual(dyn.applied, { a: '1' });
      assert.deepEqual(dyn.managers, ['py-client']);
      assert.deepEqual(dyn.merged, { a: '1', b: '2' });
      assert.deepEqual(dyn.daemonsets, ['py-ds']);
    });

    it("raises the apiserver's errors, and a foreground deletion removes the DaemonSet and its pods", () => {
      const errors = outcome('errors');
      assert.deepEqual(errors.notFound, { status: 404, reason: 'NotFound' });
      assert.deepEqual(errors.invalid, { status: 422, reason: 'Invalid' });
      const deleted = outcome('delete');
      assert.deepEqual(deleted.gone, { status: 404, reason: 'NotFound' });
      assert.equal(deleted.podsLeft, 0);
    });
  });
