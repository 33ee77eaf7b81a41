import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import {
  defaultEvent,
  defaultNamespace,
  defaultNode,
  validateEvent,
  validateNamespace,
  validateNamespaceFinalizeUpdate,
  validateNamespaceStatusUpdate,
  validateNamespaceUpdate,
  validateNode,
  validateNodeUpdate,
} from '../../../server/registry/validation/core.js';
import type { Event, Namespace, Node } from '../../../server/registry/validation/types.js';

type Any = Record<string, any>;
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QNAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const msgs = (e: ReturnType<typeof validateNode>) => e.map(fieldErrorString);

describe('defaultNode', () => {
  const rows: Array<[string, Node, (n: Any) => unknown, unknown]> = [
    [
      'podCIDRs from podCIDR',
      { metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.0/24' } },
      (n) => n.spec.podCIDRs,
      ['10.0.0.0/24'],
    ],
    [
      'podCIDR from podCIDRs',
      { metadata: { name: 'n' }, spec: { podCIDRs: ['10.0.0.0/24', 'fd00::/64'] } },
      (n) => n.spec.podCIDR,
      '10.0.0.0/24',
    ],
    [
      'allocatable from capacity',
      { metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8Gi' } } },
      (n) => n.status.allocatable,
      { cpu: '4', memory: '8Gi' },
    ],
    [
      'capacity canonical',
      { metadata: { name: 'n' }, status: { capacity: { cpu: '0.5' } } },
      (n) => n.status.capacity.cpu,
      '500m',
    ],
    [
      'zero-valued status structs',
      { metadata: { name: 'n' } },
      (n) => [n.status.daemonEndpoints, n.status.nodeInfo.kubeletVersion],
      [{ kubeletEndpoint: { Port: 0 } }, ''],
    ],
  ];
  for (const [name, input, pick, want] of rows) it(name, () => assert.deepEqual(pick(defaultNode(input)), want));
});

describe('validateNode', () => {
  const rows: Array<[string, Node, string[]]> = [
    [
      'valid',
      {
        metadata: { name: 'node-1' },
        spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] },
      },
      [],
    ],
    ['name subdomain', { metadata: { name: 'Node_1' } }, [`metadata.name: Invalid value: "Node_1": ${SUBDOMAIN}`]],
    [
      'namespace forbidden',
      { metadata: { name: 'n', namespace: 'default' } },
      ['metadata.namespace: Forbidden: not allowed on this type'],
    ],
    [
      'taint effect required',
      { metadata: { name: 'n' }, spec: { taints: [{ key: 'k' }] } },
      ['metadata.taints[0].effect: Required value'],
    ],
    [
      'taint effect unsupported',
      { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'NoRun' }] } },
      [
        'metadata.taints[0].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    ],
    [
      'taint key qualified',
      { metadata: { name: 'n' }, spec: { taints: [{ key: 'a b', effect: 'NoSchedule' }] } },
      [`metadata.taints[0].key: Invalid value: "a b": ${QNAME}`],
    ],
    [
      'taint key required',
      { metadata: { name: 'n' }, spec: { taints: [{ effect: 'NoSchedule' }] } },
      [
        'metadata.taints[0].key: Invalid value: "": name part must be non-empty',
        `metadata.taints[0].key: Invalid value: "": ${QNAME}`,
      ],
    ],
    [
      'duplicate taint',
      {
        metadata: { name: 'n' },
        spec: {
          taints: [
            { key: 'k', effect: 'NoSchedule' },
            { key: 'k', value: 'x', effect: 'NoSchedule' },
          ],
        },
      },
      [
        'metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"x", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
      ],
    ],
    [
      'bad podCIDR',
      { metadata: { name: 'n' }, spec: { podCIDR: '10.0.0.1' } },
      ['spec.podCIDRs[0]: Invalid value: "10.0.0.1": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    ],
    [
      'two IPv4 podCIDRs',
      { metadata: { name: 'n' }, spec: { podCIDRs: ['10.0.0.0/24', '10.0.1.0/24'] } },
      [
        'spec.podCIDRs: Invalid value: []string{"10.0.0.0/24", "10.0.1.0/24"}: may specify no more than one CIDR for each IP family',
      ],
    ],
    [
      'negative capacity',
      { metadata: { name: 'n' }, status: { capacity: { cpu: '-1' } } },
      ['status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0'],
    ],
    [
      'integer capacity',
      { metadata: { name: 'n' }, status: { capacity: { pods: '1500m' } } },
      ['status.capacity.pods: Invalid value: 1500m: must be an integer'],
    ],
  ];
  for (const [name, node, want] of rows) it(name, () => assert.deepEqual(msgs(validateNode(node)), want));
});

describe('validateNodeUpdate', () => {
  const old = (): Any => ({
    metadata: { name: 'n', resourceVersion: '3' },
    spec: { podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.0.0/24'], providerID: 'aws://1' },
  });
  const rows: Array<[string, (n: Any, o: Any) => void, string[]]> = [
    ['unchanged', () => {}, []],
    ['unschedulable may change', (n) => (n.spec.unschedulable = true), []],
    ['taints may change', (n) => (n.spec.taints = [{ key: 'k', effect: 'NoExecute' }]), []],
    [
      'podCIDR immutable once set',
      (n) => {
        n.spec.podCIDR = '10.0.1.0/24';
        n.spec.podCIDRs = ['10.0.1.0/24'];
      },
      ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'],
    ],
    [
      'podCIDR may be set when empty',
      (_n, o) => {
        delete o.spec.podCIDR;
        delete o.spec.podCIDRs;
      },
      [],
    ],
    [
      'providerID immutable once set',
      (n) => (n.spec.providerID = 'aws://2'),
      ['spec.providerID: Forbidden: node updates may not change providerID except from "" to valid'],
    ],
    [
      'duplicate addresses',
      (n) =>
        (n.status = {
          addresses: [
            { type: 'InternalIP', address: '10.0.0.1' },
            { type: 'InternalIP', address: '10.0.0.1' },
          ],
        }),
      ['status.addresses[1]: Duplicate value: core.NodeAddress{Type:"InternalIP", Address:"10.0.0.1"}'],
    ],
    [
      'invalid taint on update',
      (n) => (n.spec.taints = [{ key: 'k', effect: 'X' }]),
      [
        'metadata.taints[0].effect: Unsupported value: "X": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    ],
    ['externalID immutable', (n) => (n.spec.externalID = 'x'), ['spec.externalID: Forbidden: may not be updated']],
  ];
  for (const [name, mutate, want] of rows) {
    it(name, () => {
      const o = old();
      const n = JSON.parse(JSON.stringify(o));
      mutate(n, o);
      assert.deepEqual(msgs(validateNodeUpdate(n, o)), want);
    });
  }
});

describe('namespaces', () => {
  it('defaultNamespace', () =>
    assert.deepEqual(
      defaultNamespace({ metadata: { name: 'team-a', labels: { x: 'y' } }, spec: { finalizers: ['example.com/f'] } }),
      {
        metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } },
        spec: { finalizers: ['example.com/f', 'kubernetes'] },
        status: { phase: 'Active' },
      },
    ));
  it('defaultNamespace keeps an existing kubernetes finalizer', () =>
    assert.deepEqual(defaultNamespace({ metadata: {}, spec: { finalizers: ['kubernetes'] } }).spec, {
      finalizers: ['kubernetes'],
    }));
  const rows: Array<[string, Namespace, string[]]> = [
    ['valid', { metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] } }, []],
    [
      'name is a DNS label',
      { metadata: { name: 'team.a' } },
      ['metadata.name: Invalid value: "team.a": must not contain dots'],
    ],
    ['name uppercase', { metadata: { name: 'Team' } }, [`metadata.name: Invalid value: "Team": ${LABEL}`]],
    ['generateName prefix', { metadata: { generateName: 'team-', name: 'team-x1' } }, []],
    [
      'spec finalizer not standard',
      { metadata: { name: 'a' }, spec: { finalizers: ['custom'] } },
      ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'],
    ],
  ];
  for (const [name, ns, want] of rows)
    it(`validateNamespace: ${name}`, () => assert.deepEqual(msgs(validateNamespace(ns)), want));
  it('validateNamespaceUpdate: metadata rules', () =>
    assert.deepEqual(
      msgs(
        validateNamespaceUpdate(
          { metadata: { name: 'b', resourceVersion: '1' } },
          { metadata: { name: 'a', resourceVersion: '1' } },
        ),
      ),
      ['metadata.name: Invalid value: "b": field is immutable'],
    ));
  it('validateNamespaceStatusUpdate: Terminating requires deletion', () =>
    assert.deepEqual(
      msgs(
        validateNamespaceStatusUpdate(
          { metadata: { name: 'a', resourceVersion: '1' }, status: { phase: 'Terminating' } },
          { metadata: { name: 'a' } },
        ),
      ),
      ['status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty'],
    ));
  it('validateNamespaceFinalizeUpdate: indexed finalizer errors', () =>
    assert.deepEqual(
      msgs(
        validateNamespaceFinalizeUpdate(
          { metadata: { name: 'a', resourceVersion: '1' }, spec: { finalizers: ['x'] } },
          { metadata: { name: 'a' } },
        ),
      ),
      ['spec.finalizers[0]: Invalid value: "x": name is neither a standard finalizer name nor is it fully qualified'],
    ));
});

