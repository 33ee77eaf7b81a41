import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  heapArgsFor,
  LARGE_CLUSTER_NODES,
  LARGE_CLUSTER_SEMI_SPACE_MIB,
  MANAGER_HEAP_BOUND_NODES,
  managerHeapFor,
  serverHeapArgsFor,
} from '../../../cli/cluster-size.js';

describe('heapArgsFor', () => {
  const GiB = 2 ** 30;
  it("leaves Node's default heap below a large cluster", () => {
    assert.deepEqual(heapArgsFor(0, 24 * GiB), []);
    assert.deepEqual(heapArgsFor(LARGE_CLUSTER_NODES - 1, 24 * GiB), []);
  });
  it('gives each process 40 % of the memory from a large cluster on', () => {
    assert.deepEqual(heapArgsFor(LARGE_CLUSTER_NODES, 24 * GiB), ['--max-old-space-size=9830']);
    assert.deepEqual(heapArgsFor(100_000, 64 * GiB), ['--max-old-space-size=26214']);
  });
  it("never asks for less than Node's default", () => {
    assert.deepEqual(heapArgsFor(100_000, 8 * GiB), []);
  });
});

describe('serverHeapArgsFor', () => {
  const GiB = 2 ** 30;
  it("leaves the API server's young generation to cli/heap.ts below a large cluster", () => {
    assert.deepEqual(serverHeapArgsFor(3, 24 * GiB), []);
    assert.deepEqual(serverHeapArgsFor(LARGE_CLUSTER_NODES - 1, 24 * GiB), []);
  });
  it('gives the API server larger semi-spaces from a large cluster on, beside its old generation', () => {
    assert.equal(LARGE_CLUSTER_SEMI_SPACE_MIB, 64);
    assert.deepEqual(serverHeapArgsFor(LARGE_CLUSTER_NODES, 24 * GiB), [
      '--max-old-space-size=9830',
      '--max-semi-space-size=64',
    ]);
    assert.deepEqual(serverHeapArgsFor(100_000, 8 * GiB), ['--max-semi-space-size=64']);
  });
});

describe('managerHeapFor', () => {
  it('bounds the controller manager’s old generation on mid-sized clusters, and leaves V8’s pacing below and above', () => {
    assert.equal(managerHeapFor(3), undefined);
    assert.equal(managerHeapFor(MANAGER_HEAP_BOUND_NODES - 1), undefined);
    assert.deepEqual(managerHeapFor(MANAGER_HEAP_BOUND_NODES), { growingPercent: 100 });
    assert.deepEqual(managerHeapFor(LARGE_CLUSTER_NODES - 1), { growingPercent: 100 });
    assert.equal(managerHeapFor(LARGE_CLUSTER_NODES), undefined);
    assert.equal(managerHeapFor(100_000), undefined);
  });
});
