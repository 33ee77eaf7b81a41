/**
 * Roles, ClusterRoles, RoleBindings and ClusterRoleBindings with real kubectl against the whole emulator (API server
 * and controller manager), with every version of KUBECTL_VERSIONS: `kubectl create
 * role|clusterrole|rolebinding|clusterrolebinding` (1.32 and 1.33 send protobuf bodies, older versions JSON),
 * `get -o wide` (server-side Tables), `delete`; and with the versions of FULL_SCENARIO_KUBECTL_VERSIONS also
 * `describe` (kubectl's own describers: the PolicyRule table, the Role and Subjects), `apply` of the RBAC part of a
 * Helm chart for a DaemonSet (its ClusterRole and ClusterRoleBinding for the DaemonSet's ServiceAccount) and the
 * refused roleRef change; and with 1.32 `create clusterrole --aggregation-rule`, filled by the controller manager's
 * clusterrole-aggregation controller.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import {
  eventually,
  itInFullScenario,
  Kubectl,
  KUBECTL_VERSIONS,
  MAIN_KUBECTL_VERSION,
  speaksProtobuf,
} from '../helpers/kubectl.js';
import { tempDir } from '../helpers/tmp.js';

const PB = 'application/vnd.kubernetes.protobuf';
const G = 'rbac.authorization.k8s.io';

/** The chart's RBAC and DaemonSet, as `helm template` renders them (the ServiceAccount itself is not served here). */
const chart = (tag: string, clusterRole = `fluentd-${tag}`) => `---
# Source: fluentd/templates/clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: fluentd-${tag}
  labels:
    app.kubernetes.io/name: fluentd
    app.kubernetes.io/instance: fluentd-${tag}
    app.kubernetes.io/managed-by: Helm
rules:
  - apiGroups:
      - ""
    resources:
      - pods
      - namespaces
    verbs:
      - get
      - list
      - watch
---
# Source: fluentd/templates/clusterrolebinding.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: fluentd-${tag}
  labels:
    app.kubernetes.io/name: fluentd
    app.kubernetes.io/instance: fluentd-${tag}
    app.kubernetes.io/managed-by: Helm
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: ${clusterRole}
subjects:
  - kind: ServiceAccount
    name: fluentd-${tag}
    namespace: kube-system
---
# Source: fluentd/templates/daemonset.yaml
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd-${tag}
  namespace: kube-system
  labels:
    app.kubernetes.io/name: fluentd
    app.kubernetes.io/instance: fluentd-${tag}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/instance: fluentd-${tag}
  template:
    metadata:
      labels:
        app.kubernetes.io/instance: fluentd-${tag}
    spec:
      serviceAccountName: fluentd-${tag}
      containers:
        - name: fluentd
          image: fluent/fluentd-kubernetes-daemonset:v1.16
`;

/** The request and response headers `-v=8` logs for the POST to a path containing `path`. */
function postOf(log: string, path: string): { request: string[]; response: string[] } {
  const out = { request: [] as string[], response: [] as string[] };
  let section: 'none' | 'request' | 'response' = 'none';
  for (const raw of log.split('\n')) {
    const line = raw.replace(/^[IWE]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] /, '');
    const req =
      /^"Request" verb="(\w+)" url="([^"]+)"/.exec(line) ?? /^(GET|POST|PUT|PATCH|DELETE) (http\S+)$/.exec(line);
    if (req) section = req[1] === 'POST' && req[2]!.includes(path) && out.request.length === 0 ? 'request' : 'none';
    else if (section !== 'none' && /^"Response"|^Response (Status|Headers)/.test(line)) section = 'response';
    else if (section !== 'none' && /^\s*Content-Type:/.test(line)) out[section].push(line.trim());
    else if (section === 'response' && /Response Body/.test(line)) section = 'none';
  }
  return out;
}

/** The trimmed, non-empty lines of an output. */
const linesOf = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');

