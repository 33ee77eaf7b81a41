/**
 * Helper process of memory.test.ts (not a test itself), run with --expose-gc: opens the store in argv[2] with a
 * watch window of argv[4] MiB, rewrites a 200 KB annotation argv[3] times and prints the heap after a full GC:
 * `heap <writes> <bytes>` lines, then `done`.
 */
import { openLevelStorage } from '../../../storage/level/level-storage.js';

const [dir, countArg, windowArg] = process.argv.slice(2);
if (!dir || !countArg || !windowArg) throw new Error('usage: memory-child.js <dir> <writes> <window MiB>');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const storage = await openLevelStorage({ dir, maxHistoryBytes: Number(windowArg) * 1024 * 1024 });
const key = '/registry/configmaps/default/big';
const object = (n: number) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'big', namespace: 'default', annotations: { blob: `${n}:`.padEnd(200 * 1024, 'x') } },
});
await storage.create(key, object(0));
const report = (n: number): void => {
  gc();
  process.stdout.write(`heap ${n} ${process.memoryUsage().heapUsed}\n`);
};
report(0);
const count = Number(countArg);
for (let n = 1; n <= count; n++) {
  await storage.guaranteedUpdate(key, () => object(n));
  if (n % 50 === 0 || n === count) report(n);
}
await storage.close();
process.stdout.write('done\n');
