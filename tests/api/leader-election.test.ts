/**
 * Several controller managers against one API server, as a user runs them: each is `node dist/controllers/main.js
 * --kubeconfig …` with leader election on (the default). Exactly one acts (the others say in their logs and
 * /metrics that they are candidates, and `kubectl get lease` names the holder); a SIGTERMed leader releases the
 * Lease and a candidate takes over within about one retry period; a SIGKILLed one is replaced within the lease
 * duration (plus a retry period); a DaemonSet over the simulated nodes never has two live pods on one node and
 * keeps one Ready pod per node, rolled by whichever process leads; a leader that cannot renew exits 1.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PodRecorder, imageOf, twoLivePodsOnANode, type WatchedPod } from '../helpers/availability.js';
import { sleep } from '../helpers/http.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';

const MAIN = join(REPO_ROOT, 'dist', 'controllers', 'main.js');
const NODES = 3;
const NS = 'default';
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager';
const SHORT = ['--leader-elect-lease-duration', '3s', '--leader-elect-renew-deadline', '2s'];
const SHORT_RETRY = ['--leader-elect-retry-period', '500ms'];

/** One controller manager process. */
class Manager {
  readonly proc: ChildProcess;
  readonly exited: Promise<unknown[]>;
  private out = '';

  constructor(kubeconfig: string, args: string[]) {
    this.proc = spawn(
      process.execPath,
      [MAIN, '--kubeconfig', kubeconfig, '--nodes', String(NODES), '--speed', '0.1', '--metrics-port', '0', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc.stdout!.on('data', (d) => (this.out += d));
    this.proc.stderr!.on('data', (d) => (this.out += d));
    this.exited = once(this.proc, 'exit');
  }

  output(): string {
    return this.out;
  }

  /** The identity it elects with (`<hostname>_<uuid>`), from its log. */
  async identity(): Promise<string> {
    const id = await eventually(
      () => /"identity":"([^"]+)"[^\n]*attempting to acquire leader lease/.exec(this.out)?.[1],
      { what: 'the identity in the log' },
    );
    return id!;
  }

  /** Its `leader_election_master_status` for the controller manager's Lease (1 leader, 0 candidate). */
  async masterStatus(): Promise<number> {
    const url = await eventually(() => /metrics on (http:\/\/\S+)/.exec(this.out)?.[1], { what: 'the metrics URL' });
    const text = await (await fetch(url!)).text();
    const m = /^leader_election_master_status\{name="kube-controller-manager"\} (\d+)$/m.exec(text);
    assert.ok(m, `leader_election_master_status in /metrics:\n${text.slice(0, 500)}`);
    return Number(m[1]);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }
}

