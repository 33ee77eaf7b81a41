// Holds the project's own API schemas (openapi/schemas) against the upstream Kubernetes OpenAPI documents:
// same definitions, properties, JSON types, formats, references, required fields and patch/list extensions.
// Descriptions are the project's own: they must be present, and are not compared (except that none is a verbatim copy).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import Type from 'typebox';
import Value from 'typebox/value';
import { definitions, kindsOf, openAPIRef, toOpenAPIDefinitions } from '../../../openapi/schemas/index.js';

const kindDefinitions = kindsOf(definitions);

type Schema = Record<string, any>;

// Compiled, this file is dist/tests/unit/openapi/schemas.test.js: the repository root is four levels up.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const referenceDir = resolve(repoRoot, '../shared/reference');
const V130 = join(referenceDir, 'k8s-v1.30-swagger.json');
const V115 = join(referenceDir, 'k8s-v1.15-swagger.json.gz');

interface Reference {
  v130: Record<string, Schema>;
  v115: Record<string, Schema>;
}

function loadReference(): Reference | null {
  if (!existsSync(V130) || !existsSync(V115)) return null;
  return {
    v130: JSON.parse(readFileSync(V130, 'utf8')).definitions,
    v115: JSON.parse(gunzipSync(readFileSync(V115)).toString('utf8')).definitions,
  };
}

const reference = loadReference();
const MISSING = `upstream reference documents not found at ${referenceDir}`;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
/** Definitions the server must publish whatever refers to them. */
const ROOTS = [
  ...[
    'Pod',
    'PodList',
    'Node',
    'NodeList',
    'Namespace',
    'NamespaceList',
    'Event',
    'EventList',
    'Binding',
    'ConfigMap',
    'ConfigMapList',
    'Secret',
    'SecretList',
    'Service',
    'ServiceList',
    'Endpoints',
    'EndpointsList',
  ].map((k) => `io.k8s.api.core.v1.${k}`),
  ...['DaemonSet', 'DaemonSetList', 'ControllerRevision', 'ControllerRevisionList'].map(
    (k) => `io.k8s.api.apps.v1.${k}`,
  ),
  ...['DaemonSet', 'DaemonSetList'].map((k) => `io.k8s.api.extensions.v1beta1.${k}`),
  'io.k8s.api.policy.v1.Eviction',
  'io.k8s.api.policy.v1beta1.Eviction',
  'io.k8s.api.discovery.v1.EndpointSlice',
  'io.k8s.api.discovery.v1.EndpointSliceList',
  ...['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReviewStatus', 'SubjectRulesReviewStatus'].map(
    (k) => `io.k8s.api.authorization.v1.${k}`,
  ),
  ...['SelfSubjectReview', 'UserInfo', 'TokenRequest'].map((k) => `io.k8s.api.authentication.v1.${k}`),
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.ServiceAccountList',
  'io.k8s.api.authentication.v1beta1.SelfSubjectReview',
  ...[
    'Status',
    'StatusDetails',
    'StatusCause',
    'DeleteOptions',
    'Preconditions',
    'ListMeta',
    'ObjectMeta',
    'OwnerReference',
    'ManagedFieldsEntry',
    'LabelSelector',
    'LabelSelectorRequirement',
    'Time',
    'MicroTime',
    'WatchEvent',
    'APIResourceList',
    'APIResource',
    'APIGroupList',
    'APIGroup',
    'APIVersions',
    'GroupVersionForDiscovery',
    'ServerAddressByClientCIDR',
    'Patch',
  ].map((k) => META + k),
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
];

const v2 = toOpenAPIDefinitions('v2') as Record<string, Schema>;
const v3 = toOpenAPIDefinitions('v3') as Record<string, Schema>;
const servedNames = Object.keys(v2).sort();

/** Definitions of group-versions that 1.30 no longer serves, held against the 1.15 document. */
const FROM_115 = ['io.k8s.api.extensions.v1beta1.', 'io.k8s.api.policy.v1beta1.'];

/** The upstream document a served definition is held against. */
function upstreamOf(ref: Reference, name: string): Schema | undefined {
  return FROM_115.some((p) => name.startsWith(p)) ? ref.v115[name] : ref.v130[name];
}

/** Everything of a property schema that is compared: JSON type and format, reference, items, map values, extensions. */
function shape(schema: Schema | undefined): Schema | undefined {
  if (schema === undefined) return undefined;
  const out: Schema = {};
  for (const key of ['type', 'format', '$ref']) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.items !== undefined) out.items = shape(schema.items);
  if (schema.additionalProperties !== undefined) out.additionalProperties = shape(schema.additionalProperties);
  for (const key of Object.keys(schema).sort()) if (key.startsWith('x-kubernetes-')) out[key] = schema[key];
  for (const key of Object.keys(schema)) {
    assert.ok(
      ['type', 'format', '$ref', 'items', 'additionalProperties', 'description'].includes(key) || key.startsWith('x-'),
      `unexpected schema keyword ${key}`,
    );
  }
  return out;
}

