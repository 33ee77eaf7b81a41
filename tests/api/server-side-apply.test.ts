// managedFields on every write and server-side apply (PATCH application/apply-patch+yaml), in-process server.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

type Any = Record<string, any>;
const APPLY = 'application/apply-patch+yaml';
const EXT = '/apis/extensions/v1beta1/namespaces/kube-system/daemonsets';
const APPS = '/apis/apps/v1/namespaces/kube-system/daemonsets';

interface Reply {
  status: number;
  body: Any;
  warnings: string[];
}

/** `manager/operation/apiVersion[/subresource]` of every managedFields entry. */
const owners = (obj: Any): string[] =>
  (obj.metadata?.managedFields ?? []).map(
    (e: Any) => `${e.manager}/${e.operation}/${e.apiVersion}${e.subresource ? `/${e.subresource}` : ''}`,
  );
const fieldsOf = (obj: Any, manager: string): Any =>
  (obj.metadata.managedFields as Any[]).find((e) => e.manager === manager)?.fieldsV1;

function fluentd(image: string, extra: Any = {}): Any {
  return {
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    metadata: { name: 'fluentd', namespace: 'kube-system', labels: { app: 'fluentd' } },
    spec: {
      template: {
        metadata: { labels: { app: 'fluentd' } },
        spec: {
          containers: [{ name: 'fluentd', image, resources: { limits: { memory: '200Mi' } } }],
          terminationGracePeriodSeconds: 30,
        },
      },
      ...extra,
    },
  };
}

