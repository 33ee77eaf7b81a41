import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDaemonTolerations,
  findUntoleratedTaint,
  matchesNodeAffinity,
  nodeShouldRunDaemonPod,
  toleratesTaint,
} from '../../../../controllers/daemonset/placement.js';
import type {
  DaemonSet,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from '../../../../controllers/daemonset/types.js';
import { daemonSet, node } from './fakes.js';

const withSpec = (f: (spec: PodSpec) => void) =>
  daemonSet('foo', (ds) => {
    f(ds.spec.template.spec!);
  });
const affinity = (...terms: NodeSelectorTerm[]) => ({
  nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
});

describe('nodeShouldRunDaemonPod', () => {
  const rows: Array<[string, ReturnType<typeof node>, DaemonSet, boolean, boolean]> = [
    ['plain ready node', node('n1'), daemonSet(), true, true],
    ['template nodeName names this node', node('n1'), withSpec((s) => (s.nodeName = 'n1')), true, true],
    ['template nodeName names another node', node('n1'), withSpec((s) => (s.nodeName = 'n2')), false, false],
    [
      'nodeName agrees, nodeSelector disagrees',
      node('n1'),
      withSpec((s) => ((s.nodeName = 'n1'), (s.nodeSelector = { disk: 'ssd' }))),
      false,
      false,
    ],
    [
      'nodeName and nodeSelector agree',
      node('n1', { labels: { disk: 'ssd' } }),
      withSpec((s) => ((s.nodeName = 'n1'), (s.nodeSelector = { disk: 'ssd' }))),
      true,
      true,
    ],
    [
      'nodeSelector matches',
      node('n1', { labels: { color: 'blue' } }),
      withSpec((s) => (s.nodeSelector = { color: 'blue' })),
      true,
      true,
    ],
    [
      'nodeSelector value differs',
      node('n1', { labels: { color: 'green' } }),
      withSpec((s) => (s.nodeSelector = { color: 'blue' })),
      false,
      false,
    ],
    ['nodeSelector label missing', node('n1'), withSpec((s) => (s.nodeSelector = { color: 'blue' })), false, false],
    [
      'affinity In matches',
      node('n1', { labels: { color: 'blue' } }),
      withSpec(
        (s) => (s.affinity = affinity({ matchExpressions: [{ key: 'color', operator: 'In', values: ['blue'] }] })),
      ),
      true,
      true,
    ],
    [
      'affinity In does not match',
      node('n1', { labels: { color: 'red' } }),
      withSpec(
        (s) => (s.affinity = affinity({ matchExpressions: [{ key: 'color', operator: 'In', values: ['blue'] }] })),
      ),
      false,
      false,
    ],
    [
      'affinity NotIn with label absent',
      node('n1'),
      withSpec(
        (s) => (s.affinity = affinity({ matchExpressions: [{ key: 'color', operator: 'NotIn', values: ['blue'] }] })),
      ),
      true,
      true,
    ],
    [
      'affinity Exists',
      node('n1', { labels: { gpu: '' } }),
      withSpec((s) => (s.affinity = affinity({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }))),
      true,
      true,
    ],
    [
      'affinity DoesNotExist fails',
      node('n1', { labels: { gpu: '' } }),
      withSpec((s) => (s.affinity = affinity({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }))),
      false,
      false,
    ],
    [
      'affinity Gt',
      node('n1', { labels: { cores: '16' } }),
      withSpec((s) => (s.affinity = affinity({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }))),
      true,
      true,
    ],
    [
      'affinity Lt fails',
      node('n1', { labels: { cores: '16' } }),
      withSpec((s) => (s.affinity = affinity({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['8'] }] }))),
      false,
      false,
    ],
    [
      'affinity Gt on non-integer label',
      node('n1', { labels: { cores: 'many' } }),
      withSpec((s) => (s.affinity = affinity({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }))),
      false,
      false,
    ],
    [
      'affinity matchFields metadata.name In',
      node('n1'),
      withSpec(
        (s) => (s.affinity = affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] })),
      ),
      true,
      true,
    ],
    [
      'affinity matchFields other node',
      node('n1'),
      withSpec(
        (s) => (s.affinity = affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] })),
      ),
      false,
      false,
    ],
    [
      'affinity matchFields NotIn',
      node('n1'),
      withSpec(
        (s) => (s.affinity = affinity({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] })),
      ),
      true,
      true,
    ],
    [
      'terms are ORed',
      node('n1', { labels: { zone: 'b' } }),
      withSpec(
        (s) =>
          (s.affinity = affinity(
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
            { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] },
          )),
      ),
      true,
      true,
    ],
    ['empty term matches nothing', node('n1'), withSpec((s) => (s.affinity = affinity({}))), false, false],
    ['no terms match nothing', node('n1'), withSpec((s) => (s.affinity = affinity())), false, false],
    [
      'invalid term skipped, valid term matches',
      node('n1', { labels: { a: 'x' } }),
      withSpec(
        (s) =>
          (s.affinity = affinity(
            { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
            { matchExpressions: [{ key: 'a', operator: 'Exists' }] },
          )),
      ),
      true,
      true,
    ],
    [
      'untolerated NoSchedule taint keeps existing pods',
      node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      daemonSet(),
      false,
      true,
    ],
    [
      'untolerated NoExecute taint evicts',
      node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }),
      daemonSet(),
      false,
      false,
    ],
    [
      'PreferNoSchedule taint is ignored',
      node('n1', { taints: [{ key: 'dedicated', effect: 'PreferNoSchedule' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'tolerated NoSchedule taint',
      node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      withSpec((s) => (s.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }])),
      true,
      true,
    ],
    [
      'toleration with another value',
      node('n1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }),
      withSpec((s) => (s.tolerations = [{ key: 'dedicated', value: 'web' }])),
      false,
      false,
    ],
    [
      'NoSchedule and NoExecute, only NoExecute tolerated',
      node('n1', {
        taints: [
          { key: 'a', effect: 'NoSchedule' },
          { key: 'b', effect: 'NoExecute' },
        ],
      }),
      withSpec((s) => (s.tolerations = [{ key: 'b', operator: 'Exists' }])),
      false,
      true,
    ],
    [
      'tolerations on an untainted node',
      node('n1'),
      withSpec((s) => (s.tolerations = [{ operator: 'Exists' }])),
      true,
      true,
    ],
    [
      'control-plane taint skips the node',
      node('cp', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      daemonSet(),
      false,
      true,
    ],
    ['not ready node (condition only)', node('n1', { ready: 'False' }), daemonSet(), true, true],
    [
      'not ready node with not-ready NoExecute taint',
      node('n1', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'unreachable node',
      node('n1', { ready: 'Unknown', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'unschedulable node (spec and taint)',
      node('n1', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'memory pressure',
      node('n1', { taints: [{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'disk pressure',
      node('n1', { taints: [{ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'pid pressure',
      node('n1', { taints: [{ key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' }] }),
      daemonSet(),
      true,
      true,
    ],
    [
      'network unavailable without hostNetwork',
      node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      daemonSet(),
      false,
      true,
    ],
    [
      'network unavailable with hostNetwork',
      node('n1', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] }),
      withSpec((s) => (s.hostNetwork = true)),
      true,
      true,
    ],
  ];
  for (const [name, n, ds, shouldRun, shouldContinueRunning] of rows) {
    it(name, () => assert.deepEqual(nodeShouldRunDaemonPod(n, ds), { shouldRun, shouldContinueRunning }));
  }
});

describe('toleratesTaint', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const rows: Array<[string, Toleration, boolean]> = [
    ['Equal with same value', { key: 'k', operator: 'Equal', value: 'v' }, true],
    ['empty operator means Equal', { key: 'k', value: 'v' }, true],
    ['Equal with other value', { key: 'k', operator: 'Equal', value: 'w' }, false],
    ['Exists on key', { key: 'k', operator: 'Exists' }, true],
    ['Exists without key tolerates everything', { operator: 'Exists' }, true],
    ['other key', { key: 'x', operator: 'Exists' }, false],
    ['same effect', { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, true],
    ['other effect', { key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    ['unknown operator', { key: 'k', operator: 'Gt', value: 'v' }, false],
  ];
  for (const [name, tol, want] of rows) it(name, () => assert.equal(toleratesTaint(tol, taint), want));

  it('findUntoleratedTaint applies the filter', () => {
    const taints: Taint[] = [
      { key: 'a', effect: 'PreferNoSchedule' },
      { key: 'b', effect: 'NoSchedule' },
    ];
    assert.equal(
      findUntoleratedTaint(taints, [], (t) => t.effect === 'NoExecute'),
      undefined,
    );
    assert.deepEqual(
      findUntoleratedTaint(taints, [], (t) => t.effect !== 'NoExecute'),
      taints[0],
    );
  });
});

describe('addDaemonTolerations', () => {
  const keys = (spec: PodSpec) => (spec.tolerations ?? []).map((t) => `${t.key}:${t.effect}:${t.operator}`);
  it('adds the six defaults without tolerationSeconds', () => {
    const spec = addDaemonTolerations({});
    assert.deepEqual(keys(spec), [
      'node.kubernetes.io/not-ready:NoExecute:Exists',
      'node.kubernetes.io/unreachable:NoExecute:Exists',
      'node.kubernetes.io/disk-pressure:NoSchedule:Exists',
      'node.kubernetes.io/memory-pressure:NoSchedule:Exists',
      'node.kubernetes.io/pid-pressure:NoSchedule:Exists',
      'node.kubernetes.io/unschedulable:NoSchedule:Exists',
    ]);
    assert.ok(spec.tolerations!.every((t) => t.tolerationSeconds === undefined));
  });
  it('adds network-unavailable with hostNetwork', () => {
    assert.ok(
      keys(addDaemonTolerations({ hostNetwork: true })).includes(
        'node.kubernetes.io/network-unavailable:NoSchedule:Exists',
      ),
    );
  });
  it('keeps user tolerations and replaces a matching one with tolerationSeconds', () => {
    const spec = addDaemonTolerations({
      tolerations: [
        { key: 'custom', operator: 'Exists' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    assert.equal(spec.tolerations!.length, 7);
    assert.deepEqual(spec.tolerations![0], { key: 'custom', operator: 'Exists' });
    assert.deepEqual(spec.tolerations![1], {
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
    });
  });
  it('is idempotent', () => {
    const once = addDaemonTolerations({});
    const twice = addDaemonTolerations(structuredClone(once));
    assert.deepEqual(twice, once);
  });
});

describe('matchesNodeAffinity', () => {
  it('requires nodeSelector and affinity together', () => {
    const spec: PodSpec = {
      nodeSelector: { a: '1' },
      affinity: affinity({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }),
    };
    assert.equal(matchesNodeAffinity(spec, node('n', { labels: { a: '1', b: '' } })), true);
    assert.equal(matchesNodeAffinity(spec, node('n', { labels: { a: '1' } })), false);
    assert.equal(matchesNodeAffinity(spec, node('n', { labels: { b: '' } })), false);
  });
  it('In without values is invalid and matches nothing', () => {
    assert.equal(
      matchesNodeAffinity(
        { affinity: affinity({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }) },
        node('n', { labels: { a: '' } }),
      ),
      false,
    );
  });
  it('matchFields with an unsupported key matches nothing', () => {
    assert.equal(
      matchesNodeAffinity(
        { affinity: affinity({ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n'] }] }) },
        node('n'),
      ),
      false,
    );
  });
});
