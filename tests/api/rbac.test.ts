/**
 * rbac.authorization.k8s.io/v1 over HTTP as curl and client-go see it: discovery (the group after policy, the four
 * resources), CRUD with upstream's defaulting and 422 messages (rules, roleRef, subjects, `cannot change roleRef`),
 * PUT that creates, dry run, strict field validation, label and field selectors, paging, watch, JSON / merge /
 * strategic merge / apply patches, Tables (Created At for roles, Role and subjects for bindings), protobuf bodies and
 * answers, the OpenAPI documents, deletecollection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAGIC, PROTOBUF } from '../../server/protobuf/envelope.js';
import type { Json } from '../helpers/http.js';
import { eventually } from '../helpers/kubectl.js';
import { PbWatch, pbRequest } from '../helpers/protobuf.js';
import { useInProcessServer } from '../helpers/server.js';
import { WatchStream } from '../helpers/watch.js';

const G = 'rbac.authorization.k8s.io';
const GV = `/apis/${G}/v1`;
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const AGG_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

const roles = (ns: string) => `${GV}/namespaces/${ns}/roles`;
const roleBindings = (ns: string) => `${GV}/namespaces/${ns}/rolebindings`;
const CLUSTER_ROLES = `${GV}/clusterroles`;
const CLUSTER_ROLE_BINDINGS = `${GV}/clusterrolebindings`;

const podReader = (name = 'pod-reader', labels: Record<string, string> = {}) => ({
  apiVersion: `${G}/v1`,
  kind: 'Role',
  metadata: { name, labels },
  rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }],
});

function assertInvalid(body: Json, kind: string, name: string, causes: string[]): void {
  assert.equal(body.kind, 'Status', JSON.stringify(body));
  assert.equal(body.code, 422);
  assert.equal(body.reason, 'Invalid');
  assert.deepEqual(body.details.group, G);
  assert.deepEqual(body.details.kind, kind);
  assert.deepEqual(
    body.details.causes.map((c: Json) => `${c.field}: ${c.message}`),
    causes,
  );
  const joined = causes.length === 1 ? causes[0] : `[${causes.join(', ')}]`;
  assert.equal(body.message, `${kind}.${G} "${name}" is invalid: ${joined}`);
}

describe('rbac.authorization.k8s.io/v1', () => {
  const { api, server } = useInProcessServer({ bookmarkIntervalMs: 200, namespaces: ['rbac-a', 'rbac-b'] });

  describe('discovery', () => {
    it('lists the group after policy and before coordination.k8s.io, as kube-apiserver ranks them', async () => {
      const groups = (await api.expect(200, 'GET', '/apis')).groups.map((g: Json) => g.name);
      const at = (n: string) => groups.indexOf(n);
      assert.ok(
        at(G) > at('policy') && at(G) > at('authorization.k8s.io') && at(G) < at('coordination.k8s.io'),
        groups.join(),
      );
      const group = (await api.expect(200, 'GET', '/apis')).groups[at(G)];
      assert.deepEqual(group, {
        name: G,
        versions: [{ groupVersion: `${G}/v1`, version: 'v1' }],
        preferredVersion: { groupVersion: `${G}/v1`, version: 'v1' },
      });
      const agg = await api.expect(200, 'GET', '/apis', { headers: { accept: AGG_V2 } });
      assert.equal(
        agg.items.findIndex((g: Json) => g.metadata.name === G),
        at(G),
      );
    });

    it('serves clusterrolebindings, clusterroles, rolebindings, roles with every verb and no short names', async () => {
      const list = await api.expect(200, 'GET', GV);
      assert.equal(list.groupVersion, `${G}/v1`);
      const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
      assert.deepEqual(
        list.resources.map((r: Json) => [
          r.name,
          r.singularName,
          r.namespaced,
          r.kind,
          [...r.verbs].sort(),
          r.shortNames,
        ]),
        [
          ['clusterrolebindings', 'clusterrolebinding', false, 'ClusterRoleBinding', verbs, undefined],
          ['clusterroles', 'clusterrole', false, 'ClusterRole', verbs, undefined],
          ['rolebindings', 'rolebinding', true, 'RoleBinding', verbs, undefined],
          ['roles', 'role', true, 'Role', verbs, undefined],
        ],
      );
      const agg = await api.expect(200, 'GET', '/apis', { headers: { accept: AGG_V2 } });
      const rbac = agg.items.find((g: Json) => g.metadata.name === G);
      assert.deepEqual(
        rbac.versions[0].resources.map((r: Json) => [r.resource, r.scope, r.responseKind]),
        [
          ['clusterrolebindings', 'Cluster', { group: G, version: 'v1', kind: 'ClusterRoleBinding' }],
          ['clusterroles', 'Cluster', { group: G, version: 'v1', kind: 'ClusterRole' }],
          ['rolebindings', 'Namespaced', { group: G, version: 'v1', kind: 'RoleBinding' }],
          ['roles', 'Namespaced', { group: G, version: 'v1', kind: 'Role' }],
        ],
      );
    });
  });

  describe('roles', () => {
    it('create, get, list: rules kept in Go field order, type meta and system metadata set', async () => {
      const created = await api.expect(201, 'POST', roles('rbac-a'), { body: podReader() });
      assert.equal(created.kind, 'Role');
      assert.equal(created.apiVersion, `${G}/v1`);
      assert.equal(created.metadata.namespace, 'rbac-a');
      assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.deepEqual(created.rules, [{ verbs: ['get', 'watch', 'list'], apiGroups: [''], resources: ['pods'] }]);
      assert.equal(
        JSON.stringify(created.rules[0]),
        '{"verbs":["get","watch","list"],"apiGroups":[""],"resources":["pods"]}',
      );
      assert.equal(created.metadata.generation, undefined);
      const got = await api.expect(200, 'GET', `${roles('rbac-a')}/pod-reader`);
      assert.deepEqual(got, created);
      const list = await api.expect(200, 'GET', roles('rbac-a'));
      assert.equal(list.kind, 'RoleList');
      assert.deepEqual(
        list.items.map((r: Json) => r.metadata.name),
        ['pod-reader'],
      );
      const all = await api.expect(200, 'GET', `${GV}/roles`);
      assert.ok(all.items.some((r: Json) => r.metadata.name === 'pod-reader' && r.metadata.namespace === 'rbac-a'));
    });

    it('a role without rules has `rules: null`, as Go writes it; empty lists in a rule are dropped', async () => {
      const r = await api.expect(201, 'POST', roles('rbac-a'), { body: { metadata: { name: 'empty' } } });
      assert.equal(r.rules, null);
      assert.ok('rules' in r);
      const e = await api.expect(201, 'POST', roles('rbac-a'), {
        body: {
          metadata: { name: 'named' },
          rules: [
            { verbs: ['get'], apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: [], nonResourceURLs: [] },
          ],
        },
      });
      assert.deepEqual(e.rules, [{ verbs: ['get'], apiGroups: ['apps'], resources: ['daemonsets'] }]);
    });

    it('422 with upstream messages: verbs, groups, resources, non-resource URLs in a namespace, names', async () => {
      const bad = await api.request('POST', roles('rbac-a'), {
        body: {
          metadata: { name: 'bad' },
          rules: [{ resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }],
        },
      });
      assert.equal(bad.status, 422);
      assertInvalid(bad.body, 'Role', 'bad', [
        'rules[0].verbs: Required value: verbs must contain at least one value',
        'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
        'rules[1].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
      ]);
      const slash = await api.request('POST', roles('rbac-a'), { body: { metadata: { name: 'a%b' }, rules: [] } });
      assertInvalid(slash.body, 'Role', 'a%b', ['metadata.name: Invalid value: "a%b": may not contain \'%\'']);
      // Names are path segments: colons and capitals are fine (system:controller:... roles).
      await api.expect(201, 'POST', roles('rbac-a'), { body: { metadata: { name: 'system:Leader-Locking' } } });
    });

    it('409 on a second create, 404 in a missing namespace', async () => {
      const dup = await api.request('POST', roles('rbac-a'), { body: podReader() });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.message, `roles.${G} "pod-reader" already exists`);
      const missing = await api.request('POST', roles('nowhere'), { body: podReader() });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.message, 'namespaces "nowhere" not found');
    });

    it('PUT without resourceVersion updates (unconditional) and PUT of a missing role creates it', async () => {
      const upd = await api.expect(200, 'PUT', `${roles('rbac-a')}/pod-reader`, {
        body: { ...podReader(), rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] }] },
      });
      assert.deepEqual(upd.rules[0].resources, ['pods', 'pods/log']);
      const made = await api.request('PUT', `${roles('rbac-a')}/made-by-put`, { body: podReader('made-by-put') });
      assert.equal(made.status, 201);
      assert.equal(made.body.metadata.name, 'made-by-put');
    });

    it('dryRun=All validates and answers without storing; Strict field validation names the unknown field', async () => {
      const dry = await api.expect(201, 'POST', `${roles('rbac-a')}?dryRun=All`, { body: podReader('dry') });
      assert.equal(dry.metadata.name, 'dry');
      assert.equal((await api.request('GET', `${roles('rbac-a')}/dry`)).status, 404);
      const strict = await api.request('POST', `${roles('rbac-a')}?fieldValidation=Strict`, {
        body: {
          ...podReader('strict'),
          rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], verb: 'list' }],
        },
      });
      assert.equal(strict.status, 400);
      assert.equal(
        strict.body.message,
        'Role in version "v1" cannot be handled as a Role: strict decoding error: unknown field "rules[0].verb"',
      );
      const wrongType = await api.request('POST', roles('rbac-a'), {
        body: { metadata: { name: 'wt' }, rules: [{ verbs: 'get' }] },
      });
      assert.equal(wrongType.status, 400);
      assert.match(
        wrongType.body.message,
        /json: cannot unmarshal string into Go struct field PolicyRule\.rules\.verbs of type \[\]string/,
      );
    });

    it('label and field selectors, paging with continue', async () => {
      await api.expect(201, 'POST', roles('rbac-b'), { body: podReader('one', { team: 'a' }) });
      await api.expect(201, 'POST', roles('rbac-b'), { body: podReader('two', { team: 'b' }) });
      await api.expect(201, 'POST', roles('rbac-b'), { body: podReader('three', { team: 'a' }) });
      const names = (l: Json) => l.items.map((i: Json) => i.metadata.name).sort();
      assert.deepEqual(names(await api.expect(200, 'GET', `${roles('rbac-b')}?labelSelector=team%3Da`)), [
        'one',
        'three',
      ]);
      assert.deepEqual(names(await api.expect(200, 'GET', `${roles('rbac-b')}?labelSelector=team%20notin%20(a)`)), [
        'two',
      ]);
      assert.deepEqual(names(await api.expect(200, 'GET', `${roles('rbac-b')}?fieldSelector=metadata.name%3Dtwo`)), [
        'two',
      ]);
      assert.deepEqual(
        names(
          await api.expect(200, 'GET', `${GV}/roles?fieldSelector=metadata.namespace%3Drbac-b,metadata.name!%3Dtwo`),
        ),
        ['one', 'three'],
      );
      const badField = await api.request('GET', `${roles('rbac-b')}?fieldSelector=rules.verbs%3Dget`);
      assert.equal(badField.status, 400);
      assert.equal(
        badField.body.message,
        '"rules.verbs" is not a known field selector: only "metadata.name", "metadata.namespace"',
      );
      const page1 = await api.expect(200, 'GET', `${roles('rbac-b')}?limit=2`);
      assert.equal(page1.items.length, 2);
      assert.ok(page1.metadata.continue);
      assert.equal(page1.metadata.remainingItemCount, 1);
      const page2 = await api.expect(
        200,
        'GET',
        `${roles('rbac-b')}?limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`,
      );
      assert.equal(page2.items.length, 1);
      assert.equal(page2.metadata.continue, undefined);
      assert.deepEqual(
        [...page1.items, ...page2.items].map((i: Json) => i.metadata.name),
        ['one', 'three', 'two'],
      );
    });

    it('watch: ADDED, MODIFIED, DELETED from a list resourceVersion, filtered by label', async () => {
      const rv = (await api.expect(200, 'GET', roles('rbac-b'))).metadata.resourceVersion;
      const w = await WatchStream.open(
        `${server().url}${roles('rbac-b')}?watch=true&resourceVersion=${rv}&labelSelector=watched%3Dyes`,
      );
      try {
        await api.expect(201, 'POST', roles('rbac-b'), { body: podReader('watched', { watched: 'yes' }) });
        await api.expect(201, 'POST', roles('rbac-b'), { body: podReader('unwatched') });
        await api.expect(200, 'PATCH', `${roles('rbac-b')}/watched`, {
          body: { rules: [{ apiGroups: ['apps'], resources: ['*'], verbs: ['*'] }] },
          contentType: 'application/merge-patch+json',
        });
        await api.expect(200, 'DELETE', `${roles('rbac-b')}/watched`);
        const events = [await w.next(), await w.next(), await w.next()];
        assert.deepEqual(
          events.map((e) => [e.type, e.object.kind, e.object.metadata.name]),
          [
            ['ADDED', 'Role', 'watched'],
            ['MODIFIED', 'Role', 'watched'],
            ['DELETED', 'Role', 'watched'],
          ],
        );
        assert.deepEqual(events[1]!.object.rules, [{ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }]);
      } finally {
        w.close();
      }
    });

    it('patches: JSON patch, merge patch, strategic merge (rules are atomic: replaced whole)', async () => {
      const path = `${roles('rbac-a')}/pod-reader`;
      const json = await api.expect(200, 'PATCH', path, {
        body: [{ op: 'add', path: '/rules/0/verbs/-', value: 'watch' }],
        contentType: 'application/json-patch+json',
      });
      assert.deepEqual(json.rules[0].verbs, ['get', 'watch']);
      const merge = await api.expect(200, 'PATCH', path, {
        body: { metadata: { labels: { patched: 'merge' } } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(merge.metadata.labels.patched, 'merge');
      const smp = await api.expect(200, 'PATCH', path, {
        body: { rules: [{ apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['list'] }] },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(smp.rules, [{ verbs: ['list'], apiGroups: ['apps'], resources: ['daemonsets'] }]);
      const invalid = await api.request('PATCH', path, {
        body: { rules: [{ verbs: [] }] },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(invalid.status, 422);
      assert.match(invalid.body.message, /rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
    });

    it('Tables: Name and Created At (RFC 3339), as the default table convertor prints them', async () => {
      const t = await api.expect(200, 'GET', roles('rbac-a'), { headers: { accept: TABLE_ACCEPT } });
      assert.equal(t.kind, 'Table');
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => [c.name, c.type, c.format]),
        [
          ['Name', 'string', 'name'],
          ['Created At', 'date', ''],
        ],
      );
      const row = t.rows.find((r: Json) => r.cells[0] === 'pod-reader');
      const role = await api.expect(200, 'GET', `${roles('rbac-a')}/pod-reader`);
      assert.equal(row.cells[1], role.metadata.creationTimestamp);
      assert.match(row.cells[1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(row.object.kind, 'PartialObjectMetadata');
      const one = await api.expect(200, 'GET', `${roles('rbac-a')}/pod-reader`, { headers: { accept: TABLE_ACCEPT } });
      assert.equal(one.rows.length, 1);
    });
  });

  describe('cluster roles', () => {
    it('take non-resource URLs and an aggregation rule; an empty aggregation rule is refused', async () => {
      const cr = await api.expect(201, 'POST', CLUSTER_ROLES, {
        body: {
          metadata: { name: 'metrics-reader' },
          rules: [
            { nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] },
            { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
          ],
        },
      });
      assert.deepEqual(cr.rules[0], { verbs: ['get'], nonResourceURLs: ['/metrics', '/logs/*'] });
      assert.equal(cr.metadata.namespace, undefined);
      const agg = await api.expect(201, 'POST', CLUSTER_ROLES, {
        body: {
          metadata: { name: 'monitoring' },
          aggregationRule: {
            clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
          },
        },
      });
      assert.deepEqual(Object.keys(agg).slice(2), ['metadata', 'rules', 'aggregationRule']);
      assert.equal(agg.rules, null);
      const empty = await api.request('POST', CLUSTER_ROLES, {
        body: { metadata: { name: 'agg-empty' }, aggregationRule: {} },
      });
      assertInvalid(empty.body, 'ClusterRole', 'agg-empty', [
        'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
      ]);
      const both = await api.request('POST', CLUSTER_ROLES, {
        body: { metadata: { name: 'both' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/x'], resources: ['pods'] }] },
      });
      assertInvalid(both.body, 'ClusterRole', 'both', [
        'rules[0].nonResourceURLs: Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
      ]);
    });

    it('server-side apply creates and updates a cluster role; managedFields name the manager', async () => {
      const manifest = `apiVersion: ${G}/v1\nkind: ClusterRole\nmetadata:\n  name: applied\nrules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [get]\n`;
      const created = await api.request('PATCH', `${CLUSTER_ROLES}/applied?fieldManager=helm`, {
        raw: manifest,
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.body.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]);
      assert.ok(created.body.metadata.managedFields.some((f: Json) => f.manager === 'helm' && f.operation === 'Apply'));
      const again = await api.request('PATCH', `${CLUSTER_ROLES}/applied?fieldManager=helm`, {
        raw: manifest.replace('verbs: [get]', 'verbs: [get, list]'),
        contentType: 'application/apply-patch+yaml',
      });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body.rules[0].verbs, ['get', 'list']);
    });

    it('Tables of cluster roles: Name, Created At', async () => {
      const t = await api.expect(200, 'GET', `${CLUSTER_ROLES}?labelSelector=none%3Dmatch`, {
        headers: { accept: TABLE_ACCEPT },
      });
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => c.name),
        ['Name', 'Created At'],
      );
      assert.deepEqual(t.rows, []);
    });
  });

  describe('bindings', () => {
    it('a role binding: roleRef and subjects defaulted and validated', async () => {
      const rb = await api.expect(201, 'POST', roleBindings('rbac-a'), {
        body: {
          metadata: { name: 'read-pods' },
          roleRef: { kind: 'Role', name: 'pod-reader' },
          subjects: [
            { kind: 'User', name: 'jane' },
            { kind: 'Group', name: 'devs' },
            { kind: 'ServiceAccount', name: 'default' },
          ],
        },
      });
      assert.deepEqual(Object.keys(rb).slice(2), ['metadata', 'subjects', 'roleRef']);
      assert.deepEqual(rb.roleRef, { apiGroup: G, kind: 'Role', name: 'pod-reader' });
      assert.deepEqual(rb.subjects, [
        { kind: 'User', apiGroup: G, name: 'jane' },
        { kind: 'Group', apiGroup: G, name: 'devs' },
        { kind: 'ServiceAccount', name: 'default' },
      ]);
      const bad = await api.request('POST', roleBindings('rbac-a'), {
        body: {
          metadata: { name: 'bad' },
          roleRef: { apiGroup: 'apps', kind: 'Deployment', name: 'x' },
          subjects: [{ kind: 'Robot', name: 'r2' }],
        },
      });
      assertInvalid(bad.body, 'RoleBinding', 'bad', [
        'roleRef.apiGroup: Unsupported value: "apps": supported values: "rbac.authorization.k8s.io"',
        'roleRef.kind: Unsupported value: "Deployment": supported values: "Role", "ClusterRole"',
        'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
      ]);
      const noRef = await api.request('POST', roleBindings('rbac-a'), { body: { metadata: { name: 'noref' } } });
      assertInvalid(noRef.body, 'RoleBinding', 'noref', [
        'roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"',
        'roleRef.name: Required value',
      ]);
    });

    it('the roleRef cannot change (PUT and patch); subjects can', async () => {
      const path = `${roleBindings('rbac-a')}/read-pods`;
      const cur = await api.expect(200, 'GET', path);
      const put = await api.request('PUT', path, {
        body: { ...cur, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' } },
      });
      assertInvalid(put.body, 'RoleBinding', 'read-pods', [
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef',
      ]);
      const patch = await api.request('PATCH', path, {
        body: { roleRef: { name: 'other' } },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.equal(patch.status, 422);
      assert.match(
        patch.body.message,
        /roleRef: Invalid value: rbac\.RoleRef\{APIGroup:"rbac\.authorization\.k8s\.io", Kind:"Role", Name:"other"\}: cannot change roleRef/,
      );
      const subjects = await api.expect(200, 'PATCH', path, {
        body: { subjects: [{ kind: 'User', name: 'bob' }] },
        contentType: 'application/merge-patch+json',
      });
      assert.deepEqual(subjects.subjects, [{ kind: 'User', apiGroup: G, name: 'bob' }]);
    });

    it('a cluster role binding needs a ClusterRole and namespaced service accounts', async () => {
      const crb = await api.expect(201, 'POST', CLUSTER_ROLE_BINDINGS, {
        body: {
          metadata: { name: 'fluentd' },
          roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'fluentd' },
          subjects: [{ kind: 'ServiceAccount', name: 'fluentd', namespace: 'kube-system' }],
        },
      });
      assert.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'fluentd', namespace: 'kube-system' }]);
      const bad = await api.request('POST', CLUSTER_ROLE_BINDINGS, {
        body: {
          metadata: { name: 'bad' },
          roleRef: { apiGroup: G, kind: 'Role', name: 'x' },
          subjects: [{ kind: 'ServiceAccount', name: 'sa', apiGroup: G }],
        },
      });
      assertInvalid(bad.body, 'ClusterRoleBinding', 'bad', [
        'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
        'subjects[0].namespace: Required value',
      ]);
    });

    it('Tables: Name, Role, Age and the wide Users, Groups, ServiceAccounts', async () => {
      await api.expect(201, 'POST', roleBindings('rbac-b'), {
        body: {
          metadata: { name: 'mixed' },
          roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' },
          subjects: [
            { kind: 'User', name: 'jane' },
            { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
            { kind: 'User', name: 'bob' },
            { kind: 'Group', name: 'devs' },
          ],
        },
      });
      const t = await api.expect(200, 'GET', `${roleBindings('rbac-b')}/mixed`, { headers: { accept: TABLE_ACCEPT } });
      assert.deepEqual(
        t.columnDefinitions.map((c: Json) => [c.name, c.priority]),
        [
          ['Name', 0],
          ['Role', 0],
          ['Age', 0],
          ['Users', 1],
          ['Groups', 1],
          ['ServiceAccounts', 1],
        ],
      );
      assert.deepEqual(
        t.rows[0].cells.filter((_: unknown, i: number) => i !== 2),
        ['mixed', 'ClusterRole/view', 'jane, bob', 'devs', 'ci/builder'],
      );
      const ct = await api.expect(200, 'GET', CLUSTER_ROLE_BINDINGS, { headers: { accept: TABLE_ACCEPT } });
      const fluentd = ct.rows.find((r: Json) => r.cells[0] === 'fluentd');
      assert.deepEqual(
        fluentd.cells.filter((_: unknown, i: number) => i !== 2),
        ['fluentd', 'ClusterRole/fluentd', '', '', 'kube-system/fluentd'],
      );
    });
  });

  describe('protobuf, as kubectl 1.32 creates and reads them', () => {
    it('creates a cluster role binding and a role from protobuf bodies; get and list answer the JSON content', async () => {
      const res = await pbRequest(`${server().url}${CLUSTER_ROLE_BINDINGS}`, 'POST', {
        body: {
          apiVersion: `${G}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: { name: 'pb-crb' },
          roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' },
          subjects: [
            { kind: 'User', apiGroup: G, name: 'jane' },
            { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
          ],
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.contentType, PROTOBUF);
      assert.deepEqual([...res.bytes.subarray(0, 4)], [...MAGIC]);
      const json = await api.expect(200, 'GET', `${CLUSTER_ROLE_BINDINGS}/pb-crb`);
      assert.deepEqual(res.body, json);
      const role = await pbRequest(`${server().url}${roles('rbac-b')}`, 'POST', {
        body: {
          apiVersion: `${G}/v1`,
          kind: 'Role',
          metadata: { name: 'pb-role' },
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'] }],
        },
      });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      const pbGet = await pbRequest(`${server().url}${roles('rbac-b')}/pb-role`, 'GET');
      assert.deepEqual(pbGet.body, await api.expect(200, 'GET', `${roles('rbac-b')}/pb-role`));
      // Protobuf has no null: an absent rules list decodes to nothing (Go's nil slice, `rules: null` in JSON).
      const cr = await pbRequest(`${server().url}${CLUSTER_ROLES}/monitoring`, 'GET');
      const crJson = await api.expect(200, 'GET', `${CLUSTER_ROLES}/monitoring`);
      assert.equal(crJson.rules, null);
      delete crJson.rules;
      assert.deepEqual(cr.body, crJson);
      const list = await pbRequest(`${server().url}${CLUSTER_ROLE_BINDINGS}`, 'GET');
      assert.equal(list.body.kind, 'ClusterRoleBindingList');
      assert.ok(list.body.items.some((i: Json) => i.metadata.name === 'pb-crb' && i.roleRef.name === 'view'));
    });

    it('a protobuf body with an invalid roleRef gets the 422 Status in protobuf', async () => {
      const res = await pbRequest(`${server().url}${roleBindings('rbac-b')}`, 'POST', {
        body: {
          apiVersion: `${G}/v1`,
          kind: 'RoleBinding',
          metadata: { name: 'pb-bad' },
          roleRef: { apiGroup: G, kind: 'Secret', name: 'x' },
        },
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.kind, 'Status');
      assert.equal(
        res.body.message,
        `RoleBinding.${G} "pb-bad" is invalid: roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"`,
      );
    });

    it('watches in protobuf frames', async () => {
      const rv = (await api.expect(200, 'GET', CLUSTER_ROLES)).metadata.resourceVersion;
      const w = await PbWatch.open(`${server().url}${CLUSTER_ROLES}?watch=true&resourceVersion=${rv}`);
      try {
        await api.expect(201, 'POST', CLUSTER_ROLES, {
          body: { metadata: { name: 'pb-watched' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/version'] }] },
        });
        const ev = await w.next();
        assert.equal(ev.type, 'ADDED');
        assert.deepEqual(ev.object.rules, [{ verbs: ['get'], nonResourceURLs: ['/version'] }]);
        assert.equal(ev.object.metadata.name, 'pb-watched');
      } finally {
        w.close();
      }
    });
  });

  describe('OpenAPI', () => {
    it('v3 document of the group: every kind with its PATCH operation and fieldValidation', async () => {
      const index = await api.expect(200, 'GET', '/openapi/v3');
      const entry = index.paths[`apis/${G}/v1`];
      assert.ok(entry, Object.keys(index.paths).join());
      const doc = await api.expect(200, 'GET', entry.serverRelativeURL);
      for (const [path, kind] of [
        [`/apis/${G}/v1/namespaces/{namespace}/roles/{name}`, 'Role'],
        [`/apis/${G}/v1/namespaces/{namespace}/rolebindings/{name}`, 'RoleBinding'],
        [`/apis/${G}/v1/clusterroles/{name}`, 'ClusterRole'],
        [`/apis/${G}/v1/clusterrolebindings/{name}`, 'ClusterRoleBinding'],
      ] as const) {
        const patch = doc.paths[path]?.patch;
        assert.ok(patch, path);
        assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: G, version: 'v1', kind });
        assert.ok(patch.parameters.some((p: Json) => p.name === 'fieldValidation'));
        assert.deepEqual(doc.components.schemas[`io.k8s.api.rbac.v1.${kind}`]['x-kubernetes-group-version-kind'], [
          { group: G, kind, version: 'v1' },
        ]);
      }
      assert.deepEqual(doc.components.schemas['io.k8s.api.rbac.v1.RoleBinding'].required, ['roleRef']);
    });

    it('v2 definitions', async () => {
      const v2 = await api.expect(200, 'GET', '/openapi/v2', { headers: { accept: 'application/json' } });
      assert.deepEqual(v2.definitions['io.k8s.api.rbac.v1.PolicyRule'].required, ['verbs']);
      assert.ok(v2.paths[`/apis/${G}/v1/clusterrolebindings`]);
    });
  });

  describe('delete', () => {
    it('DELETE answers a Success Status; deletecollection removes the selected roles', async () => {
      const del = await api.expect(200, 'DELETE', `${CLUSTER_ROLE_BINDINGS}/pb-crb`);
      assert.equal(del.kind, 'Status');
      assert.equal(del.status, 'Success');
      assert.deepEqual([del.details.name, del.details.group, del.details.kind], ['pb-crb', G, 'clusterrolebindings']);
      assert.equal((await api.request('GET', `${CLUSTER_ROLE_BINDINGS}/pb-crb`)).status, 404);
      const notFound = await api.request('DELETE', `${CLUSTER_ROLE_BINDINGS}/pb-crb`);
      assert.equal(notFound.status, 404);
      assert.equal(notFound.body.message, `clusterrolebindings.${G} "pb-crb" not found`);
      await api.expect(200, 'DELETE', `${roles('rbac-b')}?labelSelector=team`);
      const left = await api.expect(200, 'GET', roles('rbac-b'));
      assert.ok(
        !left.items.some((r: Json) => r.metadata.labels?.team),
        JSON.stringify(left.items.map((r: Json) => r.metadata.name)),
      );
      assert.ok(left.items.some((r: Json) => r.metadata.name === 'pb-role'));
    });

    it('deleting a namespace deletes its roles and role bindings', async () => {
      assert.ok((await api.expect(200, 'GET', roleBindings('rbac-a'))).items.length > 0);
      await api.expect(200, 'DELETE', '/api/v1/namespaces/rbac-a');
      await eventually(async () => (await api.request('GET', '/api/v1/namespaces/rbac-a')).status === 404, {
        what: 'rbac-a to go',
        timeoutMs: 15_000,
      });
      assert.deepEqual(
        (await api.expect(200, 'GET', `${GV}/roles?fieldSelector=metadata.namespace%3Drbac-a`)).items,
        [],
      );
      assert.deepEqual(
        (await api.expect(200, 'GET', `${GV}/rolebindings?fieldSelector=metadata.namespace%3Drbac-a`)).items,
        [],
      );
      // Cluster-scoped objects stay.
      assert.equal((await api.request('GET', `${CLUSTER_ROLES}/monitoring`)).status, 200);
    });
  });
});
