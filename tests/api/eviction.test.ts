/**
 * pods/eviction over HTTP (server/registry/resources/pod-eviction.ts): a POST of a policy/v1 (or v1beta1) Eviction
 * deletes the pod as a DELETE with the Eviction's deleteOptions would, and answers a Success Status with 201, as
 * kube-apiserver does. Without a kubelet (in-process server, no controller manager) a bound pod stays Terminating,
 * so the graceful deletion can be inspected; unbound pods go at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailureStatus, CREATED_SUCCESS, podManifest, type Json } from '../helpers/http.js';
import { useInProcessServer } from '../helpers/server.js';

const NS = 'eviction-test';
const pods = `/api/v1/namespaces/${NS}/pods`;
const evictionOf = (name: string) => `${pods}/${name}/eviction`;
const NODE = 'node-a';

function eviction(name: string, extra: Json = {}, apiVersion = 'policy/v1'): Json {
  return { apiVersion, kind: 'Eviction', metadata: { name, namespace: NS }, ...extra };
}

describe('pods/eviction', () => {
  const { api } = useInProcessServer({ namespaces: [NS] });
  let n = 0;
  /** A new pod bound to NODE (graceful deletion applies), or unbound. */
  const newPod = async (opts: { bound?: boolean; grace?: number; ownerReferences?: Json[] } = {}): Promise<Json> => {
    const pod = podManifest(`p${++n}`, opts.bound === false ? {} : { nodeName: NODE });
    if (opts.grace !== undefined) pod.spec.terminationGracePeriodSeconds = opts.grace;
    if (opts.ownerReferences) pod.metadata.ownerReferences = opts.ownerReferences;
    return api.expect(201, 'POST', pods, { body: pod });
  };
  const getPod = async (name: string) => api.get(`${pods}/${name}`);

  it('evicts a bound pod gracefully: 201 and a Success Status, the pod Terminating with its grace period', async () => {
    const pod = await newPod({ grace: 45 });
    const res = await api.post(evictionOf(pod.metadata.name), eviction(pod.metadata.name));
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, CREATED_SUCCESS);
    const after = (await getPod(pod.metadata.name)).body;
    assert.ok(after.metadata.deletionTimestamp, 'marked for deletion');
    assert.equal(after.metadata.deletionGracePeriodSeconds, 45);
    assert.equal(after.metadata.uid, pod.metadata.uid);
  });

  it('removes an unbound pod at once (nothing runs it); a second eviction is the pods NotFound', async () => {
    const pod = await newPod({ bound: false });
    assert.deepEqual(
      await api.expect(201, 'POST', evictionOf(pod.metadata.name), { body: eviction(pod.metadata.name) }),
      CREATED_SUCCESS,
    );
    assert.equal((await getPod(pod.metadata.name)).status, 404);
    const again = await api.post(evictionOf(pod.metadata.name), eviction(pod.metadata.name));
    assert.equal(again.status, 404);
    assertFailureStatus(again.body, 404, 'NotFound', `pods "${pod.metadata.name}" not found`);
    assert.deepEqual(again.body.details, { name: pod.metadata.name, kind: 'pods' });
  });

  it('takes policy/v1beta1 bodies (kubectl 1.20) and bodies without type meta (read as policy/v1)', async () => {
    const a = await newPod();
    assert.deepEqual(
      await api.expect(201, 'POST', evictionOf(a.metadata.name), {
        body: eviction(a.metadata.name, {}, 'policy/v1beta1'),
      }),
      CREATED_SUCCESS,
    );
    assert.ok((await getPod(a.metadata.name)).body.metadata.deletionTimestamp);
    const b = await newPod();
    assert.deepEqual(
      await api.expect(201, 'POST', evictionOf(b.metadata.name), { body: { metadata: { name: b.metadata.name } } }),
      CREATED_SUCCESS,
    );
    assert.ok((await getPod(b.metadata.name)).body.metadata.deletionTimestamp);
  });

  it('answers YAML when asked', async () => {
    const pod = await newPod({ bound: false });
    const res = await api.post(evictionOf(pod.metadata.name), eviction(pod.metadata.name), {
      headers: { accept: 'application/yaml' },
    });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type') ?? '', /^application\/yaml/);
    assert.match(res.text, /^kind: Status\napiVersion: v1\nmetadata: \{\}\nstatus: Success\ncode: 201\n$/);
  });

  it('deleteOptions.gracePeriodSeconds: shortens the grace period; 0 removes the pod at once', async () => {
    const a = await newPod();
    await api.expect(201, 'POST', evictionOf(a.metadata.name), {
      body: eviction(a.metadata.name, { deleteOptions: { gracePeriodSeconds: 7 } }),
    });
    assert.equal((await getPod(a.metadata.name)).body.metadata.deletionGracePeriodSeconds, 7);
    const b = await newPod();
    await api.expect(201, 'POST', evictionOf(b.metadata.name), {
      body: eviction(b.metadata.name, {
        deleteOptions: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 },
      }),
    });
    assert.equal((await getPod(b.metadata.name)).status, 404);
    // An eviction of a pod already terminating may only shorten its grace period.
    await api.expect(201, 'POST', evictionOf(a.metadata.name), {
      body: eviction(a.metadata.name, { deleteOptions: { gracePeriodSeconds: 3 } }),
    });
    assert.equal((await getPod(a.metadata.name)).body.metadata.deletionGracePeriodSeconds, 3);
  });

  it('dryRun (query or deleteOptions) answers Success and changes nothing; different lists in both are refused', async () => {
    const pod = await newPod();
    const before = (await getPod(pod.metadata.name)).body;
    assert.deepEqual(
      await api.expect(201, 'POST', `${evictionOf(pod.metadata.name)}?dryRun=All`, {
        body: eviction(pod.metadata.name),
      }),
      CREATED_SUCCESS,
    );
    assert.deepEqual(
      await api.expect(201, 'POST', evictionOf(pod.metadata.name), {
        body: eviction(pod.metadata.name, { deleteOptions: { dryRun: ['All'] } }),
      }),
      CREATED_SUCCESS,
    );
    assert.deepEqual(
      await api.expect(201, 'POST', `${evictionOf(pod.metadata.name)}?dryRun=All`, {
        body: eviction(pod.metadata.name, { deleteOptions: { dryRun: ['All'] } }),
      }),
      CREATED_SUCCESS,
    );
    assert.deepEqual((await getPod(pod.metadata.name)).body, before);

    const mixed = await api.post(
      `${evictionOf(pod.metadata.name)}?dryRun=All`,
      eviction(pod.metadata.name, { deleteOptions: { dryRun: ['All', 'All'] } }),
    );
    assert.equal(mixed.status, 500);
    assertFailureStatus(
      mixed.body,
      500,
      undefined,
      'Non-matching dry-run options in request and content: [All] and [All All]',
    );
    const bad = await api.post(`${evictionOf(pod.metadata.name)}?dryRun=Yes`, eviction(pod.metadata.name));
    assert.equal(bad.status, 400);
    assert.deepEqual((await getPod(pod.metadata.name)).body, before);
  });

  it("preconditions: a uid or resourceVersion other than the pod's is a 409 Conflict; matching ones evict", async () => {
    const pod = await newPod();
    const { name, uid, resourceVersion } = pod.metadata;
    const wrongUid = '00000000-0000-0000-0000-000000000000';
    const byUid = await api.post(
      evictionOf(name),
      eviction(name, { deleteOptions: { preconditions: { uid: wrongUid } } }),
    );
    assert.equal(byUid.status, 409);
    assertFailureStatus(
      byUid.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on Pod "${name}": the UID in the precondition (${wrongUid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`,
    );
    const byRv = await api.post(
      evictionOf(name),
      eviction(name, { deleteOptions: { preconditions: { resourceVersion: '1' } } }),
    );
    assert.equal(byRv.status, 409);
    assertFailureStatus(
      byRv.body,
      409,
      'Conflict',
      `Operation cannot be fulfilled on Pod "${name}": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${resourceVersion}). The object might have been modified`,
    );
    assert.equal((await getPod(name)).body.metadata.deletionTimestamp, undefined, 'still there, untouched');
    await api.expect(201, 'POST', evictionOf(name), {
      body: eviction(name, { deleteOptions: { preconditions: { uid, resourceVersion } } }),
    });
    assert.ok((await getPod(name)).body.metadata.deletionTimestamp);
  });

  it('propagationPolicy Orphan: the pod keeps the orphan finalizer while it terminates', async () => {
    const pod = await newPod();
    await api.expect(201, 'POST', evictionOf(pod.metadata.name), {
      body: eviction(pod.metadata.name, { deleteOptions: { propagationPolicy: 'Orphan' } }),
    });
    assert.deepEqual((await getPod(pod.metadata.name)).body.metadata.finalizers, ['orphan']);
    const bad = await api.post(
      evictionOf(pod.metadata.name),
      eviction(pod.metadata.name, { deleteOptions: { propagationPolicy: 'Sometimes' } }),
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /propagationPolicy: Unsupported value: "Sometimes"/);
  });

  it("a DaemonSet's pod is evicted like any other", async () => {
    const ds = await api.expect(201, 'POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, {
      body: {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: {
            metadata: { labels: { app: 'agent' } },
            spec: { containers: [{ name: 'agent', image: 'registry.k8s.io/pause:3.9' }] },
          },
        },
      },
    });
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      name: 'agent',
      uid: ds.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
    const pod = await newPod({ ownerReferences: [owner] });
    assert.deepEqual(
      await api.expect(201, 'POST', evictionOf(pod.metadata.name), { body: eviction(pod.metadata.name) }),
      CREATED_SUCCESS,
    );
    const after = (await getPod(pod.metadata.name)).body;
    assert.ok(after.metadata.deletionTimestamp);
    assert.deepEqual(after.metadata.ownerReferences, [owner]);
  });

  it("the name in the URL and in the body must agree; the body's namespace, when set, too", async () => {
    const pod = await newPod();
    const other = await api.post(evictionOf(pod.metadata.name), eviction('someone-else'));
    assert.equal(other.status, 400);
    assertFailureStatus(other.body, 400, 'BadRequest', 'name in URL does not match name in Eviction object');
    const unnamed = await api.post(evictionOf(pod.metadata.name), {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: {},
    });
    assertFailureStatus(unnamed.body, 400, 'BadRequest', 'name in URL does not match name in Eviction object');
    const elsewhere = await api.post(evictionOf(pod.metadata.name), {
      ...eviction(pod.metadata.name),
      metadata: { name: pod.metadata.name, namespace: 'default' },
    });
    assert.equal(elsewhere.status, 400);
    assertFailureStatus(
      elsewhere.body,
      400,
      'BadRequest',
      'the namespace of the provided object does not match the namespace sent on the request',
    );
    assert.equal((await getPod(pod.metadata.name)).body.metadata.deletionTimestamp, undefined);
  });

  it("a body of another kind or version is a 400 with the decoder's message", async () => {
    const pod = await newPod();
    const name = pod.metadata.name;
    const cases: Array<[Json, string]> = [
      [
        { apiVersion: 'policy/v1', kind: 'Pod', metadata: { name } },
        'Pod in version "v1" cannot be handled as a Eviction: no kind "Pod" is registered for version "policy/v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ],
      [
        { apiVersion: 'v1', kind: 'Pod', metadata: { name } },
        'Pod in version "v1" cannot be handled as a Eviction: converting (v1.Pod) to (policy.Eviction): unknown conversion',
      ],
      [
        { apiVersion: 'policy/v2', kind: 'Eviction', metadata: { name } },
        'Eviction in version "v2" cannot be handled as a Eviction: no kind "Eviction" is registered for version "policy/v2" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      ],
      [
        {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name },
          deleteOptions: { gracePeriodSeconds: 'soon' },
        },
        'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal string into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type int64',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await api.post(evictionOf(name), body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assertFailureStatus(res.body, 400, 'BadRequest', message);
    }
    const notJson = await api.request('POST', evictionOf(name), {
      raw: '{"apiVersion":',
      contentType: 'application/json',
    });
    assert.equal(notJson.status, 400);
    assert.equal((await getPod(name)).body.metadata.deletionTimestamp, undefined);
  });

  it('fieldValidation: unknown fields are a warning by default and a 400 when Strict', async () => {
    const pod = await newPod({ bound: false });
    const strict = await api.post(
      `${evictionOf(pod.metadata.name)}?fieldValidation=Strict`,
      eviction(pod.metadata.name, { spec: {} }),
    );
    assert.equal(strict.status, 400);
    assertFailureStatus(
      strict.body,
      400,
      'BadRequest',
      'Eviction in version "v1" cannot be handled as a Eviction: strict decoding error: unknown field "spec"',
    );
    const warned = await api.post(evictionOf(pod.metadata.name), eviction(pod.metadata.name, { spec: {} }));
    assert.equal(warned.status, 201);
    assert.equal(warned.headers.get('warning'), '299 - "unknown field \\"spec\\""');
  });

  it('other methods on the subresource are 405; a pod without the subresource name is not routed', async () => {
    const pod = await newPod();
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const res = await api.request(method, evictionOf(pod.metadata.name), method === 'GET' ? {} : { body: {} });
      assert.equal(res.status, 405, method);
      assertFailureStatus(
        res.body,
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    }
    assert.equal((await api.post(`${pods}/${pod.metadata.name}/evictions`, eviction(pod.metadata.name))).status, 404);
  });
});
