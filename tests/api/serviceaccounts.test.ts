/**
 * ServiceAccounts over HTTP (server/registry/resources/serviceaccounts/): the resource through the generic machinery
 * (CRUD, validation, patches, watch, selectors, paging, Tables, protobuf, discovery, OpenAPI), the ServiceAccount
 * admission of pods, `serviceaccounts/<name>/token` (TokenRequest), and the tokens it issues as bearer credentials.
 * The servers here run every admission plugin (no `--disable-admission-plugins`), as in a cluster; without a
 * controller manager the tests create the `default` accounts themselves.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Api, podManifest, sleep, type Json, assertFailureStatus } from '../helpers/http.js';
import { pbRequest } from '../helpers/protobuf.js';
import { useInProcessServer, startServerProcess } from '../helpers/server.js';
import { WatchStream } from '../helpers/watch.js';
import { PROTOBUF } from '../../server/protobuf/envelope.js';

const NS = 'sa-test';
const sas = (ns = NS) => `/api/v1/namespaces/${ns}/serviceaccounts`;
const tokenOf = (name: string, ns = NS) => `${sas(ns)}/${name}/token`;
const pods = (ns = NS) => `/api/v1/namespaces/${ns}/pods`;
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

const account = (name: string, extra: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name },
  ...extra,
});
const claimsOf = (token: string): Json => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
const headerOf = (token: string): Json => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));

/** POST /apis/authentication.k8s.io/v1/selfsubjectreviews with a bearer token: who the server takes it for. */
async function whoami(url: string, token: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('serviceaccounts', () => {
  const { api, server } = useInProcessServer({ disableAdmissionPlugins: [], namespaces: [NS] });

  before(async () => {
    await api.expect(201, 'POST', sas(), { body: account('default') });
  });

  describe('the resource', () => {
    it('create, get, list, update, delete; secrets keep only their names; DELETE answers a Status', async () => {
      const created = await api.expect(201, 'POST', sas(), {
        body: account('build', {
          metadata: { name: 'build', labels: { team: 'ci' } },
          secrets: [{ name: 's1', kind: 'Secret', uid: 'x', fieldPath: 'data' }],
          imagePullSecrets: [{ name: 'registry' }],
          automountServiceAccountToken: false,
        }),
      });
      assert.equal(created.kind, 'ServiceAccount');
      assert.equal(created.apiVersion, 'v1');
      assert.equal(created.metadata.namespace, NS);
      assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.equal(created.metadata.generation, undefined, 'no generation');
      assert.deepEqual(created.secrets, [{ name: 's1' }]);
      assert.deepEqual(created.imagePullSecrets, [{ name: 'registry' }]);
      assert.equal(created.automountServiceAccountToken, false);
      assert.deepEqual(await api.expect(200, 'GET', `${sas()}/build`), created);
      const list = await api.expect(200, 'GET', sas());
      assert.equal(list.kind, 'ServiceAccountList');
      assert.deepEqual(
        list.items.map((i: Json) => i.metadata.name),
        ['build', 'default'],
      );
      const all = await api.expect(200, 'GET', '/api/v1/serviceaccounts');
      assert.ok(all.items.some((i: Json) => i.metadata.namespace === NS && i.metadata.name === 'build'));

      const update = { ...created, secrets: [{ name: 's1' }, { name: 's2', namespace: NS }] };
      const updated = await api.expect(200, 'PUT', `${sas()}/build`, { body: update });
      assert.deepEqual(updated.secrets, [{ name: 's1' }, { name: 's2' }]);
      assertFailureStatus(
        (await api.put(`${sas()}/nope`, account('nope'))).body,
        404,
        'NotFound',
        'serviceaccounts "nope" not found',
      );

      const deleted = await api.expect(200, 'DELETE', `${sas()}/build`);
      assert.deepEqual(deleted, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name: 'build', kind: 'serviceaccounts', uid: created.metadata.uid },
        code: 200,
      });
      assertFailureStatus((await api.get(`${sas()}/build`)).body, 404, 'NotFound', 'serviceaccounts "build" not found');
    });

    it('validation: a DNS subdomain name, upstream messages; duplicates are 409', async () => {
      const bad = (await api.post(sas(), account('Bad_Name'))).body;
      assertFailureStatus(
        bad,
        422,
        'Invalid',
        "ServiceAccount \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
      assertFailureStatus(
        (await api.post(sas(), { metadata: {} })).body,
        422,
        'Invalid',
        'ServiceAccount "" is invalid: metadata.name: Required value: name or generateName is required',
      );
      assertFailureStatus(
        (await api.post(sas(), account('default'))).body,
        409,
        'AlreadyExists',
        'serviceaccounts "default" already exists',
      );
      assertFailureStatus(
        (await api.post(sas('missing-ns'), account('x'))).body,
        404,
        'NotFound',
        'namespaces "missing-ns" not found',
      );
      const generated = await api.expect(201, 'POST', sas(), { body: { metadata: { generateName: 'gen-' } } });
      assert.match(generated.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      await api.expect(200, 'DELETE', `${sas()}/${generated.metadata.name}`);
    });

    it('patches: merge, JSON, strategic merge (secrets merge by name), server-side apply', async () => {
      await api.expect(201, 'POST', sas(), { body: account('patched', { secrets: [{ name: 'a' }] }) });
      const merged = await api.expect(200, 'PATCH', `${sas()}/patched`, {
        body: { metadata: { labels: { x: '1' } } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(merged.metadata.labels.x, '1');
      const smp = await api.expect(200, 'PATCH', `${sas()}/patched`, {
        body: { secrets: [{ name: 'b' }] },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(smp.secrets, [{ name: 'b' }, { name: 'a' }]);
      const removed = await api.expect(200, 'PATCH', `${sas()}/patched`, {
        body: { secrets: [{ name: 'a', $patch: 'delete' }] },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(removed.secrets, [{ name: 'b' }]);
      const json = await api.expect(200, 'PATCH', `${sas()}/patched`, {
        body: [{ op: 'add', path: '/automountServiceAccountToken', value: false }],
        contentType: 'application/json-patch+json',
      });
      assert.equal(json.automountServiceAccountToken, false);
      const applied = await api.expect(200, 'PATCH', `${sas()}/patched?fieldManager=test`, {
        raw: 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: patched\nimagePullSecrets:\n- name: reg\n',
        contentType: 'application/apply-patch+yaml',
      });
      assert.deepEqual(applied.imagePullSecrets, [{ name: 'reg' }]);
      assert.ok(applied.metadata.managedFields.some((f: Json) => f.manager === 'test' && f.operation === 'Apply'));
      const strict = await api.request('PATCH', `${sas()}/patched?fieldValidation=Strict`, {
        body: { bogus: 1 },
        contentType: 'application/merge-patch+json',
      });
      assertFailureStatus(strict.body, 422, 'Invalid', /strict decoding error: unknown field "bogus"$/);
    });

    it('label and field selectors, paging, deletecollection', async () => {
      for (const name of ['sel-a', 'sel-b', 'sel-c'])
        await api.expect(201, 'POST', sas(), { body: account(name, { metadata: { name, labels: { group: 'sel' } } }) });
      const byLabel = await api.expect(200, 'GET', `${sas()}?labelSelector=group%3Dsel`);
      assert.deepEqual(
        byLabel.items.map((i: Json) => i.metadata.name),
        ['sel-a', 'sel-b', 'sel-c'],
      );
      const byField = await api.expect(200, 'GET', `${sas()}?fieldSelector=metadata.name%3Dsel-b`);
      assert.deepEqual(
        byField.items.map((i: Json) => i.metadata.name),
        ['sel-b'],
      );
      const badField = await api.get(`${sas()}?fieldSelector=spec.nope%3Dx`);
      assertFailureStatus(
        badField.body,
        400,
        'BadRequest',
        '"spec.nope" is not a known field selector: only "metadata.name", "metadata.namespace"',
      );
      const page1 = await api.expect(200, 'GET', `${sas()}?labelSelector=group%3Dsel&limit=2`);
      assert.equal(page1.items.length, 2);
      assert.ok(page1.metadata.continue);
      const page2 = await api.expect(
        200,
        'GET',
        `${sas()}?labelSelector=group%3Dsel&limit=2&continue=${page1.metadata.continue}`,
      );
      assert.deepEqual(
        page2.items.map((i: Json) => i.metadata.name),
        ['sel-c'],
      );
      const gone = await api.expect(200, 'DELETE', `${sas()}?labelSelector=group%3Dsel`);
      assert.equal(gone.kind, 'ServiceAccountList');
      assert.equal(gone.items.length, 3);
      assert.equal((await api.expect(200, 'GET', `${sas()}?labelSelector=group%3Dsel`)).items.length, 0);
    });

    it('watch: ADDED, MODIFIED, DELETED from a resourceVersion, filtered by selectors', async () => {
      const rv = (await api.expect(200, 'GET', sas())).metadata.resourceVersion;
      const w = await WatchStream.open(
        `${server().url}${sas()}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dwatched`,
      );
      try {
        await api.expect(201, 'POST', sas(), { body: account('other') });
        await api.expect(201, 'POST', sas(), { body: account('watched') });
        await api.expect(200, 'PATCH', `${sas()}/watched`, {
          body: { metadata: { labels: { a: 'b' } } },
          contentType: 'application/merge-patch+json',
        });
        await api.expect(200, 'DELETE', `${sas()}/watched`);
        const events = await w.take(3);
        assert.deepEqual(
          events.map((e) => e.type),
          ['ADDED', 'MODIFIED', 'DELETED'],
        );
        assert.ok(events.every((e) => e.object.kind === 'ServiceAccount' && e.object.metadata.name === 'watched'));
      } finally {
        w.close();
        await api.expect(200, 'DELETE', `${sas()}/other`);
      }
    });

    it('Tables: Name, Secrets (the number of secrets), Age', async () => {
      await api.expect(201, 'POST', sas(), { body: account('tabled', { secrets: [{ name: 'a' }, { name: 'b' }] }) });
      const table = await api.expect(200, 'GET', sas(), { headers: { Accept: TABLE_ACCEPT } });
      assert.equal(table.kind, 'Table');
      assert.deepEqual(
        table.columnDefinitions.map((c: Json) => [c.name, c.type, c.format, c.priority]),
        [
          ['Name', 'string', 'name', 0],
          ['Secrets', 'string', '', 0],
          ['Age', 'string', '', 0],
        ],
      );
      const row = table.rows.find((r: Json) => r.cells[0] === 'tabled');
      assert.equal(row.cells[1], 2);
      assert.match(row.cells[2], /^\d+s$/);
      assert.equal(row.object.kind, 'PartialObjectMetadata');
      const one = await api.expect(200, 'GET', `${sas()}/default`, { headers: { Accept: TABLE_ACCEPT } });
      assert.deepEqual(one.rows[0].cells.slice(0, 2), ['default', 0]);
      await api.expect(200, 'DELETE', `${sas()}/tabled`);
    });

    it('protobuf: create from a protobuf body, answers equal to JSON', async () => {
      const body = account('pb', {
        secrets: [{ name: 's' }],
        imagePullSecrets: [{ name: 'r' }],
        automountServiceAccountToken: false,
      });
      const created = await pbRequest(`${server().url}${sas()}`, 'POST', { body });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.contentType, PROTOBUF);
      const json = await api.expect(200, 'GET', `${sas()}/pb`);
      assert.deepEqual(created.body, json);
      assert.equal(json.automountServiceAccountToken, false, 'a Go pointer: false survives protobuf');
      const list = await pbRequest(`${server().url}${sas()}?fieldSelector=metadata.name%3Dpb`, 'GET');
      assert.equal(list.body.kind, 'ServiceAccountList');
      assert.deepEqual(list.body.items[0].imagePullSecrets, [{ name: 'r' }]);
      await api.expect(200, 'DELETE', `${sas()}/pb`);
    });

    it('discovery: serviceaccounts (short name sa) and serviceaccounts/token (authentication.k8s.io/v1 TokenRequest)', async () => {
      const core = await api.expect(200, 'GET', '/api/v1');
      assert.deepEqual(
        core.resources.find((r: Json) => r.name === 'serviceaccounts'),
        {
          name: 'serviceaccounts',
          singularName: 'serviceaccount',
          namespaced: true,
          kind: 'ServiceAccount',
          verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
          shortNames: ['sa'],
        },
      );
      assert.deepEqual(
        core.resources.find((r: Json) => r.name === 'serviceaccounts/token'),
        {
          name: 'serviceaccounts/token',
          singularName: '',
          namespaced: true,
          group: 'authentication.k8s.io',
          version: 'v1',
          kind: 'TokenRequest',
          verbs: ['create'],
        },
      );
      const v3 = await api.expect(200, 'GET', '/openapi/v3/api/v1');
      const op = v3.paths['/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token'].post;
      assert.equal(op.operationId, 'createCoreV1NamespacedServiceAccountToken');
      assert.deepEqual(op['x-kubernetes-group-version-kind'], {
        group: 'authentication.k8s.io',
        version: 'v1',
        kind: 'TokenRequest',
      });
      assert.ok(v3.components.schemas['io.k8s.api.authentication.v1.TokenRequest']);
      assert.ok(v3.paths['/api/v1/namespaces/{namespace}/serviceaccounts/{name}'].patch);
    });
  });

  describe('ServiceAccount admission of pods', () => {
    it('a pod gets serviceAccountName default, the deprecated alias, and the kube-api-access projected volume', async () => {
      const body = podManifest('web');
      body.spec.initContainers = [{ name: 'init', image: 'busybox' }];
      const pod = await api.expect(201, 'POST', pods(), { body });
      assert.equal(pod.spec.serviceAccountName, 'default');
      assert.equal(pod.spec.serviceAccount, 'default');
      assert.equal(pod.spec.volumes.length, 1);
      const volume = pod.spec.volumes[0];
      assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      assert.deepEqual(volume.projected, {
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
        defaultMode: 420,
      });
      for (const c of [...pod.spec.containers, ...pod.spec.initContainers]) {
        assert.deepEqual(c.volumeMounts, [{ name: volume.name, readOnly: true, mountPath: MOUNT_PATH }]);
      }
      // an update keeps it as it is (defaulting adds nothing)
      const relabeled = await api.expect(200, 'PATCH', `${pods()}/web`, {
        body: { metadata: { labels: { a: 'b' } } },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(relabeled.spec, pod.spec);
      // a protobuf read carries exactly the same
      assert.deepEqual((await pbRequest(`${server().url}${pods()}/web`, 'GET')).body, relabeled);
    });

    it('the deprecated serviceAccount alone names the account; automount false (pod or account) mounts nothing', async () => {
      await api.expect(201, 'POST', sas(), { body: account('quiet', { automountServiceAccountToken: false }) });
      const alias = podManifest('alias');
      alias.spec.serviceAccount = 'quiet';
      const p1 = await api.expect(201, 'POST', pods(), { body: alias });
      assert.equal(p1.spec.serviceAccountName, 'quiet');
      assert.equal(p1.spec.serviceAccount, 'quiet');
      assert.equal(p1.spec.volumes, undefined);
      const off = podManifest('off');
      off.spec.automountServiceAccountToken = false;
      const p2 = await api.expect(201, 'POST', pods(), { body: off });
      assert.equal(p2.spec.serviceAccountName, 'default');
      assert.equal(p2.spec.volumes, undefined);
      assert.equal(p2.spec.containers[0].volumeMounts, undefined);
      const on = podManifest('on');
      on.spec.serviceAccountName = 'quiet';
      on.spec.automountServiceAccountToken = true;
      assert.equal((await api.expect(201, 'POST', pods(), { body: on })).spec.volumes.length, 1);
    });

    it('copies image pull secrets; dry run admits without storing; the field selector spec.serviceAccountName', async () => {
      await api.expect(201, 'POST', sas(), { body: account('puller', { imagePullSecrets: [{ name: 'registry' }] }) });
      const body = podManifest('pulled');
      body.spec.serviceAccountName = 'puller';
      const dry = await api.expect(201, 'POST', `${pods()}?dryRun=All`, { body });
      assert.deepEqual(dry.spec.imagePullSecrets, [{ name: 'registry' }]);
      assert.equal((await api.get(`${pods()}/pulled`)).status, 404);
      await api.expect(201, 'POST', pods(), { body });
      const selected = await api.expect(200, 'GET', `${pods()}?fieldSelector=spec.serviceAccountName%3Dpuller`);
      assert.deepEqual(
        selected.items.map((p: Json) => p.metadata.name),
        ['pulled'],
      );
    });

    it('refuses a pod whose account does not exist (403 Forbidden, upstream message)', async () => {
      const body = podManifest('orphan');
      body.spec.serviceAccountName = 'ghost';
      assertFailureStatus(
        (await api.post(pods(), body)).body,
        403,
        'Forbidden',
        `pods "orphan" is forbidden: error looking up service account ${NS}/ghost: serviceaccount "ghost" not found`,
      );
      const generated = podManifest('', { generateName: 'gen-' });
      generated.spec.serviceAccountName = 'ghost';
      assertFailureStatus(
        (await api.post(pods(), generated)).body,
        403,
        'Forbidden',
        /^pods "gen-" is forbidden: error looking up service account/,
      );
    });

    it('in a namespace without its default account (no controller manager) pods are refused after upstream’s retries', async () => {
      await api.createNamespace('no-default');
      const started = Date.now();
      const res = await api.post(pods('no-default'), podManifest('early'));
      assertFailureStatus(
        res.body,
        403,
        'Forbidden',
        'pods "early" is forbidden: error looking up service account no-default/default: serviceaccount "default" not found',
      );
      assert.ok(Date.now() - started >= 900, 'ten lookups, 100-200 ms apart');
      // the account appearing while the server still looks is enough
      const pending = api.post(pods('no-default'), podManifest('later'));
      await sleep(150);
      await api.expect(201, 'POST', sas('no-default'), { body: account('default') });
      assert.equal((await pending).status, 201);
    });

    it('mirror pods are left alone but may not reference accounts or secrets', async () => {
      const mirror = podManifest('static', { annotations: { 'kubernetes.io/config.mirror': 'abc' } });
      mirror.spec.nodeName = 'n1';
      const created = await api.expect(201, 'POST', pods(), { body: mirror });
      assert.equal(created.spec.serviceAccountName, undefined);
      assert.equal(created.spec.volumes, undefined);
      const withAccount = podManifest('static2', { annotations: { 'kubernetes.io/config.mirror': 'abc' } });
      withAccount.spec.serviceAccountName = 'default';
      assertFailureStatus(
        (await api.post(pods(), withAccount)).body,
        403,
        'Forbidden',
        'pods "static2" is forbidden: a mirror pod may not reference service accounts',
      );
    });
  });

  describe('serviceaccounts/token', () => {
    const request = (spec: Json = {}, metadata: Json = {}): Json => ({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata,
      spec,
    });

    it('issues a signed JWT: 201, defaulted spec, expirationTimestamp, upstream claims; the server takes it for the account', async () => {
      const sa = await api.expect(201, 'POST', sas(), { body: account('robot') });
      const before = Math.floor(Date.now() / 1000);
      const res = await api.post(tokenOf('robot'), request());
      assert.equal(res.status, 201, res.text);
      const tr = res.body;
      assert.equal(tr.kind, 'TokenRequest');
      assert.equal(tr.apiVersion, 'authentication.k8s.io/v1');
      assert.deepEqual(Object.keys(tr.metadata), ['name', 'namespace', 'creationTimestamp']);
      assert.deepEqual([tr.metadata.name, tr.metadata.namespace], ['robot', NS]);
      assert.deepEqual(tr.spec, { audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null });
      const token: string = tr.status.token;
      assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      assert.equal(headerOf(token).alg, 'ES256');
      assert.match(headerOf(token).kid, /^[A-Za-z0-9_-]{43}$/);
      const claims = claimsOf(token);
      assert.deepEqual(Object.keys(claims), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
      assert.deepEqual(claims.aud, [ISSUER]);
      assert.equal(claims.iss, ISSUER);
      assert.equal(claims.sub, `system:serviceaccount:${NS}:robot`);
      assert.deepEqual(claims['kubernetes.io'], {
        namespace: NS,
        serviceaccount: { name: 'robot', uid: sa.metadata.uid },
      });
      assert.ok(claims.iat >= before && claims.nbf === claims.iat && claims.exp === claims.iat + 3600);
      assert.equal(Date.parse(tr.status.expirationTimestamp) / 1000, claims.exp);

      // This server requires no authentication; a token it issued still says who the caller is.
      const who = await whoami(server().url, token);
      assert.equal(who.status, 201);
      assert.deepEqual(who.body.status.userInfo, {
        username: `system:serviceaccount:${NS}:robot`,
        uid: sa.metadata.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] },
      });
      // Other bearer tokens leave the caller anonymous there; a broken token of this issuer is refused.
      assert.equal((await whoami(server().url, 'something-else')).body.status.userInfo.username, 'system:anonymous');
      const [h, p] = token.split('.');
      assert.equal((await whoami(server().url, `${h}.${p}.AAAA`)).status, 401);
    });

    it('audiences, expirationSeconds and metadata as given; the lifetime bounds and the name checks of upstream', async () => {
      const tr = await api.expect(201, 'POST', tokenOf('default'), {
        body: request(
          { audiences: ['vault', 'api'], expirationSeconds: 7200 },
          { name: 'default', labels: { a: 'b' }, uid: 'dropped' },
        ),
      });
      assert.deepEqual(tr.spec.audiences, ['vault', 'api']);
      assert.equal(tr.spec.expirationSeconds, 7200);
      assert.deepEqual(tr.metadata.labels, { a: 'b' });
      assert.equal(tr.metadata.uid, undefined);
      assert.deepEqual(claimsOf(tr.status.token).aud, ['vault', 'api']);
      // not an audience of this server: not a credential here
      assert.equal((await whoami(server().url, tr.status.token)).status, 401);

      assertFailureStatus(
        (await api.post(tokenOf('default'), request({ expirationSeconds: 599 }))).body,
        422,
        'Invalid',
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
      );
      const tooLong = (await api.post(tokenOf('default'), request({ expirationSeconds: 2 ** 32 + 1 }))).body;
      assertFailureStatus(
        tooLong,
        422,
        'Invalid',
        'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
      );
      assert.deepEqual(tooLong.details, {
        group: 'authentication.k8s.io',
        kind: 'TokenRequest',
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
            field: 'spec.expirationSeconds',
          },
        ],
      });
      assertFailureStatus(
        (await api.post(tokenOf('default'), request({}, { name: 'other' }))).body,
        422,
        'Invalid',
        'TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
      );
      assertFailureStatus(
        (await api.post(tokenOf('default'), request({}, { namespace: 'elsewhere' }))).body,
        422,
        'Invalid',
        'TokenRequest.authentication.k8s.io "default" is invalid: metadata.namespace: Invalid value: "elsewhere": must match the service account namespace if specified',
      );
      assertFailureStatus(
        (await api.post(tokenOf('ghost'), request())).body,
        404,
        'NotFound',
        'serviceaccounts "ghost" not found',
      );
      assertFailureStatus(
        (await api.post(tokenOf('default'), { apiVersion: 'v1', kind: 'Pod' })).body,
        400,
        'BadRequest',
        'Pod in version "v1" cannot be handled as a TokenRequest: converting (v1.Pod) to (authentication.TokenRequest): unknown conversion',
      );
      assert.equal((await api.get(tokenOf('default'))).status, 405);
    });

    it('binds tokens to a pod (and reports its node), a node, or refuses as upstream', async () => {
      await api.expect(201, 'POST', '/api/v1/nodes', {
        body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sa-node' } },
      });
      const body = podManifest('bound', { nodeName: 'sa-node' });
      const pod = await api.expect(201, 'POST', pods(), { body });
      const node = await api.expect(200, 'GET', '/api/v1/nodes/sa-node');
      const ref = { kind: 'Pod', apiVersion: 'v1', name: 'bound' };
      const tr = await api.expect(201, 'POST', tokenOf('default'), { body: request({ boundObjectRef: ref }) });
      assert.deepEqual(tr.spec.boundObjectRef, ref);
      const k8s = claimsOf(tr.status.token)['kubernetes.io'];
      assert.deepEqual(k8s.pod, { name: 'bound', uid: pod.metadata.uid });
      assert.deepEqual(k8s.node, { name: 'sa-node', uid: node.metadata.uid });
      const who = await whoami(server().url, tr.status.token);
      assert.deepEqual(who.body.status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['bound']);
      assert.deepEqual(who.body.status.userInfo.extra['authentication.kubernetes.io/node-name'], ['sa-node']);

      // what pods get projected: 3607 s, extended to a year with warnafter
      const projected = await api.expect(201, 'POST', tokenOf('default'), {
        body: request({ boundObjectRef: ref, expirationSeconds: 3607 }),
      });
      const c = claimsOf(projected.status.token);
      assert.equal(c.exp - c.iat, 365 * 24 * 3600);
      assert.equal(c['kubernetes.io'].warnafter, c.iat + 3607);
      assert.equal(Date.parse(projected.status.expirationTimestamp) / 1000, c.iat + 3607);

      const nodeBound = await api.expect(201, 'POST', tokenOf('default'), {
        body: request({ boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'sa-node', uid: node.metadata.uid } }),
      });
      assert.deepEqual(claimsOf(nodeBound.status.token)['kubernetes.io'].node, {
        name: 'sa-node',
        uid: node.metadata.uid,
      });

      const refused = async (boundObjectRef: Json, account = 'default') =>
        (await api.post(tokenOf(account), request({ boundObjectRef }))).body;
      assertFailureStatus(
        await refused({ kind: 'Pod', apiVersion: 'v1', name: 'nope' }),
        404,
        'NotFound',
        'pods "nope" not found',
      );
      assertFailureStatus(
        await refused({ kind: 'Secret', apiVersion: 'v1', name: 'nope' }),
        404,
        'NotFound',
        'secrets "nope" not found',
      );
      assertFailureStatus(
        await refused({ kind: 'Node', apiVersion: 'v1', name: 'nope' }),
        404,
        'NotFound',
        'nodes "nope" not found',
      );
      assertFailureStatus(
        await refused({ kind: 'Deployment', apiVersion: 'apps/v1', name: 'd' }),
        400,
        'BadRequest',
        'cannot bind token to object of type apps/v1, Kind=Deployment',
      );
      assertFailureStatus(
        await refused({ kind: 'ConfigMap', apiVersion: 'v1', name: 'c' }),
        400,
        'BadRequest',
        'cannot bind token to object of type /v1, Kind=ConfigMap',
      );
      assertFailureStatus(
        await refused({ ...ref, uid: 'not-its-uid' }),
        409,
        'Conflict',
        'Operation cannot be fulfilled on Pod "bound": the UID in the bound object reference (not-its-uid) does not match the UID in record. The object might have been deleted and then recreated',
      );
      assertFailureStatus(
        await refused(ref, 'robot'),
        400,
        'BadRequest',
        'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.',
      );

      // once the pod is gone, its tokens are worthless
      await api.expect(200, 'DELETE', `${pods()}/bound?gracePeriodSeconds=0`);
      assert.equal((await whoami(server().url, tr.status.token)).status, 401);
    });

    it('takes and answers protobuf, as kubectl 1.32 create token sends it', async () => {
      const res = await pbRequest(`${server().url}${tokenOf('default')}`, 'POST', {
        body: request({ expirationSeconds: 1200 }),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.contentType, PROTOBUF);
      assert.equal(res.body.kind, 'TokenRequest');
      assert.deepEqual(res.body.spec, { audiences: [ISSUER], expirationSeconds: 1200 });
      assert.equal(claimsOf(res.body.status.token).exp - claimsOf(res.body.status.token).iat, 1200);
      const error = await pbRequest(`${server().url}${tokenOf('ghost')}`, 'POST', { body: request() });
      assert.equal(error.status, 404);
      assert.equal(error.body.kind, 'Status');
      assert.equal(error.body.message, 'serviceaccounts "ghost" not found');
    });

    it('a deleted account takes its tokens with it, also when an account of the same name replaces it', async () => {
      await api.expect(201, 'POST', sas(), { body: account('short-lived') });
      const token = (await api.expect(201, 'POST', tokenOf('short-lived'), { body: request() })).status.token;
      assert.equal((await whoami(server().url, token)).status, 201);
      await api.expect(200, 'DELETE', `${sas()}/short-lived`);
      assert.equal((await whoami(server().url, token)).status, 401);
      await api.expect(201, 'POST', sas(), { body: account('short-lived') });
      const again = await whoami(server().url, token);
      assert.equal(again.status, 401);
      assertFailureStatus(again.body, 401, 'Unauthorized', 'Unauthorized');
    });
  });
});

describe('service account tokens on a server that requires authentication', () => {
  const ADMIN = 'admin-secret';
  const { server } = useInProcessServer({ bearerToken: ADMIN, disableAdmissionPlugins: [] });
  const admin = async (method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> => {
    const res = await fetch(server().url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };

  it('a token from serviceaccounts/token is accepted as the account; without one, or with a stale one, 401', async () => {
    assert.equal((await admin('POST', '/api/v1/namespaces/default/serviceaccounts', account('ci'))).status, 201);
    const tr = await admin('POST', '/api/v1/namespaces/default/serviceaccounts/ci/token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {},
    });
    assert.equal(tr.status, 201);
    const token = tr.body.status.token;
    const list = await fetch(`${server().url}/api/v1/namespaces/default/serviceaccounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(list.status, 200);
    const who = await whoami(server().url, token);
    assert.equal(who.body.status.userInfo.username, 'system:serviceaccount:default:ci');
    assert.deepEqual(who.body.status.userInfo.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:default',
      'system:authenticated',
    ]);
    assert.equal((await whoami(server().url, 'wrong')).status, 401);
    assert.equal((await fetch(`${server().url}/api/v1/namespaces`)).status, 401);
    assert.equal(
      (await fetch(`${server().url}/readyz`, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } }))
        .status,
      401,
      'credentials that do not hold are refused even on public probes, as kube-apiserver does',
    );
    assert.equal((await fetch(`${server().url}/readyz`)).status, 200, 'probes stay public without credentials');
    assert.equal((await admin('DELETE', '/api/v1/namespaces/default/serviceaccounts/ci')).status, 200);
    assert.equal((await whoami(server().url, token)).status, 401);
  });
});

describe('the signing key lives in the data directory', () => {
  it('tokens issued before a restart are still accepted after it', async () => {
    const first = await startServerProcess({ admission: true });
    let second: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    try {
      const api = new Api(first.url);
      await api.expect(201, 'POST', sas('default'), { body: account('default') });
      const token = (await api.expect(201, 'POST', tokenOf('default', 'default'), { body: { spec: {} } })).status.token;
      assert.equal((await whoami(first.url, token)).status, 201);
      assert.equal(await first.stop(), 0);
      second = await startServerProcess({ dataDir: first.dataDir, admission: true });
      const who = await whoami(second.url, token);
      assert.equal(who.status, 201);
      assert.equal(who.body.status.userInfo.username, 'system:serviceaccount:default:default');
    } finally {
      await second?.stop();
      await first.stop();
      first.cleanup();
    }
  });
});
