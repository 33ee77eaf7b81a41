// The OpenAPI documents generated from the registry (openapi/document.ts): paths and operations of every handle,
// what kubectl looks for (PATCH operations with their GVK and an inline fieldValidation parameter, complete
// component schemas per group-version), references, and stable hashes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sharedFile } from '../../helpers/paths.js';
import { buildOpenAPIv2, buildOpenAPIv3, contentHash, PATCH_MEDIA_TYPES } from '../../../openapi/document.js';
import { findKindDefinition } from '../../../openapi/served.js';
import { defaultResources, defaultVirtualResources } from '../../../server/registry/resources/index.js';
import type { ResourceDefinition } from '../../../server/registry/definition.js';
import { Registry, type ResourceHandle } from '../../../server/registry/registry.js';
import { pods } from '../../../server/registry/resources/pods/index.js';
import { identityVersion } from '../../../server/registry/identity-version.js';
import type { Storage } from '../../../storage/interface.js';

type Obj = Record<string, any>;

/** DaemonSets (two views) and ControllerRevisions, for as long as defaultResources() does not serve them yet. */
function stand_ins(present: ResourceDefinition[]): ResourceDefinition[] {
  const out: ResourceDefinition[] = [];
  if (!present.some((d) => d.plural === 'daemonsets')) {
    out.push({
      ...pods,
      group: 'apps',
      plural: 'daemonsets',
      singular: 'daemonset',
      kind: 'DaemonSet',
      listKind: 'DaemonSetList',
      etcdPrefix: 'daemonsets',
      versions: [
        identityVersion({ group: 'apps', version: 'v1', kind: 'DaemonSet' }),
        identityVersion({ group: 'extensions', version: 'v1beta1', kind: 'DaemonSet' }),
      ],
    });
  }
  if (!present.some((d) => d.plural === 'controllerrevisions')) {
    const { statusStrategy: _none, ...rest } = pods;
    out.push({
      ...rest,
      group: 'apps',
      plural: 'controllerrevisions',
      singular: 'controllerrevision',
      kind: 'ControllerRevision',
      listKind: 'ControllerRevisionList',
      etcdPrefix: 'controllerrevisions',
      versions: [identityVersion({ group: 'apps', version: 'v1', kind: 'ControllerRevision' })],
    });
  }
  return out;
}

// Building documents only reads definitions: the stores are never used, so no storage is opened.
const defs = defaultResources();
const registry = new Registry({} as Storage, [...defs, ...stand_ins(defs)], defaultVirtualResources());
const v2 = buildOpenAPIv2(registry) as Obj;
const v3 = buildOpenAPIv3(registry);

function prefixOf(h: ResourceHandle): string {
  return h.view.group ? `apis/${h.view.group}/${h.view.version}` : `api/${h.view.version}`;
}

/** `Core`, `Apps`, `Coordination` (coordination.k8s.io), `RbacAuthorization` (rbac.authorization.k8s.io). */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** The operation tag: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
function tagOf(group: string, version: string): string {
  const w = groupWord(group);
  return `${group ? w[0]!.toLowerCase() + w.slice(1) : 'core'}_${version}`;
}

