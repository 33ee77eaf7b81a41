/**
 * The leader election rules (client-go's LeaderElector over a LeaseLock) against a real API server, with a fake
 * clock per candidate: a Lease held by another is taken only once seen unchanged for its duration by the
 * candidate's own clock; renewals keep acquireTime and the transitions; a new holder counts one transition; of
 * two candidates taking an expired Lease at once, the API server's resourceVersion check lets exactly one win;
 * a leader that cannot renew within the renew deadline has lost; a release lets a candidate in at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { ApiError, HttpApiClient } from '../../../../controllers/machinery/client.js';
import {
  type Lease,
  LeaderElector,
  validateLeaderElection,
} from '../../../../controllers/machinery/leader-election.js';
import { silentLogger } from '../../../../controllers/machinery/logging.js';
import { controllerMetrics } from '../../../../controllers/machinery/metrics.js';
import { RESOURCES, type ApiClient, type EventType } from '../../../../controllers/machinery/types.js';
import { startInProcess, type InProcessServer } from '../../../helpers/server.js';

const NS = 'kube-system';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/**
 * The real client, with a hook run before each call (to hold calls back or make them fail), counting the calls
 * in flight: a fake clock is moved only once the requests it started have been answered.
 */
function hooked(
  inner: ApiClient,
  before: (verb: string) => Promise<void> | void = () => {},
): ApiClient & { idle(): Promise<void> } {
  let inFlight = 0;
  const call =
    <A extends unknown[], R>(verb: string, fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      inFlight++;
      try {
        await before(verb);
        return await fn(...a);
      } finally {
        inFlight--;
      }
    };
  return {
    list: call('list', inner.list.bind(inner)),
    watch: inner.watch.bind(inner),
    get: call('get', inner.get.bind(inner)),
    create: call('create', inner.create.bind(inner)),
    update: call('update', inner.update.bind(inner)),
    patch: call('patch', inner.patch.bind(inner)),
    delete: call('delete', inner.delete.bind(inner)),
    async idle() {
      do await new Promise((r) => setTimeout(r, 5));
      while (inFlight > 0);
    },
  } as ApiClient & { idle(): Promise<void> };
}

/** Moves the fake clock by `ms` in steps of `step`, letting the requests each step starts be answered. */
async function advance(clock: FakeClock, c: { idle(): Promise<void> }, ms: number, step = 500): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await clock.tick(Math.min(step, ms - done));
    await c.idle();
  }
}

