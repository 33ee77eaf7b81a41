import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  allocatePodIP,
  IndexAllocator,
  MAX_SIMULATED_NODES,
  maxPodsIn,
  NODE_IP_COUNT,
  nodeIPAt,
  POD_CIDR_COUNT,
  podCIDRAt,
} from '../../../../controllers/kubelet/ids.js';
import { defaultPullPolicy, imageID, isMissingImage, normalizeImage } from '../../../../controllers/kubelet/images.js';
import {
  advancePod,
  goDuration,
  newPodRecord,
  terminationMs,
  type Pod,
  type RuntimeEnv,
} from '../../../../controllers/kubelet/pod-runtime.js';
import { desiredPodStatus, recordFromStatus } from '../../../../controllers/kubelet/pod-status.js';
import { pullBackOff, scaledTimings } from '../../../../controllers/kubelet/timings.js';

type Any = Record<string, any>;

describe('images', () => {
  const rows: Array<[string, string, string, string]> = [
    ['bare name', 'nginx', 'docker.io/library/nginx:latest', 'Always'],
    ['tag', 'nginx:1.14.2', 'docker.io/library/nginx:1.14.2', 'IfNotPresent'],
    ['docker hub user', 'fluent/fluentd:v1.16', 'docker.io/fluent/fluentd:v1.16', 'IfNotPresent'],
    ['registry', 'registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9', 'IfNotPresent'],
    ['registry with port', 'localhost:5000/app', 'localhost:5000/app:latest', 'Always'],
    ['digest', 'nginx@sha256:abc', 'docker.io/library/nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [name, image, normalized, policy] of rows) {
    it(name, () => {
      assert.equal(normalizeImage(image), normalized);
      assert.equal(defaultPullPolicy(image), policy);
    });
  }
  it('imageID is the repository with a digest, stable', () => {
    assert.match(imageID('nginx'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(imageID('nginx'), imageID('nginx:latest'));
    assert.equal(imageID('nginx@sha256:abc'), 'docker.io/library/nginx@sha256:abc');
  });
  it('only the non-existent tag is missing', () => {
    assert.deepEqual(['foo:non-existent', 'nginx', 'non-existent', 'a/non-existent:1'].map(isMissingImage), [
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('ids', () => {
  it('node IPs and pod CIDRs by index', () => {
    assert.deepEqual([nodeIPAt(0), nodeIPAt(252), nodeIPAt(253)], ['10.128.0.2', '10.128.0.254', '10.128.1.2']);
    assert.deepEqual(
      [podCIDRAt(0), podCIDRAt(255), podCIDRAt(256)],
      ['10.244.0.0/24', '10.244.255.0/24', '10.245.0.0/24'],
    );
  });
  it('pod CIDRs go beyond 10.255 into the rest of 10/8 and 172.16/12, never into the node IPs nor the Services', () => {
    const cidrs = Array.from({ length: POD_CIDR_COUNT }, (_, n) => podCIDRAt(n));
    assert.deepEqual(
      [cidrs[3071], cidrs[3072], cidrs[3072 + 96 * 256], cidrs[3072 + 112 * 256], cidrs[65_279]],
      ['10.255.255.0/24', '10.0.0.0/24', '10.112.0.0/24', '10.129.0.0/24', '172.31.255.0/24'],
    );
    assert.equal(new Set(cidrs).size, POD_CIDR_COUNT);
    assert.ok(POD_CIDR_COUNT >= 65_000);
    assert.ok(!cidrs.some((c) => c.startsWith('10.128.')), 'the node IPs');
    // the default --service-cluster-ip-range, 10.96.0.0/12: 10.96 … 10.111
    assert.ok(!cidrs.some((c) => /^10\.(9[6-9]|10\d|11[01])\./.test(c)), 'the Service range');
  });
  it('past the /24s, pod CIDRs are /26s of 100.64.0.0/10 and node IPs go on in 192.168.0.0/16', () => {
    const first26 = POD_CIDR_COUNT - 64 * 1024;
    assert.equal(first26, 65_280);
    assert.deepEqual(
      [
        podCIDRAt(first26 - 1),
        podCIDRAt(first26),
        podCIDRAt(first26 + 1),
        podCIDRAt(first26 + 4),
        podCIDRAt(POD_CIDR_COUNT - 1),
      ],
      ['172.31.255.0/24', '100.64.0.0/26', '100.64.0.64/26', '100.64.1.0/26', '100.127.255.192/26'],
    );
    assert.equal(new Set(Array.from({ length: POD_CIDR_COUNT }, (_, n) => podCIDRAt(n))).size, POD_CIDR_COUNT);
    const ips = Array.from({ length: NODE_IP_COUNT }, (_, n) => nodeIPAt(n));
    assert.deepEqual(
      [ips[253 * 256 - 1], ips[253 * 256], ips[NODE_IP_COUNT - 1]],
      ['10.128.255.254', '192.168.0.2', '192.168.255.254'],
    );
    assert.equal(new Set(ips).size, NODE_IP_COUNT);
    assert.ok(MAX_SIMULATED_NODES >= 100_000, 'the moonshot fits');
    // a /24 node runs the kubelet's 110 pods; a /26 node the 61 IPs it has (hosts .2 to .62), and they all allocate
    assert.deepEqual([maxPodsIn('10.244.0.0/24'), maxPodsIn('100.64.0.64/26'), maxPodsIn('fd00::/64')], [110, 61, 110]);
    const used = new Set<string>();
    for (let i = 0; i < 61; i++) used.add(allocatePodIP('100.64.0.64/26', used)!);
    assert.equal(used.size, 61);
    assert.ok(used.has('100.64.0.66') && used.has('100.64.0.126'));
    assert.equal(allocatePodIP('100.64.0.64/26', used), undefined);
  });
  it('pod IPs skip used ones', () => {
    assert.equal(allocatePodIP('10.244.3.0/24', new Set()), '10.244.3.2');
    assert.equal(allocatePodIP('10.244.3.0/24', new Set(['10.244.3.2', '10.244.3.3'])), '10.244.3.4');
    assert.equal(allocatePodIP('10.244.3.0/30', new Set(['10.244.3.2'])), undefined);
    assert.equal(allocatePodIP('fd00::/64', new Set()), undefined);
  });
  it('the allocator keeps claimed values and hands out the lowest free one', () => {
    const a = new IndexAllocator(podCIDRAt, 10);
    assert.equal(a.claim('n1', '10.244.0.0/24'), true);
    assert.equal(a.claim('n2', '10.244.0.0/24'), false);
    assert.equal(a.allocate('n2'), '10.244.1.0/24');
    assert.equal(a.allocate('n2'), '10.244.1.0/24');
    a.release('n1');
    assert.equal(a.allocate('n3'), '10.244.0.0/24');
  });
});

describe('timings', () => {
  it('scale with speed; the heartbeats and the lease duration do not', () => {
    const t = scaledTimings(0.1);
    assert.deepEqual(
      [t.sandboxDelayMs, t.startMinMs, t.startMaxMs, t.leaseRenewMs, t.nodeStatusReportMs, t.leaseDurationSeconds],
      [50, 100, 200, 10_000, 300_000, 40],
    );
  });
  it('pull back-off doubles up to the cap', () => {
    const t = scaledTimings(1);
    assert.deepEqual(
      [1, 2, 3, 6, 10].map((n) => pullBackOff(t, n)),
      [10_000, 20_000, 40_000, 300_000, 300_000],
    );
  });
  it('rejects a speed that is not positive', () =>
    assert.throws(() => scaledTimings(0), /speed must be a positive number/));
  const durations: Array<[number, string]> = [
    [0, '0s'],
    [812, '812ms'],
    [1500, '1.5s'],
    [2000, '2s'],
    [62_003, '1m2.003s'],
  ];
  for (const [ms, want] of durations) it(`goDuration(${ms})`, () => assert.equal(goDuration(ms), want));
});

function env(speed = 1, pulled = new Set<string>()): RuntimeEnv {
  return {
    timings: scaledTimings(speed),
    speed,
    hasImage: (i) => pulled.has(i),
    markPulled: (i) => void pulled.add(i),
    pullFails: isMissingImage,
  };
}

function pod(images: string[], extra: Any = {}): Pod {
  return {
    metadata: {
      name: 'p',
      namespace: 'default',
      uid: 'u1',
      creationTimestamp: '2024-01-01T00:00:00Z',
      ...(extra.metadata ?? {}),
    },
    spec: { nodeName: 'n1', containers: images.map((image, i) => ({ name: `c${i}`, image })), ...(extra.spec ?? {}) },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

describe('advancePod', () => {
  const T0 = Date.UTC(2024, 0, 1);
  it('Pending, then ContainerCreating after the sandbox delay, then Running within 1–2 s', () => {
    const p = pod(['nginx']);
    const rec = newPodRecord(p, T0);
    const e = env();
    assert.deepEqual(advancePod(rec, p, T0 + 100, e), { events: [], wakeAt: T0 + 500 });
    assert.equal(desiredPodStatus(p, rec, { hostIP: '10.128.0.2' }, T0 + 100), undefined);
    const s1 = advancePod(rec, p, T0 + 500, e);
    assert.deepEqual(
      s1.events.map((x) => x.reason),
      ['Pulling'],
    );
    const st1 = desiredPodStatus(p, rec, { hostIP: '10.128.0.2' }, T0 + 500)! as Any;
    assert.equal(st1.phase, 'Pending');
    assert.deepEqual(st1.containerStatuses[0].state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(st1.qosClass, 'BestEffort');
    assert.ok(s1.wakeAt! >= T0 + 1500 && s1.wakeAt! <= T0 + 2500, String(s1.wakeAt! - T0));
    const s2 = advancePod(rec, p, s1.wakeAt!, e);
    assert.deepEqual(
      s2.events.map((x) => x.reason),
      ['Pulled', 'Created', 'Started'],
    );
    assert.match(
      s2.events[0]!.message,
      /^Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/,
    );
    assert.equal(s2.wakeAt, undefined);
    assert.equal(rec.containers[0]!.state.kind, 'running');
  });

  it('an image already on the node with IfNotPresent is not pulled again', () => {
    const pulled = new Set(['nginx:1.25']);
    const p = pod(['nginx:1.25']);
    const rec = newPodRecord(p, T0);
    const s = advancePod(rec, p, T0 + 500, env(1, pulled));
    assert.deepEqual(
      s.events.map((x) => [x.reason, x.message]),
      [['Pulled', 'Container image "nginx:1.25" already present on machine']],
    );
  });

  it('a non-existent image alternates ErrImagePull and ImagePullBackOff with a growing back-off', () => {
    const p = pod(['foo:non-existent']);
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    const fail = advancePod(rec, p, T0 + 1500, e);
    assert.deepEqual(
      fail.events.map((x) => `${x.type} ${x.reason}`),
      ['Warning Failed', 'Warning Failed'],
    );
    assert.equal(fail.events[1]!.message, 'Error: ErrImagePull');
    assert.equal(rec.containers[0]!.state.kind, 'pullError');
    const back = advancePod(rec, p, T0 + 3000, e);
    assert.deepEqual(
      back.events.map((x) => [x.reason, x.message]),
      [
        ['BackOff', 'Back-off pulling image "foo:non-existent"'],
        ['Failed', 'Error: ImagePullBackOff'],
      ],
    );
    assert.equal(back.wakeAt, T0 + 1500 + 10_000);
    const st = desiredPodStatus(p, rec, { hostIP: '10.128.0.2' }, T0 + 3000)! as Any;
    assert.equal(st.phase, 'Pending');
    assert.equal(st.containerStatuses[0].state.waiting.reason, 'ImagePullBackOff');
    assert.equal(st.conditions.find((c: Any) => c.type === 'Ready').status, 'False');
    const again = advancePod(rec, p, T0 + 11_500, e);
    assert.deepEqual(
      again.events.map((x) => x.reason),
      ['Pulling', 'Failed', 'Failed'],
    );
    const back2 = advancePod(rec, p, T0 + 13_000, e);
    assert.equal(back2.wakeAt, T0 + 11_500 + 20_000);
  });

  const terminations: Array<[string, number | undefined, number, number]> = [
    ['default grace is capped at 2 s', 30, 1, 2000],
    ['a short grace period', 1, 1, 1000],
    ['grace 0', 0, 1, 0],
    ['speed 0.1 scales the cap', 30, 0.1, 200],
    ['speed 0.5 scales the grace period', 1, 0.5, 500],
  ];
  for (const [name, grace, speed, ms] of terminations) {
    it(`termination time: ${name}`, () => {
      const p = pod(['nginx'], {
        metadata: { deletionTimestamp: '2024-01-01T00:01:00Z', deletionGracePeriodSeconds: grace },
      });
      assert.equal(terminationMs(p, env(speed)), ms);
    });
  }

  it('graceful deletion stops running containers, then asks for the delete', () => {
    const p = pod(['nginx']);
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    advancePod(rec, p, T0 + 3000, e);
    const deleting = pod(['nginx'], {
      metadata: { deletionTimestamp: '2024-01-01T00:00:40Z', deletionGracePeriodSeconds: 30 },
    });
    const k = advancePod(rec, deleting, T0 + 10_000, e);
    assert.deepEqual(
      k.events.map((x) => [x.reason, x.message]),
      [['Killing', 'Stopping container c0']],
    );
    assert.deepEqual(k.wakeAt, T0 + 12_000);
    const st = desiredPodStatus(deleting, rec, { hostIP: 'h' }, T0 + 10_000)! as Any;
    assert.equal(st.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(st.containerStatuses[0].ready, false);
    assert.deepEqual(advancePod(rec, deleting, T0 + 12_000, e), { events: [], deleteNow: true });
  });

  it('a pod that never started is deleted at once', () => {
    const p = pod(['foo:non-existent'], {
      metadata: { deletionTimestamp: '2024-01-01T00:00:40Z', deletionGracePeriodSeconds: 30 },
    });
    const rec = newPodRecord(p, T0);
    assert.deepEqual(advancePod(rec, p, T0, env()), { events: [], deleteNow: true });
  });

  it('a changed image restarts the container', () => {
    const p = pod(['nginx:1']);
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    advancePod(rec, p, T0 + 3000, e);
    const firstID = rec.containers[0]!.containerID;
    const p2 = pod(['nginx:2']);
    const s = advancePod(rec, p2, T0 + 5000, e);
    assert.deepEqual(
      s.events.map((x) => x.reason),
      ['Killing', 'Pulling'],
    );
    advancePod(rec, p2, T0 + 8000, e);
    const c = rec.containers[0]!;
    assert.equal(c.state.kind, 'running');
    assert.equal(c.restartCount, 1);
    assert.notEqual(c.containerID, firstID);
    assert.equal(c.lastTerminated?.containerID, firstID);
    const st = desiredPodStatus(p2, rec, { hostIP: 'h' }, T0 + 8000)! as Any;
    assert.equal(st.containerStatuses[0].lastState.terminated.reason, 'Completed');
    assert.equal(st.containerStatuses[0].image, 'docker.io/library/nginx:2');
  });

  it('a restart into a missing image keeps the pod Running but not ready', () => {
    const p = pod(['nginx:1']);
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    advancePod(rec, p, T0 + 3000, e);
    const p2 = pod(['nginx:non-existent']);
    advancePod(rec, p2, T0 + 5000, e);
    advancePod(rec, p2, T0 + 6000, e);
    const st = desiredPodStatus(p2, rec, { hostIP: 'h' }, T0 + 6000)! as Any;
    assert.equal(st.phase, 'Running');
    assert.equal(st.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    assert.equal(st.containerStatuses[0].restartCount, 1);
  });

  it('a record rebuilt from the status it produced changes nothing', () => {
    const p = pod(['nginx', 'foo:non-existent']);
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    advancePod(rec, p, T0 + 3000, e);
    rec.podIP = '10.244.0.2';
    const status = desiredPodStatus(p, rec, { hostIP: 'h' }, T0 + 3000)!;
    const written: Pod = { ...p, status };
    const rebuilt = recordFromStatus(written, T0 + 60_000, scaledTimings(1))!;
    assert.deepEqual(desiredPodStatus(written, rebuilt, { hostIP: 'h' }, T0 + 60_000), status);
  });
});

describe("the pod's conditions: others' kept, readiness gates", () => {
  const T0 = Date.UTC(2024, 0, 1);
  /** A pod whose one container is running, its status as the API server last had it (`conditions`). */
  const running = (conditions: Any[], readinessGates?: Any[]) => {
    const p = pod(['nginx'], readinessGates ? { spec: { readinessGates } } : {});
    const rec = newPodRecord(p, T0);
    const e = env();
    advancePod(rec, p, T0 + 500, e);
    advancePod(rec, p, T0 + 3000, e);
    assert.equal(rec.containers[0]!.state.kind, 'running');
    p.status = { ...p.status, conditions };
    return desiredPodStatus(p, rec, { hostIP: 'h' }, T0 + 4000)! as Any;
  };
  const types = (st: Any) => st.conditions.map((c: Any) => `${c.type}=${c.status}`);
  const ready = (st: Any) => st.conditions.find((c: Any) => c.type === 'Ready');

  it('keeps the conditions other components set, before its own, and replaces its own', () => {
    const theirs = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'EvictionByEvictionAPI',
      lastTransitionTime: 'x',
    };
    const st = running([{ type: 'Ready', status: 'False' }, theirs]);
    assert.deepEqual(types(st), [
      'DisruptionTarget=True',
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    assert.equal(st.conditions[0], theirs);
    // (an entry that is not an object is not a condition: dropped, not a crash)
    assert.deepEqual(types(running([null, 7, theirs] as unknown as Any[])).slice(0, 2), [
      'DisruptionTarget=True',
      'PodReadyToStartContainers=True',
    ]);
  });

  it('is Ready only when every readiness gate holds, with upstream reasons and messages', () => {
    const gates = [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }];
    const none = ready(running([], gates));
    assert.equal(none.status, 'False');
    assert.equal(none.reason, 'ReadinessGatesNotReady');
    assert.equal(
      none.message,
      'corresponding condition of pod readiness gate "example.com/a" does not exist., ' +
        'corresponding condition of pod readiness gate "example.com/b" does not exist.',
    );
    const half = ready(
      running(
        [
          { type: 'example.com/a', status: 'True' },
          { type: 'example.com/b', status: 'False' },
        ],
        gates,
      ),
    );
    assert.deepEqual(
      [half.status, half.reason, half.message],
      ['False', 'ReadinessGatesNotReady', 'the status of pod readiness gate "example.com/b" is not "True", but False'],
    );
    const all = running(
      [
        { type: 'example.com/a', status: 'True' },
        { type: 'example.com/b', status: 'True' },
      ],
      gates,
    );
    assert.equal(ready(all).status, 'True');
    assert.equal(ready(all).reason, undefined);
    assert.equal(all.conditions.find((c: Any) => c.type === 'ContainersReady').status, 'True');
  });
});

describe('node status planning', () => {
  it('knows every key of the derived nodeInfo (a node lacking one gets them computed)', async () => {
    const { NODE_INFO_KEYS, nodeInfoFor, planNodeStatus } = await import(
      '../../../../controllers/kubelet/node-status.js'
    );
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u1' } };
    assert.deepEqual(Object.keys(nodeInfoFor(node)).sort(), [...NODE_INFO_KEYS].sort());
    const first = planNodeStatus(node, '10.0.0.2', 0, true).status!;
    assert.deepEqual(first.nodeInfo, nodeInfoFor(node));
    const again = planNodeStatus({ ...node, status: first }, '10.0.0.2', 1000, true).status!;
    assert.deepEqual(again.nodeInfo, first.nodeInfo);
  });

  it('remembers derived image values without changing them', () => {
    assert.equal(imageID('bench:1'), imageID('bench:1'));
    assert.notEqual(imageID('bench:1'), imageID('bench:2'));
  });
});
