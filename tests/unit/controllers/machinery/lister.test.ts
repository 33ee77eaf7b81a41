import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  freezeInterned,
  IndexedStore,
  INTERN_MAX_LENGTH,
  StringTable,
} from '../../../../controllers/machinery/lister.js';
import type { KubeObject } from '../../../../apimachinery/objects.js';

/** A string with the same characters as `s` but not the same heap object (JSON.parse makes such copies). */
const copyOf = (s: string) => JSON.parse(JSON.stringify(s)) as string;

describe('freezeInterned', () => {
  it('freezes every level and keeps the values', () => {
    const obj = { a: 'x', b: [1, 'y', { c: 'z', d: null }], e: { f: true } };
    const before = structuredClone(obj);
    freezeInterned(obj, new StringTable());
    assert.deepEqual(obj, before);
    assert.ok(Object.isFrozen(obj) && Object.isFrozen(obj.b) && Object.isFrozen(obj.b[2]) && Object.isFrozen(obj.e));
  });

  it('gives equal strings of two objects one table entry, and leaves long strings alone', () => {
    const table = new StringTable();
    const long = 'x'.repeat(INTERN_MAX_LENGTH + 1);
    freezeInterned({ type: copyOf('Ready'), list: [copyOf('NoSchedule')], long }, table);
    assert.equal(table.size, 2);
    freezeInterned({ type: copyOf('Ready'), list: [copyOf('NoSchedule')], long: copyOf(long) }, table);
    assert.equal(table.size, 2);
  });

  it('leaves objects that are already frozen as they are', () => {
    const shared = Object.freeze({ name: 'kept' });
    const table = new StringTable();
    freezeInterned({ shared }, table);
    assert.equal(table.size, 0);
  });

  it('is what the store does to objects it keeps', () => {
    const store = new IndexedStore<KubeObject>();
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'a' } } };
    store.upsert(obj);
    assert.ok(Object.isFrozen(store.get(undefined, 'p')!.metadata.labels));
  });
});
