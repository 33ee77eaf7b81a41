import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computePodQOS,
  defaultPod,
  defaultPodFields,
  defaultPodSpec,
  defaultPodTemplateSpec,
  imageTag,
  preparePodForCreate,
} from '../../../server/registry/validation/core.js';
import type { Pod, PodSpec } from '../../../server/registry/validation/types.js';

type Any = Record<string, any>;
const pod = (spec: PodSpec = {}, extra: Any = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  ...extra,
});

describe('imageTag / imagePullPolicy', () => {
  const rows: Array<[string, string, string, string]> = [
    ['no tag means latest', 'nginx', 'latest', 'Always'],
    ['explicit latest', 'nginx:latest', 'latest', 'Always'],
    ['explicit tag', 'nginx:1.25', '1.25', 'IfNotPresent'],
    ['registry with port and no tag', 'registry:5000/team/app', 'latest', 'Always'],
    ['registry with port and tag', 'registry:5000/team/app:v1', 'v1', 'IfNotPresent'],
    ['digest only', 'nginx@sha256:' + 'a'.repeat(64), '', 'IfNotPresent'],
    ['tag and digest', 'nginx:latest@sha256:' + 'a'.repeat(64), 'latest', 'Always'],
    ['unparseable (uppercase repo)', 'NGINX', '', 'IfNotPresent'],
  ];
  for (const [name, image, tag, policy] of rows) {
    it(name, () => {
      assert.equal(imageTag(image), tag);
      const p = defaultPodFields(pod({ containers: [{ name: 'c', image }] }));
      assert.equal(p.spec!.containers![0]!.imagePullPolicy, policy);
    });
  }
  it('keeps an explicit policy', () =>
    assert.equal(
      defaultPodFields(pod({ containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Never' }] })).spec!.containers![0]!
        .imagePullPolicy,
      'Never',
    ));
});

describe('defaultPodSpec', () => {
  const spec = defaultPodSpec({
    containers: [
      {
        name: 'c',
        image: 'nginx:1',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        readinessProbe: { httpGet: { port: 80 } },
        livenessProbe: { exec: { command: ['true'] }, periodSeconds: 5 },
        lifecycle: { preStop: { httpGet: { port: 80 } } },
        resources: { limits: { cpu: '0.5', memory: '1.5Gi' } },
      },
    ],
    initContainers: [{ name: 'i', image: 'busybox' }],
    volumes: [
      { name: 'empty' },
      { name: 'host', hostPath: { path: '/data' } },
      { name: 'cm', configMap: { name: 'cm' } },
      { name: 'sec', secret: { secretName: 's' } },
      { name: 'dapi', downwardAPI: { items: [{ path: 'n', fieldRef: { fieldPath: 'metadata.name' } }] } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 't' } }] } },
    ],
  }) as Any;
  const c = spec.containers[0];
  const rows: Array<[string, unknown, unknown]> = [
    ['restartPolicy', spec.restartPolicy, 'Always'],
    ['dnsPolicy', spec.dnsPolicy, 'ClusterFirst'],
    ['terminationGracePeriodSeconds', spec.terminationGracePeriodSeconds, 30],
    ['schedulerName', spec.schedulerName, 'default-scheduler'],
    ['securityContext', spec.securityContext, {}],
    ['no enableServiceLinks on templates', spec.enableServiceLinks, undefined],
    ['terminationMessagePath', c.terminationMessagePath, '/dev/termination-log'],
    ['terminationMessagePolicy', c.terminationMessagePolicy, 'File'],
    ['port protocol', c.ports[0].protocol, 'TCP'],
    ['fieldRef apiVersion', c.env[0].valueFrom.fieldRef.apiVersion, 'v1'],
    [
      'readiness probe defaults',
      c.readinessProbe,
      {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
    ],
    ['liveness probe keeps periodSeconds', c.livenessProbe.periodSeconds, 5],
    ['lifecycle httpGet defaults', c.lifecycle.preStop.httpGet, { port: 80, path: '/', scheme: 'HTTP' }],
    ['resource quantities canonical', c.resources.limits, { cpu: '500m', memory: '1536Mi' }],
    ['no request defaulting on templates', c.resources.requests, undefined],
    ['init container resources struct', spec.initContainers[0].resources, {}],
    ['emptyDir default', spec.volumes[0], { name: 'empty', emptyDir: {} }],
    ['hostPath type', spec.volumes[1].hostPath.type, ''],
    ['configMap defaultMode', spec.volumes[2].configMap.defaultMode, 420],
    ['secret defaultMode', spec.volumes[3].secret.defaultMode, 420],
    ['downwardAPI items fieldRef', spec.volumes[4].downwardAPI.items[0].fieldRef.apiVersion, 'v1'],
    ['projected defaultMode', spec.volumes[5].projected.defaultMode, 420],
    [
      'serviceAccountToken expiration',
      spec.volumes[5].projected.sources[0].serviceAccountToken.expirationSeconds,
      3600,
    ],
  ];
  for (const [name, got, want] of rows) it(name, () => assert.deepEqual(got, want));
  it('defaultPodTemplateSpec defaults the spec only', () => {
    const t = defaultPodTemplateSpec({
      metadata: { labels: { a: 'b' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    }) as Any;
    assert.equal(t.spec.restartPolicy, 'Always');
    assert.equal(t.status, undefined);
    assert.equal(t.spec.tolerations, undefined);
  });
});

describe('defaultPodFields (Pod-only scheme defaults)', () => {
  const rows: Array<[string, Pod, (p: Any) => unknown, unknown]> = [
    [
      'requests default to limits',
      pod({
        containers: [
          { name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } } },
        ],
      }),
      (p) => p.spec.containers[0].resources.requests,
      { cpu: '100m', memory: '1Gi' },
    ],
    [
      'init container requests default to limits',
      pod({ initContainers: [{ name: 'i', image: 'x', resources: { limits: { cpu: '1' } } }] }),
      (p) => p.spec.initContainers[0].resources.requests,
      { cpu: '1' },
    ],
    ['enableServiceLinks', pod(), (p) => p.spec.enableServiceLinks, true],
    ['explicit enableServiceLinks kept', pod({ enableServiceLinks: false }), (p) => p.spec.enableServiceLinks, false],
    [
      'hostNetwork mirrors host ports',
      pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] }),
      (p) => p.spec.containers[0].ports[0].hostPort,
      8080,
    ],
    ['no status on decode', pod(), (p) => p.status, undefined],
  ];
  for (const [name, input, pick, want] of rows) it(name, () => assert.deepEqual(pick(defaultPodFields(input)), want));
});

