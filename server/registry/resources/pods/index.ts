import type { ResourceDefinition } from '../../definition.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import {
  defaultPodFields,
  preparePodForCreate,
  validatePod,
  validatePodStatusUpdate,
  validatePodUpdate,
} from '../../validation/core.js';
import { identityVersion } from '../../identity-version.js';
import { specStatusStrategy, statusStrategyOf } from '../../strategies.js';
import { podBinding } from './binding.js';
import { serviceAccountAdmissionPlugin } from '../serviceaccounts/admission.js';
import { podEviction } from './eviction.js';
import { podLog } from './log.js';
import { podPrinter } from './printer.js';

interface PodLike {
  spec?: {
    nodeName?: string;
    terminationGracePeriodSeconds?: number;
    restartPolicy?: string;
    schedulerName?: string;
    serviceAccountName?: string;
    hostNetwork?: boolean;
  };
  status?: { phase?: string; podIP?: string; podIPs?: { ip: string }[]; nominatedNodeName?: string };
}

/** Default grace period of a pod that names none (upstream: 30 s). */
const DEFAULT_GRACE_SECONDS = 30;

const strategy = specStatusStrategy({
  generation: false,
  clearStatusOnCreate: true,
  prepareForCreate: (obj) => void preparePodForCreate(obj as never),
  validate: (obj) => validatePod(obj),
  validateUpdate: (obj, old) => validatePodUpdate(obj, old),
  gracePeriod(obj, requested) {
    const pod = obj as PodLike;
    let period = requested ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    // An unscheduled pod has no kubelet to wait for; a finished one has nothing left to stop.
    if (!pod.spec?.nodeName) period = 0;
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') period = 0;
    if (period < 0) period = 1;
    return period;
  },
});

/**
 * Pods: their status belongs to the (simulated) kubelet; deletion of a bound pod is graceful; `binding` places one on
 * a node as the scheduler asks (./binding.ts); `eviction` deletes one as `kubectl drain` asks (./eviction.ts); `log`
 * streams a container's log from the node's kubelet (./log.ts).
 */
export const pods: ResourceDefinition = {
  group: '',
  plural: 'pods',
  singular: 'pod',
  kind: 'Pod',
  listKind: 'PodList',
  namespaced: true,
  etcdPrefix: 'pods',
  versions: [
    identityVersion({
      group: '',
      version: 'v1',
      kind: 'Pod',
      shortNames: ['po'],
      categories: ['all'],
      default: (o) => void defaultPodFields(o as never),
    }),
  ],
  strategy,
  statusStrategy: statusStrategyOf(strategy, (obj, old) => validatePodStatusUpdate(obj, old)),
  createSubresources: [podBinding, podEviction],
  getSubresources: [podLog],
  admission: [serviceAccountAdmissionPlugin],
  fieldSelectors: {
    'spec.nodeName': (o) => (o as PodLike).spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => (o as PodLike).spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => (o as PodLike).spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => (o as PodLike).spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(!!(o as PodLike).spec?.hostNetwork),
    'status.phase': (o) => (o as PodLike).status?.phase ?? '',
    'status.podIP': (o) => (o as PodLike).status?.podIP ?? '',
    'status.podIPs': (o) => ((o as PodLike).status?.podIPs ?? []).map((p) => p.ip).join(','),
    'status.nominatedNodeName': (o) => (o as PodLike).status?.nominatedNodeName ?? '',
  },
  printer: podPrinter,
  returnsDeletedObject: true,
  nameValidator: nameIsDNSSubdomain,
};
