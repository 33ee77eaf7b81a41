// ReplicaSets and Deployments through apps/v1 and extensions/v1beta1 (one stored object), their /status and
// /scale subresources, Tables and validation, against an in-process API server (no controllers).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api } from '../helpers/http.js';
import { PROTOBUF } from '../../server/protobuf/envelope.js';
import { pbRequest } from '../helpers/protobuf.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

type Any = Record<string, any>;
const NS = 'default';
const APPS_D = `/apis/apps/v1/namespaces/${NS}/deployments`;
const EXT_D = `/apis/extensions/v1beta1/namespaces/${NS}/deployments`;
const APPS_RS = `/apis/apps/v1/namespaces/${NS}/replicasets`;
const EXT_RS = `/apis/extensions/v1beta1/namespaces/${NS}/replicasets`;

function template(app: string, image = 'nginx:1.25'): Any {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image }] } };
}

function appsDeployment(name: string, extra: Any = {}): Any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: template(name), ...extra },
  };
}

describe('ReplicaSets and Deployments over HTTP', () => {
  let srv: InProcessServer;
  let api: Api;
  before(async () => {
    srv = await startInProcess();
    api = new Api(srv.url);
  });
  after(async () => {
    await srv.close();
  });

  it('discovery: rs and deploy in category all under apps/v1 only, with status and scale subresources', async () => {
    const apps = (await api.get('/apis/apps/v1')).body.resources as Any[];
    const ext = (await api.get('/apis/extensions/v1beta1')).body.resources as Any[];
    const find = (list: Any[], name: string): Any => list.find((r) => r.name === name)!;
    assert.deepEqual(
      [find(apps, 'deployments').shortNames, find(apps, 'deployments').categories],
      [['deploy'], ['all']],
    );
    assert.deepEqual([find(apps, 'replicasets').shortNames, find(apps, 'replicasets').categories], [['rs'], ['all']]);
    assert.equal(find(ext, 'deployments').shortNames, undefined);
    for (const [list, group, version] of [
      [apps, 'autoscaling', 'v1'],
      [ext, 'extensions', 'v1beta1'],
    ] as const) {
      for (const r of ['deployments', 'replicasets']) {
        const scale = find(list, `${r}/scale`);
        assert.deepEqual(scale.verbs, ['get', 'patch', 'update']);
        assert.equal(scale.kind, 'Scale');
        if (group === 'autoscaling') assert.deepEqual([scale.group, scale.version], [group, version]);
        assert.ok(find(list, `${r}/status`));
      }
    }
  });

  it('apps/v1 Deployment defaults: 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, replicas 1', async () => {
    const d = await api.expect(201, 'POST', APPS_D, { body: appsDeployment('web') });
    assert.deepEqual(d.spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    assert.equal(d.spec.replicas, 1);
    assert.equal(d.metadata.generation, 1);
    assert.deepEqual(d.status, {});
    assert.deepEqual(Object.keys(d.spec), [
      'replicas',
      'selector',
      'template',
      'strategy',
      'revisionHistoryLimit',
      'progressDeadlineSeconds',
    ]);
    // the same object through extensions/v1beta1
    const e = await api.expect(200, 'GET', `${EXT_D}/web`);
    assert.equal(e.apiVersion, 'extensions/v1beta1');
    assert.equal(e.spec.revisionHistoryLimit, 10);
  });

  it('extensions/v1beta1 Deployment defaults: selector and labels from the template, 1/1, unlimited history and no deadline', async () => {
    const d = await api.expect(201, 'POST', EXT_D, {
      body: {
        apiVersion: 'extensions/v1beta1',
        kind: 'Deployment',
        metadata: { name: 'kuard' },
        spec: { replicas: 2, template: template('kuard') },
      },
    });
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'kuard' } });
    assert.deepEqual(d.metadata.labels, { app: 'kuard' });
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } });
    assert.equal(d.spec.revisionHistoryLimit, 2147483647);
    assert.equal(d.spec.progressDeadlineSeconds, 2147483647);
    const a = await api.expect(200, 'GET', `${APPS_D}/kuard`);
    assert.equal(a.apiVersion, 'apps/v1');
    assert.equal(a.spec.replicas, 2);
  });

  it('extensions/v1beta1 spec.rollbackTo is kept in the apps/v1 annotation and shown back as the field', async () => {
    const cur = await api.expect(200, 'GET', `${EXT_D}/kuard`);
    cur.spec.rollbackTo = { revision: 1 };
    const put = await api.expect(200, 'PUT', `${EXT_D}/kuard`, { body: cur });
    assert.deepEqual(put.spec.rollbackTo, { revision: 1 });
    const a = await api.expect(200, 'GET', `${APPS_D}/kuard`);
    assert.equal(a.metadata.annotations['deprecated.deployment.rollback.to'], '1');
    assert.equal(a.spec.rollbackTo, undefined);
  });

  it('apps/v1 requires a selector; validation speaks as upstream', async () => {
    const noSel = appsDeployment('bad');
    delete noSel.spec.selector;
    let res = await api.post(APPS_D, noSel);
    assert.equal(res.status, 422);
    assert.match(res.body.message, /spec\.selector: Required value/);
    assert.match(
      res.body.message,
      /spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"bad"\}: `selector` does not match template `labels`/,
    );

    res = await api.post(
      APPS_D,
      appsDeployment('bad', {
        replicas: -1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      }),
    );
    assert.equal(res.status, 422);
    assert.match(res.body.message, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.match(
      res.body.message,
      /spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0/,
    );

    res = await api.post(APPS_D, appsDeployment('bad', { strategy: { type: 'Recreate', rollingUpdate: {} } }));
    assert.match(
      res.body.message,
      /spec\.strategy\.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'/,
    );

    res = await api.post(APPS_D, appsDeployment('bad', { minReadySeconds: 10, progressDeadlineSeconds: 5 }));
    assert.match(
      res.body.message,
      /spec\.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds/,
    );

    res = await api.post(APPS_D, appsDeployment('bad', { strategy: { type: 'Sideways' } }));
    assert.match(
      res.body.message,
      /spec\.strategy\.Type: Unsupported value: "Sideways": supported values: "Recreate", "RollingUpdate"/,
    );
  });

  it('the apps/v1 selector is immutable; extensions/v1beta1 may change it', async () => {
    const d = await api.expect(200, 'GET', `${APPS_D}/web`);
    d.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
    d.spec.template.metadata.labels.tier = 'x';
    const res = await api.put(`${APPS_D}/web`, d);
    assert.equal(res.status, 422);
    assert.match(res.body.message, /spec\.selector: Invalid value: .*: field is immutable/);
    const e = await api.expect(200, 'GET', `${EXT_D}/web`);
    e.spec.selector = { matchLabels: { app: 'web', tier: 'x' } };
    e.spec.template.metadata.labels.tier = 'x';
    const ok = await api.expect(200, 'PUT', `${EXT_D}/web`, { body: e });
    assert.equal(ok.metadata.generation, 2);
  });

  it('generation moves on spec and annotation changes, not on label changes', async () => {
    const d = await api.expect(201, 'POST', APPS_D, { body: appsDeployment('gen') });
    const labelled = await api.expect(200, 'PATCH', `${APPS_D}/gen`, {
      body: { metadata: { labels: { x: 'y' } } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(labelled.metadata.generation, d.metadata.generation);
    const annotated = await api.expect(200, 'PATCH', `${APPS_D}/gen`, {
      body: { metadata: { annotations: { note: 'a' } } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(annotated.metadata.generation, 2);
  });

  it('/scale through apps/v1 is autoscaling/v1 Scale: GET, PUT with a resourceVersion precondition, PATCH', async () => {
    const d = await api.expect(200, 'GET', `${APPS_D}/gen`);
    const scale = await api.expect(200, 'GET', `${APPS_D}/gen/scale`);
    assert.deepEqual(scale, {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: 'gen',
        namespace: NS,
        uid: d.metadata.uid,
        resourceVersion: d.metadata.resourceVersion,
        creationTimestamp: d.metadata.creationTimestamp,
      },
      spec: { replicas: 1 },
      status: { replicas: 0, selector: 'app=gen' },
    });
    const put = await api.expect(200, 'PUT', `${APPS_D}/gen/scale`, { body: { ...scale, spec: { replicas: 4 } } });
    assert.equal(put.spec.replicas, 4);
    const after = await api.expect(200, 'GET', `${APPS_D}/gen`);
    assert.equal(after.spec.replicas, 4);
    assert.equal(after.metadata.generation, d.metadata.generation + 1);
    // the old resourceVersion is a stale precondition
    const stale = await api.put(`${APPS_D}/gen/scale`, { ...scale, spec: { replicas: 2 } });
    assert.equal(stale.status, 409);
    assert.match(stale.body.message, /Operation cannot be fulfilled on deployments\.apps "gen"/);
    const patched = await api.expect(200, 'PATCH', `${APPS_D}/gen/scale`, {
      body: { spec: { replicas: 6 } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(patched.spec.replicas, 6);
    const neg = await api.patch(`${APPS_D}/gen/scale`, { spec: { replicas: -1 } });
    assert.equal(neg.status, 422);
    assert.equal(
      neg.body.message,
      'Scale.autoscaling "gen" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    const missing = await api.get(`${APPS_D}/nope/scale`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'deployments.apps "nope" not found');
  });

  it('/scale through extensions/v1beta1 is its own Scale (selector map and targetSelector)', async () => {
    const scale = await api.expect(200, 'GET', `${EXT_D}/kuard/scale`);
    assert.equal(scale.apiVersion, 'extensions/v1beta1');
    assert.deepEqual(scale.status, { replicas: 0, selector: { app: 'kuard' }, targetSelector: 'app=kuard' });
    const put = await api.expect(200, 'PUT', `${EXT_D}/kuard/scale`, {
      body: { apiVersion: 'extensions/v1beta1', kind: 'Scale', metadata: { name: 'kuard' }, spec: { replicas: 3 } },
    });
    assert.equal(put.spec.replicas, 3);
    const wrongKind = await api.put(`${EXT_D}/kuard/scale`, {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'kuard' },
      spec: { replicas: 3 },
    });
    assert.equal(wrongKind.status, 400);
  });

  it('/status keeps the spec and checks the counters', async () => {
    const d = await api.expect(200, 'GET', `${APPS_D}/gen`);
    const st = await api.expect(200, 'PUT', `${APPS_D}/gen/status`, {
      body: {
        ...d,
        spec: { ...d.spec, replicas: 1 },
        status: { replicas: 6, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 },
      },
    });
    assert.equal(st.spec.replicas, 6);
    assert.deepEqual(st.status, { observedGeneration: 3, replicas: 6, readyReplicas: 2, availableReplicas: 1 });
    const bad = await api.put(`${APPS_D}/gen/status`, {
      ...st,
      status: { replicas: 1, readyReplicas: 1, availableReplicas: 2 },
    });
    assert.equal(bad.status, 422);
    assert.match(
      bad.body.message,
      /status\.availableReplicas: Invalid value: 2: cannot be greater than status\.replicas/,
    );
    assert.match(bad.body.message, /status\.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas/);
  });

  it('ReplicaSets: defaults per version, status.replicas always shown, field selector on status.replicas, Table', async () => {
    const rs = await api.expect(201, 'POST', APPS_RS, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'front' },
        spec: { selector: { matchLabels: { app: 'front' } }, template: template('front') },
      },
    });
    assert.equal(rs.spec.replicas, 1);
    assert.deepEqual(rs.status, { replicas: 0 });
    const ext = await api.expect(201, 'POST', EXT_RS, {
      body: {
        apiVersion: 'extensions/v1beta1',
        kind: 'ReplicaSet',
        metadata: { name: 'back' },
        spec: { replicas: 2, template: template('back') },
      },
    });
    assert.deepEqual(ext.spec.selector, { matchLabels: { app: 'back' } });
    assert.deepEqual(ext.metadata.labels, { app: 'back' });
    const sel = await api.expect(200, 'GET', `${APPS_RS}?fieldSelector=status.replicas=0`);
    assert.deepEqual(sel.items.map((i: Any) => i.metadata.name).sort(), ['back', 'front']);
    const none = await api.expect(200, 'GET', `${APPS_RS}?fieldSelector=status.replicas=1`);
    assert.equal(none.items.length, 0);
    const table = await api.expect(200, 'GET', APPS_RS, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.deepEqual(
      table.columnDefinitions.map((c: Any) => c.name),
      ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
    );
    const back = table.rows.find((r: Any) => r.cells[0] === 'back');
    assert.deepEqual(back.cells.slice(0, 4), ['back', 2, 0, 0]);
    const rsScale = await api.expect(200, 'GET', `${APPS_RS}/back/scale`);
    assert.deepEqual(rsScale.spec, { replicas: 2 });
    const noSel = await api.post(APPS_RS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'x' },
      spec: { template: template('x') },
    });
    assert.equal(noSel.status, 422);
    assert.match(noSel.body.message, /^ReplicaSet\.apps "x" is invalid: .*spec\.selector: Required value/);
  });

  it('Deployment Table: Ready as ready/desired, Up-to-date, Available', async () => {
    const table = await api.expect(200, 'GET', `${APPS_D}/gen`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.deepEqual(
      table.columnDefinitions.map((c: Any) => c.name),
      ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    );
    assert.deepEqual(table.rows[0].cells.slice(0, 4), ['gen', '2/6', 0, 1]);
    assert.equal(table.rows[0].cells[7], 'app=gen');
  });

  it('protobuf: Deployments, ReplicaSets and both Scales round-trip through the schema-driven codec', async () => {
    for (const path of [
      `${APPS_D}/gen`,
      `${EXT_D}/kuard`,
      `${APPS_RS}/back`,
      `${APPS_D}/gen/scale`,
      `${EXT_D}/kuard/scale`,
    ]) {
      const json = await api.expect(200, 'GET', path);
      const pb = await pbRequest(srv.url + path, 'GET');
      assert.equal(pb.status, 200);
      assert.ok(pb.contentType.startsWith(PROTOBUF), `${path}: ${pb.contentType}`);
      // Go's zero template creationTimestamp is JSON null and absent on the wire
      if (json.spec?.template?.metadata?.creationTimestamp === null)
        delete json.spec.template.metadata.creationTimestamp;
      assert.deepEqual(pb.body, json, path);
    }
    // a protobuf create through apps/v1
    const body = appsDeployment('pb');
    const created = await pbRequest(srv.url + APPS_D, 'POST', { body });
    assert.equal(created.status, 201);
    assert.equal(created.body.spec.progressDeadlineSeconds, 600);
  });
});
