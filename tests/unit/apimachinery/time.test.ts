import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339, rfc3339Micro } from '../../../apimachinery/time.js';

describe('metav1 timestamps', () => {
  it('rfc3339 and rfc3339Micro print UTC at second and microsecond precision', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    assert.equal(rfc3339(d), '2024-01-02T03:04:05Z');
    assert.equal(rfc3339Micro(d), '2024-01-02T03:04:05.678000Z');
    assert.equal(rfc3339(new Date(Date.UTC(12345, 0, 1))), '+012345-01-01T00:00:00Z');
  });

  it('take milliseconds since the epoch as well', () => {
    const ms = Date.UTC(2024, 0, 2, 3, 4, 5, 999);
    assert.equal(rfc3339(ms), '2024-01-02T03:04:05Z');
    assert.equal(rfc3339Micro(ms), '2024-01-02T03:04:05.999000Z');
    assert.equal(rfc3339Micro(Date.UTC(2024, 0, 1, 0, 0, 1, 250)), '2024-01-01T00:00:01.250000Z');
  });

  it('truncate to the second, never round (also before the epoch)', () => {
    assert.equal(rfc3339(Date.UTC(2024, 0, 1, 0, 0, 59, 999)), '2024-01-01T00:00:59Z');
    assert.equal(rfc3339(-500), '1969-12-31T23:59:59Z');
  });
});
