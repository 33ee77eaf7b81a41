// core/v1 pod volumes: the volume list entry and the generic volume sources.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const Volume = Type.Object(
  {
    awsElasticBlockStore: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource', {
        protobuf: [2, 4],
        description: 'Deprecated: an AWS EBS disk attached to the node. Use a CSI driver instead.',
      }),
    ),
    azureDisk: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.AzureDiskVolumeSource', {
        protobuf: [2, 22],
        description: 'Deprecated: an Azure data disk. Use a CSI driver instead.',
      }),
    ),
    azureFile: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.AzureFileVolumeSource', {
        protobuf: [2, 18],
        description: 'Deprecated: an Azure File share. Use a CSI driver instead.',
      }),
    ),
    cephfs: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.CephFSVolumeSource', { protobuf: [2, 14], description: 'A CephFS file system.' }),
    ),
    cinder: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.CinderVolumeSource', {
        protobuf: [2, 13],
        description: 'Deprecated: an OpenStack Cinder volume. Use a CSI driver instead.',
      }),
    ),
    configMap: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ConfigMapVolumeSource', {
        protobuf: [2, 19],
        description: 'The keys of a ConfigMap, as files.',
      }),
    ),
    csi: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.CSIVolumeSource', {
        protobuf: [2, 28],
        description: 'An ephemeral volume provided by a CSI driver that supports inline volumes.',
      }),
    ),
    downwardAPI: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.DownwardAPIVolumeSource', {
        protobuf: [2, 16],
        description: 'Fields of the pod, as files.',
      }),
    ),
    emptyDir: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.EmptyDirVolumeSource', {
        protobuf: [2, 2],
        description: 'An empty directory created for the pod and deleted with it.',
      }),
    ),
    ephemeral: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.EphemeralVolumeSource', {
        protobuf: [2, 29],
        description:
          'A volume provisioned for this pod through a generated PersistentVolumeClaim, deleted with the pod.',
      }),
    ),
    fc: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.FCVolumeSource', {
        protobuf: [2, 17],
        description: 'A Fibre Channel disk attached to the node.',
      }),
    ),
    flexVolume: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.FlexVolumeSource', {
        protobuf: [2, 12],
        description: 'Deprecated: a volume provided by a FlexVolume driver. Use a CSI driver instead.',
      }),
    ),
    flocker: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.FlockerVolumeSource', {
        protobuf: [2, 15],
        description: 'Deprecated: a Flocker dataset.',
      }),
    ),
    gcePersistentDisk: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.GCEPersistentDiskVolumeSource', {
        protobuf: [2, 3],
        description: 'Deprecated: a GCE persistent disk attached to the node. Use a CSI driver instead.',
      }),
    ),
    gitRepo: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.GitRepoVolumeSource', {
        protobuf: [2, 5],
        description:
          'Deprecated: a directory with a git repository cloned into it. Clone in an init container into an emptyDir instead.',
      }),
    ),
    glusterfs: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.GlusterfsVolumeSource', {
        protobuf: [2, 9],
        description: 'Deprecated: a GlusterFS volume.',
      }),
    ),
    hostPath: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.HostPathVolumeSource', {
        protobuf: [2, 1],
        description: 'A file or directory of the node. Gives access to the host and is usually restricted.',
      }),
    ),
    iscsi: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ISCSIVolumeSource', {
        protobuf: [2, 8],
        description: 'An iSCSI disk attached to the node.',
      }),
    ),
    name: Type.String({
      protobuf: 1,
      description: 'Name of the volume, a DNS label unique within the pod. Volume mounts refer to it.',
    }),
    nfs: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NFSVolumeSource', { protobuf: [2, 7], description: 'An NFS export.' }),
    ),
    persistentVolumeClaim: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource', {
        protobuf: [2, 10],
        description: "A PersistentVolumeClaim in the pod's namespace.",
      }),
    ),
    photonPersistentDisk: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource', {
        protobuf: [2, 23],
        description: 'Deprecated: a Photon Controller persistent disk.',
      }),
    ),
    portworxVolume: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PortworxVolumeSource', {
        protobuf: [2, 24],
        description: 'Deprecated: a Portworx volume. Use a CSI driver instead.',
      }),
    ),
    projected: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ProjectedVolumeSource', {
        protobuf: [2, 26],
        description: 'Several ConfigMaps, Secrets, downward API fields and tokens combined in one directory.',
      }),
    ),
    quobyte: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.QuobyteVolumeSource', {
        protobuf: [2, 21],
        description: 'Deprecated: a Quobyte volume.',
      }),
    ),
    rbd: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.RBDVolumeSource', {
        protobuf: [2, 11],
        description: 'A Ceph RADOS block device attached to the node.',
      }),
    ),
    scaleIO: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ScaleIOVolumeSource', {
        protobuf: [2, 25],
        description: 'Deprecated: a ScaleIO volume.',
      }),
    ),
    secret: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecretVolumeSource', {
        protobuf: [2, 6],
        description: 'The keys of a Secret, as files.',
      }),
    ),
    storageos: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.StorageOSVolumeSource', {
        protobuf: [2, 27],
        description: 'Deprecated: a StorageOS volume.',
      }),
    ),
    vsphereVolume: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource', {
        protobuf: [2, 20],
        description: 'Deprecated: a vSphere virtual disk. Use a CSI driver instead.',
      }),
    ),
  },
  {
    description:
      'A named volume that the containers of a pod can mount. Exactly one volume source must be set besides the name.',
  },
);

