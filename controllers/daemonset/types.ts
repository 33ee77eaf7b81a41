import type { LabelSelectorObject } from '../../apimachinery/labels.js';
import type { KubeObject, ObjectMeta } from '../../apimachinery/objects.js';
/**
 * The slices of the apps/v1 and core/v1 types the DaemonSet controller reads, as JSON. Objects come from the
 * informers' caches and are shared: read them, clone before changing.
 */

/** core/v1 NodeSelectorRequirement (operators In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** core/v1 NodeSelectorTerm: its requirements are ANDed. */
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** core/v1 Toleration. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** core/v1 Taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** The parts of a core/v1 PodSpec placement looks at; everything else is carried through untouched. */
export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** core/v1 PodTemplateSpec. */
export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
  [key: string]: unknown;
}

/** A `maxUnavailable` / `maxSurge` value: a count or a percentage such as "20%". */
export type IntOrString = number | string;

/** apps/v1 DaemonSet. */
export interface DaemonSet extends KubeObject {
  spec: {
    selector?: LabelSelectorObject | null;
    template: PodTemplateSpec;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    [key: string]: unknown;
  };
  status?: DaemonSetStatus;
}

/** apps/v1 DaemonSetStatus. */
export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
  [key: string]: unknown;
}

/** core/v1 PodCondition. */
export interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string | null;
  [key: string]: unknown;
}

/** core/v1 Pod. */
export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: { phase?: string; conditions?: PodCondition[]; [key: string]: unknown };
}

/** core/v1 Node. */
export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; [key: string]: unknown };
  status?: { conditions?: Array<{ type: string; status: string; [key: string]: unknown }>; [key: string]: unknown };
}

/** apps/v1 ControllerRevision. */
export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}
