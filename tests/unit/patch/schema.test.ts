import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SchemaResolver, type SchemaNode } from '../../../server/patch/index.js';
import { notIn130, ref, resolver115, resolver130, skip115, skip130 } from './reference.js';

describe('SchemaResolver on a small document', () => {
  const defs: Record<string, SchemaNode> = {
    Outer: {
      type: 'object',
      properties: {
        inner: { $ref: '#/definitions/Inner', 'x-kubernetes-patch-strategy': 'retainKeys' },
        wrapped: { allOf: [{ $ref: '#/definitions/Inner' }], description: 'v3 style' },
        items: {
          type: 'array',
          items: { $ref: '#/definitions/Inner' },
          'x-kubernetes-patch-strategy': 'merge',
          'x-kubernetes-patch-merge-key': 'id',
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        dangling: { $ref: '#/definitions/Missing' },
      },
    },
    Inner: { type: 'object', properties: { id: { type: 'string' } } },
  };
  const r = new SchemaResolver(defs);
  const outer: SchemaNode = { $ref: '#/definitions/Outer' };

  it('resolve follows $ref', () => assert.equal(r.resolve(outer), defs.Outer));
  it('resolve follows a single-element allOf', () =>
    assert.equal(r.resolve(r.field(outer, 'wrapped') as SchemaNode), defs.Inner));
  it('resolve of a dangling $ref is an empty schema', () =>
    assert.deepStrictEqual(r.resolve(r.field(outer, 'dangling') as SchemaNode), {}));
  it('field returns the unresolved property', () =>
    assert.equal(r.field(outer, 'inner'), defs.Outer.properties?.inner));
  it('field of a map node returns its additionalProperties', () =>
    assert.deepStrictEqual(r.field(r.field(outer, 'labels') as SchemaNode, 'any'), { type: 'string' }));
  it('field of an unknown property is undefined', () => assert.equal(r.field(outer, 'nope'), undefined));
  it('items returns the element schema', () =>
    assert.deepStrictEqual(r.items(r.field(outer, 'items') as SchemaNode), { $ref: '#/definitions/Inner' }));
  it('patchMeta reads the property extensions', () => {
    assert.deepStrictEqual(r.patchMeta(r.field(outer, 'items')), { strategies: ['merge'], mergeKey: 'id' });
    assert.deepStrictEqual(r.patchMeta(r.field(outer, 'inner')), { strategies: ['retainKeys'], mergeKey: '' });
    assert.deepStrictEqual(r.patchMeta(undefined), { strategies: [], mergeKey: '' });
  });
  it('definition looks a name up', () => assert.equal(r.definition('Inner'), defs.Inner));
});

/** [definition, dotted field path, expected strategies, expected merge key]. */
type MetaRow = [string, string, string[], string];

const metaRows130: MetaRow[] = [
  ['io.k8s.api.core.v1.PodSpec', 'containers', ['merge'], 'name'],
  ['io.k8s.api.core.v1.PodSpec', 'initContainers', ['merge'], 'name'],
  ['io.k8s.api.core.v1.PodSpec', 'volumes', ['merge', 'retainKeys'], 'name'],
  ['io.k8s.api.core.v1.PodSpec', 'imagePullSecrets', ['merge'], 'name'],
  ['io.k8s.api.core.v1.PodSpec', 'tolerations', [], ''],
  ['io.k8s.api.core.v1.Container', 'env', ['merge'], 'name'],
  ['io.k8s.api.core.v1.Container', 'ports', ['merge'], 'containerPort'],
  ['io.k8s.api.core.v1.Container', 'volumeMounts', ['merge'], 'mountPath'],
  ['io.k8s.api.core.v1.Container', 'args', [], ''],
  ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences', ['merge'], 'uid'],
  ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers', ['merge'], ''],
  ['io.k8s.api.core.v1.PodStatus', 'conditions', ['merge'], 'type'],
  ['io.k8s.api.core.v1.NodeStatus', 'addresses', ['merge'], 'type'],
  ['io.k8s.api.core.v1.NodeStatus', 'conditions', ['merge'], 'type'],
  ['io.k8s.api.apps.v1.DaemonSetStatus', 'conditions', ['merge'], 'type'],
  ['io.k8s.api.apps.v1.DeploymentSpec', 'strategy', ['retainKeys'], ''],
  ['io.k8s.api.apps.v1.DaemonSetSpec', 'updateStrategy', [], ''],
  ['io.k8s.api.policy.v1.PodDisruptionBudgetSpec', 'selector', ['replace'], ''],
];

describe('SchemaResolver.patchMeta on the 1.30 definitions', { skip: skip130 }, () => {
  for (const [def, field, strategies, mergeKey] of metaRows130) {
    it(`${def.split('.').slice(-1)[0]}.${field}`, { skip: notIn130(def) }, () => {
      const r = resolver130();
      assert.deepStrictEqual(r.patchMeta(r.field(ref(def), field)), { strategies, mergeKey });
    });
  }
  it('walks DaemonSet → spec.template.spec.containers[] → env', () => {
    const r = resolver130();
    let node = ref('io.k8s.api.apps.v1.DaemonSet');
    for (const f of ['spec', 'template', 'spec']) node = r.field(node, f) as SchemaNode;
    const containers = r.field(node, 'containers') as SchemaNode;
    assert.deepStrictEqual(r.patchMeta(r.field(r.items(containers) as SchemaNode, 'env')), {
      strategies: ['merge'],
      mergeKey: 'name',
    });
  });
});

describe('SchemaResolver on the 1.15 definitions (extensions/v1beta1)', { skip: skip115 }, () => {
  it('extensions/v1beta1 DaemonSet → spec.template.spec.containers merges by name', () => {
    const r = resolver115();
    let node = ref('io.k8s.api.extensions.v1beta1.DaemonSet');
    for (const f of ['spec', 'template', 'spec']) node = r.field(node, f) as SchemaNode;
    assert.deepStrictEqual(r.patchMeta(r.field(node, 'containers')), { strategies: ['merge'], mergeKey: 'name' });
  });
});