describe('leader election of controller managers', { timeout: 300_000 }, () => {
  let srv: ServerProcess;
  let kubectl: Kubectl;
  const managers: Manager[] = [];
  const start = (args: string[] = []) => {
    const m = new Manager(srv.kubeconfig, args);
    managers.push(m);
    return m;
  };
  const get = async (path: string) => {
    const res = await fetch(srv.url + path);
    assert.equal(res.status, 200, path);
    return (await res.json()) as any;
  };
  const send = async (method: string, path: string, body: unknown, type = 'application/json') => {
    const res = await fetch(srv.url + path, { method, headers: { 'content-type': type }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.text()}`);
  };
  const holder = async () => (await get(LEASE)).spec?.holderIdentity as string | undefined;

  /** Waits until `id` holds the Lease; the milliseconds from `since`. */
  const takenBy = async (id: string, since: number, timeoutMs = 40_000) => {
    await eventually(async () => (await holder()) === id, {
      timeoutMs,
      intervalMs: 50,
      what: `${id} to hold the Lease`,
    });
    return Date.now() - since;
  };

  /** The DaemonSet `name` with one pod per node, Ready, of `image`, none being deleted. */
  const settled = async (name: string, image: string) => {
    const ds = await get(`/apis/apps/v1/namespaces/${NS}/daemonsets/${name}`);
    const s = ds.status ?? {};
    if (s.observedGeneration !== ds.metadata.generation || s.numberReady !== NODES) return false;
    if (s.updatedNumberScheduled !== NODES || s.desiredNumberScheduled !== NODES) return false;
    const pods = (await get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${name}`)).items as WatchedPod[];
    const ready = pods.filter(
      (p) =>
        !p.metadata.deletionTimestamp &&
        imageOf(p) === image &&
        (p.status as any)?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
    );
    return (
      pods.length === NODES && ready.length === NODES && new Set(ready.map((p) => p.spec?.nodeName)).size === NODES
    );
  };

  /** Creates the DaemonSet and watches it: `violations` lists every moment with two live pods on a node. */
  const daemonSet = async (name: string) => {
    await send('POST', `/apis/apps/v1/namespaces/${NS}/daemonsets`, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name },
      spec: {
        selector: { matchLabels: { app: name } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: `${name}:1` }] } },
      },
    });
    const violations: string[] = [];
    const recorder = await PodRecorder.start(srv.url, NS, `app=${name}`, twoLivePodsOnANode(violations));
    await eventually(() => settled(name, `${name}:1`), { timeoutMs: 60_000, what: `${name}:1 Ready on every node` });
    const roll = async (version: number) => {
      await send(
        'PATCH',
        `/apis/apps/v1/namespaces/${NS}/daemonsets/${name}`,
        { spec: { template: { spec: { containers: [{ name: 'c', image: `${name}:${version}` }] } } } },
        'application/strategic-merge-patch+json',
      );
      await eventually(() => settled(name, `${name}:${version}`), {
        timeoutMs: 90_000,
        what: `${name}:${version} Ready on every node`,
      });
    };
    return { violations, recorder, roll };
  };

  before(async () => {
    srv = await startServerProcess();
    kubectl = new Kubectl(srv.kubeconfig);
  });
  after(async () => {
    for (const m of managers) m.kill('SIGKILL');
    await Promise.all(managers.map((m) => m.exited));
    kubectl?.dispose();
    await srv?.stop();
    srv?.cleanup();
  });

  it('upstream durations: one acts; SIGTERM hands over within a retry period, SIGKILL within the lease duration', async (t) => {
    const a = start();
    const idA = await a.identity();
    await takenBy(idA, Date.now());
    const b = start();
    const idB = await b.identity();
    await eventually(() => b.output().includes('this one is a candidate'), { what: 'b to wait as a candidate' });
    const ds = await daemonSet('agent');

    // exactly one acts: a leads; b is a candidate in its log, its metrics and the Lease
    assert.equal(await a.masterStatus(), 1);
    assert.equal(await b.masterStatus(), 0);
    assert.ok(a.output().includes('controller manager running'));
    assert.equal(b.output().includes('controller manager running'), false, 'b runs no component');
    assert.equal(b.output().includes('caches synced'), false, 'b has not even started its informers');
    const yaml = await kubectl.ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'yaml']);
    assert.match(yaml, new RegExp(`holderIdentity: ${idA}\\n`));
    assert.match(yaml, /leaseDurationSeconds: 15\n/);
    assert.match(yaml, /leaseTransitions: 0\n/);
    assert.match(yaml, /renewTime: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"/);
    const events = await eventually(
      async () => {
        const out = await kubectl.ok([
          'get',
          'events',
          '-n',
          'kube-system',
          '--field-selector',
          'reason=LeaderElection',
        ]);
        return out.includes(`${idA} became leader`) ? out : undefined;
      },
      { what: 'the LeaderElection event' },
    );
    assert.match(events!, /lease\/kube-controller-manager/);

    // SIGTERM: a stops its components, releases the Lease, exits 0; b takes it at its next attempt
    const termAt = Date.now();
    a.kill('SIGTERM');
    const afterTerm = await takenBy(idB, termAt, 20_000);
    t.diagnostic(`after SIGTERM: ${idB} took the Lease in ${afterTerm} ms`);
    // a stops its components and releases; b takes it at its next attempt, at most a jittered retry period (4.4 s)
    assert.ok(afterTerm < 8_000, `a released Lease is taken within about a retry period (${afterTerm} ms)`);
    const [code] = await a.exited;
    assert.equal(code, 0, a.output().slice(-2000));
    assert.match(a.output(), /released lease kube-system\/kube-controller-manager/);
    assert.equal((await get(LEASE)).spec.leaseTransitions, 1);
    await eventually(async () => (await b.masterStatus()) === 1, { what: 'b to report itself leader' });
    await ds.roll(2); // b acts

    // SIGKILL: nobody releases; c takes over once it has seen the Lease unrenewed for 15 s
    const c = start();
    const idC = await c.identity();
    await eventually(() => c.output().includes('this one is a candidate'), { what: 'c to wait as a candidate' });
    await sleep(Math.floor(Math.random() * 2000));
    const killAt = Date.now();
    b.kill('SIGKILL');
    const afterKill = await takenBy(idC, killAt);
    t.diagnostic(`after SIGKILL: ${idC} took the Lease in ${afterKill} ms`);
    assert.ok(afterKill >= 10_000, `not before the Lease expired (${afterKill} ms)`);
    // c last saw the Lease change at its first attempt after b's last renewal (before the kill): at most one
    // jittered retry period later (2 s × 2.2 = 4.4 s). It takes over 15 s after that, so at most 19.4 s after the
    // kill, plus the attempt's own time on a loaded machine.
    assert.ok(afterKill < 22_000, `taken over within the lease duration and a retry period (${afterKill} ms)`);
    assert.equal((await get(LEASE)).spec.leaseTransitions, 2);
    await ds.roll(3); // c acts

    await sleep(1000); // a late duplicate would show up now
    await ds.recorder.stop();
    assert.deepEqual(ds.violations, [], 'two live pods of the DaemonSet on one node');
    assert.equal(ds.recorder.pods.size, NODES, 'one pod per node in the end');
    c.kill('SIGTERM');
    const [codeC] = await c.exited;
    assert.equal(codeC, 0, c.output().slice(-2000));
  });

  it('short durations: a SIGKILLed leader is replaced within the 3 s lease duration', async (t) => {
    const a = start([...SHORT, ...SHORT_RETRY]);
    const idA = await a.identity();
    await takenBy(idA, Date.now());
    const b = start([...SHORT, ...SHORT_RETRY]);
    const idB = await b.identity();
    await eventually(() => b.output().includes('this one is a candidate'), { what: 'b to wait as a candidate' });
    const ds = await daemonSet('fast');
    assert.equal(await b.masterStatus(), 0);
    assert.match(
      await kubectl.ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'yaml']),
      new RegExp(`holderIdentity: ${idA}\\n[\\s\\S]*leaseDurationSeconds: 3\\n`),
    );

    await sleep(Math.floor(Math.random() * 500));
    const killAt = Date.now();
    a.kill('SIGKILL');
    const afterKill = await takenBy(idB, killAt, 20_000);
    t.diagnostic(`after SIGKILL: ${idB} took the Lease in ${afterKill} ms`);
    // the Lease was last renewed at most 0.5 s before the kill; b saw that within a jittered 1.1 s, waits 3 s
    assert.ok(afterKill < 6_000, `taken over within the lease duration and a retry period (${afterKill} ms)`);
    await ds.roll(2);
    await sleep(1000);
    await ds.recorder.stop();
    assert.deepEqual(ds.violations, [], 'two live pods of the DaemonSet on one node');
    assert.equal(ds.recorder.pods.size, NODES);
    b.kill('SIGTERM');
    const [code] = await b.exited;
    assert.equal(code, 0, b.output().slice(-2000));
  });

  it('a leader that cannot renew within the renew deadline exits 1 (another holder wrote the Lease)', async () => {
    const a = start([...SHORT, ...SHORT_RETRY]);
    const idA = await a.identity();
    await takenBy(idA, Date.now());
    await eventually(() => a.output().includes('controller manager running'), { what: 'a to run its components' });
    // someone else takes the Lease by hand: a's renewals conflict, then find a valid Lease held by another
    const lease = await get(LEASE);
    const now = new Date().toISOString().replace('Z', '000Z');
    await send('PUT', LEASE, {
      ...lease,
      spec: { ...lease.spec, holderIdentity: 'intruder', acquireTime: now, renewTime: now, leaseDurationSeconds: 30 },
    });
    const at = Date.now();
    const [code] = await a.exited;
    const after = Date.now() - at;
    assert.equal(code, 1, a.output().slice(-2000));
    assert.match(a.output(), /failed to renew lease kube-system\/kube-controller-manager: leadership lost/);
    assert.match(a.output(), /leaderelection lost/);
    assert.ok(after < 5_000, `gave up after the 2 s renew deadline (${after} ms)`);
    assert.equal((await get(LEASE)).spec.holderIdentity, 'intruder', 'a did not take it back');
  });
});
