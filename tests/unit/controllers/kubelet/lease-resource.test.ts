import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../../apimachinery/field-errors.js';
import { leases, validateLease, validateLeaseSpec } from '../../../../server/registry/resources/leases/index.js';
import { renewedLease } from '../../../../controllers/kubelet/lease.js';
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
