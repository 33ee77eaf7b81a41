import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelSelectorFromObject } from '../../../../apimachinery/labels.js';
import {
  computeHash,
  fnv32a,
  goJSON,
  safeEncodeString,
  SAFE_ALPHABET,
} from '../../../../controllers/daemonset/hash.js';
import {
  cleanupHistory,
  constructHistory,
  HashCollisionError,
  matchRevision,
  newRevision,
  revisionData,
  revisionDataJSON,
  templateHash,
  type HistoryDeps,
} from '../../../../controllers/daemonset/history.js';
import type { ControllerRevision, DaemonSet, Pod } from '../../../../controllers/daemonset/types.js';
import { daemonPod, daemonSet, FakeCluster, nullLog, RESOURCES } from './fakes.js';

describe('goJSON: Go json.Marshal of a map', () => {
  const rows: Array<[string, unknown, string]> = [
    [
      'keys sorted at every depth',
      { b: 1, a: { d: [{ z: 1, y: 2 }], c: null } },
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    ],
    [
      'HTML characters escaped',
      { s: '<a href="x">&</a>' },
      '{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}',
    ],
    ['line and paragraph separators escaped', '\u2028\u2029', '"\\u2028\\u2029"'],
    ['dollar keys sort before letters', { metadata: {}, $patch: 'replace' }, '{"$patch":"replace","metadata":{}}'],
    ['uppercase before lowercase (byte order)', { b: 1, B: 2, a: 3 }, '{"B":2,"a":3,"b":1}'],
    ['undefined members skipped', { a: undefined, b: [undefined] }, '{"b":[null]}'],
    ['numbers and booleans', { n: 30, f: 0.5, t: true }, '{"f":0.5,"n":30,"t":true}'],
    ['integer-like keys sort as strings', { '10': 1, '9': 2, a: 3 }, '{"10":1,"9":2,"a":3}'],
    ['empty object and array', { o: {}, l: [] }, '{"l":[],"o":{}}'],
  ];
  for (const [name, value, want] of rows) it(name, () => assert.equal(goJSON(value), want));
});

