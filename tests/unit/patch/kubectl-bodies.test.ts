/**
 * The PATCH bodies kubectl sends in the DaemonSet chapter (shared/notes/kubectl-protocol.md §2.2, §2.8,
 * §2.13), applied through applyPatch with the Content-Type kubectl uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch } from '../../../server/patch/index.js';
import { ref, resolver115, resolver130, skip115, skip130 } from './reference.js';

const SMP = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';

const lastApplied = (image: string) =>
  JSON.stringify({
    apiVersion: 'extensions/v1beta1',
    kind: 'DaemonSet',
    metadata: { annotations: {}, labels: { app: 'fluentd' }, name: 'fluentd', namespace: 'kube-system' },
    spec: {
      template: { metadata: { labels: { app: 'fluentd' } }, spec: { containers: [{ image, name: 'fluentd' }] } },
    },
  }) + '\n';

const fluentdContainer = (image: string) => ({
  name: 'fluentd',
  image,
  resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m', memory: '200Mi' } },
  volumeMounts: [
    { name: 'varlog', mountPath: '/var/log' },
    { name: 'varlibdockercontainers', mountPath: '/var/lib/docker/containers', readOnly: true },
  ],
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'IfNotPresent',
});

const volumes = [
  { name: 'varlog', hostPath: { path: '/var/log', type: '' } },
  { name: 'varlibdockercontainers', hostPath: { path: '/var/lib/docker/containers', type: '' } },
];

/** The live fluentd DaemonSet as stored after the first `kubectl apply`. */
function liveFluentd(apiVersion: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion,
    kind: 'DaemonSet',
    metadata: {
      name: 'fluentd',
      namespace: 'kube-system',
      uid: '1b3c5d7e-0000-4000-8000-000000000001',
      resourceVersion: '42',
      generation: 1,
      labels: { app: 'fluentd' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(image) },
    },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'fluentd' } },
        spec: {
          containers: [fluentdContainer(image)],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
          schedulerName: 'default-scheduler',
          volumes,
        },
      },
      updateStrategy: { type: 'OnDelete' } as Record<string, unknown>,
      revisionHistoryLimit: 10,
      ...extra,
    },
    status: {
      currentNumberScheduled: 1,
      numberMisscheduled: 0,
      desiredNumberScheduled: 1,
      numberReady: 1,
      observedGeneration: 1,
    },
  };
}

function withTemplateSpec(obj: ReturnType<typeof liveFluentd>, spec: Record<string, unknown>) {
  const out = structuredClone(obj);
  out.spec.template.spec = { ...out.spec.template.spec, ...spec };
  return out;
}

describe('kubectl apply (object exists): strategic merge patch on extensions/v1beta1', { skip: skip115 }, () => {
  const schema = ref('io.k8s.api.extensions.v1beta1.DaemonSet');

  it('image change with $setElementOrder/containers updates the image and the annotation only', () => {
    const live = liveFluentd('extensions/v1beta1', 'fluent/fluentd:v0.14.10');
    const newApplied = lastApplied('fluent/fluentd:v0.14.11');
    const body = JSON.stringify({
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': newApplied } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'fluentd' }],
            containers: [{ image: 'fluent/fluentd:v0.14.11', name: 'fluentd' }],
          },
        },
      },
    });
    const expected = structuredClone(live);
    expected.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = newApplied;
    expected.spec.template.spec.containers = [fluentdContainer('fluent/fluentd:v0.14.11')];
    const before = structuredClone(live);
    assert.deepStrictEqual(applyPatch(SMP, live, body, { schema, resolver: resolver115() }), expected);
    assert.deepStrictEqual(live, before);
  });

  it('adding updateStrategy merges it into the spec', () => {
    const live = liveFluentd('extensions/v1beta1', 'fluent/fluentd:v0.14.10');
    const body =
      '{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\\n"}},"spec":{"updateStrategy":{"rollingUpdate":{"maxUnavailable":1},"type":"RollingUpdate"}}}';
    const expected = structuredClone(live);
    expected.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = '{}\n';
    expected.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } };
    assert.deepStrictEqual(applyPatch(SMP, live, body, { schema, resolver: resolver115() }), expected);
  });

  it('$setElementOrder/containers keeps the manifest order when a container is added', () => {
    const live = withTemplateSpec(liveFluentd('extensions/v1beta1', 'fluent/fluentd:v0.14.10'), {});
    const body = JSON.stringify({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'logrotate' }, { name: 'fluentd' }],
            containers: [{ image: 'logrotate:1', name: 'logrotate' }],
          },
        },
      },
    });
    const out = applyPatch(SMP, live, body, { schema, resolver: resolver115() }) as ReturnType<typeof liveFluentd>;
    assert.deepStrictEqual(out.spec.template.spec.containers, [
      { image: 'logrotate:1', name: 'logrotate' },
      fluentdContainer('fluent/fluentd:v0.14.10'),
    ]);
  });
});