describe('managedFields and server-side apply over HTTP', () => {
  let srv: InProcessServer;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
    userAgent?: string,
  ): Promise<Reply> => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': contentType };
    if (userAgent) headers['user-agent'] = userAgent;
    const res = await fetch(srv.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const header = res.headers.get('warning');
    const warnings = header
      ? [...header.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'))
      : [];
    return { status: res.status, body: text ? (JSON.parse(text) as Any) : {}, warnings };
  };

  before(async () => {
    srv = await startInProcess();
  });
  after(async () => {
    await srv.close();
  });

  describe('managedFields on create, patch and status updates', () => {
    it('create records the fieldManager parameter with FieldsV1 of everything it set, defaults included', async () => {
      const r = await call(
        'POST',
        `${EXT}?fieldManager=kubectl-client-side-apply&fieldValidation=Strict`,
        fluentd('fluent/fluentd:v0.14.10'),
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(owners(r.body), ['kubectl-client-side-apply/Update/extensions/v1beta1']);
      const entry = r.body.metadata.managedFields[0];
      assert.deepEqual(Object.keys(entry), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
      assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const f = entry.fieldsV1;
      assert.deepEqual(f['f:metadata'], { 'f:labels': { 'f:app': {}, '.': {} } });
      const container = f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"fluentd"}'];
      assert.deepEqual(Object.keys(container).sort(), [
        '.',
        'f:image',
        'f:imagePullPolicy',
        'f:name',
        'f:resources',
        'f:terminationMessagePath',
        'f:terminationMessagePolicy',
      ]);
      assert.deepEqual(container['f:resources'], { 'f:limits': { 'f:memory': {}, '.': {} }, '.': {} });
      assert.deepEqual(f['f:spec']['f:selector'], {}); // defaulted by extensions/v1beta1, an atomic struct
      assert.equal(f['f:status'], undefined); // reset by the strategy: nobody owns status through the main resource
    });

    it('without fieldManager the manager is the User-Agent up to its first slash', async () => {
      const r = await call(
        'POST',
        '/api/v1/nodes',
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { zone: 'a' } } },
        'application/json',
        'kubelet/v1.32.0 (linux/amd64) kubernetes/abc',
      );
      assert.deepEqual(owners(r.body), ['kubelet/Update/v1']);
      // Name, kind and the like are never owned: a create that sets nothing else records no manager.
      const bare = await call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } });
      assert.equal(bare.body.metadata.managedFields, undefined);
    });

    it('a label merge patch adds its own entry; a status update is recorded with subresource status', async () => {
      const label = await call(
        'PATCH',
        '/api/v1/nodes/n1?fieldManager=kubectl-label',
        { metadata: { labels: { ssd: 'true' } } },
        'application/merge-patch+json',
      );
      assert.equal(label.status, 200);
      assert.deepEqual(owners(label.body).sort(), ['kubectl-label/Update/v1', 'kubelet/Update/v1']);
      assert.deepEqual(fieldsOf(label.body, 'kubectl-label'), { 'f:metadata': { 'f:labels': { 'f:ssd': {} } } });
      const node = label.body;
      node.status = {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: '2024-01-01T00:00:00Z',
            lastTransitionTime: '2024-01-01T00:00:00Z',
          },
        ],
      };
      const status = await call('PUT', '/api/v1/nodes/n1/status', node, 'application/json', 'kubelet/v1.32.0');
      assert.equal(status.status, 200, JSON.stringify(status.body));
      assert.deepEqual(owners(status.body).sort(), [
        'kubectl-label/Update/v1',
        'kubelet/Update/v1',
        'kubelet/Update/v1/status',
      ]);
      const statusEntry = status.body.metadata.managedFields.find((e: Any) => e.subresource === 'status');
      assert.ok(statusEntry.fieldsV1['f:status']['f:conditions']['k:{"type":"Ready"}']);
      assert.equal(statusEntry.fieldsV1['f:spec'], undefined);
    });

    it('removing a label takes it away from its manager; a manager left with nothing disappears', async () => {
      const r = await call(
        'PATCH',
        '/api/v1/nodes/n1',
        { metadata: { labels: { ssd: null } } },
        'application/merge-patch+json',
        'kubectl/v1.32',
      );
      assert.deepEqual(owners(r.body).sort(), ['kubelet/Update/v1', 'kubelet/Update/v1/status']);
    });

    it('clients cannot break managedFields: invalid entries keep the live ones, [{}] clears them', async () => {
      const live = (await call('GET', '/api/v1/nodes/n1')).body;
      const invalid = await call('PUT', '/api/v1/nodes/n1', {
        ...live,
        metadata: { ...live.metadata, managedFields: [{ manager: 'x', operation: 'Bogus', fieldsType: 'FieldsV1' }] },
      });
      assert.equal(invalid.status, 200, JSON.stringify(invalid.body));
      assert.deepEqual(owners(invalid.body), owners(live));
      const cleared = await call('PUT', '/api/v1/nodes/n1', {
        ...invalid.body,
        metadata: { ...invalid.body.metadata, managedFields: [{}] },
      });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.metadata.managedFields, undefined);
      const later = await call(
        'PATCH',
        '/api/v1/nodes/n1',
        { metadata: { labels: { later: 'x' } } },
        'application/merge-patch+json',
      );
      assert.equal(later.body.metadata.managedFields, undefined); // untracked until someone applies
    });

    it('an invalid fieldManager is a 422 of the request options', async () => {
      const r = await call('POST', `/api/v1/nodes?fieldManager=${'m'.repeat(129)}`, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n9' },
      });
      assert.equal(r.status, 422);
      assert.equal(
        r.body.message,
        'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes',
      );
      assert.deepEqual(r.body.details.causes, [
        { reason: 'FieldValueTooLong', message: 'Too long: must have at most 128 bytes', field: 'fieldManager' },
      ]);
      const force = await call('PATCH', '/api/v1/nodes/n1?force=true', {}, 'application/merge-patch+json');
      assert.equal(force.status, 422);
      assert.equal(
        force.body.message,
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
      );
    });
  });

  describe('server-side apply', () => {
    it('needs a fieldManager', async () => {
      const r = await call('PATCH', `${EXT}/fluentd`, fluentd('x'), APPLY);
      assert.equal(r.status, 422);
      assert.equal(
        r.body.message,
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    });

    it('conflicts with the fields another manager owns (409 with one cause per field)', async () => {
      const r = await call(
        'PATCH',
        `${EXT}/fluentd?fieldManager=kubectl&fieldValidation=Strict`,
        fluentd('fluent/fluentd:v0.14.11'),
        APPLY,
      );
      assert.equal(r.status, 409);
      assert.equal(r.body.reason, 'Conflict');
      assert.equal(
        r.body.message,
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using extensions/v1beta1: .spec.template.spec.containers[name="fluentd"].image',
      );
      assert.deepEqual(r.body.details, {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "kubectl-client-side-apply" using extensions/v1beta1',
            field: '.spec.template.spec.containers[name="fluentd"].image',
          },
        ],
      });
    });

    it('applying values equal to the live ones shares ownership', async () => {
      const r = await call('PATCH', `${EXT}/fluentd?fieldManager=kubectl`, fluentd('fluent/fluentd:v0.14.10'), APPLY);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(owners(r.body), [
        'kubectl/Apply/extensions/v1beta1',
        'kubectl-client-side-apply/Update/extensions/v1beta1',
      ]);
      const applied = fieldsOf(r.body, 'kubectl');
      assert.deepEqual(applied['f:metadata'], { 'f:labels': { 'f:app': {} } });
      assert.ok(applied['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"fluentd"}']['f:image']);
    });

    it('force=true takes the field over from the other manager', async () => {
      const r = await call(
        'PATCH',
        `${EXT}/fluentd?fieldManager=kubectl&force=true`,
        fluentd('fluent/fluentd:v0.14.11'),
        APPLY,
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.spec.template.spec.containers[0].image, 'fluent/fluentd:v0.14.11');
      const csa = fieldsOf(r.body, 'kubectl-client-side-apply')['f:spec']['f:template']['f:spec']['f:containers'][
        'k:{"name":"fluentd"}'
      ];
      assert.equal(csa['f:image'], undefined);
      const apps = await call('GET', `${APPS}/fluentd`);
      assert.equal(apps.body.spec.template.spec.containers[0].image, 'fluent/fluentd:v0.14.11');
    });

    it('fields the applier no longer applies are removed unless another manager owns them', async () => {
      const withStrategy = fluentd('fluent/fluentd:v0.14.11', { minReadySeconds: 5 });
      const added = await call('PATCH', `${EXT}/fluentd?fieldManager=kubectl`, withStrategy, APPLY);
      assert.equal(added.body.spec.minReadySeconds, 5);
      const dropped = await call(
        'PATCH',
        `${EXT}/fluentd?fieldManager=kubectl`,
        fluentd('fluent/fluentd:v0.14.11'),
        APPLY,
      );
      assert.equal(dropped.status, 200);
      assert.equal(dropped.body.spec.minReadySeconds, undefined);
      // terminationGracePeriodSeconds is co-owned by kubectl-client-side-apply: it stays.
      const config = fluentd('fluent/fluentd:v0.14.11');
      delete config.spec.template.spec.terminationGracePeriodSeconds;
      const kept = await call('PATCH', `${EXT}/fluentd?fieldManager=kubectl`, config, APPLY);
      assert.equal(kept.body.spec.template.spec.terminationGracePeriodSeconds, 30);
    });

    it('kubectl upgrades from client-side apply: fields its last-applied configuration explains do not conflict', async () => {
      const ANN = 'kubectl.kubernetes.io/last-applied-configuration';
      const manifest = fluentd('fluent/fluentd:v1');
      manifest.metadata.name = 'csa';
      const lastApplied = JSON.stringify({ ...manifest, metadata: { ...manifest.metadata, annotations: {} } });
      const created = await call('POST', `${EXT}?fieldManager=kubectl-client-side-apply`, {
        ...manifest,
        metadata: { ...manifest.metadata, annotations: { [ANN]: lastApplied } },
      });
      assert.equal(created.status, 201);
      const next = fluentd('fluent/fluentd:v2');
      next.metadata.name = 'csa';
      assert.equal((await call('PATCH', `${EXT}/csa?fieldManager=other`, next, APPLY)).status, 409);
      const r = await call('PATCH', `${EXT}/csa?fieldManager=kubectl`, next, APPLY);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.spec.template.spec.containers[0].image, 'fluent/fluentd:v2');
      assert.equal(
        JSON.parse(r.body.metadata.annotations[ANN]).spec.template.spec.containers[0].image,
        'fluent/fluentd:v2',
      );
    });

    it('creates the object when it does not exist (201, one Apply entry), from YAML', async () => {
      // a resource the server does not have
      const yaml = 'apiVersion: v1\nkind: Widget\n';
      assert.equal(
        (await call('PATCH', '/api/v1/namespaces/default/widgets/x?fieldManager=a', yaml, APPLY)).status,
        404,
      );
      const body = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: applied\n  labels:\n    zone: a\n';
      const r = await call('PATCH', '/api/v1/nodes/applied?fieldManager=tool', body, APPLY);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(owners(r.body), ['tool/Apply/v1']);
      assert.deepEqual(fieldsOf(r.body, 'tool'), { 'f:metadata': { 'f:labels': { 'f:zone': {} } } });
      assert.ok(r.body.metadata.uid);
      const again = await call('PATCH', '/api/v1/nodes/applied?fieldManager=tool', body, APPLY);
      assert.equal(again.status, 200);
      assert.equal(again.body.metadata.resourceVersion, r.body.metadata.resourceVersion); // nothing changed, nothing written
    });

    it('existing fields of an untracked object go to before-first-apply', async () => {
      const r = await call(
        'PATCH',
        '/api/v1/nodes/n1?fieldManager=tool',
        'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n    role: x\n',
        APPLY,
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(owners(r.body), ['tool/Apply/v1', 'before-first-apply/Update/v1']);
      assert.ok(fieldsOf(r.body, 'before-first-apply')['f:metadata']['f:labels']['f:later']);
    });

    it('refuses bodies of another kind, without a name on create, with undeclared fields, or with managedFields', async () => {
      const other = await call(
        'PATCH',
        '/api/v1/nodes/n1?fieldManager=tool',
        { apiVersion: 'apps/v1', kind: 'Node', metadata: { name: 'n1' } },
        APPLY,
      );
      assert.deepEqual([other.status, other.body.message], [400, 'invalid object type: apps/v1, Kind=Node']);
      const noName = await call(
        'PATCH',
        '/api/v1/nodes/fresh?fieldManager=tool',
        { apiVersion: 'v1', kind: 'Node', metadata: { labels: { a: 'b' } } },
        APPLY,
      );
      assert.deepEqual(
        [noName.status, noName.body.message],
        [400, 'the name of the object () does not match the name on the URL (fresh)'],
      );
      const unknown = await call(
        'PATCH',
        '/api/v1/nodes/n1?fieldManager=tool',
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { foo: 1 } },
        APPLY,
      );
      assert.deepEqual(
        [unknown.status, unknown.body.message],
        [500, 'failed to create typed patch object (/n1; /v1, Kind=Node): .spec.foo: field not declared in schema'],
      );
      const managed = await call(
        'PATCH',
        '/api/v1/nodes/n1?fieldManager=tool',
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', managedFields: [] } },
        APPLY,
      );
      assert.deepEqual([managed.status, managed.body.message], [400, 'metadata.managedFields must be nil']);
      const notYaml = await call('PATCH', '/api/v1/nodes/n1?fieldManager=tool', 'a: [1', APPLY);
      assert.equal(notYaml.status, 400);
      assert.match(notYaml.body.message, /^error decoding YAML: /);
    });

    it('repeated keys follow fieldValidation', async () => {
      const body = 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n    role: first\n    role: second\n';
      const strict = await call('PATCH', '/api/v1/nodes/n1?fieldManager=tool&fieldValidation=Strict', body, APPLY);
      assert.equal(strict.status, 400, JSON.stringify(strict.body));
      assert.equal(
        strict.body.message,
        'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "role" already set in map',
      );
      const warn = await call('PATCH', '/api/v1/nodes/n1?fieldManager=tool', body, APPLY);
      assert.equal(warn.status, 200);
      assert.deepEqual(warn.warnings, ['line 7: key "role" already set in map']);
      assert.equal(warn.body.metadata.labels.role, 'second');
    });

    it('dryRun applies without storing', async () => {
      const r = await call(
        'PATCH',
        '/api/v1/nodes/dry?fieldManager=tool&dryRun=All',
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'dry' } },
        APPLY,
      );
      assert.equal(r.status, 201);
      assert.equal((await call('GET', '/api/v1/nodes/dry')).status, 404);
    });
  });
});