describe('hashing', () => {
  const fnvRows: Array<[string, string, number]> = [
    ['empty string', '', 0x811c9dc5],
    ['"a"', 'a', 0xe40c292c],
    ['"foobar"', 'foobar', 0xbf9cf968],
  ];
  for (const [name, input, want] of fnvRows)
    it(`fnv32a of ${name}`, () => assert.equal(fnv32a(new TextEncoder().encode(input)), want));

  it('safeEncodeString maps digits onto the alphabet', () =>
    assert.equal(safeEncodeString('0123456789'), '456789bcdf'));

  it('computeHash is deterministic, independent of key order, and safe-encoded', () => {
    const a = computeHash({ metadata: { labels: { x: '1' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const b = computeHash({ spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { x: '1' } } });
    assert.equal(a, b);
    assert.match(a, new RegExp(`^[${SAFE_ALPHABET}]{1,10}$`));
  });
  it('computeHash changes with the template and with the collision count (0 included)', () => {
    const t = { spec: { containers: [{ name: 'c', image: 'i' }] } };
    const hashes = new Set([
      computeHash(t),
      computeHash({ spec: { containers: [{ name: 'c', image: 'j' }] } }),
      computeHash(t, 0),
      computeHash(t, 1),
    ]);
    assert.equal(hashes.size, 4);
    assert.equal(computeHash(t, 1), computeHash(t, 1));
  });
});

describe('revision data', () => {
  it('is the template with $patch replace, keys in Go order', () => {
    const ds = daemonSet();
    const json = revisionDataJSON(ds);
    assert.ok(
      json.startsWith(
        '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"name":"simple-daemon","type":"production"}},"spec":{"containers":[{"image":"foo/bar","name":"foo","resources":{}}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always"}}}}',
      ),
      json,
    );
    assert.equal(JSON.stringify(revisionData(ds)), json, 'the parsed object keeps Go key order');
  });
  it('matchRevision compares content, not key order', () => {
    const ds = daemonSet();
    const rev = newRevision(ds, 1);
    assert.ok(matchRevision(ds, rev));
    const reordered = {
      ...rev,
      data: JSON.parse(
        JSON.stringify({
          spec: { template: { spec: ds.spec.template.spec, metadata: ds.spec.template.metadata, $patch: 'replace' } },
        }),
      ),
    };
    assert.ok(matchRevision(ds, reordered));
    const changed = daemonSet('foo', (d) => (d.spec.template.spec!.containers = [{ name: 'foo', image: 'foo/baz' }]));
    assert.ok(!matchRevision(changed, rev));
  });
  it('newRevision: name, labels, annotations, controller reference, revision', () => {
    const ds = daemonSet('foo', (d) => (d.metadata.annotations = { 'kubernetes.io/change-cause': 'x' }));
    const hash = templateHash(ds);
    const rev = newRevision(ds, 3);
    assert.equal(rev.metadata.name, `foo-${hash}`);
    assert.deepEqual(rev.metadata.labels, {
      name: 'simple-daemon',
      type: 'production',
      'controller-revision-hash': hash,
    });
    assert.deepEqual(rev.metadata.annotations, { 'kubernetes.io/change-cause': 'x' });
    assert.deepEqual(rev.metadata.ownerReferences, [
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: 'foo',
        uid: 'ds-uid-foo',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(rev.revision, 3);
  });
});

function deps(cluster: FakeCluster, pods: Pod[] = []): HistoryDeps {
  return {
    client: cluster,
    log: nullLog,
    candidates: (ds: DaemonSet) =>
      cluster.objects<ControllerRevision>(RESOURCES.controllerrevisions).filter((r) => {
        const owner = r.metadata.ownerReferences?.find((o) => o.controller);
        return !owner || owner.uid === ds.metadata.uid;
      }),
    daemonPods: async () => pods,
  };
}
const canAdopt = async () => {};
const withImage = (image: string) =>
  daemonSet('foo', (d) => (d.spec.template.spec!.containers = [{ name: 'foo', image, resources: {} }]));

describe('constructHistory', () => {
  it('creates revision 1 for a new DaemonSet, then finds it', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    const h = await constructHistory(deps(cluster), ds, labelSelectorFromObject(ds.spec.selector), canAdopt);
    assert.equal(h.cur.revision, 1);
    assert.equal(h.hash, templateHash(ds));
    assert.deepEqual(h.old, []);
    assert.equal(cluster.callsOf('create', 'controllerrevisions').length, 1);
    const again = await constructHistory(deps(cluster), ds, labelSelectorFromObject(ds.spec.selector), canAdopt);
    assert.equal(again.cur.metadata.name, h.cur.metadata.name);
    assert.equal(cluster.callsOf('create').length, 1, 'nothing created the second time');
    assert.equal(cluster.callsOf('update').length, 0);
  });

  it('a template change creates revision max+1; going back renumbers the old revision', async () => {
    const cluster = new FakeCluster();
    const v1 = withImage('a');
    const sel = labelSelectorFromObject(v1.spec.selector);
    const r1 = await constructHistory(deps(cluster), v1, sel, canAdopt);
    const r2 = await constructHistory(deps(cluster), withImage('b'), sel, canAdopt);
    assert.equal(r2.cur.revision, 2);
    assert.deepEqual(
      r2.old.map((r) => r.revision),
      [1],
    );
    const back = await constructHistory(deps(cluster), v1, sel, canAdopt);
    assert.equal(back.cur.metadata.name, r1.cur.metadata.name, 'the old revision object is re-used');
    assert.equal(back.cur.revision, 3);
    assert.equal(cluster.callsOf('create').length, 2);
    assert.deepEqual(
      cluster
        .objects<ControllerRevision>(RESOURCES.controllerrevisions)
        .map((r) => r.revision)
        .sort(),
      [2, 3],
    );
  });

  it('deduplicates revisions holding the current template: keeps the highest, relabels pods, deletes the rest', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    const a = newRevision(ds, 4);
    const b = {
      ...newRevision(ds, 2),
      metadata: {
        ...newRevision(ds, 2).metadata,
        name: 'foo-dup',
        labels: { ...a.metadata.labels, 'controller-revision-hash': 'dup' },
      },
    };
    cluster.seed(RESOURCES.controllerrevisions, a);
    cluster.seed(RESOURCES.controllerrevisions, b);
    const stale = cluster.seed(
      RESOURCES.pods,
      daemonPod(ds, 'p1', 'n1', {
        labels: { ...ds.spec.template.metadata!.labels!, 'controller-revision-hash': 'dup' },
      }),
    );
    const h = await constructHistory(
      deps(cluster, [stale as Pod]),
      ds,
      labelSelectorFromObject(ds.spec.selector),
      canAdopt,
    );
    assert.equal(h.cur.metadata.name, a.metadata.name);
    assert.deepEqual(
      cluster.callsOf('delete').map((c) => c.name),
      ['foo-dup'],
    );
    const patched = cluster.callsOf('patch', 'pods');
    assert.equal(patched.length, 1);
    assert.deepEqual((patched[0]!.body as { metadata: { labels: unknown } }).metadata.labels, {
      'controller-revision-hash': h.hash,
    });
  });

  it('labels a revision without a hash label with its name', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    const old = newRevision(withImage('old'), 1);
    delete old.metadata.labels!['controller-revision-hash'];
    cluster.seed(RESOURCES.controllerrevisions, old);
    await constructHistory(deps(cluster), ds, labelSelectorFromObject(ds.spec.selector), canAdopt);
    const updated = cluster
      .objects<ControllerRevision>(RESOURCES.controllerrevisions)
      .find((r) => r.metadata.name === old.metadata.name)!;
    assert.equal(updated.metadata.labels!['controller-revision-hash'], old.metadata.name);
  });

  it('adopts an orphan revision that matches the selector', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    cluster.seed(RESOURCES.daemonsets, ds);
    const orphan = newRevision(ds, 1);
    delete orphan.metadata.ownerReferences;
    cluster.seed(RESOURCES.controllerrevisions, orphan);
    let checks = 0;
    const h = await constructHistory(
      deps(cluster),
      ds,
      labelSelectorFromObject(ds.spec.selector),
      async () => void checks++,
    );
    assert.equal(h.cur.metadata.name, orphan.metadata.name);
    assert.equal(checks, 1);
    assert.equal(cluster.callsOf('patch', 'controllerrevisions').length, 1);
    assert.equal(cluster.callsOf('create').length, 0);
  });

  it('AlreadyExists with the same data returns the existing revision', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    // Owned by another uid, so not a candidate, but holding the same name and data.
    const existing = newRevision(ds, 1);
    existing.metadata.ownerReferences = [{ ...existing.metadata.ownerReferences![0]!, uid: 'other' }];
    cluster.seed(RESOURCES.controllerrevisions, existing);
    const h = await constructHistory(deps(cluster), ds, labelSelectorFromObject(ds.spec.selector), canAdopt);
    assert.equal(h.cur.metadata.name, existing.metadata.name);
  });

  it('a hash collision bumps status.collisionCount and fails the sync', async () => {
    const cluster = new FakeCluster();
    const ds = daemonSet();
    cluster.seed(RESOURCES.daemonsets, ds);
    const squatter = newRevision(withImage('other'), 1);
    squatter.metadata.name = `foo-${templateHash(ds)}`;
    squatter.metadata.ownerReferences = [{ ...squatter.metadata.ownerReferences![0]!, uid: 'other' }];
    cluster.seed(RESOURCES.controllerrevisions, squatter);
    await assert.rejects(
      constructHistory(deps(cluster), ds, labelSelectorFromObject(ds.spec.selector), canAdopt),
      HashCollisionError,
    );
    const status = cluster.callsOf('update', 'daemonsets');
    assert.equal(status.length, 1);
    assert.equal(status[0]!.subresource, 'status');
    assert.equal(cluster.objects<DaemonSet>(RESOURCES.daemonsets)[0]!.status!.collisionCount, 1);
    // With the new collision count the hash (and name) differ.
    const bumped = { ...ds, status: { ...ds.status, collisionCount: 1 } };
    assert.notEqual(templateHash(bumped), templateHash(ds));
    const h = await constructHistory(deps(cluster), bumped, labelSelectorFromObject(ds.spec.selector), canAdopt);
    assert.equal(h.cur.metadata.name, `foo-${templateHash(bumped)}`);
  });
});

