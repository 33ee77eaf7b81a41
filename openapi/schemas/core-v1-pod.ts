// core/v1 Pod: the pod itself, its spec and status, and the pieces only pods use.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

export const Pod = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Pod`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodSpec', {
        protobuf: 2,
        description: 'What the pod should run: its containers, volumes and scheduling constraints.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodStatus', {
        protobuf: 3,
        description:
          "The pod's most recently observed state, reported by the kubelet and scheduler. Read-only for clients.",
      }),
    ),
  },
  {
    description:
      'The smallest deployable unit: one or more containers that are scheduled together onto one node and share its network namespace and volumes.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Pod', version: 'v1' }],
  },
);

export const PodList = listOf({
  group: '',
  version: 'v1',
  kind: 'Pod',
  item: 'io.k8s.api.core.v1.Pod',
  description: 'A list of pods.',
});

export const Binding = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Binding`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Metadata naming the pod being bound.',
      }),
    ),
    target: Type.Ref('io.k8s.api.core.v1.ObjectReference', {
      protobuf: 2,
      description: 'The node to bind the pod to. Only `kind: Node` and a name are used.',
    }),
  },
  {
    description:
      "Assigns a pod to a node. Created through the pod's `binding` subresource, normally by a scheduler; the pod's spec.nodeName is set to the target.",
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Binding', version: 'v1' }],
  },
);

export const PodTemplateSpec = Type.Object(
  {
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          "Metadata (labels, annotations) given to each pod created from the template. The labels usually have to match the controller's selector.",
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodSpec', {
        protobuf: 2,
        description: 'Spec of each pod created from the template.',
      }),
    ),
  },
  { description: 'A template for pods that a controller creates: the metadata and spec each new pod starts from.' },
);