export const EmptyDirVolumeSource = Type.Object(
  {
    medium: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          "Storage backing the directory: empty for the node's default storage, or `Memory` for a RAM-backed tmpfs.",
      }),
    ),
    sizeLimit: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity', {
        protobuf: 2,
        description:
          "Most storage the directory may use; exceeding it gets the pod evicted. For `Memory` the limit is also bounded by the pod's memory limits. Unlimited by default.",
      }),
    ),
  },
  { description: 'An empty directory that lives as long as the pod, shared by its containers.' },
);

export const HostPathVolumeSource = Type.Object(
  {
    path: Type.String({ protobuf: 1, description: 'Path on the node. A symbolic link is followed to its target.' }),
    type: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description:
          'What must exist at the path: empty (no check), `DirectoryOrCreate`, `Directory`, `FileOrCreate`, `File`, `Socket`, `CharDevice` or `BlockDevice`.',
      }),
    ),
  },
  { description: 'A file or directory of the node mounted into the pod.' },
);

export const ConfigMapVolumeSource = Type.Object(
  {
    defaultMode: Type.Optional(
      Type.Integer({
        protobuf: 3,
        goPointer: true,
        format: 'int32',
        description:
          'Permission bits of the created files, as an octal value from 0000 to 0777 (or the same in decimal in JSON). Defaults to 0644. Other mode bits may be set by fsGroup.',
      }),
    ),
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.KeyToPath'), {
        protobuf: 2,
        description:
          'Keys to project and the paths to write them to. When given, only these keys appear; a missing key is an error unless optional.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    name: Type.Optional(
      Type.String({ protobuf: [1, 1], description: "Name of the ConfigMap in the pod's namespace." }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        goPointer: true,
        description: 'Allow the ConfigMap or its listed keys to be missing.',
      }),
    ),
  },
  {
    description:
      'Presents the keys of a ConfigMap as files, one file per key named after it unless items maps keys to paths.',
  },
);

export const SecretVolumeSource = Type.Object(
  {
    defaultMode: Type.Optional(
      Type.Integer({
        protobuf: 3,
        goPointer: true,
        format: 'int32',
        description:
          'Permission bits of the created files, as an octal value from 0000 to 0777 (or the same in decimal in JSON). Defaults to 0644. Other mode bits may be set by fsGroup.',
      }),
    ),
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.KeyToPath'), {
        protobuf: 2,
        description:
          'Keys to project and the paths to write them to. When given, only these keys appear; a missing key is an error unless optional.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    optional: Type.Optional(
      Type.Boolean({ protobuf: 4, goPointer: true, description: 'Allow the Secret or its listed keys to be missing.' }),
    ),
    secretName: Type.Optional(Type.String({ protobuf: 1, description: "Name of the Secret in the pod's namespace." })),
  },
  {
    description:
      'Presents the keys of a Secret as files, one file per key named after it unless items maps keys to paths.',
  },
);

export const KeyToPath = Type.Object(
  {
    key: Type.String({ protobuf: 1, description: 'The key to project.' }),
    mode: Type.Optional(
      Type.Integer({
        protobuf: 3,
        goPointer: true,
        format: 'int32',
        description: "Permission bits of this file, from 0000 to 0777, overriding the volume's defaultMode.",
      }),
    ),
    path: Type.String({
      protobuf: 2,
      description: 'Relative path of the file. Must not be absolute, contain `..` or start with `..`.',
    }),
  },
  { description: 'Writes one key of a ConfigMap or Secret to a file path.' },
);

