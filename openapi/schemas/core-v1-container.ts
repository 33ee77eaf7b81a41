// core/v1 containers: container specs, environment, resources, probes and lifecycle hooks.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const Container = Type.Object(
  {
    args: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 4,
        description:
          "Arguments passed to the entrypoint. Replaces the image's CMD. `$(VAR)` is expanded from the container's environment; `$$(VAR)` yields a literal `$(VAR)`. Not run in a shell.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    command: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 3,
        description:
          "The entrypoint to run, as an argument vector. Replaces the image's ENTRYPOINT. `$(VAR)` is expanded from the container's environment. Not run in a shell. Cannot be changed.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    env: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EnvVar'), {
        protobuf: 7,
        description: 'Environment variables to set in the container. Cannot be changed.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    envFrom: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EnvFromSource'), {
        protobuf: 19,
        description:
          'Sources whose keys are all imported as environment variables. When a key is defined more than once, the last source wins, and entries in env take precedence over all of them. Cannot be changed.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    image: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          'Container image reference, e.g. `nginx:1.27` or `registry.example.com/app@sha256:...`. Controllers may leave it empty in templates that are filled in later.',
      }),
    ),
    imagePullPolicy: Type.Optional(
      Type.String({
        protobuf: 14,
        description:
          'When the kubelet pulls the image: `Always`, `IfNotPresent` or `Never`. Defaults to `Always` for the `:latest` tag or no tag, otherwise `IfNotPresent`. Cannot be changed.',
      }),
    ),
    lifecycle: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Lifecycle', {
        protobuf: 12,
        description: 'Hooks the kubelet runs right after the container starts and right before it is stopped.',
      }),
    ),
    livenessProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', {
        protobuf: 10,
        description:
          "Periodic check of the container's health; the container is restarted when it fails. Cannot be changed.",
      }),
    ),
    name: Type.String({
      protobuf: 1,
      description: 'Name of the container, a DNS label unique within the pod. Cannot be changed.',
    }),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerPort'), {
        protobuf: 6,
        description:
          'Ports the container listens on. Informational: a port not listed can still be reached. Merged by containerPort and protocol. Cannot be changed.',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    readinessProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', {
        protobuf: 11,
        description:
          'Periodic check of whether the container can serve traffic; the pod is taken out of service endpoints while it fails. Cannot be changed.',
      }),
    ),
    resizePolicy: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerResizePolicy'), {
        protobuf: 23,
        description: 'How each resource may be resized in place: with or without restarting the container.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    resources: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ResourceRequirements', {
        protobuf: 8,
        description: 'Compute resources the container requests and its limits.',
      }),
    ),
    restartPolicy: Type.Optional(
      Type.String({
        protobuf: 24,
        goPointer: true,
        description:
          'Only for init containers: `Always` turns the init container into a sidecar that starts before the application containers and keeps running next to them. No other value is allowed.',
      }),
    ),
    securityContext: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecurityContext', {
        protobuf: 15,
        description:
          "Security settings of the container; they override the pod's securityContext where both set a value.",
      }),
    ),
    startupProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', {
        protobuf: 22,
        description:
          'Check that must succeed once before the liveness and readiness probes start; used for slow-starting containers. A failure restarts the container. Cannot be changed.',
      }),
    ),
    stdin: Type.Optional(
      Type.Boolean({
        protobuf: 16,
        description:
          'Keep a standard input buffer open for the container so that clients can attach to it. Defaults to false.',
      }),
    ),
    stdinOnce: Type.Optional(
      Type.Boolean({
        protobuf: 17,
        description:
          'Close standard input after the first attached client disconnects, so that the container sees EOF. Requires stdin. Defaults to false.',
      }),
    ),
    terminationMessagePath: Type.Optional(
      Type.String({
        protobuf: 13,
        description:
          'Path of the file in the container whose content, up to 4096 bytes, becomes the termination message. Defaults to `/dev/termination-log`. Cannot be changed.',
      }),
    ),
    terminationMessagePolicy: Type.Optional(
      Type.String({
        protobuf: 20,
        description:
          'Where the termination message comes from: `File` (default, the terminationMessagePath file) or `FallbackToLogsOnError` (the end of the log when the file is empty and the container failed). Cannot be changed.',
      }),
    ),
    tty: Type.Optional(
      Type.Boolean({
        protobuf: 18,
        description: 'Allocate a TTY for the container; usually used together with stdin. Defaults to false.',
      }),
    ),
    volumeDevices: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeDevice'), {
        protobuf: 21,
        description: 'Raw block volumes exposed to the container as devices.',
        'x-kubernetes-list-map-keys': ['devicePath'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'devicePath',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    volumeMounts: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeMount'), {
        protobuf: 9,
        description: "Volumes of the pod mounted into the container's file system. Cannot be changed.",
        'x-kubernetes-list-map-keys': ['mountPath'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    workingDir: Type.Optional(
      Type.String({
        protobuf: 5,
        description:
          "Working directory of the entrypoint. Defaults to the image's working directory. Cannot be changed.",
      }),
    ),
  },
  {
    description:
      'One container of a pod: the image it runs, how it is started, and its resources, ports, probes and mounts.',
  },
);

