/**
 * `application/vnd.kubernetes.protobuf` over HTTP, as client-go speaks it (kubectl >= 1.32 for its typed
 * clients): protobuf bodies for create, update, status and DeleteOptions; protobuf responses when preferred;
 * Status errors in protobuf; length-prefixed WatchEvent frames that carry exactly what a JSON watch carries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage } from '../../server/protobuf/codec.js';
import { encodeEnvelope, encodeObject, MAGIC, PROTOBUF, PROTOBUF_WATCH } from '../../server/protobuf/envelope.js';
import { podManifest, sleep, type Json } from '../helpers/http.js';
import { PB_ACCEPT, PbWatch, pbRequest } from '../helpers/protobuf.js';
import { useInProcessServer } from '../helpers/server.js';
import { WatchStream } from '../helpers/watch.js';

describe('Kubernetes protobuf', () => {
  const { api, server } = useInProcessServer({ bookmarkIntervalMs: 200 });
  const url = (path: string) => server().url + path;

  it('creates a namespace from a protobuf body and answers in protobuf, as kubectl create namespace does', async () => {
    const res = await pbRequest(url('/api/v1/namespaces'), 'POST', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pb-demo' } },
    });
    assert.equal(res.status, 201);
    assert.equal(res.contentType, PROTOBUF);
    assert.deepEqual([...res.bytes.subarray(0, 4)], [...MAGIC]);
    assert.equal(res.body.kind, 'Namespace');
    assert.equal(res.body.metadata.name, 'pb-demo');
    assert.equal(res.body.status.phase, 'Active');
    const json = await api.expect(200, 'GET', '/api/v1/namespaces/pb-demo');
    assert.deepEqual(res.body, json);
  });

  it('serves get and list in protobuf with exactly the content of the JSON answers', async () => {
    await pbRequest(url('/api/v1/namespaces/default/pods'), 'POST', {
      body: podManifest('pb-a', { labels: { app: 'pb' } }),
    });
    await api.expect(201, 'POST', '/api/v1/namespaces/default/pods', {
      body: podManifest('pb-b', { labels: { app: 'pb' } }),
    });
    for (const name of ['pb-a', 'pb-b']) {
      const pb = await pbRequest(url(`/api/v1/namespaces/default/pods/${name}`), 'GET');
      assert.equal(pb.contentType, PROTOBUF);
      assert.deepEqual(pb.body, await api.expect(200, 'GET', `/api/v1/namespaces/default/pods/${name}`));
    }
    const list = await pbRequest(url('/api/v1/namespaces/default/pods?labelSelector=app%3Dpb'), 'GET');
    assert.equal(list.body.kind, 'PodList');
    const jsonList = await api.expect(
      200,
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=app%3Dpb&resourceVersion=${list.body.metadata.resourceVersion}&resourceVersionMatch=Exact`,
    );
    // protobuf list items carry no type meta (upstream's JSON lists leave it out too)
    for (const item of jsonList.items) {
      delete item.kind;
      delete item.apiVersion;
    }
    assert.deepEqual(list.body, jsonList);
    // paging: continue token and remainingItemCount travel in the ListMeta
    const page = await pbRequest(url('/api/v1/namespaces/default/pods?labelSelector=app%3Dpb&limit=1'), 'GET');
    assert.equal(page.body.items.length, 1);
    assert.ok(page.body.metadata.continue);
    // a client that lists JSON first gets JSON; Tables stay JSON
    const json = await pbRequest(url('/api/v1/namespaces/default/pods/pb-a'), 'GET', {
      accept: 'application/json,application/vnd.kubernetes.protobuf',
    });
    assert.match(json.contentType, /^application\/json/);
    const table = await pbRequest(url('/api/v1/namespaces/default/pods'), 'GET', {
      accept: `${PROTOBUF};as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json`,
    });
    assert.match(table.contentType, /^application\/json/);
    assert.equal(table.body.kind, 'Table');
  });

  it('updates objects and their status from protobuf bodies', async () => {
    const pod = (await pbRequest(url('/api/v1/namespaces/default/pods/pb-a'), 'GET')).body;
    pod.metadata.labels.updated = 'yes';
    const put = await pbRequest(url('/api/v1/namespaces/default/pods/pb-a'), 'PUT', { body: pod });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.metadata.labels.updated, 'yes');
    put.body.status.phase = 'Running';
    put.body.status.conditions = [
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T12:00:00Z' },
    ];
    const status = await pbRequest(url('/api/v1/namespaces/default/pods/pb-a/status'), 'PUT', { body: put.body });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.equal(status.body.status.phase, 'Running');
    assert.equal(status.body.status.conditions[0].lastTransitionTime, '2024-05-01T12:00:00Z');
    const stale = await pbRequest(url('/api/v1/namespaces/default/pods/pb-a'), 'PUT', { body: pod });
    assert.equal(stale.status, 409);
    assert.equal(stale.contentType, PROTOBUF);
    assert.equal(stale.body.kind, 'Status');
    assert.equal(stale.body.reason, 'Conflict');
  });

  it('takes DeleteOptions in protobuf: an explicit gracePeriodSeconds 0 deletes at once', async () => {
    await api.expect(201, 'POST', '/api/v1/namespaces/default/pods', {
      body: podManifest('pb-graceful', { nodeName: 'n1' }),
    });
    const graceful = await pbRequest(url('/api/v1/namespaces/default/pods/pb-graceful'), 'DELETE', {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 30 },
    });
    assert.equal(graceful.status, 200);
    assert.equal(graceful.body.metadata.deletionGracePeriodSeconds, 30);
    const now = await pbRequest(url('/api/v1/namespaces/default/pods/pb-graceful'), 'DELETE', {
      body: { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 },
    });
    assert.equal(now.status, 200);
    assert.equal((await api.get('/api/v1/namespaces/default/pods/pb-graceful')).status, 404);
    // deletecollection with a protobuf body, answered with a protobuf list
    await api.expect(201, 'POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pb-coll' } },
    });
    for (const name of ['c1', 'c2'])
      await api.expect(201, 'POST', '/api/v1/namespaces/pb-coll/pods', { body: podManifest(name) });
    const coll = await pbRequest(url('/api/v1/namespaces/pb-coll/pods'), 'DELETE', {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });
    assert.equal(coll.status, 200);
    assert.equal(coll.body.kind, 'PodList');
    assert.deepEqual(coll.body.items.map((p: Json) => p.metadata.name).sort(), ['c1', 'c2']);
    // a DaemonSet delete answers with a Status in protobuf
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'pb-ds' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    const created = await pbRequest(url('/apis/apps/v1/namespaces/default/daemonsets'), 'POST', { body: ds });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.updateStrategy.rollingUpdate.maxUnavailable, 1);
    const gone = await pbRequest(url('/apis/apps/v1/namespaces/default/daemonsets/pb-ds'), 'DELETE');
    assert.equal(gone.body.kind, 'Status');
    assert.equal(gone.body.status, 'Success');
    assert.equal(gone.body.details.name, 'pb-ds');
  });

  it('answers malformed protobuf with the upstream 400 Status, never a 5xx', async () => {
    const pod = encodeObject(podManifest('pb-bad'));
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', pod.subarray(0, pod.length - 3), /unexpected EOF|cannot be handled as a Pod/],
      [
        'no magic',
        Buffer.from('{"kind":"Pod"}'),
        /provided data does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/,
      ],
      ['empty', Buffer.alloc(0), /must be of type Pod/],
      [
        'unknown kind',
        encodeEnvelope({ apiVersion: 'v1', kind: 'Nope' }, Buffer.alloc(0)),
        /no kind "Nope" is registered for version "v1"/,
      ],
      [
        'illegal wire type',
        Buffer.concat([pod.subarray(0, 4), Buffer.from([0x0f])]),
        /illegal wireType 7|must be of type Pod/,
      ],
    ];
    // a Pod whose metadata (field 1) comes as a varint
    const asPod = { apiVersion: 'v1', kind: 'Pod' };
    cases.push([
      'wrong wire type',
      encodeEnvelope(asPod, Buffer.from([0x08, 0x01])),
      /Pod in version "v1" cannot be handled as a Pod: proto: wrong wireType = 0 for field Metadata/,
    ]);
    for (const [what, body, message] of cases) {
      for (const accept of [PB_ACCEPT, 'application/json']) {
        const res = await pbRequest(url('/api/v1/namespaces/default/pods'), 'POST', { body, accept });
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.kind, 'Status', what);
        assert.equal(res.body.reason, 'BadRequest', what);
        assert.match(res.body.message, message, what);
        assert.equal(res.contentType.startsWith(PROTOBUF), accept === PB_ACCEPT, what);
      }
    }
    // unknown field numbers are skipped, as Go's decoders do
    const raw = encodeMessage('io.k8s.api.core.v1.Pod', podManifest('pb-extra'));
    const extra = encodeEnvelope(asPod, Buffer.concat([raw, Buffer.from([0xf8, 0x7f, 0x01])])); // field 2047, varint 1
    const lenient = await pbRequest(url('/api/v1/namespaces/default/pods'), 'POST', { body: extra });
    assert.equal(lenient.status, 201, JSON.stringify(lenient.body));
    // nothing stored was lost
    assert.equal((await api.get('/api/v1/namespaces/default/pods/pb-a')).status, 200);
  });

  it('serves the legacy discovery documents in protobuf, as kube-apiserver does', async () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/apis/policy/v1']) {
      const pb = await pbRequest(url(path), 'GET');
      assert.equal(pb.contentType, PROTOBUF, path);
      const json = await api.expect(200, 'GET', path);
      // an empty list has nothing on the wire (Go reads it back as a nil slice)
      if (Array.isArray(json.resources) && json.resources.length === 0) delete json.resources;
      assert.deepEqual(pb.body, { apiVersion: 'v1', ...json }, path);
    }
    // aggregated discovery stays JSON (client-go asks for it as JSON only)
    const agg = await pbRequest(url('/apis'), 'GET', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    assert.equal(agg.body.kind, 'APIGroupDiscoveryList');
  });

  it('streams protobuf watch frames carrying exactly the events of a JSON watch, in the same order', async () => {
    const rv = (await api.expect(200, 'GET', '/api/v1/namespaces/default/pods')).metadata.resourceVersion;
    const pb = await PbWatch.open(url(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`));
    const json = await WatchStream.open(url(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`));
    try {
      assert.equal(pb.contentType, PROTOBUF_WATCH);
      await api.expect(201, 'POST', '/api/v1/namespaces/default/pods', {
        body: podManifest('w1', { labels: { w: '1' } }),
      });
      await pbRequest(url('/api/v1/namespaces/default/pods'), 'POST', { body: podManifest('w2') });
      await api.patch('/api/v1/namespaces/default/pods/w1', { metadata: { labels: { w: '2' } } });
      await api.delete('/api/v1/namespaces/default/pods/w2', { gracePeriodSeconds: 0 });
      const expected = ['ADDED w1', 'ADDED w2', 'MODIFIED w1', 'DELETED w2'];
      const pbEvents = [];
      const jsonEvents = [];
      for (let i = 0; i < expected.length; i++) {
        pbEvents.push(await pb.next());
        jsonEvents.push(await json.next());
      }
      assert.deepEqual(
        pbEvents.map((e) => `${e.type} ${e.object.metadata.name}`),
        expected,
      );
      assert.deepEqual(pbEvents, jsonEvents);
    } finally {
      pb.close();
      json.close();
    }
  });

  it('sends bookmarks and expiry errors as protobuf frames', async () => {
    const rv = (await api.expect(200, 'GET', '/api/v1/namespaces/default/pods')).metadata.resourceVersion;
    const w = await PbWatch.open(
      url(`/api/v1/namespaces/default/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`),
    );
    try {
      const bookmark = await w.next();
      assert.equal(bookmark.type, 'BOOKMARK');
      assert.equal(bookmark.object.kind, 'Pod');
      assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(rv));
    } finally {
      w.close();
    }
    await server().storage.compact(server().storage.currentRevision());
    const old = await PbWatch.open(url('/api/v1/namespaces/default/pods?watch=true&resourceVersion=1'));
    try {
      const ev = await old.next();
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.kind, 'Status');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
    } finally {
      old.close();
    }
    await sleep(10);
  });
});
