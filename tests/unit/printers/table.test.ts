import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable, defaultPrinter, type Printer } from '../../../server/printers/index.js';
import { defaultResources } from '../../../server/registry/resources/index.js';
import { configMapPrinter } from '../../../server/registry/resources/configmaps/printer.js';
import { controllerRevisionPrinter } from '../../../server/registry/resources/controllerrevisions/printer.js';
import { daemonSetPrinter } from '../../../server/registry/resources/daemonsets/printer.js';
import { deploymentPrinter } from '../../../server/registry/resources/deployments/printer.js';
import { replicaSetPrinter } from '../../../server/registry/resources/replicasets/printer.js';
import { eventPrinter } from '../../../server/registry/resources/events/printer.js';
import { leasePrinter } from '../../../server/registry/resources/leases/printer.js';
import { namespacePrinter } from '../../../server/registry/resources/namespaces/printer.js';
import { nodePrinter } from '../../../server/registry/resources/nodes/printer.js';
import { podPrinter } from '../../../server/registry/resources/pods/printer.js';
import { secretPrinter } from '../../../server/registry/resources/secrets/printer.js';
import {
  clusterRoleBindingPrinter,
  roleBindingPrinter,
} from '../../../server/registry/resources/rolebindings/printer.js';
import { createdAtPrinter } from '../../../server/registry/resources/roles/printer.js';
import { serviceAccountPrinter } from '../../../server/registry/resources/serviceaccounts/printer.js';
import { servicePrinter } from '../../../server/registry/resources/services/printer.js';
import { endpointsPrinter } from '../../../server/registry/resources/endpoints/printer.js';
import { endpointSlicePrinter } from '../../../server/registry/resources/endpointslices/printer.js';
import { ago, NOW, SEC } from './helpers.js';

describe('each resource prints with the printer its definition names', () => {
  const expected: Record<string, Printer<any>> = {
    pods: podPrinter,
    nodes: nodePrinter,
    namespaces: namespacePrinter,
    events: eventPrinter,
    daemonsets: daemonSetPrinter,
    deployments: deploymentPrinter,
    replicasets: replicaSetPrinter,
    controllerrevisions: controllerRevisionPrinter,
    leases: leasePrinter,
    configmaps: configMapPrinter,
    secrets: secretPrinter,
    roles: createdAtPrinter,
    clusterroles: createdAtPrinter,
    rolebindings: roleBindingPrinter,
    clusterrolebindings: clusterRoleBindingPrinter,
    serviceaccounts: serviceAccountPrinter,
    services: servicePrinter,
    endpoints: endpointsPrinter,
    endpointslices: endpointSlicePrinter,
  };
  for (const def of defaultResources()) {
    it(def.plural, () => assert.equal(def.printer ?? defaultPrinter, expected[def.plural] ?? defaultPrinter));
  }
});

describe('every printer', () => {
  const printers: Array<[string, Printer<any>]> = [
    ['pods', podPrinter],
    ['nodes', nodePrinter],
    ['namespaces', namespacePrinter],
    ['events', eventPrinter],
    ['daemonsets', daemonSetPrinter],
    ['deployments', deploymentPrinter],
    ['replicasets', replicaSetPrinter],
    ['controllerrevisions', controllerRevisionPrinter],
    ['configmaps', configMapPrinter],
    ['secrets', secretPrinter],
    ['roles', createdAtPrinter],
    ['rolebindings', roleBindingPrinter],
    ['serviceaccounts', serviceAccountPrinter],
    ['services', servicePrinter],
    ['endpoints', endpointsPrinter],
    ['endpointslices', endpointSlicePrinter],
    ['default', defaultPrinter],
  ];
  for (const [name, printer] of printers) {
    it(`${name}: one cell per column, even for an empty object`, () => {
      assert.equal(printer.cells({}, NOW).length, printer.columns.length);
    });
    it(`${name}: every column has name, type, format, description, priority`, () => {
      for (const c of printer.columns) {
        assert.deepEqual(Object.keys(c), ['name', 'type', 'format', 'description', 'priority']);
        assert.ok(c.description.length > 0, c.name);
      }
    });
  }
});

const podA = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    name: 'a',
    namespace: 'default',
    uid: 'uid-a',
    resourceVersion: '11',
    creationTimestamp: ago(65 * SEC),
    labels: { app: 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: 'u', controller: true }],
  },
  spec: { containers: [{ name: 'c' }], nodeName: 'n1' },
  status: {
    phase: 'Succeeded',
    containerStatuses: [
      { name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ],
  },
};
const podB = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'b', namespace: 'default', uid: 'uid-b', resourceVersion: '12', creationTimestamp: ago(2 * SEC) },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Pending' },
};

