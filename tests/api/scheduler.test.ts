/**
 * The scheduler end to end against a real API server (in-process) and the real controller manager running only the
 * scheduler (HTTP client, shared informers, work queue, event recorder); nodes are written by the test, with the
 * status a kubelet would report, so that capacity, readiness and cordons are exactly what each case needs. Without
 * a kubelet, bound pods stay Pending: the tests look at spec.nodeName, conditions and events.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpApiClient } from '../../controllers/machinery/client.js';
import type { ComponentFactory, Logger } from '../../controllers/machinery/types.js';
import { startControllerManager, type RunningControllerManager } from '../../controllers/manager.js';
import { scheduler } from '../../controllers/scheduler/index.js';
import { Api, podManifest, sleep, type Json } from '../helpers/http.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

const quiet: Logger = {
  debug() {},
  info() {},
  warn: (o, m) => void (process.env.DEBUG_TESTS && console.log('WARN', m, JSON.stringify(o))),
  error: (o, m) => void (process.env.DEBUG_TESTS && console.log('ERROR', m, JSON.stringify(o))),
  child: () => quiet,
};
const NS = 'default';
const pods = `/api/v1/namespaces/${NS}/pods`;

async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await sleep(25);
  }
}

interface Env {
  srv: InProcessServer;
  api: Api;
  /** Starts (another) controller manager running the scheduler; stopped with the environment. */
  startScheduler(): Promise<{ stop(): Promise<void> }>;
  /** The scheduler started with the environment. */
  first: { stop(): Promise<void> };
  node(
    name: string,
    opts?: { cpu?: string; pods?: string; labels?: Json; ready?: string; unschedulable?: boolean; extra?: Json },
  ): Promise<Json>;
  pod(name: string, mutate?: (p: Json) => void): Promise<Json>;
  get(name: string): Promise<Json>;
  events(name: string, reason?: string): Promise<Json[]>;
}