export const EphemeralContainer = Type.Object(
  {
    args: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: [1, 4],
        description:
          "Arguments passed to the entrypoint. Replaces the image's CMD. `$(VAR)` is expanded from the container's environment; `$$(VAR)` yields a literal `$(VAR)`. Not run in a shell.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    command: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: [1, 3],
        description:
          "The entrypoint to run, as an argument vector. Replaces the image's ENTRYPOINT. `$(VAR)` is expanded from the container's environment. Not run in a shell. Cannot be changed.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    env: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EnvVar'), {
        protobuf: [1, 7],
        description: 'Environment variables to set in the container. Cannot be changed.',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    envFrom: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EnvFromSource'), {
        protobuf: [1, 19],
        description:
          'Sources whose keys are all imported as environment variables. When a key is defined more than once, the last source wins, and entries in env take precedence over all of them. Cannot be changed.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    image: Type.Optional(
      Type.String({
        protobuf: [1, 2],
        description:
          'Container image reference, e.g. `nginx:1.27` or `registry.example.com/app@sha256:...`. Controllers may leave it empty in templates that are filled in later.',
      }),
    ),
    imagePullPolicy: Type.Optional(
      Type.String({
        protobuf: [1, 14],
        description:
          'When the kubelet pulls the image: `Always`, `IfNotPresent` or `Never`. Defaults to `Always` for the `:latest` tag or no tag, otherwise `IfNotPresent`. Cannot be changed.',
      }),
    ),
    lifecycle: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Lifecycle', {
        protobuf: [1, 12],
        description: 'Not allowed for ephemeral containers.',
      }),
    ),
    livenessProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', { protobuf: [1, 10], description: 'Not allowed for ephemeral containers.' }),
    ),
    name: Type.String({
      protobuf: [1, 1],
      description: 'Name of the ephemeral container, a DNS label unique among all containers of the pod.',
    }),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerPort'), {
        protobuf: [1, 6],
        description: 'Not allowed for ephemeral containers.',
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'containerPort',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    readinessProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', { protobuf: [1, 11], description: 'Not allowed for ephemeral containers.' }),
    ),
    resizePolicy: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ContainerResizePolicy'), {
        protobuf: [1, 23],
        description: 'Not allowed for ephemeral containers.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    resources: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ResourceRequirements', {
        protobuf: [1, 8],
        description: 'Not allowed: ephemeral containers use the resources already allocated to the pod.',
      }),
    ),
    restartPolicy: Type.Optional(
      Type.String({
        protobuf: [1, 24],
        goPointer: true,
        description: 'Not allowed for ephemeral containers: they are never restarted.',
      }),
    ),
    securityContext: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecurityContext', {
        protobuf: [1, 15],
        description: "Security settings of the ephemeral container, applied on top of the pod's.",
      }),
    ),
    startupProbe: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Probe', { protobuf: [1, 22], description: 'Not allowed for ephemeral containers.' }),
    ),
    stdin: Type.Optional(
      Type.Boolean({
        protobuf: [1, 16],
        description:
          'Keep a standard input buffer open for the container so that clients can attach to it. Defaults to false.',
      }),
    ),
    stdinOnce: Type.Optional(
      Type.Boolean({
        protobuf: [1, 17],
        description:
          'Close standard input after the first attached client disconnects, so that the container sees EOF. Requires stdin. Defaults to false.',
      }),
    ),
    targetContainerName: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          "Name of a container of the pod whose namespaces (such as its process namespace) the ephemeral container joins. Empty joins only the pod's shared namespaces. Whether the runtime supports it varies.",
      }),
    ),
    terminationMessagePath: Type.Optional(
      Type.String({
        protobuf: [1, 13],
        description:
          'Path of the file in the container whose content, up to 4096 bytes, becomes the termination message. Defaults to `/dev/termination-log`. Cannot be changed.',
      }),
    ),
    terminationMessagePolicy: Type.Optional(
      Type.String({
        protobuf: [1, 20],
        description:
          'Where the termination message comes from: `File` (default, the terminationMessagePath file) or `FallbackToLogsOnError` (the end of the log when the file is empty and the container failed). Cannot be changed.',
      }),
    ),
    tty: Type.Optional(
      Type.Boolean({
        protobuf: [1, 18],
        description: 'Allocate a TTY for the container; usually used together with stdin. Defaults to false.',
      }),
    ),
    volumeDevices: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeDevice'), {
        protobuf: [1, 21],
        description: 'Raw block volumes exposed to the container as devices.',
        'x-kubernetes-list-map-keys': ['devicePath'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'devicePath',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    volumeMounts: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeMount'), {
        protobuf: [1, 9],
        description:
          'Volumes of the pod mounted into the ephemeral container. Subpath mounts are not allowed. Cannot be changed.',
        'x-kubernetes-list-map-keys': ['mountPath'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'mountPath',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    workingDir: Type.Optional(
      Type.String({
        protobuf: [1, 5],
        description:
          "Working directory of the entrypoint. Defaults to the image's working directory. Cannot be changed.",
      }),
    ),
  },
  {
    description:
      "A temporary container added to a running pod, typically to debug it with tools the pod's image lacks. It has no resource guarantees, is never restarted, and may not use ports, probes or lifecycle hooks.",
  },
);

