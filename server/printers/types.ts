/**
 * Shapes of server-side printing (meta.k8s.io Table) shared by every printer.
 * Printers are pure: they read a stored object (plain JSON) and a clock value and return cells.
 */
import type { KubeObject } from '../../apimachinery/objects.js';

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

/** Any stored Kubernetes object as printers read it: apimachinery's KubeObject, metadata possibly absent. */
export type KubeObjectLike = Partial<KubeObject>;
