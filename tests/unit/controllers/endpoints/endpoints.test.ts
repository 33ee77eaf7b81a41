// The pure parts of the endpoints and EndpointSlice controllers: which pods become which addresses and endpoints,
// how subsets are packed, and how endpoints are spread over slices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  desiredSubsets,
  truncateSubsets,
  MAX_ENDPOINTS_CAPACITY,
  type EndpointSubset,
} from '../../../../controllers/endpoints/controller.js';
import {
  findPort,
  LAST_CHANGE_TRIGGER_TIME,
  selectorOf,
  setTriggerTime,
  shouldPodBeInEndpoints,
  TriggerTimeTracker,
  type Pod,
  type Service,
} from '../../../../controllers/service-pods.js';
import {
  endpointPorts,
  planSlices,
  podToEndpoint,
  sliceLabels,
  slicePrefix,
  MAX_ENDPOINTS_PER_SLICE,
  type EndpointSlice,
  type SliceEndpoint,
} from '../../../../controllers/endpointslice/controller.js';

const svc = (spec: Service['spec'] = {}): Service => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
  spec: {
    clusterIP: '10.96.0.9',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    ...spec,
  },
});

const pod = (
  name: string,
  ip: string,
  opts: {
    ready?: boolean;
    deleting?: boolean;
    phase?: string;
    ports?: Array<{ name?: string; containerPort?: number; protocol?: string }>;
  } = {},
): Pod => ({
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    labels: { app: 'web' },
    ...(opts.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: opts.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
  status: {
    phase: opts.phase ?? 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  },
});

describe('endpoints controller', () => {
  it('resolves named ports per pod and splits ready from unready addresses', () => {
    const subsets = desiredSubsets(svc(), [
      pod('b', '10.0.0.10'),
      pod('a', '10.0.0.9'),
      pod('c', '10.0.0.11', { ready: false }),
      pod('d', '10.0.0.12', { ports: [] }),
    ]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '10.0.0.9', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
          { ip: '10.0.0.10', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } },
        ],
        notReadyAddresses: [
          { ip: '10.0.0.11', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'c', uid: 'uid-c' } },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('leaves out finished, IP-less and (unless published) terminating pods', () => {
    assert.equal(shouldPodBeInEndpoints(pod('a', '10.0.0.1', { phase: 'Succeeded' }), true), false);
    assert.equal(shouldPodBeInEndpoints({ metadata: { name: 'x' }, status: {} }, true), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', '10.0.0.1', { deleting: true }), false), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', '10.0.0.1', { deleting: true }), true), true);
    const published = desiredSubsets(svc({ publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 80 }] }), [
      pod('c', '10.0.0.11', { ready: false }),
    ]);
    assert.deepEqual(
      published.map((s) => [s.addresses?.length, s.notReadyAddresses]),
      [[1, undefined]],
    );
  });

  it('gives a headless Service without ports bare addresses; different port sets make different subsets', () => {
    const headless = desiredSubsets(svc({ clusterIP: 'None', ports: [] }), [pod('a', '10.0.0.1')]);
    assert.deepEqual(headless, [
      {
        addresses: [
          { ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
        ],
      },
    ]);
    const two = desiredSubsets(svc(), [
      pod('a', '10.0.0.1'),
      pod('b', '10.0.0.2', { ports: [{ name: 'http', containerPort: 9090 }] }),
    ]);
    assert.equal(two.length, 2);
    assert.deepEqual(two.map((s) => s.ports![0]!.port).sort(), [8080, 9090]);
  });

  it('treats an empty selector as none, as a stored Service reads back upstream', () => {
    assert.equal(selectorOf(svc({ selector: {} })), undefined);
    assert.equal(selectorOf(svc({ selector: null })), undefined);
    assert.deepEqual(selectorOf(svc()), { app: 'web' });
  });

  it('finds ports by number or by name and protocol', () => {
    const p = pod('a', '10.0.0.1', { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] });
    assert.equal(findPort(p, { port: 80, targetPort: 8080 }), 8080);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
  });

  it('truncates to the capacity, ready addresses first', () => {
    const many = (n: number, ready: boolean) =>
      Array.from({ length: n }, (_, i) => ({ ip: `10.${ready ? 1 : 2}.${Math.floor(i / 256)}.${i % 256}` }));
    const subsets: EndpointSubset[] = [
      { addresses: many(900, true), notReadyAddresses: many(200, false), ports: [{ port: 80, protocol: 'TCP' }] },
    ];
    assert.equal(truncateSubsets(subsets), true);
    assert.equal(subsets[0]!.addresses!.length, 900);
    assert.equal(subsets[0]!.notReadyAddresses!.length, MAX_ENDPOINTS_CAPACITY - 900);
  });
});

