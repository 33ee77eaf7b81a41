import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { FakeClock } from '../../../../controllers/machinery/clock.js';
import { ApiError } from '../../../../controllers/machinery/client.js';
import {
  ApiEventRecorder,
  COMBINED_PREFIX,
  CORRELATION_CACHE_ENTRIES,
  type CoreEvent,
  EventCorrelation,
  ForegroundRequests,
  messageText,
  WriteSlots,
} from '../../../../controllers/machinery/events.js';
import { memoryLogger } from '../../../../controllers/machinery/logging.js';
import { type ApiClient, type Logger, RESOURCES } from '../../../../controllers/machinery/types.js';
import { FakeApiClient } from './fake-client.js';

const ds: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { namespace: 'kube-system', name: 'fluentd', uid: 'uid-1', resourceVersion: '42' },
};
const node: KubeObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'k0-default-pool-35609c18-z7tb', uid: 'k0-default-pool-35609c18-z7tb' },
};

function setup(opts: { host?: string; spamFilter?: false } = {}) {
  const client = new FakeApiClient();
  const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
  const log = memoryLogger();
  const recorder = new ApiEventRecorder({
    client,
    clock,
    log,
    component: 'daemonset-controller',
    host: opts.host,
    spamFilter: opts.spamFilter,
  });
  const writes = () => client.calls.filter((c) => c.verb === 'create' || c.verb === 'patch');
  return { client, clock, log, recorder, writes };
}

