// Table columns of Roles and ClusterRoles. kube-apiserver has no printer of its own for them: their storage uses the
// generic default table convertor (k8s.io/apiserver registry/rest/table.go), whose columns are the name and the
// creation time as an RFC 3339 date rather than an age.
import { column, CREATION_TIMESTAMP_DESCRIPTION, nameColumn } from '../../../printers/columns.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** `metav1.Time.UTC().Format(time.RFC3339)`: whole seconds, `Z`; Go's zero time when absent or unparseable. */
export function rfc3339Seconds(timestamp: string | null | undefined): string {
  const ms = timestamp ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(ms)) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The default table convertor's rows: Name, Created At (`type: date`). */
export const createdAtPrinter: Printer<KubeObjectLike> = {
  columns: [nameColumn(), column('Created At', 'date', CREATION_TIMESTAMP_DESCRIPTION)],
  cells(obj) {
    return [obj.metadata?.name ?? '', rfc3339Seconds(obj.metadata?.creationTimestamp)];
  },
};