/** The paths, methods and operation ids server/api/resources.ts serves for a handle, named as kube-apiserver names them. */
function expectedOperations(h: ResourceHandle): Map<string, Record<string, string>> {
  const { def, view } = h;
  const base = view.group ? `/apis/${view.group}/${view.version}` : '/api/v1';
  const gv = `${groupWord(view.group)}${view.version[0]!.toUpperCase()}${view.version.slice(1)}`;
  const ns = def.namespaced ? 'Namespaced' : '';
  const k = def.kind;
  const collection = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const out = new Map<string, Record<string, string>>();
  out.set(collection, {
    get: `list${gv}${ns}${k}`,
    post: `create${gv}${ns}${k}`,
    ...(def.plural === 'namespaces' ? {} : { delete: `delete${gv}Collection${ns}${k}` }),
  });
  out.set(`${collection}/{name}`, {
    get: `read${gv}${ns}${k}`,
    put: `replace${gv}${ns}${k}`,
    patch: `patch${gv}${ns}${k}`,
    delete: `delete${gv}${ns}${k}`,
  });
  if (def.statusStrategy) {
    out.set(`${collection}/{name}/status`, {
      get: `read${gv}${ns}${k}Status`,
      put: `replace${gv}${ns}${k}Status`,
      patch: `patch${gv}${ns}${k}Status`,
    });
  }
  if (def.finalizeStrategy) out.set(`${collection}/{name}/finalize`, { put: `replace${gv}${ns}${k}Finalize` });
  for (const sub of def.getSubresources ?? [])
    out.set(`${collection}/{name}/${sub.name}`, {
      get: `read${gv}${ns}${k}${sub.name[0]!.toUpperCase()}${sub.name.slice(1)}`,
    });
  // The scale subresource (readAppsV1NamespacedDeploymentScale), as upstream names its operations.
  if (def.scale) {
    out.set(`${collection}/{name}/scale`, {
      get: `read${gv}${ns}${k}Scale`,
      put: `replace${gv}${ns}${k}Scale`,
      patch: `patch${gv}${ns}${k}Scale`,
    });
  }
  for (const sub of def.createSubresources ?? []) {
    out.set(`${collection}/{name}/${sub.name}`, {
      post: `create${gv}${ns}${k}${sub.name[0]!.toUpperCase()}${sub.name.slice(1)}`,
    });
    // The create-only collection beside it: POST /api/v1/namespaces/{namespace}/bindings (createCoreV1NamespacedBinding).
    if (sub.collection)
      out.set(
        def.namespaced ? `${base}/namespaces/{namespace}/${sub.collection.plural}` : `${base}/${sub.collection.plural}`,
        { post: `create${gv}${ns}${sub.kind}` },
      );
  }
  if (def.namespaced) out.set(`${base}/${def.plural}`, { get: `list${gv}${k}ForAllNamespaces` });
  return out;
}

/** The virtual resources' paths: a POST per served version (createAuthorizationV1SelfSubjectAccessReview). */
function expectedVirtualOperations(): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const v of registry.virtuals) {
    for (const version of v.versions) {
      out.set(`/apis/${v.group}/${version}/${v.plural}`, {
        post: `create${groupWord(v.group)}${version[0]!.toUpperCase()}${version.slice(1)}${v.kind}`,
      });
    }
  }
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(pathItem: Obj): [string, Obj][] {
  return Object.entries(pathItem).filter(([m]) => METHODS.includes(m)) as [string, Obj][];
}

function paramNames(params: Obj[] | undefined): string[] {
  return (params ?? []).filter((p) => p.in !== 'body').map((p) => p.name);
}

