// The root CA publisher (controllers/root-ca-publisher), as kube-controller-manager's root-ca-cert-publisher: a
// kube-root-ca.crt ConfigMap with the cluster CA in every namespace, created when missing, recreated when deleted,
// put back when its data or description is edited; a namespace going away is left alone.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../controllers/machinery/client.js';
import {
  CONFIG_MAPS,
  DESCRIPTION,
  DESCRIPTION_ANNOTATION,
  ROOT_CA_CONFIGMAP,
  RootCAPublisher,
  rootCAPublisher,
} from '../../../../controllers/root-ca-publisher/controller.js';
import { ROOT_CA_CONFIGMAP as ADMISSION_ROOT_CA_CONFIGMAP } from '../../../../server/registry/resources/serviceaccounts/admission.js';
import { apiError, FakeCluster, RESOURCES } from '../kubelet/fake-cluster.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

function start(cluster: FakeCluster, rootCA: string | null = CA) {
  const ctx = cluster.context();
  if (rootCA) ctx.rootCA = rootCA;
  const c = rootCAPublisher(ctx);
  const stop = new AbortController();
  running.push({ stop, done: c.run(stop.signal) });
  return c;
}

const namespace = (name: string, phase = 'Active') => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  status: { phase },
});
const published = (c: FakeCluster) =>
  c
    .objects(CONFIG_MAPS)
    .filter((cm) => cm.metadata.name === ROOT_CA_CONFIGMAP)
    .map((cm) => cm.metadata.namespace)
    .sort();

describe('root CA publisher (kube-root-ca.crt)', () => {
  it('is the ConfigMap the ServiceAccount admission projects into pods', () => {
    assert.equal(ROOT_CA_CONFIGMAP, ADMISSION_ROOT_CA_CONFIGMAP);
  });

  it('creates kube-root-ca.crt with the CA and the description in every namespace', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('default'));
    cluster.seed(RESOURCES.namespaces, namespace('kube-system'));
    start(cluster);
    await cluster.settle();
    assert.deepEqual(published(cluster), ['default', 'kube-system']);
    assert.deepEqual(cluster.callsOf('create', 'configmaps')[0]!.body, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'kube-root-ca.crt',
        namespace: 'default',
        annotations: { 'kubernetes.io/description': DESCRIPTION },
      },
      data: { 'ca.crt': CA },
    });
    assert.match(DESCRIPTION, /^Contains a CA bundle that can be used to verify the kube-apiserver/);
    // A new namespace gets one too.
    await cluster.create(RESOURCES.namespaces, undefined, namespace('team'));
    await cluster.settle();
    assert.deepEqual(published(cluster), ['default', 'kube-system', 'team']);
  });

  it('recreates it when deleted and puts it back when edited, keeping other labels and annotations', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('team'));
    start(cluster);
    await cluster.settle();
    const first = cluster.object(CONFIG_MAPS, 'team', ROOT_CA_CONFIGMAP)!;
    await cluster.delete(CONFIG_MAPS, 'team', ROOT_CA_CONFIGMAP);
    await cluster.settle();
    const again = cluster.object(CONFIG_MAPS, 'team', ROOT_CA_CONFIGMAP)!;
    assert.notEqual(again.metadata.uid, first.metadata.uid);
    assert.deepEqual(again.data, { 'ca.crt': CA });

    const edited = structuredClone(again);
    edited.data = { 'ca.crt': 'tampered', extra: 'x' };
    edited.metadata.annotations = { mine: 'kept' };
    edited.metadata.labels = { team: 'a' };
    await cluster.update(CONFIG_MAPS, 'team', edited);
    await cluster.settle();
    const fixed = cluster.object(CONFIG_MAPS, 'team', ROOT_CA_CONFIGMAP)!;
    assert.deepEqual(fixed.data, { 'ca.crt': CA });
    assert.deepEqual(fixed.metadata.annotations, { mine: 'kept', [DESCRIPTION_ANNOTATION]: DESCRIPTION });
    assert.deepEqual(fixed.metadata.labels, { team: 'a' });

    // Only the description gone: put back as well; then nothing more to do.
    const bare = structuredClone(fixed);
    bare.metadata.annotations = {};
    await cluster.update(CONFIG_MAPS, 'team', bare);
    await cluster.settle();
    assert.equal(
      cluster.object(CONFIG_MAPS, 'team', ROOT_CA_CONFIGMAP)!.metadata.annotations![DESCRIPTION_ANNOTATION],
      DESCRIPTION,
    );
    const updates = cluster.callsOf('update', 'configmaps').length;
    await cluster.tick(5000);
    assert.equal(cluster.callsOf('update', 'configmaps').length, updates, 'an up-to-date ConfigMap is left alone');

    // Other ConfigMaps are none of its business.
    await cluster.create(CONFIG_MAPS, 'team', {
      metadata: { name: 'app', namespace: 'team' },
      data: { a: '1' },
    } as never);
    await cluster.delete(CONFIG_MAPS, 'team', 'app');
    await cluster.settle();
    assert.equal(cluster.callsOf('create', 'configmaps').length, 3);
  });

  it('does not retry a create refused because the namespace is gone or terminating; retries other failures', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('going', 'Terminating'));
    cluster.seed(RESOURCES.namespaces, namespace('gone'));
    cluster.seed(RESOURCES.namespaces, namespace('flaky'));
    cluster.failures.set(
      'create configmaps kube-root-ca.crt',
      new ApiError(
        {
          kind: 'Status',
          code: 403,
          reason: 'Forbidden',
          message:
            'configmaps "kube-root-ca.crt" is forbidden: unable to create new content in namespace going because it is being terminated',
          details: { name: 'kube-root-ca.crt', kind: 'configmaps', causes: [{ reason: 'NamespaceTerminating' }] },
        },
        403,
      ),
    );
    const c = start(cluster) as RootCAPublisher;
    await cluster.settle();
    assert.equal(c.queue.retries('going'), 0);
    assert.deepEqual(published(cluster), ['flaky', 'gone']);

    const later = new FakeCluster();
    later.seed(RESOURCES.namespaces, namespace('flaky'));
    later.failures.set('create configmaps kube-root-ca.crt', apiError(500, 'InternalError'));
    const d = start(later) as RootCAPublisher;
    await later.settle();
    assert.deepEqual(published(later), []);
    assert.equal(d.queue.retries('flaky'), 1);
    await later.tick(1000);
    assert.deepEqual(published(later), ['flaky']);

    const missing = new FakeCluster();
    missing.seed(RESOURCES.namespaces, namespace('gone'));
    missing.failures.set('create configmaps kube-root-ca.crt', apiError(404, 'NotFound'));
    const e = start(missing) as RootCAPublisher;
    await missing.settle();
    assert.equal(e.queue.retries('gone'), 0);
    assert.equal(missing.callsOf('create', 'configmaps').length, 1);
  });

  it('without a root CA it publishes nothing', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('default'));
    const c = start(cluster, null);
    await cluster.settle();
    assert.equal(c instanceof RootCAPublisher, false);
    assert.deepEqual(cluster.callsOf('create', 'configmaps'), []);
  });
});
