/**
 * The self-reviews over HTTP (server/registry/virtual/): SelfSubjectAccessReview and SelfSubjectRulesReview
 * (authorization.k8s.io/v1) and SelfSubjectReview (authentication.k8s.io/v1 and v1beta1), created and answered
 * without being stored; who the caller is (anonymous on a server without a token, the administrator with the
 * token); validation, dryRun, 405 for other verbs; and their discovery entries, in upstream's group order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertFailureStatus, type Json } from '../helpers/http.js';
import { useInProcessServer } from '../helpers/server.js';

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const SSRR = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
const SSR = (version: string) => `/apis/authentication.k8s.io/${version}/selfsubjectreviews`;
const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';
const TOKEN = 'reviews-test-token';

/** What `kubectl auth can-i create pods` sends. */
const canICreatePods: Json = {
  kind: 'SelfSubjectAccessReview',
  apiVersion: 'authorization.k8s.io/v1',
  metadata: { creationTimestamp: null },
  spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
  status: { allowed: false },
};

describe('self-reviews on a server without authentication (the caller is anonymous)', () => {
  const { api } = useInProcessServer();

  it('SelfSubjectAccessReview: allowed, the question echoed, 201', async () => {
    const res = await api.post(SSAR, canICreatePods);
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.body, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
      status: { allowed: true },
    });
    assert.deepEqual(Object.keys(res.body), ['kind', 'apiVersion', 'metadata', 'spec', 'status']);
  });

  it('SelfSubjectAccessReview: non-resource attributes, empty attributes and any verb are allowed too; nothing is stored', async () => {
    const nonResource = await api.expect(201, 'POST', SSAR, {
      body: { spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } },
    });
    assert.deepEqual(nonResource.spec, { nonResourceAttributes: { path: '/healthz', verb: 'get' } });
    assert.deepEqual(nonResource.status, { allowed: true });
    const empty = await api.expect(201, 'POST', SSAR, {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: {} },
      },
    });
    assert.deepEqual(empty.spec, { resourceAttributes: {} });
    // Empty strings are not echoed (Go omits them).
    const sparse = await api.expect(201, 'POST', SSAR, {
      body: { spec: { resourceAttributes: { verb: 'delete', group: '', resource: 'nodes', name: 'n1' } } },
    });
    assert.deepEqual(sparse.spec, { resourceAttributes: { verb: 'delete', resource: 'nodes', name: 'n1' } });
    // dryRun is accepted (there is nothing to persist anyway).
    const dry = await api.expect(201, 'POST', `${SSAR}?dryRun=All`, { body: canICreatePods });
    assert.equal(dry.status.allowed, true);
    assert.equal((await api.post(`${SSAR}?dryRun=Maybe`, canICreatePods)).status, 400);
  });

  it("SelfSubjectAccessReview: exactly one of resourceAttributes and nonResourceAttributes (422, upstream's messages)", async () => {
    const neither = await api.post(SSAR, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {},
    });
    assert.equal(neither.status, 422);
    assertFailureStatus(
      neither.body,
      422,
      'Invalid',
      '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    assert.deepEqual(neither.body.details, {
      group: 'authorization.k8s.io',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message:
            'Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
          field: 'spec.resourceAttributes',
        },
      ],
    });
    assertFailureStatus(
      (await api.post(SSAR, { metadata: {} })).body,
      422,
      'Invalid',
      /spec\.resourceAttributes: Invalid value: "null": exactly one of/,
    );

    const both = await api.post(SSAR, {
      spec: { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/healthz', verb: 'get' } },
    });
    assert.equal(both.status, 422);
    assertFailureStatus(
      both.body,
      422,
      'Invalid',
      '.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/healthz", Verb:"get"}: cannot be specified in combination with resourceAttributes',
    );
  });

  it('SelfSubjectAccessReview: metadata must be empty (a namespace is cleared, managedFields ignored)', async () => {
    const named = await api.post(SSAR, { metadata: { name: 'mine' }, spec: { resourceAttributes: { verb: 'get' } } });
    assert.equal(named.status, 422);
    assertFailureStatus(
      named.body,
      422,
      'Invalid',
      '.authorization.k8s.io "" is invalid: metadata: Invalid value: v1.ObjectMeta{Name:"mine", GenerateName:"", Namespace:"", SelfLink:"", UID:"", ResourceVersion:"", Generation:0, ' +
        'CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, DeletionGracePeriodSeconds:(*int64)(nil), Labels:map[string]string(nil), ' +
        'Annotations:map[string]string(nil), OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), ManagedFields:[]v1.ManagedFieldsEntry(nil)}: must be empty',
    );
    const spaced = await api.expect(201, 'POST', SSAR, {
      body: {
        metadata: { namespace: 'default', labels: {}, managedFields: [] },
        spec: { resourceAttributes: { verb: 'get' } },
      },
    });
    assert.deepEqual(spaced.metadata, { creationTimestamp: null });
  });

  it('SelfSubjectRulesReview: everything is allowed, complete; the answer carries only the status', async () => {
    const res = await api.post(SSRR, {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'default' },
      status: { resourceRules: null, nonResourceRules: null, incomplete: false },
    });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body, {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: {},
      status: {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      },
    });
    const noNamespace = await api.post(SSRR, { spec: {} });
    assert.equal(noNamespace.status, 400);
    assertFailureStatus(noNamespace.body, 400, 'BadRequest', 'no namespace on request');
  });

  for (const version of ['v1', 'v1beta1']) {
    it(`SelfSubjectReview ${version}: system:anonymous in system:unauthenticated, with a creation time`, async () => {
      const before = Date.now() - 1000;
      const res = await api.post(SSR(version), {
        kind: 'SelfSubjectReview',
        apiVersion: `authentication.k8s.io/${version}`,
        metadata: { creationTimestamp: null },
        status: { userInfo: {} },
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.kind, 'SelfSubjectReview');
      assert.equal(res.body.apiVersion, `authentication.k8s.io/${version}`);
      assert.deepEqual(res.body.status, {
        userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      });
      assert.match(res.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(Date.parse(res.body.metadata.creationTimestamp) >= before);
      // An empty body is a review too.
      assert.equal(
        (await api.expect(201, 'POST', SSR(version), { body: {} })).status.userInfo.username,
        'system:anonymous',
      );
    });
  }

  it('a body of another kind or version is refused as the decoder refuses it', async () => {
    const rules = await api.post(SSAR, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace: 'default' },
    });
    assert.equal(rules.status, 400);
    assertFailureStatus(
      rules.body,
      400,
      'BadRequest',
      'SelfSubjectRulesReview in version "v1" cannot be handled as a SelfSubjectAccessReview: converting (v1.SelfSubjectRulesReview) to (authorization.SelfSubjectAccessReview): unknown conversion',
    );
    const beta = await api.post(SSR('v1'), { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' });
    assertFailureStatus(
      beta.body,
      400,
      'BadRequest',
      'the API version in the data (authentication.k8s.io/v1beta1) does not match the expected API version (authentication.k8s.io/v1)',
    );
    const typed = await api.post(SSAR, { spec: { resourceAttributes: { verb: 3 } } });
    assertFailureStatus(
      typed.body,
      400,
      'BadRequest',
      'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal number into Go struct field ResourceAttributes.spec.resourceAttributes.verb of type string',
    );
    const strict = await api.post(`${SSAR}?fieldValidation=Strict`, {
      spec: { resourceAttributes: { verb: 'get', colour: 'blue' } },
    });
    assertFailureStatus(
      strict.body,
      400,
      'BadRequest',
      'SelfSubjectAccessReview in version "v1" cannot be handled as a SelfSubjectAccessReview: strict decoding error: unknown field "spec.resourceAttributes.colour"',
    );
  });

  it('other verbs are 405; there is no object to name', async () => {
    for (const path of [SSAR, SSRR, SSR('v1'), SSR('v1beta1')]) {
      for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
        const res = await api.request(method, path, method === 'GET' ? {} : { body: {} });
        assert.equal(res.status, 405, `${method} ${path}`);
        assertFailureStatus(
          res.body,
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        );
      }
      assert.equal((await api.get(`${path}/anything`)).status, 404);
    }
  });

  it('discovery: legacy documents list them with verbs [create], groups in upstream order (apps before extensions)', async () => {
    const groups = (await api.get('/apis', { headers: { accept: 'application/json' } })).body.groups;
    assert.deepEqual(
      groups.map((g: Json) => g.name),
      [
        'apps',
        'extensions',
        'authentication.k8s.io',
        'authorization.k8s.io',
        'policy',
        'rbac.authorization.k8s.io',
        'coordination.k8s.io',
        'discovery.k8s.io',
      ],
    );
    const authn = groups.find((g: Json) => g.name === 'authentication.k8s.io');
    assert.deepEqual(authn.versions, [
      { groupVersion: 'authentication.k8s.io/v1', version: 'v1' },
      { groupVersion: 'authentication.k8s.io/v1beta1', version: 'v1beta1' },
    ]);
    assert.deepEqual(authn.preferredVersion, { groupVersion: 'authentication.k8s.io/v1', version: 'v1' });
    assert.deepEqual((await api.get('/apis/authorization.k8s.io/v1')).body, {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'authorization.k8s.io/v1',
      resources: [
        {
          name: 'selfsubjectaccessreviews',
          singularName: 'selfsubjectaccessreview',
          namespaced: false,
          kind: 'SelfSubjectAccessReview',
          verbs: ['create'],
        },
        {
          name: 'selfsubjectrulesreviews',
          singularName: 'selfsubjectrulesreview',
          namespaced: false,
          kind: 'SelfSubjectRulesReview',
          verbs: ['create'],
        },
      ],
    });
    for (const version of ['v1', 'v1beta1']) {
      assert.deepEqual((await api.get(`/apis/authentication.k8s.io/${version}`)).body.resources, [
        {
          name: 'selfsubjectreviews',
          singularName: 'selfsubjectreview',
          namespaced: false,
          kind: 'SelfSubjectReview',
          verbs: ['create'],
        },
      ]);
    }
    const authz = (await api.get('/apis/authorization.k8s.io')).body;
    assert.equal(authz.kind, 'APIGroup');
    assert.deepEqual(authz.preferredVersion, { groupVersion: 'authorization.k8s.io/v1', version: 'v1' });
  });

  for (const accept of [AGG_V2, AGG_V2BETA1]) {
    it(`discovery: aggregated (${accept.includes('v2beta1') ? 'v2beta1' : 'v2'}) entries with responseKind, scope Cluster, verbs [create]`, async () => {
      const items = (await api.get('/apis', { headers: { accept } })).body.items;
      assert.deepEqual(
        items.map((g: Json) => g.metadata.name),
        [
          'apps',
          'extensions',
          'authentication.k8s.io',
          'authorization.k8s.io',
          'policy',
          'rbac.authorization.k8s.io',
          'coordination.k8s.io',
          'discovery.k8s.io',
        ],
      );
      const authz = items.find((g: Json) => g.metadata.name === 'authorization.k8s.io');
      assert.deepEqual(authz.versions, [
        {
          version: 'v1',
          resources: [
            {
              resource: 'selfsubjectaccessreviews',
              responseKind: { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' },
              scope: 'Cluster',
              singularResource: 'selfsubjectaccessreview',
              verbs: ['create'],
            },
            {
              resource: 'selfsubjectrulesreviews',
              responseKind: { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview' },
              scope: 'Cluster',
              singularResource: 'selfsubjectrulesreview',
              verbs: ['create'],
            },
          ],
          freshness: 'Current',
        },
      ]);
      const authn = items.find((g: Json) => g.metadata.name === 'authentication.k8s.io');
      assert.deepEqual(
        authn.versions.map((v: Json) => v.version),
        ['v1', 'v1beta1'],
      );
      assert.deepEqual(authn.versions[1].resources[0].responseKind, {
        group: 'authentication.k8s.io',
        version: 'v1beta1',
        kind: 'SelfSubjectReview',
      });
    });
  }
});

describe('self-reviews on a server with a bearer token (the caller is the administrator)', () => {
  const { api } = useInProcessServer({ bearerToken: TOKEN });
  const auth = { authorization: `Bearer ${TOKEN}` };

  for (const version of ['v1', 'v1beta1']) {
    it(`SelfSubjectReview ${version}: kubernetes-admin in system:masters and system:authenticated`, async () => {
      const res = await api.post(SSR(version), {}, { headers: auth });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.status, {
        userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      });
    });
  }

  it('the access and rules reviews answer the administrator as they answer anyone', async () => {
    assert.deepEqual((await api.expect(201, 'POST', SSAR, { body: canICreatePods, headers: auth })).status, {
      allowed: true,
    });
    const rules = await api.expect(201, 'POST', SSRR, { body: { spec: { namespace: 'kube-system' } }, headers: auth });
    assert.equal(rules.status.incomplete, false);
  });

  it('without the token, a review is 401 like any other request', async () => {
    for (const path of [SSR('v1'), SSAR, SSRR]) {
      const res = await api.post(path, {});
      assert.equal(res.status, 401, path);
      assert.equal(res.body.reason, 'Unauthorized');
    }
    const wrong = await api.post(SSR('v1'), {}, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
  });
});
