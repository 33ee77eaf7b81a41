import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  heapArgsFor,
  LARGE_CLUSTER_NODES,
  LARGE_CLUSTER_SEMI_SPACE_MIB,
  LARGE_CLUSTER_WRITE_BUFFER_MIB,
  MANAGER_HEAP_BOUND_NODES,
  managerHeapFor,
  serverHeapArgsFor,
  serverStorageArgsFor,
} from '../../../cli/cluster-size.js';

const GiB = 2 ** 30;

describe('heapArgsFor', () => {
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

describe("the API server's flags by cluster size", () => {
  it("leaves the young generation to cli/heap.ts and the store's write buffer to LevelDB below a large cluster", () => {
    for (const nodes of [3, LARGE_CLUSTER_NODES - 1]) {
      assert.deepEqual(serverHeapArgsFor(nodes, 24 * GiB), []);
      assert.deepEqual(serverStorageArgsFor(nodes), []);
    }
  });
  it('gives larger semi-spaces beside the old generation, and a larger write buffer, from a large cluster on', () => {
    assert.equal(LARGE_CLUSTER_SEMI_SPACE_MIB, 64);
    assert.deepEqual(serverHeapArgsFor(LARGE_CLUSTER_NODES, 24 * GiB), [
      '--max-old-space-size=9830',
      '--max-semi-space-size=64',
    ]);
    assert.deepEqual(serverHeapArgsFor(100_000, 8 * GiB), ['--max-semi-space-size=64']);
    assert.equal(LARGE_CLUSTER_WRITE_BUFFER_MIB, 16);
    assert.deepEqual(serverStorageArgsFor(LARGE_CLUSTER_NODES), [
      '--storage-write-buffer-mib',
      String(LARGE_CLUSTER_WRITE_BUFFER_MIB),
    ]);
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
