import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../../../apimachinery/objects.js';
import {
  decide,
  ownerReferencesPatch,
  removeFinalizerPatch,
  unblockedOwners,
  withoutOwners,
  type GCAction,
  type ItemFacts,
  type OwnerClassification,
} from '../../../../controllers/garbage-collector/decisions.js';
import {
  classifyResources,
  discoverDeletableResources,
  groupKindKey,
} from '../../../../controllers/garbage-collector/discovery.js';
import { DependencyGraph } from '../../../../controllers/garbage-collector/graph.js';

const ref = (uid: string, block = false): OwnerReference => ({
  apiVersion: 'v1',
  kind: 'Pod',
  name: `p-${uid}`,
  uid,
  ...(block ? { blockOwnerDeletion: true } : {}),
});
const facts = (f: Partial<ItemFacts> = {}): ItemFacts => ({
  finalizers: [],
  hasDependents: false,
  dependentDeletingDependents: false,
  ...f,
});
const classes = (c: Partial<OwnerClassification>): OwnerClassification => ({
  solid: [],
  dangling: [],
  waiting: [],
  ...c,
});

describe('decide', () => {
  const rows: Array<[string, Partial<OwnerClassification>, Partial<ItemFacts>, GCAction]> = [
    ['a live owner keeps the item', { solid: [ref('a')] }, {}, { kind: 'none' }],
    [
      'multiple owners, one gone: drop the dangling reference',
      { solid: [ref('a')], dangling: [ref('b')] },
      {},
      { kind: 'removeOwnerRefs', uids: ['b'] },
    ],
    [
      'multiple owners, one waiting: drop the waiting reference',
      { solid: [ref('a')], waiting: [ref('c')] },
      {},
      { kind: 'removeOwnerRefs', uids: ['c'] },
    ],
    [
      'every owner gone: background deletion',
      { dangling: [ref('a'), ref('b')] },
      {},
      { kind: 'delete', policy: 'Background', unblockFirst: false },
    ],
    [
      'owners gone, item has the orphan finalizer',
      { dangling: [ref('a')] },
      { finalizers: ['orphan'] },
      { kind: 'delete', policy: 'Orphan', unblockFirst: false },
    ],
    [
      'owners gone, item has the foreground finalizer',
      { dangling: [ref('a')] },
      { finalizers: ['foregroundDeletion'] },
      { kind: 'delete', policy: 'Foreground', unblockFirst: false },
    ],
    [
      'owner waiting, item without dependents: background',
      { waiting: [ref('a')] },
      {},
      { kind: 'delete', policy: 'Background', unblockFirst: false },
    ],
    [
      'owner waiting, item with dependents: foreground',
      { waiting: [ref('a')] },
      { hasDependents: true },
      { kind: 'delete', policy: 'Foreground', unblockFirst: false },
    ],
    [
      'cycle: a dependent is deleting dependents too',
      { waiting: [ref('a')] },
      { hasDependents: true, dependentDeletingDependents: true },
      { kind: 'delete', policy: 'Foreground', unblockFirst: true },
    ],
  ];
  for (const [name, c, f, want] of rows) it(name, () => assert.deepEqual(decide(classes(c), facts(f)), want));
});

describe('patches', () => {
  const obj: KubeObject = {
    metadata: {
      name: 'x',
      resourceVersion: '7',
      ownerReferences: [ref('a', true), ref('b')],
      finalizers: ['orphan', 'x.io/keep'],
    },
  };
  it('ownerReferences without some owners, guarded by resourceVersion', () => {
    assert.deepEqual(ownerReferencesPatch(obj, withoutOwners(obj, ['a'])), {
      metadata: { ownerReferences: [ref('b')], resourceVersion: '7' },
    });
    assert.deepEqual(ownerReferencesPatch(obj, withoutOwners(obj, ['a', 'b'])), {
      metadata: { ownerReferences: null, resourceVersion: '7' },
    });
  });
  it('unblocking turns every blockOwnerDeletion off', () => {
    assert.deepEqual(unblockedOwners(obj), [{ ...ref('a'), blockOwnerDeletion: false }, ref('b')]);
    assert.equal(unblockedOwners({ metadata: { ownerReferences: [ref('b')] } }), undefined);
  });
  it('removing a finalizer', () => {
    assert.deepEqual(removeFinalizerPatch(obj, 'orphan'), {
      metadata: { finalizers: ['x.io/keep'], resourceVersion: '7' },
    });
    assert.deepEqual(removeFinalizerPatch({ metadata: { finalizers: ['orphan'], resourceVersion: '8' } }, 'orphan'), {
      metadata: { finalizers: null, resourceVersion: '8' },
    });
    assert.equal(removeFinalizerPatch(obj, 'foregroundDeletion'), undefined);
  });
});

