// Table columns of Deployments, the same in apps/v1 and extensions/v1beta1.
import {
  ageColumn,
  column,
  containerCells,
  CONTAINERS_DESCRIPTION,
  IMAGES_DESCRIPTION,
  nameColumn,
} from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import { formatLabelSelector } from '../../../../apimachinery/labels.js';
import type { Printer } from '../../../printers/types.js';
import { selectorColumn, type ReplicatedLike } from '../replicasets/printer.js';

/** Deployments: Name, Ready (`ready/desired`), Up-to-date, Available, Age, then wide Containers, Images, Selector. */
export const deploymentPrinter: Printer<ReplicatedLike> = {
  columns: [
    nameColumn(),
    column('Ready', 'string', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'integer',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'integer',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    selectorColumn(
      'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    ),
  ],
  cells(d, now) {
    const [names, images] = containerCells(d.spec?.template?.spec?.containers);
    return [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      translateTimestampSince(d.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(d.spec?.selector),
    ];
  },
};
