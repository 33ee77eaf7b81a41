import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_HEAP, youngGrowthFactor } from '../../../cli/heap.js';

describe("the API server's young generation bound", () => {
  const MB = 1 << 20;
  it('stops the young generation at two 8 MB semi-spaces while the heap is small', () => {
    assert.equal(youngGrowthFactor(8 * MB, 100 * MB, SERVER_HEAP), 2, 'below the bound: grows as V8 would');
    assert.equal(youngGrowthFactor(16 * MB, 100 * MB, SERVER_HEAP), 1, 'at the bound: no growth');
    assert.equal(youngGrowthFactor(32 * MB, 200 * MB, SERVER_HEAP), 1);
  });
  it('gives the young generation back to V8 once the heap holds 256 MB (a cluster of thousands of nodes)', () => {
    assert.equal(youngGrowthFactor(16 * MB, 256 * MB, SERVER_HEAP), 2);
    assert.equal(youngGrowthFactor(16 * MB, 2048 * MB, SERVER_HEAP), 2);
  });
  it('without a bound, V8 decides', () => {
    assert.equal(youngGrowthFactor(16 * MB, 10 * MB, { growingPercent: 100 }), 2);
    assert.equal(youngGrowthFactor(16 * MB, 10 * MB, { growingPercent: 100, maxNewSpaceBytes: 16 * MB }), 1);
  });
});