export const DownwardAPIVolumeSource = Type.Object(
  {
    defaultMode: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int32',
        description: 'Permission bits of the created files, from 0000 to 0777. Defaults to 0644.',
      }),
    ),
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.DownwardAPIVolumeFile'), {
        protobuf: 1,
        description: "The files to create and where each one's content comes from.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Presents fields of the pod and resource values of its containers as files.' },
);

export const DownwardAPIVolumeFile = Type.Object(
  {
    fieldRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ObjectFieldSelector', {
        protobuf: 2,
        description:
          'Pod field to write: `metadata.name`, `metadata.namespace`, `metadata.labels`, `metadata.annotations` or `metadata.uid`, among others.',
      }),
    ),
    mode: Type.Optional(
      Type.Integer({
        protobuf: 4,
        goPointer: true,
        format: 'int32',
        description: "Permission bits of this file, from 0000 to 0777, overriding the volume's defaultMode.",
      }),
    ),
    path: Type.String({ protobuf: 1, description: 'Relative path of the file. Must not be absolute or contain `..`.' }),
    resourceFieldRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ResourceFieldSelector', {
        protobuf: 3,
        description: 'Container resource value to write, e.g. `limits.cpu` or `requests.memory`.',
      }),
    ),
  },
  { description: 'One file of a downward API volume. Exactly one of fieldRef and resourceFieldRef must be set.' },
);

export const ProjectedVolumeSource = Type.Object(
  {
    defaultMode: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int32',
        description: 'Permission bits of the created files, from 0000 to 0777. Defaults to 0644.',
      }),
    ),
    sources: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.VolumeProjection'), {
        protobuf: 1,
        description: 'The sources to combine.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Combines several sources into one directory.' },
);

export const VolumeProjection = Type.Object(
  {
    clusterTrustBundle: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ClusterTrustBundleProjection', {
        protobuf: 5,
        description: 'Certificates from ClusterTrustBundle objects, written to one PEM file.',
      }),
    ),
    configMap: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ConfigMapProjection', { protobuf: 3, description: 'Keys of a ConfigMap.' }),
    ),
    downwardAPI: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.DownwardAPIProjection', { protobuf: 2, description: 'Fields of the pod.' }),
    ),
    secret: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SecretProjection', { protobuf: 1, description: 'Keys of a Secret.' }),
    ),
    serviceAccountToken: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ServiceAccountTokenProjection', {
        protobuf: 4,
        description: "A token of the pod's service account.",
      }),
    ),
  },
  { description: 'One source of a projected volume. Exactly one member must be set.' },
);

export const ConfigMapProjection = Type.Object(
  {
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.KeyToPath'), {
        protobuf: 2,
        description:
          'Keys to project and the paths to write them to; when absent every key becomes a file named after it.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    name: Type.Optional(
      Type.String({ protobuf: [1, 1], description: "Name of the ConfigMap in the pod's namespace." }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        goPointer: true,
        description: 'Allow the ConfigMap or its listed keys to be missing.',
      }),
    ),
  },
  { description: 'The keys of a ConfigMap projected into a projected volume.' },
);

export const SecretProjection = Type.Object(
  {
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.KeyToPath'), {
        protobuf: 2,
        description:
          'Keys to project and the paths to write them to; when absent every key becomes a file named after it.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    name: Type.Optional(Type.String({ protobuf: [1, 1], description: "Name of the Secret in the pod's namespace." })),
    optional: Type.Optional(
      Type.Boolean({ protobuf: 4, goPointer: true, description: 'Allow the Secret or its listed keys to be missing.' }),
    ),
  },
  { description: 'The keys of a Secret projected into a projected volume.' },
);

export const DownwardAPIProjection = Type.Object(
  {
    items: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.DownwardAPIVolumeFile'), {
        protobuf: 1,
        description: "The files to create and where each one's content comes from.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Pod fields projected into a projected volume.' },
);

export const ServiceAccountTokenProjection = Type.Object(
  {
    audience: Type.Optional(
      Type.String({
        protobuf: 1,
        description: "Intended audience of the token. Defaults to the API server's audience.",
      }),
    ),
    expirationSeconds: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int64',
        description:
          'Requested validity of the token in seconds. At least 600; defaults to one hour. The kubelet renews the token when 80% of the time has passed.',
      }),
    ),
    path: Type.String({ protobuf: 3, description: 'Relative path of the token file.' }),
  },
  {
    description:
      "A token for the pod's service account, written to a file and refreshed by the kubelet before it expires.",
  },
);

