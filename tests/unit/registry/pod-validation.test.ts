import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import {
  defaultPod,
  defaultPodFields,
  validatePod,
  validatePodSpec,
  validatePodStatusUpdate,
  validatePodUpdate,
} from '../../../server/registry/validation/core.js';
import type { Pod } from '../../../server/registry/validation/types.js';

type Any = Record<string, any>;
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const base = (): Any => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx:1' }], volumes: [{ name: 'data', emptyDir: {} }] },
});
/** A defaulted pod after `mutate` (mutations see the raw object, defaults fill the rest). */
const make = (mutate: (p: Any) => void, defaults = true): Pod => {
  const p = base();
  mutate(p);
  return defaults ? defaultPodFields(p) : p;
};
const c0 = (p: Any) => p.spec.containers[0];
const msgs = (errs: ReturnType<typeof validatePod>) => errs.map(fieldErrorString);

describe('validatePod', () => {
  const rows: Array<[string, (p: Any) => void, string[]]> = [
    ['valid defaulted pod', () => {}, []],
    ['containers required', (p) => (p.spec.containers = []), ['spec.containers: Required value']],
    ['container name required', (p) => delete c0(p).name, ['spec.containers[0].name: Required value']],
    [
      'container name DNS label',
      (p) => (c0(p).name = 'Web'),
      [`spec.containers[0].name: Invalid value: "Web": ${LABEL}`],
    ],
    [
      'duplicate container names',
      (p) => p.spec.containers.push({ name: 'c', image: 'x' }),
      ['spec.containers[1].name: Duplicate value: "c"'],
    ],
    ['image required', (p) => (c0(p).image = ''), ['spec.containers[0].image: Required value']],
    [
      'image whitespace',
      (p) => (c0(p).image = ' nginx'),
      ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    ],
    [
      'restartPolicy unsupported',
      (p) => (p.spec.restartPolicy = 'Sometimes'),
      ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ],
    [
      'dnsPolicy unsupported',
      (p) => (p.spec.dnsPolicy = 'Cluster'),
      [
        'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      'dnsPolicy None needs dnsConfig',
      (p) => (p.spec.dnsPolicy = 'None'),
      ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    ],
    [
      'imagePullPolicy unsupported',
      (p) => (c0(p).imagePullPolicy = 'Sometimes'),
      [
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    ],
    [
      'terminationMessagePolicy unsupported',
      (p) => (c0(p).terminationMessagePolicy = 'X'),
      [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "X": supported values: "File", "FallbackToLogsOnError"',
      ],
    ],
    [
      'port required',
      (p) => (c0(p).ports = [{ name: 'http' }]),
      ['spec.containers[0].ports[0].containerPort: Required value'],
    ],
    [
      'port out of range',
      (p) => (c0(p).ports = [{ containerPort: 70000, hostPort: -1 }]),
      [
        'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[0].hostPort: Invalid value: -1: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'port protocol unsupported',
      (p) => (c0(p).ports = [{ containerPort: 80, protocol: 'ICMP' }]),
      ['spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'duplicate port names',
      (p) =>
        (c0(p).ports = [
          { name: 'http', containerPort: 80 },
          { name: 'http', containerPort: 81 },
        ]),
      ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ],
    [
      'host port conflict',
      (p) => {
        c0(p).ports = [{ containerPort: 80, hostPort: 8080 }];
        p.spec.containers.push({ name: 'd', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] });
      },
      ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    ],
    [
      'hostNetwork requires matching host port',
      (p) => {
        p.spec.hostNetwork = true;
        c0(p).ports = [{ containerPort: 80, hostPort: 81 }];
      },
      [
        'spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true',
      ],
    ],
    [
      'volume names unique',
      (p) => p.spec.volumes.push({ name: 'data', emptyDir: {} }),
      ['spec.volumes[1].name: Duplicate value: "data"'],
    ],
    [
      'volume name DNS label',
      (p) => (p.spec.volumes[0].name = 'Data'),
      [`spec.volumes[0].name: Invalid value: "Data": ${LABEL}`],
    ],
    [
      'two volume sources',
      (p) => (p.spec.volumes[0].hostPath = { path: '/x' }),
      ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'hostPath path required',
      (p) => (p.spec.volumes = [{ name: 'h', hostPath: { path: '' } }]),
      ['spec.volumes[0].hostPath.path: Required value'],
    ],
    [
      'hostPath type unsupported',
      (p) => (p.spec.volumes = [{ name: 'h', hostPath: { path: '/x', type: 'Dir' } }]),
      [
        'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
      ],
    ],
    [
      'hostPath backsteps',
      (p) => (p.spec.volumes = [{ name: 'h', hostPath: { path: '/a/../b' } }]),
      ['spec.volumes[0].hostPath.path: Invalid value: "/a/../b": must not contain \'..\''],
    ],
    [
      'configMap name required',
      (p) => (p.spec.volumes = [{ name: 'cm', configMap: {} }]),
      ['spec.volumes[0].configMap.name: Required value'],
    ],
    [
      'secret defaultMode range',
      (p) => (p.spec.volumes = [{ name: 's', secret: { secretName: 's', defaultMode: 1000 } }]),
      [
        'spec.volumes[0].secret.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive',
      ],
    ],
    [
      'pvc claimName required',
      (p) => (p.spec.volumes = [{ name: 'v', persistentVolumeClaim: {} }]),
      ['spec.volumes[0].persistentVolumeClaim.claimName: Required value'],
    ],
    [
      'volumeMount to missing volume',
      (p) => (c0(p).volumeMounts = [{ name: 'x', mountPath: '/x' }]),
      ['spec.containers[0].volumeMounts[0].name: Not found: "x"'],
    ],
    [
      'volumeMount path required and unique',
      (p) =>
        (c0(p).volumeMounts = [{ name: 'data', mountPath: '/a' }, { name: 'data', mountPath: '/a' }, { name: 'data' }]),
      [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
        'spec.containers[0].volumeMounts[2].mountPath: Required value',
      ],
    ],
    [
      'volumeMount subPath absolute',
      (p) => (c0(p).volumeMounts = [{ name: 'data', mountPath: '/a', subPath: '/x' }]),
      ['spec.containers[0].volumeMounts.subPath: Invalid value: "/x": must be a relative path'],
    ],
    ['env name required', (p) => (c0(p).env = [{ value: 'x' }]), ['spec.containers[0].env[0].name: Required value']],
    [
      'env name with =',
      (p) => (c0(p).env = [{ name: 'A=B' }]),
      [
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      ],
    ],
    [
      'env valueFrom empty',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: {} }]),
      [
        'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ],
    ],
    [
      'env valueFrom with value',
      (p) => (c0(p).env = [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]),
      ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty'],
    ],
    [
      'env fieldRef unsupported path',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.foo' } } }]),
      [
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo',
      ],
    ],
    [
      'env fieldRef not allowed for env',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } }]),
      [
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
      ],
    ],
    [
      'env fieldRef subscript key',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['a b']" } } }]),
      [`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "a b": ${QNAME}`],
    ],
    [
      'configMapKeyRef key required',
      (p) => (c0(p).env = [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm' } } }]),
      ['spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Required value'],
    ],
    [
      'envFrom without source',
      (p) => (c0(p).envFrom = [{}]),
      ['spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`'],
    ],
    [
      'bad quantity',
      (p) => (c0(p).resources = { requests: { cpu: 'one' } }),
      [`spec.containers[0].resources.requests[cpu]: Invalid value: "one": ${QUANTITY}`],
    ],
    [
      'requests above limits',
      (p) => (c0(p).resources = { requests: { cpu: '2' }, limits: { cpu: '1' } }),
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [
      'negative quantity',
      (p) => (c0(p).resources = { requests: { memory: '-1Gi' } }),
      ['spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'],
    ],
    [
      'unknown resource',
      (p) => (c0(p).resources = { requests: { gpu: '1' } }),
      [
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      'extended resource needs equal limit',
      (p) => (c0(p).resources = { requests: { 'example.com/gpu': '1' } }),
      ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources'],
    ],
    [
      'extended resource integer (requests defaulted from limits)',
      (p) => (c0(p).resources = { limits: { 'example.com/gpu': '500m' } }),
      [
        'spec.containers[0].resources.limits[example.com/gpu]: Invalid value: 500m: must be an integer',
        'spec.containers[0].resources.requests[example.com/gpu]: Invalid value: 500m: must be an integer',
      ],
    ],
    [
      'probe needs a handler',
      (p) => (c0(p).livenessProbe = {}),
      ['spec.containers[0].livenessProbe: Required value: must specify a handler type'],
    ],
    [
      'probe two handlers',
      (p) => (c0(p).readinessProbe = { exec: { command: ['a'] }, tcpSocket: { port: 80 } }),
      ['spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    ],
    [
      'liveness successThreshold',
      (p) => (c0(p).livenessProbe = { exec: { command: ['a'] }, successThreshold: 2 }),
      ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    ],
    [
      'probe port name',
      (p) => (c0(p).readinessProbe = { httpGet: { port: 'HTTP' } }),
      [
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].readinessProbe.httpGet.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
      ],
    ],
    [
      'exec command required',
      (p) => (c0(p).startupProbe = { exec: {} }),
      ['spec.containers[0].startupProbe.exec.command: Required value'],
    ],
    [
      'restartPolicy on regular container',
      (p) => (c0(p).restartPolicy = 'Always'),
      ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    ],
    [
      'init container name collides',
      (p) => (p.spec.initContainers = [{ name: 'c', image: 'x' }]),
      ['spec.initContainers[0].name: Duplicate value: "c"'],
    ],
    [
      'init container probe forbidden',
      (p) => (p.spec.initContainers = [{ name: 'i', image: 'x', livenessProbe: { exec: { command: ['a'] } } }]),
      [
        'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
    ],
    [
      'init container restartPolicy',
      (p) => (p.spec.initContainers = [{ name: 'i', image: 'x', restartPolicy: 'Never' }]),
      ['spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      'nodeSelector label value',
      (p) => (p.spec.nodeSelector = { a: 'b c' }),
      [
        "spec.nodeSelector: Invalid value: \"b c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'toleration effect',
      (p) => (p.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'Never' }]),
      [
        'spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      ],
    ],
    [
      'toleration empty key needs Exists',
      (p) => (p.spec.tolerations = [{ operator: 'Equal' }]),
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
    ],
    [
      'toleration seconds need NoExecute',
      (p) => (p.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }]),
      [
        'spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
      ],
    ],
    [
      'toleration operator',
      (p) => (p.spec.tolerations = [{ key: 'a', operator: 'In' }]),
      ['spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", "Exists"'],
    ],
    [
      'toleration key',
      (p) => (p.spec.tolerations = [{ key: 'a b', operator: 'Exists' }]),
      [`spec.tolerations[0].key: Invalid value: "a b": ${QNAME}`],
    ],
    [
      'nodeName subdomain',
      (p) => (p.spec.nodeName = 'Node_1'),
      [`spec.nodeName: Invalid value: "Node_1": ${SUBDOMAIN}`],
    ],
    [
      'activeDeadlineSeconds range',
      (p) => (p.spec.activeDeadlineSeconds = 0),
      ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ],
    [
      'hostname DNS label',
      (p) => (p.spec.hostname = 'a.b'),
      ['spec.hostname: Invalid value: "a.b": must not contain dots'],
    ],
    [
      'preemptionPolicy',
      (p) => (p.spec.preemptionPolicy = 'Sometimes'),
      ['spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'],
    ],
    [
      'ephemeral containers on create',
      (p) => (p.spec.ephemeralContainers = [{ name: 'e', image: 'x' }]),
      ['spec.ephemeralContainers: Forbidden: cannot be set on create'],
    ],
    [
      'nodeName with scheduling gates',
      (p) => {
        p.spec.nodeName = 'n1';
        p.spec.schedulingGates = [{ name: 'example.com/g' }];
      },
      ['spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared'],
    ],
    ['pod name', (p) => (p.metadata.name = 'Web'), [`metadata.name: Invalid value: "Web": ${SUBDOMAIN}`]],
    ['pod needs namespace', (p) => delete p.metadata.namespace, ['metadata.namespace: Required value']],
    [
      'pod deletion cost',
      (p) => (p.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '+1' }),
      [
        'metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+1": must be a 32bit integer',
      ],
    ],
    [
      'mirror pod needs nodeName',
      (p) => (p.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' }),
      [
        'metadata.annotations[kubernetes.io/config.mirror]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set',
      ],
    ],
  ];
  for (const [name, mutate, want] of rows) it(name, () => assert.deepEqual(msgs(validatePod(make(mutate))), want));

  it('undefaulted pod reports the defaulted fields as required', () =>
    assert.deepEqual(msgs(validatePod(make(() => {}, false))), [
      'spec.terminationGracePeriodSeconds: Required value',
      'spec.containers[0].terminationMessagePolicy: Required value',
      'spec.containers[0].imagePullPolicy: Required value',
      'spec.restartPolicy: Required value',
      'spec.dnsPolicy: Required value',
    ]));
  it('template specs use their own path', () =>
    assert.deepEqual(msgs(validatePodSpec({ ...make(() => {}).spec, containers: [] }, 'spec.template.spec')), [
      'spec.template.spec.containers: Required value',
    ]));
});

describe('validatePodUpdate', () => {
  const old = (): Any => {
    const p = defaultPod(base()) as Any;
    p.metadata.resourceVersion = '7';
    p.metadata.uid = 'u1';
    return p;
  };
  const FORBIDDEN =
    'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';
  const rows: Array<[string, (n: Any, o: Any) => void, string[]]> = [
    ['no change', () => {}, []],
    ['image change allowed', (n) => (c0(n).image = 'nginx:2'), []],
    ['label change allowed', (n) => (n.metadata.labels = { a: 'b' }), []],
    ['add toleration allowed', (n) => n.spec.tolerations.push({ key: 'x', operator: 'Exists' }), []],
    ['toleration seconds may change', (n) => (n.spec.tolerations[0].tolerationSeconds = 10), []],
    [
      'remove toleration forbidden',
      (n) => n.spec.tolerations.pop(),
      ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'],
    ],
    ['activeDeadlineSeconds set', (n) => (n.spec.activeDeadlineSeconds = 100), []],
    [
      'activeDeadlineSeconds raised',
      (n, o) => {
        o.spec.activeDeadlineSeconds = 10;
        n.spec.activeDeadlineSeconds = 20;
      },
      ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value'],
    ],
    [
      'activeDeadlineSeconds removed',
      (_n, o) => (o.spec.activeDeadlineSeconds = 10),
      ['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value'],
    ],
    [
      'container added',
      (n) => n.spec.containers.push({ ...c0(n), name: 'd' }),
      ['spec.containers: Forbidden: pod updates may not add or remove containers'],
    ],
    [
      'image cleared',
      (n) => (c0(n).image = ''),
      ['spec.containers[0].image: Required value', 'spec.containers[0].image: Required value'],
    ],
    [
      'restartPolicy changed',
      (n) => (n.spec.restartPolicy = 'Never'),
      [`${FORBIDDEN}\n  spec.restartPolicy: "Always" → "Never"`],
    ],
    [
      'name immutable',
      (n) => (n.metadata.name = 'other'),
      ['metadata.name: Invalid value: "other": field is immutable'],
    ],
    [
      'scheduling gate removal allowed',
      (_n, o) => {
        o.spec.schedulingGates = [{ name: 'example.com/g' }];
      },
      [],
    ],
    [
      'scheduling gate added',
      (n) => (n.spec.schedulingGates = [{ name: 'example.com/g' }]),
      [
        "spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'example.com/g'",
      ],
    ],
    [
      'gated pod may add nodeSelector',
      (n, o) => {
        o.spec.schedulingGates = [{ name: 'example.com/g' }];
        n.spec.schedulingGates = [{ name: 'example.com/g' }];
        n.spec.nodeSelector = { zone: 'a' };
      },
      [],
    ],
    [
      'gated pod may not change nodeSelector',
      (n, o) => {
        o.spec.schedulingGates = [{ name: 'example.com/g' }];
        n.spec.schedulingGates = [{ name: 'example.com/g' }];
        o.spec.nodeSelector = { zone: 'a' };
        n.spec.nodeSelector = { zone: 'b' };
      },
      [
        'spec.nodeSelector: Invalid value: map[string]string{"zone":"b"}: only additions to spec.nodeSelector are allowed (no mutations or deletions)',
      ],
    ],
    [
      'negative grace period may become 1',
      (n, o) => {
        o.spec.terminationGracePeriodSeconds = -1;
        n.spec.terminationGracePeriodSeconds = 1;
      },
      [],
    ],
  ];
  for (const [name, mutate, want] of rows) {
    it(name, () => {
      const o = old();
      const n = JSON.parse(JSON.stringify(o));
      mutate(n, o);
      assert.deepEqual(msgs(validatePodUpdate(n, o)), want);
    });
  }
});

describe('validatePodStatusUpdate', () => {
  const old = (): Any => {
    const p = defaultPod(base()) as Any;
    p.metadata.resourceVersion = '7';
    p.spec.restartPolicy = 'Never';
    p.status.containerStatuses = [{ name: 'c', state: { terminated: { exitCode: 0 } } }];
    return p;
  };
  const rows: Array<[string, (n: Any) => void, string[]]> = [
    ['no change', () => {}, []],
    ['phase change allowed', (n) => (n.status.phase = 'Succeeded'), []],
    [
      'nodeName may not change',
      (n) => (n.spec.nodeName = 'n1'),
      ['status.nodeName: Forbidden: may not be changed directly'],
    ],
    [
      'qosClass immutable',
      (n) => (n.status.qosClass = 'Guaranteed'),
      ['status.qosClass: Invalid value: "Guaranteed": field is immutable'],
    ],
    [
      'terminated container may not restart',
      (n) => (n.status.containerStatuses = [{ name: 'c', state: { running: {} } }]),
      ['status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state'],
    ],
    [
      'custom condition type',
      (n) => (n.status.conditions = [{ type: 'a b', status: 'True' }]),
      [`metadata.conditions[0].Type: Invalid value: "a b": ${QNAME}`],
    ],
    [
      'bad podIP',
      (n) => (n.status.podIPs = [{ ip: 'x' }]),
      ['status.podIPs[0]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ],
    [
      'two IPv4 podIPs',
      (n) => (n.status.podIPs = [{ ip: '10.0.0.1' }, { ip: '10.0.0.1' }]),
      [
        'status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.1"}}: may specify no more than one IP for each IP family',
        'status.podIPs[1]: Duplicate value: core.PodIP{IP:"10.0.0.1"}',
      ],
    ],
    ['dual-stack podIPs', (n) => (n.status.podIPs = [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }]), []],
    [
      'hostIPs must start with hostIP',
      (n) => {
        n.status.hostIP = '10.0.0.1';
        n.status.hostIPs = [{ ip: '10.0.0.2' }];
      },
      ['status.hostIPs[0].ip: Invalid value: "10.0.0.2": must be equal to `hostIP`'],
    ],
    [
      'nominatedNodeName',
      (n) => (n.status.nominatedNodeName = 'N1'),
      [`status.nominatedNodeName: Invalid value: "N1": ${SUBDOMAIN}`],
    ],
  ];
  for (const [name, mutate, want] of rows) {
    it(name, () => {
      const o = old();
      const n = JSON.parse(JSON.stringify(o));
      mutate(n);
      assert.deepEqual(msgs(validatePodStatusUpdate(n, o)), want);
    });
  }
});