describe('computePodQOS', () => {
  const c = (resources: Any) => ({ name: 'c', image: 'x', resources });
  const rows: Array<[string, Any[], string]> = [
    ['no resources', [c({})], 'BestEffort'],
    ['zero requests', [c({ requests: { cpu: '0' } })], 'BestEffort'],
    ['requests only', [c({ requests: { cpu: '100m' } })], 'Burstable'],
    [
      'equal requests and limits',
      [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } })],
      'Guaranteed',
    ],
    ['limits missing memory', [c({ requests: { cpu: '1' }, limits: { cpu: '1' } })], 'Burstable'],
    [
      'requests below limits',
      [c({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } })],
      'Burstable',
    ],
    [
      'one container without limits',
      [c({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }), c({})],
      'Burstable',
    ],
    ['other resources ignored', [c({ requests: { 'ephemeral-storage': '1Gi' } })], 'BestEffort'],
  ];
  for (const [name, containers, want] of rows)
    it(name, () => assert.equal(computePodQOS({ spec: { containers } }), want));
});

describe('defaultPod (create)', () => {
  const notReady = {
    key: 'node.kubernetes.io/not-ready',
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: 300,
  };
  const unreachable = {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: 300,
  };
  const rows: Array<[string, Pod, (p: Any) => unknown, unknown]> = [
    [
      'status replaced with Pending and QoS',
      pod({}, { status: { phase: 'Running', podIP: '1.2.3.4' } }),
      (p) => p.status,
      { phase: 'Pending', qosClass: 'BestEffort' },
    ],
    [
      'guaranteed QoS from limits',
      pod({ containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }),
      (p) => p.status.qosClass,
      'Guaranteed',
    ],
    ['priority defaults to 0', pod(), (p) => [p.spec.priority, p.spec.preemptionPolicy], [0, 'PreemptLowerPriority']],
    ['system class priority', pod({ priorityClassName: 'system-node-critical' }), (p) => p.spec.priority, 2000001000],
    ['unknown class left to the caller', pod({ priorityClassName: 'high' }), (p) => p.spec.priority, undefined],
    ['default tolerations added', pod(), (p) => p.spec.tolerations, [notReady, unreachable]],
    [
      'existing not-ready toleration kept',
      pod({
        tolerations: [
          { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
        ],
      }),
      (p) => p.spec.tolerations,
      [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
        unreachable,
      ],
    ],
    [
      'tolerate-everything toleration prevents defaults',
      pod({ tolerations: [{ operator: 'Exists' }] }),
      (p) => p.spec.tolerations,
      [{ operator: 'Exists' }],
    ],
    [
      'NoSchedule toleration does not cover',
      pod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }] }),
      (p) => p.spec.tolerations.length,
      3,
    ],
    [
      'scheduling gates add SchedulingGated condition',
      pod({ schedulingGates: [{ name: 'example.com/gate' }] }),
      (p) => p.status.conditions,
      [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: null,
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        },
      ],
    ],
  ];
  for (const [name, input, pick, want] of rows) it(name, () => assert.deepEqual(pick(defaultPod(input)), want));
  it('resolved priority class from options', () => {
    const p = defaultPod(pod({ priorityClassName: 'high' }), {
      priorityClass: { value: 1000, preemptionPolicy: 'Never' },
    }) as Any;
    assert.deepEqual([p.spec.priority, p.spec.preemptionPolicy], [1000, 'Never']);
  });
  it('preparePodForCreate alone does not apply scheme defaults', () => {
    const p = preparePodForCreate(pod()) as Any;
    assert.equal(p.spec.restartPolicy, undefined);
    assert.equal(p.status.phase, 'Pending');
  });
});
