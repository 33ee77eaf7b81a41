// The rbac.authorization.k8s.io/v1 definitions (openapi/schemas/rbac-v1.ts): the protobuf field numbers their TypeBox
// sources carry are upstream's (k8s.io/api rbac/v1 generated.proto; ../../shared/reference/proto has no copy of it),
// no scalar is a Go pointer (every string of rbac/v1 types.go is a plain string), the served documents leave both
// options out, and the bodies kubectl and helm charts send validate against them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import Value from 'typebox/value';
import { definitions, toOpenAPIDefinitions } from '../../../openapi/schemas/index.js';

type Schema = Record<string, any>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
/** Upstream's field numbers, by definition and JSON field name. */
const UPSTREAM: Record<string, Record<string, number>> = {
  'io.k8s.api.rbac.v1.AggregationRule': { clusterRoleSelectors: 1 },
  'io.k8s.api.rbac.v1.ClusterRole': { metadata: 1, rules: 2, aggregationRule: 3 },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { metadata: 1, subjects: 2, roleRef: 3 },
  'io.k8s.api.rbac.v1.ClusterRoleBindingList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.ClusterRoleList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.PolicyRule': { verbs: 1, apiGroups: 2, resources: 3, resourceNames: 4, nonResourceURLs: 5 },
  'io.k8s.api.rbac.v1.Role': { metadata: 1, rules: 2 },
  'io.k8s.api.rbac.v1.RoleBinding': { metadata: 1, subjects: 2, roleRef: 3 },
  'io.k8s.api.rbac.v1.RoleBindingList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.RoleList': { metadata: 1, items: 2 },
  'io.k8s.api.rbac.v1.RoleRef': { apiGroup: 1, kind: 2, name: 3 },
  'io.k8s.api.rbac.v1.Subject': { kind: 1, apiGroup: 2, name: 3, namespace: 4 },
};

describe('rbac.authorization.k8s.io/v1 schemas', () => {
  it('defines exactly the rbac/v1 messages', () => {
    assert.deepEqual(
      Object.keys(definitions)
        .filter((n) => n.startsWith('io.k8s.api.rbac.'))
        .sort(),
      Object.keys(UPSTREAM).sort(),
    );
  });

  for (const [name, fields] of Object.entries(UPSTREAM)) {
    it(`${name}: upstream's protobuf field numbers on every property, no Go pointers`, () => {
      const source = definitions[name] as Schema;
      assert.ok(source, `${name} is defined`);
      const numbers: Record<string, number> = {};
      for (const [prop, schema] of Object.entries(source.properties as Record<string, Schema>)) {
        if ((prop === 'apiVersion' || prop === 'kind') && !name.endsWith('.RoleRef') && !name.endsWith('.Subject')) {
          assert.equal(schema.protobuf, undefined, `${prop} is type meta, not a field`);
          continue;
        }
        numbers[prop] = schema.protobuf;
        assert.equal(schema.goPointer, undefined, `${name}.${prop}`);
      }
      assert.deepEqual(numbers, fields);
    });
  }

  it('the served documents carry neither protobuf nor goPointer', () => {
    for (const style of ['v2', 'v3'] as const) {
      const served = toOpenAPIDefinitions(style) as Record<string, Schema>;
      for (const name of Object.keys(UPSTREAM))
        assert.doesNotMatch(JSON.stringify(served[name]), /"protobuf"|"goPointer"/, `${style} ${name}`);
    }
  });

  it('validates what kubectl create and a helm chart send, and refuses bindings without roleRef', () => {
    const check = (name: string, value: unknown) => Value.Check(definitions, Type.Ref(name), value);
    assert.ok(
      check('io.k8s.api.rbac.v1.Role', {
        kind: 'Role',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'pod-reader', namespace: 'default' },
        rules: [{ verbs: ['get', 'watch', 'list'], apiGroups: [''], resources: ['pods'] }],
      }),
    );
    assert.ok(
      check('io.k8s.api.rbac.v1.ClusterRole', {
        metadata: { name: 'monitoring' },
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
        },
      }),
    );
    assert.ok(
      check('io.k8s.api.rbac.v1.ClusterRoleBinding', {
        metadata: { name: 'fluentd' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'fluentd' },
        subjects: [{ kind: 'ServiceAccount', name: 'fluentd', namespace: 'kube-system' }],
      }),
    );
    assert.equal(check('io.k8s.api.rbac.v1.RoleBinding', { metadata: { name: 'b' } }), false);
    assert.equal(check('io.k8s.api.rbac.v1.PolicyRule', { resources: ['pods'] }), false);
    assert.equal(check('io.k8s.api.rbac.v1.Subject', { kind: 'User' }), false);
    assert.equal(check(`${META}LabelSelector`, { matchLabels: { a: 'b' } }), true);
  });
});