describe('buildTable', () => {
  it('list with default includeObject (Metadata) and v1', () => {
    const table = buildTable([podA, podB], { printer: podPrinter, now: NOW, listMeta: { resourceVersion: '169' } });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '169' });
    assert.deepEqual(table.columnDefinitions, podPrinter.columns);
    assert.equal(table.rows.length, 2);
    assert.deepEqual(table.rows[0].object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: podA.metadata,
    });
    assert.deepEqual(table.rows[1].cells, ['b', '0/1', 'Pending', '0', '2s', '<none>', '<none>', '<none>', '<none>']);
  });

  it('serializes keys in upstream order, conditions only on completed pods', () => {
    const table = buildTable([podA, podB], { printer: podPrinter, now: NOW, listMeta: { resourceVersion: '169' } });
    const json = JSON.parse(JSON.stringify(table));
    assert.deepEqual(Object.keys(json), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
    assert.deepEqual(Object.keys(json.rows[0]), ['cells', 'conditions', 'object']);
    assert.deepEqual(json.rows[0].conditions, [
      { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
    ]);
    assert.deepEqual(Object.keys(json.rows[1]), ['cells', 'object']);
  });

  const includeCases: Array<
    [string, 'None' | 'Metadata' | 'Object', 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1', unknown]
  > = [
    [
      'Metadata, v1',
      'Metadata',
      'meta.k8s.io/v1',
      { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: podB.metadata },
    ],
    [
      'Metadata, v1beta1',
      'Metadata',
      'meta.k8s.io/v1beta1',
      { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1beta1', metadata: podB.metadata },
    ],
    ['Object', 'Object', 'meta.k8s.io/v1', podB],
    ['None', 'None', 'meta.k8s.io/v1', null],
  ];
  for (const [name, includeObject, apiVersion, want] of includeCases) {
    it(`includeObject ${name}`, () => {
      const table = buildTable([podB], { printer: podPrinter, now: NOW, includeObject, apiVersion });
      assert.equal(table.apiVersion, apiVersion);
      assert.deepEqual(table.rows[0].object, want);
      assert.ok(JSON.stringify(table.rows[0]).includes('"object":'));
    });
  }

  it('PartialObjectMetadata of an object without metadata has empty metadata', () => {
    const table = buildTable([{}], { printer: defaultPrinter, now: NOW });
    assert.deepEqual(table.rows[0].object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: {},
    });
  });

  it('empty list keeps rows and column definitions', () => {
    const json = JSON.parse(
      JSON.stringify(buildTable([], { printer: nodePrinter, now: NOW, listMeta: { resourceVersion: '5' } })),
    );
    assert.deepEqual(json.rows, []);
    assert.equal(json.columnDefinitions.length, nodePrinter.columns.length);
  });

  it('watch events after the first carry columnDefinitions: null', () => {
    const table = buildTable([podB], {
      printer: podPrinter,
      now: NOW,
      withColumns: false,
      listMeta: { resourceVersion: '12' },
    });
    assert.equal(table.columnDefinitions, null);
    assert.ok(JSON.stringify(table).includes('"columnDefinitions":null'));
    assert.equal(table.rows.length, 1);
  });

  const metaCases: Array<[string, Record<string, unknown> | undefined, Record<string, unknown>]> = [
    ['no list metadata', undefined, {}],
    ['empty resourceVersion is omitted', { resourceVersion: '' }, {}],
    [
      'continue and remaining count',
      { resourceVersion: '7', continue: 'tok', remainingItemCount: 18 },
      { resourceVersion: '7', continue: 'tok', remainingItemCount: 18 },
    ],
    [
      'remainingItemCount 0 is kept',
      { resourceVersion: '7', continue: 'tok', remainingItemCount: 0 },
      { resourceVersion: '7', continue: 'tok', remainingItemCount: 0 },
    ],
    [
      'empty continue and null count are omitted',
      { resourceVersion: '7', continue: '', remainingItemCount: null },
      { resourceVersion: '7' },
    ],
  ];
  for (const [name, listMeta, want] of metaCases) {
    it(`metadata: ${name}`, () => {
      assert.deepEqual(buildTable([], { printer: defaultPrinter, now: NOW, listMeta }).metadata, want);
    });
  }

  it('returned column definitions are copies', () => {
    const table = buildTable([], { printer: defaultPrinter, now: NOW });
    table.columnDefinitions![0].name = 'changed';
    assert.equal(defaultPrinter.columns[0].name, 'Name');
  });

  it('single daemonset row, as kubectl get ds receives it', () => {
    const ds = {
      metadata: { name: 'fluentd', namespace: 'kube-system', resourceVersion: '40', creationTimestamp: ago(65 * SEC) },
      spec: {
        selector: { matchLabels: { app: 'fluentd' } },
        template: { spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v0.14.10' }] } },
      },
      status: {
        desiredNumberScheduled: 1,
        currentNumberScheduled: 1,
        numberReady: 1,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
      },
    };
    const table = buildTable([ds], { printer: daemonSetPrinter, now: NOW, listMeta: { resourceVersion: '40' } });
    assert.deepEqual(table.rows[0].cells, [
      'fluentd',
      1,
      1,
      1,
      1,
      1,
      '<none>',
      '65s',
      'fluentd',
      'fluent/fluentd:v0.14.10',
      'app=fluentd',
    ]);
  });
});

describe('Deployment and ReplicaSet rows', () => {
  const spec = {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
  };
  it('a Deployment: Ready as ready/desired, Up-to-date, Available, wide containers, images, selector', () => {
    const d = {
      metadata: { name: 'web', creationTimestamp: ago(65 * SEC) },
      spec,
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(deploymentPrinter.cells(d, NOW), ['web', '2/3', 3, 2, '65s', 'nginx', 'nginx:1.25', 'app=web']);
  });
  it('a ReplicaSet: Desired, Current, Ready', () => {
    const rs = {
      metadata: { name: 'web-abc', creationTimestamp: ago(2 * SEC) },
      spec,
      status: { replicas: 2, readyReplicas: 1 },
    };
    assert.deepEqual(replicaSetPrinter.cells(rs, NOW), ['web-abc', 3, 2, 1, '2s', 'nginx', 'nginx:1.25', 'app=web']);
  });
});