describe('events', () => {
  const ev = (e: Event): Event => ({
    metadata: { name: 'e1', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
    ...e,
  });
  const rows: Array<[string, Event, string[]]> = [
    ['legacy event valid', ev({}), []],
    [
      'involved namespace mismatch',
      ev({ involvedObject: { kind: 'Pod', namespace: 'other', name: 'p' } }),
      ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
    ],
    ['cluster-scoped object in default namespace', ev({ involvedObject: { kind: 'Node', name: 'n' } }), []],
    [
      'cluster-scoped object in other namespace',
      { metadata: { name: 'e', namespace: 'team' }, involvedObject: { kind: 'Node', name: 'n' } },
      ['involvedObject.namespace: Invalid value: "": does not match event.namespace'],
    ],
    [
      'new-style event valid',
      ev({
        eventTime: '2024-01-01T00:00:00.000000Z',
        reportingComponent: 'kubelet',
        reportingInstance: 'node-1',
        action: 'Pulling',
        reason: 'Pulling',
      }),
      [],
    ],
    [
      'new-style event missing fields',
      ev({ eventTime: '2024-01-01T00:00:00.000000Z' }),
      [
        'reportingController: Required value',
        'reportingController: Invalid value: "": name part must be non-empty',
        `reportingController: Invalid value: "": ${QNAME}`,
        'reportingInstance: Required value',
        'action: Required value',
        'reason: Required value',
      ],
    ],
    [
      'new-style event long message',
      ev({
        eventTime: 't',
        reportingComponent: 'k',
        reportingInstance: 'i',
        action: 'a',
        reason: 'r',
        message: 'x'.repeat(1025),
      }),
      ['message: Invalid value: "": can have at most 1024 characters'],
    ],
    [
      'invalid namespace',
      { metadata: { name: 'e', namespace: 'Bad' }, involvedObject: { namespace: 'Bad' } },
      [`namespace: Invalid value: "Bad": ${SUBDOMAIN}`],
    ],
  ];
  for (const [name, e, want] of rows)
    it(`validateEvent: ${name}`, () => assert.deepEqual(msgs(validateEvent(e)), want));
  it('defaultEvent fills the always-serialized zero values', () =>
    assert.deepEqual(defaultEvent({ metadata: { name: 'e' }, reason: 'R' }), {
      metadata: { name: 'e' },
      reason: 'R',
      involvedObject: {},
      source: {},
      firstTimestamp: null,
      lastTimestamp: null,
      eventTime: null,
      reportingComponent: '',
      reportingInstance: '',
    }));
});
