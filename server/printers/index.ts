/**
 * Server-side printing: assemble `meta.k8s.io` Table responses for list, get and watch requests that ask for
 * `as=Table`, with the printer of each resource (its definition's, in server/registry/resources/<plural>/printer.ts)
 * or the Name/Age default.
 */
import { ageColumn, nameColumn } from './columns.js';
import { translateTimestampSince } from './duration.js';
import type { KubeObjectLike, Printer, TableColumnDefinition, TableRowCondition } from './types.js';

export type { KubeObjectLike, Printer, TableColumnDefinition, TableRowCells, TableRowCondition } from './types.js';
export { humanDuration, translateTimestampSince } from './duration.js';

/** Any other resource: Name and Age. */
export const defaultPrinter: Printer<KubeObjectLike> = {
  columns: [nameColumn(), ageColumn()],
  cells(obj, now) {
    return [obj.metadata?.name ?? '', translateTimestampSince(obj.metadata?.creationTimestamp, now)];
  },
};

/** The `includeObject` table option: what each row's `object` carries. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The Table group versions kube-apiserver serves. */
export type TableApiVersion = 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';

/** List metadata copied into the Table (a single-object GET passes the object's resourceVersion). */
export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number | null;
}

/** One Table row. `conditions` appears only when the printer reports some (terminal pods). */
export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: unknown;
}

/** A `meta.k8s.io` Table as serialized on the wire. */
export interface Table {
  kind: 'Table';
  apiVersion: TableApiVersion;
  metadata: TableListMeta;
  /** `null` on watch events after the first one. */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}

/** Inputs of {@link buildTable} besides the objects. */
export interface BuildTableOptions {
  printer: Printer<any>;
  /** Defaults to `Metadata`, as kube-apiserver does when the option is absent. */
  includeObject?: IncludeObject;
  listMeta?: TableListMeta;
  /** The Table version the client asked for first; defaults to `meta.k8s.io/v1`. */
  apiVersion?: TableApiVersion;
  now: Date;
  /** `false` for watch events after the first: `columnDefinitions` is then `null`. Defaults to `true`. */
  withColumns?: boolean;
}

/** The row `object` for the requested `includeObject`. */
function rowObject(obj: KubeObjectLike, include: IncludeObject, apiVersion: TableApiVersion): unknown {
  switch (include) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    case 'Metadata':
    default:
      return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata ?? {} };
  }
}

/**
 * Assembles a Table from objects (in response order) and a printer. Row objects are `PartialObjectMetadata`
 * (same group version as the Table, full ObjectMeta) for `Metadata`, the object itself for `Object` (pass it
 * with kind/apiVersion set) and `null` for `None`. Metadata keeps `resourceVersion` and `continue` when
 * non-empty and `remainingItemCount` when a number. `rows` and every `cells` are always arrays.
 */
export function buildTable(objects: readonly KubeObjectLike[], options: BuildTableOptions): Table {
  const { printer, now } = options;
  const include = options.includeObject ?? 'Metadata';
  const apiVersion = options.apiVersion ?? 'meta.k8s.io/v1';
  const listMeta = options.listMeta ?? {};

  const metadata: TableListMeta = {};
  if (listMeta.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta.continue) metadata.continue = listMeta.continue;
  if (typeof listMeta.remainingItemCount === 'number') metadata.remainingItemCount = listMeta.remainingItemCount;

  const rows = objects.map((obj): TableRow => {
    const cells = printer.cells(obj, now);
    const conditions = printer.conditions?.(obj);
    const object = rowObject(obj, include, apiVersion);
    // Key order as upstream serializes TableRow: cells, conditions (omitted when empty), object.
    return conditions && conditions.length > 0
      ? { cells, conditions: conditions.map((c) => ({ ...c })), object }
      : { cells, object };
  });

  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: options.withColumns === false ? null : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
