/**
 * Column-definition helpers and the description texts that several printers share. Descriptions are the
 * API documentation strings kube-apiserver sends in its column definitions (clients can read them).
 */
import type { TableColumnDefinition } from './types.js';

/** `metadata.name` documentation. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may ' +
  'allow a client to request the generation of an appropriate name automatically. Name is primarily intended ' +
  'for creation idempotence and configuration definition. Cannot be updated. More info: ' +
  'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** `metadata.creationTimestamp` documentation (used by every Age column). */
export const CREATION_TIMESTAMP_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not ' +
  'guaranteed to be set in happens-before order across separate operations. Clients may not set this value. ' +
  'It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. ' +
  'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** Description of the wide `Containers` column of workload printers. */
export const CONTAINERS_DESCRIPTION = 'Names of each container in the template.';

/** Description of the wide `Images` column of workload printers. */
export const IMAGES_DESCRIPTION = 'Images referenced by each container in the template.';

/** Builds a column definition with every field present. */
export function column(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The `Name` column (`format: name`), first in almost every table. */
export function nameColumn(priority = 0): TableColumnDefinition {
  return column('Name', 'string', NAME_DESCRIPTION, priority, 'name');
}

/** The `Age` column: a string cell rendered by `translateTimestampSince`. */
export function ageColumn(): TableColumnDefinition {
  return column('Age', 'string', CREATION_TIMESTAMP_DESCRIPTION);
}

/** Container names and images of a pod template, each joined with `,` (empty strings without containers). */
export function containerCells(
  containers: Array<{ name?: string; image?: string }> | null | undefined,
): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}