describe('EndpointSlice controller', () => {
  it('turns pods into endpoints with conditions: a terminating pod is serving but not ready', () => {
    const s = svc();
    assert.deepEqual(
      podToEndpoint(pod('a', '10.0.0.1', { deleting: true }), s, '10.0.0.1', {
        metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } },
      }),
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: false, serving: true, terminating: true },
        targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
        nodeName: 'n1',
        zone: 'z1',
      },
    );
    assert.deepEqual(
      podToEndpoint(
        pod('b', '10.0.0.2', { ready: false }),
        svc({ publishNotReadyAddresses: true }),
        '10.0.0.2',
        undefined,
      ).conditions,
      { ready: true, serving: false, terminating: false },
    );
    assert.deepEqual(endpointPorts(s, pod('a', '10.0.0.1')), [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  });

  it('labels slices as upstream and names them after the Service', () => {
    assert.deepEqual(sliceLabels(svc({ clusterIP: 'None' })), {
      team: 'a',
      'service.kubernetes.io/headless': '',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.equal(slicePrefix('web'), 'web-');
    assert.equal(slicePrefix('x'.repeat(60)), 'endpointslice-');
  });

  const ep = (i: number): SliceEndpoint => ({
    addresses: [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`],
    conditions: { ready: true },
    targetRef: { kind: 'Pod', uid: `u${i}` },
  });
  const ports = [{ name: 'http', protocol: 'TCP', port: 8080 }];
  const group = (n: number) =>
    new Map([[JSON.stringify(ports), { ports, endpoints: Array.from({ length: n }, (_, i) => ep(i)) }]]);

  it('creates a placeholder for no endpoints, slices of at most 100 otherwise', () => {
    const none = planSlices(svc(), new Map(), []);
    assert.deepEqual(
      [none.create.length, none.create[0]!.endpoints, none.create[0]!.ports, none.create[0]!.metadata.generateName],
      [1, [], undefined, 'web-'],
    );
    assert.deepEqual(none.create[0]!.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true },
    ]);
    const big = planSlices(svc(), group(250), []);
    assert.deepEqual(
      big.create.map((s) => s.endpoints!.length),
      [MAX_ENDPOINTS_PER_SLICE, MAX_ENDPOINTS_PER_SLICE, 50],
    );
  });

  it('keeps endpoints where they are, fills existing slices first, deletes what is no longer needed', () => {
    const labels = sliceLabels(svc());
    const owner = [
      { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true },
    ];
    const existing: EndpointSlice[] = [
      {
        metadata: { name: 'web-aaaaa', namespace: 'ns', labels, ownerReferences: owner as never },
        addressType: 'IPv4',
        endpoints: [ep(0), ep(1)],
        ports,
      },
      {
        metadata: { name: 'web-bbbbb', namespace: 'ns', labels, ownerReferences: owner as never },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.9.9.9'], targetRef: { kind: 'Pod', uid: 'gone' } }],
        ports,
      },
      {
        metadata: { name: 'web-ccccc', namespace: 'ns', labels, ownerReferences: owner as never },
        addressType: 'IPv4',
        endpoints: [ep(0)],
        ports: [{ name: 'old', protocol: 'TCP', port: 1 }],
      },
    ];
    const plan = planSlices(svc(), group(3), existing);
    assert.deepEqual(plan.create, []);
    assert.deepEqual(
      plan.update.map((s) => [s.metadata.name, s.endpoints!.length]),
      [['web-aaaaa', 3]],
    );
    assert.deepEqual(plan.delete.map((s) => s.metadata.name).sort(), ['web-bbbbb', 'web-ccccc']);
    const same = planSlices(svc(), group(2), [existing[0]!]);
    assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0]);
  });
});

describe('last-change trigger time (both controllers)', () => {
  const readyAt = (p: Pod, t: string): Pod => ({
    ...p,
    status: { ...p.status, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] },
  });
  const service = (): Service => ({
    ...svc(),
    metadata: { ...svc().metadata, creationTimestamp: '2024-05-01T10:00:00Z' },
  });

  it('a Service seen for the first time: its creationTimestamp; then the earliest pod Ready change since the last sync', () => {
    const tracker = new TriggerTimeTracker();
    const a = readyAt(pod('a', '10.0.0.1'), '2024-05-01T10:00:05Z');
    const b = readyAt(pod('b', '10.0.0.2'), '2024-05-01T10:00:07Z');
    assert.equal(tracker.compute(service(), [a, b]), Date.parse('2024-05-01T10:00:00Z'));
    assert.equal(tracker.compute(service(), [a, b]), undefined, 'nothing moved');
    const b2 = readyAt(b, '2024-05-01T10:01:00Z');
    const c = readyAt(pod('c', '10.0.0.3'), '2024-05-01T10:02:00Z');
    assert.equal(tracker.compute(service(), [a, b2, c]), Date.parse('2024-05-01T10:01:00Z'));
    // A pod gone moves nothing by itself; the Service is new again once forgotten.
    assert.equal(tracker.compute(service(), [a]), undefined);
    tracker.forget('ns/web');
    assert.equal(tracker.compute(service(), [a]), Date.parse('2024-05-01T10:00:00Z'));
  });

  it('is written as RFC 3339 in the annotation, and removed when there is none', () => {
    const annotations: Record<string, string> = { keep: 'me' };
    setTriggerTime(annotations, Date.parse('2024-05-01T10:01:00Z'));
    assert.deepEqual(annotations, { keep: 'me', [LAST_CHANGE_TRIGGER_TIME]: '2024-05-01T10:01:00Z' });
    setTriggerTime(annotations, undefined);
    assert.deepEqual(annotations, { keep: 'me' });
  });
});
