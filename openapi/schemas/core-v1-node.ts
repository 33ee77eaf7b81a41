// core/v1 Node and its status parts, and taints.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

export const Node = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Node`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeSpec', {
        protobuf: 2,
        description: 'How the node should be treated: its pod network ranges, taints and whether it takes new pods.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeStatus', {
        protobuf: 3,
        description:
          "The node's most recently reported state: capacity, conditions, addresses and system information. Read-only for most clients.",
      }),
    ),
  },
  {
    description:
      'A machine (virtual or physical) on which pods run. Each node is registered by its kubelet, which keeps its status up to date. Cluster-scoped.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Node', version: 'v1' }],
  },
);

export const NodeList = listOf({
  group: '',
  version: 'v1',
  kind: 'Node',
  item: 'io.k8s.api.core.v1.Node',
  description: 'A list of nodes.',
});

export const NodeSpec = Type.Object(
  {
    configSource: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeConfigSource', {
        protobuf: 6,
        description: 'Deprecated and no longer used: formerly named a ConfigMap with kubelet configuration.',
      }),
    ),
    externalID: Type.Optional(Type.String({ protobuf: 2, description: 'Deprecated and not used.' })),
    podCIDR: Type.Optional(Type.String({ protobuf: 1, description: 'IP range assigned to the node for pod IPs.' })),
    podCIDRs: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 7,
        description:
          'IP ranges assigned to the node for pod IPs, at most one per address family; the first equals podCIDR.',
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    providerID: Type.Optional(
      Type.String({ protobuf: 3, description: 'ID of the node at its cloud provider, as `<provider>://<id>`.' }),
    ),
    taints: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.Taint'), {
        protobuf: 5,
        description: 'Taints that repel pods which do not tolerate them.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    unschedulable: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        description: 'Keep new pods off the node. Set by `kubectl cordon`. Defaults to false.',
      }),
    ),
  },
  { description: 'Desired settings of a node.' },
);

export const NodeStatus = Type.Object(
  {
    addresses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NodeAddress'), {
        protobuf: 5,
        description: 'Addresses at which the node is reachable, such as its host name and internal IP.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    allocatable: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 2,
        description:
          'Resources available to pods: capacity minus what is reserved for the system. Defaults to capacity.',
      }),
    ),
    capacity: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 1,
        description: 'Total resources of the node, e.g. `cpu`, `memory`, `pods`.',
      }),
    ),
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NodeCondition'), {
        protobuf: 4,
        description:
          'Current conditions of the node, such as `Ready`, `MemoryPressure`, `DiskPressure` and `PIDPressure`.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    config: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeConfigStatus', {
        protobuf: 11,
        description: 'Status of dynamic kubelet configuration. No longer used.',
      }),
    ),
    daemonEndpoints: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeDaemonEndpoints', {
        protobuf: 6,
        description: "Ports on which the node's daemons listen.",
      }),
    ),
    images: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerImage'), {
        protobuf: 8,
        description: 'Container images present on the node.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    nodeInfo: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeSystemInfo', {
        protobuf: 7,
        description: 'Identity and software versions of the node.',
      }),
    ),
    phase: Type.Optional(Type.String({ protobuf: 3, description: 'Deprecated and no longer set.' })),
    runtimeHandlers: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NodeRuntimeHandler'), {
        protobuf: 12,
        description: 'Runtime handlers available on the node and their features.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    volumesAttached: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.AttachedVolume'), {
        protobuf: 10,
        description: 'Volumes attached to the node.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    volumesInUse: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 9,
        description: 'Attachable volumes in use (mounted) on the node.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'The observed state of a node.' },
);

export const NodeAddress = Type.Object(
  {
    address: Type.String({ protobuf: 2, description: 'The address, an IP address or a DNS name.' }),
    type: Type.String({
      protobuf: 1,
      description: '`Hostname`, `InternalIP`, `ExternalIP`, `InternalDNS` or `ExternalDNS`.',
    }),
  },
  { description: 'One address of a node.' },
);

export const NodeCondition = Type.Object(
  {
    lastHeartbeatTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 3,
        description: 'When the condition was last reported.',
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
        'Which condition this is, e.g. `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure` or `NetworkUnavailable`.',
    }),
  },
  { description: "One aspect of a node's state." },
);

export const NodeConfigSource = Type.Object(
  {
    configMap: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ConfigMapNodeConfigSource', {
        protobuf: 2,
        description: 'A ConfigMap holding the configuration.',
      }),
    ),
  },
  { description: "Deprecated: where a node's kubelet configuration came from." },
);

export const ConfigMapNodeConfigSource = Type.Object(
  {
    kubeletConfigKey: Type.String({
      protobuf: 5,
      description: 'Key of the ConfigMap holding the kubelet configuration.',
    }),
    name: Type.String({ protobuf: 2, description: 'Name of the ConfigMap.' }),
    namespace: Type.String({ protobuf: 1, description: 'Namespace of the ConfigMap.' }),
    resourceVersion: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'resourceVersion of the ConfigMap that was used. Only reported in status.',
      }),
    ),
    uid: Type.Optional(
      Type.String({ protobuf: 3, description: 'UID of the ConfigMap that was used. Only reported in status.' }),
    ),
  },
  { description: "Deprecated: a ConfigMap used as a node's kubelet configuration." },
);

