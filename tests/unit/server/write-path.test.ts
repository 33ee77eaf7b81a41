// The write path's shortcuts give byte for byte what the general path gives: a response (and watch line) made
// from the text the store wrote instead of serializing the stored object again, and managedFields of a body that
// sends the live entries back, decoded from the live (frozen, cached) entries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clone, deepFreeze } from '../../../apimachinery/copy.js';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { eventLine, objectJSON, versioned } from '../../../server/api/serialize.js';
import { fieldManagerFor } from '../../../server/fieldmanager/index.js';
import { orderTopLevel } from '../../../server/registry/meta.js';
import { Registry } from '../../../server/registry/registry.js';
import { defaultResources } from '../../../server/registry/resources/index.js';
import type { Storage } from '../../../storage/interface.js';
import { materialize } from '../../../storage/level/codec.js';
import { MAX_STORED_TEXTS, makeEvent, takeStoredText } from '../../../storage/stored-objects.js';

// Serializing and field management only read definitions: the stores are never used.
const registry = new Registry({} as Storage, defaultResources());

/** Members whose JSON text is easy to get wrong: integer-like keys, escapes, `__proto__`, numbers. */
function awkwardMembers(): Record<string, unknown> {
  return JSON.parse(
    '{"labels":{"b":"1","2":"two","1":"one","é":"ü"},"annotations":{"__proto__":"p","x":"\\u2028<>&\\"\\\\"}}',
  ) as Record<string, unknown>;
}

function storedForm(apiVersion: string, kind: string, extra: Record<string, unknown> = {}): KubeObject {
  return orderTopLevel({
    status: { phase: 'Running', n: 1.5, big: 1e21, neg: -0 },
    spec: { list: [null, true, 0.1, 'x'], nested: { '10': 1, '9': 2 } },
    kind,
    apiVersion,
    metadata: {
      name: 'x',
      namespace: 'ns',
      uid: '6d1f8a9e-0c2b-4a8e-9f1e-3b2a1c0d9e8f',
      creationTimestamp: '2026-12-05T00:00:00Z',
      ...awkwardMembers(),
    },
    other: { z: 1, a: 2 },
    ...extra,
  } as KubeObject);
}

describe('responses made from the stored text', () => {
  it('equal JSON.stringify of the versioned object, for every served resource', () => {
    let reused = 0;
    for (const handle of registry.handles) {
      const { groupVersion } = handle.view;
      const { object } = materialize(storedForm(groupVersion, handle.def.kind), 7);
      let expected: string;
      try {
        expected = JSON.stringify(versioned(handle, object));
      } catch {
        continue; // a view whose conversion needs a real object of its kind
      }
      if (handle.view.fromStorage(object) === object) reused++;
      assert.equal(objectJSON(handle, object), expected, `${groupVersion} ${handle.def.plural}`);
      const ev = makeEvent('ADDED', '/registry/x', 7, object);
      assert.equal(eventLine(handle, ev, 'ADDED', object).toString(), `{"type":"ADDED","object":${expected}}\n`);
    }
    assert.ok(reused > 20, `storage-form views: ${reused}`);
  });

  it('fall back to serializing when the stored text is not in the served form', () => {
    const pods = registry.find('v1', 'pods')!;
    const cases: KubeObject[] = [
      // kind before apiVersion, metadata not third
      { kind: 'Pod', apiVersion: 'v1', spec: {}, metadata: { name: 'a' } } as KubeObject,
      // stored under another apiVersion or kind than the view serves
      storedForm('v2', 'Pod'),
      storedForm('v1', 'NotPod'),
      // no metadata
      { apiVersion: 'v1', kind: 'Pod', spec: {} } as unknown as KubeObject,
    ];
    for (const obj of cases) {
      const { object } = materialize(obj, 3);
      const expected = JSON.stringify(versioned(pods, object));
      assert.equal(objectJSON(pods, object), expected);
    }
  });

  it('serve the text once: a second object with the same content serializes on its own', () => {
    const leases = registry.find('coordination.k8s.io/v1', 'leases')!;
    const a = materialize(storedForm('coordination.k8s.io/v1', 'Lease'), 5).object;
    const first = objectJSON(leases, a);
    assert.equal(objectJSON(leases, a), first); // cached per object
    const b = materialize(storedForm('coordination.k8s.io/v1', 'Lease'), 5).object;
    assert.equal(objectJSON(leases, b), first);
  });
});

