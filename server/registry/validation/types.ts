/**
 * Loose TypeScript shapes of the core/v1 JSON objects the validators read and the defaulters write.
 * Objects are plain JSON: every field is optional and unknown fields are allowed, so these types document
 * intent rather than guarantee structure (validators read defensively).
 */

/** metav1.OwnerReference. */
export interface OwnerReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean | null;
  blockOwnerDeletion?: boolean | null;
}

/** metav1.ObjectMeta. Timestamps are RFC 3339 strings. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  deletionGracePeriodSeconds?: number | null;
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  ownerReferences?: OwnerReference[] | null;
  finalizers?: string[] | null;
  managedFields?: unknown[] | null;
  [k: string]: unknown;
}

/** A resource list (`{cpu: "500m", memory: "1Gi"}`); values may arrive as JSON numbers. */
export type ResourceList = Record<string, string | number>;

/** v1.ResourceRequirements. */
export interface ResourceRequirements {
  limits?: ResourceList | null;
  requests?: ResourceList | null;
  claims?: Array<{ name?: string; request?: string }> | null;
  [k: string]: unknown;
}

/** v1.Probe / lifecycle handler (subset). */
export interface Probe {
  exec?: { command?: string[] } | null;
  httpGet?: {
    path?: string;
    port?: number | string;
    host?: string;
    scheme?: string;
    httpHeaders?: Array<{ name?: string; value?: string }>;
  } | null;
  tcpSocket?: { port?: number | string; host?: string } | null;
  grpc?: { port?: number; service?: string | null } | null;
  sleep?: { seconds?: number } | null;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number | null;
  [k: string]: unknown;
}

/** v1.EnvVar. */
export interface EnvVar {
  name?: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { apiVersion?: string; fieldPath?: string } | null;
    resourceFieldRef?: { containerName?: string; resource?: string; divisor?: string | number } | null;
    configMapKeyRef?: { name?: string; key?: string; optional?: boolean } | null;
    secretKeyRef?: { name?: string; key?: string; optional?: boolean } | null;
  } | null;
}

/** v1.ContainerPort. */
export interface ContainerPort {
  name?: string;
  containerPort?: number;
  hostPort?: number;
  hostIP?: string;
  protocol?: string;
}

/** v1.VolumeMount. */
export interface VolumeMount {
  name?: string;
  mountPath?: string;
  subPath?: string;
  subPathExpr?: string;
  readOnly?: boolean;
  mountPropagation?: string | null;
  recursiveReadOnly?: string | null;
}

/** v1.Container (also the shape of init and ephemeral containers). */
export interface Container {
  name?: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[] | null;
  env?: EnvVar[] | null;
  envFrom?: Array<{
    prefix?: string;
    configMapRef?: { name?: string } | null;
    secretRef?: { name?: string } | null;
  }> | null;
  resources?: ResourceRequirements | null;
  volumeMounts?: VolumeMount[] | null;
  volumeDevices?: Array<{ name?: string; devicePath?: string }> | null;
  livenessProbe?: Probe | null;
  readinessProbe?: Probe | null;
  startupProbe?: Probe | null;
  lifecycle?: { postStart?: Probe | null; preStop?: Probe | null } | null;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  imagePullPolicy?: string;
  restartPolicy?: string | null;
  securityContext?: Record<string, unknown> | null;
  [k: string]: unknown;
}

/** v1.Volume: a name plus exactly one source key (`emptyDir`, `hostPath`, `configMap`, ...). */
export interface Volume {
  name?: string;
  [source: string]: unknown;
}

/** v1.Toleration. */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

/** v1.Taint. */
export interface Taint {
  key?: string;
  value?: string;
  effect?: string;
  timeAdded?: string | null;
}

/** v1.PodSpec. */
export interface PodSpec {
  containers?: Container[] | null;
  initContainers?: Container[] | null;
  ephemeralContainers?: Container[] | null;
  volumes?: Volume[] | null;
  restartPolicy?: string;
  terminationGracePeriodSeconds?: number | null;
  activeDeadlineSeconds?: number | null;
  dnsPolicy?: string;
  dnsConfig?: {
    nameservers?: string[];
    searches?: string[];
    options?: Array<{ name?: string; value?: string }>;
  } | null;
  nodeSelector?: Record<string, string> | null;
  serviceAccountName?: string;
  serviceAccount?: string;
  nodeName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: Record<string, unknown> | null;
  schedulerName?: string;
  tolerations?: Toleration[] | null;
  hostname?: string;
  subdomain?: string;
  priorityClassName?: string;
  priority?: number | null;
  preemptionPolicy?: string | null;
  enableServiceLinks?: boolean | null;
  readinessGates?: Array<{ conditionType?: string }> | null;
  schedulingGates?: Array<{ name?: string }> | null;
  overhead?: ResourceList | null;
  [k: string]: unknown;
}

/** v1.PodStatus (subset). */
export interface PodStatus {
  phase?: string;
  qosClass?: string;
  conditions?: Array<{
    type?: string;
    status?: string;
    reason?: string;
    message?: string;
    [k: string]: unknown;
  }> | null;
  nominatedNodeName?: string;
  hostIP?: string;
  hostIPs?: Array<{ ip?: string }> | null;
  podIP?: string;
  podIPs?: Array<{ ip?: string }> | null;
  containerStatuses?: ContainerStatus[] | null;
  initContainerStatuses?: ContainerStatus[] | null;
  ephemeralContainerStatuses?: ContainerStatus[] | null;
  [k: string]: unknown;
}

/** v1.ContainerStatus (subset). */
export interface ContainerStatus {
  name?: string;
  state?: { waiting?: unknown; running?: unknown; terminated?: { exitCode?: number } | null } | null;
  [k: string]: unknown;
}

/** v1.Pod. */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: PodStatus;
  [k: string]: unknown;
}

/** v1.PodTemplateSpec. */
export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: PodSpec;
}

/** v1.Node. */
export interface Node {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    podCIDR?: string;
    podCIDRs?: string[] | null;
    providerID?: string;
    unschedulable?: boolean;
    taints?: Taint[] | null;
    externalID?: string;
    configSource?: unknown;
    [k: string]: unknown;
  };
  status?: {
    capacity?: ResourceList | null;
    allocatable?: ResourceList | null;
    addresses?: Array<{ type?: string; address?: string }> | null;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** v1.Namespace. */
export interface Namespace {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: { finalizers?: string[] | null };
  status?: { phase?: string; conditions?: unknown[] | null };
  [k: string]: unknown;
}

/** core/v1 Event. */
export interface Event {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  involvedObject?: {
    kind?: string;
    namespace?: string;
    name?: string;
    uid?: string;
    apiVersion?: string;
    resourceVersion?: string;
    fieldPath?: string;
  };
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string | null } | null;
  action?: string;
  related?: Record<string, unknown> | null;
  reportingComponent?: string;
  reportingInstance?: string;
  [k: string]: unknown;
}