export const PodSpec = Type.Object(
  {
    activeDeadlineSeconds: Type.Optional(
      Type.Integer({
        protobuf: 5,
        goPointer: true,
        format: 'int64',
        description:
          'Seconds the pod may be active on a node, counted from its start, before the kubelet actively terminates it. Must be a positive integer.',
      }),
    ),
    affinity: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Affinity', {
        protobuf: 18,
        description: 'Scheduling preferences and requirements relative to nodes and to other pods.',
      }),
    ),
    automountServiceAccountToken: Type.Optional(
      Type.Boolean({
        protobuf: 21,
        goPointer: true,
        description:
          "Whether to mount the service account's API token into the pod. Overrides the service account's own setting.",
      }),
    ),
    containers: Type.Array(Type.Ref('io.k8s.api.core.v1.Container'), {
      protobuf: 2,
      description:
        'The application containers of the pod. At least one is required; containers cannot be added or removed after creation.',
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    }),
    dnsConfig: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodDNSConfig', {
        protobuf: 26,
        description: 'Extra DNS settings merged into the resolver configuration that dnsPolicy produces.',
      }),
    ),
    dnsPolicy: Type.Optional(
      Type.String({
        protobuf: 6,
        description:
          "How the pod's DNS resolver is configured: `ClusterFirst` (default), `ClusterFirstWithHostNet`, `Default` (inherit the node's settings) or `None` (use dnsConfig only).",
      }),
    ),
    enableServiceLinks: Type.Optional(
      Type.Boolean({
        protobuf: 30,
        goPointer: true,
        description:
          "Whether to inject environment variables describing the services in the pod's namespace, in the style of Docker links. Defaults to true.",
      }),
    ),
    ephemeralContainers: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EphemeralContainer'), {
        protobuf: 34,
        description:
          'Temporary containers added to a running pod for debugging, through the `ephemeralcontainers` subresource. They cannot be set at creation and are never restarted.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    hostAliases: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.HostAlias'), {
        protobuf: 23,
        description: "Extra entries written into the pod's /etc/hosts.",
        'x-kubernetes-list-map-keys': ['ip'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    hostIPC: Type.Optional(
      Type.Boolean({ protobuf: 13, description: "Use the node's IPC namespace. Defaults to false." }),
    ),
    hostNetwork: Type.Optional(
      Type.Boolean({
        protobuf: 11,
        description:
          "Use the node's network namespace, so the pod sees the node's interfaces and ports. Requires the container ports to be host ports. Defaults to false.",
      }),
    ),
    hostPID: Type.Optional(
      Type.Boolean({ protobuf: 12, description: "Use the node's process ID namespace. Defaults to false." }),
    ),
    hostUsers: Type.Optional(
      Type.Boolean({
        protobuf: 37,
        goPointer: true,
        description:
          "Whether the pod shares the node's user namespace. Defaults to true; false runs the pod in its own user namespace, mapping root inside to an unprivileged user outside.",
      }),
    ),
    hostname: Type.Optional(
      Type.String({ protobuf: 16, description: 'Host name of the pod. Defaults to the pod name.' }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.LocalObjectReference'), {
        protobuf: 15,
        description: "Secrets in the pod's namespace holding registry credentials used to pull the container images.",
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    initContainers: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.Container'), {
        protobuf: 20,
        description:
          'Containers that run one after another to completion before the application containers start. A failure restarts the sequence according to restartPolicy. An init container with restartPolicy `Always` is a sidecar that keeps running alongside the pod.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    nodeName: Type.Optional(
      Type.String({
        protobuf: 10,
        description:
          'The node the pod runs on. Usually set by the scheduler through a binding; setting it on creation bypasses scheduling.',
      }),
    ),
    nodeSelector: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 7,
        description: 'Labels a node must carry for the pod to be scheduled onto it.',
        'x-kubernetes-map-type': 'atomic',
      }),
    ),
    os: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodOS', {
        protobuf: 36,
        description: "The operating system the pod's containers need. Enables OS-specific validation of the spec.",
      }),
    ),
    overhead: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 32,
        description:
          "Resources used by the pod's sandbox on top of its containers' requests. Filled in from the RuntimeClass at admission; not meant to be set by users.",
      }),
    ),
    preemptionPolicy: Type.Optional(
      Type.String({
        protobuf: 31,
        goPointer: true,
        description:
          'Whether the pod may preempt lower-priority pods to get scheduled: `PreemptLowerPriority` (default) or `Never`.',
      }),
    ),
    priority: Type.Optional(
      Type.Integer({
        protobuf: 25,
        goPointer: true,
        format: 'int32',
        description:
          "The pod's scheduling priority; higher values are scheduled first and may preempt lower ones. Filled in at admission from priorityClassName.",
      }),
    ),
    priorityClassName: Type.Optional(
      Type.String({
        protobuf: 24,
        description:
          "Name of the PriorityClass that sets the pod's priority. `system-node-critical` and `system-cluster-critical` are built in.",
      }),
    ),
    readinessGates: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodReadinessGate'), {
        protobuf: 28,
        description:
          'Extra pod conditions that must be True, in addition to all containers being ready, before the pod counts as ready.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    resourceClaims: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodResourceClaim'), {
        protobuf: 39,
        description:
          'Dynamic resources (DRA) the pod needs, each given a name that containers refer to. Cannot be changed.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      }),
    ),
    restartPolicy: Type.Optional(
      Type.String({
        protobuf: 3,
        description: 'When containers are restarted after they exit: `Always` (default), `OnFailure` or `Never`.',
      }),
    ),
    runtimeClassName: Type.Optional(
      Type.String({
        protobuf: 29,
        goPointer: true,
        description:
          "Name of the RuntimeClass that selects the container runtime handler. Empty uses the node's default runtime.",
      }),
    ),
    schedulerName: Type.Optional(
      Type.String({
        protobuf: 19,
        description: 'Name of the scheduler responsible for the pod. Defaults to `default-scheduler`.',
      }),
    ),
    schedulingGates: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodSchedulingGate'), {
        protobuf: 38,
        description:
          'Gates that keep the pod out of scheduling until every one has been removed. Can only be set at creation and then only removed.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    securityContext: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodSecurityContext', {
        protobuf: 14,
        description: 'Security settings for the whole pod; containers can override some of them.',
      }),
    ),
    serviceAccount: Type.Optional(Type.String({ protobuf: 9, description: 'Deprecated alias of serviceAccountName.' })),
    serviceAccountName: Type.Optional(
      Type.String({
        protobuf: 8,
        description: 'Name of the ServiceAccount whose identity the pod runs as. Defaults to `default`.',
      }),
    ),
    setHostnameAsFQDN: Type.Optional(
      Type.Boolean({
        protobuf: 35,
        goPointer: true,
        description:
          "Set the kernel host name to the pod's fully qualified domain name instead of its short name. Defaults to false.",
      }),
    ),
    shareProcessNamespace: Type.Optional(
      Type.Boolean({
        protobuf: 27,
        goPointer: true,
        description:
          "Put all containers of the pod in one process namespace so they can see and signal each other's processes. Defaults to false.",
      }),
    ),
    subdomain: Type.Optional(
      Type.String({
        protobuf: 17,
        description:
          "Subdomain of the pod's fully qualified host name, `<hostname>.<subdomain>.<namespace>.svc.<cluster-domain>`. Without it the pod has no such domain name.",
      }),
    ),
    terminationGracePeriodSeconds: Type.Optional(
      Type.Integer({
        protobuf: 4,
        goPointer: true,
        format: 'int64',
        description:
          'Seconds the pod gets to shut down after being asked to stop, before its processes are killed. Defaults to 30; 0 means kill at once.',
      }),
    ),
    tolerations: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.Toleration'), {
        protobuf: 22,
        description: 'Taints this pod tolerates, allowing it onto nodes that carry them.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    topologySpreadConstraints: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.TopologySpreadConstraint'), {
        protobuf: 33,
        description: 'Rules for spreading matching pods evenly across topology domains such as zones or nodes.',
        'x-kubernetes-list-map-keys': ['topologyKey', 'whenUnsatisfiable'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'topologyKey',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    volumes: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.Volume'), {
        protobuf: 1,
        description: 'Volumes the containers of the pod can mount.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      }),
    ),
  },
  { description: 'The desired state of a pod: its containers, volumes and how it is scheduled and run.' },
);

