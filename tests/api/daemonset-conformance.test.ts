/**
 * Modelled on the upstream DaemonSet e2e conformance cases ([sig-apps] Daemon set), against the whole emulator
 * (API server + controller manager with simulated kubelets): simple daemon, complex daemon with a node
 * selector and with node affinity, retry of failed daemon pods, list and delete a collection, and changes to
 * the status through PUT and merge patch of /status.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';

const NS = 'e2e-daemonsets';
const DS_PATH = `/apis/apps/v1/namespaces/${NS}/daemonsets`;
const LABELS = { 'daemonset-name': 'daemon-set' };

function daemonSet(
  name: string,
  extra: { nodeSelector?: Record<string, string>; affinity?: unknown; labels?: Record<string, string> } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS },
        spec: {
          containers: [
            { name: 'app', image: 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4', ports: [{ containerPort: 9376 }] },
          ],
          ...(extra.nodeSelector ? { nodeSelector: extra.nodeSelector } : {}),
          ...(extra.affinity ? { affinity: extra.affinity } : {}),
        },
      },
    },
  };
}

describe('DaemonSet e2e conformance cases', () => {
  let c: Cluster;
  let nodes: string[] = [];

  before(async () => {
    c = await startCluster({ nodes: 3, speed: 0.1 });
    assert.equal((await c.api('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
    nodes = ((await c.api('GET', '/api/v1/nodes')).body.items as any[]).map((n) => n.metadata.name).sort();
  });
  after(async () => {
    await c?.stop();
  });
  // each case starts without the previous case's DaemonSet, even when that case failed half-way
  beforeEach(async () => {
    if ((await c.api('GET', `${DS_PATH}/daemon-set`)).status === 200) await deleteAndWaitForGC('daemon-set');
  });

  /** Pods controlled by the DaemonSet (controller ownerRef uid), not being deleted, Ready — by node. */
  async function daemonPodsByNode(dsName: string): Promise<Map<string, any[]>> {
    const ds = await c.api('GET', `${DS_PATH}/${dsName}`);
    const uid = ds.body.metadata?.uid;
    const pods = (await c.api('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[];
    const out = new Map<string, any[]>();
    for (const p of pods) {
      const owner = (p.metadata.ownerReferences ?? []).find((o: any) => o.controller);
      if (!owner || owner.uid !== uid || p.metadata.deletionTimestamp) continue;
      const ready = (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
      if (!ready) continue;
      out.set(p.spec.nodeName, [...(out.get(p.spec.nodeName) ?? []), p]);
    }
    return out;
  }

  /** Exactly one available daemon pod on each expected node and none elsewhere (checkDaemonPodOnNodes). */
  async function runsOn(dsName: string, expected: string[], what: string): Promise<void> {
    await eventually(
      async () => {
        const byNode = await daemonPodsByNode(dsName);
        return (
          [...byNode.keys()].sort().join() === [...expected].sort().join() &&
          [...byNode.values()].every((ps) => ps.length === 1)
        );
      },
      { timeoutMs: 60_000, what },
    );
  }

  async function checkDaemonStatus(dsName: string): Promise<void> {
    await eventually(
      async () => {
        const s = (await c.api('GET', `${DS_PATH}/${dsName}`)).body.status ?? {};
        return s.desiredNumberScheduled === s.currentNumberScheduled && s.desiredNumberScheduled === s.numberReady;
      },
      { timeoutMs: 30_000, what: 'desired == current == ready' },
    );
  }

  async function deleteAndWaitForGC(dsName: string): Promise<void> {
    await c.api('DELETE', `${DS_PATH}/${dsName}`, { propagationPolicy: 'Background' });
    await runsOn(dsName, [], 'no daemon pods left');
    await eventually(
      async () => ((await c.api('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[]).length === 0,
      {
        timeoutMs: 60_000,
        what: 'the garbage collector to remove the daemon pods',
      },
    );
  }

  async function setNodeLabel(node: string, key: string, value: string | null): Promise<void> {
    const r = await c.api(
      'PATCH',
      `/api/v1/nodes/${node}`,
      { metadata: { labels: { [key]: value } } },
      'application/merge-patch+json',
    );
    assert.equal(r.status, 200);
  }

  it('should run and stop simple daemon', async () => {
    assert.equal((await c.api('POST', DS_PATH, daemonSet('daemon-set'))).status, 201);
    await runsOn('daemon-set', nodes, 'a daemon pod on every node');
    await checkDaemonStatus('daemon-set');
    const victim = [...(await daemonPodsByNode('daemon-set')).values()][0]![0];
    assert.equal((await c.api('DELETE', `/api/v1/namespaces/${NS}/pods/${victim.metadata.name}`)).status, 200);
    await eventually(
      async () => {
        const byNode = await daemonPodsByNode('daemon-set');
        return (
          byNode.size === nodes.length &&
          ![...byNode.values()].flat().some((p) => p.metadata.name === victim.metadata.name)
        );
      },
      { timeoutMs: 60_000, what: 'the deleted pod replaced' },
    );
    await deleteAndWaitForGC('daemon-set');
  });

  it('should run and stop complex daemon (node selector)', async () => {
    assert.equal(
      (await c.api('POST', DS_PATH, daemonSet('daemon-set', { nodeSelector: { 'daemonset-color': 'blue' } }))).status,
      201,
    );
    await runsOn('daemon-set', [], 'no pods before any node is blue');
    const node = nodes[0]!;
    await setNodeLabel(node, 'daemonset-color', 'blue');
    await runsOn('daemon-set', [node], 'a pod on the blue node');
    await checkDaemonStatus('daemon-set');
    await setNodeLabel(node, 'daemonset-color', 'green');
    await runsOn('daemon-set', [], 'the pod gone once the node is green');
    const patch = {
      spec: {
        template: { spec: { nodeSelector: { 'daemonset-color': 'green' } } },
        updateStrategy: { type: 'RollingUpdate' },
      },
    };
    assert.equal(
      (await c.api('PATCH', `${DS_PATH}/daemon-set`, patch, 'application/strategic-merge-patch+json')).status,
      200,
    );
    await runsOn('daemon-set', [node], 'a pod on the green node');
    await checkDaemonStatus('daemon-set');
    await deleteAndWaitForGC('daemon-set');
    await setNodeLabel(node, 'daemonset-color', null);
  });

  it('should run and stop complex daemon with node affinity', async () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'daemonset-color', operator: 'In', values: ['blue'] }] }],
        },
      },
    };
    assert.equal((await c.api('POST', DS_PATH, daemonSet('daemon-set', { affinity }))).status, 201);
    await runsOn('daemon-set', [], 'no pods before any node is blue');
    const node = nodes[1]!;
    await setNodeLabel(node, 'daemonset-color', 'blue');
    await runsOn('daemon-set', [node], 'a pod on the blue node');
    await setNodeLabel(node, 'daemonset-color', null);
    await runsOn('daemon-set', [], 'no pods once the label is gone');
    await deleteAndWaitForGC('daemon-set');
  });

  it('should retry creating failed daemon pods', async () => {
    assert.equal((await c.api('POST', DS_PATH, daemonSet('daemon-set'))).status, 201);
    await runsOn('daemon-set', nodes, 'a daemon pod on every node');
    const pod = [...(await daemonPodsByNode('daemon-set')).values()][0]![0];
    pod.metadata.resourceVersion = '';
    pod.status.phase = 'Failed';
    const put = await c.api('PUT', `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}/status`, pod);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await runsOn('daemon-set', nodes, 'the failed pod replaced');
    await eventually(
      async () => (await c.api('GET', `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`)).status === 404,
      {
        timeoutMs: 60_000,
        what: 'the failed pod deleted',
      },
    );
    // the event recorder writes asynchronously
    await eventually(
      async () => {
        const events = (await c.api('GET', `/api/v1/namespaces/${NS}/events?fieldSelector=reason%3DFailedDaemonPod`))
          .body.items as any[];
        return events.some((e) => e.type === 'Warning' && e.message.includes(pod.metadata.name));
      },
      { timeoutMs: 30_000, what: 'a FailedDaemonPod warning naming the pod' },
    );
    await deleteAndWaitForGC('daemon-set');
  });

  it('should list and delete a collection of DaemonSets', async () => {
    assert.equal((await c.api('POST', DS_PATH, daemonSet('daemon-set', { labels: LABELS }))).status, 201);
    await runsOn('daemon-set', nodes, 'a daemon pod on every node');
    await checkDaemonStatus('daemon-set');
    const listed = await c.api('GET', '/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Ddaemon-set');
    assert.equal(listed.body.items.length, 1);
    const del = await c.api('DELETE', `${DS_PATH}?gracePeriodSeconds=1&labelSelector=daemonset-name%3Ddaemon-set`);
    assert.equal(del.status, 200);
    const after = await c.api('GET', '/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Ddaemon-set');
    assert.equal(after.body.items.length, 0);
    await eventually(
      async () => ((await c.api('GET', `/api/v1/namespaces/${NS}/pods`)).body.items as any[]).length === 0,
      {
        timeoutMs: 60_000,
        what: 'the pods of the deleted collection gone',
      },
    );
  });

  it('should verify changes to a daemon set status', async () => {
    const listRV = (await c.api('GET', `/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Ddaemon-set`)).body
      .metadata.resourceVersion;
    assert.equal((await c.api('POST', DS_PATH, daemonSet('daemon-set', { labels: LABELS }))).status, 201);
    await runsOn('daemon-set', nodes, 'a daemon pod on every node');
    // UpdateStatus: GET + PUT /status appending a condition, retried on conflict
    await eventually(
      async () => {
        const cur = (await c.api('GET', `${DS_PATH}/daemon-set/status`)).body;
        cur.status.conditions = [
          ...(cur.status.conditions ?? []),
          { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' },
        ];
        const put = await c.api('PUT', `${DS_PATH}/daemon-set/status`, cur);
        return put.status === 200;
      },
      { timeoutMs: 30_000, what: 'the status PUT to succeed' },
    );
    const watchSees = async (type: string) => {
      const ac = new AbortController();
      const res = await fetch(
        `${c.url}/apis/apps/v1/daemonsets?labelSelector=daemonset-name%3Ddaemon-set&watch=true&resourceVersion=${listRV}`,
        { signal: ac.signal },
      );
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      const deadline = Date.now() + 30_000;
      try {
        while (Date.now() < deadline) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          for (const line of buf.split('\n').slice(0, -1)) {
            const ev = JSON.parse(line);
            if ((ev.object.status?.conditions ?? []).some((x: any) => x.type === type)) return true;
          }
          buf = buf.slice(buf.lastIndexOf('\n') + 1);
        }
        return false;
      } finally {
        ac.abort();
      }
    };
    assert.ok(await watchSees('StatusUpdate'), 'a watch event carries the StatusUpdate condition');
    // the merge patch the e2e test sends: a whole DaemonSet with zero values, only status.conditions set
    const body = {
      metadata: { creationTimestamp: null },
      spec: {
        selector: null,
        template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
        updateStrategy: {},
      },
      status: {
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
        conditions: [{ type: 'StatusPatched', status: 'True', lastTransitionTime: null }],
      },
    };
    const patched = await c.api('PATCH', `${DS_PATH}/daemon-set/status`, body, 'application/merge-patch+json');
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.spec.selector, { matchLabels: LABELS }, 'the status subresource keeps the spec');
    assert.ok(await watchSees('StatusPatched'), 'a watch event carries the StatusPatched condition');
    await deleteAndWaitForGC('daemon-set');
  });
});