describe('leader election on a Lease', () => {
  let server: InProcessServer;
  let client: HttpApiClient;
  let n = 0;
  before(async () => {
    server = await startInProcess();
    client = new HttpApiClient({ server: server.url });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  /** A fresh Lease name per test, and candidates on it. */
  const setup = () => {
    const name = `lock-${++n}`;
    const candidate = (identity: string, clock: FakeClock, c: ApiClient = client, events?: string[]) =>
      new LeaderElector({
        client: c,
        clock,
        log: silentLogger,
        namespace: NS,
        name,
        identity,
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        random: () => 0,
        recorder: events && {
          event: (obj: KubeObject, type: EventType, reason: string, message: string) =>
            events.push(`${obj.kind}/${obj.metadata.name} ${type} ${reason} ${message}`),
        },
      });
    const lease = () => client.get<Lease>(RESOURCES.leases, NS, name);
    return { name, candidate, lease };
  };

  it('creates the Lease when missing: holder, duration, MicroTimes, no transition', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    const a = candidate('a', clock);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(a.isLeader(), true);
    const l = await lease();
    assert.equal(l.spec?.holderIdentity, 'a');
    assert.equal(l.spec?.leaseDurationSeconds, 15);
    assert.equal(l.spec?.leaseTransitions, 0);
    assert.match(l.spec!.acquireTime!, MICRO_TIME);
    assert.equal(l.spec?.acquireTime, l.spec?.renewTime);
    assert.equal(l.spec?.acquireTime, new Date(clock.now()).toISOString().replace('Z', '000Z'));
  });

  it('a renewal moves renewTime only, keeping acquireTime and the transitions', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    const a = candidate('a', clock);
    assert.equal(await a.tryAcquireOrRenew(), true);
    const first = (await lease()).spec!;
    clock.advance(2_000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    const second = (await lease()).spec!;
    assert.equal(second.acquireTime, first.acquireTime);
    assert.equal(second.leaseTransitions, 0);
    assert.equal(Date.parse(second.renewTime!) - Date.parse(first.renewTime!), 2_000);
  });

  it('another candidate waits until the Lease was seen unchanged for its duration by its own clock', async () => {
    const { candidate, lease } = setup();
    const clockA = new FakeClock();
    // b's clock is an hour ahead: by renewTime the Lease looks long expired, but b trusts only what it observed
    const clockB = new FakeClock(clockA.now() + 3_600_000);
    const a = candidate('a', clockA);
    const b = candidate('b', clockB);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false, 'first sight: not expired for b');
    assert.equal(b.leader(), 'a');
    assert.equal(b.isLeader(), false);
    clockB.advance(14_999);
    assert.equal(await b.tryAcquireOrRenew(), false, 'seen unchanged for 14.999 s: not yet');
    // a renews: b sees a change, and its wait starts again
    clockA.advance(10_000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    clockB.advance(1);
    assert.equal(await b.tryAcquireOrRenew(), false, 'a renewed: the Lease is valid again');
    clockB.advance(14_999);
    assert.equal(await b.tryAcquireOrRenew(), false);
    clockB.advance(1);
    assert.equal(await b.tryAcquireOrRenew(), true, 'unchanged for 15 s: b takes it');
    const l = (await lease()).spec!;
    assert.equal(l.holderIdentity, 'b');
    assert.equal(l.leaseTransitions, 1, 'a change of holder is one transition');
    assert.equal(l.acquireTime, new Date(clockB.now()).toISOString().replace('Z', '000Z'));
    // a's next renewal conflicts (fast path), re-reads, and finds b's valid Lease: a is no longer leader
    clockA.advance(2_000);
    assert.equal(await a.tryAcquireOrRenew(), false);
    assert.equal(a.isLeader(), false);
    assert.equal(a.leader(), 'b');
    assert.equal((await lease()).spec?.holderIdentity, 'b');
  });

  it('the same identity after a restart takes its own Lease at once, as a renewal', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    assert.equal(await candidate('same', clock).tryAcquireOrRenew(), true);
    const before = (await lease()).spec!;
    clock.advance(1_000);
    assert.equal(await candidate('same', clock).tryAcquireOrRenew(), true);
    const after = (await lease()).spec!;
    assert.equal(after.holderIdentity, 'same');
    assert.equal(after.acquireTime, before.acquireTime);
    assert.equal(after.leaseTransitions, 0);
  });

  it('two candidates taking an expired Lease at once: the resourceVersion check lets exactly one win', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    assert.equal(await candidate('a', clock).tryAcquireOrRenew(), true);
    // b and c see a's Lease, then both read it again (the same version) before either writes
    let armed = false;
    let gets = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((r) => (release = r));
    const barrier = async (verb: string) => {
      if (!armed || verb !== 'get') return;
      if (++gets === 2) release();
      await bothRead;
    };
    const b = candidate('b', clock, hooked(client, barrier));
    const c = candidate('c', clock, hooked(client, barrier));
    assert.equal(await b.tryAcquireOrRenew(), false);
    assert.equal(await c.tryAcquireOrRenew(), false);
    clock.advance(15_000);
    armed = true;
    const results = await Promise.all([b.tryAcquireOrRenew(), c.tryAcquireOrRenew()]);
    assert.deepEqual(
      results.filter((r) => r),
      [true],
      `exactly one wins (${results.join(', ')})`,
    );
    const l = (await lease()).spec!;
    assert.equal(l.holderIdentity, results[0] ? 'b' : 'c');
    assert.equal(l.leaseTransitions, 1, 'one change of holder, one transition');
  });

  it('the leader gives up when no renewal succeeds within the renew deadline', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    let failing = false;
    const attempts: number[] = [];
    const flaky = hooked(client, (verb) => {
      if (verb === 'update' || verb === 'get') attempts.push(clock.now());
      if (failing) throw new ApiError({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: 'down' });
    });
    const events: string[] = [];
    const a = candidate('a', clock, flaky, events);
    const stop = new AbortController();
    assert.equal(await a.acquire(stop.signal), true);
    assert.deepEqual(events, [`Lease/${(await lease()).metadata.name} Normal LeaderElection a became leader`]);
    assert.match(await controllerMetrics.metrics(), /leader_election_master_status\{name="lock-\d+"\} 1/);
    let outcome: string | undefined;
    let lostAt = 0;
    const renewing = a.renew(stop.signal).then((o) => {
      outcome = o;
      lostAt = clock.now();
    });
    // renewals succeed for a while
    await flaky.idle();
    await advance(clock, flaky, 20_000);
    assert.equal(outcome, undefined);
    const renewed = (await lease()).spec!;
    assert.equal(Date.parse(renewed.renewTime!) - Date.parse(renewed.acquireTime!), 20_000, 'renewed every 2 s');
    // then the API server fails every request: the leader has lost once the renew deadline (10 s) has passed
    failing = true;
    attempts.length = 0;
    for (let i = 0; i < 40 && outcome === undefined; i++) await advance(clock, flaky, 500);
    assert.equal(outcome, 'lost');
    await renewing;
    const lostFrom = attempts[0]!;
    assert.ok(lostAt - lostFrom >= 10_000 && lostAt - lostFrom <= 10_500, `lost after ${lostAt - lostFrom} ms`);
    // retried every retry period within the deadline (each attempt: a failed update, then a failed get)
    assert.equal(attempts.length, 2 * 5, `retried (${attempts.length} calls)`);
    assert.equal(events.at(-1), `Lease/${(await lease()).metadata.name} Normal LeaderElection a stopped leading`);
    assert.match(await controllerMetrics.metrics(), /leader_election_master_status\{name="lock-\d+"\} 0/);
  });

  it('renew stops when told to; release empties the holder and a candidate takes it at once', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    const a = candidate('a', clock);
    const b = candidate('b', clock);
    const stop = new AbortController();
    assert.equal(await a.acquire(stop.signal), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
    const renewing = a.renew(stop.signal);
    await clock.tick(5_000);
    stop.abort();
    assert.equal(await renewing, 'stopped');
    assert.equal(await a.release(), true);
    const released = (await lease()).spec!;
    assert.equal(released.holderIdentity, '');
    assert.equal(released.leaseDurationSeconds, 1);
    assert.equal(released.leaseTransitions, 0);
    assert.equal(a.isLeader(), false);
    assert.equal(await a.release(), true, 'releasing what is not ours is a no-op');
    // b has seen a valid Lease a moment ago, but an empty holder is free
    assert.equal(await b.tryAcquireOrRenew(), true);
    const taken = (await lease()).spec!;
    assert.equal(taken.holderIdentity, 'b');
    assert.equal(taken.leaseTransitions, 1);
    assert.equal(taken.leaseDurationSeconds, 15);
  });

  it('a waiting candidate tries again when the Lease it saw expires, not a whole retry period later', async () => {
    const { candidate, lease } = setup();
    const clock = new FakeClock();
    const a = candidate('a', clock);
    assert.equal(await a.tryAcquireOrRenew(), true);
    const tracked = hooked(client);
    const b = candidate('b', clock, tracked);
    const stop = new AbortController();
    const acquiring = b.acquire(stop.signal);
    await tracked.idle();
    assert.equal(b.leader(), 'a', 'b has seen the Lease');
    const seenAt = clock.now();
    // b's retries fall 2 s apart (random() is 0); the Lease expires for b 15 s after it saw it, between two
    await advance(clock, tracked, 16_000, 100);
    assert.equal(await acquiring, true, 'b took the unrenewed Lease');
    const taken = (await lease()).spec!;
    assert.equal(taken.holderIdentity, 'b');
    assert.equal(Date.parse(taken.acquireTime!) - seenAt, 15_001, 'at expiry, not at the next retry (16 s)');
    stop.abort();
  });

  it('validates durations as client-go does', () => {
    const ok = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, identity: 'x' };
    assert.deepEqual(validateLeaderElection(ok), []);
    assert.match(validateLeaderElection({ ...ok, renewDeadlineMs: 15_000 }).join(), /greater than renewDeadline/);
    assert.match(validateLeaderElection({ ...ok, retryPeriodMs: 9_000 }).join(), /retryPeriod\*1.2/);
    assert.match(
      validateLeaderElection({ ...ok, leaseDurationMs: 500, renewDeadlineMs: 400, retryPeriodMs: 100 }).join(),
      /at least 1s/,
    );
    assert.match(validateLeaderElection({ ...ok, identity: '' }).join(), /identity is empty/);
    assert.throws(() => setup().candidate('', new FakeClock()), /identity is empty/);
  });
});