export const PodStatus = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodCondition'), {
        protobuf: 2,
        description:
          'Current conditions of the pod, such as `PodScheduled`, `Initialized`, `ContainersReady` and `Ready`.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    containerStatuses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerStatus'), {
        protobuf: 8,
        description: 'One status entry per application container.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    ephemeralContainerStatuses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerStatus'), {
        protobuf: 13,
        description: 'One status entry per ephemeral container.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    hostIP: Type.Optional(
      Type.String({
        protobuf: 5,
        description: 'Primary IP address of the node the pod is assigned to. Empty until the pod is placed.',
      }),
    ),
    hostIPs: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.HostIP'), {
        protobuf: 16,
        description:
          'IP addresses of the node the pod is assigned to, one per address family; the first equals hostIP.',
        'x-kubernetes-list-type': 'atomic',
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    initContainerStatuses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerStatus'), {
        protobuf: 10,
        description: 'One status entry per init container.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    message: Type.Optional(
      Type.String({ protobuf: 3, description: 'A readable explanation of why the pod is in its current state.' }),
    ),
    nominatedNodeName: Type.Optional(
      Type.String({
        protobuf: 11,
        description:
          'Node on which the pod is expected to run after the scheduler has preempted other pods there. Not a guarantee.',
      }),
    ),
    phase: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Where the pod is in its lifecycle: `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.',
      }),
    ),
    podIP: Type.Optional(
      Type.String({ protobuf: 6, description: 'Primary IP address allocated to the pod. Empty until assigned.' }),
    ),
    podIPs: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodIP'), {
        protobuf: 12,
        description: 'IP addresses allocated to the pod, at most one per address family; the first equals podIP.',
        'x-kubernetes-list-map-keys': ['ip'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'ip',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    qosClass: Type.Optional(
      Type.String({
        protobuf: 9,
        description:
          "Quality of service class derived from the containers' resource requests and limits: `Guaranteed`, `Burstable` or `BestEffort`.",
      }),
    ),
    reason: Type.Optional(
      Type.String({ protobuf: 4, description: "A short CamelCase reason for the pod's state, e.g. `Evicted`." }),
    ),
    resize: Type.Optional(
      Type.String({
        protobuf: 14,
        description:
          'State of a requested in-place resource resize: `Proposed`, `InProgress`, `Deferred` or `Infeasible`.',
      }),
    ),
    resourceClaimStatuses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodResourceClaimStatus'), {
        protobuf: 15,
        description: "Names of the ResourceClaims generated for the pod's resourceClaims entries.",
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge,retainKeys',
      }),
    ),
    startTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 7,
        description: 'When the kubelet acknowledged the pod, before any of its images were pulled.',
      }),
    ),
  },
  { description: 'The observed state of a pod. Reported by the system and possibly lagging behind reality.' },
);

export const PodCondition = Type.Object(
  {
    lastProbeTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 3,
        description: 'When the condition was last checked.',
      }),
    ),
    lastTransitionTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 4,
        description: 'When the condition last changed status.',
      }),
    ),
    message: Type.Optional(Type.String({ protobuf: 6, description: 'A readable explanation of the last transition.' })),
    reason: Type.Optional(
      Type.String({ protobuf: 5, description: 'A short CamelCase reason for the last transition.' }),
    ),
    status: Type.String({ protobuf: 2, description: '`True`, `False` or `Unknown`.' }),
    type: Type.String({
      protobuf: 1,
      description:
        'Which condition this is, e.g. `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, or the name of a readiness gate.',
    }),
  },
  { description: "One aspect of a pod's state, such as whether it is ready." },
);

