import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { FakeClock, settle } from '../../../../controllers/machinery/clock.js';
import { ApiError } from '../../../../controllers/machinery/client.js';
import { SharedInformerFactory } from '../../../../controllers/machinery/factory.js';
import { SharedInformer } from '../../../../controllers/machinery/informer.js';
import { splitKey, objectKey, keyOf } from '../../../../controllers/machinery/lister.js';
import { memoryLogger, silentLogger } from '../../../../controllers/machinery/logging.js';
import { RESOURCES, type WatchOptions } from '../../../../controllers/machinery/types.js';
import { FakeApiClient, gone, pod } from './fake-client.js';

interface Harness {
  client: FakeApiClient;
  clock: FakeClock;
  informer: SharedInformer;
  seen: string[];
  abort: AbortController;
  done: Promise<void>;
}

const running: AbortController[] = [];
afterEach(() => {
  for (const a of running.splice(0)) a.abort();
});

/** An informer over pods with a recording handler, started on a fake client holding `objects`. */
async function start(objects: KubeObject[], opts: { pageSize?: number; start?: boolean } = {}): Promise<Harness> {
  const client = new FakeApiClient();
  for (const o of objects) client.put(o);
  const clock = new FakeClock();
  const informer = new SharedInformer({
    client,
    ref: RESOURCES.pods,
    clock,
    log: silentLogger,
    random: () => 0,
    pageSize: opts.pageSize,
  });
  const seen: string[] = [];
  informer.on({
    add: (o) => seen.push(`add ${objectKey(o)}@${o.metadata.resourceVersion}`),
    update: (old, cur) =>
      seen.push(`update ${objectKey(cur)}@${old.metadata.resourceVersion}->${cur.metadata.resourceVersion}`),
    delete: (o) => seen.push(`delete ${objectKey(o)}@${o.metadata.resourceVersion}`),
  });
  const abort = new AbortController();
  running.push(abort);
  const done = opts.start === false ? Promise.resolve() : informer.run(abort.signal);
  return { client, clock, informer, seen, abort, done };
}

const watchOpts = (h: Harness, n: number) => h.client.calls.filter((c) => c.verb === 'watch')[n]!.opts as WatchOptions;