export const NodeConfigStatus = Type.Object(
  {
    active: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeConfigSource', {
        protobuf: 2,
        description: 'The configuration the kubelet is running with.',
      }),
    ),
    assigned: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeConfigSource', {
        protobuf: 1,
        description: 'The configuration the node was asked to use.',
      }),
    ),
    error: Type.Optional(
      Type.String({ protobuf: 4, description: 'A problem the kubelet met while applying the configuration.' }),
    ),
    lastKnownGood: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeConfigSource', {
        protobuf: 3,
        description: 'The configuration the kubelet falls back to when the assigned one fails.',
      }),
    ),
  },
  { description: 'Deprecated: state of dynamic kubelet configuration on a node.' },
);

export const NodeDaemonEndpoints = Type.Object(
  {
    kubeletEndpoint: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.DaemonEndpoint', { protobuf: 1, description: 'The port the kubelet listens on.' }),
    ),
  },
  { description: 'Ports of the daemons running on a node.' },
);

export const DaemonEndpoint = Type.Object(
  {
    Port: Type.Integer({ protobuf: 1, format: 'int32', description: 'The port number.' }),
  },
  { description: 'A port a daemon listens on.' },
);

export const NodeSystemInfo = Type.Object(
  {
    architecture: Type.String({ protobuf: 10, description: 'CPU architecture, e.g. `amd64` or `arm64`.' }),
    bootID: Type.String({ protobuf: 3, description: 'ID that changes every time the node boots.' }),
    containerRuntimeVersion: Type.String({
      protobuf: 6,
      description: 'Container runtime and version, e.g. `containerd://1.7.13`.',
    }),
    kernelVersion: Type.String({ protobuf: 4, description: 'Kernel version, as reported by `uname -r`.' }),
    kubeProxyVersion: Type.String({
      protobuf: 8,
      description: 'Deprecated: version reported for kube-proxy; not reliable.',
    }),
    kubeletVersion: Type.String({ protobuf: 7, description: 'Version of the kubelet.' }),
    machineID: Type.String({ protobuf: 1, description: 'Machine ID of the node, from /etc/machine-id.' }),
    operatingSystem: Type.String({ protobuf: 9, description: 'Operating system, e.g. `linux`.' }),
    osImage: Type.String({
      protobuf: 5,
      description: 'Operating system distribution, e.g. `Debian GNU/Linux 12 (bookworm)`.',
    }),
    systemUUID: Type.String({ protobuf: 2, description: 'Hardware UUID of the node.' }),
  },
  { description: 'Identity and software versions reported by a node.' },
);

export const ContainerImage = Type.Object(
  {
    names: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description: 'Names under which the image is known, e.g. tags and digests.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    sizeBytes: Type.Optional(
      Type.Integer({ protobuf: 2, format: 'int64', description: 'Size of the image in bytes.' }),
    ),
  },
  { description: 'A container image stored on a node.' },
);

export const AttachedVolume = Type.Object(
  {
    devicePath: Type.String({ protobuf: 2, description: 'Path of the device on the node.' }),
    name: Type.String({ protobuf: 1, description: 'Name that identifies the volume attached to the node.' }),
  },
  { description: 'A volume attached to a node.' },
);

export const NodeRuntimeHandler = Type.Object(
  {
    features: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeRuntimeHandlerFeatures', {
        protobuf: 2,
        description: 'Features the handler supports.',
      }),
    ),
    name: Type.Optional(
      Type.String({ protobuf: 1, description: 'Name of the handler; empty for the default handler.' }),
    ),
  },
  { description: 'A container runtime handler available on a node.' },
);

export const NodeRuntimeHandlerFeatures = Type.Object(
  {
    recursiveReadOnlyMounts: Type.Optional(
      Type.Boolean({
        protobuf: 1,
        goPointer: true,
        description: 'Whether the handler supports recursive read-only mounts.',
      }),
    ),
  },
  { description: 'Optional features of a runtime handler.' },
);

export const Taint = Type.Object(
  {
    effect: Type.String({
      protobuf: 3,
      description:
        'What happens to pods that do not tolerate the taint: `NoSchedule`, `PreferNoSchedule` or `NoExecute` (also evicts running pods).',
    }),
    key: Type.String({ protobuf: 1, description: 'Taint key.' }),
    timeAdded: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 4,
        description: 'When the taint was added. Only set for `NoExecute` taints.',
      }),
    ),
    value: Type.Optional(Type.String({ protobuf: 2, description: 'Taint value.' })),
  },
  { description: 'Marks a node so that pods which do not tolerate the taint are kept off it or evicted.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1NodeDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Node': Node,
  'io.k8s.api.core.v1.NodeList': NodeList,
  'io.k8s.api.core.v1.NodeSpec': NodeSpec,
  'io.k8s.api.core.v1.NodeStatus': NodeStatus,
  'io.k8s.api.core.v1.NodeAddress': NodeAddress,
  'io.k8s.api.core.v1.NodeCondition': NodeCondition,
  'io.k8s.api.core.v1.NodeConfigSource': NodeConfigSource,
  'io.k8s.api.core.v1.ConfigMapNodeConfigSource': ConfigMapNodeConfigSource,
  'io.k8s.api.core.v1.NodeConfigStatus': NodeConfigStatus,
  'io.k8s.api.core.v1.NodeDaemonEndpoints': NodeDaemonEndpoints,
  'io.k8s.api.core.v1.DaemonEndpoint': DaemonEndpoint,
  'io.k8s.api.core.v1.NodeSystemInfo': NodeSystemInfo,
  'io.k8s.api.core.v1.ContainerImage': ContainerImage,
  'io.k8s.api.core.v1.AttachedVolume': AttachedVolume,
  'io.k8s.api.core.v1.NodeRuntimeHandler': NodeRuntimeHandler,
  'io.k8s.api.core.v1.NodeRuntimeHandlerFeatures': NodeRuntimeHandlerFeatures,
  'io.k8s.api.core.v1.Taint': Taint,
};