describe('discovery', () => {
  const docs: Record<string, unknown> = {
    '/api/v1': {
      resources: [
        {
          name: 'pods',
          namespaced: true,
          kind: 'Pod',
          verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
        },
        { name: 'pods/status', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
        { name: 'events', namespaced: true, kind: 'Event', verbs: ['create', 'delete', 'get', 'list', 'watch'] },
        { name: 'bindings', namespaced: true, kind: 'Binding', verbs: ['create'] },
      ],
    },
    '/apis': {
      groups: [
        { name: 'apps', preferredVersion: { version: 'v1' } },
        { name: 'extensions', preferredVersion: { version: 'v1beta1' } },
      ],
    },
    '/apis/apps/v1': {
      resources: [{ name: 'daemonsets', namespaced: true, kind: 'DaemonSet', verbs: ['delete', 'list', 'watch'] }],
    },
    '/apis/extensions/v1beta1': {
      resources: [{ name: 'daemonsets', namespaced: true, kind: 'DaemonSet', verbs: ['delete', 'list', 'watch'] }],
    },
  };
  it('keeps deletable resources, skips subresources, events and the extensions group (resolved, not watched)', async () => {
    const r = await discoverDeletableResources(async (p) => docs[p]);
    assert.deepEqual(
      r.monitored.map((x) => `${x.group}/${x.version}/${x.resource}`),
      ['/v1/pods', 'apps/v1/daemonsets'],
    );
    assert.equal(r.byGroupKind.get(groupKindKey('extensions/v1beta1', 'DaemonSet'))?.version, 'v1beta1');
    assert.equal(r.byGroupKind.get(groupKindKey('v1', 'Event'))?.resource, 'events');
    assert.equal(r.byGroupKind.get(groupKindKey('v1', 'Binding')), undefined);
  });
  it('the first resource of a group and kind resolves references', () => {
    const r = classifyResources([
      { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
    ]);
    assert.equal(r.byGroupKind.get(groupKindKey('apps/v1beta2', 'DaemonSet'))?.version, 'v1');
  });
});

describe('DependencyGraph', () => {
  function graph() {
    const deletes: string[] = [];
    const orphans: string[] = [];
    const g = new DependencyGraph(
      { attemptToDelete: (u) => void deletes.push(u), attemptToOrphan: (u) => void orphans.push(u) },
      () => true,
    );
    return { g, deletes, orphans };
  }
  const obj = (uid: string, owners: OwnerReference[] = [], meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
    metadata: { name: `p-${uid}`, namespace: 'ns', uid, ownerReferences: owners, ...meta },
  });

  it('an owner not observed yet is a virtual node to verify', () => {
    const { g, deletes } = graph();
    g.observe(obj('d', [ref('o')]), 'v1', 'Pod');
    assert.equal(g.get('o')?.virtual, true);
    assert.deepEqual(deletes, ['o']);
    g.observe(obj('o'), 'v1', 'Pod');
    assert.equal(g.get('o')?.virtual, false);
    assert.deepEqual(
      [...g.get('o')!.dependents].map((n) => n.uid),
      ['d'],
    );
  });
  it("an owner's dependents: none, one, several, and back as they go (one is held without a set)", () => {
    const { g } = graph();
    const uids = () => [...g.get('o')!.dependents].map((n) => n.uid).sort();
    g.observe(obj('o'), 'v1', 'Pod');
    assert.deepEqual(uids(), []);
    g.observe(obj('d1', [ref('o')]), 'v1', 'Pod');
    g.observe(obj('d1', [ref('o')]), 'v1', 'Pod'); // observed again: still one dependent
    assert.deepEqual(uids(), ['d1']);
    g.observe(obj('d2', [ref('o')]), 'v1', 'Pod');
    g.observe(obj('d3', [ref('o', true)]), 'v1', 'Pod');
    assert.deepEqual(uids(), ['d1', 'd2', 'd3']);
    assert.deepEqual(
      g
        .get('o')!
        .blockingDependents()
        .map((n) => n.uid),
      ['d3'],
    );
    g.observe(obj('d2'), 'v1', 'Pod'); // no longer owned
    g.observeDeleted('d3');
    assert.deepEqual(uids(), ['d1']);
    g.observeDeleted('d1');
    assert.deepEqual(uids(), []);
    g.observe(obj('d4', [ref('o')]), 'v1', 'Pod');
    assert.deepEqual(uids(), ['d4']);
    // an owner that only ever had one dependent at a time
    const single = () => [...g.get('p')!.dependents].map((n) => n.uid);
    g.observe(obj('p'), 'v1', 'Pod');
    g.observe(obj('e1', [ref('p')]), 'v1', 'Pod');
    assert.deepEqual(single(), ['e1']);
    g.observeDeleted('e1');
    assert.deepEqual(single(), []);
    g.observe(obj('e2', [ref('p')]), 'v1', 'Pod');
    g.observe(obj('e2'), 'v1', 'Pod'); // no longer owned
    assert.deepEqual(single(), []);
  });
  it('a deleted owner sends its dependents to attemptToDelete', () => {
    const { g, deletes } = graph();
    g.observe(obj('o'), 'v1', 'Pod');
    g.observe(obj('d1', [ref('o')]), 'v1', 'Pod');
    g.observe(obj('d2', [ref('o')]), 'v1', 'Pod');
    g.observeDeleted('o');
    assert.deepEqual(deletes.sort(), ['d1', 'd2']);
  });
  it('the orphan finalizer on a deleting owner goes to attemptToOrphan', () => {
    const { g, orphans } = graph();
    g.observe(obj('o', [], { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] }), 'v1', 'Pod');
    assert.deepEqual(orphans, ['o']);
  });
  it('foreground deletion enqueues the dependents and the owner; a dependent that stops blocking re-enqueues the owner', () => {
    const { g, deletes } = graph();
    g.observe(obj('o'), 'v1', 'Pod');
    g.observe(obj('d', [ref('o', true)]), 'v1', 'Pod');
    g.observe(
      obj('o', [], { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }),
      'v1',
      'Pod',
    );
    assert.deepEqual(deletes, ['d', 'o']);
    assert.deepEqual(
      g
        .get('o')!
        .blockingDependents()
        .map((n) => n.uid),
      ['d'],
    );
    g.observe(obj('d', [{ ...ref('o'), blockOwnerDeletion: false }]), 'v1', 'Pod');
    assert.deepEqual(deletes, ['d', 'o', 'o']);
    assert.deepEqual(g.get('o')!.blockingDependents(), []);
    g.observeDeleted('d');
    assert.deepEqual(deletes, ['d', 'o', 'o', 'o']);
  });
});
