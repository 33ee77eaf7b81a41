// Table columns of config maps (`kubectl get configmaps`), as kube-apiserver prints them.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The config map fields the printer reads. */
export interface ConfigMapLike extends KubeObjectLike {
  data?: Record<string, unknown> | null;
  binaryData?: Record<string, unknown> | null;
}

/** The API documentation of ConfigMap.data, which kube-apiserver sends as the Data column's description. */
const DATA_DESCRIPTION =
  "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. " +
  'Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap ' +
  'with the keys in the BinaryData field, this is enforced during validation process.';

const count = (m: Record<string, unknown> | null | undefined) => (m ? Object.keys(m).length : 0);

/** ConfigMaps: Name, Data (how many keys, in `data` and `binaryData` together), Age. */
export const configMapPrinter: Printer<ConfigMapLike> = {
  columns: [nameColumn(), column('Data', 'string', DATA_DESCRIPTION), ageColumn()],
  cells(cm, now) {
    return [
      cm.metadata?.name ?? '',
      count(cm.data) + count(cm.binaryData),
      translateTimestampSince(cm.metadata?.creationTimestamp, now),
    ];
  },
};
