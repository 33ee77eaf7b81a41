/**
 * The slices of core/v1 Pod and Node the scheduler reads, as JSON. Objects come from the informers' caches and are
 * shared: read them, never change them.
 */
import type { NodeSelectorTerm, PodSpec as PlacementSpec, Taint, Toleration } from '../daemonset/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';

export type { NodeSelectorTerm, Taint, Toleration };

export type ResourceList = Record<string, string | number>;

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ContainerPort {
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  resources?: ResourceRequirements;
  ports?: ContainerPort[];
  /** `Always` marks a sidecar among the init containers. */
  restartPolicy?: string;
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface PodSpec extends PlacementSpec {
  schedulerName?: string;
  containers?: Container[];
  initContainers?: Container[];
  overhead?: ResourceList;
  priority?: number;
  preemptionPolicy?: string;
  schedulingGates?: Array<{ name: string }>;
  affinity?: PlacementSpec['affinity'] & {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
    };
  };
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

export interface Pod extends KubeObject {
  spec?: PodSpec;
  status?: { phase?: string; conditions?: PodCondition[]; nominatedNodeName?: string; [key: string]: unknown };
}

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  [key: string]: unknown;
}

export interface Node extends KubeObject {
  spec?: { unschedulable?: boolean; taints?: Taint[]; [key: string]: unknown };
  status?: {
    allocatable?: ResourceList;
    capacity?: ResourceList;
    conditions?: NodeCondition[];
    [key: string]: unknown;
  };
}
