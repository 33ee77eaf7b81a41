// Table columns of leases.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The lease fields the printer reads. */
export interface LeaseLike extends KubeObjectLike {
  spec?: { holderIdentity?: string };
}

/** coordination.k8s.io Leases: Name, Holder (`spec.holderIdentity`), Age. */
export const leasePrinter: Printer<LeaseLike> = {
  columns: [nameColumn(), column('Holder', 'string', 'The identity of the lease holder'), ageColumn()],
  cells(lease, now) {
    return [
      lease.metadata?.name ?? '',
      lease.spec?.holderIdentity ?? '',
      translateTimestampSince(lease.metadata?.creationTimestamp, now),
    ];
  },
};