describe('kubectl rollout undo, e2e image PATCH: strategic merge patch on apps/v1', { skip: skip130 }, () => {
  const schema = ref('io.k8s.api.apps.v1.DaemonSet');

  it('rollout undo: ControllerRevision data with "$patch":"replace" replaces spec.template', () => {
    const live = liveFluentd('apps/v1', 'fluent/fluentd:v0.14.11', {
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    });
    live.spec.template.metadata = {
      creationTimestamp: null,
      labels: { app: 'fluentd' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' },
    } as typeof live.spec.template.metadata;
    (live.spec.template.spec as Record<string, unknown>).nodeSelector = { ssd: 'true' };
    const revisionTemplate = {
      metadata: { creationTimestamp: null, labels: { app: 'fluentd' } },
      spec: {
        containers: [
          {
            ...fluentdContainer('fluent/fluentd:v0.14.10'),
            resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m', memory: '200Mi' } },
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        volumes,
      },
    };
    const body = JSON.stringify({ spec: { template: { $patch: 'replace', ...revisionTemplate } } });
    const expected = structuredClone(live);
    expected.spec.template = structuredClone(revisionTemplate) as typeof expected.spec.template;
    assert.deepStrictEqual(applyPatch(SMP, live, body, { schema, resolver: resolver130() }), expected);
  });

  it('e2e image PATCH keeps the other container fields and containers', () => {
    const appContainer = {
      name: 'app',
      image: 'old',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'MODE', value: 'prod' }],
      resources: { requests: { cpu: '50m' } },
      imagePullPolicy: 'Always',
    };
    const helper = { name: 'helper', image: 'busybox', command: ['sleep', '3600'] };
    const live = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'web', namespace: 'default', generation: 3 },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [appContainer, helper] } },
      },
    };
    const body = '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"new"}]}}}}';
    const expected = structuredClone(live);
    expected.spec.template.spec.containers = [{ ...appContainer, image: 'new' }, helper];
    assert.deepStrictEqual(
      applyPatch(`${SMP}; charset=utf-8`, live, Buffer.from(body), { schema, resolver: resolver130() }),
      expected,
    );
  });
});

describe('kubectl label: JSON merge patch on a Node', () => {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' }, resourceVersion: '7' },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };

  it('kubectl label nodes node-1 ssd=true adds the label', () => {
    const out = applyPatch(MERGE, node, '{"metadata":{"labels":{"ssd":"true"}}}');
    assert.deepStrictEqual(out, {
      ...node,
      metadata: { ...node.metadata, labels: { 'kubernetes.io/hostname': 'node-1', ssd: 'true' } },
    });
  });

  it('kubectl label nodes node-1 ssd- removes it with null', () => {
    const labelled = {
      ...node,
      metadata: { ...node.metadata, labels: { 'kubernetes.io/hostname': 'node-1', ssd: 'true' } },
    };
    const out = applyPatch(MERGE, labelled, '{"metadata":{"labels":{"ssd":null}}}');
    assert.deepStrictEqual(out, node);
    assert.deepStrictEqual(labelled.metadata.labels, { 'kubernetes.io/hostname': 'node-1', ssd: 'true' });
  });

  it('removing a label the node lacks changes nothing', () => {
    assert.deepStrictEqual(applyPatch(MERGE, node, '{"metadata":{"labels":{"ssd":null}}}'), node);
  });
});