describe('SharedInformer', () => {
  it('lists, calls add in order, syncs, then watches from the list resourceVersion with bookmarks', async () => {
    const h = await start([pod('ns1', 'a'), pod('ns1', 'b')], { start: false });
    assert.equal(h.informer.hasSynced(), false);
    void h.informer.run(h.abort.signal);
    await h.client.watchNo(0);
    assert.equal(h.informer.hasSynced(), true);
    assert.deepEqual(h.seen, ['add ns1/a@2', 'add ns1/b@3']);
    const w = watchOpts(h, 0);
    assert.equal(w.resourceVersion, '3');
    assert.equal(w.allowWatchBookmarks, true);
    assert.ok(w.timeoutSeconds! >= 300 && w.timeoutSeconds! < 600, `timeoutSeconds ${w.timeoutSeconds}`);
    assert.equal(h.client.calls[0]!.verb, 'list');
    assert.equal((h.client.calls[0]!.opts as { limit: number }).limit, 500);
    assert.equal(h.informer.lister.get('ns1', 'a')!.metadata.name, 'a');
    assert.deepEqual(
      h.informer.lister
        .list('ns1')
        .map((o) => o.metadata.name)
        .sort(),
      ['a', 'b'],
    );
  });

  it('applies watch events to the cache, then calls the handlers, in order', async () => {
    const h = await start([pod('ns1', 'a')]);
    const w = await h.client.watchNo(0);
    const order: string[] = [];
    h.informer.on({
      add: (o) => order.push(`add ${o.metadata.name} cached=${!!h.informer.lister.get('ns1', o.metadata.name!)}`),
      delete: (o) => order.push(`delete ${o.metadata.name} cached=${!!h.informer.lister.get('ns1', o.metadata.name!)}`),
    });
    order.length = 0; // the replayed add of 'a'
    w.push('ADDED', pod('ns1', 'c', {}, '10'));
    w.push('MODIFIED', pod('ns1', 'a', { v: '2' }, '11'));
    w.push('ADDED', pod('ns1', 'a', { v: '3' }, '12')); // ADDED of a known object: an update
    w.push('MODIFIED', pod('ns1', 'd', {}, '13')); // MODIFIED of an unknown one: an add
    w.push('DELETED', pod('ns1', 'c', {}, '14'));
    await settle();
    assert.deepEqual(h.seen, [
      'add ns1/a@2',
      'add ns1/c@10',
      'update ns1/a@2->11',
      'update ns1/a@11->12',
      'add ns1/d@13',
      'delete ns1/c@14',
    ]);
    assert.deepEqual(order, ['add c cached=true', 'add d cached=true', 'delete c cached=false']);
    assert.equal(h.informer.lister.get('ns1', 'a')!.metadata.labels!.v, '3');
    assert.equal(h.informer.resourceVersion, '14');
  });

  it('re-watches from the last resourceVersion seen (bookmarks included) when the server ends the watch', async () => {
    const h = await start([pod('ns1', 'a')]);
    const w0 = await h.client.watchNo(0);
    w0.push('MODIFIED', pod('ns1', 'a', {}, '20'));
    w0.push('BOOKMARK', { metadata: { resourceVersion: '25' } });
    w0.end();
    await h.client.watchNo(1);
    assert.equal(watchOpts(h, 1).resourceVersion, '25');
    assert.equal(h.client.count('list'), 1, 'no relist');
    assert.equal(h.informer.lister.size, 1, 'bookmarks are not objects');
  });

  it('relists on a 410 ERROR event: updates what changed, adds what is new, deletes what is gone', async () => {
    const h = await start([pod('ns1', 'same'), pod('ns1', 'changed'), pod('ns1', 'gone')]);
    const w0 = await h.client.watchNo(0);
    w0.push('BOOKMARK', { metadata: { resourceVersion: '4' } });
    await settle();
    h.seen.length = 0;
    h.client.put(pod('ns1', 'changed', { v: '2' }));
    h.client.put(pod('ns1', 'new'));
    h.client.remove('ns1', 'gone');
    w0.push('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    await h.client.watchNo(1);
    assert.deepEqual(h.seen.sort(), ['add ns1/new@6', 'delete ns1/gone@4', 'update ns1/changed@3->5']);
    assert.equal(h.client.count('list'), 2);
    assert.equal(watchOpts(h, 1).resourceVersion, '7');
    assert.deepEqual(h.informer.lister.keys().sort(), ['ns1/changed', 'ns1/new', 'ns1/same']);
  });

  it('relists after an HTTP 410 when opening the watch, after a backoff', async () => {
    const h = await start([pod('ns1', 'a')]);
    h.client.failNext.watch = [gone()];
    await h.client.watchNo(0);
    await settle();
    assert.equal(h.client.count('list'), 1);
    await h.clock.tick(800);
    await h.client.watchNo(1);
    assert.equal(h.client.count('list'), 2);
  });

  it('backs off exponentially on list errors (800 ms doubling) and recovers', async () => {
    const h = await start([pod('ns1', 'a')], { start: false });
    const log = memoryLogger();
    const inf = new SharedInformer({ client: h.client, ref: RESOURCES.pods, clock: h.clock, log, random: () => 0 });
    const down = () => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    h.client.failNext.list = [down(), down(), down()];
    void inf.run(h.abort.signal);
    await settle();
    const lists = () => h.client.count('list');
    assert.equal(lists(), 1);
    for (const [i, wait] of [800, 1600, 3200].entries()) {
      await h.clock.tick(wait - 1);
      assert.equal(lists(), i + 1, `not before ${wait} ms`);
      await h.clock.tick(1);
      assert.equal(lists(), i + 2, `retry ${i + 1} after ${wait} ms`);
    }
    await h.client.watchNo(0);
    assert.equal(inf.hasSynced(), true);
    assert.equal(log.records.filter((r) => r.msg === 'list failed').length, 3);
  });

  it('a watch ERROR other than 410 backs off and re-watches from the same resourceVersion', async () => {
    const h = await start([pod('ns1', 'a')]);
    const w0 = await h.client.watchNo(0);
    w0.push('ERROR', { kind: 'Status', code: 500, reason: 'InternalError', message: 'boom' });
    await settle();
    assert.equal(h.client.watches.length, 1);
    await h.clock.tick(800);
    await h.client.watchNo(1);
    assert.equal(watchOpts(h, 1).resourceVersion, '2');
    assert.equal(h.client.count('list'), 1);
  });

  it('a watch that ends at once without events backs off before the next one', async () => {
    const h = await start([pod('ns1', 'a')]);
    (await h.client.watchNo(0)).end();
    await settle();
    assert.equal(h.client.watches.length, 1);
    await h.clock.tick(800);
    await h.client.watchNo(1);
  });

  it('lists in pages of pageSize; an expired continue token falls back to one full list', async () => {
    const objs = ['a', 'b', 'c', 'd', 'e'].map((n) => pod('ns1', n));
    const h = await start(objs, { pageSize: 2 });
    await h.client.watchNo(0);
    const lists = h.client.calls.filter((c) => c.verb === 'list').map((c) => c.opts);
    assert.deepEqual(lists, [
      { limit: 2, continue: undefined },
      { limit: 2, continue: '2' },
      { limit: 2, continue: '4' },
    ]);
    assert.equal(h.informer.lister.size, 5);

    const h2 = await start(objs, { pageSize: 2, start: false });
    let calls = 0;
    h2.client.listHook = (opts) => {
      calls++;
      if (opts.continue) throw gone('continue token expired');
      return undefined;
    };
    void h2.informer.run(h2.abort.signal);
    await h2.client.watchNo(0);
    assert.equal(calls, 3);
    assert.deepEqual(h2.client.calls.filter((c) => c.verb === 'list').at(-1)!.opts, {});
    assert.equal(h2.informer.lister.size, 5);
    assert.equal(h2.seen.length, 5, 'the first page is not reported twice');
  });

  it('keeps indexes current; an index added later covers objects already cached', async () => {
    const h = await start([
      pod('ns1', 'a', { app: 'web' }),
      pod('ns2', 'b', { app: 'web' }),
      pod('ns2', 'c', { app: 'db' }),
    ]);
    const w = await h.client.watchNo(0);
    const byApp = (o: KubeObject) => (o.metadata.labels?.app ? [o.metadata.labels.app] : []);
    h.informer.addIndex('app', byApp);
    const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name).sort();
    assert.deepEqual(names(h.informer.lister.byIndex('app', 'web')), ['a', 'b']);
    assert.deepEqual(names(h.informer.lister.list('ns2')), ['b', 'c']);
    w.push('MODIFIED', pod('ns2', 'b', { app: 'db' }, '10'));
    w.push('DELETED', pod('ns2', 'c', { app: 'db' }, '11'));
    await settle();
    assert.deepEqual(names(h.informer.lister.byIndex('app', 'web')), ['a']);
    assert.deepEqual(names(h.informer.lister.byIndex('app', 'db')), ['b']);
    assert.deepEqual(names(h.informer.lister.byIndex('app', 'nothing')), []);
    // an update that changes no index value: the indexes answer the new version
    w.push('MODIFIED', pod('ns1', 'a', { app: 'web' }, '12'));
    await settle();
    assert.deepEqual(
      h.informer.lister.byIndex('app', 'web').map((o) => o.metadata.resourceVersion),
      ['12'],
    );
    assert.deepEqual(
      h.informer.lister.list('ns1').map((o) => o.metadata.resourceVersion),
      ['12'],
    );
    assert.throws(() => h.informer.lister.byIndex('nope', 'x'), /does not exist/);
    assert.throws(() => h.informer.addIndex('app', byApp), /already exists/);
  });

  it('replays adds to a handler registered late; a throwing handler does not stop the others', async () => {
    const client = new FakeApiClient();
    client.put(pod('ns1', 'a'));
    const log = memoryLogger();
    const informer = new SharedInformer({ client, ref: RESOURCES.pods, clock: new FakeClock(), log, random: () => 0 });
    const abort = new AbortController();
    running.push(abort);
    void informer.run(abort.signal);
    const w = await client.watchNo(0);
    const late: string[] = [];
    informer.on({
      add: () => {
        throw new Error('bad handler');
      },
    });
    informer.on({ add: (o) => late.push(o.metadata.name!) });
    w.push('ADDED', pod('ns1', 'b', {}, '5'));
    await settle();
    assert.deepEqual(late, ['a', 'b']);
    assert.equal(log.records.filter((r) => r.msg === 'event handler failed').length, 2);
  });

  it('hands out frozen objects with kind and apiVersion', async () => {
    const h = await start([{ metadata: { namespace: 'ns1', name: 'bare' } }]);
    await h.client.watchNo(0);
    const obj = h.informer.lister.get('ns1', 'bare')!;
    assert.equal(obj.kind, 'Pod');
    assert.equal(obj.apiVersion, 'v1');
    assert.ok(Object.isFrozen(obj) && Object.isFrozen(obj.metadata));
    assert.throws(() => {
      (obj.metadata as { name: string }).name = 'changed';
    }, TypeError);
  });

  it('caches objects sharing their repeated values, each one serializing as it came, without managedFields', async () => {
    const tolerations = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }];
    const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'uid-ds', controller: true };
    const condition = (type: string) => ({ type, status: 'True', lastTransitionTime: '2026-12-05T22:45:54Z' });
    const p = (name: string): KubeObject => ({
      ...pod('ns1', name, { app: 'daemon', 'controller-revision-hash': '6875945b66' }),
      metadata: {
        ...pod('ns1', name, { app: 'daemon', 'controller-revision-hash': '6875945b66' }).metadata,
        ownerReferences: [owner],
        managedFields: [{ manager: 'm', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
      },
      spec: { tolerations, securityContext: {}, containers: [{ name: 'c', resources: { requests: { cpu: '10m' } } }] },
      status: {
        conditions: [condition('Ready'), condition(name)],
        imageID: `docker.io/library/bench@sha256:${'5c80fad8'.repeat(8)}`,
      },
    });
    const h = await start([p('a'), p('b')]);
    await h.client.watchNo(0);
    const [a, b] = [h.informer.lister.get('ns1', 'a') as any, h.informer.lister.get('ns1', 'b') as any];
    const { managedFields: _m, ...meta } = p('b').metadata;
    assert.deepEqual({ ...b }, { ...p('b'), metadata: { ...meta, resourceVersion: '3' } });
    assert.equal(a.metadata.labels, b.metadata.labels);
    assert.equal(a.metadata.ownerReferences, b.metadata.ownerReferences);
    assert.equal(a.spec.tolerations, b.spec.tolerations);
    assert.equal(a.spec.securityContext, b.spec.securityContext);
    assert.equal(a.spec.containers[0].resources, b.spec.containers[0].resources);
    assert.notEqual(a.spec.containers, b.spec.containers, 'other members are not looked up');
    assert.notEqual(a.status.conditions, b.status.conditions);
    assert.equal(a.status.conditions[0], b.status.conditions[0], 'conditions are shared one by one');
    assert.notEqual(a.status.conditions[1], b.status.conditions[1]);
    assert.ok(Object.isFrozen(b.status.conditions) && Object.isFrozen(b.status.conditions[1]));
  });

  it('caches a new version sharing with the one it replaces what did not change, by watch and by relist', async () => {
    const p = (rv: string, phase: string): KubeObject => ({
      ...pod('ns1', 'a', {}, rv),
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
      status: { phase },
    });
    const h = await start([p('2', 'Pending')]);
    const w = await h.client.watchNo(0);
    const first = h.informer.lister.get('ns1', 'a') as any;
    w.push('MODIFIED', p('11', 'Running'));
    await settle();
    const second = h.informer.lister.get('ns1', 'a') as any;
    assert.equal(second.status.phase, 'Running');
    assert.equal(second.spec, first.spec, 'the spec is the cached one');
    assert.notEqual(second.status, first.status);
    assert.deepEqual(h.seen.at(-1), 'update ns1/a@2->11');
    h.client.put(p('12', 'Succeeded'));
    w.push('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    await h.client.watchNo(1);
    const third = h.informer.lister.get('ns1', 'a') as any;
    assert.equal(third.status.phase, 'Succeeded');
    assert.equal(third.spec, first.spec, 'a relist shares with the cache too');
  });

  it('stops when aborted', async () => {
    const h = await start([pod('ns1', 'a')]);
    const w = await h.client.watchNo(0);
    h.abort.abort();
    await h.done;
    assert.equal(w.closed, true);
  });
});

