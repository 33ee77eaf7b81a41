/**
 * Memory bounded by design: rewriting a 200 KB annotation keeps the heap of a store process flat once the watch
 * window is full (before the window had a byte bound, every version stayed in memory: about 200 MB per 1,000
 * rewrites). Measured with process.memoryUsage() after a full GC in a child process.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'memory-child.js');
const MiB = 1024 * 1024;

describe('store memory', () => {
  it('300 rewrites of a 200 KB annotation (60 MB of history) stay within the 8 MiB window', {
    timeout: 120_000,
  }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-emu-memory-'));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD, dir, '300', '8'], {
        maxBuffer: 1 << 20,
      });
      const samples = [...stdout.matchAll(/^heap (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
      assert.match(stdout, /^done$/m);
      assert.equal(samples.length, 7);
      const base = samples[0]![1];
      const growth = samples.map(([n, heap]) => `${n}: +${((heap - base) / MiB).toFixed(1)} MiB`);
      // Window (8 MiB) + the current object + the engine's own noise; 60 MB were written.
      for (const [, heap] of samples) assert.ok(heap - base < 24 * MiB, `heap grew: ${growth.join(', ')}`);
      // Flat once the window is full: the last sample is no higher than the one at 150 writes plus noise.
      const at150 = samples.find(([n]) => n === 150)![1];
      assert.ok(samples[samples.length - 1]![1] - at150 < 6 * MiB, `heap kept growing: ${growth.join(', ')}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
