import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle } from '../../../../controllers/machinery/clock.js';
import { memoryLogger } from '../../../../controllers/machinery/logging.js';
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  TokenBucket,
  defaultControllerRateLimiter,
} from '../../../../controllers/machinery/ratelimit.js';
import { RateLimitingQueue } from '../../../../controllers/machinery/workqueue.js';

const never = new AbortController().signal;

/** Takes every key available now, without waiting (and marks each done unless told otherwise). */
async function drain(q: RateLimitingQueue, done = true): Promise<string[]> {
  const out: string[] = [];
  while (q.length() > 0) {
    const k = (await q.next(never))!;
    out.push(k);
    if (done) q.done(k);
  }
  return out;
}

describe('RateLimitingQueue', () => {
  const cases: Array<{ name: string; run: (q: RateLimitingQueue) => Promise<string[]>; want: string[] }> = [
    {
      name: 'deduplicates keys waiting in the queue, FIFO otherwise',
      run: async (q) => {
        q.add('a');
        q.add('b');
        q.add('a');
        q.add('c');
        return drain(q);
      },
      want: ['a', 'b', 'c'],
    },
    {
      name: 'a key added while processing is not handed out until done, then once',
      run: async (q) => {
        q.add('a');
        const k = (await q.next(never))!;
        q.add('a');
        q.add('a');
        q.add('b');
        const during = await drain(q);
        q.done(k);
        return [...during, '|', ...(await drain(q))];
      },
      want: ['b', '|', 'a'],
    },
    {
      name: 'a key done without being re-added is not handed out again',
      run: async (q) => {
        q.add('a');
        q.done((await q.next(never))!);
        return drain(q);
      },
      want: [],
    },
    {
      name: 'adds after shutDown are ignored',
      run: async (q) => {
        q.shutDown();
        q.add('a');
        return [String(await q.next(never))];
      },
      want: ['undefined'],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const q = new RateLimitingQueue({ clock: new FakeClock() });
      assert.deepEqual(await c.run(q), c.want);
    });
  }

  it('next waits for an add; resolves undefined on abort and on shutDown', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    const p = q.next(never);
    q.add('x');
    assert.equal(await p, 'x');
    const ac = new AbortController();
    const aborted = q.next(ac.signal);
    ac.abort();
    assert.equal(await aborted, undefined);
    const waiting = [q.next(never), q.next(never)];
    q.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
  });

  it('an aborted waiter does not swallow a later key', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    const ac = new AbortController();
    const first = q.next(ac.signal);
    ac.abort();
    await first;
    q.add('k');
    assert.equal(await q.next(never), 'k');
  });

  it('addAfter adds when the time comes; the earliest time wins', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    q.addAfter('late-then-early', 100);
    q.addAfter('late-then-early', 50);
    q.addAfter('early-then-late', 50);
    q.addAfter('early-then-late', 100);
    q.addAfter('now', 0);
    assert.deepEqual(await drain(q), ['now']);
    clock.advance(49);
    assert.equal(q.length(), 0);
    clock.advance(1);
    assert.deepEqual(await drain(q), ['late-then-early', 'early-then-late']);
    clock.advance(100);
    assert.deepEqual(await drain(q), [], 'the later times were dropped');
    assert.equal(q.delayedLength(), 0);
  });

  it('addRateLimited backs off per key: 5 ms, 10 ms, 20 ms …; forget resets', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    for (const [i, delay] of [5, 10, 20, 40, 80].entries()) {
      q.addRateLimited('k');
      assert.equal(q.retries('k'), i + 1);
      clock.advance(delay - 1);
      assert.equal(q.length(), 0, `retry ${i + 1} not before ${delay} ms`);
      clock.advance(1);
      assert.deepEqual(await drain(q), ['k'], `retry ${i + 1} at ${delay} ms`);
    }
    q.forget('k');
    assert.equal(q.retries('k'), 0);
    q.addRateLimited('k');
    clock.advance(5);
    assert.deepEqual(await drain(q), ['k']);
  });

  it('is bounded: new keys beyond maxLength are dropped with a warning', async () => {
    const log = memoryLogger();
    const q = new RateLimitingQueue({ clock: new FakeClock(), maxLength: 2, log, name: 'test' });
    q.add('a');
    q.add('b');
    q.add('c');
    q.add('a');
    assert.deepEqual(await drain(q), ['a', 'b']);
    assert.equal(log.records.filter((r) => r.level === 'warn').length, 1);
  });

  it('shutDown cancels pending delayed adds', () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    q.addAfter('a', 10);
    q.shutDown();
    assert.equal(clock.pending(), 0);
    clock.advance(10);
    assert.equal(q.length(), 0);
  });
});

describe('rate limiters', () => {
  it('ItemExponentialRateLimiter: base doubling to the cap, per key', () => {
    const l = new ItemExponentialRateLimiter(5, 1_000_000);
    const got = Array.from({ length: 20 }, () => l.when('a'));
    assert.deepEqual(got.slice(0, 6), [5, 10, 20, 40, 80, 160]);
    assert.equal(got[17], 655_360);
    assert.equal(got[18], 1_000_000, 'capped at 1000 s');
    assert.equal(got[19], 1_000_000);
    assert.equal(l.when('b'), 5, 'keys are independent');
    assert.equal(l.retries('a'), 20);
    l.forget('a');
    assert.equal(l.when('a'), 5);
  });

  it('TokenBucket: a burst, then one token per 1/qps; refills with time', () => {
    const clock = new FakeClock();
    const b = new TokenBucket(10, 3, clock);
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve(), b.reserve(), b.reserve()], [0, 0, 0, 100, 200]);
    clock.advance(1000);
    // 2 tokens were owed; 10 refilled, capped at the burst of 3
    assert.deepEqual([b.reserve(), b.reserve(), b.reserve(), b.reserve()], [0, 0, 0, 100]);
  });

  it('the default controller limiter is the max of per-key backoff and the 10 qps / 100 burst bucket', () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    const delays = Array.from({ length: 102 }, (_, i) => l.when(`key-${i}`));
    assert.ok(
      delays.slice(0, 100).every((d) => d === 5),
      'the burst: only the per-key 5 ms',
    );
    assert.deepEqual(delays.slice(100), [100, 200], 'then 10 per second');
    const m = new MaxOfRateLimiter(
      new ItemExponentialRateLimiter(1, 10),
      new BucketRateLimiter(new TokenBucket(1, 1, clock)),
    );
    assert.equal(m.when('x'), 1, 'the bucket has a token: the per-key delay');
    assert.equal(m.when('x'), 1000, 'the bucket is empty: its delay');
    assert.equal(m.retries('x'), 2);
  });

  it('TokenBucket.take waits on the clock', async () => {
    const clock = new FakeClock();
    const b = new TokenBucket(1, 1, clock);
    await b.take();
    let done = false;
    const p = b.take().then(() => (done = true));
    await settle();
    assert.equal(done, false);
    await clock.tick(1000);
    await p;
    assert.equal(done, true);
  });
});
