// Table columns of DaemonSets, the same in apps/v1 and extensions/v1beta1.
import {
  ageColumn,
  column,
  containerCells,
  CONTAINERS_DESCRIPTION,
  IMAGES_DESCRIPTION,
  nameColumn,
} from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import { formatLabels, formatLabelSelector, type LabelSelectorObject } from '../../../../apimachinery/labels.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';

/** The DaemonSet fields the printer reads. */
export interface DaemonSetLike extends KubeObjectLike {
  spec?: {
    selector?: LabelSelectorObject | null;
    template?: {
      spec?: {
        nodeSelector?: Record<string, string> | null;
        containers?: Array<{ name?: string; image?: string }> | null;
      };
    };
  };
  status?: {
    desiredNumberScheduled?: number;
    currentNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

const DAEMONSET_DOCS = 'More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/';

/**
 * DaemonSets: Name, Desired, Current, Ready, Up-to-date, Available (integers), Node Selector, Age, then wide
 * Containers, Images, Selector.
 */
export const daemonSetPrinter: Printer<DaemonSetLike> = {
  columns: [
    nameColumn(),
    column(
      'Desired',
      'integer',
      `The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). ${DAEMONSET_DOCS}`,
    ),
    column(
      'Current',
      'integer',
      `The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. ${DAEMONSET_DOCS}`,
    ),
    column(
      'Ready',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ),
    column('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    column(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    column(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's " +
        'labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/',
    ),
    ageColumn(),
    column('Containers', 'string', CONTAINERS_DESCRIPTION, 1),
    column('Images', 'string', IMAGES_DESCRIPTION, 1),
    column(
      'Selector',
      'string',
      'A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, ' +
        'defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors',
      1,
    ),
  ],
  cells(ds, now) {
    const status = ds.status ?? {};
    const podSpec = ds.spec?.template?.spec;
    const [names, images] = containerCells(podSpec?.containers);
    return [
      ds.metadata?.name ?? '',
      status.desiredNumberScheduled ?? 0,
      status.currentNumberScheduled ?? 0,
      status.numberReady ?? 0,
      status.updatedNumberScheduled ?? 0,
      status.numberAvailable ?? 0,
      formatLabels(podSpec?.nodeSelector),
      translateTimestampSince(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};
