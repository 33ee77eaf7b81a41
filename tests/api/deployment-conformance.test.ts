/**
 * Modelled on the upstream ReplicaSet and Deployment e2e cases ([sig-apps] ReplicaSet, [sig-apps] Deployment)
 * that need no real containers, against the whole emulator (API server + controller manager with simulated
 * kubelets): a basic ReplicaSet, adoption and release, the scale subresource, RollingUpdate, Recreate, rollover,
 * proportional scaling, the history limit, the progress deadline, garbage collection, the book's extensions/v1beta1
 * manifest, and a watched rolling update of 10 replicas within maxSurge 2 / maxUnavailable 1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startCluster, type Cluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/kubectl.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { WatchStream } from '../helpers/watch.js';

type Any = Record<string, any>;
const NS = 'e2e-deployments';
const D = `/apis/apps/v1/namespaces/${NS}/deployments`;
const RS = `/apis/apps/v1/namespaces/${NS}/replicasets`;
const PODS = `/api/v1/namespaces/${NS}/pods`;
const IMAGE = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const OTHER_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.45';
const BROKEN_IMAGE = 'registry.k8s.io/e2e-test-images/httpd:non-existent';

function template(labels: Record<string, string>, image = IMAGE): Any {
  return { metadata: { labels }, spec: { containers: [{ name: 'httpd', image }] } };
}

function deployment(name: string, labels: Record<string, string>, extra: Any = {}, image = IMAGE): Any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: template(labels, image), ...extra },
  };
}

function replicaSet(name: string, labels: Record<string, string>, replicas: number): Any {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, labels },
    spec: { replicas, selector: { matchLabels: labels }, template: template(labels) },
  };
}

const isReady = (p: Any) => (p.status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');

describe('ReplicaSet and Deployment e2e cases', () => {
  let c: Cluster;

  before(async () => {
    c = await startCluster({ nodes: 3, speed: 0.1 });
    assert.equal((await c.api('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  });
  after(async () => {
    await c?.stop();
  });

  async function must(method: string, path: string, body?: unknown, status = [200, 201], type?: string) {
    const res = await c.api(method, path, body, type);
    assert.ok(status.includes(res.status), `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Active pods (not being deleted) matching a label selector string. */
  async function pods(selector: string): Promise<Any[]> {
    const list = await must('GET', `${PODS}?labelSelector=${encodeURIComponent(selector)}`);
    return (list.items as Any[]).filter((p) => !p.metadata.deletionTimestamp);
  }

  async function replicaSetsOf(d: Any): Promise<Any[]> {
    const list = await must('GET', RS);
    return (list.items as Any[]).filter((rs) =>
      (rs.metadata.ownerReferences ?? []).some((o: Any) => o.controller && o.uid === d.metadata.uid),
    );
  }

  /** Waits until the Deployment reports every replica updated and available for its generation. */
  async function rolledOut(name: string, timeoutMs = 30000): Promise<Any> {
    return eventually(
      async () => {
        const d = await must('GET', `${D}/${name}`);
        const n = d.spec.replicas;
        const s = d.status ?? {};
        return s.observedGeneration >= d.metadata.generation &&
          s.updatedReplicas === n &&
          s.replicas === n &&
          s.availableReplicas === n
          ? d
          : undefined;
      },
      { timeoutMs, what: `deployment ${name} rolled out` },
    );
  }

  it('ReplicaSet should serve a basic image on each replica', async () => {
    await must('POST', RS, replicaSet('basic-rs', { name: 'basic-rs' }, 2));
    await eventually(async () => (await pods('name=basic-rs')).filter(isReady).length === 2, { what: '2 ready pods' });
    const rs = await eventually(
      async () => {
        const r = await must('GET', `${RS}/basic-rs`);
        return r.status.readyReplicas === 2 && r.status.availableReplicas === 2 ? r : undefined;
      },
      { what: 'status' },
    );
    assert.equal(rs.status.fullyLabeledReplicas, 2);
    assert.equal(rs.status.observedGeneration, 1);
    for (const p of await pods('name=basic-rs')) {
      assert.match(p.metadata.name, /^basic-rs-[a-z0-9]{5}$/);
      assert.deepEqual(
        p.metadata.ownerReferences.map((o: Any) => [o.kind, o.name, o.controller, o.blockOwnerDeletion]),
        [['ReplicaSet', 'basic-rs', true, true]],
      );
    }
  });

  it('ReplicaSet should adopt matching pods on creation and release no longer matching pods', async () => {
    const orphan = await must('POST', PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod-adoption-release', labels: { name: 'pod-adoption-release' } },
      spec: { containers: [{ name: 'httpd', image: IMAGE }] },
    });
    await must('POST', RS, replicaSet('pod-adoption-release', { name: 'pod-adoption-release' }, 1));
    await eventually(
      async () => {
        const p = await must('GET', `${PODS}/pod-adoption-release`);
        return (
          p.metadata.uid === orphan.metadata.uid && p.metadata.ownerReferences?.[0]?.name === 'pod-adoption-release'
        );
      },
      { what: 'adoption' },
    );
    // the adopted pod counts: no second pod is created
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await pods('name=pod-adoption-release')).length, 1);
    // change its labels: it is released and replaced
    await must(
      'PATCH',
      `${PODS}/pod-adoption-release`,
      { metadata: { labels: { name: 'not-matching' } } },
      [200],
      'application/merge-patch+json',
    );
    await eventually(
      async () => {
        const p = await must('GET', `${PODS}/pod-adoption-release`);
        return (p.metadata.ownerReferences ?? []).length === 0;
      },
      { what: 'release' },
    );
    await eventually(async () => (await pods('name=pod-adoption-release')).length === 1, { what: 'replacement' });
  });

  it('ReplicaSet should have a working scale subresource and delete the least valuable pods first', async () => {
    const scale = await must('GET', `${RS}/basic-rs/scale`);
    assert.equal(scale.spec.replicas, 2);
    assert.equal(scale.status.selector, 'name=basic-rs');
    await must('PUT', `${RS}/basic-rs/scale`, { ...scale, spec: { replicas: 4 } });
    await eventually(async () => (await pods('name=basic-rs')).length === 4, { what: '4 pods' });
    // scale down right away: the pods not yet ready go first
    const before = await pods('name=basic-rs');
    const notReady = before.filter((p) => !isReady(p)).map((p) => p.metadata.name);
    await must('PATCH', `${RS}/basic-rs/scale`, { spec: { replicas: 2 } }, [200], 'application/merge-patch+json');
    await eventually(async () => (await pods('name=basic-rs')).length === 2, { what: '2 pods' });
    const left = (await pods('name=basic-rs')).map((p) => p.metadata.name);
    for (const n of notReady.slice(0, 2))
      assert.ok(!left.includes(n), `${n} (not ready) should have been deleted first`);
  });

  it('RollingUpdateDeployment should delete old pods and create new ones (adopting an existing ReplicaSet)', async () => {
    const labels = { name: 'sample-pod' };
    // as upstream, the adopted ReplicaSet carries a revision; the new one is the next
    const old0 = replicaSet('test-rolling-update-controller', labels, 1);
    old0.metadata.annotations = { 'deployment.kubernetes.io/revision': '3546343826724305833' };
    await must('POST', RS, old0);
    await eventually(async () => (await pods('name=sample-pod')).filter(isReady).length === 1, { what: 'old pod' });
    await must('POST', D, deployment('test-rolling-update-deployment', labels, {}, OTHER_IMAGE));
    const d = await rolledOut('test-rolling-update-deployment');
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3546343826724305834');
    const rss = await replicaSetsOf(d);
    assert.equal(rss.length, 2, 'the adopted ReplicaSet is kept as history');
    const old = rss.find((r) => r.metadata.name === 'test-rolling-update-controller')!;
    assert.equal(old.spec.replicas, 0);
    const cur = rss.find((r) => r !== old)!;
    assert.equal(cur.metadata.annotations['deployment.kubernetes.io/revision'], '3546343826724305834');
    assert.equal(cur.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '1');
    assert.equal(cur.metadata.annotations['deployment.kubernetes.io/max-replicas'], '2');
    const hash = cur.metadata.labels['pod-template-hash'];
    assert.equal(cur.metadata.name, `test-rolling-update-deployment-${hash}`);
    const ps = await eventually(async () => {
      const list = await pods('name=sample-pod');
      return list.length === 1 && list[0]!.metadata.labels['pod-template-hash'] === hash ? list : undefined;
    });
    assert.ok(ps);
    assert.equal(ps[0]!.spec.containers[0].image, OTHER_IMAGE);
    const conds = Object.fromEntries((d.status.conditions as Any[]).map((x) => [x.type, x]));
    assert.equal(conds.Available.reason, 'MinimumReplicasAvailable');
    assert.equal(conds.Progressing.reason, 'NewReplicaSetAvailable');
    assert.equal(conds.Progressing.message, `ReplicaSet "${cur.metadata.name}" has successfully progressed.`);
  });

  it('RecreateDeployment should delete old pods before new ones are created', async () => {
    const labels = { name: 'sample-pod-3' };
    await must(
      'POST',
      D,
      deployment('test-recreate-deployment', labels, { replicas: 3, strategy: { type: 'Recreate' } }),
    );
    const d = await rolledOut('test-recreate-deployment');
    const rv = (await must('GET', PODS)).metadata.resourceVersion;
    const watch = await WatchStream.open(
      `${c.url}${PODS}?watch=true&resourceVersion=${rv}&labelSelector=${encodeURIComponent('name=sample-pod-3')}`,
    );
    try {
      await must(
        'PATCH',
        `${D}/test-recreate-deployment`,
        { spec: { template: { spec: { containers: [{ name: 'httpd', image: OTHER_IMAGE }] } } } },
        [200],
        'application/strategic-merge-patch+json',
      );
      await rolledOut('test-recreate-deployment');
      await new Promise((r) => setTimeout(r, 200));
      // replay: no pod of the new template may exist while a pod of the old one does
      const alive = new Map<string, string>();
      for (const ev of watch.received) {
        const p = ev.object;
        if (ev.type === 'DELETED') alive.delete(p.metadata.name);
        else alive.set(p.metadata.name, p.spec.containers[0].image);
        const images = new Set(alive.values());
        assert.ok(!(images.has(IMAGE) && images.has(OTHER_IMAGE)), 'old and new pods at once');
      }
    } finally {
      watch.close();
    }
    const rss = await replicaSetsOf(d);
    assert.equal(rss.length, 2);
  });

  it('deployment should support rollover (a stuck rollout replaced by a newer template)', async () => {
    const labels = { name: 'rollover-pod' };
    await must(
      'POST',
      D,
      deployment('test-rollover-deployment', labels, {
        replicas: 1,
        minReadySeconds: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    await rolledOut('test-rollover-deployment');
    await must(
      'PATCH',
      `${D}/test-rollover-deployment`,
      { spec: { template: { spec: { containers: [{ name: 'httpd', image: BROKEN_IMAGE }] } } } },
      [200],
      'application/strategic-merge-patch+json',
    );
    // the broken ReplicaSet exists, its pod never becomes ready
    await eventually(
      async () => (await replicaSetsOf(await must('GET', `${D}/test-rollover-deployment`))).length === 2,
    );
    await must(
      'PATCH',
      `${D}/test-rollover-deployment`,
      { spec: { template: { spec: { containers: [{ name: 'httpd', image: OTHER_IMAGE }] } } } },
      [200],
      'application/strategic-merge-patch+json',
    );
    const d = await rolledOut('test-rollover-deployment');
    const rss = await replicaSetsOf(d);
    assert.equal(rss.length, 3);
    for (const rs of rss) {
      const image = rs.spec.template.spec.containers[0].image;
      assert.equal(rs.spec.replicas, image === OTHER_IMAGE ? 1 : 0, `${rs.metadata.name} (${image})`);
    }
    assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  it('deployment should support proportional scaling', async () => {
    const labels = { name: 'proportional' };
    await must(
      'POST',
      D,
      deployment('webserver', labels, {
        replicas: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      }),
    );
    await rolledOut('webserver', 60000);
    await must(
      'PATCH',
      `${D}/webserver`,
      { spec: { template: { spec: { containers: [{ name: 'httpd', image: BROKEN_IMAGE }] } } } },
      [200],
      'application/strategic-merge-patch+json',
    );
    const sizes = async () => {
      const d = await must('GET', `${D}/webserver`);
      const rss = await replicaSetsOf(d);
      const first = rss.find((r) => r.spec.template.spec.containers[0].image === IMAGE);
      const second = rss.find((r) => r.spec.template.spec.containers[0].image === BROKEN_IMAGE);
      return [first?.spec.replicas, second?.spec.replicas];
    };
    // the rollout stalls: 8 old pods available, 5 new ones that never become ready
    await eventually(async () => JSON.stringify(await sizes()) === '[8,5]', {
      timeoutMs: 30000,
      what: 'stalled at 8/5',
    });
    await must('PATCH', `${D}/webserver/scale`, { spec: { replicas: 30 } }, [200], 'application/merge-patch+json');
    // 33 allowed: 20 for the first (8*33/13), 13 for the second (5*33/13)
    await eventually(async () => JSON.stringify(await sizes()) === '[20,13]', {
      timeoutMs: 30000,
      what: 'proportional 20/13',
    });
    await must('DELETE', `${D}/webserver`);
  });

  it('deployment should delete old replica sets beyond revisionHistoryLimit', async () => {
    const labels = { name: 'cleanup-pod' };
    await must('POST', RS, replicaSet('test-cleanup-controller', labels, 1));
    await must('POST', D, deployment('test-cleanup-deployment', labels, { revisionHistoryLimit: 0 }, OTHER_IMAGE));
    const d = await rolledOut('test-cleanup-deployment');
    await eventually(async () => (await replicaSetsOf(d)).length === 1, { what: 'only the new ReplicaSet left' });
    const gone = await c.api('GET', `${RS}/test-cleanup-controller`);
    assert.equal(gone.status, 404);
  });

  it('a rollout without progress reports ProgressDeadlineExceeded', async () => {
    const labels = { name: 'deadline' };
    await must('POST', D, deployment('deadline', labels, { progressDeadlineSeconds: 2 }, BROKEN_IMAGE));
    const d = await eventually(
      async () => {
        const x = await must('GET', `${D}/deadline`);
        const p = (x.status?.conditions ?? []).find((k: Any) => k.type === 'Progressing');
        return p?.reason === 'ProgressDeadlineExceeded' ? x : undefined;
      },
      { timeoutMs: 20000, what: 'ProgressDeadlineExceeded' },
    );
    const p = d.status.conditions.find((k: Any) => k.type === 'Progressing');
    assert.equal(p.status, 'False');
    assert.match(p.message, /^ReplicaSet "deadline-[a-z0-9]+" has timed out progressing\.$/);
    const a = d.status.conditions.find((k: Any) => k.type === 'Available');
    assert.deepEqual([a.status, a.reason], ['False', 'MinimumReplicasUnavailable']);
  });

  it('deleting a Deployment deletes its ReplicaSets and their pods (garbage collection)', async () => {
    const d = await must('GET', `${D}/test-rolling-update-deployment`);
    const rsNames = (await replicaSetsOf(d)).map((r) => r.metadata.name);
    await must('DELETE', `${D}/test-rolling-update-deployment`);
    await eventually(
      async () => {
        for (const n of rsNames) if ((await c.api('GET', `${RS}/${n}`)).status !== 404) return false;
        return (await pods('name=sample-pod')).length === 0;
      },
      { timeoutMs: 30000, what: 'ReplicaSets and pods collected' },
    );
  });

  it("the book's extensions/v1beta1 Deployment applies unchanged and rolls out", async () => {
    const manifest = parse(readFileSync(join(REPO_ROOT, 'examples', 'kuard-deployment.yaml'), 'utf8')) as Any;
    const created = await must('POST', `/apis/extensions/v1beta1/namespaces/${NS}/deployments`, manifest);
    assert.equal(created.apiVersion, 'extensions/v1beta1');
    assert.deepEqual(created.spec.selector, { matchLabels: { run: 'kuard' } });
    const d = await rolledOut('kuard');
    const rss = await replicaSetsOf(d);
    assert.equal(rss.length, 1);
    assert.equal(rss[0].metadata.annotations['kubernetes.io/change-cause'], 'Initial rollout of kuard 1');
    assert.equal((await pods('run=kuard')).filter(isReady).length, 3);
    // extensions/v1beta1 spec.rollbackTo (revision 0: the previous one) after a new image rolled out
    const EXT = `/apis/extensions/v1beta1/namespaces/${NS}/deployments/kuard`;
    await must(
      'PATCH',
      EXT,
      {
        spec: { template: { spec: { containers: [{ name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:green' }] } } },
      },
      [200],
      'application/strategic-merge-patch+json',
    );
    await eventually(
      async () => (await must('GET', `${D}/kuard`)).metadata.annotations['deployment.kubernetes.io/revision'] === '2',
    );
    await rolledOut('kuard');
    const withRollback = await must(
      'PATCH',
      EXT,
      { spec: { rollbackTo: { revision: 0 } } },
      [200],
      'application/merge-patch+json',
    );
    assert.deepEqual(withRollback.spec.rollbackTo, {});
    const back = await eventually(
      async () => {
        const x = await must('GET', EXT);
        return x.spec.rollbackTo === undefined && x.spec.template.spec.containers[0].image.endsWith(':blue')
          ? x
          : undefined;
      },
      { what: 'rolled back to blue' },
    );
    assert.equal(back.apiVersion, 'extensions/v1beta1');
    const rolled = await rolledOut('kuard');
    assert.equal(rolled.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  });

  it('a watched rolling update of 10 replicas stays within maxSurge 2 and maxUnavailable 1', async () => {
    const labels = { name: 'watched' };
    await must(
      'POST',
      D,
      deployment('watched', labels, {
        replicas: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
      }),
    );
    await rolledOut('watched', 60000);
    const list = await must('GET', `${PODS}?labelSelector=name%3Dwatched`);
    const state = new Map<string, Any>();
    for (const p of list.items as Any[]) state.set(p.metadata.name, p);
    const watch = await WatchStream.open(
      `${c.url}${PODS}?watch=true&resourceVersion=${list.metadata.resourceVersion}&labelSelector=name%3Dwatched`,
    );
    let maxPods = 0;
    let minAvailable = Number.POSITIVE_INFINITY;
    const check = () => {
      const active = [...state.values()].filter((p) => !p.metadata.deletionTimestamp);
      maxPods = Math.max(maxPods, active.length);
      minAvailable = Math.min(minAvailable, active.filter(isReady).length);
    };
    check();
    const consumer = (async () => {
      for (;;) {
        const ev = await watch.nextOrEnd(60000).catch(() => undefined);
        if (!ev) return;
        if (ev.type === 'DELETED') state.delete(ev.object.metadata.name);
        else state.set(ev.object.metadata.name, ev.object);
        check();
      }
    })();
    try {
      await must(
        'PATCH',
        `${D}/watched`,
        { spec: { template: { spec: { containers: [{ name: 'httpd', image: OTHER_IMAGE }] } } } },
        [200],
        'application/strategic-merge-patch+json',
      );
      await rolledOut('watched', 60000);
      await eventually(
        () =>
          [...state.values()]
            .filter((p) => !p.metadata.deletionTimestamp)
            .every((p) => p.spec.containers[0].image === OTHER_IMAGE),
        {
          timeoutMs: 20000,
          what: 'every pod updated',
        },
      );
    } finally {
      watch.close();
      await consumer;
    }
    assert.ok(maxPods <= 12, `at most 12 pods at once, saw ${maxPods}`);
    assert.ok(maxPods > 10, `the rollout surged (saw ${maxPods})`);
    assert.ok(minAvailable >= 9, `at least 9 available at any time, saw ${minAvailable}`);
  });
});
