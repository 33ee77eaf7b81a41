import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedKubelet, type KubeletOptions } from '../../../../controllers/kubelet/kubelet.js';
import { apiError, FakeCluster, nodeObj, podObj, RESOURCES } from './fake-cluster.js';

type Any = Record<string, any>;

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];

/** A cluster with the kubelet running on it. */
function start(
  opts: {
    speed?: number;
    nodes?: Any[];
    pods?: Any[];
    kubelet?: KubeletOptions;
    cluster?: FakeCluster;
    /** Whether the process is busy (the context's background writes then wait). */
    busy?: () => boolean;
  } = {},
) {
  const cluster = opts.cluster ?? new FakeCluster();
  for (const n of opts.nodes ?? []) cluster.seed(RESOURCES.nodes, n as never);
  for (const p of opts.pods ?? []) cluster.seed(RESOURCES.pods, p as never);
  const ctx = cluster.context(opts.speed ?? 1);
  if (opts.busy) ctx.background = { client: cluster, busy: opts.busy };
  const kubelet = new SimulatedKubelet(ctx, opts.kubelet);
  const stop = new AbortController();
  const done = kubelet.run(stop.signal);
  running.push({ stop, done });
  return { cluster, kubelet, stop };
}

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

const cond = (obj: Any, type: string) => obj.status.conditions.find((c: Any) => c.type === type);
const pod = (c: FakeCluster, name = 'p') => c.object(RESOURCES.pods, 'default', name) as Any;
const node = (c: FakeCluster, name = 'n1') => c.object(RESOURCES.nodes, undefined, name) as Any;

