import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPrinter } from '../../../server/printers/index.js';
import { eventPrinter, type EventLike } from '../../../server/registry/resources/events/printer.js';
import { namespacePrinter } from '../../../server/registry/resources/namespaces/printer.js';
import { nodePrinter, nodeRoles, nodeStatus, type NodeLike } from '../../../server/registry/resources/nodes/printer.js';
import { ago, DAY, HOUR, MIN, NOW, SEC } from './helpers.js';

const cond = (type: string, status: string) => ({ type, status });

describe('node status', () => {
  const cases: Array<[string, NodeLike, string]> = [
    ['Ready=True', { status: { conditions: [cond('Ready', 'True')] } }, 'Ready'],
    ['Ready=False', { status: { conditions: [cond('Ready', 'False')] } }, 'NotReady'],
    ['Ready=Unknown', { status: { conditions: [cond('Ready', 'Unknown')] } }, 'NotReady'],
    ['no conditions', {}, 'Unknown'],
    [
      'only other conditions',
      { status: { conditions: [cond('MemoryPressure', 'False'), cond('DiskPressure', 'False')] } },
      'Unknown',
    ],
    [
      'Ready among other conditions',
      { status: { conditions: [cond('MemoryPressure', 'False'), cond('Ready', 'True')] } },
      'Ready',
    ],
    [
      'duplicate Ready: the last one wins',
      { status: { conditions: [cond('Ready', 'True'), cond('Ready', 'False')] } },
      'NotReady',
    ],
    [
      'cordoned and ready',
      { spec: { unschedulable: true }, status: { conditions: [cond('Ready', 'True')] } },
      'Ready,SchedulingDisabled',
    ],
    [
      'cordoned and not ready',
      { spec: { unschedulable: true }, status: { conditions: [cond('Ready', 'False')] } },
      'NotReady,SchedulingDisabled',
    ],
    ['cordoned without conditions', { spec: { unschedulable: true } }, 'Unknown,SchedulingDisabled'],
    [
      'unschedulable false',
      { spec: { unschedulable: false }, status: { conditions: [cond('Ready', 'True')] } },
      'Ready',
    ],
  ];
  for (const [name, node, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(nodeStatus(node), want));
  }
});

describe('node roles', () => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['no labels', {}, []],
    ['unrelated labels', { 'kubernetes.io/hostname': 'n1', ssd: 'true' }, []],
    ['node-role prefix', { 'node-role.kubernetes.io/control-plane': '' }, ['control-plane']],
    ['node-role value is ignored', { 'node-role.kubernetes.io/worker': 'whatever' }, ['worker']],
    ['empty node-role suffix is ignored', { 'node-role.kubernetes.io/': 'x' }, []],
    ['kubernetes.io/role value', { 'kubernetes.io/role': 'master' }, ['master']],
    ['empty kubernetes.io/role is ignored', { 'kubernetes.io/role': '' }, []],
    [
      'several roles sorted and de-duplicated',
      {
        'node-role.kubernetes.io/worker': '',
        'kubernetes.io/role': 'master',
        'node-role.kubernetes.io/master': '',
        'node-role.kubernetes.io/etcd': '',
      },
      ['etcd', 'master', 'worker'],
    ],
  ];
  for (const [name, labels, want] of cases) {
    it(name, () => assert.deepEqual(nodeRoles({ metadata: { labels } }), want));
  }
});