export const ContainerPort = Type.Object(
  {
    containerPort: Type.Integer({
      protobuf: 3,
      format: 'int32',
      description: "Port number on the pod's IP address, between 1 and 65535.",
    }),
    hostIP: Type.Optional(
      Type.String({ protobuf: 5, description: 'Node IP address to bind hostPort to. Rarely needed.' }),
    ),
    hostPort: Type.Optional(
      Type.Integer({
        protobuf: 2,
        format: 'int32',
        description:
          'Port number to expose on the node and forward to containerPort, between 1 and 65535. With hostNetwork it must equal containerPort. Most pods do not need it.',
      }),
    ),
    name: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          'Name of the port, an IANA service name unique within the pod. Services can refer to the port by this name.',
      }),
    ),
    protocol: Type.Optional(Type.String({ protobuf: 4, description: '`TCP` (default), `UDP` or `SCTP`.' })),
  },
  { description: 'A network port a container listens on.' },
);

export const ContainerResizePolicy = Type.Object(
  {
    resourceName: Type.String({ protobuf: 1, description: 'The resource the policy applies to: `cpu` or `memory`.' }),
    restartPolicy: Type.String({
      protobuf: 2,
      description: '`NotRequired` (resize in place, the default) or `RestartContainer`.',
    }),
  },
  { description: 'Whether changing one resource of a running container requires restarting it.' },
);

