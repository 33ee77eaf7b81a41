// core/v1 security settings of pods and containers.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const PodSecurityContext = Type.Object(
  {
    appArmorProfile: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.AppArmorProfile', {
        protobuf: 11,
        description: "AppArmor profile for the pod's containers. Linux only.",
      }),
    ),
    fsGroup: Type.Optional(
      Type.Integer({
        protobuf: 5,
        goPointer: true,
        format: 'int64',
        description:
          'A supplementary group added to all containers. Volumes that support it are made owned by this group, with the setgid bit set and group read/write permission. Linux only.',
      }),
    ),
    fsGroupChangePolicy: Type.Optional(
      Type.String({
        protobuf: 9,
        goPointer: true,
        description:
          'When volume ownership and permissions are changed to match fsGroup: `Always` (default, on every mount) or `OnRootMismatch` (only when the volume root does not match already). Linux only.',
      }),
    ),
    runAsGroup: Type.Optional(
      Type.Integer({
        protobuf: 6,
        goPointer: true,
        format: 'int64',
        description: "Primary group ID of the container processes. Defaults to the runtime's default. Linux only.",
      }),
    ),
    runAsNonRoot: Type.Optional(
      Type.Boolean({
        protobuf: 3,
        goPointer: true,
        description:
          'Require containers to run as a non-root user; the kubelet refuses to start a container whose user would be root (UID 0).',
      }),
    ),
    runAsUser: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int64',
        description: 'User ID of the container processes. Defaults to the user in the image. Linux only.',
      }),
    ),
    seLinuxOptions: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SELinuxOptions', {
        protobuf: 1,
        description:
          'SELinux context for all containers. Defaults to a random context chosen by the runtime. Linux only.',
      }),
    ),
    seccompProfile: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SeccompProfile', {
        protobuf: 10,
        description: "Seccomp profile for the pod's containers. Linux only.",
      }),
    ),
    supplementalGroups: Type.Optional(
      Type.Array(Type.Integer({ format: 'int64' }), {
        protobuf: 4,
        description:
          'Extra group IDs given to the first process of each container, on top of its primary group and fsGroup. Linux only.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    sysctls: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.Sysctl'), {
        protobuf: 7,
        description:
          'Namespaced kernel parameters set for the pod. Unsupported ones make the pod fail to start. Linux only.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    windowsOptions: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.WindowsSecurityContextOptions', {
        protobuf: 8,
        description: 'Windows-specific settings for all containers. Windows only.',
      }),
    ),
  },
  {
    description:
      "Security settings that apply to all containers of a pod, and pod-level settings such as the volume group. A container's own securityContext overrides the shared fields.",
  },
);

export const SecurityContext = Type.Object(
  {
    allowPrivilegeEscalation: Type.Optional(
      Type.Boolean({
        protobuf: 7,
        goPointer: true,
        description:
          'Whether a process may gain more privileges than its parent (the no_new_privs flag). Always true when the container is privileged or has CAP_SYS_ADMIN. Linux only.',
      }),
    ),
    appArmorProfile: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.AppArmorProfile', {
        protobuf: 12,
        description: "AppArmor profile for the container, overriding the pod's. Linux only.",
      }),
    ),
    capabilities: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.Capabilities', {
        protobuf: 1,
        description: "Linux capabilities to add to or drop from the runtime's default set. Linux only.",
      }),
    ),
    privileged: Type.Optional(
      Type.Boolean({
        protobuf: 2,
        goPointer: true,
        description:
          'Run the container in privileged mode, equivalent to root on the host. Defaults to false. Linux only.',
      }),
    ),
    procMount: Type.Optional(
      Type.String({
        protobuf: 9,
        goPointer: true,
        description: 'How /proc is mounted: `Default` (masked and read-only paths as usual) or `Unmasked`. Linux only.',
      }),
    ),
    readOnlyRootFilesystem: Type.Optional(
      Type.Boolean({
        protobuf: 6,
        goPointer: true,
        description: "Mount the container's root file system read-only. Defaults to false. Linux only.",
      }),
    ),
    runAsGroup: Type.Optional(
      Type.Integer({
        protobuf: 8,
        goPointer: true,
        format: 'int64',
        description: 'Primary group ID of the container process. Linux only.',
      }),
    ),
    runAsNonRoot: Type.Optional(
      Type.Boolean({
        protobuf: 5,
        goPointer: true,
        description: 'Require the container to run as a non-root user; the kubelet refuses to start it as UID 0.',
      }),
    ),
    runAsUser: Type.Optional(
      Type.Integer({
        protobuf: 4,
        goPointer: true,
        format: 'int64',
        description: 'User ID of the container process. Defaults to the user in the image. Linux only.',
      }),
    ),
    seLinuxOptions: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SELinuxOptions', {
        protobuf: 3,
        description: 'SELinux context of the container. Linux only.',
      }),
    ),
    seccompProfile: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SeccompProfile', {
        protobuf: 11,
        description: "Seccomp profile of the container, overriding the pod's. Linux only.",
      }),
    ),
    windowsOptions: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.WindowsSecurityContextOptions', {
        protobuf: 10,
        description: 'Windows-specific settings of the container. Windows only.',
      }),
    ),
  },
  {
    description:
      "Security settings of one container. Where the pod's securityContext sets the same field, the container's value wins.",
  },
);

