/**
 * Discovery as kubectl reads it: legacy documents (kubectl 1.20), aggregated apidiscovery.k8s.io v2beta1
 * (kubectl 1.27–1.29) and v2 (1.30+), chosen by the Accept header and told apart only by the Content-Type.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer } from '../helpers/server.js';

const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGG_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

describe('discovery', () => {
  const { server } = useInProcessServer();

  const get = async (path: string, accept?: string) => {
    const res = await fetch(server().url + path, { headers: accept ? { accept } : {} });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
  };

  it('legacy /apis lists apps before extensions, each with its preferred version', async () => {
    const r = await get('/apis', 'application/json, */*');
    assert.equal(r.type, 'application/json; charset=utf-8');
    assert.equal(r.body.kind, 'APIGroupList');
    const names = r.body.groups.map((g: any) => g.name);
    assert.ok(names.indexOf('apps') < names.indexOf('extensions'), names.join());
    const ext = r.body.groups.find((g: any) => g.name === 'extensions');
    assert.deepEqual(ext.preferredVersion, { groupVersion: 'extensions/v1beta1', version: 'v1beta1' });
  });

  it('legacy resource lists: ds and the all category only on apps/v1', async () => {
    const apps = await get('/apis/apps/v1');
    const ds = apps.body.resources.find((r: any) => r.name === 'daemonsets');
    assert.deepEqual(ds.shortNames, ['ds']);
    assert.deepEqual(ds.categories, ['all']);
    assert.ok(apps.body.resources.some((r: any) => r.name === 'daemonsets/status'));
    assert.ok(apps.body.resources.some((r: any) => r.name === 'controllerrevisions'));
    const ext = await get('/apis/extensions/v1beta1');
    const eds = ext.body.resources.find((r: any) => r.name === 'daemonsets');
    assert.equal(eds.shortNames, undefined);
    assert.equal(eds.categories, undefined);
    const core = await get('/api/v1');
    const names = core.body.resources.map((r: any) => r.name);
    for (const n of [
      'namespaces',
      'nodes',
      'pods',
      'events',
      'pods/status',
      'nodes/status',
      'namespaces/status',
      'namespaces/finalize',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });

  for (const [accept, version] of [
    [`${AGG_V2},${AGG_V2BETA1},application/json`, 'v2'],
    [`${AGG_V2BETA1},application/json`, 'v2beta1'],
  ] as const) {
    it(`aggregated ${version}: answered with its own Content-Type, every resource with a responseKind`, async () => {
      for (const path of ['/api', '/apis']) {
        const r = await get(path, accept);
        assert.equal(r.type, `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`);
        assert.equal(r.body.kind, 'APIGroupDiscoveryList');
        assert.equal(r.body.apiVersion, `apidiscovery.k8s.io/${version}`);
        for (const group of r.body.items) {
          for (const v of group.versions) {
            assert.equal(v.freshness, 'Current');
            for (const res of v.resources) {
              assert.ok(res.responseKind?.kind, `${res.resource} has a responseKind`);
              for (const sub of res.subresources ?? [])
                assert.ok(sub.responseKind?.kind, `${res.resource}/${sub.subresource}`);
            }
          }
        }
      }
      const apis = await get('/apis', accept);
      const names = apis.body.items.map((g: any) => g.metadata.name);
      assert.ok(names.indexOf('apps') < names.indexOf('extensions'));
      const apps = apis.body.items.find((g: any) => g.metadata.name === 'apps');
      const ds = apps.versions[0].resources.find((r: any) => r.resource === 'daemonsets');
      assert.deepEqual(ds.responseKind, { group: 'apps', version: 'v1', kind: 'DaemonSet' });
      assert.equal(ds.scope, 'Namespaced');
      assert.deepEqual(ds.shortNames, ['ds']);
      const core = await get('/api', accept);
      assert.deepEqual(core.body.items.length, 1);
      assert.equal(core.body.items[0].versions[0].version, 'v1');
    });
  }

  it('pods/eviction is listed as kubectl drain looks for it: policy/v1 Eviction, verb create', async () => {
    const core = await get('/api/v1');
    const names = core.body.resources.map((r: any) => r.name);
    assert.deepEqual(
      names.filter((n: string) => n.startsWith('pods')),
      ['pods', 'pods/binding', 'pods/eviction', 'pods/log', 'pods/status'],
    );
    assert.deepEqual(
      core.body.resources.find((r: any) => r.name === 'pods/eviction'),
      {
        name: 'pods/eviction',
        singularName: '',
        namespaced: true,
        group: 'policy',
        version: 'v1',
        kind: 'Eviction',
        verbs: ['create'],
      },
    );
    for (const accept of [AGG_V2, AGG_V2BETA1]) {
      const agg = await get('/api', accept);
      const pods = agg.body.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
      assert.deepEqual(pods.subresources, [
        { subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
        {
          subresource: 'eviction',
          responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' },
          verbs: ['create'],
        },
        { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
        {
          subresource: 'status',
          responseKind: { group: '', version: 'v1', kind: 'Pod' },
          verbs: ['get', 'patch', 'update'],
        },
      ]);
    }
  });

  it('the policy group (kubectl 1.20 evicts only when /apis lists it) has v1 and v1beta1, and no resources', async () => {
    const legacy = await get('/apis', 'application/json');
    const policy = legacy.body.groups.find((g: any) => g.name === 'policy');
    assert.deepEqual(policy, {
      name: 'policy',
      versions: [
        { groupVersion: 'policy/v1', version: 'v1' },
        { groupVersion: 'policy/v1beta1', version: 'v1beta1' },
      ],
      preferredVersion: { groupVersion: 'policy/v1', version: 'v1' },
    });
    for (const version of ['v1', 'v1beta1']) {
      const list = await get(`/apis/policy/${version}`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: `policy/${version}`,
        resources: [],
      });
    }
    assert.equal((await get('/apis/policy')).body.kind, 'APIGroup');
    const agg = await get('/apis', AGG_V2);
    const aggPolicy = agg.body.items.find((g: any) => g.metadata.name === 'policy');
    assert.deepEqual(aggPolicy.versions, [
      { version: 'v1', resources: [], freshness: 'Current' },
      { version: 'v1beta1', resources: [], freshness: 'Current' },
    ]);
  });

  it('plain JSON first in Accept gets the legacy document', async () => {
    const r = await get('/apis', `application/json,${AGG_V2}`);
    assert.equal(r.body.kind, 'APIGroupList');
  });

  it('/version reports a current Kubernetes minor', async () => {
    const r = await get('/version');
    assert.equal(r.body.major, '1');
    assert.ok(Number(r.body.minor) >= 29);
    assert.match(r.body.gitVersion, /^v1\.\d+\.\d+/);
  });

  it('every document is served with a trailing slash too (the Python client asks for /version/, /api/v1/)', async () => {
    for (const path of ['/version', '/api', '/apis', '/api/v1', '/apis/apps', '/apis/apps/v1', '/apis/policy/v1']) {
      for (const accept of [undefined, AGG_V2]) {
        if (accept && !['/api', '/apis'].includes(path)) continue;
        const plain = await get(path, accept);
        const slash = await get(`${path}/`, accept);
        assert.equal(slash.status, 200, `${path}/`);
        assert.equal(slash.type, plain.type, `${path}/`);
        assert.deepEqual(slash.body, plain.body, `${path}/`);
      }
    }
    assert.equal((await get('/apis/nope/')).status, 404);
    assert.equal((await get('/apis/apps/v2/')).status, 404);
  });

  it("API paths are read without their trailing slashes, as kube-apiserver's router reads them", async () => {
    const pods = await get('/api/v1/namespaces/default/pods/');
    assert.equal(pods.status, 200);
    assert.equal(pods.body.kind, 'PodList');
    const ns = await get('/api/v1/namespaces/default//');
    assert.equal(ns.body.kind, 'Namespace');
    assert.equal(ns.body.metadata.name, 'default');
    const page = await get('/apis/apps/v1/namespaces/default/daemonsets/?limit=1');
    assert.equal(page.body.kind, 'DaemonSetList');
    assert.equal((await get('/api/v1/namespaces/default/pods/nope/')).body.message, 'pods "nope" not found');
    // other paths are as sent
    const root = await get('/');
    assert.ok(root.body.paths.includes('/version'));
    assert.equal((await fetch(`${server().url}/healthz/`)).status, 404);
  });
});