export const EnvVar = Type.Object(
  {
    name: Type.String({ protobuf: 1, description: 'Variable name. Must be a C identifier.' }),
    value: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          'Literal value. `$(VAR)` refers to variables defined earlier in the list and to the service variables; unresolved references are left as they are, and `$$(VAR)` yields a literal `$(VAR)`. Defaults to the empty string.',
      }),
    ),
    valueFrom: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.EnvVarSource', {
        protobuf: 3,
        description: 'Where to read the value from, instead of giving it literally. Cannot be combined with value.',
      }),
    ),
  },
  { description: 'One environment variable of a container.' },
);

export const EnvVarSource = Type.Object(
  {
    configMapKeyRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ConfigMapKeySelector', {
        protobuf: 3,
        description: "A key of a ConfigMap in the pod's namespace.",
      }),
    ),
    fieldRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ObjectFieldSelector', {
        protobuf: 1,
        description:
          "A field of the pod: `metadata.name`, `metadata.namespace`, `metadata.uid`, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, `spec.nodeName`, `spec.serviceAccountName`, `status.hostIP`, `status.hostIPs`, `status.podIP` or `status.podIPs`.",
      }),
    ),
    resourceFieldRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ResourceFieldSelector', {
        protobuf: 2,
        description:
          'A resource limit or request of a container: `limits.cpu`, `limits.memory`, `limits.ephemeral-storage`, `requests.cpu`, `requests.memory` or `requests.ephemeral-storage`.',
      }),
    ),
    secretKeyRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecretKeySelector', {
        protobuf: 4,
        description: "A key of a Secret in the pod's namespace.",
      }),
    ),
  },
  { description: "Where an environment variable's value comes from. Exactly one member must be set." },
);

export const EnvFromSource = Type.Object(
  {
    configMapRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ConfigMapEnvSource', { protobuf: 2, description: 'The ConfigMap to import.' }),
    ),
    prefix: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Prefix added to every variable name taken from the source. Must be a C identifier.',
      }),
    ),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecretEnvSource', { protobuf: 3, description: 'The Secret to import.' }),
    ),
  },
  { description: 'A ConfigMap or Secret whose keys are all turned into environment variables.' },
);

export const ConfigMapEnvSource = Type.Object(
  {
    name: Type.Optional(
      Type.String({ protobuf: [1, 1], description: "Name of the ConfigMap in the pod's namespace." }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 2,
        goPointer: true,
        description: 'Start the container even when the ConfigMap does not exist.',
      }),
    ),
  },
  { description: 'Imports the data of a ConfigMap as environment variables, one per key.' },
);

export const SecretEnvSource = Type.Object(
  {
    name: Type.Optional(Type.String({ protobuf: [1, 1], description: "Name of the Secret in the pod's namespace." })),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 2,
        goPointer: true,
        description: 'Start the container even when the Secret does not exist.',
      }),
    ),
  },
  { description: 'Imports the data of a Secret as environment variables, one per key.' },
);

export const ConfigMapKeySelector = Type.Object(
  {
    key: Type.String({ protobuf: 2, description: 'The key to read.' }),
    name: Type.Optional(
      Type.String({ protobuf: [1, 1], description: "Name of the ConfigMap in the pod's namespace." }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 3,
        goPointer: true,
        description: 'Start the container even when the ConfigMap or the key does not exist.',
      }),
    ),
  },
  { description: 'One key of a ConfigMap.', 'x-kubernetes-map-type': 'atomic' },
);

export const SecretKeySelector = Type.Object(
  {
    key: Type.String({ protobuf: 2, description: 'The key to read.' }),
    name: Type.Optional(Type.String({ protobuf: [1, 1], description: "Name of the Secret in the pod's namespace." })),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 3,
        goPointer: true,
        description: 'Start the container even when the Secret or the key does not exist.',
      }),
    ),
  },
  { description: 'One key of a Secret.', 'x-kubernetes-map-type': 'atomic' },
);

