/**
 * Shapes of server-side printing (meta.k8s.io Table) shared by every printer.
 * Printers are pure: they read a stored object (plain JSON) and a clock value and return cells.
 */

/** One column of a Table, serialized with every field present (upstream does not omit `format`/`priority`). */
export interface TableColumnDefinition {
  /** Human-readable header, e.g. `Name`, `Nominated Node`. */
  name: string;
  /** OpenAPI type of the cells: `string`, `integer`, `number`, `boolean`, `date`. */
  type: string;
  /** OpenAPI format hint; `name` marks the column holding the object name, otherwise empty. */
  format: string;
  /** Column description (clients show it in `kubectl explain`-like tools, never in `get`). */
  description: string;
  /** 0 = shown by default; higher = only with `-o wide`. The server always sends all columns. */
  priority: number;
}

/** The cells of one row, in column order; plain JSON values (strings, integers, booleans). */
export type TableRowCells = unknown[];

/** A row condition (`metav1.TableRowCondition`); upstream only defines `Completed`. */
export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** Renders one kind of object as Table rows. */
export interface Printer<T> {
  /** Column definitions in cell order (wide columns included). */
  columns: TableColumnDefinition[];
  /** Cells of the row for `obj`; ages are computed against `now`. */
  cells(obj: T, now: Date): TableRowCells;
  /** Optional row conditions (pods in a terminal phase carry `Completed`). */
  conditions?(obj: T): TableRowCondition[] | undefined;
}

/** The ObjectMeta fields printers read; everything else passes through untouched. */
export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string> | null;
  ownerReferences?: OwnerReferenceLike[] | null;
  [key: string]: unknown;
}

/** An entry of `metadata.ownerReferences`. */
export interface OwnerReferenceLike {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean | null;
  [key: string]: unknown;
}

/** Any stored Kubernetes object: only `metadata` is relied upon. */
export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLike;
  [key: string]: unknown;
}
