// The service accounts controller (controllers/serviceaccounts), as kube-controller-manager's ServiceAccountsController:
// a `default` ServiceAccount in every active namespace, created when missing and again when deleted.
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_ACCOUNTS, ServiceAccountsController } from '../../../../controllers/serviceaccounts/controller.js';
import { apiError, FakeCluster, RESOURCES } from '../kubelet/fake-cluster.js';

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

function start(cluster: FakeCluster): ServiceAccountsController {
  const c = new ServiceAccountsController(cluster.context());
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
const accounts = (c: FakeCluster) =>
  c
    .objects(SERVICE_ACCOUNTS)
    .map((sa) => `${sa.metadata.namespace}/${sa.metadata.name}`)
    .sort();

describe('service accounts controller', () => {
  it('creates the default account of every active namespace, and only that', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('default'));
    cluster.seed(RESOURCES.namespaces, namespace('kube-system'));
    cluster.seed(RESOURCES.namespaces, namespace('going', 'Terminating'));
    cluster.seed(SERVICE_ACCOUNTS, { metadata: { name: 'default', namespace: 'kube-system', uid: 'kept' } });
    start(cluster);
    await cluster.settle();
    assert.deepEqual(accounts(cluster), ['default/default', 'kube-system/default']);
    assert.equal(cluster.object(SERVICE_ACCOUNTS, 'kube-system', 'default')!.metadata.uid, 'kept');
    const created = cluster.callsOf('create', 'serviceaccounts');
    assert.equal(created.length, 1);
    assert.deepEqual(created[0]!.body, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default' },
    });
  });

  it('a new namespace gets its account; a deleted account comes back', async () => {
    const cluster = new FakeCluster();
    start(cluster);
    await cluster.settle();
    await cluster.create(RESOURCES.namespaces, undefined, namespace('team'));
    await cluster.settle();
    assert.deepEqual(accounts(cluster), ['team/default']);
    const first = cluster.object(SERVICE_ACCOUNTS, 'team', 'default')!.metadata.uid;
    await cluster.delete(SERVICE_ACCOUNTS, 'team', 'default');
    await cluster.settle();
    assert.deepEqual(accounts(cluster), ['team/default']);
    assert.notEqual(cluster.object(SERVICE_ACCOUNTS, 'team', 'default')!.metadata.uid, first);
    // other accounts are none of its business
    await cluster.create(SERVICE_ACCOUNTS, 'team', { metadata: { name: 'build', namespace: 'team' } });
    await cluster.delete(SERVICE_ACCOUNTS, 'team', 'build');
    await cluster.settle();
    assert.deepEqual(accounts(cluster), ['team/default']);
  });

  it('does nothing in a terminating namespace and ignores a refusal because of one', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('going'));
    cluster.failures.set(
      'create serviceaccounts default',
      apiError(
        403,
        'Forbidden',
        'serviceaccounts "default" is forbidden: unable to create new content in namespace going because it is being terminated',
      ),
    );
    const c = start(cluster);
    await cluster.settle();
    assert.deepEqual(accounts(cluster), []);
    assert.equal(c.queue.retries('going'), 0);
    await cluster.update(RESOURCES.namespaces, undefined, namespace('going', 'Terminating'), { subresource: 'status' });
    await cluster.settle();
    assert.equal(cluster.callsOf('create', 'serviceaccounts').length, 1);
  });

  it('retries other failures with backoff; AlreadyExists is fine (its cache lagged)', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.namespaces, namespace('default'));
    cluster.failures.set('create serviceaccounts default', apiError(500, 'InternalError'));
    const c = start(cluster);
    await cluster.settle();
    assert.deepEqual(accounts(cluster), []);
    assert.equal(c.queue.retries('default'), 1);
    await cluster.tick(1000);
    assert.deepEqual(accounts(cluster), ['default/default']);
    // An AlreadyExists answer means the server has it and the cache has not seen it yet: done, no retry.
    cluster.failures.set('create serviceaccounts default', apiError(409, 'AlreadyExists'));
    await cluster.create(RESOURCES.namespaces, undefined, namespace('late'));
    await cluster.settle();
    assert.equal(c.queue.retries('late'), 0);
    assert.equal(cluster.callsOf('create', 'serviceaccounts').length, 3);
  });
});