export const ObjectFieldSelector = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ protobuf: 1, description: 'API version in which fieldPath is written. Defaults to `v1`.' }),
    ),
    fieldPath: Type.String({ protobuf: 2, description: 'Path of the field to select, e.g. `metadata.name`.' }),
  },
  { description: 'Selects a field of the pod by path.', 'x-kubernetes-map-type': 'atomic' },
);

export const ResourceFieldSelector = Type.Object(
  {
    containerName: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          'Container whose resources are read. Required in volumes; in environment variables it defaults to the current container.',
      }),
    ),
    divisor: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity', {
        protobuf: 3,
        description: 'Unit in which the value is reported, e.g. `1m` to express CPU in millicores. Defaults to 1.',
      }),
    ),
    resource: Type.String({
      protobuf: 2,
      description: 'The resource to read, e.g. `limits.cpu` or `requests.memory`.',
    }),
  },
  { description: 'Selects a resource limit or request of a container.', 'x-kubernetes-map-type': 'atomic' },
);

export const ResourceRequirements = Type.Object(
  {
    claims: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ResourceClaim'), {
        protobuf: 3,
        description:
          "Names of entries in the pod's resourceClaims that this container uses. Only settable at creation.",
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
      }),
    ),
    limits: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 1,
        description: 'The most of each resource the container may use, e.g. `cpu: 500m`, `memory: 256Mi`.',
      }),
    ),
    requests: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 2,
        description:
          'The amount of each resource reserved for the container, used for scheduling. Defaults to the limit when only a limit is given; may not exceed the limit.',
      }),
    ),
  },
  { description: 'Compute resources a container asks for and the most it may use.' },
);

export const ResourceClaim = Type.Object(
  {
    name: Type.String({
      protobuf: 1,
      description: "Name of an entry in the pod's spec.resourceClaims whose resources the container can use.",
    }),
  },
  { description: "Refers to one of the pod's resourceClaims entries by name." },
);

export const Probe = Type.Object(
  {
    exec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ExecAction', {
        protobuf: [1, 1],
        description: 'Run a command in the container; exit status 0 is success.',
      }),
    ),
    failureThreshold: Type.Optional(
      Type.Integer({
        protobuf: 6,
        format: 'int32',
        description: 'Consecutive failures after which the probe counts as failed. Defaults to 3; minimum 1.',
      }),
    ),
    grpc: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.GRPCAction', {
        protobuf: [1, 4],
        description: 'Call the gRPC health checking service on a port of the container.',
      }),
    ),
    httpGet: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.HTTPGetAction', {
        protobuf: [1, 2],
        description: 'Send an HTTP GET request; a status from 200 to 399 is success.',
      }),
    ),
    initialDelaySeconds: Type.Optional(
      Type.Integer({
        protobuf: 2,
        format: 'int32',
        description: 'Seconds to wait after the container starts before the first check.',
      }),
    ),
    periodSeconds: Type.Optional(
      Type.Integer({ protobuf: 4, format: 'int32', description: 'Seconds between checks. Defaults to 10; minimum 1.' }),
    ),
    successThreshold: Type.Optional(
      Type.Integer({
        protobuf: 5,
        format: 'int32',
        description:
          'Consecutive successes after a failure needed to count as succeeded again. Defaults to 1; must be 1 for liveness and startup probes.',
      }),
    ),
    tcpSocket: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.TCPSocketAction', {
        protobuf: [1, 3],
        description: 'Open a TCP connection; success when the connection is accepted.',
      }),
    ),
    terminationGracePeriodSeconds: Type.Optional(
      Type.Integer({
        protobuf: 7,
        goPointer: true,
        format: 'int64',
        description:
          "Grace period for stopping the container after this probe fails, overriding the pod's terminationGracePeriodSeconds. Not allowed for readiness probes.",
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        protobuf: 3,
        format: 'int32',
        description: 'Seconds after which a check times out. Defaults to 1; minimum 1.',
      }),
    ),
  },
  {
    description:
      'A periodic check the kubelet performs on a container: a command, an HTTP request, a TCP connection or a gRPC health check, together with its timing and thresholds. Exactly one handler must be set.',
  },
);

