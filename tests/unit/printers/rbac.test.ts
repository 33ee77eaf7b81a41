// Table columns of the rbac kinds: Roles and ClusterRoles through the default table convertor (Name, Created At),
// the bindings through printers.go (Name, Role, Age; Users, Groups, ServiceAccounts with -o wide).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTable } from '../../../server/printers/index.js';
import {
  clusterRoleBindingPrinter,
  roleBindingPrinter,
  subjectCells,
} from '../../../server/registry/resources/rolebindings/printer.js';
import { createdAtPrinter, rfc3339Seconds } from '../../../server/registry/resources/roles/printer.js';
import { ago, DAY, NOW } from './helpers.js';

describe('roles and cluster roles: Name, Created At', () => {
  it('columns as the default table convertor sends them', () => {
    assert.deepEqual(
      createdAtPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Created At', 'date', '', 0],
      ],
    );
    assert.match(createdAtPrinter.columns[1]!.description, /^CreationTimestamp is a timestamp/);
  });

  it('the creation time in RFC 3339, whole seconds, UTC', () => {
    assert.deepEqual(
      createdAtPrinter.cells({ metadata: { name: 'pod-reader', creationTimestamp: '2024-05-01T10:11:12Z' } }, NOW),
      ['pod-reader', '2024-05-01T10:11:12Z'],
    );
    assert.equal(rfc3339Seconds('2024-05-01T10:11:12.987654Z'), '2024-05-01T10:11:12Z');
    assert.equal(rfc3339Seconds('2024-05-01T12:11:12+02:00'), '2024-05-01T10:11:12Z');
    assert.equal(rfc3339Seconds(undefined), '0001-01-01T00:00:00Z');
  });
});

describe('role bindings and cluster role bindings', () => {
  const subjects = [
    { kind: 'User', name: 'jane' },
    { kind: 'ServiceAccount', name: 'fluentd', namespace: 'kube-system' },
    { kind: 'Group', name: 'devs' },
    { kind: 'User', name: 'bob' },
    { kind: 'ServiceAccount', name: 'default', namespace: 'default' },
  ];

  it('columns: Name, Role, Age, and the wide Users, Groups, ServiceAccounts', () => {
    for (const [printer, of] of [
      [roleBindingPrinter, 'roleBinding'],
      [clusterRoleBindingPrinter, 'clusterRoleBinding'],
    ] as const) {
      assert.deepEqual(
        printer.columns.map((c) => [c.name, c.type, c.format, c.priority]),
        [
          ['Name', 'string', 'name', 0],
          ['Role', 'string', '', 0],
          ['Age', 'string', '', 0],
          ['Users', 'string', '', 1],
          ['Groups', 'string', '', 1],
          ['ServiceAccounts', 'string', '', 1],
        ],
      );
      assert.deepEqual(
        printer.columns.slice(3).map((c) => c.description),
        [`Users in the ${of}`, `Groups in the ${of}`, `ServiceAccounts in the ${of}`],
      );
    }
    assert.match(roleBindingPrinter.columns[1]!.description, /^RoleRef can reference a Role in the current namespace/);
    assert.match(clusterRoleBindingPrinter.columns[1]!.description, /^RoleRef can only reference a ClusterRole/);
  });

  it('cells: kind/name of the role, age, subjects joined with ", "', () => {
    const rb = {
      metadata: { name: 'read-pods', creationTimestamp: ago(3 * DAY) },
      roleRef: { kind: 'Role', name: 'pod-reader' },
      subjects,
    };
    assert.deepEqual(roleBindingPrinter.cells(rb, NOW), [
      'read-pods',
      'Role/pod-reader',
      '3d',
      'jane, bob',
      'devs',
      'kube-system/fluentd, default/default',
    ]);
    const crb = {
      metadata: { name: 'fluentd', creationTimestamp: ago(10_000) },
      roleRef: { kind: 'ClusterRole', name: 'fluentd' },
    };
    assert.deepEqual(clusterRoleBindingPrinter.cells(crb, NOW), ['fluentd', 'ClusterRole/fluentd', '10s', '', '', '']);
  });

  it('subjects of other kinds are not shown; a service account without namespace keeps the slash', () => {
    assert.deepEqual(
      subjectCells([
        { kind: 'Robot', name: 'r2' },
        { kind: 'ServiceAccount', name: 'sa' },
      ]),
      ['', '', '/sa'],
    );
    assert.deepEqual(subjectCells(null), ['', '', '']);
  });

  it('a Table of bindings carries every column and PartialObjectMetadata rows', () => {
    const t = buildTable(
      [
        {
          metadata: { name: 'b', creationTimestamp: ago(60_000) },
          roleRef: { kind: 'ClusterRole', name: 'view' },
          subjects: [{ kind: 'Group', name: 'g' }],
        },
      ],
      {
        printer: roleBindingPrinter,
        now: NOW,
      },
    );
    assert.equal(t.columnDefinitions!.length, 6);
    assert.deepEqual(t.rows[0]!.cells, ['b', 'ClusterRole/view', '60s', '', 'g', '']);
    assert.equal((t.rows[0]!.object as { kind: string }).kind, 'PartialObjectMetadata');
  });
});
