/**
 * Helper process of the durability test in level.test.ts (not a test itself): opens the LevelDB store in
 * argv[2] and writes as fast as it can from several concurrent writers until it is killed. Prints `ready` once
 * open, then one line per acknowledged write: `create <key> <revision>` or `counter <n> <revision>`.
 */
import { openLevelStorage } from '../../../storage/level/level-storage.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: durability-child.js <dir>');
const storage = await openLevelStorage({ dir });
const COUNTER = '/registry/configmaps/default/counter';
try {
  await storage.create(COUNTER, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'counter' },
    data: { n: '0' },
  });
} catch {
  // exists from an earlier run
}
process.stdout.write('ready\n');

let next = 0;
async function creator(): Promise<never> {
  for (;;) {
    const name = `p-${process.pid}-${next++}`;
    const key = `/registry/pods/default/${name}`;
    const obj = await storage.create(key, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' } });
    process.stdout.write(`create ${key} ${obj.metadata.resourceVersion}\n`);
  }
}
async function incrementer(): Promise<never> {
  for (;;) {
    const obj = await storage.guaranteedUpdate(COUNTER, (cur) => {
      const data = cur.data as { n: string };
      return { ...cur, data: { n: String(Number(data.n) + 1) } };
    });
    process.stdout.write(`counter ${(obj.data as { n: string }).n} ${obj.metadata.resourceVersion}\n`);
  }
}
await Promise.all([...Array.from({ length: 12 }, creator), ...Array.from({ length: 4 }, incrementer)]);
