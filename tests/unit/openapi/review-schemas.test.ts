// The policy, authorization and authentication definitions (openapi/schemas/policy-v1.ts, authorization-v1.ts,
// authentication-v1.ts): the protobuf field numbers their TypeBox sources carry are upstream's (generated.proto of
// k8s.io/api at policy/v1, policy/v1beta1, authorization/v1, authentication/v1 and v1beta1; ../../shared/reference/proto
// has no copy of these), only TokenRequestSpec.expirationSeconds is a Go pointer, the served documents leave both
// options out, and the bodies real kubectl sends validate against them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import Value from 'typebox/value';
import { definitions, toOpenAPIDefinitions } from '../../../openapi/schemas/index.js';

type Schema = Record<string, any>;

/** Upstream's field numbers, by definition and JSON field name. */
const UPSTREAM: Record<string, Record<string, number>> = {
  'io.k8s.api.policy.v1.Eviction': { metadata: 1, deleteOptions: 2 },
  'io.k8s.api.policy.v1beta1.Eviction': { metadata: 1, deleteOptions: 2 },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec': { resourceAttributes: 1, nonResourceAttributes: 2 },
  'io.k8s.api.authorization.v1.ResourceAttributes': {
    namespace: 1,
    verb: 2,
    group: 3,
    version: 4,
    resource: 5,
    subresource: 6,
    name: 7,
  },
  'io.k8s.api.authorization.v1.NonResourceAttributes': { path: 1, verb: 2 },
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus': { allowed: 1, reason: 2, evaluationError: 3, denied: 4 },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': { namespace: 1 },
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus': {
    resourceRules: 1,
    nonResourceRules: 2,
    incomplete: 3,
    evaluationError: 4,
  },
  'io.k8s.api.authorization.v1.ResourceRule': { verbs: 1, apiGroups: 2, resources: 3, resourceNames: 4 },
  'io.k8s.api.authorization.v1.NonResourceRule': { verbs: 1, nonResourceURLs: 2 },
  'io.k8s.api.authentication.v1.SelfSubjectReview': { metadata: 1, status: 2 },
  'io.k8s.api.authentication.v1.SelfSubjectReviewStatus': { userInfo: 1 },
  'io.k8s.api.authentication.v1.UserInfo': { username: 1, uid: 2, groups: 3, extra: 4 },
  'io.k8s.api.authentication.v1beta1.SelfSubjectReview': { metadata: 1, status: 2 },
  'io.k8s.api.authentication.v1beta1.SelfSubjectReviewStatus': { userInfo: 1 },
  'io.k8s.api.authentication.v1.TokenRequest': { metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.authentication.v1.TokenRequestSpec': { audiences: 1, boundObjectRef: 3, expirationSeconds: 4 },
  'io.k8s.api.authentication.v1.TokenRequestStatus': { token: 1, expirationTimestamp: 2 },
  'io.k8s.api.authentication.v1.BoundObjectReference': { kind: 1, apiVersion: 2, name: 3, uid: 4 },
};

/** Definitions whose apiVersion and kind are fields of their own message, not type meta. */
const OWN_TYPE_FIELDS = new Set(['io.k8s.api.authentication.v1.BoundObjectReference']);

/** The scalars whose Go field is a pointer (authentication/v1 types.go: TokenRequestSpec.ExpirationSeconds *int64). */
const GO_POINTERS: Record<string, string[]> = {
  'io.k8s.api.authentication.v1.TokenRequestSpec': ['expirationSeconds'],
};

describe('policy, authorization and authentication schemas', () => {
  for (const [name, fields] of Object.entries(UPSTREAM)) {
    it(`${name}: upstream's protobuf field numbers on every property, Go pointers marked`, () => {
      const source = definitions[name] as Schema;
      assert.ok(source, `${name} is defined`);
      const numbers: Record<string, number> = {};
      for (const [prop, schema] of Object.entries(source.properties as Record<string, Schema>)) {
        if ((prop === 'apiVersion' || prop === 'kind') && !OWN_TYPE_FIELDS.has(name)) {
          assert.equal(schema.protobuf, undefined, `${prop} is type meta, not a field`);
          continue;
        }
        numbers[prop] = schema.protobuf;
        // Every other scalar here is a plain Go string or bool (authorization/v1 and authentication/v1 types.go).
        assert.equal(schema.goPointer, (GO_POINTERS[name] ?? []).includes(prop) ? true : undefined, `${name}.${prop}`);
      }
      assert.deepEqual(numbers, fields);
    });
  }

  it('the served documents carry neither protobuf nor goPointer', () => {
    for (const style of ['v2', 'v3'] as const) {
      const served = JSON.stringify(toOpenAPIDefinitions(style));
      assert.doesNotMatch(served, /"protobuf"|"goPointer"/, style);
    }
  });

  it('validates the bodies kubectl sends (auth can-i, can-i --list, whoami, drain)', () => {
    const check = (name: string, value: unknown) => Value.Check(definitions, Type.Ref(name), value);
    assert.ok(
      check('io.k8s.api.authorization.v1.SelfSubjectAccessReview', {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: {},
        spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
        status: { allowed: false },
      }),
    );
    assert.ok(check('io.k8s.api.authorization.v1.SelfSubjectRulesReview', { spec: { namespace: 'default' } }));
    assert.ok(
      check('io.k8s.api.authentication.v1beta1.SelfSubjectReview', {
        kind: 'SelfSubjectReview',
        metadata: {},
        status: { userInfo: {} },
      }),
    );
    assert.ok(
      check('io.k8s.api.authentication.v1.SelfSubjectReview', {
        status: {
          userInfo: { username: 'kubernetes-admin', groups: ['system:masters'], extra: { scopes: ['a', 'b'] } },
        },
      }),
    );
    assert.ok(
      check('io.k8s.api.policy.v1.Eviction', {
        kind: 'Eviction',
        apiVersion: 'policy/v1',
        metadata: { name: 'web', namespace: 'default' },
        deleteOptions: { gracePeriodSeconds: 5 },
      }),
    );
    assert.ok(check('io.k8s.api.policy.v1beta1.Eviction', { metadata: { name: 'web' }, deleteOptions: {} }));
    // kubectl create token --audience a --duration 20m --bound-object-kind Pod --bound-object-name web
    assert.ok(
      check('io.k8s.api.authentication.v1.TokenRequest', {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: 'x', namespace: 'default' },
        spec: {
          audiences: ['a'],
          expirationSeconds: 1200,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' },
        },
        status: { token: 'a.b.c', expirationTimestamp: '2025-01-01T00:00:00Z' },
      }),
    );
    // A status without `allowed`, an access review without spec, a rule without verbs, extra values that are not lists.
    assert.equal(check('io.k8s.api.authorization.v1.SubjectAccessReviewStatus', {}), false);
    assert.equal(check('io.k8s.api.authorization.v1.SelfSubjectAccessReview', { metadata: {} }), false);
    assert.equal(check('io.k8s.api.authorization.v1.ResourceRule', { apiGroups: ['*'] }), false);
    assert.equal(check('io.k8s.api.authentication.v1.UserInfo', { extra: { scopes: 'a' } }), false);
  });
});
