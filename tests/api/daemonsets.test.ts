// DaemonSets through both served versions and ControllerRevisions, against an in-process API server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { sharedFile } from '../helpers/paths.js';
import { useInProcessServer } from '../helpers/server.js';

type Any = Record<string, any>;
const ANN = 'deprecated.daemonset.template.generation';
const APPS = '/apis/apps/v1/namespaces/kube-system/daemonsets';
const EXT = '/apis/extensions/v1beta1/namespaces/kube-system/daemonsets';
const CR = '/apis/apps/v1/namespaces/kube-system/controllerrevisions';

/** The chapter's fluentd manifest (extensions/v1beta1, no selector), or an equivalent when the seed is absent. */
function fluentd(): Any {
  const path = sharedFile('seed', 'fluentd.yaml');
  if (path) return parse(readFileSync(path, 'utf8')) as Any;
  return {
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'kube-system', labels: { app: 'fluentd' } },
    spec: {
      template: {
        metadata: { labels: { app: 'fluentd' } },
        spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v0.14.10' }] },
      },
    },
  };
}

/** An apps/v1 DaemonSet named `name` with labels `app: <name>`. */
function appsDS(name: string, selector = true): Any {
  const spec: Any = {
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
  };
  if (selector) spec.selector = { matchLabels: { app: name } };
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name }, spec };
}