describe('SharedInformerFactory', () => {
  it('shares one informer per resource, runs informers created after start, waits for every sync', async () => {
    const client = new FakeApiClient();
    client.put(pod('ns1', 'a'));
    const factory = new SharedInformerFactory({ client, clock: new FakeClock(), log: silentLogger, random: () => 0 });
    const pods = factory.informer(RESOURCES.pods);
    assert.equal(factory.informer({ ...RESOURCES.pods }), pods);
    const abort = new AbortController();
    running.push(abort);
    factory.start(abort.signal);
    await factory.waitForSync(abort.signal);
    assert.equal(pods.hasSynced(), true);
    const nodes = factory.informer(RESOURCES.nodes);
    await factory.waitForSync(abort.signal);
    assert.equal(nodes.hasSynced(), true);
    assert.equal(client.count('list'), 2);
    abort.abort();
    await factory.stopped();
  });

  it('waitForSync rejects when aborted first', async () => {
    const client = new FakeApiClient();
    client.failNext.list = [new ApiError({ code: 500, message: 'down' })];
    const factory = new SharedInformerFactory({ client, clock: new FakeClock(), log: silentLogger });
    factory.informer(RESOURCES.pods);
    const abort = new AbortController();
    factory.start(abort.signal);
    const wait = factory.waitForSync(abort.signal);
    abort.abort();
    await assert.rejects(wait, { name: 'AbortError' });
    await factory.stopped();
  });
});

describe('cache keys', () => {
  const cases = [
    { key: 'ns/name', split: { namespace: 'ns', name: 'name' } },
    { key: 'node-1', split: { namespace: '', name: 'node-1' } },
  ];
  for (const c of cases) {
    it(`splitKey(${c.key})`, () => {
      assert.deepEqual(splitKey(c.key), c.split);
      assert.equal(keyOf(c.split.namespace, c.split.name), c.key);
    });
  }
  it('rejects keys with two slashes', () => assert.throws(() => splitKey('a/b/c')));
});
