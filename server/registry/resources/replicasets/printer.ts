// Table columns of ReplicaSets, the same in apps/v1 and extensions/v1beta1.
import {
  ageColumn,
  column,
  containerCells,
  CONTAINERS_DESCRIPTION,
  IMAGES_DESCRIPTION,
  nameColumn,
} from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import { formatLabelSelector, type LabelSelectorObject } from '../../../../apimachinery/labels.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The fields of a ReplicaSet or Deployment the workload printers read. */
export interface ReplicatedLike extends KubeObjectLike {
  spec?: {
    replicas?: number;
    selector?: LabelSelectorObject | null;
    template?: { spec?: { containers?: Array<{ name?: string; image?: string }> | null } };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

const REPLICAS_DOCS =
  'More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller';

/** The wide Selector column of workloads, with its description. */
export function selectorColumn(description: string) {
  return column('Selector', 'string', description, 1);
}

/** ReplicaSets: Name, Desired, Current, Ready, Age, then wide Containers, Images, Selector. */
export const replicaSetPrinter: Printer<ReplicatedLike> = {
  columns: [
    nameColumn(),
    column(
      'Desired',
      'integer',
      `Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. ${REPLICAS_DOCS}`,
    ),
    column('Current', 'integer', `Replicas is the most recently observed number of replicas. ${REPLICAS_DOCS}`),
    column(
      'Ready',
      'integer',
      'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.',
    ),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    selectorColumn(
      "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
    ),
  ],
  cells(rs, now) {
    const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      translateTimestampSince(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};