describe('DaemonSets over HTTP', () => {
  const { server } = useInProcessServer();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<{ status: number; body: Any }> => {
    const res = await fetch(server().url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Any) : {} };
  };

  it('discovery lists apps before extensions; only apps/v1 has ds and all', async () => {
    const groups = (await call('GET', '/apis')).body.groups.map((g: Any) => g.name);
    assert.ok(groups.indexOf('apps') >= 0 && groups.indexOf('apps') < groups.indexOf('extensions'), String(groups));
    const apps = (await call('GET', '/apis/apps/v1')).body.resources.find((r: Any) => r.name === 'daemonsets');
    const ext = (await call('GET', '/apis/extensions/v1beta1')).body.resources.find(
      (r: Any) => r.name === 'daemonsets',
    );
    assert.deepEqual([apps.shortNames, apps.categories], [['ds'], ['all']]);
    assert.deepEqual([ext.shortNames ?? [], ext.categories ?? []], [[], []]);
  });

  it('creates the chapter manifest through extensions/v1beta1 with that version defaults', async () => {
    const res = await call('POST', EXT, fluentd());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const ds = res.body;
    assert.equal(ds.apiVersion, 'extensions/v1beta1');
    assert.deepEqual(ds.spec.selector, { matchLabels: { app: 'fluentd' } });
    assert.deepEqual(ds.spec.updateStrategy, { type: 'OnDelete' });
    assert.equal(ds.spec.templateGeneration, 1);
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.equal(ds.metadata.generation, 1);
    assert.equal(ds.metadata.annotations?.[ANN], undefined);
    assert.deepEqual(ds.status, {
      currentNumberScheduled: 0,
      numberMisscheduled: 0,
      desiredNumberScheduled: 0,
      numberReady: 0,
    });
  });

  it('reads the same object through both versions', async () => {
    const a = (await call('GET', `${APPS}/fluentd`)).body;
    const e = (await call('GET', `${EXT}/fluentd`)).body;
    assert.equal(a.apiVersion, 'apps/v1');
    assert.equal(e.apiVersion, 'extensions/v1beta1');
    assert.equal(a.metadata.uid, e.metadata.uid);
    assert.equal(a.metadata.resourceVersion, e.metadata.resourceVersion);
    assert.equal(a.metadata.annotations[ANN], '1');
    assert.equal(a.spec.templateGeneration, undefined);
    assert.equal(e.spec.templateGeneration, 1);
    assert.equal(a.spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
    const list = (await call('GET', '/apis/apps/v1/daemonsets')).body;
    assert.equal(list.kind, 'DaemonSetList');
    assert.deepEqual(
      list.items.map((i: Any) => i.metadata.name),
      ['fluentd'],
    );
  });

  it('apps/v1 create without a selector is 422 (nil selector matches nothing)', async () => {
    const res = await call('POST', APPS, appsDS('nosel', false));
    assert.equal(res.status, 422);
    assert.equal(
      res.body.message,
      'DaemonSet.apps "nosel" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"nosel"}: `selector` does not match template `labels`',
    );
    assert.deepEqual(res.body.details, {
      name: 'nosel',
      group: 'apps',
      kind: 'DaemonSet',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: map[string]string{"app":"nosel"}: `selector` does not match template `labels`',
          field: 'spec.template.metadata.labels',
        },
      ],
    });
  });

  it('apps/v1 create defaults RollingUpdate; extensions hides maxSurge', async () => {
    const res = await call('POST', APPS, appsDS('web'));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.spec.updateStrategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(res.body.metadata.annotations[ANN], '1');
    const e = (await call('GET', `${EXT}/web`)).body;
    assert.deepEqual(e.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('PUT through apps/v1 may not change the selector', async () => {
    const ds = (await call('GET', `${APPS}/fluentd`)).body;
    ds.spec.selector.matchExpressions = [{ key: 'app', operator: 'Exists' }];
    const res = await call('PUT', `${APPS}/fluentd`, ds);
    assert.equal(res.status, 422);
    assert.equal(
      res.body.message,
      'DaemonSet.apps "fluentd" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"fluentd"}, MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Exists", Values:[]string(nil)}}}: field is immutable',
    );
  });

  it('PUT through extensions/v1beta1 may change the selector (generation +1, templateGeneration kept)', async () => {
    const ds = (await call('GET', `${EXT}/fluentd`)).body;
    ds.spec.selector.matchExpressions = [{ key: 'app', operator: 'Exists' }];
    ds.spec.templateGeneration = 77; // ignored on update
    const res = await call('PUT', `${EXT}/fluentd`, ds);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.spec.selector.matchExpressions, [{ key: 'app', operator: 'Exists' }]);
    assert.equal(res.body.metadata.generation, 2);
    assert.equal(res.body.spec.templateGeneration, 1);
  });

  it('a template change bumps generation and the templateGeneration annotation', async () => {
    const ds = (await call('GET', `${EXT}/fluentd`)).body;
    ds.spec.template.spec.containers[0].image = 'fluent/fluentd:v1.16';
    const res = await call('PUT', `${EXT}/fluentd`, ds);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.metadata.generation, 3);
    assert.equal(res.body.spec.templateGeneration, 2);
    const a = (await call('GET', `${APPS}/fluentd`)).body;
    assert.equal(a.metadata.annotations[ANN], '2');
    // A metadata-only change through apps/v1 bumps neither.
    a.metadata.labels.team = 'logging';
    const meta = await call('PUT', `${APPS}/fluentd`, a);
    assert.equal(meta.status, 200, JSON.stringify(meta.body));
    assert.deepEqual([meta.body.metadata.generation, meta.body.metadata.annotations[ANN]], [3, '2']);
  });

  it('errors through extensions/v1beta1 name that group', async () => {
    const ds = (await call('GET', `${EXT}/fluentd`)).body;
    ds.spec.template.spec.restartPolicy = 'OnFailure';
    const res = await call('PUT', `${EXT}/fluentd`, ds);
    assert.equal(res.status, 422);
    assert.equal(
      res.body.message,
      'DaemonSet.extensions "fluentd" is invalid: spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    );
    assert.equal(res.body.details.group, 'extensions');
  });

  it('PUT /status keeps the spec and takes the status', async () => {
    const ds = (await call('GET', `${APPS}/fluentd/status`)).body;
    const spec = ds.spec;
    ds.spec = { ...ds.spec, minReadySeconds: 99 };
    ds.status = {
      ...ds.status,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 2,
      observedGeneration: 3,
    };
    const res = await call('PUT', `${APPS}/fluentd/status`, ds);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.spec, spec);
    assert.equal(res.body.metadata.generation, 3);
    assert.deepEqual(res.body.status, {
      currentNumberScheduled: 3,
      numberMisscheduled: 0,
      desiredNumberScheduled: 3,
      numberReady: 2,
      observedGeneration: 3,
    });
    const bad = await call('PUT', `${APPS}/fluentd/status`, {
      ...res.body,
      status: { ...res.body.status, numberReady: -1 },
    });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body.message,
      'DaemonSet.apps "fluentd" is invalid: status.numberReady: Invalid value: -1: must be greater than or equal to 0',
    );
  });

  it('a merge patch to /status (the e2e body) changes only the status', async () => {
    const before = (await call('GET', `${APPS}/fluentd`)).body;
    const patch = {
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
    const res = await call('PATCH', `${APPS}/fluentd/status`, patch, 'application/merge-patch+json');
    assert.equal(res.status, 200, `PATCH /status: ${JSON.stringify(res.body)}`);
    assert.deepEqual(res.body.spec, before.spec);
    assert.equal(res.body.metadata.creationTimestamp, before.metadata.creationTimestamp);
    assert.equal(res.body.metadata.generation, before.metadata.generation);
    assert.deepEqual(
      res.body.status.conditions.map((c: Any) => [c.type, c.status]),
      [['StatusPatched', 'True']],
    );
  });

  it('a strategic merge patch of the image through apps/v1 bumps templateGeneration', async () => {
    const patch = {
      spec: { template: { spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v1.17' }] } } },
    };
    const res = await call('PATCH', `${APPS}/fluentd`, patch, 'application/strategic-merge-patch+json');
    assert.equal(res.status, 200, `PATCH: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.spec.template.spec.containers[0].image, 'fluent/fluentd:v1.17');
    assert.equal(res.body.spec.template.spec.containers[0].volumeMounts?.length, 2);
    assert.deepEqual([res.body.metadata.generation, res.body.metadata.annotations[ANN]], [4, '3']);
  });

  it('a templateGeneration given at create is kept and counts on (e2e 1.8/1.10)', async () => {
    const body = appsDS('tg999');
    body.apiVersion = 'extensions/v1beta1';
    body.spec.updateStrategy = { type: 'RollingUpdate' };
    body.spec.templateGeneration = 999;
    const res = await call('POST', EXT, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.spec.templateGeneration, 999);
    assert.deepEqual(res.body.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    const patch = { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } } };
    const patched = await call('PATCH', `${EXT}/tg999`, patch, 'application/strategic-merge-patch+json');
    assert.equal(patched.status, 200, `PATCH: ${JSON.stringify(patched.body)}`);
    assert.equal(patched.body.spec.templateGeneration, 1000);
    const a = (await call('GET', `${APPS}/tg999`)).body;
    assert.equal(a.metadata.annotations[ANN], '1000');
    assert.deepEqual(a.spec.updateStrategy.rollingUpdate, { maxUnavailable: 1, maxSurge: 0 });
    assert.equal((await call('DELETE', `${APPS}/tg999`)).status, 200);
  });

  it('DELETE through extensions/v1beta1 without a policy orphans (finalizer, 200 with the object)', async () => {
    const res = await call('DELETE', `${EXT}/fluentd`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.kind, 'DaemonSet');
    assert.deepEqual(res.body.metadata.finalizers, ['orphan']);
    assert.ok(res.body.metadata.deletionTimestamp);
    const still = await call('GET', `${APPS}/fluentd`);
    assert.equal(still.status, 200);
    assert.deepEqual(still.body.metadata.finalizers, ['orphan']);
    // Once the finalizer is removed (the garbage collector's job), the object goes.
    still.body.metadata.finalizers = [];
    const fin = await call('PUT', `${APPS}/fluentd`, still.body);
    assert.equal(fin.status, 200, JSON.stringify(fin.body));
    assert.equal((await call('GET', `${APPS}/fluentd`)).status, 404);
  });

  it('DELETE through apps/v1 without a policy removes the object (Status Success)', async () => {
    const res = await call('DELETE', `${APPS}/web`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.kind, 'Status');
    assert.equal(res.body.status, 'Success');
    const gone = await call('GET', `${EXT}/web`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.message, 'daemonsets.extensions "web" not found');
  });
});

describe('ControllerRevisions over HTTP', () => {
  const { server } = useInProcessServer();
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Any }> => {
    const res = await fetch(server().url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Any };
  };

  const data = { spec: { template: { $patch: 'replace', metadata: { creationTimestamp: null } } } };

  it('creates with data and revision', async () => {
    const res = await call('POST', CR, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'ds-abc' },
      data,
      revision: 1,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.data, res.body.revision], [data, 1]);
  });

  it('requires data', async () => {
    const res = await call('POST', CR, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'nodata' },
      revision: 1,
    });
    assert.equal(res.status, 422);
    assert.equal(
      res.body.message,
      'ControllerRevision.apps "nodata" is invalid: data: Required value: data is mandatory',
    );
  });

  it('revision may change', async () => {
    const cr = (await call('GET', `${CR}/ds-abc`)).body;
    cr.revision = 3;
    const res = await call('PUT', `${CR}/ds-abc`, cr);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.revision, 3);
  });

  it('data is immutable', async () => {
    const cr = (await call('GET', `${CR}/ds-abc`)).body;
    cr.data = { spec: {} };
    const res = await call('PUT', `${CR}/ds-abc`, cr);
    assert.equal(res.status, 422);
    assert.match(
      res.body.message,
      /^ControllerRevision\.apps "ds-abc" is invalid: data: Invalid value: runtime\.Unknown\{.*\}: field is immutable$/,
    );
    assert.equal(res.body.details.causes[0].field, 'data');
  });

  it('has no status subresource and DELETE removes it', async () => {
    assert.equal((await call('PUT', `${CR}/ds-abc/status`, {})).status, 404);
    const res = await call('DELETE', `${CR}/ds-abc`);
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'Success');
  });
});