describe('ApiEventRecorder', () => {
  it('creates a core/v1 Event in the background with the upstream fields', async () => {
    const { recorder, client, writes } = setup();
    recorder.event(ds, 'Normal', 'SuccessfulCreate', 'Created pod: fluentd-1q6c6');
    assert.equal(writes().length, 0, 'event() returns before writing');
    await recorder.flush();
    const [call] = writes();
    assert.equal(call!.verb, 'create');
    assert.equal(call!.namespace, 'kube-system');
    const ev = call!.body as CoreEvent;
    assert.match(ev.metadata.name!, /^fluentd\.[0-9a-f]{16}$/);
    assert.deepEqual(
      { ...ev, metadata: { namespace: ev.metadata.namespace } },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { namespace: 'kube-system' },
        involvedObject: {
          kind: 'DaemonSet',
          namespace: 'kube-system',
          name: 'fluentd',
          uid: 'uid-1',
          apiVersion: 'apps/v1',
          resourceVersion: '42',
        },
        reason: 'SuccessfulCreate',
        message: 'Created pod: fluentd-1q6c6',
        type: 'Normal',
        source: { component: 'daemonset-controller' },
        firstTimestamp: '2024-01-01T12:00:00Z',
        lastTimestamp: '2024-01-01T12:00:00Z',
        count: 1,
        reportingComponent: 'daemonset-controller',
        reportingInstance: '',
      },
    );
    assert.equal(client.objects.size, 1);
  });

  it('events about cluster-scoped objects go to default; the host is the source host and reporting instance', async () => {
    const { recorder, writes } = setup({ host: 'k0-default-pool-35609c18-z7tb' });
    recorder.event(node, 'Normal', 'Starting', 'Starting kubelet.');
    await recorder.flush();
    const ev = writes()[0]!.body as CoreEvent;
    assert.equal(ev.metadata.namespace, 'default');
    assert.equal(ev.involvedObject.namespace, undefined);
    assert.deepEqual(ev.source, { component: 'daemonset-controller', host: 'k0-default-pool-35609c18-z7tb' });
    assert.equal(ev.reportingInstance, 'k0-default-pool-35609c18-z7tb');
  });

  it('a repeat within 10 minutes patches count and lastTimestamp; later, a new Event', async () => {
    const { recorder, clock, writes } = setup();
    const msg = 'Found failed daemon pod kube-system/fluentd-x on node n1, will try to kill it';
    const steps: Array<{ after: number; want: { verb: string; count: number; lastTimestamp: string } }> = [
      { after: 0, want: { verb: 'create', count: 1, lastTimestamp: '2024-01-01T12:00:00Z' } },
      { after: 30_000, want: { verb: 'patch', count: 2, lastTimestamp: '2024-01-01T12:00:30Z' } },
      { after: 9 * 60_000, want: { verb: 'patch', count: 3, lastTimestamp: '2024-01-01T12:09:30Z' } },
      { after: 10 * 60_000 + 1000, want: { verb: 'create', count: 1, lastTimestamp: '2024-01-01T12:19:31Z' } },
    ];
    for (const s of steps) {
      clock.advance(s.after);
      recorder.event(ds, 'Warning', 'FailedDaemonPod', msg);
      await recorder.flush();
      const last = writes().at(-1)!;
      const body = last.body as { count: number; lastTimestamp: string };
      assert.deepEqual({ verb: last.verb, count: body.count, lastTimestamp: body.lastTimestamp }, s.want);
    }
    const [first, second] = writes();
    assert.equal(second!.name, (first!.body as CoreEvent).metadata.name, 'the patch targets the first Event');
    assert.equal(second!.patchType, 'strategic');
    assert.deepEqual(Object.keys(second!.body as object).sort(), ['count', 'lastTimestamp', 'message']);
  });

  it('combines the 10th distinct message with the same reason within 10 minutes, then counts on it', async () => {
    const { recorder, writes } = setup();
    for (let i = 1; i <= 12; i++) recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: fluentd-${i}`);
    await recorder.flush();
    const w = writes().map(
      (c) => `${c.verb} ${(c.body as CoreEvent).message}${c.verb === 'patch' ? ` ${(c.body as CoreEvent).count}` : ''}`,
    );
    assert.deepEqual(w, [
      ...Array.from({ length: 9 }, (_, i) => `create Created pod: fluentd-${i + 1}`),
      `create ${COMBINED_PREFIX}Created pod: fluentd-10`,
      `patch ${COMBINED_PREFIX}Created pod: fluentd-11 2`,
      `patch ${COMBINED_PREFIX}Created pod: fluentd-12 3`,
    ]);
  });

  it('a patch of an Event deleted meanwhile creates it again', async () => {
    const { recorder, client, writes } = setup();
    recorder.event(ds, 'Normal', 'SuccessfulDelete', 'Deleted pod: fluentd-a');
    await recorder.flush();
    client.objects.clear();
    recorder.event(ds, 'Normal', 'SuccessfulDelete', 'Deleted pod: fluentd-a');
    await recorder.flush();
    assert.deepEqual(
      writes().map((c) => c.verb),
      ['create', 'patch', 'create'],
    );
    assert.equal((writes()[2]!.body as CoreEvent).count, 2);
  });

  it('never throws: API errors are logged, network errors retried on the clock', async () => {
    const { recorder, client, clock, log, writes } = setup();
    client.failNext.create = [new ApiError({ code: 422, reason: 'Invalid', message: 'bad event' })];
    recorder.event(ds, 'Normal', 'A', 'one');
    await recorder.flush();
    assert.equal(log.records.filter((r) => r.level === 'warn').length, 1);
    client.failNext.create = [new TypeError('fetch failed')];
    recorder.event(ds, 'Normal', 'B', 'two');
    await new Promise((r) => setImmediate(r));
    assert.equal(writes().length, 2);
    await clock.tick(1000);
    await recorder.flush();
    assert.equal(writes().length, 3);
    assert.equal(client.objects.size, 1);
  });

  it('drops events beyond the per-object spam budget (25, then one per 5 minutes)', async () => {
    const { recorder, clock, writes } = setup();
    for (let i = 0; i < 30; i++) recorder.event(ds, 'Normal', 'SuccessfulCreate', 'same');
    await recorder.flush();
    assert.equal(writes().length, 25);
    clock.advance(5 * 60_000);
    recorder.event(ds, 'Normal', 'SuccessfulCreate', 'same');
    recorder.event(ds, 'Normal', 'SuccessfulCreate', 'same');
    await recorder.flush();
    assert.equal(writes().length, 26);
  });

  it('gives distinct names to events recorded in the same millisecond', async () => {
    const { recorder, writes } = setup({ spamFilter: false });
    recorder.event(ds, 'Normal', 'R1', 'm');
    recorder.event(ds, 'Normal', 'R2', 'm');
    await recorder.flush();
    const names = writes().map((c) => (c.body as CoreEvent).metadata.name);
    assert.equal(new Set(names).size, 2);
  });

  it('recorders sharing write slots keep at most that many writes in flight and drop beyond the backlog', async () => {
    const slots = new WriteSlots(2, 5);
    let inFlight = 0;
    let most = 0;
    const client = new FakeApiClient();
    const create = client.create.bind(client);
    client.create = (async (...args: Parameters<typeof create>) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return create(...args);
    }) as typeof client.create;
    const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
    const log = memoryLogger();
    const recorders = ['n1', 'n2', 'n3', 'n4'].map(
      (host) => new ApiEventRecorder({ client, clock, log, component: 'kubelet', host, slots }),
    );
    for (const [i, r] of recorders.entries()) {
      r.event(node, 'Normal', 'Pulling', `Pulling image "a:${i}"`);
      r.event(node, 'Normal', 'Pulled', `Pulled image "a:${i}"`);
    }
    assert.equal(slots.backlog, 5);
    assert.equal(slots.dropped, 3);
    await Promise.all(recorders.map((r) => r.flush()));
    assert.equal(most, 2);
    assert.equal(slots.backlog, 0);
    assert.equal(client.calls.filter((c) => c.verb === 'create').length, 5);
  });

  it('write slots on hold start nothing until the last hold is released, then fill every slot', async () => {
    const slots = new WriteSlots(2);
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const write = (i: number) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
      });
    const first = write(0); // started before the hold: goes on
    const release = slots.hold();
    const release2 = slots.hold();
    const rest = [1, 2, 3, 4].map(write);
    await first;
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(started, [0]);
    release();
    release(); // a second call of the same release changes nothing
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(started, [0]);
    release2();
    await Promise.all(rest);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    await write(5); // free again: starts at once
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  });

  it('foreground requests are counted while in flight (watches not), whatever their outcome', async () => {
    const fg = new ForegroundRequests();
    const client = new FakeApiClient();
    const tracked = fg.track(client);
    let ends = 0;
    const off = fg.onEnd(() => ends++);
    const pending = tracked.create(RESOURCES.pods, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
    });
    assert.equal(fg.inFlight, 1);
    await pending;
    assert.equal(fg.inFlight, 0);
    assert.equal(ends, 1);
    await assert.rejects(tracked.get(RESOURCES.pods, 'default', 'absent'));
    assert.equal(fg.inFlight, 0);
    assert.equal(ends, 2);
    const stop = new AbortController();
    const watch = tracked.watch(RESOURCES.pods, { resourceVersion: '0', signal: stop.signal });
    assert.equal(fg.inFlight, 0, 'a watch is not counted');
    assert.ok(watch);
    stop.abort();
    off();
    await tracked.list(RESOURCES.pods);
    assert.equal(ends, 2);
    assert.equal(client.calls.filter((c) => c.verb === 'create').length, 1);
  });

  it('a tracked client keeps what else its client has (the garbage collector discovers resources through it)', async () => {
    const fg = new ForegroundRequests();
    class Discovering {
      reads = 0;
      async getJSON(path: string): Promise<unknown> {
        this.reads++;
        return { path };
      }
    }
    const inner = new Discovering();
    const tracked = fg.track(inner as unknown as ApiClient) as unknown as Discovering;
    assert.equal(typeof tracked.getJSON, 'function');
    assert.deepEqual(await tracked.getJSON('/apis'), { path: '/apis' });
    assert.equal(inner.reads, 1, 'called on the client itself');
  });

  it('the process stays busy a while after its requests fall below the mark; write slots open again after it', async () => {
    const clock = new FakeClock(0);
    const fg = new ForegroundRequests(clock, { busyFrom: 2, lingerMs: 250 });
    const slots = new WriteSlots(4, Infinity, { foreground: fg, busySize: 1 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const tracked = fg.track({ get: () => gate.then(() => ({})) } as unknown as ApiClient);
    assert.equal(fg.busy(), false);
    const one = tracked.get(RESOURCES.pods, 'default', 'a');
    assert.equal(fg.busy(), false, 'one request in flight is not busy');
    const two = tracked.get(RESOURCES.pods, 'default', 'b');
    assert.equal(fg.busy(), true);
    await clock.tick(1000);
    open();
    await Promise.all([one, two]);
    assert.equal(fg.inFlight, 0);
    assert.equal(fg.busy(), true, 'still busy right after');
    let started = 0;
    let finish!: () => void;
    const held = new Promise<void>((r) => (finish = r));
    const writes = [0, 1, 2].map(() =>
      slots.run(async () => {
        started++;
        await held;
      }),
    );
    await clock.tick(249);
    assert.equal(started, 1, 'one write at a time while the process lingers busy');
    await clock.tick(1);
    assert.equal(fg.busy(), false);
    assert.equal(started, 3, 'every waiting write starts once the linger is over, with no request ending then');
    finish();
    await Promise.all(writes);
  });

  it('write slots give way to a busy process: few writes while it is busy, every slot again when not', async () => {
    const fg = new ForegroundRequests(undefined, { busyFrom: 2 });
    const slots = new WriteSlots(4, Infinity, { foreground: fg, busySize: 1 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const tracked = fg.track({ get: () => gate.then(() => ({})) } as unknown as ApiClient);
    const busy = [tracked.get(RESOURCES.pods, 'default', 'a'), tracked.get(RESOURCES.pods, 'default', 'b')];
    assert.equal(fg.inFlight, 2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const write = (i: number) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      });
    const writes = [0, 1, 2, 3, 4, 5, 6, 7].map(write);
    await new Promise((r) => setTimeout(r, 12));
    assert.equal(most, 1, 'one write at a time while busy');
    assert.ok(started.length >= 1 && started.length < 8, `some writes went on meanwhile: ${started.length}`);
    open();
    await Promise.all([...busy, ...writes]);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6, 7], 'in order');
    assert.equal(fg.inFlight, 0);
    most = 0;
    await Promise.all([8, 9, 10, 11, 12].map(write));
    assert.equal(most, 4, 'every slot when not busy');
  });

  it('recorders sharing correlation caches count repeats per host, and the caches stay bounded', async () => {
    const client = new FakeApiClient();
    const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
    const log = memoryLogger();
    const correlation = new EventCorrelation();
    const [a, b] = ['n1', 'n2'].map(
      (host) => new ApiEventRecorder({ client, clock, log, component: 'kubelet', host, correlation }),
    );
    a!.event(node, 'Normal', 'Pulled', 'Container image "x" already present on machine');
    b!.event(node, 'Normal', 'Pulled', 'Container image "x" already present on machine');
    a!.event(node, 'Normal', 'Pulled', 'Container image "x" already present on machine');
    await Promise.all([a!.flush(), b!.flush()]);
    assert.deepEqual(
      client.calls.filter((c) => c.verb === 'create' || c.verb === 'patch').map((c) => c.verb),
      ['create', 'create', 'patch'],
    );
    for (let i = 0; i < CORRELATION_CACHE_ENTRIES + 10; i++) {
      a!.event({ ...node, metadata: { ...node.metadata, name: `n-${i}`, uid: `u-${i}` } }, 'Normal', 'R', 'm');
      if (i % 500 === 499) await a!.flush(); // the recorder holds 1000 waiting events at most
    }
    await a!.flush();
    assert.ok(correlation.observed.size <= CORRELATION_CACHE_ENTRIES);
    assert.ok(correlation.aggregates.size <= CORRELATION_CACHE_ENTRIES);
    assert.ok(correlation.spam.size <= CORRELATION_CACHE_ENTRIES);
    // A key is a digest of its fields, the same length whatever the names: no cache keeps an object's fields.
    const keys = [...correlation.observed.keys(), ...correlation.aggregates.keys(), ...correlation.spam.keys()];
    assert.ok(
      keys.every((k) => /^[A-Za-z0-9_-]{22}$/.test(k)),
      keys.find((k) => !/^[A-Za-z0-9_-]{22}$/.test(k)),
    );
    const last = CORRELATION_CACHE_ENTRIES + 9;
    a!.event({ ...node, metadata: { ...node.metadata, name: `n-${last}`, uid: `u-${last}` } }, 'Normal', 'R', 'm');
    await a!.flush();
    assert.deepEqual(
      client.calls.at(-1)?.verb,
      'patch',
      'a repeat about an object still cached is counted on its Event',
    );
    a!.event({ ...node, metadata: { ...node.metadata, name: 'n-0', uid: 'u-0' } }, 'Normal', 'R', 'm');
    await a!.flush();
    assert.deepEqual(client.calls.at(-1)?.verb, 'create', 'an object evicted from the caches starts over');
    // Fields are told apart whatever they hold: the same characters split differently are another object.
    assert.notEqual(
      correlation.key(['kubelet', 'n1', 'Pod', 'ab', 'c', '', 'v1'].join('\u0000'), ['Normal']),
      correlation.key(['kubelet', 'n1', 'Pod', 'a', 'bc', '', 'v1'].join('\u0000'), ['Normal']),
    );
    assert.notEqual(
      correlation.key('o', ['Normal', 'R']),
      correlation.key('o', ['Normal', 'R', '']),
      'a similar events key is not an exact repeat key with an empty message',
    );
  });

  it('waiting events hold one string per message text: a message made for each pod costs no memory of its own', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const names = ['app', 'sidecar'];
    /** Heap bytes per event of 20,000 events waiting (on held slots), with messages made by `message`. */
    const perEvent = (message: (i: number) => string) => {
      const slots = new WriteSlots(1, 100_000);
      slots.hold();
      const client = new FakeApiClient();
      const clock = new FakeClock(Date.UTC(2024, 0, 1, 12, 0, 0));
      const log: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
      const correlation = new EventCorrelation();
      gc();
      gc();
      const before = process.memoryUsage().heapUsed;
      const recorders = Array.from(
        { length: 20 },
        (_, r) => new ApiEventRecorder({ client, clock, log, component: 'kubelet', host: `n${r}`, slots, correlation }),
      );
      for (let i = 0; i < 20_000; i++) recorders[i % 20]!.event(node, 'Normal', 'Started', message(i));
      gc();
      gc();
      const bytes = (process.memoryUsage().heapUsed - before) / 20_000;
      assert.equal(slots.backlog, 20_000);
      return bytes;
    };
    const constant = 'Started container app of pod web-1 in namespace default';
    const one = perEvent(() => constant);
    // template literals: a chain of concatenations each (`Started container ` + name, then more)
    const pods = ['web-1', 'web-2'];
    const made = perEvent((i) => `Started container ${names[i % 2]} of pod ${pods[i % 2]} in namespace ${'default'}`);
    assert.ok(made - one < 48, `${made.toFixed(0)} bytes an event against ${one.toFixed(0)} with one string`);
    assert.equal(messageText(`Started container ${names[1]}`), 'Started container sidecar');
    assert.equal(messageText('x'.repeat(2000)).length, 2000, 'a long message is kept as it comes');
  });

  it('a waiting event is seven members: what many share is in shared parts, its instant a small integer', async () => {
    // Measured in a worker: a fresh isolate, where V8 has not yet seen a waiting event recorded at an instant years
    // away (the other tests' clocks), which would make the instant's member a heap number in every one.
    const url = new URL('../../../../controllers/machinery/events.js', import.meta.url).href;
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { setFlagsFromString } = require('node:v8');
      const { runInNewContext } = require('node:vm');
      (async () => {
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc');
        const { ApiEventRecorder, EventCorrelation, WriteSlots } = await import(workerData.url);
        const slots = new WriteSlots(1, 100000);
        slots.hold();
        const log = { debug() {}, info() {}, warn() {}, error() {}, child: () => log };
        const clock = { now: () => Date.now() };
        const correlation = new EventCorrelation();
        const client = {};
        const pods = Array.from({ length: 5000 }, (_, i) => JSON.parse(JSON.stringify({
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: 'ds-' + i, namespace: 'default', uid: 'uid-' + i, resourceVersion: String(1000 + i) },
        })));
        const recorders = Array.from({ length: 100 }, (_, r) =>
          new ApiEventRecorder({ client, clock, log, component: 'kubelet', host: 'n' + r, slots, correlation }));
        const reasons = ['Pulled', 'Created', 'Started'];
        const messages = ['Container image "nginx" already present on machine', 'Created container: app', 'Started container app'];
        gc();
        gc();
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < 15000; i++) recorders[i % 100].event(pods[i % 5000], 'Normal', reasons[i % 3], messages[i % 3]);
        gc();
        gc();
        parentPort.postMessage({ bytes: (process.memoryUsage().heapUsed - before) / 15000, backlog: slots.backlog });
      })();`;
    const { Worker } = await import('node:worker_threads');
    const result = await new Promise<{ bytes: number; backlog: number }>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { url } });
      w.once('message', (m: { bytes: number; backlog: number }) => {
        resolve(m);
        void w.terminate();
      });
      w.once('error', reject);
    });
    assert.equal(result.backlog, 15_000);
    // ten members of its own and its instant in a heap number took ~100 bytes (with its place in the queue)
    assert.ok(result.bytes < 72, `${result.bytes.toFixed(0)} bytes a waiting event`);
  });
});