export const PodDNSConfig = Type.Object(
  {
    nameservers: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description: 'IP addresses of DNS servers to use, appended to the generated list without duplicates.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    options: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodDNSConfigOption'), {
        protobuf: 3,
        description: 'Resolver options; an entry replaces a generated option with the same name.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    searches: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 2,
        description: 'DNS search domains, appended to the generated list without duplicates.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'DNS resolver settings for a pod, added to the ones that dnsPolicy produces.' },
);

export const PodDNSConfigOption = Type.Object(
  {
    name: Type.Optional(Type.String({ protobuf: 1, description: 'Option name, e.g. `ndots`.' })),
    value: Type.Optional(
      Type.String({ protobuf: 2, goPointer: true, description: 'Option value, if the option takes one.' }),
    ),
  },
  { description: 'One resolver option, as written to the `options` line of resolv.conf.' },
);

export const HostAlias = Type.Object(
  {
    hostnames: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 2,
        description: 'Host names that resolve to the IP address.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    ip: Type.String({ protobuf: 1, description: 'The IP address of the entry.' }),
  },
  { description: 'An /etc/hosts entry: one IP address and the host names that resolve to it.' },
);

export const PodIP = Type.Object(
  {
    ip: Type.Optional(Type.String({ protobuf: 1, description: 'The IP address.' })),
  },
  { description: 'One IP address assigned to a pod.' },
);

export const HostIP = Type.Object(
  {
    ip: Type.Optional(Type.String({ protobuf: 1, description: 'The IP address.' })),
  },
  { description: 'One IP address of the node a pod runs on.' },
);

export const PodOS = Type.Object(
  {
    name: Type.String({ protobuf: 1, description: 'Operating system name: `linux` or `windows`.' }),
  },
  { description: 'The operating system a pod is meant for.' },
);

export const PodReadinessGate = Type.Object(
  {
    conditionType: Type.String({
      protobuf: 1,
      description: 'Type of a pod condition that must be True for the pod to be ready.',
    }),
  },
  { description: "An extra pod condition the pod's readiness depends on." },
);

export const PodSchedulingGate = Type.Object(
  {
    name: Type.String({
      protobuf: 1,
      description: "Name of the gate. Must be unique among the pod's scheduling gates.",
    }),
  },
  { description: 'A named gate that holds a pod back from scheduling while it is present.' },
);

// PodResourceClaim.source and ClaimSource are served in their Kubernetes 1.30 shape; Kubernetes 1.31 replaced them with
// fields of PodResourceClaim, so their protobuf numbers are 1.30's (source = 2; ClaimSource: 1 and 2).
export const PodResourceClaim = Type.Object(
  {
    name: Type.String({
      protobuf: 1,
      description: 'Name of the entry, unique in the pod, by which containers refer to it.',
    }),
    source: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ClaimSource', { protobuf: 2, description: 'Where the ResourceClaim comes from.' }),
    ),
  },
  {
    description:
      'A named reference from a pod to a ResourceClaim, either an existing one or one generated from a template.',
  },
);

