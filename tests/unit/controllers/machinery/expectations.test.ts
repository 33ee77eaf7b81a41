import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from '../../../../controllers/machinery/expectations.js';

type Step = (e: ControllerExpectations, clock: FakeClock) => void;

describe('ControllerExpectations', () => {
  const key = 'default/fluentd';
  const cases: Array<{ name: string; steps: Step[]; satisfied: boolean; left?: { add: number; del: number } }> = [
    { name: 'no expectations: satisfied', steps: [], satisfied: true },
    {
      name: 'pending creations: not satisfied',
      steps: [(e) => e.expectCreations(key, 2)],
      satisfied: false,
      left: { add: 2, del: 0 },
    },
    {
      name: 'every creation observed: satisfied',
      steps: [(e) => e.expectCreations(key, 2), (e) => e.creationObserved(key), (e) => e.creationObserved(key)],
      satisfied: true,
      left: { add: 0, del: 0 },
    },
    {
      name: 'one of two deletions observed: not satisfied',
      steps: [(e) => e.expectDeletions(key, 2), (e) => e.deletionObserved(key)],
      satisfied: false,
      left: { add: 0, del: 1 },
    },
    {
      name: 'creations and deletions: both must reach zero',
      steps: [(e) => e.setExpectations(key, 1, 1), (e) => e.creationObserved(key)],
      satisfied: false,
      left: { add: 0, del: 1 },
    },
    {
      name: 'more observed than expected: satisfied (counts go negative)',
      steps: [(e) => e.expectCreations(key, 1), (e) => e.creationObserved(key), (e) => e.creationObserved(key)],
      satisfied: true,
      left: { add: -1, del: 0 },
    },
    {
      name: 'raise adds to existing expectations',
      steps: [(e) => e.expectCreations(key, 1), (e) => e.raiseExpectations(key, 2, 1), (e) => e.creationObserved(key)],
      satisfied: false,
      left: { add: 2, del: 1 },
    },
    {
      name: 'raise without expectations does nothing',
      steps: [(e) => e.raiseExpectations(key, 2, 0)],
      satisfied: true,
    },
    {
      name: 'lower skips creations that will never be observed',
      steps: [(e) => e.expectCreations(key, 5), (e) => e.lowerExpectations(key, 5, 0)],
      satisfied: true,
      left: { add: 0, del: 0 },
    },
    {
      name: 'expired after five minutes: satisfied',
      steps: [(e) => e.expectCreations(key, 3), (_, c) => c.advance(EXPECTATIONS_TIMEOUT_MS + 1)],
      satisfied: true,
      left: { add: 3, del: 0 },
    },
    {
      name: 'exactly five minutes: not yet expired',
      steps: [(e) => e.expectCreations(key, 3), (_, c) => c.advance(EXPECTATIONS_TIMEOUT_MS)],
      satisfied: false,
    },
    {
      name: 'observations do not refresh the timestamp',
      steps: [
        (e) => e.expectCreations(key, 3),
        (_, c) => c.advance(EXPECTATIONS_TIMEOUT_MS - 1),
        (e) => e.creationObserved(key),
        (_, c) => c.advance(2),
      ],
      satisfied: true,
    },
    {
      name: 'deleteExpectations forgets the key',
      steps: [(e) => e.expectCreations(key, 3), (e) => e.deleteExpectations(key)],
      satisfied: true,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const clock = new FakeClock();
      const e = new ControllerExpectations(clock);
      for (const s of c.steps) s(e, clock);
      assert.equal(e.satisfied(key), c.satisfied);
      if (c.left) {
        const got = e.get(key)!;
        assert.deepEqual({ add: got.add, del: got.del }, c.left);
      }
      assert.equal(e.satisfied('other/key'), true, 'other keys are independent');
    });
  }
});