describe('cleanupHistory', () => {
  const revs = (n: number) => Array.from({ length: n }, (_, i) => newRevision(withImage(`img-${i + 1}`), i + 1));
  const rows: Array<[string, number, number | undefined, string[], number[]]> = [
    ['within the limit: nothing deleted', 2, 2, [], []],
    ['oldest first beyond the limit', 5, 2, [], [1, 2, 3]],
    ['a revision used by a live pod is kept', 5, 2, ['img-1'], [2, 3, 4]],
    ['default limit 10', 12, undefined, [], [1, 2]],
    ['limit 0 deletes all unused', 3, 0, ['img-2'], [1, 3]],
  ];
  for (const [name, count, limit, liveImages, deleted] of rows) {
    it(name, async () => {
      const cluster = new FakeCluster();
      const old = revs(count);
      for (const r of old) cluster.seed(RESOURCES.controllerrevisions, r);
      const ds = daemonSet('foo', (d) => {
        if (limit === undefined) delete d.spec.revisionHistoryLimit;
        else d.spec.revisionHistoryLimit = limit;
      });
      const pods = liveImages.map((img, i) =>
        daemonPod(ds, `p${i}`, 'n1', { labels: { 'controller-revision-hash': templateHash(withImage(img)) } }),
      );
      await cleanupHistory(cluster, ds, old, pods);
      const byName = new Map(old.map((r) => [r.metadata.name, r.revision]));
      assert.deepEqual(
        cluster.callsOf('delete').map((c) => byName.get(c.name!)),
        deleted,
      );
    });
  }
});