describe('node cells', () => {
  it('renders a complete node', () => {
    const node: NodeLike = {
      metadata: {
        name: 'k0',
        creationTimestamp: ago(5 * DAY + 3 * HOUR),
        labels: { 'node-role.kubernetes.io/control-plane': '' },
      },
      status: {
        conditions: [cond('Ready', 'True')],
        addresses: [
          { type: 'Hostname', address: 'k0' },
          { type: 'InternalIP', address: '10.0.0.2' },
          { type: 'ExternalIP', address: '34.1.2.3' },
          { type: 'InternalIP', address: '10.0.0.3' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.0',
          osImage: 'Ubuntu 22.04',
          kernelVersion: '6.1.0',
          containerRuntimeVersion: 'containerd://1.7.0',
        },
      },
    };
    assert.deepEqual(nodePrinter.cells(node, NOW), [
      'k0',
      'Ready',
      'control-plane',
      '5d3h',
      'v1.32.0',
      '10.0.0.2',
      '34.1.2.3',
      'Ubuntu 22.04',
      '6.1.0',
      'containerd://1.7.0',
    ]);
  });

  it('fills placeholders for a bare node (empty version, <none> addresses, <unknown> node info)', () => {
    assert.deepEqual(nodePrinter.cells({ metadata: { name: 'n' } }, NOW), [
      'n',
      'Unknown',
      '<none>',
      '<unknown>',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });

  it('columns match kube-apiserver', () => {
    assert.deepEqual(
      nodePrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Status', 'string', '', 0],
        ['Roles', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['Version', 'string', '', 0],
        ['Internal-IP', 'string', '', 1],
        ['External-IP', 'string', '', 1],
        ['OS-Image', 'string', '', 1],
        ['Kernel-Version', 'string', '', 1],
        ['Container-Runtime', 'string', '', 1],
      ],
    );
  });
});

describe('namespace cells', () => {
  const cases: Array<[string, unknown, unknown[]]> = [
    [
      'active',
      { metadata: { name: 'default', creationTimestamp: ago(10 * MIN) }, status: { phase: 'Active' } },
      ['default', 'Active', '10m'],
    ],
    [
      'terminating',
      { metadata: { name: 'x', creationTimestamp: ago(30 * SEC) }, status: { phase: 'Terminating' } },
      ['x', 'Terminating', '30s'],
    ],
    ['no status', { metadata: { name: 'y' } }, ['y', '', '<unknown>']],
  ];
  for (const [name, ns, want] of cases) {
    it(name, () => assert.deepEqual(namespacePrinter.cells(ns as never, NOW), want));
  }
  it('columns are Name, Status, Age', () => {
    assert.deepEqual(
      namespacePrinter.columns.map((c) => c.name),
      ['Name', 'Status', 'Age'],
    );
    assert.equal(namespacePrinter.columns[1].description, 'The status of the namespace');
  });
});

describe('event cells', () => {
  const base: EventLike = {
    metadata: { name: 'fluentd.17a', namespace: 'kube-system' },
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message: 'Created pod: fluentd-2jstx',
    involvedObject: { kind: 'DaemonSet', name: 'fluentd' },
    source: { component: 'daemonset-controller' },
    firstTimestamp: ago(5 * MIN),
    lastTimestamp: ago(65 * SEC),
    count: 3,
  };
  const cases: Array<[string, EventLike, unknown[]]> = [
    [
      'core event with first/last timestamps and count',
      base,
      [
        '65s',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'daemonset-controller',
        'Created pod: fluentd-2jstx',
        '5m',
        3,
        'fluentd.17a',
      ],
    ],
    [
      'no lastTimestamp: last seen = first seen',
      { ...base, lastTimestamp: undefined },
      [
        '5m',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'daemonset-controller',
        'Created pod: fluentd-2jstx',
        '5m',
        3,
        'fluentd.17a',
      ],
    ],
    [
      'eventTime only, no count: count 1',
      {
        ...base,
        firstTimestamp: null,
        lastTimestamp: null,
        count: undefined,
        eventTime: '2024-05-01T11:59:00.000000Z',
      },
      [
        '60s',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'daemonset-controller',
        'Created pod: fluentd-2jstx',
        '60s',
        1,
        'fluentd.17a',
      ],
    ],
    [
      'series overrides last seen and count',
      { ...base, series: { count: 7, lastObservedTime: ago(2 * SEC) } },
      [
        '2s',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'daemonset-controller',
        'Created pod: fluentd-2jstx',
        '5m',
        7,
        'fluentd.17a',
      ],
    ],
    [
      'no timestamps at all',
      { ...base, firstTimestamp: undefined, lastTimestamp: undefined },
      [
        '<unknown>',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'daemonset-controller',
        'Created pod: fluentd-2jstx',
        '<unknown>',
        3,
        'fluentd.17a',
      ],
    ],
    [
      'involved object without name, subobject and host',
      {
        ...base,
        type: 'Warning',
        reason: 'BackOff',
        involvedObject: { kind: 'Node', fieldPath: 'spec.containers{app}' },
        source: { component: 'kubelet', host: 'node-1' },
        message: '  Back-off restarting failed container \n',
      },
      [
        '65s',
        'Warning',
        'BackOff',
        'node',
        'spec.containers{app}',
        'kubelet, node-1',
        'Back-off restarting failed container',
        '5m',
        3,
        'fluentd.17a',
      ],
    ],
    [
      'empty source falls back to reportingComponent / reportingInstance',
      { ...base, source: {}, reportingComponent: 'kubelet', reportingInstance: 'node-2' },
      [
        '65s',
        'Normal',
        'SuccessfulCreate',
        'daemonset/fluentd',
        '',
        'kubelet, node-2',
        'Created pod: fluentd-2jstx',
        '5m',
        3,
        'fluentd.17a',
      ],
    ],
    [
      'events.k8s.io/v1 shape',
      {
        metadata: { name: 'e2' },
        type: 'Normal',
        reason: 'Scheduled',
        note: 'Successfully assigned default/p to n1',
        regarding: { kind: 'Pod', name: 'p' },
        reportingController: 'default-scheduler',
        reportingInstance: 'default-scheduler-n0',
        eventTime: ago(90 * SEC),
      },
      [
        '90s',
        'Normal',
        'Scheduled',
        'pod/p',
        '',
        'default-scheduler, default-scheduler-n0',
        'Successfully assigned default/p to n1',
        '90s',
        1,
        'e2',
      ],
    ],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => assert.deepEqual(eventPrinter.cells(e, NOW), want));
  }

  it('columns match kube-apiserver (order, priorities, formats)', () => {
    assert.deepEqual(
      eventPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Last Seen', 'string', '', 0],
        ['Type', 'string', '', 0],
        ['Reason', 'string', '', 0],
        ['Object', 'string', '', 0],
        ['Subobject', 'string', '', 1],
        ['Source', 'string', '', 1],
        ['Message', 'string', '', 0],
        ['First Seen', 'string', '', 1],
        ['Count', 'string', '', 1],
        ['Name', 'string', 'name', 1],
      ],
    );
  });
});

describe('default printer', () => {
  it('prints Name and Age', () => {
    assert.deepEqual(defaultPrinter.cells({ metadata: { name: 'svc', creationTimestamp: ago(3 * HOUR) } }, NOW), [
      'svc',
      '3h',
    ]);
    assert.deepEqual(
      defaultPrinter.columns.map((c) => [c.name, c.format]),
      [
        ['Name', 'name'],
        ['Age', ''],
      ],
    );
  });
  it('tolerates an object without metadata', () => {
    assert.deepEqual(defaultPrinter.cells({}, NOW), ['', '<unknown>']);
  });
});