export const ClaimSource = Type.Object(
  {
    resourceClaimName: Type.Optional(
      Type.String({
        protobuf: 1,
        goPointer: true,
        description: "Name of an existing ResourceClaim in the pod's namespace.",
      }),
    ),
    resourceClaimTemplateName: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description:
          'Name of a ResourceClaimTemplate from which a ResourceClaim is created for the pod and deleted with it.',
      }),
    ),
  },
  { description: "Where a pod's ResourceClaim comes from. Exactly one of the fields must be set." },
);

export const PodResourceClaimStatus = Type.Object(
  {
    name: Type.String({ protobuf: 1, description: "Name of the pod's resourceClaims entry this status is for." }),
    resourceClaimName: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description: 'Name of the ResourceClaim generated for the entry. Empty when none was needed.',
      }),
    ),
  },
  { description: "Which ResourceClaim was created for one of a pod's resourceClaims entries." },
);

export const ContainerStatus = Type.Object(
  {
    allocatedResources: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 10,
        description:
          'Resources the node has allocated to the container, which may differ from the spec while an in-place resize is pending.',
      }),
    ),
    containerID: Type.Optional(
      Type.String({ protobuf: 8, description: 'ID of the container in the runtime, as `<runtime>://<id>`.' }),
    ),
    image: Type.String({
      protobuf: 6,
      description: 'Image the container is running, as known to the runtime. May differ from the image in the spec.',
    }),
    imageID: Type.String({ protobuf: 7, description: 'ID or digest of the image the container runs.' }),
    lastState: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ContainerState', {
        protobuf: 3,
        description: "Details of the container's previous termination, if it has been restarted.",
      }),
    ),
    name: Type.String({ protobuf: 1, description: 'Name of the container, matching a container in the spec.' }),
    ready: Type.Boolean({
      protobuf: 4,
      description: 'Whether the container currently passes its readiness probe (true when it has none and is running).',
    }),
    resources: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ResourceRequirements', {
        protobuf: 11,
        description: 'Resource requests and limits the runtime has actually applied to the container.',
      }),
    ),
    restartCount: Type.Integer({
      protobuf: 5,
      format: 'int32',
      description: 'How many times the container has been restarted.',
    }),
    started: Type.Optional(
      Type.Boolean({
        protobuf: 9,
        goPointer: true,
        description: 'Whether the container has started and passed its startup probe, if any.',
      }),
    ),
    state: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ContainerState', {
        protobuf: 2,
        description: "Details of the container's current state.",
      }),
    ),
    volumeMounts: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeMountStatus'), {
        protobuf: 12,
        description: "Observed state of the container's volume mounts.",
        'x-kubernetes-list-map-keys': ['mountPath'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
  },
  { description: 'The observed state of one container in a pod.' },
);

export const ContainerState = Type.Object(
  {
    running: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ContainerStateRunning', {
        protobuf: 2,
        description: 'Details when the container is running.',
      }),
    ),
    terminated: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ContainerStateTerminated', {
        protobuf: 3,
        description: 'Details when the container has exited.',
      }),
    ),
    waiting: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ContainerStateWaiting', {
        protobuf: 1,
        description: 'Details when the container is waiting to start.',
      }),
    ),
  },
  { description: 'The state of a container. At most one of the members is set; none means waiting.' },
);

