/**
 * Strategic merge patches of a pod's `status` subresource (what `kubectl patch --subresource=status`, the Python
 * client's `patch_namespaced_pod_status` and upstream's kubelet send). The server merges the patch into a copy of
 * only what the patch names and keeps the stored object's other parts as they are: the answers must be what a
 * patch of a whole copy gives, field validation must still see every patched field, and a result past the request
 * body limit must still be a 413.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podManifest, type Json } from '../helpers/http.js';
import { useInProcessServer } from '../helpers/server.js';
import { schemaFor } from '../../server/schemas.js';
import { strategicMergePatch } from '../../server/patch/index.js';

const NS = 'status-patch';
const pods = `/api/v1/namespaces/${NS}/pods`;
const SMP = 'application/strategic-merge-patch+json';

/** What a patch of the whole object gives, computed apart from the server (kind and apiVersion as served). */
function merged(before: Json, patch: Json): Json {
  const { schema, resolver } = schemaFor('', 'v1', 'Pod');
  return strategicMergePatch(structuredClone(before), structuredClone(patch), schema, resolver);
}

describe('strategic merge patches of pods/status', () => {
  const { api } = useInProcessServer({ namespaces: [NS] });
  let n = 0;
  const newPod = async (): Promise<Json> => {
    const pod = podManifest(`p${++n}`, { labels: { app: 'demo' }, nodeName: 'node-a' });
    return api.expect(201, 'POST', pods, { body: pod });
  };

  it('a sequence of status patches answers what a patch of the whole pod gives, and keeps spec and metadata', async () => {
    const created = await newPod();
    const path = `${pods}/${created.metadata.name}/status`;
    const patches: Json[] = [
      {
        metadata: { uid: created.metadata.uid },
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: '2026-12-07T10:00:00Z' },
            { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-07T10:00:00Z' },
          ],
          podIP: '10.244.0.7',
          podIPs: [{ ip: '10.244.0.7' }],
          containerStatuses: [
            { name: 'c', ready: false, restartCount: 0, image: 'registry.k8s.io/pause:3.9', imageID: '', state: {} },
          ],
        },
      },
      {
        status: {
          conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-07T10:00:05Z' }],
          '$setElementOrder/conditions': [{ type: 'PodScheduled' }, { type: 'Ready' }],
          containerStatuses: [
            { name: 'c', ready: true, restartCount: 0, image: 'registry.k8s.io/pause:3.9', imageID: '', state: {} },
          ],
        },
      },
      { status: { conditions: [{ type: 'PodScheduled', $patch: 'delete' }], podIP: null } },
      {
        metadata: { labels: { extra: 'yes' } },
        status: { $retainKeys: ['phase', 'conditions', 'qosClass'], phase: 'Running' },
      },
    ];
    let before = await api.expect(200, 'GET', `${pods}/${created.metadata.name}`);
    for (const patch of patches) {
      const answer = await api.expect(200, 'PATCH', path, { body: patch, contentType: SMP });
      const expected = merged(before, patch);
      assert.deepEqual(answer.status, expected.status);
      assert.deepEqual(answer.spec, before.spec);
      assert.equal(answer.metadata.uid, before.metadata.uid);
      assert.notEqual(answer.metadata.resourceVersion, before.metadata.resourceVersion);
      const read = await api.expect(200, 'GET', `${pods}/${created.metadata.name}`);
      assert.deepEqual(read, answer);
      before = read;
    }
    assert.deepEqual(before.metadata.labels.app, 'demo');
    assert.ok(
      before.metadata.managedFields.some(
        (e: Json) => e.subresource === 'status' && e.operation === 'Update' && e.fieldsV1['f:status'],
      ),
      'the patcher owns the status fields it set',
    );
  });

  it('field validation sees the patched fields: Warn answers with a warning, Strict refuses (422)', async () => {
    const created = await newPod();
    const path = `${pods}/${created.metadata.name}/status`;
    const patch = { status: { phase: 'Running', bogus: 1 } };
    const warned = await api.request('PATCH', path, { body: patch, contentType: SMP });
    assert.equal(warned.status, 200, warned.text);
    assert.match(warned.headers.get('warning') ?? '', /unknown field \\"status.bogus\\"/);
    assert.equal(warned.body.status.bogus, undefined);
    assert.equal(warned.body.status.phase, 'Running');
    const strict = await api.request('PATCH', `${path}?fieldValidation=Strict`, { body: patch, contentType: SMP });
    assert.equal(strict.status, 422, strict.text);
    assert.match(strict.body.message, /strict decoding error: unknown field "status.bogus"/);
  });

  it('a patch whose result is past the request body limit is a 413, the stored object unchanged', async () => {
    const cm = `/api/v1/namespaces/${NS}/configmaps`;
    const created = await api.expect(201, 'POST', cm, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'near-limit' },
        binaryData: { blob: Buffer.alloc(1_000_000, 7).toString('base64') },
      },
    });
    for (const type of [SMP, 'application/merge-patch+json']) {
      const res = await api.request('PATCH', `${cm}/near-limit`, {
        raw: JSON.stringify({ data: { big: 'y'.repeat(1_900_000) } }),
        contentType: type,
      });
      assert.equal(res.status, 413, `${type}: ${res.text.slice(0, 300)}`);
      assert.equal(res.body.message, 'Request entity too large: limit is 3145728');
    }
    const now = await api.expect(200, 'GET', `${cm}/near-limit`);
    assert.equal(now.metadata.resourceVersion, created.metadata.resourceVersion);
  });
});
