import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, settle, sleepOn, isAbortError, realClock } from '../../../../controllers/machinery/clock.js';
import { runWorkers } from '../../../../controllers/machinery/controller.js';
import { memoryLogger, silentLogger } from '../../../../controllers/machinery/logging.js';
import { RateLimitingQueue } from '../../../../controllers/machinery/workqueue.js';
import type { Controller } from '../../../../controllers/machinery/types.js';

/** A controller whose syncs wait until the test releases them; `fail` makes a key's next syncs throw. */
class Scripted implements Controller {
  readonly name = 'scripted';
  readonly log: string[] = [];
  readonly fail = new Map<string, number>();
  active = 0;
  maxActive = 0;
  private readonly gates = new Map<string, Array<() => void>>();
  hold = false;

  async sync(key: string): Promise<void> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.log.push(`start ${key}`);
    try {
      if (this.hold) await new Promise<void>((r) => this.gates.set(key, [...(this.gates.get(key) ?? []), r]));
      const n = this.fail.get(key) ?? 0;
      if (n > 0) {
        this.fail.set(key, n - 1);
        throw new Error(`sync of ${key} failed`);
      }
    } finally {
      this.active--;
      this.log.push(`end ${key}`);
    }
  }
  release(key: string): void {
    for (const r of this.gates.get(key) ?? []) r();
    this.gates.delete(key);
  }
}

describe('runWorkers', () => {
  it('syncs each key; a failing sync is retried with backoff, then forgotten', async () => {
    const clock = new FakeClock();
    const q = new RateLimitingQueue({ clock });
    const c = new Scripted();
    c.fail.set('a', 2);
    const log = memoryLogger();
    const abort = new AbortController();
    const done = runWorkers(c, q, 2, abort.signal, log);
    q.add('a');
    q.add('b');
    await settle();
    assert.deepEqual(
      c.log.filter((l) => l.startsWith('start')),
      ['start a', 'start b'],
    );
    assert.equal(q.retries('a'), 1);
    assert.equal(q.retries('b'), 0);
    await clock.tick(5);
    assert.equal(q.retries('a'), 2);
    await clock.tick(10);
    assert.equal(q.retries('a'), 0, 'forgotten after success');
    assert.equal(c.log.filter((l) => l === 'start a').length, 3);
    const warns = log.records.filter((r) => r.level === 'warn');
    assert.equal(warns.length, 2);
    assert.deepEqual(
      warns.map((w) => [w.obj.key, w.obj.retries]),
      [
        ['a', 1],
        ['a', 2],
      ],
    );
    abort.abort();
    await done;
  });

  it('never syncs one key twice at once; a key added during its sync runs again after it', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    const c = new Scripted();
    c.hold = true;
    const abort = new AbortController();
    const done = runWorkers(c, q, 3, abort.signal, silentLogger);
    q.add('a');
    await settle();
    q.add('a');
    q.add('a');
    await settle();
    assert.equal(c.maxActive, 1);
    c.release('a');
    await settle();
    assert.deepEqual(c.log, ['start a', 'end a', 'start a']);
    c.release('a');
    await settle();
    assert.deepEqual(c.log.length, 4);
    abort.abort();
    await done;
  });

  it('runs up to `workers` syncs concurrently', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    const c = new Scripted();
    c.hold = true;
    const abort = new AbortController();
    const done = runWorkers(c, q, 2, abort.signal, silentLogger);
    for (const k of ['a', 'b', 'c']) q.add(k);
    await settle();
    assert.equal(c.active, 2);
    c.release('a');
    await settle();
    assert.equal(c.active, 2, 'the third key starts when a worker frees up');
    c.release('b');
    c.release('c');
    await settle();
    assert.equal(c.maxActive, 2);
    abort.abort();
    await done;
  });

  it('on abort: shuts the queue down and resolves once current syncs finish', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    const c = new Scripted();
    c.hold = true;
    const abort = new AbortController();
    let finished = false;
    const done = runWorkers(c, q, 2, abort.signal, silentLogger).then(() => (finished = true));
    q.add('a');
    await settle();
    abort.abort();
    await settle();
    assert.equal(finished, false, 'waits for the sync in progress');
    assert.equal(q.isShuttingDown, true);
    c.release('a');
    await done;
    q.add('b');
    assert.equal(q.length(), 0);
  });

  it('rejects a bad worker count', async () => {
    const q = new RateLimitingQueue({ clock: new FakeClock() });
    await assert.rejects(
      runWorkers(new Scripted(), q, 0, new AbortController().signal, silentLogger),
      /positive integer/,
    );
  });
});

describe('clocks', () => {
  it('FakeClock fires timers in due order, ties in creation order, including timers set while firing', () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => {
      fired.push('a@10');
      clock.setTimeout(() => fired.push('c@15'), 5);
    }, 10);
    clock.setTimeout(() => fired.push('b2@20'), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cancelled);
    clock.advance(9);
    assert.deepEqual(fired, []);
    clock.advance(11);
    assert.deepEqual(fired, ['a@10', 'c@15', 'b@20', 'b2@20']);
    assert.equal(clock.now(), 20);
    assert.equal(clock.pending(), 0);
  });

  it('sleep resolves when advanced and rejects with an AbortError when aborted', async () => {
    const clock = new FakeClock();
    let woke = false;
    const p = clock.sleep(100).then(() => (woke = true));
    await clock.tick(99);
    assert.equal(woke, false);
    await clock.tick(1);
    await p;
    assert.equal(woke, true);
    const abort = new AbortController();
    const s = clock.sleep(100, abort.signal);
    abort.abort();
    await assert.rejects(s, (err) => isAbortError(err));
    assert.equal(clock.pending(), 0, 'the timer was cleared');
    await assert.rejects(sleepOn(clock, 1, abort.signal), (err) => isAbortError(err));
  });

  it('realClock sleeps for real', async () => {
    const t0 = Date.now();
    await realClock.sleep(20);
    assert.ok(Date.now() - t0 >= 15);
    assert.ok(Math.abs(realClock.now() - Date.now()) < 50);
  });
});