export const Capabilities = Type.Object(
  {
    add: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description: 'Capabilities to add, e.g. `NET_ADMIN`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    drop: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 2,
        description: 'Capabilities to remove, e.g. `ALL`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: "Linux capabilities to change for a container's processes." },
);

export const SELinuxOptions = Type.Object(
  {
    level: Type.Optional(
      Type.String({ protobuf: 4, description: 'SELinux level (MLS/MCS range), e.g. `s0:c123,c456`.' }),
    ),
    role: Type.Optional(Type.String({ protobuf: 2, description: 'SELinux role.' })),
    type: Type.Optional(Type.String({ protobuf: 3, description: 'SELinux type, e.g. `container_t`.' })),
    user: Type.Optional(Type.String({ protobuf: 1, description: 'SELinux user.' })),
  },
  { description: 'An SELinux security label.' },
);

export const SeccompProfile = Type.Object(
  {
    localhostProfile: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description:
          "Path of a profile file on the node, relative to the kubelet's seccomp directory. Required when type is `Localhost` and not allowed otherwise.",
      }),
    ),
    type: Type.String({
      protobuf: 1,
      description:
        "`RuntimeDefault` (the runtime's default profile), `Unconfined` (no restriction) or `Localhost` (a file on the node).",
    }),
  },
  {
    description: "Which seccomp profile restricts a container's system calls.",
    'x-kubernetes-unions': [
      { discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } },
    ],
  },
);

export const AppArmorProfile = Type.Object(
  {
    localhostProfile: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description:
          'Name of a profile loaded on the node. Required when type is `Localhost` and not allowed otherwise.',
      }),
    ),
    type: Type.String({
      protobuf: 1,
      description:
        "`RuntimeDefault` (the runtime's default profile), `Unconfined` (no confinement) or `Localhost` (a profile loaded on the node).",
    }),
  },
  {
    description: 'Which AppArmor profile confines a container.',
    'x-kubernetes-unions': [
      { discriminator: 'type', 'fields-to-discriminateBy': { localhostProfile: 'LocalhostProfile' } },
    ],
  },
);

export const WindowsSecurityContextOptions = Type.Object(
  {
    gmsaCredentialSpec: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description:
          'Content of the GMSA credential spec named by gmsaCredentialSpecName, filled in by the GMSA admission webhook.',
      }),
    ),
    gmsaCredentialSpecName: Type.Optional(
      Type.String({ protobuf: 1, goPointer: true, description: 'Name of the GMSA credential spec to use.' }),
    ),
    hostProcess: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        goPointer: true,
        description:
          'Run the container as a host process with access to the node. All containers of a pod must agree, and hostNetwork must be true.',
      }),
    ),
    runAsUserName: Type.Optional(
      Type.String({
        protobuf: 3,
        goPointer: true,
        description: 'Windows user name the entrypoint runs as. Defaults to the user in the image.',
      }),
    ),
  },
  { description: 'Security settings specific to Windows containers.' },
);

export const Sysctl = Type.Object(
  {
    name: Type.String({ protobuf: 1, description: 'Name of the parameter, e.g. `net.ipv4.ip_local_port_range`.' }),
    value: Type.String({ protobuf: 2, description: 'Value to set.' }),
  },
  { description: 'A kernel parameter to set.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1SecurityDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.PodSecurityContext': PodSecurityContext,
  'io.k8s.api.core.v1.SecurityContext': SecurityContext,
  'io.k8s.api.core.v1.Capabilities': Capabilities,
  'io.k8s.api.core.v1.SELinuxOptions': SELinuxOptions,
  'io.k8s.api.core.v1.SeccompProfile': SeccompProfile,
  'io.k8s.api.core.v1.AppArmorProfile': AppArmorProfile,
  'io.k8s.api.core.v1.WindowsSecurityContextOptions': WindowsSecurityContextOptions,
  'io.k8s.api.core.v1.Sysctl': Sysctl,
};