function extensions(schema: Schema, except: string[] = []): Schema {
  const out: Schema = {};
  for (const key of Object.keys(schema).sort()) {
    if (key.startsWith('x-kubernetes-') && !except.includes(key)) out[key] = schema[key];
  }
  return out;
}

const gvkKey = (g: { group: string; version: string; kind: string }) => `${g.group}/${g.version}/${g.kind}`;

/** Calls `visit` on every schema object reachable through the schema keywords used here. */
function walk(schema: Schema, visit: (s: Schema, path: string) => void, path = ''): void {
  visit(schema, path);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) walk(prop as Schema, visit, `${path}.${name}`);
  if (schema.items) walk(schema.items, visit, `${path}[]`);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    walk(schema.additionalProperties, visit, `${path}{}`);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const [i, sub] of ((schema[key] ?? []) as Schema[]).entries()) walk(sub, visit, `${path}/${key}[${i}]`);
  }
}

describe('openapi schemas: against the upstream documents', () => {
  if (!reference) {
    it('compares with the upstream documents', (t) => {
      t.skip(MISSING);
    });
    return;
  }
  const ref = reference;

  it('serves exactly definitions that exist upstream (1.30; 1.15 for extensions/v1beta1 and policy/v1beta1)', () => {
    const unknown = servedNames.filter((n) => upstreamOf(ref, n) === undefined);
    assert.deepEqual(unknown, []);
  });

  for (const name of servedNames) {
    it(name, () => {
      const ours = v2[name];
      const up = upstreamOf(ref, name);
      assert.ok(up, `${name} is not an upstream definition`);
      const problems: string[] = [];
      const same = (what: string, actual: unknown, expected: unknown) => {
        if (!isDeepStrictEqual(actual, expected)) {
          problems.push(`${what}: served ${JSON.stringify(actual)}, upstream ${JSON.stringify(expected)}`);
        }
      };

      same('type', ours.type, up.type);
      same('format', ours.format, up.format);
      same('properties', Object.keys(ours.properties ?? {}).sort(), Object.keys(up.properties ?? {}).sort());
      same('required', [...(ours.required ?? [])].sort(), [...(up.required ?? [])].sort());
      for (const prop of Object.keys(up.properties ?? {})) {
        if (ours.properties?.[prop]) same(`property ${prop}`, shape(ours.properties[prop]), shape(up.properties[prop]));
      }

      // Definition-level extensions: map type and unions as upstream; group-version-kinds as upstream for a
      // kind of its own, and for shared kinds (DeleteOptions, WatchEvent, Status) the served subset of upstream's.
      const GVK = 'x-kubernetes-group-version-kind';
      same('extensions', extensions(ours, [GVK]), extensions(up, [GVK]));
      const upGvks: Schema[] = up[GVK] ?? [];
      const ourGvks: Schema[] = ours[GVK] ?? [];
      if (upGvks.length <= 1) {
        same(GVK, ourGvks, upGvks);
      } else {
        const upstreamKeys = new Set([...(ref.v130[name]?.[GVK] ?? []), ...(ref.v115[name]?.[GVK] ?? [])].map(gvkKey));
        if (ourGvks.length === 0) problems.push(`${GVK} missing`);
        for (const g of ourGvks)
          if (!upstreamKeys.has(gvkKey(g as never))) problems.push(`${GVK}: ${gvkKey(g as never)} is not upstream`);
        if (!ourGvks.some((g) => g.group === '' && g.version === 'v1')) problems.push(`${GVK} lacks the core v1 entry`);
      }
      assert.deepEqual(problems, []);
    });
  }

  it('has a description of its own on every definition and property', () => {
    const problems: string[] = [];
    const norm = (s: unknown) =>
      String(s ?? '')
        .toLowerCase()
        .replace(/\s+/g, ' ')
        .trim();
    for (const name of servedNames) {
      const ours = v2[name];
      const up = upstreamOf(ref, name) ?? {};
      if (typeof ours.description !== 'string' || ours.description.trim() === '')
        problems.push(`${name}: no description`);
      else if (norm(ours.description) === norm(up.description))
        problems.push(`${name}: description copied from upstream`);
      for (const [prop, schema] of Object.entries(ours.properties ?? {}) as Array<[string, Schema]>) {
        const upDesc = up.properties?.[prop]?.description;
        if (typeof schema.description !== 'string' || schema.description.trim() === '') {
          problems.push(`${name}.${prop}: no description`);
        } else if (norm(schema.description) === norm(upDesc)) {
          problems.push(`${name}.${prop}: description copied from upstream`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('openapi schemas: closure and kinds', () => {
  it('defines every requested root definition', () => {
    assert.deepEqual(
      ROOTS.filter((n) => !(n in definitions)),
      [],
    );
  });

  it('defines every referenced definition (the closure is complete)', () => {
    for (const [style, docs] of [
      ['v2', v2],
      ['v3', v3],
    ] as const) {
      const prefix = openAPIRef(style, '');
      const dangling: string[] = [];
      for (const name of servedNames) {
        walk(docs[name], (s, path) => {
          if (s.$ref === undefined) return;
          const target = String(s.$ref);
          if (!target.startsWith(prefix) || !(target.slice(prefix.length) in docs))
            dangling.push(`${name}${path} -> ${target}`);
        });
      }
      assert.deepEqual(dangling, [], style);
    }
  });

  it('lists the served kinds with their object and list definitions', () => {
    const served = kindDefinitions.map((k) => `${k.group}/${k.version}/${k.kind}`).sort();
    assert.deepEqual(served, [
      '/v1/Binding',
      '/v1/ConfigMap',
      '/v1/Endpoints',
      '/v1/Event',
      '/v1/Namespace',
      '/v1/Node',
      '/v1/Pod',
      '/v1/Secret',
      '/v1/Service',
      '/v1/ServiceAccount',
      'apps/v1/ControllerRevision',
      'apps/v1/DaemonSet',
      'apps/v1/Deployment',
      'apps/v1/ReplicaSet',
      'authentication.k8s.io/v1/SelfSubjectReview',
      'authentication.k8s.io/v1/TokenRequest',
      'authentication.k8s.io/v1beta1/SelfSubjectReview',
      'authorization.k8s.io/v1/SelfSubjectAccessReview',
      'authorization.k8s.io/v1/SelfSubjectRulesReview',
      'autoscaling/v1/Scale',
      'coordination.k8s.io/v1/Lease',
      'discovery.k8s.io/v1/EndpointSlice',
      'extensions/v1beta1/DaemonSet',
      'extensions/v1beta1/Deployment',
      'extensions/v1beta1/ReplicaSet',
      'extensions/v1beta1/Scale',
      'policy/v1/Eviction',
      'policy/v1beta1/Eviction',
      'rbac.authorization.k8s.io/v1/ClusterRole',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
      'rbac.authorization.k8s.io/v1/Role',
      'rbac.authorization.k8s.io/v1/RoleBinding',
    ]);
    for (const k of kindDefinitions) {
      const object = v2[k.definition];
      assert.ok(object, `${k.definition} is defined`);
      assert.deepEqual(object['x-kubernetes-group-version-kind'], [
        { group: k.group, kind: k.kind, version: k.version },
      ]);
      // Kinds that are only created and answered (reviews, evictions) have no list.
      if (k.listDefinition === undefined) {
        assert.equal(v2[`${k.definition}List`], undefined);
        continue;
      }
      const list = v2[k.listDefinition];
      assert.ok(list, `${k.listDefinition} is defined`);
      assert.deepEqual(list['x-kubernetes-group-version-kind'], [
        { group: k.group, kind: `${k.kind}List`, version: k.version },
      ]);
      assert.equal(list.properties.items.items.$ref, openAPIRef('v2', k.definition));
    }
  });
});

describe('openapi schemas: toOpenAPIDefinitions', () => {
  it('returns plain JSON without TypeBox internals', () => {
    for (const docs of [v2, v3]) {
      assert.deepEqual(JSON.parse(JSON.stringify(docs)), docs);
      for (const name of servedNames) {
        walk(docs[name], (s, path) => {
          for (const key of Reflect.ownKeys(s)) {
            assert.ok(typeof key === 'string' && !key.startsWith('~'), `${name}${path} has key ${String(key)}`);
          }
          assert.ok(!('patternProperties' in s), `${name}${path} has patternProperties`);
        });
      }
    }
  });

  it('returns fresh objects on every call', () => {
    const a = toOpenAPIDefinitions('v2') as Record<string, Schema>;
    a['io.k8s.api.core.v1.Pod'].description = 'changed';
    assert.notEqual(
      (toOpenAPIDefinitions('v2') as Record<string, Schema>)['io.k8s.api.core.v1.Pod'].description,
      'changed',
    );
  });

  it('writes v2 references as #/definitions/<name>, described references with $ref siblings', () => {
    const pod = v2['io.k8s.api.core.v1.Pod'];
    assert.equal(pod.properties.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
    assert.equal(typeof pod.properties.spec.description, 'string');
    const resources = v2['io.k8s.api.core.v1.ResourceRequirements'];
    assert.deepEqual(resources.properties.limits.additionalProperties, {
      $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity',
    });
    assert.equal(resources.properties.limits.type, 'object');
    const intOrString = v2['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
    assert.deepEqual(
      { type: intOrString.type, format: intOrString.format },
      { type: 'string', format: 'int-or-string' },
    );
    assert.equal(v2['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  });

  it('writes v3 references as #/components/schemas/<name>, wrapping described ones in allOf', () => {
    for (const name of servedNames) {
      walk(v3[name], (s, path) => {
        if (s.$ref !== undefined) assert.deepEqual(Object.keys(s), ['$ref'], `${name}${path}: $ref with siblings`);
      });
    }
    const pod = v3['io.k8s.api.core.v1.Pod'];
    assert.deepEqual(pod.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    assert.equal(typeof pod.properties.spec.description, 'string');
    const podSpec = v3['io.k8s.api.core.v1.PodSpec'];
    assert.deepEqual(podSpec.properties.containers.items, {
      $ref: '#/components/schemas/io.k8s.api.core.v1.Container',
    });
    assert.equal(podSpec.properties.containers['x-kubernetes-patch-merge-key'], 'name');
    const intOrString = v3['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
    assert.deepEqual(intOrString.oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(intOrString.format, 'int-or-string');
    assert.equal(intOrString.type, undefined);
    assert.deepEqual(v3['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [
      { type: 'string' },
      { type: 'number' },
    ]);
  });

  it('says the same in v3 as in v2, up to the v3 conventions', () => {
    const toV2 = (s: Schema): Schema => {
      const out: Schema = {};
      for (const [key, value] of Object.entries(s)) {
        if (key === 'allOf' && value.length === 1 && value[0].$ref) out.$ref = value[0].$ref;
        else if (key === 'oneOf') out.type = 'string';
        else if (key === '$ref') out.$ref = value;
        else if (key === 'properties') {
          out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toV2(v as Schema)]));
        } else if (key === 'items' || key === 'additionalProperties') out[key] = toV2(value);
        else out[key] = value;
      }
      if (typeof out.$ref === 'string') out.$ref = out.$ref.replace('#/components/schemas/', '#/definitions/');
      return out;
    };
    for (const name of servedNames) assert.deepEqual(toV2(v3[name]), v2[name], name);
  });
});

describe('openapi schemas: TypeBox validation with the definitions as context', () => {
  const check = (name: string, value: unknown) => Value.Check(definitions, Type.Ref(name), value);
  const pod = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, creationTimestamp: '2024-05-01T12:00:00Z' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.25 } },
          readinessProbe: { httpGet: { path: '/', port: 'http' } },
          livenessProbe: { tcpSocket: { port: 80 } },
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  });

  it('accepts a valid pod (int-or-string ports, quantities as strings and numbers)', () => {
    assert.equal(check('io.k8s.api.core.v1.Pod', pod()), true);
  });

  it('rejects wrong JSON types and missing required fields', () => {
    const wrongType = pod();
    (wrongType.spec.containers[0].ports[0] as Schema).containerPort = '80';
    assert.equal(check('io.k8s.api.core.v1.Pod', wrongType), false);
    const missingName = pod();
    delete (missingName.spec.containers[0] as Schema).name;
    assert.equal(check('io.k8s.api.core.v1.Pod', missingName), false);
    const badLabels = pod();
    (badLabels.metadata.labels as Schema).app = 1;
    assert.equal(check('io.k8s.api.core.v1.Pod', badLabels), false);
  });

  it('accepts daemon sets in both served versions', () => {
    const template = {
      metadata: { labels: { app: 'agent' } },
      spec: { containers: [{ name: 'agent', image: 'agent:1' }] },
    };
    assert.equal(
      check('io.k8s.api.apps.v1.DaemonSet', {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template,
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } },
        },
      }),
      true,
    );
    assert.equal(
      check('io.k8s.api.extensions.v1beta1.DaemonSet', {
        apiVersion: 'extensions/v1beta1',
        kind: 'DaemonSet',
        metadata: { name: 'agent' },
        spec: { template, templateGeneration: 2, updateStrategy: { type: 'OnDelete' } },
      }),
      true,
    );
    assert.equal(check('io.k8s.api.apps.v1.DaemonSet', { spec: { template } }), false, 'apps/v1 requires a selector');
  });
});
