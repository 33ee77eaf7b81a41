/**
 * Strategic merge and merge patches of a pod's `status` subresource (what `kubectl patch --subresource=status`, the
 * Python client's `patch_namespaced_pod_status`, upstream's kubelet and controller-runtime's `Status().Patch` send):
 * the answers are what a patch of the whole object gives, a DaemonSet's conversions and defaulting take them in both
 * versions, field validation sees every patched field, and a result past the request body limit is a 413 (its size
 * is bounded from the texts, not serialized to be measured).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { podManifest, type Json } from '../helpers/http.js';
import { useInProcessServer } from '../helpers/server.js';
import { schemaFor } from '../../server/schemas.js';
import { jsonMergePatch, strategicMergePatch } from '../../server/patch/index.js';

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

  it('merge patches of the status too: the answer is what a merge of the whole pod gives', async () => {
    const created = await newPod();
    const path = `${pods}/${created.metadata.name}/status`;
    let before = await api.expect(200, 'GET', `${pods}/${created.metadata.name}`);
    const patches: Json[] = [
      { status: { phase: 'Running', podIP: '10.244.0.9', conditions: [{ type: 'Ready', status: 'False' }] } },
      { metadata: { labels: { merged: 'yes' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { status: { podIP: null } },
    ];
    for (const patch of patches) {
      const answer = await api.expect(200, 'PATCH', path, { body: patch, contentType: 'application/merge-patch+json' });
      assert.deepEqual(answer.status, (jsonMergePatch(structuredClone(before), patch) as Json).status);
      assert.deepEqual(answer.spec, before.spec);
      assert.deepEqual(await api.expect(200, 'GET', `${pods}/${created.metadata.name}`), answer);
      before = answer;
    }
    assert.equal(before.status.podIP, undefined);
    assert.equal(before.metadata.labels.merged, 'yes');
  });

  it('a DaemonSet written through extensions/v1beta1 takes status patches in both versions (its conversions write metadata)', async () => {
    const ds = `/apis/extensions/v1beta1/namespaces/${NS}/daemonsets`;
    await api.expect(201, 'POST', ds, {
      body: {
        apiVersion: 'extensions/v1beta1',
        kind: 'DaemonSet',
        metadata: { name: 'conv' },
        spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      },
    });
    const bodies: Json[] = [
      { metadata: { creationTimestamp: null }, spec: { updateStrategy: {} }, status: { numberReady: 0 } },
      { metadata: { labels: { x: 'y' } }, status: { currentNumberScheduled: 0, numberMisscheduled: 0 } },
      { status: { desiredNumberScheduled: 0, numberReady: 0 } },
    ];
    for (const base of [ds, `/apis/apps/v1/namespaces/${NS}/daemonsets`]) {
      for (const body of bodies) {
        for (const contentType of [SMP, 'application/merge-patch+json']) {
          const res = await api.request('PATCH', `${base}/conv/status`, { body, contentType });
          assert.equal(res.status, 200, `${base} ${contentType} ${JSON.stringify(body)}: ${res.text.slice(0, 300)}`);
        }
      }
    }
    const stored = await api.expect(200, 'GET', `/apis/apps/v1/namespaces/${NS}/daemonsets/conv`);
    assert.equal(stored.metadata.annotations['deprecated.daemonset.template.generation'], '1');
    assert.equal(stored.metadata.labels.x, 'y');
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
