/**
 * The scheduler's decision (controllers/scheduler/framework.ts), table-driven: each filter of the default profile
 * and its upstream reason, the FitError message (histogram counts, sorting, the preemption dry run), requests as
 * kube-scheduler sums them, quantities, scoring and the choice of a node.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addPod,
  balancedAllocationScore,
  buildSnapshot,
  effectiveTaints,
  filterNode,
  fitErrorMessage,
  leastAllocatedScore,
  preFilterNodeNames,
  schedulePod,
  scoreNodes,
  type NodeInfo,
  type Status,
} from '../../../../controllers/scheduler/framework.js';
import { quantityMilliValue, quantityValue } from '../../../../controllers/scheduler/quantity.js';
import { podRequests } from '../../../../controllers/scheduler/resources.js';
import { nodeSchedulingChanged, wantsScheduling } from '../../../../controllers/scheduler/scheduler.js';
import type { Container, Node, Pod, PodSpec, Taint } from '../../../../controllers/scheduler/types.js';

const GiB = 1024n ** 3n;

function node(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    pods?: string;
    extra?: Record<string, string>;
    labels?: Record<string, string>;
    taints?: Taint[];
    unschedulable?: boolean;
    ready?: string | null;
  } = {},
): Node {
  const conditions = opts.ready === null ? [] : [{ type: 'Ready', status: opts.ready ?? 'True' }];
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: {
        cpu: opts.cpu ?? '4',
        memory: opts.memory ?? '16Gi',
        pods: opts.pods ?? '110',
        ...(opts.extra ?? {}),
      },
      conditions,
    },
  };
}

let seq = 0;
function pod(
  spec: Partial<PodSpec> = {},
  opts: { name?: string; nodeName?: string; phase?: string; requests?: Record<string, string> } = {},
): Pod {
  const container: Container = { name: 'c', image: 'nginx' };
  if (opts.requests) container.resources = { requests: opts.requests };
  const name = opts.name ?? `p${++seq}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: {
      containers: [container],
      schedulerName: 'default-scheduler',
      priority: 0,
      ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
      ...spec,
    },
    status: { phase: opts.phase ?? (opts.nodeName ? 'Running' : 'Pending') },
  };
}

const snapshot = (nodes: Node[], pods: Pod[] = []): NodeInfo[] => buildSnapshot(nodes, pods);
const only = (n: Node, pods: Pod[] = []): NodeInfo => snapshot([n], pods)[0]!;

describe('scheduler filters: the first that rejects a node, with its code and upstream reason', () => {
  const rows: Array<[string, Pod, NodeInfo, Status | undefined]> = [
    ['a plain pod fits a ready node', pod(), only(node('n1')), undefined],
    [
      'cordoned node',
      pod(),
      only(node('n1', { unschedulable: true })),
      { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'], plugin: 'NodeUnschedulable' },
    ],
    [
      'cordoned node, the pod tolerates node.kubernetes.io/unschedulable',
      pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      only(node('n1', { unschedulable: true })),
      undefined,
    ],
    [
      'cordoned and tainted: NodeUnschedulable runs first',
      pod(),
      only(node('n1', { unschedulable: true, taints: [{ key: 'a', effect: 'NoSchedule' }] })),
      { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'], plugin: 'NodeUnschedulable' },
    ],
    [
      'untolerated NoSchedule taint',
      pod(),
      only(node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'untolerated NoExecute taint without a value',
      pod(),
      only(node('n1', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoExecute' }] })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'PreferNoSchedule taint does not filter',
      pod(),
      only(node('n1', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })),
      undefined,
    ],
    [
      'tolerated taint',
      pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
      only(node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })),
      undefined,
    ],
    [
      'the first untolerated taint is named',
      pod({ tolerations: [{ key: 'a', operator: 'Exists' }] }),
      only(
        node('n1', {
          taints: [
            { key: 'a', effect: 'NoSchedule' },
            { key: 'b', value: '1', effect: 'NoSchedule' },
            { key: 'c', effect: 'NoSchedule' },
          ],
        }),
      ),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {b: 1}'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'Ready=False reads as the not-ready taint',
      pod(),
      only(node('n1', { ready: 'False' })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'Ready=Unknown reads as the unreachable taint',
      pod(),
      only(node('n1', { ready: 'Unknown' })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'no Ready condition reads as unreachable',
      pod(),
      only(node('n1', { ready: null })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'a pod tolerating not-ready NoSchedule fits a not-ready node',
      pod({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }] }),
      only(node('n1', { ready: 'False' })),
      undefined,
    ],
    [
      'the default NoExecute tolerations do not cover NoSchedule',
      pod({
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
      }),
      only(node('n1', { ready: 'False' })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
        plugin: 'TaintToleration',
      },
    ],
    [
      'nodeSelector matches',
      pod({ nodeSelector: { disk: 'ssd' } }),
      only(node('n1', { labels: { disk: 'ssd' } })),
      undefined,
    ],
    [
      'nodeSelector does not match',
      pod({ nodeSelector: { disk: 'ssd' } }),
      only(node('n1')),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ["node(s) didn't match Pod's node affinity/selector"],
        plugin: 'NodeAffinity',
      },
    ],
    [
      'required node affinity In',
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
            },
          },
        },
      }),
      only(node('n1', { labels: { zone: 'b' } })),
      undefined,
    ],
    [
      'required node affinity NotIn',
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }],
            },
          },
        },
      }),
      only(node('n1', { labels: { zone: 'b' } })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ["node(s) didn't match Pod's node affinity/selector"],
        plugin: 'NodeAffinity',
      },
    ],
    [
      'host port free',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
      only(node('n1')),
      undefined,
    ],
    [
      'host port taken on 0.0.0.0',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
      only(node('n1'), [
        pod(
          { containers: [{ name: 'x', ports: [{ containerPort: 80, hostPort: 8080, hostIP: '10.0.0.1' }] }] },
          { nodeName: 'n1' },
        ),
      ]),
      {
        code: 'Unschedulable',
        reasons: ["node(s) didn't have free ports for the requested pod ports"],
        plugin: 'NodePorts',
      },
    ],
    [
      'same host port, another protocol',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP' }] }] }),
      only(node('n1'), [
        pod({ containers: [{ name: 'x', ports: [{ containerPort: 53, hostPort: 53 }] }] }, { nodeName: 'n1' }),
      ]),
      undefined,
    ],
    [
      'same host port, two specific addresses',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.2' }] }] }),
      only(node('n1'), [
        pod(
          { containers: [{ name: 'x', ports: [{ containerPort: 80, hostPort: 80, hostIP: '10.0.0.1' }] }] },
          { nodeName: 'n1' },
        ),
      ]),
      undefined,
    ],
    ['cpu fits exactly', pod({}, { requests: { cpu: '4' } }), only(node('n1')), undefined],
    [
      'cpu over allocatable',
      pod({}, { requests: { cpu: '1000' } }),
      only(node('n1')),
      { code: 'Unschedulable', reasons: ['Insufficient cpu'], plugin: 'NodeResourcesFit' },
    ],
    [
      'cpu over what is left',
      pod({}, { requests: { cpu: '1500m' } }),
      only(node('n1'), [pod({}, { nodeName: 'n1', requests: { cpu: '3' } })]),
      { code: 'Unschedulable', reasons: ['Insufficient cpu'], plugin: 'NodeResourcesFit' },
    ],
    [
      'finished pods hold nothing',
      pod({}, { requests: { cpu: '3' } }),
      only(node('n1'), [pod({}, { nodeName: 'n1', phase: 'Succeeded', requests: { cpu: '3' } })]),
      undefined,
    ],
    [
      'cpu and memory both short: both reasons',
      pod({}, { requests: { cpu: '5', memory: '17Gi' } }),
      only(node('n1')),
      { code: 'Unschedulable', reasons: ['Insufficient cpu', 'Insufficient memory'], plugin: 'NodeResourcesFit' },
    ],
    [
      'too many pods',
      pod(),
      only(node('n1', { pods: '1' }), [pod({}, { nodeName: 'n1' })]),
      { code: 'Unschedulable', reasons: ['Too many pods'], plugin: 'NodeResourcesFit' },
    ],
    [
      'extended resource available',
      pod({}, { requests: { 'example.com/gpu': '2' } }),
      only(node('n1', { extra: { 'example.com/gpu': '2' } })),
      undefined,
    ],
    [
      'extended resource the node lacks',
      pod({}, { requests: { 'example.com/gpu': '1' } }),
      only(node('n1')),
      { code: 'Unschedulable', reasons: ['Insufficient example.com/gpu'], plugin: 'NodeResourcesFit' },
    ],
    [
      'ephemeral storage',
      pod({}, { requests: { 'ephemeral-storage': '1Ti' } }),
      only(node('n1', { extra: { 'ephemeral-storage': '100Gi' } })),
      { code: 'Unschedulable', reasons: ['Insufficient ephemeral-storage'], plugin: 'NodeResourcesFit' },
    ],
    [
      'untolerated taint is reported before resources',
      pod({}, { requests: { cpu: '1000' } }),
      only(node('n1', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] })),
      {
        code: 'UnschedulableAndUnresolvable',
        reasons: ['node(s) had untolerated taint {k: v}'],
        plugin: 'TaintToleration',
      },
    ],
  ];
  for (const [name, p, info, expected] of rows) {
    it(name, () => assert.deepEqual(filterNode(p, info), expected));
  }
});

describe('FitError messages as kube-scheduler 1.32 writes them', () => {
  it('counts reasons (not nodes), sorts the "<count> <reason>" strings, and appends the preemption dry run', () => {
    const nodes = [
      node('a', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      node('b'),
      node('c'),
    ];
    const r = schedulePod(pod({}, { requests: { cpu: '1000' } }), snapshot(nodes));
    assert.equal(r.kind, 'Unschedulable');
    assert.equal(
      (r as { message: string }).message,
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  const rows: Array<[string, Pod, Node[], Pod[], string]> = [
    ['no nodes at all', pod(), [], [], 'no nodes available to schedule pods'],
    [
      'one node short of cpu and memory: each reason counted',
      pod({}, { requests: { cpu: '5', memory: '20Gi' } }),
      [node('a'), node('b', { cpu: '8' })],
      [],
      '0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    ],
    [
      'nodeSelector matching nothing: nothing to preempt',
      pod({ nodeSelector: { disk: 'ssd' } }),
      [node('a'), node('b'), node('c', { unschedulable: true })],
      [],
      "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    ],
    [
      'string order, not numeric: "10 ..." sorts before "2 ..."',
      pod({ nodeSelector: { disk: 'ssd' } }),
      [
        ...Array.from({ length: 10 }, (_, i) => node(`n${i}`)),
        node('t1', { taints: [{ key: 'k', effect: 'NoSchedule' }] }),
        node('t2', { taints: [{ key: 'k', effect: 'NoSchedule' }] }),
      ],
      [],
      "0/12 nodes are available: 10 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {k: }. preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.",
    ],
    [
      'preemptionPolicy Never',
      pod({ preemptionPolicy: 'Never' }, { requests: { cpu: '8' } }),
      [node('a')],
      [],
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    ],
    [
      'lower-priority victims that would not make room: the filter reasons again',
      pod({ priority: 1000 }, { requests: { cpu: '8' } }),
      [node('a')],
      [pod({ priority: 0 }, { nodeName: 'a', requests: { cpu: '1' } })],
      '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Insufficient cpu.',
    ],
    [
      'lower-priority victims that would make room: upstream preempts, the message has no preemption part',
      pod({ priority: 1000 }, { requests: { cpu: '2' } }),
      [node('a')],
      [pod({ priority: 0 }, { nodeName: 'a', requests: { cpu: '3' } })],
      '0/1 nodes are available: 1 Insufficient cpu.',
    ],
    [
      'host port taken everywhere',
      pod({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }] }] }),
      [node('a')],
      [pod({ containers: [{ name: 'x', ports: [{ containerPort: 80, hostPort: 80 }] }] }, { nodeName: 'a' })],
      "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    ],
    [
      'metadata.name affinity narrows the nodes in PreFilter',
      pod(
        {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }],
              },
            },
          },
        },
        { requests: { cpu: '8' } },
      ),
      [node('a'), node('b'), node('c')],
      [],
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    ],
    [
      'metadata.name terms that cannot both hold: a PreFilter conflict',
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchFields: [
                    { key: 'metadata.name', operator: 'In', values: ['a'] },
                    { key: 'metadata.name', operator: 'In', values: ['b'] },
                  ],
                },
              ],
            },
          },
        },
      }),
      [node('a'), node('b')],
      [],
      '0/2 nodes are available: pod affinity terms conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    ],
  ];
  for (const [name, p, nodes, bound, message] of rows) {
    it(name, () => {
      const r = schedulePod(p, snapshot(nodes, bound));
      assert.equal(r.kind, 'Unschedulable', JSON.stringify(r));
      assert.equal((r as { message: string }).message, message);
    });
  }

  it('fitErrorMessage: a PreFilter message replaces the histogram; absent nodes count with their status', () => {
    assert.equal(
      fitErrorMessage({ numAllNodes: 2, nodeToStatus: new Map(), preFilterMsg: 'x', postFilterMsg: 'preemption: y.' }),
      '0/2 nodes are available: x. preemption: y.',
    );
    const d = {
      numAllNodes: 3,
      nodeToStatus: new Map<string, Status>([['a', { code: 'Unschedulable', reasons: ['Insufficient cpu'] }]]),
      absent: { code: 'UnschedulableAndUnresolvable' as const, reasons: ['gone'] },
    };
    assert.equal(fitErrorMessage(d), '0/3 nodes are available: 1 Insufficient cpu, 2 gone.');
  });
});

describe('choosing a node', () => {
  it('prefers the least allocated node; ties go to the first by name', () => {
    const nodes = [node('c'), node('a'), node('b')];
    assert.deepEqual(schedulePod(pod(), snapshot(nodes)), { kind: 'Scheduled', node: 'a', feasible: 3 });
    const busy = [
      pod({}, { nodeName: 'a', requests: { cpu: '2' } }),
      pod({}, { nodeName: 'b', requests: { cpu: '1' } }),
    ];
    assert.equal(
      (schedulePod(pod({}, { requests: { cpu: '500m' } }), snapshot(nodes, busy)) as { node: string }).node,
      'c',
    );
  });

  it('spreads pods without requests: each counts as 100m and 200Mi', () => {
    const infos = snapshot([node('a'), node('b')]);
    const placed: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = pod();
      const r = schedulePod(p, infos);
      assert.equal(r.kind, 'Scheduled');
      const name = (r as { node: string }).node;
      placed.push(name);
      addPod(infos.find((n) => n.name === name)!, { ...p, spec: { ...p.spec, nodeName: name } });
    }
    assert.deepEqual(placed, ['a', 'b', 'a', 'b']);
  });

  it('skips nodes that do not fit and never picks a filtered node', () => {
    const nodes = [node('a', { unschedulable: true }), node('b', { cpu: '1' }), node('c')];
    assert.equal((schedulePod(pod({}, { requests: { cpu: '2' } }), snapshot(nodes)) as { node: string }).node, 'c');
  });

  it('scores: least allocated (non-zero requests), balanced allocation, PreferNoSchedule taints (×3), preferred affinity (×2)', () => {
    const a = only(node('a', { cpu: '4', memory: '4Gi' }));
    // cpu (4000-100)*100/4000 = 97, memory (4Gi-200Mi)*100/4Gi = 95 → 96
    assert.equal(leastAllocatedScore(pod(), a), 96);
    assert.equal(balancedAllocationScore(pod(), a), undefined, 'a pod that requests nothing is not scored for balance');
    // cpu 1/4, memory 3/4: std = 0.25 → 75
    assert.equal(balancedAllocationScore(pod({}, { requests: { cpu: '1', memory: '3Gi' } }), a), 75);
    const tainted = node('t', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] });
    const plain = node('p');
    const [ps, ts] = scoreNodes(pod(), snapshot([plain, tainted]));
    assert.equal(ps! - ts!, 300, 'the untolerated PreferNoSchedule taint costs the full weighted score');
    const preferring = pod({
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 10, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
          ],
        },
      },
    });
    const infos = snapshot([node('x'), node('y', { labels: { zone: 'z1' } })]);
    const [xs, ys] = scoreNodes(preferring, infos);
    assert.equal(ys! - xs!, 200);
    assert.equal((schedulePod(preferring, infos) as { node: string }).node, 'y');
  });

  it('preFilterNodeNames: the union over terms, the intersection within a term; a term without a name pin means every node', () => {
    const terms = (...t: object[]) =>
      pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: t } } } });
    assert.equal(preFilterNodeNames(pod()), undefined);
    assert.deepEqual(
      preFilterNodeNames(
        terms(
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
        ),
      ),
      new Set(['a', 'b', 'c']),
    );
    assert.equal(
      preFilterNodeNames(
        terms(
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] },
          { matchExpressions: [{ key: 'x', operator: 'Exists' }] },
        ),
      ),
      undefined,
    );
  });

  it("effectiveTaints adds the readiness taint once, after the node's own", () => {
    assert.deepEqual(effectiveTaints(node('a')), []);
    assert.deepEqual(effectiveTaints(node('a', { ready: 'False', taints: [{ key: 'x', effect: 'NoSchedule' }] })), [
      { key: 'x', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(
      effectiveTaints(
        node('a', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      ),
      [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }],
    );
  });
});

describe('pod requests as kube-scheduler sums them', () => {
  const c = (name: string, requests: Record<string, string>, restartPolicy?: string): Container => ({
    name,
    resources: { requests },
    ...(restartPolicy ? { restartPolicy } : {}),
  });
  const rows: Array<[string, PodSpec, bigint, bigint]> = [
    [
      'containers add up',
      { containers: [c('a', { cpu: '100m', memory: '1Gi' }), c('b', { cpu: '1', memory: '512Mi' })] },
      1100n,
      GiB + GiB / 2n,
    ],
    [
      'an init container larger than the sum wins',
      { containers: [c('a', { cpu: '1' })], initContainers: [c('i', { cpu: '3' })] },
      3000n,
      0n,
    ],
    [
      'an init container smaller than the sum does not',
      { containers: [c('a', { cpu: '2' })], initContainers: [c('i', { cpu: '1' })] },
      2000n,
      0n,
    ],
    [
      'sidecars add to the sum and to later init containers',
      {
        containers: [c('a', { cpu: '1' })],
        initContainers: [c('s', { cpu: '1' }, 'Always'), c('i', { cpu: '2500m' })],
      },
      3500n,
      0n,
    ],
    [
      'overhead is added',
      { containers: [c('a', { cpu: '1' })], overhead: { cpu: '250m', memory: '64Mi' } },
      1250n,
      64n * 1024n * 1024n,
    ],
    ['no requests: zero', { containers: [{ name: 'a' }] }, 0n, 0n],
  ];
  for (const [name, spec, cpu, memory] of rows) {
    it(name, () => {
      const r = podRequests(spec);
      assert.equal(r.milliCPU, cpu);
      assert.equal(r.memory, memory);
    });
  }
  it('non-zero requests only replace what is missing, per container', () => {
    const r = podRequests({ containers: [{ name: 'a' }, c('b', { cpu: '0' })] }, true);
    assert.equal(r.milliCPU, 100n);
    assert.equal(r.memory, 2n * 200n * 1024n * 1024n);
  });
});

describe('quantities', () => {
  const rows: Array<[string | number, bigint, bigint]> = [
    ['1', 1n, 1000n],
    ['500m', 1n, 500n],
    ['1.5', 2n, 1500n],
    ['0.1', 1n, 100n],
    ['1k', 1000n, 1_000_000n],
    ['16374584Ki', 16374584n * 1024n, 16374584n * 1024n * 1000n],
    ['1Gi', GiB, GiB * 1000n],
    ['1e3', 1000n, 1_000_000n],
    ['1E-3', 1n, 1n],
    ['100u', 1n, 1n],
    ['2M', 2_000_000n, 2_000_000_000n],
    [4, 4n, 4000n],
    ['bogus', 0n, 0n],
  ];
  for (const [q, value, milli] of rows) {
    it(`${q}: value ${value}, milli ${milli}`, () => {
      assert.equal(quantityValue(q), value);
      assert.equal(quantityMilliValue(q), milli);
    });
  }
});

describe('which pods and node changes the scheduler acts on', () => {
  const rows: Array<[string, Pod, boolean]> = [
    ['an unassigned pod of default-scheduler', pod(), true],
    ['no schedulerName (defaulted by the server, but read as ours)', pod({ schedulerName: undefined }), true],
    ['another scheduler', pod({ schedulerName: 'my-scheduler' }), false],
    ['already on a node', pod({}, { nodeName: 'n1' }), false],
    ['gated', pod({ schedulingGates: [{ name: 'wait' }] }), false],
    ['finished', pod({}, { phase: 'Failed' }), false],
    ['being deleted', { ...pod(), metadata: { ...pod().metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, false],
  ];
  for (const [name, p, expected] of rows)
    it(`wantsScheduling: ${name}`, () => assert.equal(wantsScheduling(p), expected));

  const base = node('n1');
  const changed: Array<[string, Node, boolean]> = [
    [
      'a heartbeat (condition times only)',
      {
        ...base,
        status: {
          ...base.status,
          conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:01:00Z' }],
        },
      },
      false,
    ],
    ['Ready turns False', node('n1', { ready: 'False' }), true],
    ['cordoned', node('n1', { unschedulable: true }), true],
    ['a label', node('n1', { labels: { disk: 'ssd' } }), true],
    ['a taint', node('n1', { taints: [{ key: 'k', effect: 'NoSchedule' }] }), true],
    ['allocatable', node('n1', { cpu: '8' }), true],
  ];
  for (const [name, n, expected] of changed)
    it(`nodeSchedulingChanged: ${name}`, () => assert.equal(nodeSchedulingChanged(base, n), expected));
});
