/**
 * pods/binding over HTTP (server/registry/resources/pod-binding.ts), as a scheduler calls it: a POST of a core/v1
 * Binding sets the pod's spec.nodeName and PodScheduled=True and answers a Success Status with 201; what upstream
 * refuses is refused with its codes and messages. Also the legacy `POST .../namespaces/<ns>/bindings`, discovery
 * and OpenAPI entries, and protobuf bodies (client-go's typed client sends Bindings in protobuf).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailureStatus, CREATED_SUCCESS, podManifest, type Json } from '../helpers/http.js';
import { pbRequest } from '../helpers/protobuf.js';
import { useInProcessServer } from '../helpers/server.js';

const NS = 'binding-test';
const pods = `/api/v1/namespaces/${NS}/pods`;
const bindingOf = (name: string) => `${pods}/${name}/binding`;

function binding(name: string, node: string, extra: { metadata?: Json; target?: Json } = {}): Json {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name, namespace: NS, ...(extra.metadata ?? {}) },
    target: { kind: 'Node', name: node, ...(extra.target ?? {}) },
  };
}

describe('pods/binding', () => {
  const { api, server } = useInProcessServer({ namespaces: [NS] });
  let n = 0;
  const newPod = async (mutate: (pod: Json) => void = () => {}): Promise<Json> => {
    const pod = podManifest(`p${++n}`);
    mutate(pod);
    return api.expect(201, 'POST', pods, { body: pod });
  };
  const getPod = async (name: string): Promise<Json> => api.expect(200, 'GET', `${pods}/${name}`);

  it('binds an unassigned pod: 201 Success, spec.nodeName set, PodScheduled=True, the Binding annotations merged', async () => {
    const pod = await newPod((p) => (p.metadata.annotations = { keep: 'me' }));
    const res = await api.post(
      bindingOf(pod.metadata.name),
      binding(pod.metadata.name, 'node-a', { metadata: { annotations: { 'scheduled-by': 'test' } } }),
    );
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, CREATED_SUCCESS);
    const bound = await getPod(pod.metadata.name);
    assert.equal(bound.spec.nodeName, 'node-a');
    assert.deepEqual(bound.metadata.annotations, { keep: 'me', 'scheduled-by': 'test' });
    assert.notEqual(bound.metadata.resourceVersion, pod.metadata.resourceVersion);
    assert.equal(bound.status.phase, 'Pending');
    const conditions = bound.status.conditions;
    assert.equal(conditions.length, 1);
    assert.deepEqual(Object.keys(conditions[0]).sort(), ['lastProbeTime', 'lastTransitionTime', 'status', 'type']);
    assert.equal(conditions[0].type, 'PodScheduled');
    assert.equal(conditions[0].status, 'True');
    assert.equal(conditions[0].lastProbeTime, null);
    assert.match(conditions[0].lastTransitionTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The field selector the kubelet watches with sees it.
    const onNode = await api.expect(200, 'GET', `${pods}?fieldSelector=spec.nodeName%3Dnode-a`);
    assert.deepEqual(
      onNode.items.map((p: Json) => p.metadata.name),
      [pod.metadata.name],
    );
  });

  it('a bound pod is a 409 Conflict on pods/binding naming its node, as upstream words it', async () => {
    const pod = await newPod();
    await api.expect(201, 'POST', bindingOf(pod.metadata.name), { body: binding(pod.metadata.name, 'node-a') });
    const res = await api.post(bindingOf(pod.metadata.name), binding(pod.metadata.name, 'node-b'));
    assert.equal(res.status, 409);
    assertFailureStatus(
      res.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${pod.metadata.name}": pod ${pod.metadata.name} is already assigned to node "node-a"`,
    );
    assert.deepEqual(res.body.details, { name: pod.metadata.name, kind: 'pods/binding' });
    assert.equal((await getPod(pod.metadata.name)).spec.nodeName, 'node-a');
    // A pod created with its node (a DaemonSet's) cannot be bound either.
    const placed = await newPod((p) => (p.spec.nodeName = 'node-c'));
    const again = await api.post(bindingOf(placed.metadata.name), binding(placed.metadata.name, 'node-a'));
    assertFailureStatus(
      again.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${placed.metadata.name}": pod ${placed.metadata.name} is already assigned to node "node-c"`,
    );
  });

  it('replaces a PodScheduled=False Unschedulable condition: status True, reason and message gone, a new transition time', async () => {
    const pod = await newPod();
    const unschedulable = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: '2020-01-01T00:00:00Z',
      reason: 'Unschedulable',
      message: '0/1 nodes are available: 1 Insufficient cpu.',
    };
    await api.expect(200, 'PATCH', `${pods}/${pod.metadata.name}/status`, {
      body: { status: { conditions: [unschedulable] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    await api.expect(201, 'POST', bindingOf(pod.metadata.name), { body: binding(pod.metadata.name, 'node-a') });
    const [condition] = (await getPod(pod.metadata.name)).status.conditions;
    assert.equal(condition.status, 'True');
    assert.equal(condition.reason, undefined);
    assert.equal(condition.message, undefined);
    assert.notEqual(condition.lastTransitionTime, '2020-01-01T00:00:00Z');
  });

  it('checks the Binding: its name must be the URL name (400), its target a Node with a name (500, as upstream)', async () => {
    const pod = await newPod();
    const name = pod.metadata.name;
    const wrongName = await api.post(bindingOf(name), binding('someone-else', 'node-a'));
    assertFailureStatus(wrongName.body, 400, 'BadRequest', 'name in URL does not match name in Binding object');
    // ValidatePodBinding's errors come back as an aggregate, which kube-apiserver answers as a 500 without a reason.
    const wrongKind = await api.post(bindingOf(name), binding(name, 'node-a', { target: { kind: 'Pod' } }));
    assertFailureStatus(
      wrongKind.body,
      500,
      undefined,
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    );
    const noTarget = await api.post(bindingOf(name), {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name },
      target: { kind: 'Pod' },
    });
    assertFailureStatus(
      noTarget.body,
      500,
      undefined,
      '[target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>", target.name: Required value]',
    );
    const otherNamespace = await api.post(
      bindingOf(name),
      binding(name, 'node-a', { metadata: { namespace: 'elsewhere' } }),
    );
    assertFailureStatus(
      otherNamespace.body,
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    assert.equal((await getPod(name)).spec.nodeName, undefined);
    // An empty target kind is a Node; a body without type meta is read as a v1 Binding.
    assert.deepEqual(
      await api.expect(201, 'POST', bindingOf(name), { body: { metadata: { name }, target: { name: 'node-a' } } }),
      CREATED_SUCCESS,
    );
    assert.equal((await getPod(name)).spec.nodeName, 'node-a');
  });

  it('the Binding uid and resourceVersion are preconditions on the pod (409 on pods)', async () => {
    const pod = await newPod();
    const name = pod.metadata.name;
    const wrongUID = await api.post(bindingOf(name), binding(name, 'node-a', { metadata: { uid: 'not-the-pod' } }));
    assertFailureStatus(
      wrongUID.body,
      409,
      'Conflict',
      new RegExp(
        `^Operation cannot be fulfilled on pods "${name}": .*Precondition failed: UID in precondition: not-the-pod, UID in object meta: ${pod.metadata.uid}$`,
      ),
    );
    const staleRV = await api.post(bindingOf(name), binding(name, 'node-a', { metadata: { resourceVersion: '1' } }));
    assertFailureStatus(
      staleRV.body,
      409,
      'Conflict',
      new RegExp(
        `^Operation cannot be fulfilled on pods "${name}": .*Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${pod.metadata.resourceVersion}$`,
      ),
    );
    assert.equal((await getPod(name)).spec.nodeName, undefined);
    const ok = binding(name, 'node-a', {
      metadata: { uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
    });
    assert.deepEqual(await api.expect(201, 'POST', bindingOf(name), { body: ok }), CREATED_SUCCESS);
    assert.equal((await getPod(name)).spec.nodeName, 'node-a');
  });

  it('refuses a missing pod (404), one being deleted and one with scheduling gates (409, upstream messages)', async () => {
    const missing = await api.post(bindingOf('nope'), binding('nope', 'node-a'));
    assertFailureStatus(missing.body, 404, 'NotFound', 'pods "nope" not found');
    const held = await newPod((p) => (p.metadata.finalizers = ['example.com/hold']));
    await api.expect(200, 'DELETE', `${pods}/${held.metadata.name}`);
    const deleting = await api.post(bindingOf(held.metadata.name), binding(held.metadata.name, 'node-a'));
    assertFailureStatus(
      deleting.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${held.metadata.name}": pod ${held.metadata.name} is being deleted, cannot be assigned to a host`,
    );
    await api.expect(200, 'PATCH', `${pods}/${held.metadata.name}`, {
      body: { metadata: { finalizers: null } },
      contentType: 'application/merge-patch+json',
    });
    const gated = await newPod((p) => (p.spec.schedulingGates = [{ name: 'example.com/wait' }]));
    const res = await api.post(bindingOf(gated.metadata.name), binding(gated.metadata.name, 'node-a'));
    assertFailureStatus(
      res.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${gated.metadata.name}": pod ${gated.metadata.name} has non-empty .spec.schedulingGates`,
    );
  });

  it('dryRun=All answers Success and changes nothing', async () => {
    const pod = await newPod();
    assert.deepEqual(
      await api.expect(201, 'POST', `${bindingOf(pod.metadata.name)}?dryRun=All`, {
        body: binding(pod.metadata.name, 'node-a'),
      }),
      CREATED_SUCCESS,
    );
    const after = await getPod(pod.metadata.name);
    assert.equal(after.spec.nodeName, undefined);
    assert.equal(after.metadata.resourceVersion, pod.metadata.resourceVersion);
  });

  it('only takes a POST of a v1 Binding: other kinds are a 400, other verbs a 405', async () => {
    const pod = await newPod();
    const eviction = await api.post(bindingOf(pod.metadata.name), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod.metadata.name },
    });
    assert.equal(eviction.status, 400);
    assert.equal(eviction.body.reason, 'BadRequest');
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await api.request(method, bindingOf(pod.metadata.name));
      assert.equal(res.status, 405, method);
      assert.equal(res.body.reason, 'MethodNotAllowed');
    }
    const strict = await api.post(`${bindingOf(pod.metadata.name)}?fieldValidation=Strict`, {
      ...binding(pod.metadata.name, 'node-a'),
      extra: 1,
    });
    assertFailureStatus(
      strict.body,
      400,
      'BadRequest',
      'Binding in version "v1" cannot be handled as a Binding: strict decoding error: unknown field "extra"',
    );
  });

  it('takes a protobuf Binding (client-go sends one) and answers the Status in protobuf', async () => {
    const pod = await newPod();
    const res = await pbRequest(server().url + bindingOf(pod.metadata.name), 'POST', {
      body: binding(pod.metadata.name, 'node-pb'),
    });
    assert.equal(res.status, 201);
    assert.match(res.contentType, /^application\/vnd\.kubernetes\.protobuf/);
    assert.equal(res.body.kind, 'Status');
    assert.equal(res.body.status, 'Success');
    assert.equal((await getPod(pod.metadata.name)).spec.nodeName, 'node-pb');
    const conflict = await pbRequest(server().url + bindingOf(pod.metadata.name), 'POST', {
      body: binding(pod.metadata.name, 'node-pb'),
    });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
  });

  it('the legacy bindings collection binds the pod its body names; uid and resourceVersion are wiped, not checked', async () => {
    const pod = await newPod();
    const legacy = `/api/v1/namespaces/${NS}/bindings`;
    const body = binding(pod.metadata.name, 'node-l', { metadata: { uid: 'ignored', resourceVersion: '1' } });
    assert.deepEqual(await api.expect(201, 'POST', legacy, { body }), CREATED_SUCCESS);
    assert.equal((await getPod(pod.metadata.name)).spec.nodeName, 'node-l');
    const again = await api.post(legacy, body);
    assertFailureStatus(
      again.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on pods/binding "${pod.metadata.name}": pod ${pod.metadata.name} is already assigned to node "node-l"`,
    );
    const nameless = await api.post(legacy, {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: {},
      target: { name: 'node-l' },
    });
    assertFailureStatus(nameless.body, 400, 'BadRequest', 'Name parameter required.');
    assert.equal((await api.get(legacy)).status, 405);
  });

  it('discovery lists pods/binding and bindings with the verb create; OpenAPI documents both operations', async () => {
    const core = await api.expect(200, 'GET', '/api/v1');
    assert.deepEqual(
      core.resources.find((r: Json) => r.name === 'pods/binding'),
      { name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] },
    );
    assert.deepEqual(
      core.resources.find((r: Json) => r.name === 'bindings'),
      { name: 'bindings', singularName: 'binding', namespaced: true, kind: 'Binding', verbs: ['create'] },
    );
    const agg = await api.expect(200, 'GET', '/api', {
      headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
    });
    const resources = agg.items[0].versions[0].resources;
    assert.deepEqual(
      resources.find((r: Json) => r.resource === 'bindings'),
      {
        resource: 'bindings',
        responseKind: { group: '', version: 'v1', kind: 'Binding' },
        scope: 'Namespaced',
        singularResource: 'binding',
        verbs: ['create'],
      },
    );
    const podsEntry = resources.find((r: Json) => r.resource === 'pods');
    assert.deepEqual(
      podsEntry.subresources.find((s: Json) => s.subresource === 'binding'),
      { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
    );
    const v2 = await api.expect(200, 'GET', '/openapi/v2');
    const sub = v2.paths['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post;
    assert.equal(sub.operationId, 'createCoreV1NamespacedPodBinding');
    assert.deepEqual(sub['x-kubernetes-group-version-kind'], { group: '', kind: 'Binding', version: 'v1' });
    const legacy = v2.paths['/api/v1/namespaces/{namespace}/bindings'].post;
    assert.equal(legacy.operationId, 'createCoreV1NamespacedBinding');
    assert.equal(
      legacy.parameters.find((p: Json) => p.in === 'body').schema.$ref,
      '#/definitions/io.k8s.api.core.v1.Binding',
    );
  });
});
