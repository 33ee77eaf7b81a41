/**
 * ConfigMaps and Secrets over HTTP, as curl, client-go and helm use them: CRUD, the write-only stringData, base64
 * values (Go's decoding, canonical re-encoding, 400 for bad data), immutability and size limits with upstream's
 * Status bodies, the `type` field selector on lists and watches, label-selected lists, watches and paging of
 * helm-style release Secrets whose large binary values round-trip byte for byte in JSON and protobuf, patches,
 * server-side apply, Tables, discovery and the OpenAPI documents.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { PROTOBUF } from '../../server/protobuf/envelope.js';
import type { Json } from '../helpers/http.js';
import { PbWatch, pbRequest } from '../helpers/protobuf.js';
import { useInProcessServer } from '../helpers/server.js';
import { WatchStream } from '../helpers/watch.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const IMMUTABLE = 'field is immutable when `immutable` is set';

describe('configmaps and secrets', () => {
  const ns = 'cfg';
  const { api, server } = useInProcessServer({ namespaces: [ns] });
  const cms = `/api/v1/namespaces/${ns}/configmaps`;
  const secrets = `/api/v1/namespaces/${ns}/secrets`;

  describe('discovery and OpenAPI', () => {
    it('/api/v1 lists configmaps (short name cm) and secrets with every verb', async () => {
      const list = await api.expect(200, 'GET', '/api/v1');
      const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
      const cm = list.resources.find((r: Json) => r.name === 'configmaps');
      assert.deepEqual(
        { ...cm, verbs: [...cm.verbs].sort() },
        { ...cm, name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs },
      );
      assert.deepEqual(cm.shortNames, ['cm']);
      const secret = list.resources.find((r: Json) => r.name === 'secrets');
      assert.equal(secret.kind, 'Secret');
      assert.equal(secret.namespaced, true);
      assert.deepEqual([...secret.verbs].sort(), verbs);
      assert.equal(secret.shortNames, undefined);
    });

    it('OpenAPI v2 and v3 describe both kinds: byte maps, write-only stringData, PATCH with the GVK', async () => {
      const v2 = await api.expect(200, 'GET', '/openapi/v2');
      assert.deepEqual(v2.definitions['io.k8s.api.core.v1.Secret'].properties.data.additionalProperties, {
        format: 'byte',
        type: 'string',
      });
      assert.deepEqual(v2.definitions['io.k8s.api.core.v1.ConfigMap'].properties.binaryData.additionalProperties, {
        format: 'byte',
        type: 'string',
      });
      assert.deepEqual(v2.definitions['io.k8s.api.core.v1.Secret'].properties.stringData.additionalProperties, {
        type: 'string',
      });
      const v3 = await api.expect(200, 'GET', '/openapi/v3/api/v1');
      for (const [plural, kind] of [
        ['configmaps', 'ConfigMap'],
        ['secrets', 'Secret'],
      ]) {
        const patch = v3.paths[`/api/v1/namespaces/{namespace}/${plural}/{name}`].patch;
        assert.equal(patch.operationId, `patchCoreV1Namespaced${kind}`);
        assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind, version: 'v1' });
        assert.ok(v3.paths[`/api/v1/${plural}`].get, `list ${plural} in all namespaces`);
        assert.ok(v3.components.schemas[`io.k8s.api.core.v1.${kind}List`]);
      }
    });
  });

  describe('ConfigMaps', () => {
    it('create, get, list, update, delete', async () => {
      const created = await api.expect(201, 'POST', cms, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'game', labels: { app: 'game' } },
          data: { 'b.properties': 'x=1\n', a: 'hello' },
          binaryData: { 'blob.bin': b64(Buffer.from([0, 1, 2, 255])) },
        },
      });
      assert.deepEqual(created.data, { a: 'hello', 'b.properties': 'x=1\n' });
      assert.deepEqual(Object.keys(created.data), ['a', 'b.properties'], 'keys in Go order');
      assert.deepEqual(created.binaryData, { 'blob.bin': 'AAEC/w==' });
      assert.equal(created.immutable, undefined);
      assert.deepEqual(await api.expect(200, 'GET', `${cms}/game`), created);
      const again = await api.post(cms, { metadata: { name: 'game' } });
      assert.equal(again.status, 409);
      assert.equal(again.body.message, 'configmaps "game" already exists');
      const list = await api.expect(200, 'GET', `${cms}?labelSelector=app%3Dgame`);
      assert.equal(list.kind, 'ConfigMapList');
      assert.deepEqual(
        list.items.map((i: Json) => i.metadata.name),
        ['game'],
      );
      const updated = await api.expect(200, 'PUT', `${cms}/game`, {
        body: { ...created, data: { a: 'bye' }, binaryData: undefined },
      });
      assert.deepEqual(updated.data, { a: 'bye' });
      assert.equal(updated.binaryData, undefined);
      const gone = await api.expect(200, 'DELETE', `${cms}/game`);
      assert.equal(gone.kind, 'Status');
      assert.equal(gone.status, 'Success');
      assert.equal(gone.details.uid, created.metadata.uid);
      assert.equal((await api.get(`${cms}/game`)).status, 404);
    });

    it('label-selected watches see add, update and delete (the conformance watch test uses config maps)', async () => {
      const label = 'watch-this-configmap';
      const watchA = await WatchStream.open(
        `${server().url}${cms}?watch=true&labelSelector=${encodeURIComponent(`${label} in (multiple-watchers-A)`)}`,
      );
      const watchAB = await WatchStream.open(
        `${server().url}${cms}?watch=true&labelSelector=${encodeURIComponent(`${label} in (multiple-watchers-A,multiple-watchers-B)`)}`,
      );
      const a = await api.expect(201, 'POST', cms, {
        body: { metadata: { name: 'watch-a', labels: { [label]: 'multiple-watchers-A' } } },
      });
      await api.expect(200, 'PATCH', `${cms}/watch-a`, {
        body: { data: { mutation: '1' } },
        contentType: 'application/merge-patch+json',
      });
      await api.expect(201, 'POST', cms, {
        body: { metadata: { name: 'watch-b', labels: { [label]: 'multiple-watchers-B' } } },
      });
      await api.expect(200, 'DELETE', `${cms}/watch-a`);
      const seenA = await watchA.take(3);
      assert.deepEqual(
        seenA.map((e) => [e.type, e.object.metadata.name]),
        [
          ['ADDED', 'watch-a'],
          ['MODIFIED', 'watch-a'],
          ['DELETED', 'watch-a'],
        ],
      );
      assert.deepEqual(seenA[1]!.object.data, { mutation: '1' });
      assert.equal(seenA[0]!.object.metadata.uid, a.metadata.uid);
      const seenAB = await watchAB.take(4);
      assert.deepEqual(
        seenAB.map((e) => [e.type, e.object.metadata.name]),
        [
          ['ADDED', 'watch-a'],
          ['MODIFIED', 'watch-a'],
          ['ADDED', 'watch-b'],
          ['DELETED', 'watch-a'],
        ],
      );
      watchA.close();
      watchAB.close();
    });

    it('merge, strategic merge and JSON patches of data', async () => {
      await api.expect(201, 'POST', cms, { body: { metadata: { name: 'patched' }, data: { a: '1', b: '2' } } });
      const merged = await api.expect(200, 'PATCH', `${cms}/patched`, {
        body: { data: { a: null, c: '3' } },
        contentType: 'application/merge-patch+json',
      });
      assert.deepEqual(merged.data, { b: '2', c: '3' });
      const smp = await api.expect(200, 'PATCH', `${cms}/patched`, {
        body: { data: { d: '4' }, binaryData: { e: b64('five') } },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.deepEqual(smp.data, { b: '2', c: '3', d: '4' });
      assert.deepEqual(smp.binaryData, { e: b64('five') });
      const jp = await api.expect(200, 'PATCH', `${cms}/patched`, {
        body: [
          { op: 'replace', path: '/data/b', value: 'two' },
          { op: 'remove', path: '/binaryData' },
        ],
        contentType: 'application/json-patch+json',
      });
      assert.deepEqual(jp.data, { b: 'two', c: '3', d: '4' });
      assert.equal(jp.binaryData, undefined);
    });

    it('validation: config keys, a key in both maps, 1 MiB, with upstream Status bodies', async () => {
      const bad = await api.post(cms, {
        metadata: { name: 'bad' },
        data: { 'a b': '1', x: '2' },
        binaryData: { x: b64('2') },
      });
      assert.equal(bad.status, 422);
      assert.equal(
        bad.body.message,
        `ConfigMap "bad" is invalid: [data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+'), data[x]: Invalid value: "x": duplicate of key present in binaryData]`,
      );
      assert.deepEqual(
        bad.body.details.causes.map((c: Json) => c.field),
        ['data[a b]', 'data[x]'],
      );
      const big = await api.post(cms, { metadata: { name: 'big' }, data: { a: 'x'.repeat(1024 * 1024), b: 'y' } });
      assert.equal(big.status, 422);
      assert.equal(big.body.message, 'ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes');
      assert.deepEqual(big.body.details.causes, [
        { reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: '[]' },
      ]);
      // exactly 1 MiB is fine
      await api.expect(201, 'POST', cms, { body: { metadata: { name: 'max' }, data: { a: 'x'.repeat(1024 * 1024) } } });
      const strict = await api.post(`${cms}?fieldValidation=Strict`, { metadata: { name: 'strict' }, dat: { a: '1' } });
      assert.equal(strict.status, 400);
      assert.equal(
        strict.body.message,
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dat"',
      );
      const wrongType = await api.post(cms, { metadata: { name: 'wrong' }, data: { a: 1 } });
      assert.equal(wrongType.status, 400);
      assert.equal(
        wrongType.body.message,
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string',
      );
    });

    it('immutable: data, binaryData and immutable are refused, metadata may change', async () => {
      await api.expect(201, 'POST', cms, { body: { metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true } });
      const changed = await api.patch(`${cms}/frozen`, { data: { a: '2' } });
      assert.equal(changed.status, 422);
      assert.equal(changed.body.message, `ConfigMap "frozen" is invalid: data: Forbidden: ${IMMUTABLE}`);
      assert.deepEqual(changed.body.details, {
        name: 'frozen',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueForbidden', message: `Forbidden: ${IMMUTABLE}`, field: 'data' }],
      });
      const unset = await api.patch(`${cms}/frozen`, { immutable: false, binaryData: { b: b64('x') } });
      assert.equal(unset.status, 422);
      assert.equal(
        unset.body.message,
        `ConfigMap "frozen" is invalid: [immutable: Forbidden: ${IMMUTABLE}, binaryData: Forbidden: ${IMMUTABLE}]`,
      );
      const labeled = await api.expect(200, 'PATCH', `${cms}/frozen`, {
        body: { metadata: { labels: { ok: 'yes' } } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(labeled.metadata.labels.ok, 'yes');
      assert.equal(labeled.immutable, true);
      // deleting is still allowed
      await api.expect(200, 'DELETE', `${cms}/frozen`);
    });

    it('server-side apply creates and updates one', async () => {
      const APPLY = 'application/apply-patch+yaml';
      const first = await api.request('PATCH', `${cms}/applied?fieldManager=tests`, {
        raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n',
        contentType: APPLY,
      });
      assert.equal(first.status, 201, first.text);
      const second = await api.request('PATCH', `${cms}/applied?fieldManager=tests`, {
        raw: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  b: "2"\n',
        contentType: APPLY,
      });
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(second.body.data, { b: '2' }, 'the manager no longer applies a');
      assert.deepEqual(second.body.metadata.managedFields[0].fieldsV1, { 'f:data': { 'f:b': {} } });
    });

    it('Tables: NAME, DATA, AGE', async () => {
      const table = await api.expect(200, 'GET', `${cms}/patched`, { headers: { Accept: TABLE_ACCEPT } });
      assert.equal(table.kind, 'Table');
      assert.deepEqual(
        table.columnDefinitions.map((c: Json) => c.name),
        ['Name', 'Data', 'Age'],
      );
      assert.deepEqual(table.rows[0].cells.slice(0, 2), ['patched', 3]);
    });
  });

  describe('Secrets', () => {
    it('stringData is merged into data and never stored or returned; type defaults to Opaque', async () => {
      const body = {
        metadata: { name: 'db' },
        data: { user: b64('root'), password: b64('old') },
        stringData: { password: 's3cr=t!', host: 'db.local' },
      };
      const dry = await api.expect(201, 'POST', `${secrets}?dryRun=All`, { body });
      assert.equal(dry.stringData, undefined);
      assert.equal((await api.get(`${secrets}/db`)).status, 404);
      const watch = await WatchStream.open(`${server().url}${secrets}?watch=true&fieldSelector=metadata.name%3Ddb`);
      const created = await api.expect(201, 'POST', secrets, { body });
      assert.equal(created.stringData, undefined);
      assert.equal(created.type, 'Opaque');
      assert.deepEqual(created.data, { host: b64('db.local'), password: b64('s3cr=t!'), user: b64('root') });
      assert.deepEqual(Object.keys(created).slice(2), ['metadata', 'data', 'type']);
      assert.deepEqual(await api.expect(200, 'GET', `${secrets}/db`), created);
      const added = await watch.next();
      assert.equal(added.type, 'ADDED');
      assert.equal(added.object.stringData, undefined);
      assert.deepEqual(added.object.data, created.data);
      // managedFields name the data keys a stringData entry wrote, as upstream's (converted) objects do
      assert.deepEqual(created.metadata.managedFields[0].fieldsV1['f:data'], {
        '.': {},
        'f:host': {},
        'f:password': {},
        'f:user': {},
      });
      // on update and patch too
      const put = await api.expect(200, 'PUT', `${secrets}/db`, {
        body: { ...created, stringData: { user: 'admin' } },
      });
      assert.equal(put.stringData, undefined);
      assert.equal(put.data.user, b64('admin'));
      const patched = await api.expect(200, 'PATCH', `${secrets}/db`, {
        body: { stringData: { extra: 'é' } },
        contentType: 'application/strategic-merge-patch+json',
      });
      assert.equal(patched.stringData, undefined);
      assert.equal(Buffer.from(patched.data.extra, 'base64').toString('utf8'), 'é');
      const modified = await watch.take(2);
      assert.deepEqual(
        modified.map((e) => [e.type, e.object.stringData]),
        [
          ['MODIFIED', undefined],
          ['MODIFIED', undefined],
        ],
      );
      watch.close();
    });

    it('`__proto__` is a key like any other', async () => {
      const body = '{"metadata":{"name":"proto"},"data":{"__proto__":"YQ=="},"stringData":{"__proto__":"b","x":"c"}}';
      const created = await api.request('POST', secrets, { raw: body });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(Object.keys(created.body.data), ['__proto__', 'x']);
      assert.equal(JSON.parse(created.text).data.__proto__, b64('b'));
      const cm = await api.request('POST', cms, { raw: '{"metadata":{"name":"proto"},"data":{"__proto__":"a"}}' });
      assert.equal(cm.status, 201, cm.text);
      assert.match(cm.text, /"data":\{"__proto__":"a"\}/);
    });

    it('base64 values: Go decoding, canonical re-encoding, a 400 for illegal data', async () => {
      const created = await api.expect(201, 'POST', secrets, {
        body: { metadata: { name: 'b64' }, data: { a: 'YR==', b: 'YW\nJj', c: '' } },
      });
      assert.deepEqual(created.data, { a: 'YQ==', b: 'YWJj', c: '' });
      const bad = await api.post(secrets, { metadata: { name: 'bad64' }, data: { a: 'YQ' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0',
        reason: 'BadRequest',
        code: 400,
      });
      const badCm = await api.post(cms, { metadata: { name: 'bad64' }, binaryData: { a: 'not base64!' } });
      assert.equal(badCm.status, 400);
      assert.equal(
        badCm.body.message,
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 3',
      );
      const badPatch = await api.patch(`${secrets}/b64`, { data: { a: 'Y!==' } });
      assert.equal(badPatch.status, 422);
      assert.match(
        badPatch.body.message,
        /is invalid: patch: Invalid value: ".*": illegal base64 data at input byte 1$/,
      );
    });

    it('type-specific validation with upstream messages', async () => {
      const cases: Array<[Json, string]> = [
        [{ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, 'data[tls.key]: Required value'],
        [
          { type: 'kubernetes.io/service-account-token' },
          'metadata.annotations[kubernetes.io/service-account.name]: Required value',
        ],
        [
          { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":' } },
          'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input',
        ],
        [{ type: 'kubernetes.io/basic-auth' }, '[data[username]: Required value, data[password]: Required value]'],
        [{ type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }, 'data[ssh-privatekey]: Required value'],
        [{ data: { a: b64(Buffer.alloc(1024 * 1024 + 1)) } }, 'data: Too long: must have at most 1048576 bytes'],
      ];
      for (const [fields, message] of cases) {
        const res = await api.post(secrets, { metadata: { name: 'typed' }, ...fields });
        assert.equal(res.status, 422, JSON.stringify(fields).slice(0, 200));
        assert.equal(res.body.message, `Secret "typed" is invalid: ${message}`);
      }
    });

    it('type cannot change; an immutable secret keeps its data', async () => {
      await api.expect(201, 'POST', secrets, {
        body: {
          metadata: { name: 'fixed' },
          type: 'kubernetes.io/basic-auth',
          stringData: { username: 'u' },
          immutable: true,
        },
      });
      const retype = await api.patch(`${secrets}/fixed`, { type: 'Opaque' });
      assert.equal(retype.status, 422);
      assert.equal(retype.body.message, 'Secret "fixed" is invalid: type: Invalid value: "Opaque": field is immutable');
      const rewrite = await api.patch(`${secrets}/fixed`, { stringData: { username: 'v' } });
      assert.equal(rewrite.status, 422);
      assert.equal(rewrite.body.message, `Secret "fixed" is invalid: data: Forbidden: ${IMMUTABLE}`);
      // the same value is not a change
      await api.expect(200, 'PATCH', `${secrets}/fixed`, {
        body: { stringData: { username: 'u' } },
        contentType: 'application/merge-patch+json',
      });
      const unset = await api.patch(`${secrets}/fixed`, { immutable: null });
      assert.equal(unset.status, 422);
      assert.equal(unset.body.message, `Secret "fixed" is invalid: immutable: Forbidden: ${IMMUTABLE}`);
    });

    it('field selector type= on lists and watches; other labels refused as upstream', async () => {
      await api.expect(201, 'POST', secrets, {
        body: {
          metadata: { name: 'tls' },
          type: 'kubernetes.io/tls',
          data: { 'tls.crt': b64('c'), 'tls.key': b64('k') },
        },
      });
      const list = await api.expect(200, 'GET', `${secrets}?fieldSelector=type%3Dkubernetes.io%2Ftls`);
      assert.deepEqual(
        list.items.map((s: Json) => s.metadata.name),
        ['tls'],
      );
      const notTls = await api.expect(
        200,
        'GET',
        `/api/v1/secrets?fieldSelector=type!%3Dkubernetes.io%2Ftls,metadata.namespace%3D${ns}`,
      );
      assert.ok(notTls.items.length > 0 && notTls.items.every((s: Json) => s.type !== 'kubernetes.io/tls'));
      const watch = await WatchStream.open(
        `${server().url}${secrets}?watch=true&fieldSelector=type%3Dkubernetes.io%2Fssh-auth&resourceVersion=${list.metadata.resourceVersion}`,
      );
      await api.expect(201, 'POST', secrets, { body: { metadata: { name: 'not-ssh' }, stringData: { a: 'b' } } });
      await api.expect(201, 'POST', secrets, {
        body: { metadata: { name: 'ssh' }, type: 'kubernetes.io/ssh-auth', stringData: { 'ssh-privatekey': 'k' } },
      });
      const ev = await watch.next();
      assert.deepEqual([ev.type, ev.object.metadata.name], ['ADDED', 'ssh']);
      watch.close();
      const bad = await api.get(`${secrets}?fieldSelector=spec.type%3Dx`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.message, 'field label not supported: spec.type');
      const badCm = await api.get(`${cms}?fieldSelector=type%3Dx`);
      assert.equal(badCm.status, 400);
      assert.equal(
        badCm.body.message,
        '"type" is not a known field selector: only "metadata.name", "metadata.namespace"',
      );
    });

    it('Tables: NAME, TYPE, DATA, AGE', async () => {
      const table = await api.expect(200, 'GET', `${secrets}?fieldSelector=metadata.name%3Dtls`, {
        headers: { Accept: TABLE_ACCEPT },
      });
      assert.deepEqual(
        table.columnDefinitions.map((c: Json) => [c.name, c.type]),
        [
          ['Name', 'string'],
          ['Type', 'string'],
          ['Data', 'string'],
          ['Age', 'string'],
        ],
      );
      assert.deepEqual(table.rows[0].cells.slice(0, 3), ['tls', 'kubernetes.io/tls', 2]);
    });
  });

  describe('helm-style release secrets', () => {
    // Helm 3 keeps each release revision in a Secret: type helm.sh/release.v1, labels owner=helm, name, version,
    // status, and data.release = base64(gzip(release JSON)) (so the wire carries it base64-encoded twice).
    const release = (name: string, version: number, bytes: Buffer): Json => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `sh.helm.release.v1.${name}.v${version}`,
        labels: { owner: 'helm', name, version: String(version), status: version === 1 ? 'superseded' : 'deployed' },
      },
      type: 'helm.sh/release.v1',
      data: { release: b64(b64(bytes)) },
    });
    const payload = (size: number) =>
      gzipSync(Buffer.concat([Buffer.from('{"name":"web","manifest":"'), randomBytes(size), Buffer.from('"}')]), {
        level: 0,
      });
    const v1 = payload(500 * 1024);
    const v2 = payload(600 * 1024);

    it('large values round-trip byte for byte: written in protobuf and JSON, read in both', async () => {
      const watch = await WatchStream.open(
        `${server().url}${secrets}?watch=true&labelSelector=owner%3Dhelm,name%3Dweb`,
      );
      const pbWatch = await PbWatch.open(`${server().url}${secrets}?watch=true&labelSelector=owner%3Dhelm`);
      assert.equal(pbWatch.contentType, `${PROTOBUF};stream=watch`);
      const viaPb = await pbRequest(`${server().url}${secrets}`, 'POST', { body: release('web', 1, v1) });
      assert.equal(viaPb.status, 201, JSON.stringify(viaPb.body).slice(0, 500));
      assert.equal(viaPb.contentType, PROTOBUF);
      await api.expect(201, 'POST', secrets, { body: release('web', 2, v2) });
      for (const [version, bytes] of [
        [1, v1],
        [2, v2],
      ] as const) {
        const name = `sh.helm.release.v1.web.v${version}`;
        const json = await api.expect(200, 'GET', `${secrets}/${name}`);
        const pb = await pbRequest(`${server().url}${secrets}/${name}`, 'GET');
        assert.equal(pb.contentType, PROTOBUF);
        for (const got of [json, pb.body]) {
          const decoded = Buffer.from(Buffer.from(got.data.release, 'base64').toString('latin1'), 'base64');
          assert.ok(decoded.equals(bytes), `${name}: release bytes unchanged`);
        }
        assert.deepEqual(pb.body, json);
      }
      const events = await watch.take(2);
      assert.deepEqual(
        events.map((e) => [e.type, e.object.metadata.labels.version]),
        [
          ['ADDED', '1'],
          ['ADDED', '2'],
        ],
      );
      assert.equal(events[0]!.object.data.release, b64(b64(v1)));
      const pbEvents = [await pbWatch.next(), await pbWatch.next()];
      assert.deepEqual(
        pbEvents.map((e) => [e.type, e.object.metadata.name]),
        [
          ['ADDED', 'sh.helm.release.v1.web.v1'],
          ['ADDED', 'sh.helm.release.v1.web.v2'],
        ],
      );
      assert.equal(pbEvents[1]!.object.data.release, b64(b64(v2)));
      watch.close();
      pbWatch.close();
    });

    it('label-selected lists and pages find them, as `helm list` and `kubectl get secrets -l owner=helm` do', async () => {
      const all = await api.expect(200, 'GET', `/api/v1/secrets?labelSelector=owner%3Dhelm`);
      assert.deepEqual(
        all.items.map((s: Json) => s.metadata.name),
        ['sh.helm.release.v1.web.v1', 'sh.helm.release.v1.web.v2'],
      );
      const deployed = await api.expect(
        200,
        'GET',
        `${secrets}?labelSelector=owner%3Dhelm,name%3Dweb,status%3Ddeployed`,
      );
      assert.deepEqual(
        deployed.items.map((s: Json) => s.metadata.labels.version),
        ['2'],
      );
      const page1 = await api.expect(200, 'GET', `${secrets}?labelSelector=owner%3Dhelm&limit=1`);
      assert.equal(page1.items.length, 1);
      assert.ok(page1.metadata.continue);
      const paged = page1.items.map((s: Json) => s.metadata.name);
      for (let token = page1.metadata.continue; token; ) {
        const page = await api.expect(
          200,
          'GET',
          `${secrets}?labelSelector=owner%3Dhelm&limit=1&continue=${encodeURIComponent(token)}`,
        );
        paged.push(...page.items.map((s: Json) => s.metadata.name));
        token = page.metadata.continue;
      }
      assert.deepEqual(paged, ['sh.helm.release.v1.web.v1', 'sh.helm.release.v1.web.v2']);
      const pbList = await pbRequest(`${server().url}${secrets}?labelSelector=owner%3Dhelm`, 'GET');
      assert.equal(pbList.body.kind, 'SecretList');
      assert.equal(pbList.body.items[1].data.release, b64(b64(v2)));
      // helm uninstall: delete the revisions by label
      const deleted = await api.expect(200, 'DELETE', `${secrets}?labelSelector=owner%3Dhelm,name%3Dweb`);
      assert.equal(deleted.kind, 'SecretList');
      assert.equal(deleted.items.length, 2);
      assert.deepEqual((await api.expect(200, 'GET', `${secrets}?labelSelector=owner%3Dhelm`)).items, []);
    });

    it('immutable: false and empty values survive protobuf (a pointer field, present map entries)', async () => {
      const res = await pbRequest(`${server().url}${cms}`, 'POST', {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'pb-cm' },
          immutable: false,
          data: { empty: '' },
          binaryData: { bin: b64(Buffer.from([0, 0xff])) },
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.immutable, false);
      const json = await api.expect(200, 'GET', `${cms}/pb-cm`);
      assert.equal(json.immutable, false);
      assert.deepEqual(json.data, { empty: '' });
      assert.deepEqual(json.binaryData, { bin: 'AP8=' });
    });
  });
});
