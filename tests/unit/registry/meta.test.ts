import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { orderTopLevel } from '../../../server/registry/meta.js';
import {
  validateGenericObjectMeta,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../../server/registry/validation/meta.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from '../../../server/registry/validation/names.js';
import type { ObjectMeta } from '../../../server/registry/validation/types.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const ns = { namespaced: true, nameValidator: nameIsDNSSubdomain };
const cluster = { namespaced: false, nameValidator: nameIsDNSLabel };
const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' };

describe('validateObjectMeta', () => {
  const rows: Array<[string, ObjectMeta, typeof ns, string[]]> = [
    ['valid', { name: 'a', namespace: 'default' }, ns, []],
    [
      'name required',
      { namespace: 'default' },
      ns,
      ['metadata.name: Required value: name or generateName is required'],
    ],
    ['invalid name', { name: 'A', namespace: 'default' }, ns, [`metadata.name: Invalid value: "A": ${SUBDOMAIN}`]],
    ['generateName prefix ok', { generateName: 'web-', name: 'web-abcde', namespace: 'd' }, ns, []],
    [
      'invalid generateName',
      { generateName: 'Web-', name: 'web-x', namespace: 'd' },
      ns,
      [`metadata.generateName: Invalid value: "Web-": ${SUBDOMAIN}`],
    ],
    ['namespace required', { name: 'a' }, ns, ['metadata.namespace: Required value']],
    [
      'namespace invalid',
      { name: 'a', namespace: 'a.b' },
      ns,
      ['metadata.namespace: Invalid value: "a.b": must not contain dots'],
    ],
    [
      'namespace forbidden on cluster kinds',
      { name: 'a', namespace: 'x' },
      cluster,
      ['metadata.namespace: Forbidden: not allowed on this type'],
    ],
    ['label name rule', { name: 'a.b' }, cluster, ['metadata.name: Invalid value: "a.b": must not contain dots']],
    [
      'negative generation',
      { name: 'a', generation: -1 },
      cluster,
      ['metadata.generation: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'bad label value',
      { name: 'a', labels: { app: 'a b' } },
      cluster,
      [`metadata.labels: Invalid value: "a b": ${LABEL_VALUE}`],
    ],
    [
      'bad label key',
      { name: 'a', labels: { 'a b': 'x' } },
      cluster,
      [`metadata.labels: Invalid value: "a b": ${QNAME}`],
    ],
    ['annotation key case-insensitive', { name: 'a', annotations: { 'Example.com/Key': 'v' } }, cluster, []],
    [
      'bad annotation key',
      { name: 'a', annotations: { 'a b': 'v' } },
      cluster,
      [`metadata.annotations: Invalid value: "a b": ${QNAME}`],
    ],
    [
      'annotations too large',
      { name: 'a', annotations: { k: 'x'.repeat(262144) } },
      cluster,
      ['metadata.annotations: Too long: must have at most 262144 bytes'],
    ],
    ['owner reference ok', { name: 'a', ownerReferences: [ref] }, cluster, []],
    [
      'owner reference missing fields',
      { name: 'a', ownerReferences: [{ apiVersion: 'apps/' }] },
      cluster,
      [
        'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
        'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
        'metadata.ownerReferences.name: Invalid value: "": must not be empty',
        'metadata.ownerReferences.uid: Invalid value: "": must not be empty',
      ],
    ],
    [
      'two controllers',
      {
        name: 'a',
        ownerReferences: [
          { ...ref, controller: true },
          { ...ref, name: 'rs2', controller: true },
        ],
      },
      cluster,
      [
        `metadata.ownerReferences: Invalid value: ${JSON.stringify([
          { ...ref, controller: true },
          { ...ref, name: 'rs2', controller: true },
        ])}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2`,
      ],
    ],
    [
      'event owner banned',
      { name: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] },
      cluster,
      [
        'metadata.ownerReferences: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner',
      ],
    ],
    [
      'bad finalizer',
      { name: 'a', finalizers: ['a/b/c'] },
      cluster,
      [
        "metadata.finalizers: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    ],
    [
      'conflicting finalizers',
      { name: 'a', finalizers: ['orphan', 'foregroundDeletion'] },
      cluster,
      [
        'metadata.finalizers: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
      ],
    ],
    [
      'managed fields operation',
      { name: 'a', managedFields: [{ operation: 'Patch', manager: 'm' }] },
      cluster,
      ['metadata.managedFields[0].operation: Invalid value: "Patch": must be `Apply` or `Update`'],
    ],
  ];
  for (const [name, meta, opts, want] of rows)
    it(name, () => assert.deepEqual(validateObjectMeta(meta, opts).map(fieldErrorString), want));

  it('kube finalizer rule for built-in kinds', () =>
    assert.deepEqual(
      validateObjectMeta(
        { name: 'a', finalizers: ['foo', 'kubernetes', 'x.io/y'] },
        { ...cluster, kubeFinalizers: true },
      ).map(fieldErrorString),
      [
        'metadata.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
      ],
    ));
  it('unprefixed finalizer allowed for custom resources', () =>
    assert.deepEqual(validateObjectMeta({ name: 'a', finalizers: ['foo'] }, cluster), []));
  it('generic BeforeCreate check only rejects path-unsafe names', () => {
    assert.deepEqual(validateGenericObjectMeta({ name: 'Any_Name', namespace: 'd' }, true), []);
    assert.deepEqual(validateGenericObjectMeta({ name: 'a/b', namespace: 'd' }, true).map(fieldErrorString), [
      'metadata.name: Invalid value: "a/b": may not contain \'/\'',
    ]);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = {
    name: 'a',
    namespace: 'd',
    uid: 'u1',
    resourceVersion: '5',
    generation: 2,
    creationTimestamp: '2024-01-02T03:04:05Z',
  };
  const rows: Array<[string, ObjectMeta, ObjectMeta, string[]]> = [
    ['unchanged', { ...old }, old, []],
    [
      'resourceVersion required',
      { ...old, resourceVersion: '' },
      old,
      ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    ],
    ['name immutable', { ...old, name: 'b' }, old, ['metadata.name: Invalid value: "b": field is immutable']],
    [
      'namespace immutable',
      { ...old, namespace: 'e' },
      old,
      ['metadata.namespace: Invalid value: "e": field is immutable'],
    ],
    ['uid immutable', { ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
    [
      'generation decremented',
      { ...old, generation: 1 },
      old,
      ['metadata.generation: Invalid value: 1: must not be decremented'],
    ],
    [
      'creationTimestamp immutable',
      { ...old, creationTimestamp: '2025-01-01T00:00:00Z' },
      old,
      ['metadata.creationTimestamp: Invalid value: 2025-01-01 00:00:00 +0000 UTC: field is immutable'],
    ],
    ['creationTimestamp same instant', { ...old, creationTimestamp: '2024-01-02T04:04:05+01:00' }, old, []],
    [
      'deletionTimestamp cannot be set',
      { ...old, deletionTimestamp: '2024-02-01T00:00:00Z' },
      old,
      ['metadata.deletionTimestamp: Invalid value: 2024-02-01 00:00:00 +0000 UTC: field is immutable'],
    ],
    [
      'deletionTimestamp cannot be removed',
      { ...old },
      { ...old, deletionTimestamp: '2024-02-01T00:00:00Z' },
      ['metadata.deletionTimestamp: Invalid value: null: field is immutable'],
    ],
    [
      'deletionGracePeriodSeconds immutable',
      { ...old, deletionGracePeriodSeconds: 30 },
      old,
      ['metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable'],
    ],
    [
      'no new finalizers while deleting',
      { ...old, deletionTimestamp: 't', finalizers: ['a.io/x', 'b.io/y'] },
      { ...old, deletionTimestamp: 't', finalizers: ['a.io/x'] },
      [
        'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b.io/y"}',
      ],
    ],
    [
      'labels still validated',
      { ...old, labels: { a: '-' } },
      old,
      [`metadata.labels: Invalid value: "-": ${LABEL_VALUE}`],
    ],
  ];
  for (const [name, n, o, want] of rows)
    it(name, () => assert.deepEqual(validateObjectMetaUpdate(n, o).map(fieldErrorString), want));
});

describe('serialization order', () => {
  it('orderTopLevel puts type meta, metadata and spec first and status last, keeping other fields in order', () => {
    const obj = {
      status: { phase: 'x' },
      extra: 1,
      spec: {},
      metadata: { name: 'n' },
      kind: 'Pod',
      other: undefined,
      apiVersion: 'v1',
      1: 'one',
    } as unknown as KubeObject;
    const ordered = orderTopLevel(obj);
    assert.deepEqual(Object.keys(ordered), ['1', 'apiVersion', 'kind', 'metadata', 'spec', 'extra', 'other', 'status']);
    assert.equal(ordered.metadata, obj.metadata);
    assert.deepEqual(Object.keys(orderTopLevel({ metadata: {} } as KubeObject)), ['metadata']);
  });
});
