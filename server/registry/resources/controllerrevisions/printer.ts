// Table columns of ControllerRevisions.
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { OwnerReference } from '../../../../apimachinery/objects.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The ControllerRevision fields the printer reads. */
export interface ControllerRevisionLike extends KubeObjectLike {
  revision?: number;
}

/**
 * `<kind>.<group>/<name>` in lower case for the controller owner reference (`daemonset.apps/fluentd`;
 * core owners have no group: `pod/x`), the bare name when the reference has neither kind nor group, and
 * `<none>` without a controller reference.
 */
export function controllerName(owners: OwnerReference[] | null | undefined): string {
  const ref = (owners ?? []).find((o) => o.controller === true);
  if (!ref) return '<none>';
  const apiVersion = ref.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  // "v1" is the core group; "apps/v1" names the group before the slash.
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const kind = ref.kind ?? '';
  const name = ref.name ?? '';
  if (kind === '' && group === '') return name;
  const groupKind = group === '' ? kind : `${kind}.${group}`;
  return `${groupKind.toLowerCase()}/${name}`;
}

/** ControllerRevisions: Name, Controller, Revision (declared `string`, integer cell), Age. */
export const controllerRevisionPrinter: Printer<ControllerRevisionLike> = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller of the object'),
    column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells(cr, now) {
    return [
      cr.metadata?.name ?? '',
      controllerName(cr.metadata?.ownerReferences),
      cr.revision ?? 0,
      translateTimestampSince(cr.metadata?.creationTimestamp, now),
    ];
  },
};
