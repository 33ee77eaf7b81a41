/**
 * The REST surface as curl sees it: create/get/list/update/delete of core/v1 pods, nodes, namespaces and
 * events; error Status shapes (upstream messages, reasons, details); selectors; deletion (graceful, finalizers,
 * preconditions, namespaces, collections); dry run; Tables; discovery and health endpoints.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer } from '../helpers/server.js';
import { eventManifest, podManifest, type Json, assertFailureStatus } from '../helpers/http.js';
import { eventually } from '../helpers/kubectl.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('CRUD over HTTP', () => {
  const { api } = useInProcessServer();
  const pods = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
  const names = (list: Json) => list.items.map((i: Json) => i.metadata.name).sort();

  describe('discovery, version and health', () => {
    it('the four initial namespaces exist and are Active', async () => {
      const list = await api.expect(200, 'GET', '/api/v1/namespaces');
      assert.equal(list.kind, 'NamespaceList');
      assert.equal(list.apiVersion, 'v1');
      assert.match(list.metadata.resourceVersion, /^\d+$/);
      const got = names(list);
      for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
        assert.ok(got.includes(ns), `${ns} in ${got}`);
      for (const ns of list.items) {
        assert.equal(ns.status.phase, 'Active');
        assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], ns.metadata.name);
      }
    });

    it('/version reports major 1 and minor >= 29', async () => {
      const v = await api.expect(200, 'GET', '/version');
      assert.equal(v.major, '1');
      assert.ok(Number.parseInt(v.minor, 10) >= 29, `minor ${v.minor}`);
      assert.match(v.gitVersion, /^v1\.\d+\.\d+/);
      assert.equal(typeof v.platform, 'string');
    });

    it('/api, /api/v1, /apis', async () => {
      const apiVersions = await api.expect(200, 'GET', '/api');
      assert.equal(apiVersions.kind, 'APIVersions');
      assert.deepEqual(apiVersions.versions, ['v1']);
      const v1 = await api.expect(200, 'GET', '/api/v1');
      assert.equal(v1.kind, 'APIResourceList');
      assert.equal(v1.groupVersion, 'v1');
      const byName = new Map(v1.resources.map((r: Json) => [r.name, r]));
      for (const [name, kind, namespaced] of [
        ['pods', 'Pod', true],
        ['nodes', 'Node', false],
        ['namespaces', 'Namespace', false],
        ['events', 'Event', true],
      ] as const) {
        const r = byName.get(name) as Json;
        assert.ok(r, `${name} in /api/v1`);
        assert.equal(r.kind, kind);
        assert.equal(r.namespaced, namespaced);
        assert.ok(r.verbs.includes('watch') && r.verbs.includes('list') && r.verbs.includes('create'));
      }
      assert.ok(byName.has('pods/status'));
      const apis = await api.expect(200, 'GET', '/apis');
      assert.equal(apis.kind, 'APIGroupList');
      assert.ok(Array.isArray(apis.groups));
    });

    for (const path of ['/healthz', '/livez', '/readyz']) {
      it(`${path} is ok`, async () => {
        const res = await api.get(path);
        assert.equal(res.status, 200);
        assert.equal(res.text, 'ok');
      });
    }

    it('unknown paths are a 404 Status; an unsupported method is a 405', async () => {
      for (const path of [
        '/foo',
        '/api/v1/foos',
        '/api/v2',
        '/apis/nope.example.com/v1/things',
        '/api/v1/namespaces/default/foos',
      ]) {
        const res = await api.get(path);
        assert.equal(res.status, 404, path);
        assertFailureStatus(res.body, 404, 'NotFound', 'the server could not find the requested resource');
      }
      for (const [method, path] of [
        ['PUT', pods('default')],
        ['PATCH', pods('default')],
        ['POST', `${pods('default')}/some-pod`],
        ['POST', '/api/v1/pods'],
        ['DELETE', '/api/v1/pods'],
      ] as const) {
        const res = await api.request(method, path, { body: {} });
        assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
        assertFailureStatus(res.body, 405, 'MethodNotAllowed');
      }
    });
  });

  describe('pods', () => {
    const NS = 'crud-pods';
    before(async () => {
      await api.createNamespace(NS);
    });

    it('create, get, list, update, delete', async () => {
      const created = await api.expect(201, 'POST', pods(NS), {
        body: podManifest('web-1', { labels: { app: 'web' } }),
      });
      assert.equal(created.kind, 'Pod');
      assert.equal(created.apiVersion, 'v1');
      assert.equal(created.metadata.namespace, NS);
      assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(created.metadata.resourceVersion, /^\d+$/);
      assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(created.status.phase, 'Pending');

      const got = await api.expect(200, 'GET', `${pods(NS)}/web-1`);
      assert.deepEqual(got, created);

      const list = await api.expect(200, 'GET', pods(NS));
      assert.equal(list.kind, 'PodList');
      assert.equal(list.apiVersion, 'v1');
      assert.deepEqual(names(list), ['web-1']);
      assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
      const all = await api.expect(200, 'GET', '/api/v1/pods');
      assert.ok(
        all.items.some((p: Json) => p.metadata.uid === created.metadata.uid),
        'in the all-namespaces list',
      );

      const change = structuredClone(got);
      change.metadata.labels.version = 'v2';
      change.spec.containers[0].image = 'registry.k8s.io/pause:3.10';
      const updated = await api.expect(200, 'PUT', `${pods(NS)}/web-1`, { body: change });
      assert.equal(updated.metadata.labels.version, 'v2');
      assert.equal(updated.spec.containers[0].image, 'registry.k8s.io/pause:3.10');
      assert.equal(updated.metadata.uid, created.metadata.uid);
      assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));

      const noop = await api.expect(200, 'PUT', `${pods(NS)}/web-1`, { body: updated });
      assert.equal(noop.metadata.resourceVersion, updated.metadata.resourceVersion, 'a no-op update writes nothing');

      const deleted = await api.expect(200, 'DELETE', `${pods(NS)}/web-1`);
      assert.equal(deleted.kind, 'Pod', 'pods answer DELETE with the object');
      assert.equal(deleted.metadata.uid, created.metadata.uid);
      const gone = await api.get(`${pods(NS)}/web-1`);
      assert.equal(gone.status, 404);
    });

    it('generateName: a 5-character suffix from the upstream alphabet', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const p = await api.expect(201, 'POST', pods(NS), { body: podManifest('', { generateName: 'gen-' }) });
        assert.match(p.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.equal(p.metadata.generateName, 'gen-');
        seen.add(p.metadata.name);
      }
      assert.equal(seen.size, 5);
      const long = 'x'.repeat(70) + '-';
      const trimmed = await api.expect(201, 'POST', pods(NS), { body: podManifest('', { generateName: long }) });
      assert.equal(trimmed.metadata.name.length, 63);
      assert.ok(trimmed.metadata.name.startsWith('x'.repeat(58)));
    });

    it('a PUT with a stale resourceVersion is a 409 Conflict', async () => {
      const p = await api.expect(201, 'POST', pods(NS), { body: podManifest('stale') });
      const first = structuredClone(p);
      first.metadata.labels = { a: '1' };
      await api.expect(200, 'PUT', `${pods(NS)}/stale`, { body: first });
      const second = structuredClone(p);
      second.metadata.labels = { a: '2' };
      const res = await api.put(`${pods(NS)}/stale`, second);
      assert.equal(res.status, 409);
      assertFailureStatus(
        res.body,
        409,
        'Conflict',
        'Operation cannot be fulfilled on pods "stale": the object has been modified; please apply your changes to the latest version and try again',
      );
      assert.deepEqual(res.body.details, { name: 'stale', kind: 'pods' });
    });

    it('a malformed JSON body is a 400 BadRequest', async () => {
      for (const raw of ['{"metadata":{"name":"p1"', '{bad json}', 'not json at all']) {
        const res = await api.request('POST', pods(NS), { raw });
        assert.equal(res.status, 400, raw);
        assertFailureStatus(res.body, 400, 'BadRequest');
      }
    });

    it('malformed JSON: the messages encoding/json gives', async () => {
      const cases: Array<[string, string]> = [
        ['{"metadata":{"name":"p1"', "couldn't get version/kind; json parse error: unexpected end of JSON input"],
        [
          '{bad json}',
          "couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string",
        ],
        [
          '{"metadata":{"name":"p1"},}',
          "couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string",
        ],
        ['{"metadata":', "couldn't get version/kind; json parse error: unexpected end of JSON input"],
      ];
      const got: Array<[string, string]> = [];
      for (const [raw] of cases) {
        const res = await api.request('POST', pods(NS), { raw });
        assert.equal(res.status, 400);
        got.push([raw, res.body.message]);
      }
      assert.deepEqual(got, cases);
    });

    it('an invalid name is a 422 Invalid with a cause on metadata.name', async () => {
      const res = await api.post(pods(NS), podManifest('Bad_Name'));
      assert.equal(res.status, 422);
      assertFailureStatus(
        res.body,
        422,
        'Invalid',
        `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`,
      );
      assert.equal(res.body.details.name, 'Bad_Name');
      assert.equal(res.body.details.kind, 'Pod');
      assert.equal(res.body.details.group, undefined);
      assert.deepEqual(res.body.details.causes, [
        { reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`, field: 'metadata.name' },
      ]);
    });

    it('a missing name is a 422 (name or generateName is required)', async () => {
      const res = await api.post(pods(NS), {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {},
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      assert.equal(res.status, 422);
      assertFailureStatus(res.body, 422, 'Invalid', /metadata\.name: Required value: name or generateName is required/);
    });

    it('creating in a missing namespace is a 404 namespaces "x" not found', async () => {
      const res = await api.post(pods('no-such-ns'), podManifest('p'));
      assert.equal(res.status, 404);
      assertFailureStatus(res.body, 404, 'NotFound', 'namespaces "no-such-ns" not found');
      assert.deepEqual(res.body.details, { name: 'no-such-ns', kind: 'namespaces' });
    });

    it('a body naming another namespace than the URL is a 400', async () => {
      const body = podManifest('elsewhere');
      body.metadata.namespace = 'default';
      const res = await api.post(pods(NS), body);
      assert.equal(res.status, 400);
      assertFailureStatus(
        res.body,
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    });

    it('AlreadyExists 409 and NotFound 404 shapes (kind = resource plural, no group for core)', async () => {
      await api.expect(201, 'POST', pods(NS), { body: podManifest('twice') });
      const again = await api.post(pods(NS), podManifest('twice'));
      assert.equal(again.status, 409);
      assertFailureStatus(again.body, 409, 'AlreadyExists', 'pods "twice" already exists');
      assert.deepEqual(again.body.details, { name: 'twice', kind: 'pods' });
      assert.ok(!('group' in again.body.details));

      const missing = await api.get(`${pods(NS)}/missing`);
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type') ?? '', /^application\/json/);
      assertFailureStatus(missing.body, 404, 'NotFound', 'pods "missing" not found');
      assert.deepEqual(missing.body.details, { name: 'missing', kind: 'pods' });
      assert.deepEqual(missing.body.metadata, {});

      const delMissing = await api.delete(`${pods(NS)}/missing`);
      assert.equal(delMissing.status, 404);
      assertFailureStatus(delMissing.body, 404, 'NotFound', 'pods "missing" not found');

      const putMissing = await api.put('/api/v1/nodes/missing-node/status', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'missing-node' },
      });
      assert.equal(putMissing.status, 404);
      assertFailureStatus(putMissing.body, 404, 'NotFound', 'nodes "missing-node" not found');
    });

    it('dryRun=All creates, updates and deletes nothing', async () => {
      const dry = await api.expect(201, 'POST', `${pods(NS)}?dryRun=All`, { body: podManifest('dry') });
      assert.equal(dry.metadata.name, 'dry');
      assert.ok(dry.metadata.uid, 'defaulted like a real create');
      assert.equal((await api.get(`${pods(NS)}/dry`)).status, 404);

      const real = await api.expect(201, 'POST', pods(NS), { body: podManifest('dry-target') });
      const dupe = await api.post(`${pods(NS)}?dryRun=All`, podManifest('dry-target'));
      assert.equal(dupe.status, 409, 'dry run still sees AlreadyExists');

      const change = structuredClone(real);
      change.metadata.labels = { dry: 'run' };
      const dryUpdate = await api.expect(200, 'PUT', `${pods(NS)}/dry-target?dryRun=All`, { body: change });
      assert.equal(dryUpdate.metadata.labels.dry, 'run');
      const after = await api.expect(200, 'GET', `${pods(NS)}/dry-target`);
      assert.deepEqual(after, real);

      await api.expect(200, 'DELETE', `${pods(NS)}/dry-target?dryRun=All`);
      assert.deepEqual(await api.expect(200, 'GET', `${pods(NS)}/dry-target`), real);

      const bad = await api.post(`${pods(NS)}?dryRun=Some`, podManifest('dry2'));
      assert.equal(bad.status, 400);
    });

    it('DELETE with a uid precondition that does not match is a 409', async () => {
      const p = await api.expect(201, 'POST', pods(NS), { body: podManifest('precond') });
      const wrong = '00000000-0000-0000-0000-000000000000';
      const res = await api.delete(`${pods(NS)}/precond`, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        preconditions: { uid: wrong },
      });
      assert.equal(res.status, 409);
      assertFailureStatus(
        res.body,
        409,
        'Conflict',
        `Operation cannot be fulfilled on Pod "precond": the UID in the precondition (${wrong}) does not match the UID in record (${p.metadata.uid}). The object might have been deleted and then recreated`,
      );
      assert.deepEqual(res.body.details, { name: 'precond', kind: 'Pod' });
      await api.expect(200, 'GET', `${pods(NS)}/precond`);
      const stale = await api.delete(`${pods(NS)}/precond`, { preconditions: { resourceVersion: '1' } });
      assert.equal(stale.status, 409);
      assertFailureStatus(
        stale.body,
        409,
        'Conflict',
        /^Operation cannot be fulfilled on Pod "precond": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/,
      );
      const ok = await api.delete(`${pods(NS)}/precond`, { preconditions: { uid: p.metadata.uid } });
      assert.equal(ok.status, 200);
      assert.equal((await api.get(`${pods(NS)}/precond`)).status, 404);
    });

    it('graceful deletion: a bound pod gets a deletionTimestamp and stays until gracePeriodSeconds=0', async () => {
      const p = await api.expect(201, 'POST', pods(NS), { body: podManifest('bound', { nodeName: 'node-a' }) });
      const marked = await api.expect(200, 'DELETE', `${pods(NS)}/bound`);
      assert.ok(marked.metadata.deletionTimestamp, 'deletionTimestamp set');
      assert.equal(marked.metadata.deletionGracePeriodSeconds, 30);
      assert.ok(
        Date.parse(marked.metadata.deletionTimestamp) > Date.now() + 20_000,
        'deletionTimestamp = now + grace period',
      );
      assert.ok(Number(marked.metadata.resourceVersion) > Number(p.metadata.resourceVersion));
      const still = await api.expect(200, 'GET', `${pods(NS)}/bound`);
      assert.equal(still.metadata.deletionTimestamp, marked.metadata.deletionTimestamp);

      // a second DELETE without a shorter grace period changes nothing
      const again = await api.expect(200, 'DELETE', `${pods(NS)}/bound`);
      assert.equal(again.metadata.resourceVersion, marked.metadata.resourceVersion);

      const now = await api.expect(200, 'DELETE', `${pods(NS)}/bound?gracePeriodSeconds=0`);
      assert.equal(now.metadata.uid, p.metadata.uid);
      assert.equal((await api.get(`${pods(NS)}/bound`)).status, 404);
    });

    it('an unbound pod is deleted at once', async () => {
      await api.expect(201, 'POST', pods(NS), { body: podManifest('unbound') });
      const res = await api.expect(200, 'DELETE', `${pods(NS)}/unbound`);
      assert.equal(res.metadata.name, 'unbound');
      assert.equal((await api.get(`${pods(NS)}/unbound`)).status, 404);
    });

    it('finalizers: the object stays with a deletionTimestamp until an update removes the last one', async () => {
      const body = podManifest('finalized');
      body.metadata.finalizers = ['example.com/block'];
      const p = await api.expect(201, 'POST', pods(NS), { body });
      const marked = await api.expect(200, 'DELETE', `${pods(NS)}/finalized`);
      assert.ok(marked.metadata.deletionTimestamp);
      assert.deepEqual(marked.metadata.finalizers, ['example.com/block']);
      const still = await api.expect(200, 'GET', `${pods(NS)}/finalized`);
      assert.ok(still.metadata.deletionTimestamp);

      // while it is being deleted, no new finalizer may be added... but the existing one may be removed
      const change = structuredClone(still);
      change.metadata.finalizers = [];
      const res = await api.put(`${pods(NS)}/finalized`, change);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.metadata.uid, p.metadata.uid);
      assert.equal((await api.get(`${pods(NS)}/finalized`)).status, 404, 'removed once the last finalizer is gone');
    });

    it('deletecollection with a label selector deletes only the selected', async () => {
      const ns = 'crud-deletecollection';
      await api.createNamespace(ns);
      for (const [name, app] of [
        ['dc-1', 'x'],
        ['dc-2', 'x'],
        ['dc-3', 'y'],
      ] as const) {
        await api.expect(201, 'POST', pods(ns), { body: podManifest(name, { labels: { app } }) });
      }
      const res = await api.expect(200, 'DELETE', `${pods(ns)}?labelSelector=${encodeURIComponent('app=x')}`);
      assert.equal(res.kind, 'PodList');
      assert.deepEqual(names(res), ['dc-1', 'dc-2']);
      assert.deepEqual(names(await api.expect(200, 'GET', pods(ns))), ['dc-3']);
    });

    it('the status subresource changes status, the main resource does not', async () => {
      const p = await api.expect(201, 'POST', pods(NS), { body: podManifest('with-status', { nodeName: 'node-s' }) });
      const change = structuredClone(p);
      change.status = { ...change.status, phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }] };
      const updated = await api.expect(200, 'PUT', `${pods(NS)}/with-status/status`, { body: change });
      assert.equal(updated.status.phase, 'Running');
      const spec = structuredClone(updated);
      spec.status.phase = 'Failed';
      const viaMain = await api.expect(200, 'PUT', `${pods(NS)}/with-status`, { body: spec });
      assert.equal(viaMain.status.phase, 'Running', 'status changes are ignored on the main resource');
      await api.expect(200, 'DELETE', `${pods(NS)}/with-status?gracePeriodSeconds=0`);
    });
  });

  describe('selectors on list', () => {
    const NS = 'crud-selectors';
    before(async () => {
      await api.createNamespace(NS);
      await api.expect(201, 'POST', pods(NS), {
        body: podManifest('a', { labels: { app: 'web', tier: 'fe' }, nodeName: 'n1' }),
      });
      await api.expect(201, 'POST', pods(NS), {
        body: podManifest('b', { labels: { app: 'web', tier: 'be' }, nodeName: 'n2' }),
      });
      await api.expect(201, 'POST', pods(NS), { body: podManifest('c', { labels: { app: 'db' }, nodeName: 'n1' }) });
      await api.expect(201, 'POST', pods(NS), { body: podManifest('d') });
      const c = await api.expect(200, 'GET', `${pods(NS)}/c`);
      c.status = { ...c.status, phase: 'Running' };
      await api.expect(200, 'PUT', `${pods(NS)}/c/status`, { body: c });
    });
    const select = async (param: string, value: string) =>
      names(await api.expect(200, 'GET', `${pods(NS)}?${param}=${encodeURIComponent(value)}`));

    const labelCases: Array<[string, string[]]> = [
      ['app=web', ['a', 'b']],
      ['app==web', ['a', 'b']],
      ['app!=web', ['c', 'd']],
      ['tier in (fe,be)', ['a', 'b']],
      ['tier notin (fe)', ['b', 'c', 'd']],
      ['tier', ['a', 'b']],
      ['!tier', ['c', 'd']],
      ['app=web,tier=fe', ['a']],
      ['app in (web,db),!tier', ['c']],
      ['app=nothing', []],
    ];
    for (const [sel, want] of labelCases) {
      it(`labelSelector ${sel}`, async () => assert.deepEqual(await select('labelSelector', sel), want));
    }

    const fieldCases: Array<[string, string[]]> = [
      ['spec.nodeName=n1', ['a', 'c']],
      ['spec.nodeName==n2', ['b']],
      ['spec.nodeName!=n1', ['b', 'd']],
      ['spec.nodeName=', ['d']],
      ['status.phase=Pending', ['a', 'b', 'd']],
      ['status.phase=Running', ['c']],
      ['status.phase!=Running,spec.nodeName=n1', ['a']],
      ['metadata.name=b', ['b']],
      [`metadata.namespace=${NS}`, ['a', 'b', 'c', 'd']],
    ];
    for (const [sel, want] of fieldCases) {
      it(`fieldSelector ${sel}`, async () => assert.deepEqual(await select('fieldSelector', sel), want));
    }

    it('fieldSelector metadata.namespace across all namespaces', async () => {
      const list = await api.expect(
        200,
        'GET',
        `/api/v1/pods?fieldSelector=${encodeURIComponent(`metadata.namespace=${NS}`)}`,
      );
      assert.deepEqual(names(list), ['a', 'b', 'c', 'd']);
    });

    it('an unsupported field label is a 400', async () => {
      const res = await api.get(`${pods(NS)}?fieldSelector=${encodeURIComponent('spec.containers=x')}`);
      assert.equal(res.status, 400);
      assertFailureStatus(res.body, 400, 'BadRequest', 'field label not supported: spec.containers');
      const nodes = await api.get(`/api/v1/nodes?fieldSelector=${encodeURIComponent('spec.nodeName=x')}`);
      assert.equal(nodes.status, 400);
      assertFailureStatus(nodes.body, 400, 'BadRequest', 'field label not supported: spec.nodeName');
    });

    it('an unparsable label selector is a 400', async () => {
      const res = await api.get(`${pods(NS)}?labelSelector=${encodeURIComponent('app in web')}`);
      assert.equal(res.status, 400);
      assertFailureStatus(res.body, 400, 'BadRequest');
    });

    it('events: involvedObject.name/namespace/kind/uid', async () => {
      const pod = await api.expect(200, 'GET', `${pods(NS)}/a`);
      const evs = [
        eventManifest('ev-a-1', NS, { name: 'a', kind: 'Pod', uid: pod.metadata.uid }, 'Scheduled'),
        eventManifest('ev-a-2', NS, { name: 'a', kind: 'Pod', uid: pod.metadata.uid }, 'Pulled'),
        eventManifest('ev-b', NS, { name: 'b', kind: 'Pod', uid: 'uid-b' }),
        eventManifest('ev-ds', NS, { name: 'a', kind: 'DaemonSet', uid: 'uid-ds' }),
      ];
      for (const ev of evs) await api.expect(201, 'POST', `/api/v1/namespaces/${NS}/events`, { body: ev });
      const evSelect = async (s: string, path = `/api/v1/namespaces/${NS}/events`) =>
        names(await api.expect(200, 'GET', `${path}?fieldSelector=${encodeURIComponent(s)}`));
      assert.deepEqual(await evSelect('involvedObject.name=a'), ['ev-a-1', 'ev-a-2', 'ev-ds']);
      assert.deepEqual(await evSelect('involvedObject.name=a,involvedObject.kind=Pod'), ['ev-a-1', 'ev-a-2']);
      assert.deepEqual(await evSelect(`involvedObject.uid=${pod.metadata.uid}`), ['ev-a-1', 'ev-a-2']);
      assert.deepEqual(
        await evSelect(
          `involvedObject.name=a,involvedObject.namespace=${NS},involvedObject.kind=Pod,involvedObject.uid=${pod.metadata.uid}`,
          '/api/v1/events',
        ),
        ['ev-a-1', 'ev-a-2'],
      );
      assert.deepEqual(await evSelect('involvedObject.kind=DaemonSet'), ['ev-ds']);
      assert.deepEqual(await evSelect('reason=Pulled'), ['ev-a-2']);
      assert.deepEqual(await evSelect('involvedObject.namespace=elsewhere'), []);
    });
  });

  describe('nodes, namespaces and events', () => {
    it('nodes: create, get, list, update, delete (a Success Status)', async () => {
      const created = await api.expect(201, 'POST', '/api/v1/nodes', {
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'crud-node-1', labels: { 'kubernetes.io/hostname': 'crud-node-1' } },
        },
      });
      assert.equal(created.kind, 'Node');
      assert.equal(created.metadata.namespace, undefined);
      assert.deepEqual(await api.expect(200, 'GET', '/api/v1/nodes/crud-node-1'), created);
      const list = await api.expect(
        200,
        'GET',
        `/api/v1/nodes?labelSelector=${encodeURIComponent('kubernetes.io/hostname=crud-node-1')}`,
      );
      assert.equal(list.kind, 'NodeList');
      assert.deepEqual(names(list), ['crud-node-1']);
      const change = structuredClone(created);
      change.metadata.labels.ssd = 'true';
      change.spec = { ...(change.spec ?? {}), unschedulable: true };
      const updated = await api.expect(200, 'PUT', '/api/v1/nodes/crud-node-1', { body: change });
      assert.equal(updated.metadata.labels.ssd, 'true');
      assert.equal(updated.spec.unschedulable, true);
      assert.deepEqual(names(await api.expect(200, 'GET', '/api/v1/nodes?labelSelector=ssd%3Dtrue')), ['crud-node-1']);
      const again = await api.post('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'crud-node-1' },
      });
      assert.equal(again.status, 409);
      assertFailureStatus(again.body, 409, 'AlreadyExists', 'nodes "crud-node-1" already exists');
      const del = await api.expect(200, 'DELETE', '/api/v1/nodes/crud-node-1');
      assert.equal(del.kind, 'Status');
      assert.equal(del.status, 'Success');
      assert.deepEqual(del.details, { name: 'crud-node-1', kind: 'nodes', uid: created.metadata.uid });
      assert.equal((await api.get('/api/v1/nodes/crud-node-1')).status, 404);
    });

    it('a node POSTed to a namespaced path is not routed (404)', async () => {
      const res = await api.post('/api/v1/namespaces/default/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'n' },
      });
      assert.equal(res.status, 404);
    });

    it('a body of another kind is a 400', async () => {
      const res = await api.post('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'kind-mismatch' },
      });
      assert.equal(res.status, 400);
      assertFailureStatus(res.body, 400, 'BadRequest');
    });

    it('events: create, get, list, update, delete', async () => {
      const ns = 'crud-events';
      await api.createNamespace(ns);
      const base = `/api/v1/namespaces/${ns}/events`;
      const created = await api.expect(201, 'POST', base, {
        body: eventManifest('e1', ns, { name: 'p', kind: 'Pod' }),
      });
      assert.equal(created.kind, 'Event');
      assert.deepEqual(await api.expect(200, 'GET', `${base}/e1`), created);
      assert.equal((await api.expect(200, 'GET', base)).kind, 'EventList');
      const change = structuredClone(created);
      change.count = 2;
      delete change.metadata.resourceVersion; // events allow unconditional updates
      const updated = await api.expect(200, 'PUT', `${base}/e1`, { body: change });
      assert.equal(updated.count, 2);
      const del = await api.expect(200, 'DELETE', `${base}/e1`);
      assert.equal(del.kind, 'Status');
      assert.equal(del.status, 'Success');
      assert.equal(del.details.kind, 'events');
      assert.equal((await api.get(`${base}/e1`)).status, 404);
    });

    it('concurrent unconditional PUTs of one object each store their own body', async () => {
      const ns = 'crud-events-race';
      await api.createNamespace(ns);
      const base = `/api/v1/namespaces/${ns}/events`;
      const created = await api.expect(201, 'POST', base, {
        body: eventManifest('race', ns, { name: 'p', kind: 'Pod' }),
      });
      const counts = Array.from({ length: 16 }, (_, i) => i + 2);
      const replies = await Promise.all(
        counts.map((count) => {
          const change = structuredClone(created);
          change.count = count;
          change.message = `message ${count}`;
          delete change.metadata.resourceVersion;
          return api.expect(200, 'PUT', `${base}/race`, { body: change });
        }),
      );
      replies.forEach((r, i) => {
        assert.equal(r.count, counts[i]);
        assert.equal(r.message, `message ${counts[i]}`);
        assert.equal(r.metadata.uid, created.metadata.uid);
      });
      const last = await api.expect(200, 'GET', `${base}/race`);
      assert.ok(
        replies.some((r) => r.metadata.resourceVersion === last.metadata.resourceVersion && r.count === last.count),
      );
    });

    it('namespaces: create, get, update; an invalid name is a 422 on metadata.name', async () => {
      const created = await api.createNamespace('crud-ns-1');
      assert.equal(created.kind, 'Namespace');
      assert.equal(created.status.phase, 'Active');
      assert.deepEqual(created.spec, { finalizers: ['kubernetes'] });
      assert.equal(created.metadata.labels['kubernetes.io/metadata.name'], 'crud-ns-1');
      const change = structuredClone(created);
      change.metadata.labels.team = 'a';
      const updated = await api.expect(200, 'PUT', '/api/v1/namespaces/crud-ns-1', { body: change });
      assert.equal(updated.metadata.labels.team, 'a');
      const bad = await api.post('/api/v1/namespaces', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'Not.A.Label' },
      });
      assert.equal(bad.status, 422);
      assertFailureStatus(bad.body, 422, 'Invalid');
      assert.equal(bad.body.details.causes[0].field, 'metadata.name');
    });

    it('deleting a namespace marks it Terminating, empties it, and it disappears', async () => {
      const ns = 'crud-terminating';
      await api.createNamespace(ns);
      await api.expect(201, 'POST', pods(ns), { body: podManifest('plain') });
      const blocked = podManifest('blocked');
      blocked.metadata.finalizers = ['example.com/hold'];
      await api.expect(201, 'POST', pods(ns), { body: blocked });
      await api.expect(201, 'POST', `/api/v1/namespaces/${ns}/events`, {
        body: eventManifest('ev', ns, { name: 'plain', kind: 'Pod' }),
      });

      const res = await api.expect(200, 'DELETE', `/api/v1/namespaces/${ns}`);
      assert.equal(res.kind, 'Namespace');
      assert.equal(res.status.phase, 'Terminating');
      assert.ok(res.metadata.deletionTimestamp);

      // emptied: everything but the pod held by its finalizer goes
      await eventually(async () => (await api.get(`${pods(ns)}/plain`)).status === 404, {
        what: 'pod plain deleted',
        timeoutMs: 20000,
      });
      await eventually(
        async () => (await api.expect(200, 'GET', `/api/v1/namespaces/${ns}/events`)).items.length === 0,
        { what: 'events deleted', timeoutMs: 20000 },
      );
      const held = await api.expect(200, 'GET', `${pods(ns)}/blocked`);
      assert.ok(held.metadata.deletionTimestamp, 'the held pod is being deleted');
      const nsNow = await api.expect(200, 'GET', `/api/v1/namespaces/${ns}`);
      assert.equal(nsNow.status.phase, 'Terminating');

      // creating in a terminating namespace is forbidden
      const refused = await api.post(pods(ns), podManifest('late'));
      assert.equal(refused.status, 403);
      assertFailureStatus(
        refused.body,
        403,
        'Forbidden',
        `pods "late" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
      );
      assert.deepEqual(refused.body.details, { name: 'late', kind: 'pods' });

      // releasing the finalizer lets the namespace finish
      held.metadata.finalizers = [];
      const released = await api.put(`${pods(ns)}/blocked`, held);
      assert.equal(released.status, 200, released.text);
      await eventually(async () => (await api.get(`/api/v1/namespaces/${ns}`)).status === 404, {
        what: 'namespace gone',
        timeoutMs: 20000,
      });
    });

    it('a second DELETE of a terminating namespace is a 409 Conflict', async () => {
      const ns = 'crud-delete-twice';
      await api.createNamespace(ns);
      const held = podManifest('held');
      held.metadata.finalizers = ['example.com/hold'];
      await api.expect(201, 'POST', pods(ns), { body: held });
      await api.expect(200, 'DELETE', `/api/v1/namespaces/${ns}`);
      try {
        const again = await api.delete(`/api/v1/namespaces/${ns}`);
        assert.equal(again.status, 409, again.text);
        assertFailureStatus(
          again.body,
          409,
          'Conflict',
          `Operation cannot be fulfilled on namespaces "${ns}": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.`,
        );
      } finally {
        // the namespace controller marks the pod for deletion meanwhile: retry on conflicts
        await eventually(
          async () => {
            const cur = await api.expect(200, 'GET', `${pods(ns)}/held`);
            cur.metadata.finalizers = [];
            return (await api.put(`${pods(ns)}/held`, cur)).status === 200;
          },
          { what: 'finalizer removed' },
        );
      }
    });

    it('an empty namespace is deleted promptly', async () => {
      await api.createNamespace('crud-empty-ns');
      await api.expect(200, 'DELETE', '/api/v1/namespaces/crud-empty-ns');
      await eventually(async () => (await api.get('/api/v1/namespaces/crud-empty-ns')).status === 404, {
        what: 'namespace gone',
        timeoutMs: 20000,
      });
    });
  });

  describe('lists at a resourceVersion', () => {
    it('a resourceVersion beyond the current one is a 504 naming it (Exact and NotOlderThan)', async () => {
      const current = Number((await api.expect(200, 'GET', '/api/v1/namespaces')).metadata.resourceVersion);
      const future = current + 1000;
      for (const match of ['Exact', 'NotOlderThan']) {
        const res = await api.get(`${pods('default')}?resourceVersion=${future}&resourceVersionMatch=${match}`, {
          timeoutMs: 30000,
        });
        assert.equal(res.status, 504, `${match}: ${res.text}`);
        assertFailureStatus(
          res.body,
          504,
          'Timeout',
          new RegExp(`^Timeout: Too large resource version: ${future}, current: \\d+$`),
        );
        assert.equal(res.body.details.causes[0].reason, 'ResourceVersionTooLarge');
        assert.equal(res.headers.get('retry-after'), '1');
      }
    });

    it('resourceVersionMatch needs a resourceVersion; unknown values are a 400', async () => {
      const none = await api.get(`${pods('default')}?resourceVersionMatch=Exact`);
      assert.equal(none.status, 400);
      assertFailureStatus(none.body, 400, 'BadRequest');
      const bad = await api.get(`${pods('default')}?resourceVersion=1&resourceVersionMatch=Sometime`);
      assert.equal(bad.status, 400);
      assertFailureStatus(bad.body, 400, 'BadRequest');
    });
  });

  describe('Tables', () => {
    const NS = 'crud-tables';
    before(async () => {
      await api.createNamespace(NS);
      await api.expect(201, 'POST', pods(NS), { body: podManifest('t-1', { nodeName: 'n1' }) });
      await api.expect(201, 'POST', pods(NS), { body: podManifest('t-2') });
    });

    it('list with Accept as=Table returns a Table whose first column is Name', async () => {
      const res = await api.get(pods(NS), { headers: { Accept: TABLE_ACCEPT } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      const t = res.body;
      assert.equal(t.kind, 'Table');
      assert.equal(t.apiVersion, 'meta.k8s.io/v1');
      assert.match(t.metadata.resourceVersion, /^\d+$/);
      assert.deepEqual(
        t.columnDefinitions.slice(0, 5).map((c: Json) => c.name),
        ['Name', 'Ready', 'Status', 'Restarts', 'Age'],
      );
      assert.equal(t.columnDefinitions[0].format, 'name');
      assert.deepEqual(
        t.rows.map((r: Json) => r.cells[0]),
        ['t-1', 't-2'],
      );
      for (const row of t.rows) {
        assert.equal(row.cells.length, t.columnDefinitions.length);
        assert.equal(row.object.kind, 'PartialObjectMetadata');
        assert.equal(row.object.apiVersion, 'meta.k8s.io/v1');
      }
    });

    it('get with Accept as=Table returns one row (table_conversion.go: pod details)', async () => {
      const t = await api.expect(200, 'GET', `${pods(NS)}/t-1`, {
        headers: { Accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' },
      });
      assert.equal(t.kind, 'Table');
      assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
      assert.ok(t.columnDefinitions.length > 2);
      assert.equal(t.columnDefinitions[0].name, 'Name');
      assert.equal(t.rows.length, 1);
      assert.equal(t.rows[0].cells.length, t.columnDefinitions.length);
      assert.equal(t.rows[0].cells[0], 't-1');
    });

    it('nodes and namespaces as Tables', async () => {
      await api.expect(201, 'POST', '/api/v1/nodes', {
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'table-node' } },
      });
      const nodes = await api.expect(200, 'GET', '/api/v1/nodes', { headers: { Accept: TABLE_ACCEPT } });
      assert.equal(nodes.kind, 'Table');
      assert.ok(nodes.columnDefinitions.length >= 2);
      assert.equal(nodes.columnDefinitions[0].name, 'Name');
      assert.ok(nodes.rows.some((r: Json) => r.cells[0] === 'table-node'));
      assert.match(nodes.metadata.resourceVersion, /^\d+$/);
      const nss = await api.expect(200, 'GET', '/api/v1/namespaces', { headers: { Accept: TABLE_ACCEPT } });
      assert.deepEqual(nss.columnDefinitions.map((c: Json) => c.name).slice(0, 3), ['Name', 'Status', 'Age']);
    });

    it('includeObject=Object embeds the full object', async () => {
      const t = await api.expect(200, 'GET', `${pods(NS)}?includeObject=Object`, { headers: { Accept: TABLE_ACCEPT } });
      assert.equal(t.rows[0].object.kind, 'Pod');
      assert.equal(t.rows[0].object.apiVersion, 'v1');
      assert.ok(t.rows[0].object.spec);
    });
  });
});

describe('immortal namespaces', () => {
  const { api } = useInProcessServer();

  // kube-apiserver's NamespaceLifecycle admission: default, kube-system and kube-public may not be deleted.
  for (const ns of ['default', 'kube-system', 'kube-public']) {
    it(`DELETE namespaces/${ns} is a 403`, async () => {
      const res = await api.delete(`/api/v1/namespaces/${ns}`);
      assert.equal(res.status, 403, res.text.slice(0, 300));
      assert.equal(res.body.kind, 'Status');
      assert.equal(res.body.reason, 'Forbidden');
      assert.equal(res.body.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
      assert.deepEqual(res.body.details, { name: ns, kind: 'namespaces' });
      const still = await api.expect(200, 'GET', `/api/v1/namespaces/${ns}`);
      assert.equal(still.status.phase, 'Active');
      assert.equal(still.metadata.deletionTimestamp, undefined);
    });
  }
});