export const ClusterTrustBundleProjection = Type.Object(
  {
    labelSelector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 3,
        description:
          "With signerName, selects the bundles to include by label. Absent selects none; empty selects all of the signer's bundles.",
      }),
    ),
    name: Type.Optional(
      Type.String({
        protobuf: 1,
        goPointer: true,
        description: 'Name of a single ClusterTrustBundle to include. Cannot be combined with signerName.',
      }),
    ),
    optional: Type.Optional(
      Type.Boolean({
        protobuf: 5,
        goPointer: true,
        description:
          'Start the pod even when the named bundle does not exist or nothing is selected; the file is then empty.',
      }),
    ),
    path: Type.String({ protobuf: 4, description: 'Relative path of the file to write.' }),
    signerName: Type.Optional(
      Type.String({
        protobuf: 2,
        goPointer: true,
        description: 'Include the bundles of this signer, filtered by labelSelector.',
      }),
    ),
  },
  {
    description:
      'Certificates from ClusterTrustBundle objects, selected by name or by signer and labels, written into one file.',
  },
);

export const PersistentVolumeClaimVolumeSource = Type.Object(
  {
    claimName: Type.String({ protobuf: 1, description: 'Name of the PersistentVolumeClaim.' }),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 2, description: 'Mount the volume read-only. Defaults to false.' }),
    ),
  },
  { description: "Uses a PersistentVolumeClaim in the pod's namespace as a volume." },
);

export const EphemeralVolumeSource = Type.Object(
  {
    volumeClaimTemplate: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PersistentVolumeClaimTemplate', {
        protobuf: 1,
        description: 'Template for the PersistentVolumeClaim to create. Required.',
      }),
    ),
  },
  {
    description:
      'A volume provisioned for one pod. A PersistentVolumeClaim named `<pod>-<volume>` is created from the template, owned by the pod and deleted with it.',
  },
);

export const PersistentVolumeClaimTemplate = Type.Object(
  {
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Labels and annotations copied to the created claim. Other metadata fields are rejected.',
      }),
    ),
    spec: Type.Ref('io.k8s.api.core.v1.PersistentVolumeClaimSpec', {
      protobuf: 2,
      description: 'Spec of the created claim, copied unchanged.',
    }),
  },
  { description: 'Template from which a PersistentVolumeClaim is created for an ephemeral volume.' },
);

export const PersistentVolumeClaimSpec = Type.Object(
  {
    accessModes: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description:
          'How the volume may be mounted: `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany` or `ReadWriteOncePod`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    dataSource: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.TypedLocalObjectReference', {
        protobuf: 7,
        description:
          'An existing VolumeSnapshot or PersistentVolumeClaim to prefill the volume from. Superseded by dataSourceRef, which is kept in sync with it.',
      }),
    ),
    dataSourceRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.TypedObjectReference', {
        protobuf: 8,
        description:
          "The object to prefill the volume from: a VolumeSnapshot, a PersistentVolumeClaim or a custom populator's object, possibly in another namespace.",
      }),
    ),
    resources: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.VolumeResourceRequirements', {
        protobuf: 2,
        description: 'Minimum (and, if supported, maximum) storage for the volume.',
      }),
    ),
    selector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 4,
        description: 'Label query over existing PersistentVolumes to bind to.',
      }),
    ),
    storageClassName: Type.Optional(
      Type.String({
        protobuf: 5,
        goPointer: true,
        description:
          'Name of the StorageClass to provision from. Empty string disables dynamic provisioning; absent uses the default class.',
      }),
    ),
    volumeAttributesClassName: Type.Optional(
      Type.String({
        protobuf: 9,
        goPointer: true,
        description: 'Name of the VolumeAttributesClass with driver-specific settings (e.g. IOPS) for the volume.',
      }),
    ),
    volumeMode: Type.Optional(
      Type.String({ protobuf: 6, goPointer: true, description: '`Filesystem` (default) or `Block`.' }),
    ),
    volumeName: Type.Optional(Type.String({ protobuf: 3, description: 'Name of the PersistentVolume to bind to.' })),
  },
  { description: 'The storage a claim asks for: size, access modes, class and, optionally, a data source.' },
);

