import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  controllerName,
  controllerRevisionPrinter,
} from '../../../server/registry/resources/controllerrevisions/printer.js';
import { daemonSetPrinter, type DaemonSetLike } from '../../../server/registry/resources/daemonsets/printer.js';
import type { OwnerReference } from '../../../apimachinery/objects.js';
import { ago, DAY, MIN, NOW } from './helpers.js';

describe('daemonset cells', () => {
  const fluentd: DaemonSetLike = {
    metadata: { name: 'fluentd', namespace: 'kube-system', creationTimestamp: ago(2 * DAY) },
    spec: {
      selector: { matchLabels: { app: 'fluentd' } },
      template: { spec: { containers: [{ name: 'fluentd', image: 'fluent/fluentd:v0.14.10' }] } },
    },
    status: {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 2,
      updatedNumberScheduled: 1,
      numberAvailable: 2,
    },
  };
  const cases: Array<[string, DaemonSetLike, unknown[]]> = [
    [
      'fluentd',
      fluentd,
      ['fluentd', 3, 3, 2, 1, 2, '<none>', '2d', 'fluentd', 'fluent/fluentd:v0.14.10', 'app=fluentd'],
    ],
    [
      'node selector sorted, several containers',
      {
        metadata: { name: 'nginx-fast-storage', creationTimestamp: ago(9 * MIN) },
        spec: {
          selector: { matchLabels: { app: 'nginx', ssd: 'true' } },
          template: {
            spec: {
              nodeSelector: { ssd: 'true', 'kubernetes.io/os': 'linux' },
              containers: [
                { name: 'nginx', image: 'nginx:1.10.0' },
                { name: 'sidecar', image: 'busybox' },
              ],
            },
          },
        },
        status: {
          desiredNumberScheduled: 1,
          currentNumberScheduled: 1,
          numberReady: 1,
          updatedNumberScheduled: 1,
          numberAvailable: 1,
        },
      },
      [
        'nginx-fast-storage',
        1,
        1,
        1,
        1,
        1,
        'kubernetes.io/os=linux,ssd=true',
        '9m',
        'nginx,sidecar',
        'nginx:1.10.0,busybox',
        'app=nginx,ssd=true',
      ],
    ],
    [
      'no status, no selector (extensions/v1beta1 before defaulting)',
      { metadata: { name: 'new' }, spec: { template: { spec: { containers: [] } } } },
      ['new', 0, 0, 0, 0, 0, '<none>', '<unknown>', '', '', '<none>'],
    ],
    [
      'selector with expressions',
      {
        metadata: { name: 'x', creationTimestamp: ago(0) },
        spec: {
          selector: {
            matchLabels: { app: 'x' },
            matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary', 'beta'] }],
          },
        },
      },
      ['x', 0, 0, 0, 0, 0, '<none>', '0s', '', '', 'app=x,track notin (beta,canary)'],
    ],
  ];
  for (const [name, ds, want] of cases) {
    it(name, () => assert.deepEqual(daemonSetPrinter.cells(ds, NOW), want));
  }
  it('columns: six integers/strings then three wide ones', () => {
    assert.deepEqual(
      daemonSetPrinter.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Desired', 'integer', 0],
        ['Current', 'integer', 0],
        ['Ready', 'integer', 0],
        ['Up-to-date', 'integer', 0],
        ['Available', 'integer', 0],
        ['Node Selector', 'string', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
  });
});

describe('controllerrevision controller column', () => {
  const ds = (extra: Partial<OwnerReference> = {}): OwnerReference => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    name: 'fluentd',
    uid: 'u1',
    controller: true,
    blockOwnerDeletion: true,
    ...extra,
  });
  const cases: Array<[string, OwnerReference[] | null | undefined, string]> = [
    ['DaemonSet controller', [ds()], 'daemonset.apps/fluentd'],
    ['no owner references', undefined, '<none>'],
    ['empty owner references', [], '<none>'],
    ['owner without controller flag', [ds({ controller: undefined })], '<none>'],
    ['owner with controller=false', [ds({ controller: false })], '<none>'],
    [
      'first controller reference wins',
      [ds({ controller: false, name: 'a' }), ds({ name: 'b' }), ds({ name: 'c' })],
      'daemonset.apps/b',
    ],
    ['extensions group', [ds({ apiVersion: 'extensions/v1beta1' })], 'daemonset.extensions/fluentd'],
    ['StatefulSet', [ds({ kind: 'StatefulSet', name: 'web' })], 'statefulset.apps/web'],
    ['core group has no suffix', [ds({ apiVersion: 'v1', kind: 'Pod', name: 'p' })], 'pod/p'],
    ['no kind and no group: bare name', [ds({ apiVersion: 'v1', kind: '', name: 'n' })], 'n'],
  ];
  for (const [name, owners, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(controllerName(owners), want));
  }

  it('row: name, controller, integer revision, age', () => {
    const cr = {
      metadata: { name: 'fluentd-7d9f8b6c5', creationTimestamp: ago(3 * MIN), ownerReferences: [ds()] },
      revision: 2,
      data: { spec: {} },
    };
    assert.deepEqual(controllerRevisionPrinter.cells(cr, NOW), [
      'fluentd-7d9f8b6c5',
      'daemonset.apps/fluentd',
      2,
      '3m',
    ]);
  });
  it('Revision column is declared string although the cell is an integer', () => {
    assert.deepEqual(
      controllerRevisionPrinter.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Controller', 'string'],
        ['Revision', 'string'],
        ['Age', 'string'],
      ],
    );
  });
});
