import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type KubeObject, withoutManagedFields } from '../../../apimachinery/objects.js';

/** A pod's text as the server writes it: `managedFields` last in its metadata. */
const POD = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    generateName: 'web-',
    namespace: 'default',
    uid: '6a0c1f0e-0d5b-4c2e-9a57-3f1f3f0c2b11',
    resourceVersion: '12345',
    creationTimestamp: '2026-12-07T08:00:00Z',
    labels: { app: 'web' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'web', uid: 'u', controller: true }],
    managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
  },
  spec: { containers: [{ name: 'app', image: 'nginx' }] },
});

describe('withoutManagedFields', () => {
  it('drops managedFields from a fresh parse in place, from a frozen object in a copy, and keeps everything else', () => {
    const parsed = JSON.parse(POD) as KubeObject;
    const meta = parsed.metadata;
    const stripped = withoutManagedFields(parsed);
    assert.equal(stripped, parsed, 'a fresh parse is changed in place');
    assert.equal(stripped.metadata, meta, 'its metadata too, when managedFields is its last member');
    const expected = JSON.parse(POD) as KubeObject;
    delete expected.metadata.managedFields;
    assert.equal(JSON.stringify(stripped), JSON.stringify(expected), 'the other members in their order');

    // managedFields elsewhere than last (a client's order): the metadata is a copy, the object the same
    const moved = JSON.parse(POD) as KubeObject;
    const { managedFields, ...rest } = moved.metadata;
    moved.metadata = { managedFields, ...rest };
    const movedMeta = moved.metadata;
    assert.equal(withoutManagedFields(moved), moved);
    assert.notEqual(moved.metadata, movedMeta);
    assert.equal(JSON.stringify(moved), JSON.stringify(expected));
    assert.ok('managedFields' in movedMeta, 'the metadata it had is left as it was');

    // frozen: a copy, the original untouched
    const frozen = Object.freeze(JSON.parse(POD) as KubeObject);
    const copy = withoutManagedFields(frozen);
    assert.notEqual(copy, frozen);
    assert.equal(JSON.stringify(copy), JSON.stringify(expected));
    assert.ok(Array.isArray(frozen.metadata.managedFields));
    const frozenMeta = JSON.parse(POD) as KubeObject;
    Object.freeze(frozenMeta.metadata);
    assert.equal(JSON.stringify(withoutManagedFields(frozenMeta)), JSON.stringify(expected), 'a frozen metadata');

    const none = JSON.parse(JSON.stringify(expected)) as KubeObject;
    assert.equal(withoutManagedFields(none), none);
    assert.equal(withoutManagedFields(none).metadata, none.metadata);
  });

  it('a cached metadata holds no more than the parse made of it (no copy with an array of its own members)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 20_000;
    /** Heap bytes a metadata of `n` pods kept (each pod's own strings excepted: the same parse makes them). */
    const perObject = (make: () => object): number => {
      gc();
      gc();
      const before = process.memoryUsage().heapUsed;
      const kept = Array.from({ length: n }, make);
      gc();
      gc();
      const bytes = (process.memoryUsage().heapUsed - before) / n;
      assert.equal(kept.length, n);
      return bytes;
    };
    const withoutText = JSON.stringify({ ...JSON.parse(POD), metadata: { ...JSON.parse(POD).metadata } }).replace(
      /,"managedFields":\[[^\]]*\]/,
      '',
    );
    assert.ok(!withoutText.includes('managedFields'));
    const parsedWithout = perObject(() => (JSON.parse(withoutText) as KubeObject).metadata);
    const stripped = perObject(() => withoutManagedFields(JSON.parse(POD) as KubeObject).metadata);
    // The copy a destructuring makes held ~24 bytes more (four members in the object, the others in an array).
    assert.ok(stripped - parsedWithout < 16, `${stripped.toFixed(0)} bytes against ${parsedWithout.toFixed(0)}`);
  });
});