describe('OpenAPI documents: paths and operations', () => {
  it('the registry under test serves DaemonSets in both group versions', () => {
    assert.ok(registry.find('apps/v1', 'daemonsets'));
    assert.ok(registry.find('extensions/v1beta1', 'daemonsets'));
    assert.ok(registry.find('apps/v1', 'controllerrevisions'));
  });

  for (const h of registry.handles) {
    it(`${h.view.groupVersion} ${h.def.plural}: every path and operation, in v2 and in its v3 document`, () => {
      const doc3 = v3.docs.get(prefixOf(h)) as Obj;
      for (const [path, ops] of expectedOperations(h)) {
        for (const [style, paths] of [
          ['v2', v2.paths],
          ['v3', doc3.paths],
        ] as const) {
          const item = paths[path];
          assert.ok(item, `${style} lacks ${path}`);
          const got = Object.fromEntries(operations(item).map(([m, o]) => [m, o.operationId]));
          assert.deepEqual(got, ops, `${style} ${path}`);
          const sub = h.def.createSubresources?.find(
            (c) =>
              path.endsWith(`/{name}/${c.name}`) ||
              (c.collection !== undefined && path.endsWith(`}/${c.collection.plural}`)),
          );
          const gvk = sub
            ? { group: sub.group, version: sub.version, kind: sub.kind }
            : path.endsWith('/{name}/scale')
              ? h.view.group === 'extensions'
                ? { group: 'extensions', version: 'v1beta1', kind: 'Scale' }
                : { group: 'autoscaling', version: 'v1', kind: 'Scale' }
              : { group: h.view.group, version: h.view.version, kind: h.def.kind };
          for (const [, o] of operations(item)) {
            assert.deepEqual(o['x-kubernetes-group-version-kind'], gvk);
            assert.ok(
              ['get', 'list', 'post', 'put', 'patch', 'delete', 'deletecollection'].includes(o['x-kubernetes-action']),
            );
            assert.ok(o.description, `${o.operationId} has a description`);
            assert.deepEqual(o.tags, [tagOf(h.view.group, h.view.version)]);
          }
        }
      }
    });
  }

  for (const [path, ops] of expectedVirtualOperations()) {
    it(`${path}: POST only, with its kind as body and answer, in v2 and in its v3 document`, () => {
      const v = registry.virtuals.find((r) => path.endsWith(`/${r.plural}`))!;
      const version = path.split('/')[3]!;
      const names = findKindDefinition(v.group, version, v.kind)!;
      assert.ok(names, `${v.kind} ${version} has a definition`);
      const doc3 = v3.docs.get(`apis/${v.group}/${version}`) as Obj;
      for (const [style, paths] of [
        ['v2', v2.paths],
        ['v3', doc3.paths],
      ] as const) {
        const item = paths[path];
        assert.ok(item, `${style} lacks ${path}`);
        assert.deepEqual(
          Object.fromEntries(operations(item).map(([m, o]) => [m, o.operationId])),
          ops,
          `${style} ${path}`,
        );
        assert.deepEqual(item.post['x-kubernetes-group-version-kind'], { group: v.group, version, kind: v.kind });
        assert.deepEqual(item.post.tags, [tagOf(v.group, version)]);
        assert.equal(item.post['x-kubernetes-action'], 'post');
      }
      assert.deepEqual(v2.paths[path].post.parameters[0].schema, { $ref: `#/definitions/${names.definition}` });
      assert.deepEqual(Object.keys(v2.paths[path].post.responses), ['200', '201', '202', '401']);
      assert.deepEqual(paramNames(v2.paths[path].post.parameters), ['dryRun', 'fieldManager', 'fieldValidation']);
      const schema = doc3.components.schemas[names.definition];
      assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: v.group, kind: v.kind, version }]);
    });
  }

  it('pods/eviction: a POST of a policy/v1 Eviction, documented in the core v1 documents', () => {
    const path = '/api/v1/namespaces/{namespace}/pods/{name}/eviction';
    const item = v2.paths[path];
    assert.equal(item.post.operationId, 'createCoreV1NamespacedPodEviction');
    assert.deepEqual(item.post['x-kubernetes-group-version-kind'], {
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
    });
    assert.deepEqual(item.post.tags, ['core_v1']);
    assert.deepEqual(item.post.parameters[0].schema, { $ref: '#/definitions/io.k8s.api.policy.v1.Eviction' });
    assert.deepEqual(paramNames(item.parameters), ['name', 'namespace', 'pretty']);
    const core = v3.docs.get('api/v1') as Obj;
    assert.ok(core.paths[path].post);
    assert.ok(core.components.schemas['io.k8s.api.policy.v1.Eviction']);
    assert.equal(v3.docs.get('apis/policy/v1'), undefined, 'no policy document: no policy resource is served');
  });

  it('pods/log: a GET of plain text with the query parameters of PodLogOptions, documented in the core v1 documents', () => {
    const path = '/api/v1/namespaces/{namespace}/pods/{name}/log';
    const core = v3.docs.get('api/v1') as Obj;
    for (const item of [v2.paths[path], core.paths[path]]) {
      assert.deepEqual(
        operations(item).map(([m]) => m),
        ['get'],
      );
      assert.equal(item.get.operationId, 'readCoreV1NamespacedPodLog');
      assert.equal(item.get['x-kubernetes-action'], 'get');
      assert.deepEqual(item.get['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
      assert.deepEqual(paramNames(item.parameters), [
        'container',
        'follow',
        'insecureSkipTLSVerifyBackend',
        'limitBytes',
        'name',
        'namespace',
        'pretty',
        'previous',
        'sinceSeconds',
        'tailLines',
        'timestamps',
      ]);
    }
    const get = v2.paths[path].get;
    assert.deepEqual(get.produces, [
      'text/plain',
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
    assert.deepEqual(get.responses['200'].schema, { type: 'string' });
    const types = Object.fromEntries(v2.paths[path].parameters.map((p: Obj) => [p.name, p.type]));
    assert.equal(types.follow, 'boolean');
    assert.equal(types.tailLines, 'integer');
    assert.equal(types.container, 'string');
    assert.deepEqual(core.paths[path].get.responses['200'].content['text/plain'], { schema: { type: 'string' } });
  });

  it("every served path is kube-apiserver's, with the same operations, parameters and media types", (t) => {
    const r130 = sharedFile('reference', 'k8s-v1.30-swagger.json');
    const r115 = sharedFile('reference', 'k8s-v1.15-swagger.json.gz');
    if (!r130 || !r115) {
      t.skip('the upstream reference documents are not in ../shared/reference');
      return;
    }
    // 1.30; 1.15 for what 1.30 no longer serves (extensions/v1beta1 DaemonSets). Subresources included: pods/log,
    // pods/binding, pods/eviction, serviceaccounts/token, namespaces/finalize, every status.
    const upstream = [
      JSON.parse(readFileSync(r130, 'utf8')) as Obj,
      JSON.parse(gunzipSync(readFileSync(r115)).toString('utf8')) as Obj,
    ];
    const names = (doc: Obj, params: Obj[] | undefined) =>
      (params ?? [])
        .map((p) => (p.$ref ? doc.parameters[p.$ref.slice('#/parameters/'.length)] : p))
        .filter((p: Obj) => p.in !== 'body')
        .map((p: Obj) => p.name as string);
    const problems: string[] = [];
    for (const [path, item] of Object.entries(v2.paths) as [string, Obj][]) {
      const doc = upstream.find((d) => d.paths[path]);
      if (!doc) {
        problems.push(`${path}: not an upstream path`);
        continue;
      }
      const ref = doc.paths[path];
      const methods = operations(item).map(([m]) => m);
      const refMethods = operations(ref).map(([m]) => m);
      if (methods.join() !== refMethods.join()) problems.push(`${path}: methods ${methods} vs ${refMethods}`);
      for (const [m, o] of operations(item)) {
        const u = ref[m];
        if (!u) continue;
        for (const key of ['operationId', 'x-kubernetes-action', 'x-kubernetes-group-version-kind', 'produces']) {
          if (!isDeepStrictEqual(o[key], u[key]))
            problems.push(`${m} ${path}: ${key} ${JSON.stringify(o[key])} vs ${JSON.stringify(u[key])}`);
        }
        // The 1.15 operations had parameters since removed (export, exact) and lacked newer ones (fieldValidation):
        // those of a path only 1.15 has are the ones every other version of the resource has, checked above.
        if (doc !== upstream[0]) continue;
        const ours = [...names(v2, item.parameters), ...names(v2, o.parameters)].sort();
        const theirs = [...names(doc, ref.parameters), ...names(doc, u.parameters)].sort();
        if (ours.join() !== theirs.join()) problems.push(`${m} ${path}: parameters ${ours} vs ${theirs}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('names operations exactly as kube-apiserver does', () => {
    const ids = new Set(Object.values(v2.paths).flatMap((item: any) => operations(item).map(([, o]) => o.operationId)));
    for (const id of [
      'listCoreV1NamespacedPod',
      'createAppsV1NamespacedDaemonSet',
      'patchExtensionsV1beta1NamespacedDaemonSet',
      'readCoreV1NamespacedPodStatus',
      'listCoreV1PodForAllNamespaces',
      'deleteCoreV1CollectionNamespacedPod',
      'readCoreV1Node',
      'deleteCoreV1CollectionNode',
      'patchCoreV1NodeStatus',
      'listAppsV1DaemonSetForAllNamespaces',
      'listAppsV1NamespacedControllerRevision',
      'replaceCoreV1Namespace',
      'createCoreV1NamespacedPodEviction',
      'readCoreV1NamespacedPodLog',
      'replaceCoreV1NamespaceFinalize',
      'createCoreV1NamespacedServiceAccountToken',
      'createCoreV1NamespacedBinding',
      'createCoreV1NamespacedPodBinding',
      'createAuthorizationV1SelfSubjectAccessReview',
      'createAuthorizationV1SelfSubjectRulesReview',
      'createAuthenticationV1SelfSubjectReview',
      'createAuthenticationV1beta1SelfSubjectReview',
    ]) {
      assert.ok(ids.has(id), id);
    }
  });

  it('operation ids are unique', () => {
    const ids = Object.values(v2.paths).flatMap((item: any) =>
      operations(item).map(([, o]) => o.operationId as string),
    );
    assert.equal(new Set(ids).size, ids.length);
  });

  it('serves no path the registry does not have', () => {
    const expected = new Set([
      ...registry.handles.flatMap((h) => [...expectedOperations(h).keys()]),
      ...expectedVirtualOperations().keys(),
    ]);
    assert.deepEqual(Object.keys(v2.paths).sort(), [...expected].sort());
    const in3 = [...v3.docs.values()].flatMap((d: Obj) => Object.keys(d.paths));
    assert.deepEqual(in3.sort(), [...expected].sort());
  });
});

describe('OpenAPI documents: what kubectl looks for', () => {
  const servedGVKs = registry.handles.map((h) => ({
    group: h.view.group,
    version: h.view.version,
    kind: h.def.kind,
    prefix: prefixOf(h),
  }));

  for (const gvk of servedGVKs) {
    const label = `${gvk.group || 'core'}/${gvk.version} ${gvk.kind}`;
    it(`${label}: a PATCH operation with its GVK and an inline fieldValidation query parameter (v2 and v3)`, () => {
      const find = (paths: Obj) =>
        Object.values(paths)
          .map((item: any) => item.patch)
          .filter(
            (op: any) =>
              op &&
              JSON.stringify(op['x-kubernetes-group-version-kind']) ===
                JSON.stringify({ group: gvk.group, version: gvk.version, kind: gvk.kind }),
          );
      for (const ops of [find(v2.paths), find((v3.docs.get(gvk.prefix) as Obj).paths)]) {
        assert.ok(ops.length >= 1);
        for (const op of ops) {
          const fv = op.parameters.find((p: Obj) => p.name === 'fieldValidation');
          assert.ok(fv, 'fieldValidation present');
          assert.equal(fv.in, 'query');
          assert.equal(fv.$ref, undefined, 'inline, not a reference');
        }
      }
    });

    const names = findKindDefinition(gvk.group, gvk.version, gvk.kind);

    it(`${label}: v3 PATCH requestBody lists the patch media types, strategic merge only over a complete schema`, () => {
      // kubectl ≥1.27 computes apply patches from the v3 schema when strategic merge is listed: only with a definition.
      const expected = names
        ? [...PATCH_MEDIA_TYPES]
        : PATCH_MEDIA_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');
      const doc = v3.docs.get(gvk.prefix) as Obj;
      const patches = Object.values(doc.paths)
        .map((i: any) => i.patch)
        .filter((op: any) => op?.['x-kubernetes-group-version-kind']?.kind === gvk.kind);
      for (const op of patches) {
        assert.deepEqual(Object.keys(op.requestBody.content).sort(), [...expected].sort());
        assert.equal(op.requestBody.required, true);
      }
      for (const item of Object.values(v2.paths) as Obj[]) {
        const of = item.patch?.['x-kubernetes-group-version-kind'];
        if (of && of.group === gvk.group && of.version === gvk.version && of.kind === gvk.kind) {
          assert.deepEqual(item.patch.consumes, expected, 'v2 consumes, in upstream order');
        }
      }
    });

    it(`${label}: its v3 document has the kind's schema, tagged with the GVK (explain)`, (t) => {
      const doc = v3.docs.get(gvk.prefix) as Obj;
      if (!names) {
        // Served without a schema (openapi/schemas has none yet): bodies are free-form objects, explain cannot show it.
        const item = Object.values(doc.paths).find(
          (i: any) => i.put?.['x-kubernetes-group-version-kind']?.kind === gvk.kind,
        ) as Obj;
        assert.deepEqual(item.put.requestBody.content['*/*'].schema.type, 'object');
        t.skip(`no definition for ${label} in openapi/schemas`);
        return;
      }
      const schema = doc.components.schemas[names.definition];
      assert.ok(schema);
      assert.ok(
        schema['x-kubernetes-group-version-kind'].some(
          (g: Obj) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind,
        ),
      );
      assert.ok(doc.components.schemas[names.listDefinition!]);
    });
  }

  it("the chapter's kinds all have complete schemas", () => {
    for (const [group, version, kind] of [
      ['', 'v1', 'Pod'],
      ['', 'v1', 'Node'],
      ['', 'v1', 'Namespace'],
      ['apps', 'v1', 'DaemonSet'],
      ['extensions', 'v1beta1', 'DaemonSet'],
    ] as const) {
      assert.ok(findKindDefinition(group, version, kind), `${group}/${version} ${kind}`);
    }
  });

  it('query parameters of each kind of operation', () => {
    const pod = v2.paths['/api/v1/namespaces/{namespace}/pods'];
    const item = v2.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    assert.deepEqual(paramNames(pod.get.parameters), [
      'allowWatchBookmarks',
      'continue',
      'fieldSelector',
      'labelSelector',
      'limit',
      'resourceVersion',
      'resourceVersionMatch',
      'sendInitialEvents',
      'timeoutSeconds',
      'watch',
    ]);
    assert.deepEqual(paramNames(pod.post.parameters), ['dryRun', 'fieldManager', 'fieldValidation']);
    assert.deepEqual(paramNames(item.put.parameters), ['dryRun', 'fieldManager', 'fieldValidation']);
    assert.deepEqual(paramNames(item.patch.parameters), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.deepEqual(paramNames(item.delete.parameters), [
      'dryRun',
      'gracePeriodSeconds',
      'orphanDependents',
      'propagationPolicy',
    ]);
    assert.ok(paramNames(pod.delete.parameters).includes('propagationPolicy'));
    assert.ok(paramNames(pod.delete.parameters).includes('labelSelector'));
    assert.deepEqual(paramNames(pod.parameters), ['namespace', 'pretty']);
    assert.deepEqual(paramNames(item.parameters), ['name', 'namespace', 'pretty']);
    assert.ok(paramNames(v2.paths['/api/v1/pods'].parameters).includes('watch'));
    const ns = item.parameters.find((p: Obj) => p.name === 'namespace');
    assert.equal(ns.in, 'path');
    assert.equal(ns.required, true);
    const limit = pod.get.parameters.find((p: Obj) => p.name === 'limit');
    assert.equal(limit.type, 'integer');
    const v3Limit = (v3.docs.get('api/v1') as Obj).paths['/api/v1/namespaces/{namespace}/pods'].get.parameters.find(
      (p: Obj) => p.name === 'limit',
    );
    assert.deepEqual(v3Limit.schema, { type: 'integer', uniqueItems: true });
  });

  it('bodies and responses reference the kind, Patch, DeleteOptions and Status definitions', () => {
    const item = v2.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}'];
    assert.deepEqual(item.put.parameters[0], {
      in: 'body',
      name: 'body',
      required: true,
      schema: { $ref: '#/definitions/io.k8s.api.apps.v1.DaemonSet' },
    });
    assert.equal(item.patch.parameters[0].schema.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    assert.equal(
      item.delete.parameters[0].schema.$ref,
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
    );
    assert.equal(item.delete.responses['200'].schema.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    assert.deepEqual(Object.keys(item.get.responses), ['200', '401']);
    assert.equal(
      v2.paths['/apis/apps/v1/daemonsets'].get.responses['200'].schema.$ref,
      '#/definitions/io.k8s.api.apps.v1.DaemonSetList',
    );
    assert.deepEqual(Object.keys(v2.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets'].post.responses), [
      '200',
      '201',
      '202',
      '401',
    ]);
    // A pod DELETE answers with the pod, as kube-apiserver documents it.
    assert.equal(
      v2.paths['/api/v1/namespaces/{namespace}/pods/{name}'].delete.responses['200'].schema.$ref,
      '#/definitions/io.k8s.api.core.v1.Pod',
    );
    const ds3 = (v3.docs.get('apis/extensions/v1beta1') as Obj).paths[
      '/apis/extensions/v1beta1/namespaces/{namespace}/daemonsets/{name}'
    ];
    assert.deepEqual(ds3.put.requestBody, {
      content: { '*/*': { schema: { $ref: '#/components/schemas/io.k8s.api.extensions.v1beta1.DaemonSet' } } },
      required: true,
    });
    assert.deepEqual(Object.keys(ds3.get.responses['200'].content), [
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  });

  it('advertises the encodings kube-apiserver does: protobuf responses, JSON and protobuf watch streams', () => {
    const PB = 'application/vnd.kubernetes.protobuf';
    const objects = ['application/json', 'application/yaml', PB];
    const pods = v2.paths['/api/v1/namespaces/{namespace}/pods'];
    const pod = v2.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
    assert.deepEqual(pods.get.produces, [...objects, 'application/json;stream=watch', `${PB};stream=watch`]);
    for (const op of [pods.post, pods.delete, pod.get, pod.put, pod.patch, pod.delete]) {
      assert.deepEqual(op.produces, objects);
    }
    assert.deepEqual(pods.post.consumes, ['*/*']);
  });

  it("the v2 document is shaped like kube-apiserver's", () => {
    assert.equal(v2.swagger, '2.0');
    assert.deepEqual(v2.info, { title: 'Kubernetes', version: 'v1.32.0' });
    assert.equal(v2.securityDefinitions.BearerToken.type, 'apiKey');
    assert.ok(v2.definitions['io.k8s.api.core.v1.Pod']);
    assert.equal(buildOpenAPIv2(registry, { version: 'v9', security: false }).securityDefinitions, undefined);
  });
});

/** Every `$ref` under a value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref') out.push(v as string);
      else refs(v, out);
    }
  }
  return out;
}

describe('OpenAPI documents: references and hashes', () => {
  it('every $ref of the v2 document resolves to one of its definitions', () => {
    const all = refs(v2);
    assert.ok(all.length > 100);
    for (const r of new Set(all)) {
      assert.ok(r.startsWith('#/definitions/'), r);
      assert.ok(v2.definitions[r.slice('#/definitions/'.length)], r);
    }
  });

  for (const [prefix, doc] of v3.docs) {
    it(`every $ref of the v3 document ${prefix} resolves within it`, () => {
      const d = doc as Obj;
      for (const r of new Set(refs(d))) {
        assert.ok(r.startsWith('#/components/schemas/'), r);
        assert.ok(d.components.schemas[r.slice('#/components/schemas/'.length)], `${prefix}: ${r}`);
      }
      assert.equal(d.openapi, '3.0.0');
      assert.ok(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Status']);
      assert.ok(d.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']);
    });
  }

  it('a group-version document carries only the schemas its paths reach (plus meta types)', () => {
    const core = v3.docs.get('api/v1') as Obj;
    const apps = v3.docs.get('apis/apps/v1') as Obj;
    assert.equal(core.components.schemas['io.k8s.api.apps.v1.DaemonSet'], undefined);
    assert.equal(apps.components.schemas['io.k8s.api.core.v1.Node'], undefined);
    assert.equal(apps.components.schemas['io.k8s.api.extensions.v1beta1.DaemonSet'], undefined);
    assert.ok(apps.components.schemas['io.k8s.api.core.v1.PodTemplateSpec'], 'reached through DaemonSetSpec');
  });

  it('the index names each group-version document with its content hash', () => {
    const virtualPrefixes = registry.virtuals.flatMap((v) => v.versions.map((version) => `apis/${v.group}/${version}`));
    const expected = [...new Set([...registry.handles.map(prefixOf), ...virtualPrefixes])].sort();
    assert.deepEqual(Object.keys(v3.index.paths).sort(), expected);
    for (const [prefix, entry] of Object.entries(v3.index.paths)) {
      const hash = contentHash(JSON.stringify(v3.docs.get(prefix)));
      assert.match(hash, /^[0-9A-F]{128}$/);
      assert.equal(v3.hashes.get(prefix), hash);
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${prefix}?hash=${hash}`);
    }
  });

  it('hashes are stable across builds and differ between documents', () => {
    const again = buildOpenAPIv3(registry);
    assert.deepEqual(again.index, v3.index);
    assert.equal(JSON.stringify(buildOpenAPIv2(registry)), JSON.stringify(v2));
    assert.equal(new Set(v3.hashes.values()).size, v3.hashes.size);
  });
});
