import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  podPrinter,
  podSummary,
  type ContainerStatusLike,
  type PodLike,
} from '../../../server/registry/resources/pods/printer.js';
import { ago, MIN, NOW, SEC } from './helpers.js';

const running = (name: string, ready = true, extra: Partial<ContainerStatusLike> = {}): ContainerStatusLike => ({
  name,
  ready,
  started: true,
  restartCount: 0,
  state: { running: { startedAt: ago(MIN) } },
  ...extra,
});
const waiting = (name: string, reason: string, extra: Partial<ContainerStatusLike> = {}): ContainerStatusLike => ({
  name,
  ready: false,
  restartCount: 0,
  state: { waiting: { reason } },
  ...extra,
});
const terminated = (
  name: string,
  t: { reason?: string; exitCode?: number; signal?: number },
  extra: Partial<ContainerStatusLike> = {},
): ContainerStatusLike => ({
  name,
  ready: false,
  restartCount: 0,
  state: { terminated: { exitCode: 0, ...t } },
  ...extra,
});

interface PodOpts {
  containers?: string[];
  init?: Array<{ name: string; sidecar?: boolean }>;
  phase?: string;
  reason?: string;
  statuses?: ContainerStatusLike[];
  initStatuses?: ContainerStatusLike[];
  conditions?: Array<{ type: string; status: string; reason?: string }>;
  deleting?: boolean;
}

function pod(o: PodOpts = {}): PodLike {
  return {
    metadata: {
      name: 'p',
      creationTimestamp: ago(65 * SEC),
      ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
    },
    spec: {
      containers: (o.containers ?? ['app']).map((name) => ({ name })),
      initContainers: (o.init ?? []).map((c) => ({ name: c.name, ...(c.sidecar ? { restartPolicy: 'Always' } : {}) })),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.reason ? { reason: o.reason } : {}),
      conditions: o.conditions ?? [],
      containerStatuses: o.statuses ?? [],
      initContainerStatuses: o.initStatuses ?? [],
    },
  };
}

const restarted = (count: number, finishedAgo?: number): Partial<ContainerStatusLike> => ({
  restartCount: count,
  ...(finishedAgo === undefined
    ? {}
    : { lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(finishedAgo) } } }),
});

const readyTrue = [{ type: 'Ready', status: 'True' }];
const readyFalse = [{ type: 'Ready', status: 'False' }];

