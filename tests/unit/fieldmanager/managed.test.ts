import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldPE, FieldSet } from '../../../server/fieldmanager/fieldpath.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  managerFromUserAgent,
  managerIdentifier,
  validateFieldManager,
  type Managed,
} from '../../../server/fieldmanager/managed.js';

const set = (...fields: string[]) =>
  FieldSet.of(...fields.map((f) => [fieldPE('metadata'), fieldPE('labels'), fieldPE(f)]));

describe('manager identifiers', () => {
  it('leave out time and fields, and the apiVersion of appliers', () => {
    assert.equal(
      managerIdentifier({ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1' }),
      '{"manager":"kubectl","operation":"Update","apiVersion":"apps/v1"}',
    );
    assert.equal(
      managerIdentifier({ manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1' }),
      '{"manager":"kubectl","operation":"Apply"}',
    );
    assert.equal(
      managerIdentifier({ manager: 'kubelet', operation: 'Update', apiVersion: 'v1', subresource: 'status' }),
      '{"manager":"kubelet","operation":"Update","apiVersion":"v1","subresource":"status"}',
    );
  });
});

describe('decode and encode managedFields', () => {
  const entries = [
    {
      manager: 'b',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:02Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:b': {} } } },
    },
    {
      manager: 'z',
      operation: 'Apply',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:09Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:z': {} } } },
    },
    {
      manager: 'a',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-01-01T00:00:02Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:a': {} } } },
      subresource: 'status',
    },
  ];

  it('round-trips and sorts: Apply first, then by time, manager, apiVersion, subresource', () => {
    const m = decodeManagedFields(entries);
    assert.equal(m.fields.size, 3);
    assert.deepEqual(
      encodeManagedFields(m)!.map((e) => e.manager),
      ['z', 'a', 'b'],
    );
    assert.deepEqual(encodeManagedFields(m)![1], entries[2]);
  });

  const bad: [string, unknown][] = [
    ['unknown operation', [{ ...entries[0], operation: 'Create' }]],
    ['no apiVersion', [{ ...entries[0], apiVersion: '' }]],
    ['no fieldsType', [{ ...entries[0], fieldsType: undefined }]],
    ['other fieldsType', [{ ...entries[0], fieldsType: 'FieldsV2' }]],
    ['malformed fields', [{ ...entries[0], fieldsV1: { 'f:a': 'x' } }]],
    ['not a list', { a: 1 }],
  ];
  for (const [name, value] of bad) it(`refuses ${name}`, () => assert.throws(() => decodeManagedFields(value)));

  it('no managers encode as no managedFields', () => {
    assert.equal(encodeManagedFields({ fields: new Map(), times: new Map() }), undefined);
  });

  it('[] and [{}] reset; anything else does not', () => {
    assert.ok(isResetManagedFields([]));
    assert.ok(isResetManagedFields([{}]));
    assert.ok(!isResetManagedFields(undefined));
    assert.ok(!isResetManagedFields(null));
    assert.ok(!isResetManagedFields([{ manager: 'x' }]));
    assert.ok(!isResetManagedFields([{}, {}]));
  });
});

describe('capUpdateManagers', () => {
  it('merges the oldest update managers into ancient-changes once there are more than 10', () => {
    const m: Managed = { fields: new Map(), times: new Map() };
    for (let i = 0; i < 12; i++) {
      const id = managerIdentifier({
        manager: `m${String(i).padStart(2, '0')}`,
        operation: 'Update',
        apiVersion: 'v1',
      });
      m.fields.set(id, { set: set(`l${i}`), apiVersion: 'v1', applied: false });
      m.times.set(id, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`);
    }
    const applier = managerIdentifier({ manager: 'applier', operation: 'Apply' });
    m.fields.set(applier, { set: set('x'), apiVersion: 'v1', applied: true });
    capUpdateManagers(m);
    const names = encodeManagedFields(m)!.map((e) => e.manager);
    assert.equal(names.filter((n) => n !== 'applier').length, 10);
    assert.ok(names.includes('ancient-changes'));
    assert.ok(!names.includes('m00') && !names.includes('m01') && !names.includes('m02'));
    const bucket = m.fields.get(
      managerIdentifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: 'v1' }),
    )!;
    assert.ok(bucket.set.equals(set('l0', 'l1', 'l2')));
  });
});

describe('manager names', () => {
  it('come from the User-Agent up to the first slash', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerFromUserAgent('kube-controller-manager/v1.30'), 'kube-controller-manager');
    assert.equal(managerFromUserAgent('node'), 'node');
    assert.equal(managerFromUserAgent(undefined), '');
    assert.equal(managerFromUserAgent('a\u0007b/1'), 'ab');
    assert.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
    assert.equal(managerFromUserAgent('x'.repeat(128)), 'x'.repeat(128));
    assert.equal(managerFromUserAgent('é'.repeat(100)), 'é'.repeat(64)); // 128 bytes
    assert.equal(managerFromUserAgent('a\u00a0b c\u007f/2'), 'ab c');
    assert.equal(managerFromUserAgent('/v1'), '');
  });

  it('are validated: length and printable characters', () => {
    assert.deepEqual(validateFieldManager('kubectl'), []);
    assert.equal(validateFieldManager('x'.repeat(129))[0]!.type, 'FieldValueTooLong');
    assert.equal(validateFieldManager('a\tb')[0]!.detail, 'invalid character U+0009 (at position 1)');
  });
});