export const ContainerStateRunning = Type.Object(
  {
    startedAt: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 1,
        description: 'When the container was last (re)started.',
      }),
    ),
  },
  { description: 'A container that is running.' },
);

export const ContainerStateTerminated = Type.Object(
  {
    containerID: Type.Optional(
      Type.String({ protobuf: 7, description: 'ID of the container in the runtime, as `<runtime>://<id>`.' }),
    ),
    exitCode: Type.Integer({ protobuf: 1, format: 'int32', description: "Exit status of the container's last run." }),
    finishedAt: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 6,
        description: 'When the container last exited.',
      }),
    ),
    message: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'A message about the termination, e.g. read from the termination message file.',
      }),
    ),
    reason: Type.Optional(
      Type.String({
        protobuf: 3,
        description: 'A short reason for the termination, e.g. `Completed`, `Error` or `OOMKilled`.',
      }),
    ),
    signal: Type.Optional(
      Type.Integer({ protobuf: 2, format: 'int32', description: 'Signal that killed the container, if any.' }),
    ),
    startedAt: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 5,
        description: 'When the run that ended began.',
      }),
    ),
  },
  { description: 'A container that has exited.' },
);

export const ContainerStateWaiting = Type.Object(
  {
    message: Type.Optional(
      Type.String({ protobuf: 2, description: 'A readable explanation of why the container is waiting.' }),
    ),
    reason: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'A short reason, e.g. `ContainerCreating`, `ImagePullBackOff` or `CrashLoopBackOff`.',
      }),
    ),
  },
  { description: 'A container that is not running yet.' },
);

export const VolumeMountStatus = Type.Object(
  {
    mountPath: Type.String({ protobuf: 2, description: 'Path inside the container where the volume is mounted.' }),
    name: Type.String({ protobuf: 1, description: 'Name of the volume mount, matching one in the container spec.' }),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 3, description: 'Whether the mount is read-only.' })),
    recursiveReadOnly: Type.Optional(
      Type.String({
        protobuf: 4,
        goPointer: true,
        description: 'Whether read-only mode was applied recursively: `Disabled` or `Enabled`.',
      }),
    ),
  },
  { description: 'The observed state of one volume mount of a container.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1PodDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Pod': Pod,
  'io.k8s.api.core.v1.PodList': PodList,
  'io.k8s.api.core.v1.Binding': Binding,
  'io.k8s.api.core.v1.PodTemplateSpec': PodTemplateSpec,
  'io.k8s.api.core.v1.PodSpec': PodSpec,
  'io.k8s.api.core.v1.PodStatus': PodStatus,
  'io.k8s.api.core.v1.PodCondition': PodCondition,
  'io.k8s.api.core.v1.PodDNSConfig': PodDNSConfig,
  'io.k8s.api.core.v1.PodDNSConfigOption': PodDNSConfigOption,
  'io.k8s.api.core.v1.HostAlias': HostAlias,
  'io.k8s.api.core.v1.PodIP': PodIP,
  'io.k8s.api.core.v1.HostIP': HostIP,
  'io.k8s.api.core.v1.PodOS': PodOS,
  'io.k8s.api.core.v1.PodReadinessGate': PodReadinessGate,
  'io.k8s.api.core.v1.PodSchedulingGate': PodSchedulingGate,
  'io.k8s.api.core.v1.PodResourceClaim': PodResourceClaim,
  'io.k8s.api.core.v1.ClaimSource': ClaimSource,
  'io.k8s.api.core.v1.PodResourceClaimStatus': PodResourceClaimStatus,
  'io.k8s.api.core.v1.ContainerStatus': ContainerStatus,
  'io.k8s.api.core.v1.ContainerState': ContainerState,
  'io.k8s.api.core.v1.ContainerStateRunning': ContainerStateRunning,
  'io.k8s.api.core.v1.ContainerStateTerminated': ContainerStateTerminated,
  'io.k8s.api.core.v1.ContainerStateWaiting': ContainerStateWaiting,
  'io.k8s.api.core.v1.VolumeMountStatus': VolumeMountStatus,
};