describe('pod READY / STATUS / RESTARTS', () => {
  const cases: Array<[string, PodLike, [string, string, string]]> = [
    ['bare pending pod prints its phase', pod({ phase: 'Pending' }), ['0/1', 'Pending', '0']],
    ['pod without any status', { metadata: { name: 'x' }, spec: { containers: [{ name: 'a' }] } }, ['0/1', '', '0']],
    [
      'ContainerCreating waiting reason',
      pod({ phase: 'Pending', statuses: [waiting('app', 'ContainerCreating')] }),
      ['0/1', 'ContainerCreating', '0'],
    ],
    ['running and ready', pod({ statuses: [running('app')] }), ['1/1', 'Running', '0']],
    ['running but not ready', pod({ statuses: [running('app', false)] }), ['0/1', 'Running', '0']],
    [
      'ready flag without running state is not counted',
      pod({ statuses: [{ name: 'app', ready: true, state: {} }] }),
      ['0/1', 'Running', '0'],
    ],
    ['status.reason overrides the phase', pod({ phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
    [
      'CrashLoopBackOff with restart age',
      pod({ statuses: [waiting('app', 'CrashLoopBackOff', restarted(3, 65 * SEC))] }),
      ['0/1', 'CrashLoopBackOff', '3 (65s ago)'],
    ],
    [
      'terminated reason Completed',
      pod({ phase: 'Succeeded', statuses: [terminated('app', { reason: 'Completed' })] }),
      ['0/1', 'Completed', '0'],
    ],
    [
      'terminated reason Error',
      pod({ phase: 'Failed', statuses: [terminated('app', { reason: 'Error', exitCode: 1 })] }),
      ['0/1', 'Error', '0'],
    ],
    [
      'terminated without reason: exit code',
      pod({ statuses: [terminated('app', { exitCode: 137 })] }),
      ['0/1', 'ExitCode:137', '0'],
    ],
    [
      'terminated without reason: signal wins',
      pod({ statuses: [terminated('app', { exitCode: 137, signal: 9 })] }),
      ['0/1', 'Signal:9', '0'],
    ],
    [
      'containers are scanned last to first: the first one decides',
      pod({ containers: ['a', 'b'], statuses: [waiting('a', 'ErrImagePull'), running('b')] }),
      ['1/2', 'ErrImagePull', '0'],
    ],
    [
      'later container reason is overwritten by earlier one',
      pod({ containers: ['a', 'b'], statuses: [running('a'), waiting('b', 'ImagePullBackOff')] }),
      ['1/2', 'ImagePullBackOff', '0'],
    ],
    [
      'Completed next to a running container with Ready=True → Running',
      pod({
        containers: ['a', 'b'],
        conditions: readyTrue,
        statuses: [running('a'), terminated('b', { reason: 'Completed' })],
      }),
      ['1/2', 'Running', '0'],
    ],
    [
      'Completed next to a running container with Ready=False → NotReady',
      pod({
        containers: ['a', 'b'],
        conditions: readyFalse,
        statuses: [running('a'), terminated('b', { reason: 'Completed' })],
      }),
      ['1/2', 'NotReady', '0'],
    ],
    [
      'Completed next to a running but unready container stays Completed',
      pod({ containers: ['a', 'b'], statuses: [running('a', false), terminated('b', { reason: 'Completed' })] }),
      ['0/2', 'Completed', '0'],
    ],
    [
      'containers without statuses count in the total',
      pod({ containers: ['a', 'b', 'c'], phase: 'Pending' }),
      ['0/3', 'Pending', '0'],
    ],
    [
      'Init:0/2 while the first init container waits on PodInitializing',
      pod({
        phase: 'Pending',
        init: [{ name: 'i1' }, { name: 'i2' }],
        initStatuses: [waiting('i1', 'PodInitializing'), waiting('i2', 'PodInitializing')],
      }),
      ['0/1', 'Init:0/2', '0'],
    ],
    [
      'Init:0/2 while the first init container runs',
      pod({ phase: 'Pending', init: [{ name: 'i1' }, { name: 'i2' }], initStatuses: [running('i1', false)] }),
      ['0/1', 'Init:0/2', '0'],
    ],
    [
      'Init:1/2 after the first init container succeeded',
      pod({
        phase: 'Pending',
        init: [{ name: 'i1' }, { name: 'i2' }],
        initStatuses: [terminated('i1', { reason: 'Completed' }), running('i2', false)],
      }),
      ['0/1', 'Init:1/2', '0'],
    ],
    [
      'Init:<waiting reason>',
      pod({
        phase: 'Pending',
        init: [{ name: 'i1' }],
        initStatuses: [waiting('i1', 'CrashLoopBackOff', restarted(2, 3 * MIN))],
      }),
      ['0/1', 'Init:CrashLoopBackOff', '2 (3m ago)'],
    ],
    [
      'Init:<terminated reason>',
      pod({
        phase: 'Pending',
        init: [{ name: 'i1' }],
        initStatuses: [terminated('i1', { reason: 'Error', exitCode: 1 })],
      }),
      ['0/1', 'Init:Error', '0'],
    ],
    [
      'Init:ExitCode:N without a reason',
      pod({ phase: 'Pending', init: [{ name: 'i1' }], initStatuses: [terminated('i1', { exitCode: 2 })] }),
      ['0/1', 'Init:ExitCode:2', '0'],
    ],
    [
      'Init:Signal:N without a reason',
      pod({ phase: 'Pending', init: [{ name: 'i1' }], initStatuses: [terminated('i1', { exitCode: 137, signal: 9 })] }),
      ['0/1', 'Init:Signal:9', '0'],
    ],
    [
      'while initializing, app container restarts and states are ignored',
      pod({
        phase: 'Pending',
        init: [{ name: 'i1' }],
        initStatuses: [waiting('i1', 'CrashLoopBackOff', restarted(2, 3 * MIN))],
        statuses: [waiting('app', 'ImagePullBackOff', restarted(5, 10 * SEC))],
      }),
      ['0/1', 'Init:CrashLoopBackOff', '2 (3m ago)'],
    ],
    [
      'Initialized=True lets app containers count even after an init failure status',
      pod({
        init: [{ name: 'i1' }],
        conditions: [{ type: 'Initialized', status: 'True' }],
        initStatuses: [terminated('i1', { reason: 'Error', exitCode: 1 })],
        statuses: [running('app', true, restarted(1, 2 * MIN))],
      }),
      ['1/1', 'Init:Error', '1 (2m ago)'],
    ],
    [
      'sidecar (restartable init container) counts in READY total and ready',
      pod({
        init: [{ name: 'log', sidecar: true }],
        initStatuses: [running('log', true, restarted(1, 10 * MIN))],
        statuses: [running('app')],
      }),
      ['2/2', 'Running', '1 (10m ago)'],
    ],
    [
      'started but unready sidecar counts in the total only',
      pod({
        init: [{ name: 'log', sidecar: true }],
        initStatuses: [running('log', false)],
        statuses: [running('app')],
      }),
      ['1/2', 'Running', '0'],
    ],
    [
      'sidecar not started yet keeps the pod initializing',
      pod({
        phase: 'Pending',
        init: [{ name: 'log', sidecar: true }],
        initStatuses: [running('log', false, { started: false })],
      }),
      ['0/2', 'Init:0/1', '0'],
    ],
    [
      'regular init container before a sidecar: Init:1/2 while the sidecar starts',
      pod({
        phase: 'Pending',
        init: [{ name: 'setup' }, { name: 'log', sidecar: true }],
        initStatuses: [terminated('setup', { reason: 'Completed' }), running('log', false, { started: false })],
      }),
      ['0/2', 'Init:1/2', '0'],
    ],
    [
      'sidecar waiting after a completed init container → Init:<reason>',
      pod({
        phase: 'Pending',
        init: [{ name: 'setup' }, { name: 'log', sidecar: true }],
        initStatuses: [terminated('setup', { reason: 'Completed' }), waiting('log', 'ContainerCreating')],
      }),
      ['0/2', 'Init:ContainerCreating', '0'],
    ],
    [
      'deletion of a running pod → Terminating',
      pod({ deleting: true, statuses: [running('app')] }),
      ['1/1', 'Terminating', '0'],
    ],
    [
      'deletion of a Succeeded pod keeps Completed',
      pod({ deleting: true, phase: 'Succeeded', statuses: [terminated('app', { reason: 'Completed' })] }),
      ['0/1', 'Completed', '0'],
    ],
    [
      'deletion of a Failed pod keeps Error',
      pod({ deleting: true, phase: 'Failed', statuses: [terminated('app', { reason: 'Error', exitCode: 1 })] }),
      ['0/1', 'Error', '0'],
    ],
    [
      'deletion with reason NodeLost → Unknown',
      pod({ deleting: true, reason: 'NodeLost', statuses: [running('app')] }),
      ['1/1', 'Unknown', '0'],
    ],
    [
      'NodeLost without deletion prints the reason',
      pod({ reason: 'NodeLost', statuses: [running('app')] }),
      ['1/1', 'NodeLost', '0'],
    ],
    [
      'SchedulingGated condition',
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      ['0/1', 'SchedulingGated', '0'],
    ],
    [
      'restarts sum across containers, age of the latest finish',
      pod({
        containers: ['a', 'b'],
        statuses: [running('a', true, restarted(1, 5 * MIN)), running('b', true, restarted(2, 90 * SEC))],
      }),
      ['2/2', 'Running', '3 (90s ago)'],
    ],
    [
      'restarts without lastState print the bare count',
      pod({ statuses: [running('app', true, restarted(4))] }),
      ['1/1', 'Running', '4'],
    ],
  ];
  for (const [name, p, [ready, status, restarts]] of cases) {
    it(name, () => assert.deepEqual(podSummary(p, NOW), { ready, status, restarts }));
  }
});

describe('pod cells', () => {
  it('renders the upstream example row', () => {
    const p: PodLike = {
      metadata: { name: 'fluentd-2jstx', creationTimestamp: ago(65 * SEC) },
      spec: { nodeName: 'k0-default-pool-35609c18-z7tb', containers: [{ name: 'fluentd' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.244.0.27' }], containerStatuses: [running('fluentd')] },
    };
    assert.deepEqual(podPrinter.cells(p, NOW), [
      'fluentd-2jstx',
      '1/1',
      'Running',
      '0',
      '65s',
      '10.244.0.27',
      'k0-default-pool-35609c18-z7tb',
      '<none>',
      '<none>',
    ]);
  });

  const wide: Array<[string, PodLike, unknown[]]> = [
    [
      'IP comes from podIPs[0], not podIP',
      { spec: {}, status: { podIP: '1.1.1.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } as PodLike['status'] },
      ['10.0.0.1', '<none>', '<none>', '<none>'],
    ],
    [
      'podIP alone prints <none>',
      { spec: {}, status: { podIP: '1.1.1.1' } as PodLike['status'] },
      ['<none>', '<none>', '<none>', '<none>'],
    ],
    [
      'node and nominated node',
      { spec: { nodeName: 'n1' }, status: { nominatedNodeName: 'n2' } },
      ['<none>', 'n1', 'n2', '<none>'],
    ],
    [
      'readiness gates: satisfied / total',
      {
        spec: {
          readinessGates: [
            { conditionType: 'example.com/a' },
            { conditionType: 'example.com/b' },
            { conditionType: 'example.com/c' },
          ],
        },
        status: {
          conditions: [
            { type: 'example.com/a', status: 'True' },
            { type: 'example.com/b', status: 'False' },
          ],
        },
      },
      ['<none>', '<none>', '<none>', '1/3'],
    ],
  ];
  for (const [name, p, want] of wide) {
    it(name, () => assert.deepEqual(podPrinter.cells(p, NOW).slice(5), want));
  }

  it('has one cell per column', () => assert.equal(podPrinter.cells(pod(), NOW).length, podPrinter.columns.length));

  const conditionCases: Array<[string, string, unknown]> = [
    [
      'Succeeded → Completed/Succeeded',
      'Succeeded',
      [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
    ],
    [
      'Failed → Completed/Failed',
      'Failed',
      [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
    ],
    ['Running → none', 'Running', undefined],
  ];
  for (const [name, phase, want] of conditionCases) {
    it(`row conditions: ${name}`, () => assert.deepEqual(podPrinter.conditions?.(pod({ phase })), want));
  }
});

describe('pod columns', () => {
  it('names, types and priorities match kube-apiserver', () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });
});
