// Table columns of namespaces.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The namespace fields the printer reads. */
export interface NamespaceLike extends KubeObjectLike {
  status?: { phase?: string };
}

/** Namespaces: Name, Status (`status.phase`), Age. */
export const namespacePrinter: Printer<NamespaceLike> = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells(ns, now) {
    return [
      ns.metadata?.name ?? '',
      ns.status?.phase ?? '',
      translateTimestampSince(ns.metadata?.creationTimestamp, now),
    ];
  },
};