describe('managedFields of a body that sends the live entries back', () => {
  const cases: { resource: [string, string]; obj: Record<string, unknown>; change: (o: any) => void }[] = [
    {
      resource: ['v1', 'pods'],
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'ns', labels: { app: 'a' } },
        spec: {
          containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }],
        },
      },
      change: (o) => {
        o.metadata.annotations = { a: 'b' };
        o.spec.containers[0].image = 'nginx:2';
      },
    },
    {
      resource: ['coordination.k8s.io/v1', 'leases'],
      obj: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'n', namespace: 'kube-node-lease' },
        spec: { holderIdentity: 'n', leaseDurationSeconds: 40, renewTime: '2026-12-05T00:00:00.000000Z' },
      },
      change: (o) => {
        o.spec.renewTime = '2026-12-05T00:00:10.000000Z';
      },
    },
    {
      resource: ['v1', 'configmaps'],
      obj: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'ns' },
        data: { a: '1', '2': 'x' },
      },
      change: (o) => {
        delete o.data.a;
        o.data.b = '2';
      },
    },
  ];

  for (const { resource, obj, change } of cases) {
    it(`are what the live entries give (${resource.join(' ')})`, () => {
      const handle = registry.find(resource[0], resource[1])!;
      const fm = fieldManagerFor(handle);
      for (let attempt = 0; ; attempt++) {
        const created = fm.update(undefined, clone(obj) as KubeObject, 'creator');
        const live = deepFreeze({ ...created, metadata: { ...created.metadata, uid: 'u', resourceVersion: '1' } });
        assert.ok(live.metadata.managedFields?.length);
        const sentBack = clone(live) as any;
        change(sentBack);
        const without = clone(sentBack);
        delete without.metadata.managedFields;
        const a = fm.update(live, sentBack, 'updater');
        const b = fm.update(live, without, 'updater');
        // the same second (the entries' time), else once more
        if (JSON.stringify(a) !== JSON.stringify(b) && attempt < 3) continue;
        assert.equal(JSON.stringify(a.metadata.managedFields), JSON.stringify(b.metadata.managedFields));
        assert.ok(a.metadata.managedFields!.some((e: any) => e.manager === 'updater'));
        break;
      }
    });
  }

  it('entries that differ from the live ones still replace them', () => {
    const handle = registry.find('v1', 'configmaps')!;
    const fm = fieldManagerFor(handle);
    const created = fm.update(undefined, clone(cases[2]!.obj) as KubeObject, 'creator');
    const live = deepFreeze({ ...created, metadata: { ...created.metadata, uid: 'u', resourceVersion: '1' } });
    const sent = clone(live) as any;
    sent.metadata.managedFields[0].manager = 'someone-else';
    const out = fm.update(live, sent, 'updater');
    const managers = out.metadata.managedFields!.map((e: any) => e.manager);
    assert.ok(managers.includes('someone-else'), managers.join());
    assert.ok(!managers.includes('creator'), managers.join());
  });
});

describe('stored texts nobody takes', () => {
  it('are kept for the most recent writes only', () => {
    const first = materialize(storedForm('v1', 'Pod'), 1).object;
    for (let i = 0; i < MAX_STORED_TEXTS; i++) materialize(storedForm('v1', 'Pod'), i + 2);
    assert.equal(takeStoredText(first), undefined);
    const last = materialize(storedForm('v1', 'Pod'), 99).object;
    assert.equal(typeof takeStoredText(last), 'string');
    assert.equal(takeStoredText(last), undefined, 'taken once');
    const pods = registry.find('v1', 'pods')!;
    assert.equal(objectJSON(pods, first), JSON.stringify(versioned(pods, first)));
  });
});