/** The header line and the line of one object of `kubectl get` output, split on runs of spaces. */
function row(out: string, name: string): string[] {
  const line = linesOf(out).find((l) => l.split(/\s+/)[0] === name || l.split(/\s+/)[0]!.endsWith(`/${name}`));
  assert.ok(line, `${name} in\n${out}`);
  return line.split(/\s{2,}/);
}

describe('kubectl: rbac.authorization.k8s.io', { timeout: 480_000 }, () => {
  let cluster: Cluster;
  const files = tempDir('kubectl-rbac-');

  before(async () => {
    cluster = await startCluster();
  });
  after(async () => {
    await cluster?.stop();
    files.remove();
  });

  for (const version of KUBECTL_VERSIONS) {
    const tag = version.replace('.', '');
    const ns = `rbac-${tag}`;
    const itFull = itInFullScenario(version);
    describe(`kubectl ${version}`, () => {
      let k: Kubectl;
      before(async () => {
        k = new Kubectl(cluster.kubeconfig, version);
        await k.ok(['create', 'namespace', ns]);
      });
      after(() => k?.dispose());

      it('create role, clusterrole, rolebinding and clusterrolebinding', async () => {
        const r = await k.run([
          'create',
          'role',
          'pod-reader',
          '-n',
          ns,
          '--verb=get',
          '--verb=list',
          '--verb=watch',
          '--resource=pods,daemonsets.apps',
          '-v=8',
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim(), `role.${G}/pod-reader created`);
        const post = postOf(r.stderr, '/roles');
        assert.ok(post.request.length + post.response.length > 0, r.stderr);
        // kubectl 1.32 and 1.33 send the Role in protobuf and read the answer in protobuf (1.20 does not log what it
        // sends).
        const encoding = speaksProtobuf(version) ? PB : 'application/json';
        if (version !== '1.20') assert.ok(post.request.includes(`Content-Type: ${encoding}`), post.request.join(' | '));
        assert.ok(
          post.response.some((h) => h.startsWith(`Content-Type: ${encoding}`)),
          post.response.join(' | '),
        );
        const role = (await cluster.api('GET', `/apis/${G}/v1/namespaces/${ns}/roles/pod-reader`)).body;
        assert.deepEqual(role.rules, [
          { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
          { verbs: ['get', 'list', 'watch'], apiGroups: ['apps'], resources: ['daemonsets'] },
        ]);

        assert.equal(
          (
            await k.ok([
              'create',
              'clusterrole',
              `node-reader-${tag}`,
              '--verb=get,list',
              '--resource=nodes',
              '--resource-name=n1',
            ])
          ).trim(),
          `clusterrole.${G}/node-reader-${tag} created`,
        );
        assert.equal(
          (await k.ok(['create', 'clusterrole', `logs-${tag}`, '--verb=get', '--non-resource-url=/logs/*'])).trim(),
          `clusterrole.${G}/logs-${tag} created`,
        );
        assert.equal(
          (
            await k.ok([
              'create',
              'rolebinding',
              'read-pods',
              '-n',
              ns,
              '--role=pod-reader',
              '--user=jane',
              '--group=devs',
              `--serviceaccount=${ns}:builder`,
            ])
          ).trim(),
          `rolebinding.${G}/read-pods created`,
        );
        assert.equal(
          (
            await k.ok([
              'create',
              'rolebinding',
              'view-nodes',
              '-n',
              ns,
              `--clusterrole=node-reader-${tag}`,
              '--user=bob',
            ])
          ).trim(),
          `rolebinding.${G}/view-nodes created`,
        );
        assert.equal(
          (
            await k.ok([
              'create',
              'clusterrolebinding',
              `node-readers-${tag}`,
              `--clusterrole=node-reader-${tag}`,
              '--group=ops',
              '--serviceaccount=kube-system:agent',
            ])
          ).trim(),
          `clusterrolebinding.${G}/node-readers-${tag} created`,
        );
        const crb = (await cluster.api('GET', `/apis/${G}/v1/clusterrolebindings/node-readers-${tag}`)).body;
        assert.deepEqual(crb.roleRef, { apiGroup: G, kind: 'ClusterRole', name: `node-reader-${tag}` });
        assert.deepEqual(crb.subjects, [
          { kind: 'Group', apiGroup: G, name: 'ops' },
          { kind: 'ServiceAccount', name: 'agent', namespace: 'kube-system' },
        ]);
        // A second create is refused with the server's AlreadyExists.
        const again = await k.run(['create', 'role', 'pod-reader', '-n', ns, '--verb=get', '--resource=pods']);
        assert.notEqual(again.code, 0);
        assert.match(
          again.stderr,
          new RegExp(
            `Error from server \\(AlreadyExists\\): roles\\.${G.replace(/\./g, '\\.')} "pod-reader" already exists`,
          ),
        );
      });

      it('get -o wide: Created At for roles; Role, Users, Groups, ServiceAccounts for bindings', async () => {
        const roles = await k.ok(['get', 'roles', '-n', ns]);
        assert.deepEqual(linesOf(roles)[0]!.split(/\s{2,}/), ['NAME', 'CREATED AT']);
        assert.match(row(roles, 'pod-reader')[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const rbs = await k.ok(['get', 'rolebindings', '-n', ns, '-o', 'wide']);
        assert.deepEqual(linesOf(rbs)[0]!.split(/\s{2,}/), [
          'NAME',
          'ROLE',
          'AGE',
          'USERS',
          'GROUPS',
          'SERVICEACCOUNTS',
        ]);
        const readPods = row(rbs, 'read-pods');
        assert.deepEqual(
          [readPods[0], readPods[1], ...readPods.slice(3)],
          ['read-pods', 'Role/pod-reader', 'jane', 'devs', `${ns}/builder`],
        );
        assert.deepEqual(row(await k.ok(['get', 'rolebindings', '-n', ns]), 'view-nodes').slice(0, 2), [
          'view-nodes',
          `ClusterRole/node-reader-${tag}`,
        ]);
        const crbs = await k.ok(['get', 'clusterrolebinding', `node-readers-${tag}`, '-o', 'wide']);
        const crb = row(crbs, `node-readers-${tag}`);
        assert.deepEqual(
          [crb[0], crb[1], ...crb.slice(3)],
          [`node-readers-${tag}`, `ClusterRole/node-reader-${tag}`, 'ops', 'kube-system/agent'],
        );
        const crs = await k.ok(['get', 'clusterroles', '-o', 'wide']);
        assert.deepEqual(linesOf(crs)[0]!.split(/\s{2,}/), ['NAME', 'CREATED AT']);
        assert.ok(row(crs, `logs-${tag}`));
        const named = await k.ok(['get', 'roles,rolebindings', '-n', ns, '-o', 'name']);
        assert.deepEqual(linesOf(named).sort(), [
          `role.${G}/pod-reader`,
          `rolebinding.${G}/read-pods`,
          `rolebinding.${G}/view-nodes`,
        ]);
      });

      itFull('describe: the PolicyRule table of roles, the Role and Subjects of bindings', async () => {
        const role = linesOf(await k.ok(['describe', 'role', 'pod-reader', '-n', ns]));
        assert.deepEqual(role.slice(0, 4), [
          'Name:         pod-reader',
          'Labels:       <none>',
          'Annotations:  <none>',
          'PolicyRule:',
        ]);
        assert.match(role[4]!, /^\s+Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
        assert.deepEqual(
          role
            .slice(6)
            .map((l) => l.trim().split(/\s{2,}/))
            .sort(),
          [
            ['daemonsets.apps', '[]', '[]', '[get list watch]'],
            ['pods', '[]', '[]', '[get list watch]'],
          ],
        );
        const nodes = linesOf(await k.ok(['describe', 'clusterrole', `node-reader-${tag}`]));
        assert.deepEqual(
          nodes
            .at(-1)!
            .trim()
            .split(/\s{2,}/),
          ['nodes', '[]', '[n1]', '[get list]'],
        );
        const logs = linesOf(await k.ok(['describe', 'clusterrole', `logs-${tag}`]));
        assert.deepEqual(
          logs
            .at(-1)!
            .trim()
            .split(/\s{2,}/),
          ['[/logs/*]', '[]', '[get]'],
        );
        const rb = linesOf(await k.ok(['describe', 'rolebinding', 'read-pods', '-n', ns]));
        assert.deepEqual(rb.slice(0, 6), [
          'Name:         read-pods',
          'Labels:       <none>',
          'Annotations:  <none>',
          'Role:',
          '  Kind:  Role',
          '  Name:  pod-reader',
        ]);
        assert.equal(rb[6], 'Subjects:');
        assert.deepEqual(
          rb.slice(9).map((l) => l.trim().split(/\s{2,}/)),
          [
            ['User', 'jane'],
            ['Group', 'devs'],
            ['ServiceAccount', 'builder', ns],
          ],
        );
        const crb = linesOf(await k.ok(['describe', 'clusterrolebinding', `node-readers-${tag}`]));
        assert.deepEqual(crb.slice(3, 6), ['Role:', '  Kind:  ClusterRole', `  Name:  node-reader-${tag}`]);
      });

      itFull(
        "apply a chart's ClusterRole, ClusterRoleBinding and DaemonSet; unchanged the second time; the roleRef cannot change",
        async () => {
          const file = join(files.path, `chart-${tag}.yaml`);
          writeFileSync(file, chart(tag));
          assert.deepEqual(linesOf(await k.ok(['apply', '-f', file])), [
            `clusterrole.${G}/fluentd-${tag} created`,
            `clusterrolebinding.${G}/fluentd-${tag} created`,
            `daemonset.apps/fluentd-${tag} created`,
          ]);
          assert.deepEqual(linesOf(await k.ok(['apply', '-f', file])), [
            `clusterrole.${G}/fluentd-${tag} unchanged`,
            `clusterrolebinding.${G}/fluentd-${tag} unchanged`,
            `daemonset.apps/fluentd-${tag} unchanged`,
          ]);
          const crb = row(await k.ok(['get', 'clusterrolebinding', `fluentd-${tag}`, '-o', 'wide']), `fluentd-${tag}`);
          assert.deepEqual([crb[1], crb.at(-1)], [`ClusterRole/fluentd-${tag}`, `kube-system/fluentd-${tag}`]);
          const ds = (await cluster.api('GET', `/apis/apps/v1/namespaces/kube-system/daemonsets/fluentd-${tag}`)).body;
          assert.equal(ds.spec.template.spec.serviceAccountName, `fluentd-${tag}`);
          // An edited chart that binds another role: the server refuses, as kube-apiserver does.
          writeFileSync(file, chart(tag, 'view'));
          const changed = await k.run(['apply', '-f', file]);
          assert.notEqual(changed.code, 0);
          assert.match(
            changed.stderr,
            new RegExp(
              `The ClusterRoleBinding "fluentd-${tag}" is invalid: roleRef: Invalid value: rbac\\.RoleRef\\{APIGroup:"rbac\\.authorization\\.k8s\\.io", Kind:"ClusterRole", Name:"view"\\}: cannot change roleRef`,
            ),
          );
          if (version === MAIN_KUBECTL_VERSION) {
            // `auth reconcile` (typed rbac clients, protobuf) deletes and recreates a binding whose roleRef changed.
            const r = await k.run(['auth', 'reconcile', '-f', file]);
            assert.equal(r.code, 0, r.stderr);
            assert.deepEqual(linesOf(r.stdout), [
              `clusterrole.${G}/fluentd-${tag} reconciled`,
              `clusterrolebinding.${G}/fluentd-${tag} reconciled`,
            ]);
            assert.match(r.stderr, /reconciliation required recreate/);
            assert.equal(
              (await cluster.api('GET', `/apis/${G}/v1/clusterrolebindings/fluentd-${tag}`)).body.roleRef.name,
              'view',
            );
          }
          assert.deepEqual(linesOf(await k.ok(['delete', '-f', file])), [
            `clusterrole.${G} "fluentd-${tag}" deleted`,
            `clusterrolebinding.${G} "fluentd-${tag}" deleted`,
            `daemonset.apps "fluentd-${tag}" deleted`,
          ]);
          assert.equal((await cluster.api('GET', `/apis/${G}/v1/clusterroles/fluentd-${tag}`)).status, 404);
        },
      );

      it('delete roles, bindings and cluster roles', async () => {
        assert.deepEqual(linesOf(await k.ok(['delete', 'rolebinding', 'read-pods', 'view-nodes', '-n', ns])), [
          `rolebinding.${G} "read-pods" deleted`,
          `rolebinding.${G} "view-nodes" deleted`,
        ]);
        assert.deepEqual(linesOf(await k.ok(['delete', 'role', '--all', '-n', ns])), [
          `role.${G} "pod-reader" deleted`,
        ]);
        assert.deepEqual(linesOf(await k.ok(['delete', 'clusterrolebinding', `node-readers-${tag}`])), [
          `clusterrolebinding.${G} "node-readers-${tag}" deleted`,
        ]);
        assert.deepEqual(linesOf(await k.ok(['delete', 'clusterrole', `node-reader-${tag}`, `logs-${tag}`])), [
          `clusterrole.${G} "node-reader-${tag}" deleted`,
          `clusterrole.${G} "logs-${tag}" deleted`,
        ]);
        const left = await k.run(['get', 'roles,rolebindings', '-n', ns]);
        assert.equal(left.code, 0, left.stderr);
        assert.match(left.stderr, new RegExp(`No resources found in ${ns} namespace\\.`));
      });
    });
  }

  describe('ClusterRole aggregation (kubectl 1.32)', () => {
    let k: Kubectl;
    before(() => {
      k = new Kubectl(cluster.kubeconfig, MAIN_KUBECTL_VERSION);
    });
    after(() => k?.dispose());

    it('create clusterrole --aggregation-rule, then labelled cluster roles fill its rules', async () => {
      const label = 'rbac.example.com/aggregate-to-monitoring=true';
      assert.equal(
        (await k.ok(['create', 'clusterrole', 'monitoring', `--aggregation-rule=${label}`])).trim(),
        `clusterrole.${G}/monitoring created`,
      );
      await k.ok(['create', 'clusterrole', 'monitoring-endpoints', '--verb=get,list,watch', '--resource=pods,nodes']);
      await k.ok(['label', 'clusterrole', 'monitoring-endpoints', label]);
      const policyRows = async () =>
        linesOf(await k.ok(['describe', 'clusterrole', 'monitoring']))
          .slice(6)
          .map((l) => l.trim().split(/\s{2,}/))
          .sort();
      await eventually(async () => (await policyRows()).length === 2, {
        what: 'the aggregated rules',
        timeoutMs: 20_000,
      });
      assert.deepEqual(await policyRows(), [
        ['nodes', '[]', '[]', '[get list watch]'],
        ['pods', '[]', '[]', '[get list watch]'],
      ]);
      const cr = (await cluster.api('GET', `/apis/${G}/v1/clusterroles/monitoring`)).body;
      assert.ok(
        cr.metadata.managedFields.some(
          (f: { manager: string; operation: string }) =>
            f.manager === 'clusterrole-aggregation-controller' && f.operation === 'Apply',
        ),
        JSON.stringify(cr.metadata.managedFields),
      );
      // Removing the label takes the rules away again.
      await k.ok(['label', 'clusterrole', 'monitoring-endpoints', 'rbac.example.com/aggregate-to-monitoring-']);
      await eventually(async () => (await policyRows()).length === 0, { what: 'the rules to go', timeoutMs: 20_000 });
      await k.ok(['delete', 'clusterrole', 'monitoring', 'monitoring-endpoints']);
    });
  });
});