export const VolumeResourceRequirements = Type.Object(
  {
    limits: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 1,
        description: 'Most storage the volume may have, if the provisioner supports a maximum.',
      }),
    ),
    requests: Type.Optional(
      Type.Record(Type.String(), Type.Ref('io.k8s.apimachinery.pkg.api.resource.Quantity'), {
        protobuf: 2,
        description: 'Minimum storage the volume must have, e.g. `storage: 10Gi`.',
      }),
    ),
  },
  { description: 'Storage amounts a claim asks for.' },
);

export const TypedLocalObjectReference = Type.Object(
  {
    apiGroup: Type.Optional(
      Type.String({ protobuf: 1, goPointer: true, description: 'API group of the object. Empty for the core group.' }),
    ),
    kind: Type.String({ protobuf: 2, description: 'Kind of the object.' }),
    name: Type.String({ protobuf: 3, description: 'Name of the object.' }),
  },
  {
    description: 'Refers to an object in the same namespace by API group, kind and name.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const TypedObjectReference = Type.Object(
  {
    apiGroup: Type.Optional(
      Type.String({ protobuf: 1, goPointer: true, description: 'API group of the object. Empty for the core group.' }),
    ),
    kind: Type.String({ protobuf: 2, description: 'Kind of the object.' }),
    name: Type.String({ protobuf: 3, description: 'Name of the object.' }),
    namespace: Type.Optional(
      Type.String({
        protobuf: 4,
        goPointer: true,
        description:
          "Namespace of the object, when it is not the referrer's own. Referring across namespaces requires a ReferenceGrant in the target namespace.",
      }),
    ),
  },
  { description: 'Refers to an object by API group, kind, name and optionally namespace.' },
);

export const CSIVolumeSource = Type.Object(
  {
    driver: Type.String({ protobuf: 1, description: 'Name of the CSI driver, as registered in the cluster.' }),
    fsType: Type.Optional(
      Type.String({
        protobuf: 3,
        goPointer: true,
        description: 'File system type to mount, e.g. `ext4`. Empty lets the driver choose.',
      }),
    ),
    nodePublishSecretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 5,
        description: "Secret with sensitive data passed to the driver's publish calls. Empty when not needed.",
      }),
    ),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 2, goPointer: true, description: 'Mount the volume read-only. Defaults to false.' }),
    ),
    volumeAttributes: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 4,
        description: 'Driver-specific settings passed to the driver.',
      }),
    ),
  },
  { description: 'An inline ephemeral volume provided by a CSI driver.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1VolumeDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Volume': Volume,
  'io.k8s.api.core.v1.EmptyDirVolumeSource': EmptyDirVolumeSource,
  'io.k8s.api.core.v1.HostPathVolumeSource': HostPathVolumeSource,
  'io.k8s.api.core.v1.ConfigMapVolumeSource': ConfigMapVolumeSource,
  'io.k8s.api.core.v1.SecretVolumeSource': SecretVolumeSource,
  'io.k8s.api.core.v1.KeyToPath': KeyToPath,
  'io.k8s.api.core.v1.DownwardAPIVolumeSource': DownwardAPIVolumeSource,
  'io.k8s.api.core.v1.DownwardAPIVolumeFile': DownwardAPIVolumeFile,
  'io.k8s.api.core.v1.ProjectedVolumeSource': ProjectedVolumeSource,
  'io.k8s.api.core.v1.VolumeProjection': VolumeProjection,
  'io.k8s.api.core.v1.ConfigMapProjection': ConfigMapProjection,
  'io.k8s.api.core.v1.SecretProjection': SecretProjection,
  'io.k8s.api.core.v1.DownwardAPIProjection': DownwardAPIProjection,
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': ServiceAccountTokenProjection,
  'io.k8s.api.core.v1.ClusterTrustBundleProjection': ClusterTrustBundleProjection,
  'io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource': PersistentVolumeClaimVolumeSource,
  'io.k8s.api.core.v1.EphemeralVolumeSource': EphemeralVolumeSource,
  'io.k8s.api.core.v1.PersistentVolumeClaimTemplate': PersistentVolumeClaimTemplate,
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': PersistentVolumeClaimSpec,
  'io.k8s.api.core.v1.VolumeResourceRequirements': VolumeResourceRequirements,
  'io.k8s.api.core.v1.TypedLocalObjectReference': TypedLocalObjectReference,
  'io.k8s.api.core.v1.TypedObjectReference': TypedObjectReference,
  'io.k8s.api.core.v1.CSIVolumeSource': CSIVolumeSource,
};
