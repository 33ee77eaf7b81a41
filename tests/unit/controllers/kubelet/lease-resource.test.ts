import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fieldErrorString } from '../../../../apimachinery/field-errors.js';
import { leases, validateLease, validateLeaseSpec } from '../../../../server/registry/resources/leases/index.js';
import { LeaseRenewer, type Lease, renewedLease } from '../../../../controllers/kubelet/lease.js';
import type { ApiClient } from '../../../../controllers/machinery/types.js';
import { scaledTimings } from '../../../../controllers/kubelet/timings.js';

describe('Lease resource', () => {
  const rows: Array<[string, Record<string, unknown>, string[]]> = [
    ['a node lease', { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.000000Z' }, []],
    [
      'duration 0',
      { leaseDurationSeconds: 0 },
      ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'],
    ],
    [
      'negative transitions',
      { leaseTransitions: -1 },
      ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'],
    ],
    [
      'unknown strategy',
      { strategy: 'Newest' },
      ['spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"'],
    ],
    [
      'preferredHolder without strategy',
      { preferredHolder: 'x' },
      ['spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined'],
    ],
  ];
  for (const [name, spec, want] of rows)
    it(name, () => assert.deepEqual(validateLeaseSpec(spec).map(fieldErrorString), want));

  it('names are DNS subdomains and the namespace is required', () => {
    assert.deepEqual(
      validateLease({ metadata: { name: 'N1' } }).map((e) => e.field),
      ['metadata.name', 'metadata.namespace'],
    );
  });
  it('is served as coordination.k8s.io/v1, namespaced, stored under leases', () => {
    assert.deepEqual(
      [
        leases.group,
        leases.versions.map((v) => v.groupVersion),
        leases.namespaced,
        leases.etcdPrefix,
        !!leases.statusStrategy,
      ],
      ['coordination.k8s.io', ['coordination.k8s.io/v1'], true, 'leases', false],
    );
  });
});

describe('node Lease content', () => {
  it('a renewed Lease is held by the node, owned by it and passes validation', () => {
    const node = { metadata: { name: 'n1', uid: 'u1' } };
    const lease = renewedLease(node, undefined, Date.UTC(2024, 0, 1), scaledTimings(1));
    assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u1' }]);
    assert.deepEqual(lease.spec, {
      holderIdentity: 'n1',
      leaseDurationSeconds: 40,
      renewTime: '2024-01-01T00:00:00.000000Z',
    });
    assert.deepEqual(validateLease(lease), []);
    const moved = renewedLease(
      { metadata: { name: 'n1', uid: 'u2' } },
      { ...lease, spec: { ...lease.spec, leaseTransitions: 2 } },
      Date.UTC(2024, 0, 1, 0, 0, 10),
      scaledTimings(1),
    );
    assert.deepEqual(moved.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u2' }]);
    assert.equal(moved.spec?.leaseTransitions, 2);
  });
});

describe('node Lease renewer', () => {
  it('keeps the identity and version of the Leases it wrote, not the Leases (under 400 bytes a node; ~970 whole)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let rv = 1000;
    // the server's answer to a create: what was sent, with its identity, version and managedFields
    const answer = (lease: Lease): Lease => ({
      ...lease,
      metadata: {
        ...lease.metadata,
        uid: crypto.randomUUID(),
        resourceVersion: String(++rv),
        creationTimestamp: '2024-01-01T00:00:00Z',
        managedFields: [
          {
            manager: 'kubelet',
            operation: 'Update',
            apiVersion: 'coordination.k8s.io/v1',
            time: '2024-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:holderIdentity': {}, 'f:renewTime': {} } },
          },
        ],
      },
    });
    const updates: Lease[] = [];
    const client = {
      create: async (_r: unknown, _ns: unknown, lease: Lease) => answer(structuredClone(lease)),
      update: async (_r: unknown, _ns: unknown, lease: Lease) => {
        updates.push(lease);
        return { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++rv) } };
      },
    } as unknown as ApiClient;
    const renewer = new LeaseRenewer(client, scaledTimings(1));
    const nodes = Array.from({ length: 5000 }, (_, i) => ({
      metadata: { name: `node-${i}`, uid: crypto.randomUUID() },
    }));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const node of nodes) await renewer.renew(node, Date.UTC(2024, 0, 1));
    gc();
    const perNode = (process.memoryUsage().heapUsed - before) / nodes.length;
    assert.ok(perNode < 400, `${perNode.toFixed(0)} bytes a node`);
    // and renews from what it kept: the Lease it wrote, with its version
    await renewer.renew(nodes[7]!, Date.UTC(2024, 0, 1, 0, 0, 10));
    assert.deepEqual(updates[0]!.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Node', name: 'node-7', uid: nodes[7]!.metadata.uid },
    ]);
    assert.equal(updates[0]!.metadata.resourceVersion, '1008');
    assert.equal(updates[0]!.spec?.renewTime, '2024-01-01T00:00:10.000000Z');
  });
});