export const ExecAction = Type.Object(
  {
    command: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description:
          "The command and its arguments. It is run directly, not in a shell, in the container's working directory; use e.g. `sh -c` for shell syntax. Exit status 0 counts as success.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Runs a command inside the container.' },
);

export const HTTPGetAction = Type.Object(
  {
    host: Type.Optional(
      Type.String({
        protobuf: 3,
        description: "Host to connect to. Defaults to the pod's IP; to set a virtual host, use a Host header instead.",
      }),
    ),
    httpHeaders: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.HTTPHeader'), {
        protobuf: 5,
        description: 'Extra request headers. Repeated headers are allowed.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    path: Type.Optional(Type.String({ protobuf: 1, description: 'Path to request.' })),
    port: Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
      protobuf: 2,
      description: "Port to connect to, by number or by the container port's name.",
    }),
    scheme: Type.Optional(
      Type.String({ protobuf: 4, description: '`HTTP` (default) or `HTTPS`. Certificates are not verified.' }),
    ),
  },
  { description: 'Sends an HTTP GET request.' },
);

export const HTTPHeader = Type.Object(
  {
    name: Type.String({ protobuf: 1, description: 'Header name. Matched case-insensitively when sent.' }),
    value: Type.String({ protobuf: 2, description: 'Header value.' }),
  },
  { description: 'One HTTP header.' },
);

export const TCPSocketAction = Type.Object(
  {
    host: Type.Optional(Type.String({ protobuf: 2, description: "Host to connect to. Defaults to the pod's IP." })),
    port: Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
      protobuf: 1,
      description: "Port to connect to, by number or by the container port's name.",
    }),
  },
  { description: 'Opens a TCP connection.' },
);

export const GRPCAction = Type.Object(
  {
    port: Type.Integer({
      protobuf: 1,
      format: 'int32',
      description: 'Port number of the gRPC service, between 1 and 65535.',
    }),
    service: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description: 'Service name sent in the health check request. Empty checks the server as a whole.',
      }),
    ),
  },
  { description: 'Calls the standard gRPC health checking service.' },
);

export const SleepAction = Type.Object(
  {
    seconds: Type.Integer({ protobuf: 1, format: 'int64', description: 'How many seconds to sleep.' }),
  },
  { description: 'Waits for a while without doing anything.' },
);

export const Lifecycle = Type.Object(
  {
    postStart: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LifecycleHandler', {
        protobuf: 1,
        description:
          'Runs right after the container is created. If it fails the container is killed and handled per the restart policy. The container does not become running until it finishes.',
      }),
    ),
    preStop: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LifecycleHandler', {
        protobuf: 2,
        description:
          'Runs right before the container is stopped because of an API request or a management event (not when it exits on its own). Counts against the termination grace period.',
      }),
    ),
  },
  {
    description:
      'Actions the kubelet runs at container lifecycle events. The container is held in its current state until the action finishes.',
  },
);

export const LifecycleHandler = Type.Object(
  {
    exec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ExecAction', { protobuf: 1, description: 'Run a command in the container.' }),
    ),
    httpGet: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.HTTPGetAction', { protobuf: 2, description: 'Send an HTTP GET request.' }),
    ),
    sleep: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SleepAction', { protobuf: 4, description: 'Wait for a number of seconds.' }),
    ),
    tcpSocket: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.TCPSocketAction', {
        protobuf: 3,
        description:
          'Deprecated and unsupported: accepted for compatibility, but a hook that uses it fails when it runs. Use another handler.',
      }),
    ),
  },
  { description: 'One lifecycle hook action. Exactly one member must be set.' },
);

