/**
 * The store refuses a value larger than etcd's default request limit (1.5 MiB) as kube-apiserver does when etcd
 * answers `etcdserver: request is too large`: the error is not a Status, so the reply is a 500 whose message is
 * etcd's and which has no reason (kubernetes/kubernetes#112152). Nothing is stored.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api, podManifest } from '../helpers/http.js';

const TOO_LARGE = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'etcdserver: request is too large',
  code: 500,
};

describe('object size limit in storage', () => {
  let server: InProcessServer;
  let api: Api;
  before(async () => {
    server = await startInProcess();
    api = new Api(server.url);
  });
  after(() => server.close());

  it("a 2 MB pod (under the 3 MiB body limit) is refused with etcd's error and not stored", async () => {
    const pod = podManifest('huge');
    pod.spec.containers[0].env = [{ name: 'BLOB', value: 'x'.repeat(2_000_000) }];
    const res = await api.post('/api/v1/namespaces/default/pods', pod);
    assert.equal(res.status, 500, res.text.slice(0, 300));
    assert.deepEqual(res.body, TOO_LARGE);
    assert.equal((await api.get('/api/v1/namespaces/default/pods/huge')).status, 404);
    assert.equal((await api.get('/api/v1/namespaces/default/pods')).body.items.length, 0);
  });

  it('an update that grows an object past the limit is refused; the stored object is unchanged', async () => {
    const path = '/api/v1/namespaces/default/configmaps/near-limit';
    // 1,000,000 bytes of binaryData (within ConfigMap's 1 MiB) serialize to 1.33 MB of base64.
    const created = await api.expect(201, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'near-limit' },
        binaryData: { blob: Buffer.alloc(1_000_000, 7).toString('base64') },
      },
    });
    const res = await api.patch(path, { metadata: { annotations: { grow: 'y'.repeat(250_000) } } });
    assert.equal(res.status, 500, res.text.slice(0, 300));
    assert.deepEqual(res.body, TOO_LARGE);
    const now = await api.expect(200, 'GET', path);
    assert.equal(now.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.equal(now.metadata.annotations, undefined);
    // A smaller change still goes through.
    await api.expect(200, 'PATCH', path, {
      body: { metadata: { annotations: { small: 'ok' } } },
      contentType: 'application/merge-patch+json',
    });
  });
});
