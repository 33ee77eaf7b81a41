// Table columns of RoleBindings and ClusterRoleBindings (printers.go printRoleBinding / printClusterRoleBinding):
// Name, Role (`<kind>/<name>` of the roleRef), Age, and with `-o wide` the users, groups and service accounts bound.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The binding fields the printer reads. */
export interface BindingLike extends KubeObjectLike {
  roleRef?: { kind?: string; name?: string };
  subjects?: Array<{ kind?: string; name?: string; namespace?: string }> | null;
}

/**
 * rbac.SubjectsStrings: user names, group names and `<namespace>/<name>` of service accounts, each joined with
 * `, ` (other kinds are not shown).
 */
export function subjectCells(subjects: BindingLike['subjects']): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s.kind === 'User') users.push(s.name ?? '');
    else if (s.kind === 'Group') groups.push(s.name ?? '');
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(of: string, roleDescription: string): Printer<BindingLike> {
  return {
    columns: [
      nameColumn(),
      column('Role', 'string', roleDescription),
      ageColumn(),
      column('Users', 'string', `Users in the ${of}`, 1),
      column('Groups', 'string', `Groups in the ${of}`, 1),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${of}`, 1),
    ],
    cells(binding, now) {
      return [
        binding.metadata?.name ?? '',
        `${binding.roleRef?.kind ?? ''}/${binding.roleRef?.name ?? ''}`,
        translateTimestampSince(binding.metadata?.creationTimestamp, now),
        ...subjectCells(binding.subjects),
      ];
    },
  };
}

// The Role column describes rbac/v1beta1's roleRef field (the text kube-apiserver sends).
export const roleBindingPrinter = bindingPrinter(
  'roleBinding',
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
);

export const clusterRoleBindingPrinter = bindingPrinter(
  'clusterRoleBinding',
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
);