describe('kubelet: node status', () => {
  it('fills conditions, capacity, addresses, nodeInfo, endpoints, pod CIDR and default labels', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1'), nodeObj('n2')] });
    await cluster.settle();
    const n = node(cluster);
    assert.deepEqual(
      n.status.conditions.map((c: Any) => [c.type, c.status, c.reason, c.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.equal(cond(n, 'Ready').lastHeartbeatTime, '2024-01-01T00:00:00Z');
    assert.deepEqual(n.status.capacity.pods, '110');
    assert.deepEqual(Object.keys(n.status.allocatable).sort(), [
      'cpu',
      'ephemeral-storage',
      'hugepages-1Gi',
      'hugepages-2Mi',
      'memory',
      'pods',
    ]);
    assert.deepEqual(n.status.addresses, [
      { type: 'InternalIP', address: '10.128.0.2' },
      { type: 'Hostname', address: 'n1' },
    ]);
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\/1\.7\./);
    assert.deepEqual([n.status.nodeInfo.operatingSystem, n.status.nodeInfo.architecture], ['linux', 'amd64']);
    assert.match(n.status.nodeInfo.systemUUID, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.deepEqual(n.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual([n.spec.podCIDR, n.spec.podCIDRs], ['10.244.0.0/24', ['10.244.0.0/24']]);
    assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
    const n2 = node(cluster, 'n2');
    assert.deepEqual([n2.status.addresses[0].address, n2.spec.podCIDR], ['10.128.0.3', '10.244.1.0/24']);
    assert.deepEqual(
      cluster.events.filter((e) => e.reason === 'NodeReady').map((e) => [e.host, e.message]),
      [
        ['n1', 'Node n1 status is now: NodeReady'],
        ['n2', 'Node n2 status is now: NodeReady'],
      ],
    );
  });

  it('registers a node as a kubelet does: labels, pod CIDR and Ready status in the create, NodeReady on the answer, no write after', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.nodes, nodeObj('old', { spec: { podCIDR: '10.244.0.0/24' } }) as never);
    const { kubelet } = start({ cluster });
    const reg = await kubelet.nodeRegistration(new AbortController().signal);
    reg.existing(cluster.objects(RESOURCES.nodes));
    const manifest = reg.manifest('n1') as Any;
    assert.deepEqual([manifest.spec.podCIDR, manifest.spec.podCIDRs], ['10.244.1.0/24', ['10.244.1.0/24']]);
    assert.equal(manifest.metadata.labels['kubernetes.io/hostname'], 'n1');
    assert.deepEqual(
      manifest.status.conditions.map((c: Any) => [c.type, c.status]),
      [
        ['MemoryPressure', 'False'],
        ['DiskPressure', 'False'],
        ['PIDPressure', 'False'],
        ['Ready', 'True'],
      ],
    );
    assert.equal(manifest.status.capacity.pods, '110');
    assert.equal(manifest.status.nodeInfo.kubeletVersion, 'v1.32.0');
    reg.created(await cluster.create(RESOURCES.nodes, undefined, manifest as never));
    await cluster.settle();
    assert.equal(cluster.callsOf('update', 'nodes', 'status').length, 1, 'only the seeded node is written');
    assert.equal(cluster.callsOf('patch', 'nodes').length, 1, 'only the seeded node gets its labels');
    assert.deepEqual(
      cluster.events
        .filter((e) => e.reason === 'NodeReady')
        .map((e) => e.host)
        .sort(),
      ['n1', 'old'],
    );
    assert.equal(node(cluster).spec.podCIDR, '10.244.1.0/24');
  });

  const kept: Array<[string, Any, (n: Any) => unknown, unknown]> = [
    [
      'a stated capacity',
      { status: { capacity: { cpu: '2', pods: '3' } } },
      (n) => [n.status.capacity.cpu, n.status.capacity.pods, n.status.allocatable.pods, n.status.capacity.memory],
      ['2', '3', '3', '16374584Ki'],
    ],
    [
      'an existing pod CIDR',
      { spec: { podCIDR: '10.99.0.0/24', podCIDRs: ['10.99.0.0/24'] } },
      (n) => n.spec.podCIDR,
      '10.99.0.0/24',
    ],
    [
      'an existing InternalIP',
      { status: { addresses: [{ type: 'InternalIP', address: '192.168.1.5' }] } },
      (n) => n.status.addresses,
      [
        { type: 'InternalIP', address: '192.168.1.5' },
        { type: 'Hostname', address: 'n1' },
      ],
    ],
  ];
  for (const [name, extra, pick, want] of kept) {
    it(`keeps ${name}`, async () => {
      const { cluster } = start({ nodes: [nodeObj('n1', extra)] });
      await cluster.settle();
      assert.deepEqual(pick(node(cluster)), want);
    });
  }

  const heartbeats: Array<[number, number, number]> = [
    // speed, ms advanced, status writes after the first
    [1, 299_000, 0],
    [1, 300_000, 1],
    [1, 900_000, 3],
    [0.1, 299_000, 0],
    [0.1, 300_000, 1],
  ];
  for (const [speed, ms, writes] of heartbeats) {
    it(`heartbeats node status every 5 minutes (nodeStatusReportFrequency), whatever the speed (speed ${speed}, ${ms} ms: ${writes})`, async () => {
      const { cluster } = start({ nodes: [nodeObj('n1')], speed });
      await cluster.settle();
      const before = cluster.callsOf('update', 'nodes', 'status').length;
      assert.equal(before, 1);
      await cluster.tick(ms);
      assert.equal(cluster.callsOf('update', 'nodes', 'status').length - before, writes);
      if (writes)
        assert.equal(
          cond(node(cluster), 'Ready').lastHeartbeatTime,
          new Date(Date.UTC(2024, 0, 1) + ms).toISOString().replace('.000Z', 'Z'),
        );
      assert.equal(cond(node(cluster), 'Ready').lastTransitionTime, '2024-01-01T00:00:00Z');
    });
  }

  it('runs pods while node status writes wait (node syncs have a queue and workers of their own)', async () => {
    const cluster = new FakeCluster();
    // every node status write hangs until released, as on a server far behind
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const update = cluster.update.bind(cluster);
    let waiting = 0;
    cluster.update = (async (ref: any, ns: any, obj: any, opts: any) => {
      if (ref.resource === 'nodes') {
        waiting++;
        await released;
      }
      return update(ref, ns, obj, opts);
    }) as typeof cluster.update;
    const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
    start({ cluster, nodes: names.map((n) => nodeObj(n)), pods: [podObj('p', 'n6')], kubelet: { workers: 2 } });
    await cluster.tick(3000);
    assert.equal(pod(cluster).status.phase, 'Running');
    assert.ok(waiting >= 1 && waiting <= 4, `node status writes in flight: ${waiting}`);
    release();
    await cluster.settle();
    for (const n of names) assert.equal(cond(node(cluster, n), 'Ready').status, 'True');
  });

  it('retries a status write after a conflict with the object read again', async () => {
    const cluster = new FakeCluster();
    cluster.failures.set('update/status nodes n1', apiError(409, 'Conflict'));
    start({ cluster, nodes: [nodeObj('n1')] });
    await cluster.settle();
    assert.equal(cluster.callsOf('update', 'nodes', 'status').length, 2);
    assert.equal(cluster.callsOf('get', 'nodes').length, 1);
    assert.equal(cond(node(cluster), 'Ready').status, 'True');
  });
});

describe('kubelet: leases', () => {
  const renewals: Array<[number, number, number]> = [
    [1, 35_000, 3],
    [0.1, 35_000, 3],
    [0.1, 9_999, 0],
    [1, 9_999, 0],
  ];
  for (const [speed, ms, updates] of renewals) {
    it(`creates the node Lease and renews it every 10 s, whatever the speed (speed ${speed}, ${ms} ms: ${updates} renewals)`, async () => {
      const { cluster } = start({ nodes: [nodeObj('n1')], speed });
      await cluster.settle();
      const lease = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
      assert.deepEqual(
        [lease.spec.holderIdentity, lease.spec.leaseDurationSeconds, lease.spec.renewTime],
        ['n1', 40, '2024-01-01T00:00:00.000000Z'],
      );
      assert.deepEqual(lease.metadata.ownerReferences, [
        { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node(cluster).metadata.uid },
      ]);
      await cluster.tick(ms);
      assert.equal(cluster.callsOf('update', 'leases').length, updates);
      assert.equal(cluster.callsOf('get', 'leases').length, 0, 'a new lease is created without reading it');
      const renewed = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
      assert.equal(Date.parse(renewed.spec.renewTime), Date.UTC(2024, 0, 1) + updates * 10_000);
    });
  }

  it('a due renewal waits while the process is busy: 10 s at most, the Lease never more than half expired', async () => {
    let busy = true;
    const { cluster } = start({ nodes: [nodeObj('n1')], busy: () => busy });
    const renewals = () => cluster.callsOf('create', 'leases').length + cluster.callsOf('update', 'leases').length;
    const renewTime = () =>
      Date.parse((cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any).spec.renewTime);
    const t0 = Date.UTC(2024, 0, 1);
    await cluster.tick(9_800);
    assert.equal(renewals(), 0, 'the first Lease waits while busy');
    await cluster.tick(400);
    assert.equal(cluster.callsOf('create', 'leases').length, 1, 'and is written 10 s after the node was seen');
    const first = renewTime() - t0;
    assert.ok(first >= 10_000 && first <= 10_200, `first Lease at +${first} ms`);
    // still busy: the renewal due 10 s later waits 10 s more, then goes (renewed 20 s after the last); the clock
    // stands at +10.2 s
    await cluster.tick(first + 19_800 - 10_200);
    assert.equal(renewals(), 1);
    await cluster.tick(400);
    assert.equal(cluster.callsOf('update', 'leases').length, 1);
    const second = renewTime() - t0;
    assert.ok(second - first >= 20_000 && second - first <= 20_200, `renewed ${second - first} ms after the first`);
    // no longer busy: the next renewal is on time, 10 s after
    busy = false;
    await cluster.tick(10_200);
    assert.equal(cluster.callsOf('update', 'leases').length, 2);
    assert.equal(renewTime() - t0 - second, 10_000);
  });

  it('a waiting renewal goes as soon as the process is no longer busy', async () => {
    let busy = true;
    const { cluster } = start({ nodes: [nodeObj('n1'), nodeObj('n2')], busy: () => busy });
    await cluster.tick(3_000);
    assert.equal(cluster.callsOf('create', 'leases').length, 0);
    busy = false;
    await cluster.tick(200);
    assert.equal(cluster.callsOf('create', 'leases').length, 2, 'both nodes');
    for (const n of ['n1', 'n2']) {
      const lease = cluster.object(RESOURCES.leases, 'kube-node-lease', n) as Any;
      assert.ok(Date.parse(lease.spec.renewTime) - Date.UTC(2024, 0, 1) <= 3_200);
    }
  });

  it('a node deleted while its first Lease waits gets none', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], busy: () => true });
    await cluster.tick(5_000);
    await cluster.delete(RESOURCES.nodes, undefined, 'n1');
    await cluster.tick(10_000);
    assert.equal(cluster.callsOf('create', 'leases').length, 0);
  });

  it('takes over a Lease that exists already (a restarted controller manager): read after AlreadyExists, then updated', async () => {
    const cluster = new FakeCluster();
    cluster.seed(RESOURCES.leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'n1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2023-12-31T23:59:00.000000Z' },
    } as never);
    start({ cluster, nodes: [nodeObj('n1')] });
    await cluster.settle();
    assert.deepEqual([cluster.callsOf('create', 'leases').length, cluster.callsOf('get', 'leases').length], [1, 1]);
    assert.equal(cluster.callsOf('update', 'leases').length, 1);
    const lease = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
    assert.equal(lease.spec.renewTime, '2024-01-01T00:00:00.000000Z');
  });

  it('reads the Lease again after a conflict', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')] });
    await cluster.settle();
    cluster.failures.set('update leases n1', apiError(409, 'Conflict'));
    await cluster.tick(10_000);
    assert.equal(cluster.callsOf('update', 'leases').length, 2);
    assert.equal(cluster.callsOf('get', 'leases').length, 1);
  });

  it('a renewal writes the Lease last written with its new renewTime, whole when someone else added to it', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')] });
    await cluster.settle();
    const created = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
    await cluster.tick(10_000);
    const [plain] = cluster.callsOf('update', 'leases');
    // what the server answered to the create, renewed: the renewer kept only its identity and version
    const { managedFields: _, ...metadata } = created.metadata;
    assert.deepEqual(plain!.body, {
      ...created,
      metadata,
      spec: { ...created.spec, renewTime: '2024-01-01T00:00:10.000000Z' },
    });
    // someone labels the Lease, adds an owner and counts transitions: a renewal after the conflict keeps them all
    const current = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
    const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u-c' };
    await cluster.update(RESOURCES.leases, 'kube-node-lease', {
      ...current,
      metadata: {
        ...current.metadata,
        labels: { team: 'a' },
        ownerReferences: [...current.metadata.ownerReferences, other],
      },
      spec: { ...current.spec, leaseTransitions: 3 },
    });
    await cluster.tick(10_000); // a conflict, a read, the renewal
    await cluster.tick(10_000); // a renewal from the whole Lease kept
    const updates = cluster.callsOf('update', 'leases').filter((c) => c.body.metadata.labels);
    assert.equal(updates.length, 3, 'the label writer and two renewals');
    const last = cluster.object(RESOURCES.leases, 'kube-node-lease', 'n1') as Any;
    assert.deepEqual(
      [last.metadata.labels, last.metadata.ownerReferences.length, last.spec.leaseTransitions, last.spec.renewTime],
      [{ team: 'a' }, 2, 3, '2024-01-01T00:00:30.000000Z'],
    );
    assert.equal(cluster.callsOf('get', 'leases').length, 1);
  });

  it('stops renewing the Lease of a deleted node', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')] });
    await cluster.settle();
    await cluster.delete(RESOURCES.nodes, undefined, 'n1');
    await cluster.tick(30_000);
    assert.equal(cluster.callsOf('update', 'leases').length, 0);
  });
});

