// Table columns of service accounts.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The service account fields the printer reads. */
export interface ServiceAccountLike extends KubeObjectLike {
  secrets?: unknown[];
}

/**
 * core/v1 ServiceAccounts, as upstream's printServiceAccount: Name, Secrets (how many secrets the account lists, an
 * integer cell although the column says string), Age.
 */
export const serviceAccountPrinter: Printer<ServiceAccountLike> = {
  columns: [
    nameColumn(),
    column('Secrets', 'string', 'The number of secrets the service account lists in `secrets`.'),
    ageColumn(),
  ],
  cells(sa, now) {
    return [
      sa.metadata?.name ?? '',
      Array.isArray(sa.secrets) ? sa.secrets.length : 0,
      translateTimestampSince(sa.metadata?.creationTimestamp, now),
    ];
  },
};
