// Table columns of secrets (`kubectl get secrets`), as kube-apiserver prints them.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The secret fields the printer reads. */
export interface SecretLike extends KubeObjectLike {
  type?: string;
  data?: Record<string, unknown> | null;
}

/** The API documentation of Secret.type and Secret.data, which kube-apiserver sends as column descriptions. */
const TYPE_DESCRIPTION =
  'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types';
const DATA_DESCRIPTION =
  "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized " +
  'form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value ' +
  'here. Described in https://tools.ietf.org/html/rfc4648#section-4';

/** Secrets: Name, Type, Data (how many keys), Age. */
export const secretPrinter: Printer<SecretLike> = {
  columns: [
    nameColumn(),
    column('Type', 'string', TYPE_DESCRIPTION),
    column('Data', 'string', DATA_DESCRIPTION),
    ageColumn(),
  ],
  cells(secret, now) {
    return [
      secret.metadata?.name ?? '',
      secret.type ?? '',
      secret.data ? Object.keys(secret.data).length : 0,
      translateTimestampSince(secret.metadata?.creationTimestamp, now),
    ];
  },
};