describe('kubelet: pods', () => {
  const at = (ms: number) => new Date(Date.UTC(2024, 0, 1) + ms).toISOString().replace('.000Z', 'Z');

  it('Pending → ContainerCreating → Running with IPs, ids and Ready conditions', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')] });
    await cluster.tick(400);
    assert.equal(pod(cluster).status.containerStatuses, undefined);
    await cluster.tick(200);
    let p = pod(cluster);
    assert.equal(p.status.phase, 'Pending');
    assert.deepEqual(p.status.containerStatuses[0].state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(
      [
        cond(p, 'PodScheduled').status,
        cond(p, 'Initialized').status,
        cond(p, 'Ready').status,
        cond(p, 'ContainersReady').status,
      ],
      ['True', 'True', 'False', 'False'],
    );
    assert.deepEqual(
      [p.status.hostIP, p.status.hostIPs, p.status.podIP, p.status.startTime, p.status.qosClass],
      ['10.128.0.2', [{ ip: '10.128.0.2' }], undefined, at(0), 'BestEffort'],
    );
    await cluster.tick(2000);
    p = pod(cluster);
    const cs = p.status.containerStatuses[0];
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(
      [cs.name, cs.ready, cs.started, cs.restartCount, cs.image, cs.lastState],
      ['app', true, true, 0, 'docker.io/library/nginx:latest', {}],
    );
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(cs.state.running.startedAt);
    assert.deepEqual([p.status.podIP, p.status.podIPs], ['10.244.0.2', [{ ip: '10.244.0.2' }]]);
    assert.deepEqual([cond(p, 'Ready').status, cond(p, 'ContainersReady').status], ['True', 'True']);
    assert.deepEqual(
      cluster.events.filter((e) => e.object === 'default/p').map((e) => [e.component, e.host, e.reason]),
      [
        ['kubelet', 'n1', 'Pulling'],
        ['kubelet', 'n1', 'Pulled'],
        ['kubelet', 'n1', 'Created'],
        ['kubelet', 'n1', 'Started'],
      ],
    );
  });

  it('while the informer still shows a pod as it was before the last status write, writes from that write', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')] });
    await cluster.tick(100);
    const writes = () => cluster.callsOf('update', 'pods', 'status');
    assert.equal(writes().length, 0);
    // the watch lags behind the writes: the informer keeps showing the pod as it was before the first one
    cluster.watchOf(RESOURCES.pods).hold();
    await cluster.tick(500);
    assert.equal(writes().length, 1);
    assert.equal(pod(cluster).status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
    await cluster.tick(3000);
    assert.equal(writes().length, 2, 'the container runs: written at once, on the first write answer');
    const rv = (i: number) => Number(writes()[i]!.body.metadata.resourceVersion);
    assert.ok(rv(1) > rv(0), "the second is based on the first one's answer, not on the informer's stale copy");
    assert.equal(pod(cluster).status.phase, 'Running');
    assert.equal(cluster.callsOf('get', 'pods').length, 0, 'no conflict, no read of the pod');
    cluster.watchOf(RESOURCES.pods).release();
    await cluster.tick(0);
    assert.equal(writes().length, 2, 'nothing more once the informer shows it');
  });

  it('at speed 0.1 a pod goes from Pending to Running in one status write (ContainerCreating lasts < statusBatchMs)', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')], speed: 0.1 });
    await cluster.tick(1000);
    assert.equal(pod(cluster).status.phase, 'Running');
    assert.equal(cluster.callsOf('update', 'pods', 'status').length, 1);
    assert.deepEqual(
      cluster.events.filter((e) => e.object === 'default/p').map((e) => e.reason),
      ['Pulling', 'Pulled', 'Created', 'Started'],
    );
  });

  it('runs ten times faster at speed 0.1', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')], speed: 0.1 });
    await cluster.tick(260);
    assert.equal(pod(cluster).status.phase, 'Running');
  });

  it('gives pods of a node distinct IPs and hostNetwork pods the node IP', async () => {
    const { cluster } = start({
      nodes: [nodeObj('n1'), nodeObj('n2')],
      pods: [
        podObj('a', 'n1'),
        podObj('b', 'n1'),
        podObj('c', 'n2'),
        podObj('h', 'n1', ['nginx'], { spec: { hostNetwork: true } }),
      ],
    });
    await cluster.tick(3000);
    assert.deepEqual(['a', 'b', 'c', 'h'].map((n) => pod(cluster, n).status.podIP).sort(), [
      '10.128.0.2',
      '10.244.0.2',
      '10.244.0.3',
      '10.244.1.2',
    ]);
  });

  it('never starts an image tagged non-existent', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1', ['foo:non-existent'])] });
    await cluster.tick(1600);
    let p = pod(cluster);
    assert.equal(p.status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    assert.equal(p.status.phase, 'Pending');
    await cluster.tick(1500);
    p = pod(cluster);
    assert.deepEqual(p.status.containerStatuses[0].state.waiting, {
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "foo:non-existent"',
    });
    assert.equal(cond(p, 'Ready').status, 'False');
    // The next pull 10 s after the failure (at 11.5 s) fails again; back-off again 1.5 s later.
    await cluster.tick(9000);
    assert.equal(pod(cluster).status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    await cluster.tick(1500);
    assert.equal(pod(cluster).status.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
    assert.deepEqual(
      cluster.events
        .filter((e) => e.type === 'Warning')
        .map((e) => e.message)
        .slice(0, 2),
      [
        'Failed to pull image "foo:non-existent": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/foo:non-existent": failed to resolve reference "docker.io/library/foo:non-existent": docker.io/library/foo:non-existent: not found',
        'Error: ErrImagePull',
      ],
    );
  });

  it('writes nothing once a pod runs', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')] });
    await cluster.tick(3000);
    const writes = cluster.callsOf('update', 'pods').length;
    assert.equal(writes, 2);
    await cluster.tick(300_000);
    assert.equal(cluster.callsOf('update', 'pods').length, writes);
  });

  it('restarts a container whose image changed', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1', ['nginx:1'])] });
    await cluster.tick(3000);
    const before = pod(cluster);
    await cluster.update(RESOURCES.pods, 'default', {
      ...before,
      spec: { ...before.spec, containers: [{ name: 'app', image: 'nginx:2' }] },
    } as never);
    await cluster.tick(3000);
    const cs = pod(cluster).status.containerStatuses[0];
    assert.deepEqual(
      [cs.restartCount, cs.image, cs.ready, cs.lastState.terminated.containerID],
      [1, 'docker.io/library/nginx:2', true, before.status.containerStatuses[0].containerID],
    );
    assert.notEqual(cs.containerID, before.status.containerStatuses[0].containerID);
    assert.ok(
      cluster.events.some(
        (e) => e.reason === 'Killing' && e.message === 'Container app definition changed, will be restarted',
      ),
    );
  });

  const deletions: Array<[string, number, number | undefined, number]> = [
    // name, speed, grace requested, ms until deleted
    ['default grace, capped at 2 s', 1, undefined, 2000],
    ['grace 1 s', 1, 1, 1000],
    ['speed 0.1', 0.1, undefined, 200],
  ];
  for (const [name, speed, grace, ms] of deletions) {
    it(`finishes graceful deletion: ${name}`, async () => {
      const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')], speed });
      await cluster.tick(3000 * speed);
      const uid = pod(cluster).metadata.uid;
      await cluster.delete(RESOURCES.pods, 'default', 'p', grace === undefined ? {} : { gracePeriodSeconds: grace });
      await cluster.settle();
      const terminating = pod(cluster);
      assert.equal(terminating.status.containerStatuses[0].state.terminated.reason, 'Completed');
      assert.equal(cond(terminating, 'Ready').status, 'False');
      assert.ok(cluster.events.some((e) => e.reason === 'Killing' && e.message === 'Stopping container app'));
      await cluster.tick(ms - 1);
      assert.ok(pod(cluster), 'still terminating');
      await cluster.tick(1);
      assert.equal(cluster.object(RESOURCES.pods, 'default', 'p'), undefined);
      const del = cluster.callsOf('delete', 'pods').at(-1)!;
      assert.deepEqual(del.opts, { gracePeriodSeconds: 0, preconditions: { uid } });
    });
  }

  it('leaves terminal pods alone', async () => {
    const { cluster } = start({
      nodes: [nodeObj('n1')],
      pods: [podObj('p', 'n1', ['nginx'], { status: { phase: 'Failed' } })],
    });
    await cluster.tick(10_000);
    assert.equal(cluster.callsOf('update', 'pods').length, 0);
    assert.equal(pod(cluster).status.phase, 'Failed');
  });

  it('ignores unbound pods and pods of unknown nodes', async () => {
    const { cluster } = start({ nodes: [nodeObj('n1')], pods: [podObj('u', ''), podObj('x', 'gone')] });
    await cluster.tick(10_000);
    assert.equal(cluster.callsOf('update', 'pods').length, 0);
  });

  it('a restarted kubelet carries on without rewriting anything', async () => {
    const { cluster, stop } = start({
      nodes: [nodeObj('n1')],
      pods: [podObj('p', 'n1'), podObj('q', 'n1', ['foo:non-existent'])],
    });
    await cluster.tick(4000);
    stop.abort();
    const before = [pod(cluster, 'p'), pod(cluster, 'q')];
    const writes = cluster.callsOf('update', 'pods').length;
    start({ cluster });
    await cluster.tick(1000);
    assert.equal(cluster.callsOf('update', 'pods').length, writes);
    assert.deepEqual(pod(cluster, 'p').status, before[0]!.status);
  });
});
