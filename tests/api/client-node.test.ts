/**
 * The official JavaScript client (@kubernetes/client-node 1.x) against the server as a process, configured
 * only by the kubeconfig the server writes: typed CoreV1Api calls and an informer (list + watch).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { eventually } from '../helpers/kubectl.js';

const pod = (name: string, labels: Record<string, string> = {}): k8s.V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
});

describe('@kubernetes/client-node', () => {
  let server: ServerProcess;
  let kc: k8s.KubeConfig;
  let api: k8s.CoreV1Api;

  before(async () => {
    server = await startServerProcess();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    api = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    if (!server) return;
    await server.stop();
    server.cleanup();
  });

  it('the kubeconfig points at the server', () => {
    assert.equal(kc.getCurrentCluster()?.server, server.url);
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'default');
  });

  it('CoreV1Api: list namespaces and nodes', async () => {
    const nss = await api.listNamespace();
    const names = nss.items.map((n) => n.metadata?.name).sort();
    for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(ns));
    assert.match(nss.metadata?.resourceVersion ?? '', /^\d+$/);
    const nodes = await api.listNode();
    assert.ok(Array.isArray(nodes.items));
  });

  it('CoreV1Api: create, read, list, replace, delete a pod', async () => {
    const created = await api.createNamespacedPod({ namespace: 'default', body: pod('client-node-1', { app: 'cn' }) });
    assert.equal(created.metadata?.name, 'client-node-1');
    assert.ok(created.metadata?.uid);
    assert.ok(created.metadata?.creationTimestamp instanceof Date, 'creationTimestamp parses as a date');
    assert.equal(created.status?.phase, 'Pending');

    const read = await api.readNamespacedPod({ name: 'client-node-1', namespace: 'default' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

    const list = await api.listNamespacedPod({ namespace: 'default', labelSelector: 'app=cn' });
    assert.deepEqual(
      list.items.map((p) => p.metadata?.name),
      ['client-node-1'],
    );

    read.metadata!.labels = { ...read.metadata!.labels, version: '2' };
    const replaced = await api.replaceNamespacedPod({ name: 'client-node-1', namespace: 'default', body: read });
    assert.equal(replaced.metadata?.labels?.['version'], '2');
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(created.metadata?.resourceVersion));

    const deleted = await api.deleteNamespacedPod({ name: 'client-node-1', namespace: 'default' });
    assert.equal(deleted.metadata?.name, 'client-node-1');
    await assert.rejects(
      () => api.readNamespacedPod({ name: 'client-node-1', namespace: 'default' }),
      (err: unknown) => {
        assert.ok(err instanceof k8s.ApiException, String(err));
        assert.equal(err.code, 404);
        const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
        assert.equal(body.reason, 'NotFound');
        assert.equal(body.message, 'pods "client-node-1" not found');
        return true;
      },
    );
  });

  it('CoreV1Api: errors are ApiExceptions carrying the Status (409 AlreadyExists)', async () => {
    await api.createNamespacedPod({ namespace: 'default', body: pod('client-node-dupe') });
    await assert.rejects(
      () => api.createNamespacedPod({ namespace: 'default', body: pod('client-node-dupe') }),
      (err: unknown) => {
        assert.ok(err instanceof k8s.ApiException);
        assert.equal(err.code, 409);
        const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
        assert.equal(body.reason, 'AlreadyExists');
        return true;
      },
    );
    await api.deleteNamespacedPod({ name: 'client-node-dupe', namespace: 'default' });
  });

  it('an informer sees add, update and delete in order', async () => {
    await api.createNamespace({ body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'informed' } } });
    await api.createNamespacedPod({ namespace: 'informed', body: pod('existing') });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/informed/pods', () =>
      api.listNamespacedPod({ namespace: 'informed' }),
    );
    informer.on('add', (p: k8s.V1Pod) => seen.push(`add ${p.metadata?.name}`));
    informer.on('update', (p: k8s.V1Pod) =>
      seen.push(`update ${p.metadata?.name} ${p.metadata?.labels?.['step'] ?? ''}`),
    );
    informer.on('delete', (p: k8s.V1Pod) => seen.push(`delete ${p.metadata?.name}`));
    informer.on('error', (err: unknown) => errors.push(err));
    await informer.start();
    try {
      await eventually(() => seen.includes('add existing'), { what: 'the listed pod', timeoutMs: 20000 });
      // the watch is opened after the list; writes made now must arrive through it
      const created = await api.createNamespacedPod({ namespace: 'informed', body: pod('watched') });
      await eventually(() => seen.includes('add watched'), { what: 'add watched', timeoutMs: 20000 });
      created.metadata!.labels = { step: 'one' };
      await api.replaceNamespacedPod({ name: 'watched', namespace: 'informed', body: created });
      await eventually(() => seen.includes('update watched one'), { what: 'update watched', timeoutMs: 20000 });
      await api.deleteNamespacedPod({ name: 'watched', namespace: 'informed' });
      await eventually(() => seen.includes('delete watched'), { what: 'delete watched', timeoutMs: 20000 });
      assert.deepEqual(seen, ['add existing', 'add watched', 'update watched one', 'delete watched']);
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});