export const VolumeMount = Type.Object(
  {
    mountPath: Type.String({
      protobuf: 3,
      description: 'Path inside the container at which the volume is mounted. Must not contain `:`.',
    }),
    mountPropagation: Type.Optional(
      Type.String({
        protobuf: 5,
        goPointer: true,
        description:
          'How mounts propagate between host and container: `None` (default), `HostToContainer` or `Bidirectional` (privileged containers only).',
      }),
    ),
    name: Type.String({ protobuf: 1, description: 'Name of the pod volume to mount.' }),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 2, description: 'Mount the volume read-only. Defaults to false.' }),
    ),
    recursiveReadOnly: Type.Optional(
      Type.String({
        protobuf: 7,
        goPointer: true,
        description:
          'Whether a read-only mount is read-only for submounts too: `Disabled` (default), `IfPossible` or `Enabled`. Only valid with readOnly true and mountPropagation `None`.',
      }),
    ),
    subPath: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'Path within the volume to mount instead of its root. Defaults to the root.',
      }),
    ),
    subPathExpr: Type.Optional(
      Type.String({
        protobuf: 6,
        description:
          "Like subPath, but `$(VAR)` references are expanded from the container's environment. Cannot be combined with subPath.",
      }),
    ),
  },
  { description: "Mounts one of the pod's volumes into a container." },
);

export const VolumeDevice = Type.Object(
  {
    devicePath: Type.String({ protobuf: 2, description: 'Path of the device inside the container.' }),
    name: Type.String({ protobuf: 1, description: "Name of the pod's PersistentVolumeClaim volume to expose." }),
  },
  { description: 'Exposes a raw block volume of the pod to a container as a device.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1ContainerDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Container': Container,
  'io.k8s.api.core.v1.EphemeralContainer': EphemeralContainer,
  'io.k8s.api.core.v1.ContainerPort': ContainerPort,
  'io.k8s.api.core.v1.ContainerResizePolicy': ContainerResizePolicy,
  'io.k8s.api.core.v1.EnvVar': EnvVar,
  'io.k8s.api.core.v1.EnvVarSource': EnvVarSource,
  'io.k8s.api.core.v1.EnvFromSource': EnvFromSource,
  'io.k8s.api.core.v1.ConfigMapEnvSource': ConfigMapEnvSource,
  'io.k8s.api.core.v1.SecretEnvSource': SecretEnvSource,
  'io.k8s.api.core.v1.ConfigMapKeySelector': ConfigMapKeySelector,
  'io.k8s.api.core.v1.SecretKeySelector': SecretKeySelector,
  'io.k8s.api.core.v1.ObjectFieldSelector': ObjectFieldSelector,
  'io.k8s.api.core.v1.ResourceFieldSelector': ResourceFieldSelector,
  'io.k8s.api.core.v1.ResourceRequirements': ResourceRequirements,
  'io.k8s.api.core.v1.ResourceClaim': ResourceClaim,
  'io.k8s.api.core.v1.Probe': Probe,
  'io.k8s.api.core.v1.ExecAction': ExecAction,
  'io.k8s.api.core.v1.HTTPGetAction': HTTPGetAction,
  'io.k8s.api.core.v1.HTTPHeader': HTTPHeader,
  'io.k8s.api.core.v1.TCPSocketAction': TCPSocketAction,
  'io.k8s.api.core.v1.GRPCAction': GRPCAction,
  'io.k8s.api.core.v1.SleepAction': SleepAction,
  'io.k8s.api.core.v1.Lifecycle': Lifecycle,
  'io.k8s.api.core.v1.LifecycleHandler': LifecycleHandler,
  'io.k8s.api.core.v1.VolumeMount': VolumeMount,
  'io.k8s.api.core.v1.VolumeDevice': VolumeDevice,
};