/** A fresh API server and one running scheduler for the test body; everything is stopped afterwards. */
async function withScheduler(body: (env: Env) => Promise<void>): Promise<void> {
  const srv = await startInProcess();
  const api = new Api(srv.url);
  const managers: Array<{ cm: RunningControllerManager; abort: AbortController }> = [];
  const startScheduler = async () => {
    const abort = new AbortController();
    const components: ComponentFactory[] = [scheduler];
    const cm = await startControllerManager({
      client: new HttpApiClient({ server: srv.url }),
      log: quiet,
      speed: 1,
      workers: 2,
      components,
      signal: abort.signal,
    });
    const entry = { cm, abort };
    managers.push(entry);
    return {
      async stop() {
        abort.abort();
        await cm.done.catch(() => {});
      },
    };
  };
  const env: Env = {
    srv,
    api,
    startScheduler,
    first: { stop: async () => {} },
    async node(name, opts = {}) {
      const node = {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
        spec: opts.unschedulable ? { unschedulable: true } : {},
      };
      await api.expect(201, 'POST', '/api/v1/nodes', { body: node });
      const status = {
        capacity: { cpu: opts.cpu ?? '4', memory: '16Gi', pods: opts.pods ?? '110', ...(opts.extra ?? {}) },
        allocatable: { cpu: opts.cpu ?? '4', memory: '16Gi', pods: opts.pods ?? '110', ...(opts.extra ?? {}) },
        conditions: [
          {
            type: 'Ready',
            status: opts.ready ?? 'True',
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
            lastHeartbeatTime: '2026-01-01T00:00:00Z',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      };
      return api.expect(200, 'PATCH', `/api/v1/nodes/${name}/status`, {
        body: { status },
        contentType: 'application/merge-patch+json',
      });
    },
    async pod(name, mutate = () => {}) {
      const p = podManifest(name);
      mutate(p);
      return api.expect(201, 'POST', pods, { body: p });
    },
    get: (name) => api.expect(200, 'GET', `${pods}/${name}`),
    async events(name, reason) {
      const list = await api.expect(
        200,
        'GET',
        `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3D${name}`,
      );
      return (list.items as Json[]).filter((e) => reason === undefined || e.reason === reason);
    },
  };
  try {
    env.first = await startScheduler();
    await body(env);
  } finally {
    for (const m of managers) m.abort.abort();
    await Promise.all(managers.map((m) => m.cm.done.catch(() => {})));
    await srv.close();
  }
}

const nodeOf = async (env: Env, name: string) => (await env.get(name)).spec.nodeName as string | undefined;
const scheduledCondition = (pod: Json) => (pod.status.conditions ?? []).find((c: Json) => c.type === 'PodScheduled');

describe('scheduler against the API server', { timeout: 120_000 }, () => {
  it('binds a pod through pods/binding: nodeName, PodScheduled=True and a Scheduled event from default-scheduler', () =>
    withScheduler(async (env) => {
      await env.node('n1');
      await env.pod('web');
      const node = await eventually('the pod to be bound', () => nodeOf(env, 'web'));
      assert.equal(node, 'n1');
      const pod = await env.get('web');
      assert.equal(scheduledCondition(pod).status, 'True');
      const [ev] = await eventually('the Scheduled event', () =>
        env.events('web', 'Scheduled').then((e) => (e.length ? e : undefined)),
      );
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.message, `Successfully assigned ${NS}/web to n1`);
      assert.equal(ev.source.component, 'default-scheduler');
      assert.equal(ev.reportingComponent, 'default-scheduler');
      assert.equal(ev.involvedObject.uid, pod.metadata.uid);
    }));

  it('never overcommits a node when pods arrive together; a pod that leaves makes room for a waiting one', () =>
    withScheduler(async (env) => {
      await env.node('n1', { cpu: '4' });
      for (let i = 0; i < 6; i++)
        await env.pod(`cpu-${i}`, (p) => (p.spec.containers[0].resources = { requests: { cpu: '1' } }));
      const settled = await eventually('4 bound and 2 refused', async () => {
        const items = (await env.api.expect(200, 'GET', pods)).items as Json[];
        const bound = items.filter((p) => p.spec.nodeName);
        const refused = items.filter((p) => scheduledCondition(p)?.reason === 'Unschedulable');
        return bound.length === 4 && refused.length === 2 ? { bound, refused } : undefined;
      });
      await sleep(300);
      assert.equal(
        ((await env.api.expect(200, 'GET', pods)).items as Json[]).filter((p: Json) => p.spec.nodeName).length,
        4,
        'still 4',
      );
      const waiting = settled.refused[0];
      const message =
        '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';
      const condition = scheduledCondition(waiting);
      assert.deepEqual(
        { ...condition, lastTransitionTime: 'x' },
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: 'x',
          reason: 'Unschedulable',
          message,
        },
      );
      const [failed] = await env.events(waiting.metadata.name, 'FailedScheduling');
      assert.equal(failed.type, 'Warning');
      assert.equal(failed.message, message);
      assert.equal(failed.source.component, 'default-scheduler');
      // A pod that is only Terminating still holds its share (nothing finishes it here); one that is gone does not.
      await env.api.expect(200, 'DELETE', `${pods}/${settled.bound[0].metadata.name}`);
      await sleep(300);
      assert.equal(
        ((await env.api.expect(200, 'GET', pods)).items as Json[]).filter((p: Json) => p.spec.nodeName).length,
        4,
      );
      for (const p of settled.refused) assert.equal(await nodeOf(env, p.metadata.name), undefined);
      await env.api.expect(200, 'DELETE', `${pods}/${settled.bound[0].metadata.name}?gracePeriodSeconds=0`);
      await eventually('a waiting pod to be bound', async () => {
        const items = ((await env.api.expect(200, 'GET', pods)).items as Json[]).filter((p) => p.spec.nodeName);
        return (
          items.length === 4 && items.some((p) => settled.refused.some((r) => r.metadata.name === p.metadata.name))
        );
      });
    }));

  it('spreads pods without requests over the nodes', () =>
    withScheduler(async (env) => {
      for (const n of ['n1', 'n2', 'n3']) await env.node(n);
      for (let i = 0; i < 6; i++) await env.pod(`spread-${i}`);
      const byNode = await eventually('6 pods bound', async () => {
        const items = (await env.api.expect(200, 'GET', pods)).items as Json[];
        if (!items.every((p) => p.spec.nodeName)) return undefined;
        const counts: Record<string, number> = {};
        for (const p of items) counts[p.spec.nodeName] = (counts[p.spec.nodeName] ?? 0) + 1;
        return counts;
      });
      assert.deepEqual(byNode, { n1: 2, n2: 2, n3: 2 });
    }));

  it('a pod waits for a node it fits (a label, readiness, an uncordon) and is bound when one appears', () =>
    withScheduler(async (env) => {
      await env.node('n1');
      await env.node('n2', { ready: 'False' });
      await env.node('n3', { unschedulable: true });
      await env.pod('picky', (p) => (p.spec.nodeSelector = { disk: 'ssd' }));
      await env.pod('any');
      assert.equal(
        await eventually('any to be bound', () => nodeOf(env, 'any')),
        'n1',
        'only the ready, schedulable node',
      );
      const [ev] = await eventually('FailedScheduling', () =>
        env.events('picky', 'FailedScheduling').then((e) => (e.length ? e : undefined)),
      );
      assert.equal(
        ev.message,
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      );
      // A heartbeat-only status change does not retry it; a label does.
      await env.api.expect(200, 'PATCH', '/api/v1/nodes/n3', {
        body: { metadata: { labels: { disk: 'ssd' } } },
        contentType: 'application/merge-patch+json',
      });
      await sleep(200);
      assert.equal(await nodeOf(env, 'picky'), undefined, 'n3 is cordoned');
      await env.api.expect(200, 'PATCH', '/api/v1/nodes/n3', {
        body: { spec: { unschedulable: null } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(await eventually('picky to be bound', () => nodeOf(env, 'picky')), 'n3');
      const pod = await env.get('picky');
      const condition = scheduledCondition(pod);
      assert.equal(condition.status, 'True');
      assert.equal(condition.reason, undefined);
    }));

  it('host ports and extended resources are counted per node', () =>
    withScheduler(async (env) => {
      await env.node('n1', { extra: { 'example.com/gpu': '1' } });
      const withPort = (p: Json) => (p.spec.containers[0].ports = [{ containerPort: 80, hostPort: 8080 }]);
      await env.pod('port-a', withPort);
      assert.equal(await eventually('port-a bound', () => nodeOf(env, 'port-a')), 'n1');
      await env.pod('port-b', withPort);
      const [ports] = await eventually('port-b refused', () =>
        env.events('port-b', 'FailedScheduling').then((e) => (e.length ? e : undefined)),
      );
      assert.equal(
        ports.message,
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
      );
      await env.pod(
        'gpu',
        (p) =>
          (p.spec.containers[0].resources = {
            requests: { 'example.com/gpu': '2' },
            limits: { 'example.com/gpu': '2' },
          }),
      );
      const [gpu] = await eventually('gpu refused', () =>
        env.events('gpu', 'FailedScheduling').then((e) => (e.length ? e : undefined)),
      );
      assert.equal(
        gpu.message,
        '0/1 nodes are available: 1 Insufficient example.com/gpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      );
      // The first pod goes: the port is free again.
      await env.api.expect(200, 'DELETE', `${pods}/port-a?gracePeriodSeconds=0`);
      assert.equal(await eventually('port-b bound', () => nodeOf(env, 'port-b')), 'n1');
    }));

  it('leaves alone pods of another scheduler, pods with a node, and gated pods until their gates are gone', () =>
    withScheduler(async (env) => {
      await env.node('n1');
      await env.pod('other', (p) => (p.spec.schedulerName = 'my-scheduler'));
      await env.pod('gated', (p) => (p.spec.schedulingGates = [{ name: 'example.com/wait' }]));
      await env.pod('placed', (p) => (p.spec.nodeName = 'elsewhere'));
      await env.pod('mine');
      await eventually('mine bound', () => nodeOf(env, 'mine'));
      await sleep(200);
      assert.equal(await nodeOf(env, 'other'), undefined);
      assert.equal(await nodeOf(env, 'gated'), undefined);
      assert.equal(await nodeOf(env, 'placed'), 'elsewhere');
      assert.deepEqual(await env.events('other'), []);
      assert.deepEqual(await env.events('placed'), []);
      assert.equal(scheduledCondition(await env.get('gated')).reason, 'SchedulingGated');
      await env.api.expect(200, 'PATCH', `${pods}/gated`, {
        body: { spec: { schedulingGates: null } },
        contentType: 'application/merge-patch+json',
      });
      assert.equal(await eventually('gated bound once ungated', () => nodeOf(env, 'gated')), 'n1');
    }));

  it('two schedulers at once (a restart overlapping the old process) bind every pod exactly once', () =>
    withScheduler(async (env) => {
      await env.node('n1');
      await env.node('n2');
      const second = await env.startScheduler();
      const watchFrom = (await env.api.expect(200, 'GET', pods)).metadata.resourceVersion;
      for (let i = 0; i < 20; i++) await env.pod(`race-${i}`);
      await eventually('20 pods bound', async () =>
        ((await env.api.expect(200, 'GET', pods)).items as Json[]).every((p) => p.spec.nodeName),
      );
      // Every pod went from unbound to bound in exactly one write of spec.nodeName, and has one Scheduled event.
      const res = await fetch(`${env.srv.url}${pods}?watch=true&resourceVersion=${watchFrom}&timeoutSeconds=1`);
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const nodes = new Map<string, Set<string>>();
      for (const ev of lines) {
        const name = ev.object.metadata.name;
        if (!nodes.has(name)) nodes.set(name, new Set());
        if (ev.object.spec.nodeName) nodes.get(name)!.add(ev.object.spec.nodeName);
      }
      assert.equal(nodes.size, 20);
      for (const [name, set] of nodes) assert.equal(set.size, 1, `${name} was bound to ${[...set].join(', ')}`);
      await sleep(300);
      for (let i = 0; i < 20; i++)
        assert.equal((await env.events(`race-${i}`, 'Scheduled')).length, 1, `race-${i}: one Scheduled event`);
      await second.stop();
    }));

  it('no node is "no nodes available"; a scheduler started later (a restart) binds what waited meanwhile', () =>
    withScheduler(async (env) => {
      await env.pod('early');
      const [ev] = await eventually('FailedScheduling', () =>
        env.events('early', 'FailedScheduling').then((e) => (e.length ? e : undefined)),
      );
      assert.equal(ev.message, 'no nodes available to schedule pods');
      assert.equal(scheduledCondition(await env.get('early')).reason, 'Unschedulable');
      await env.first.stop();
      await env.node('n1');
      await env.pod('late');
      await sleep(200);
      assert.equal(await nodeOf(env, 'early'), undefined, 'nobody schedules while the controller manager is down');
      await env.startScheduler();
      assert.equal(await eventually('early bound after the restart', () => nodeOf(env, 'early')), 'n1');
      assert.equal(await eventually('late bound after the restart', () => nodeOf(env, 'late')), 'n1');
    }));
});
