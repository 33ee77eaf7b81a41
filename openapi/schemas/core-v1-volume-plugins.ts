// core/v1 volume sources backed by specific storage systems (mostly deprecated in-tree plugins).
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const AWSElasticBlockStoreVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type of the disk, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    partition: Type.Optional(
      Type.Integer({
        protobuf: 3,
        format: 'int32',
        description: 'Partition to mount; 0 or absent mounts the whole disk.',
      }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 4, description: 'Mount the disk read-only.' })),
    volumeID: Type.String({ protobuf: 1, description: 'ID of the EBS volume.' }),
  },
  {
    description:
      "An AWS Elastic Block Store disk. It must exist and be in the node's zone, and can be attached read-write to one node at a time.",
  },
);

export const AzureDiskVolumeSource = Type.Object(
  {
    cachingMode: Type.Optional(
      Type.String({
        protobuf: 3,
        goPointer: true,
        description: 'Host caching mode: `None`, `ReadOnly` or `ReadWrite`.',
      }),
    ),
    diskName: Type.String({ protobuf: 1, description: 'Name of the data disk.' }),
    diskURI: Type.String({ protobuf: 2, description: 'URI of the data disk.' }),
    fsType: Type.Optional(
      Type.String({ protobuf: 4, goPointer: true, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    kind: Type.Optional(
      Type.String({
        protobuf: 6,
        goPointer: true,
        description: 'Kind of disk: `Shared`, `Dedicated` or `Managed`. Defaults to `Shared`.',
      }),
    ),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 5, goPointer: true, description: 'Mount the disk read-only. Defaults to false.' }),
    ),
  },
  { description: 'An Azure data disk attached to the node.' },
);

export const AzureFileVolumeSource = Type.Object(
  {
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 3, description: 'Mount the share read-only. Defaults to false.' }),
    ),
    secretName: Type.String({ protobuf: 1, description: 'Secret holding the storage account name and key.' }),
    shareName: Type.String({ protobuf: 2, description: 'Name of the file share.' }),
  },
  { description: 'An Azure File share.' },
);

export const CephFSVolumeSource = Type.Object(
  {
    monitors: Type.Array(Type.String(), {
      protobuf: 1,
      description: 'Addresses of the Ceph monitors.',
      'x-kubernetes-list-type': 'atomic',
    }),
    path: Type.Optional(
      Type.String({ protobuf: 2, description: 'Path within the file system to mount. Defaults to `/`.' }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 6, description: 'Mount read-only. Defaults to false.' })),
    secretFile: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'Path on the node of the keyring file for user. Defaults to `/etc/ceph/user.secret`.',
      }),
    ),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 5,
        description: 'Secret holding the authentication key for user. Overrides secretFile.',
      }),
    ),
    user: Type.Optional(Type.String({ protobuf: 3, description: 'Ceph user name. Defaults to `admin`.' })),
  },
  { description: 'A CephFS file system.' },
);

export const CinderVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 3, description: 'Mount the volume read-only. Defaults to false.' }),
    ),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 4,
        description: 'Secret with the parameters for connecting to OpenStack.',
      }),
    ),
    volumeID: Type.String({ protobuf: 1, description: 'ID of the Cinder volume.' }),
  },
  { description: 'An OpenStack Cinder volume attached to the node.' },
);

export const FCVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 3, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    lun: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int32',
        description: 'Logical unit number of the target.',
      }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 4, description: 'Mount the disk read-only. Defaults to false.' })),
    targetWWNs: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description: 'World wide names of the target ports.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    wwids: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 5,
        description: 'World wide identifiers of the volume. Cannot be combined with targetWWNs and lun.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'A Fibre Channel disk. Identify it by targetWWNs and lun, or by wwids.' },
);

export const FlexVolumeSource = Type.Object(
  {
    driver: Type.String({ protobuf: 1, description: 'Name of the driver.' }),
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type; the default depends on the driver.' }),
    ),
    options: Type.Optional(
      Type.Record(Type.String(), Type.String(), { protobuf: 5, description: 'Driver-specific options.' }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 4, description: 'Mount read-only. Defaults to false.' })),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 3,
        description: 'Secret passed to the driver. Empty when not needed.',
      }),
    ),
  },
  { description: 'A volume handled by a FlexVolume driver executable on the node.' },
);

export const FlockerVolumeSource = Type.Object(
  {
    datasetName: Type.Optional(
      Type.String({ protobuf: 1, description: 'Name of the dataset, kept as metadata by Flocker.' }),
    ),
    datasetUUID: Type.Optional(Type.String({ protobuf: 2, description: 'UUID of the dataset.' })),
  },
  { description: 'A dataset managed by the Flocker control service. Exactly one of the fields must be set.' },
);

export const GCEPersistentDiskVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    partition: Type.Optional(
      Type.Integer({
        protobuf: 3,
        format: 'int32',
        description: 'Partition to mount; 0 or absent mounts the whole disk.',
      }),
    ),
    pdName: Type.String({ protobuf: 1, description: 'Name of the persistent disk in GCE.' }),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 4, description: 'Mount the disk read-only. Defaults to false.' })),
  },
  { description: "A Google Compute Engine persistent disk. It must exist and be in the node's zone." },
);

export const GitRepoVolumeSource = Type.Object(
  {
    directory: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'Directory name to clone into; `.` clones into the volume root. Must not contain `..`. Defaults to a subdirectory named after the repository.',
      }),
    ),
    repository: Type.String({ protobuf: 1, description: 'URL of the repository.' }),
    revision: Type.Optional(Type.String({ protobuf: 2, description: 'Commit to check out.' })),
  },
  { description: 'A directory into which a git repository is cloned when the pod starts.' },
);

export const GlusterfsVolumeSource = Type.Object(
  {
    endpoints: Type.String({ protobuf: 1, description: 'Name of the Endpoints object listing the GlusterFS servers.' }),
    path: Type.String({ protobuf: 2, description: 'Name of the GlusterFS volume.' }),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 3, description: 'Mount read-only. Defaults to false.' })),
  },
  { description: 'A GlusterFS volume.' },
);

export const ISCSIVolumeSource = Type.Object(
  {
    chapAuthDiscovery: Type.Optional(
      Type.Boolean({ protobuf: 8, description: 'Use CHAP authentication for iSCSI discovery.' }),
    ),
    chapAuthSession: Type.Optional(
      Type.Boolean({ protobuf: 11, description: 'Use CHAP authentication for the iSCSI session.' }),
    ),
    fsType: Type.Optional(
      Type.String({ protobuf: 5, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    initiatorName: Type.Optional(
      Type.String({
        protobuf: 12,
        goPointer: true,
        description:
          'Custom initiator name; with iscsiInterface, creates a new interface `<target portal>:<volume name>`.',
      }),
    ),
    iqn: Type.String({ protobuf: 2, description: 'iSCSI qualified name of the target.' }),
    iscsiInterface: Type.Optional(
      Type.String({ protobuf: 4, description: 'iSCSI interface to use. Defaults to `default` (TCP).' }),
    ),
    lun: Type.Integer({ protobuf: 3, format: 'int32', description: 'Logical unit number of the target.' }),
    portals: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 7,
        description: 'Extra target portals, as IP or IP:port (port defaults to 3260).',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 6, description: 'Mount the disk read-only. Defaults to false.' })),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 10,
        description: 'Secret with the CHAP credentials.',
      }),
    ),
    targetPortal: Type.String({ protobuf: 1, description: 'Target portal, as IP or IP:port (port defaults to 3260).' }),
  },
  { description: 'An iSCSI disk.' },
);

export const NFSVolumeSource = Type.Object(
  {
    path: Type.String({ protobuf: 2, description: 'Path of the export.' }),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 3, description: 'Mount the export read-only. Defaults to false.' }),
    ),
    server: Type.String({ protobuf: 1, description: 'Host name or IP address of the NFS server.' }),
  },
  { description: 'An export of an NFS server.' },
);

export const PhotonPersistentDiskVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    pdID: Type.String({ protobuf: 1, description: 'ID of the persistent disk.' }),
  },
  { description: 'A Photon Controller persistent disk.' },
);

export const PortworxVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    readOnly: Type.Optional(
      Type.Boolean({ protobuf: 3, description: 'Mount the volume read-only. Defaults to false.' }),
    ),
    volumeID: Type.String({ protobuf: 1, description: 'ID of the Portworx volume.' }),
  },
  { description: 'A Portworx volume.' },
);

export const QuobyteVolumeSource = Type.Object(
  {
    group: Type.Optional(
      Type.String({ protobuf: 5, description: 'Group the volume is accessed as. Defaults to no group.' }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 3, description: 'Mount read-only. Defaults to false.' })),
    registry: Type.String({
      protobuf: 1,
      description: 'One or more Quobyte registry services, as host:port pairs separated by commas.',
    }),
    tenant: Type.Optional(
      Type.String({
        protobuf: 6,
        description: 'Tenant owning the volume in the backend. Used with dynamically provisioned volumes.',
      }),
    ),
    user: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'User the volume is accessed as. Defaults to the service account user.',
      }),
    ),
    volume: Type.String({ protobuf: 2, description: 'Name of an existing Quobyte volume.' }),
  },
  { description: 'A Quobyte volume.' },
);

export const RBDVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 3, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    image: Type.String({ protobuf: 2, description: 'Name of the RADOS image.' }),
    keyring: Type.Optional(
      Type.String({
        protobuf: 6,
        description: 'Path on the node of the keyring for user. Defaults to `/etc/ceph/keyring`.',
      }),
    ),
    monitors: Type.Array(Type.String(), {
      protobuf: 1,
      description: 'Addresses of the Ceph monitors.',
      'x-kubernetes-list-type': 'atomic',
    }),
    pool: Type.Optional(Type.String({ protobuf: 4, description: 'RADOS pool name. Defaults to `rbd`.' })),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 8, description: 'Mount read-only. Defaults to false.' })),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 7,
        description: 'Secret holding the authentication key for user. Overrides keyring.',
      }),
    ),
    user: Type.Optional(Type.String({ protobuf: 5, description: 'RADOS user name. Defaults to `admin`.' })),
  },
  { description: 'A Ceph RADOS block device.' },
);

export const ScaleIOVolumeSource = Type.Object(
  {
    fsType: Type.Optional(Type.String({ protobuf: 9, description: 'File system type. Defaults to `xfs`.' })),
    gateway: Type.String({ protobuf: 1, description: 'Address of the ScaleIO API gateway.' }),
    protectionDomain: Type.Optional(
      Type.String({ protobuf: 5, description: 'ScaleIO protection domain of the storage.' }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 10, description: 'Mount read-only. Defaults to false.' })),
    secretRef: Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
      protobuf: 3,
      description: "Secret with the ScaleIO user's credentials.",
    }),
    sslEnabled: Type.Optional(
      Type.Boolean({ protobuf: 4, description: 'Use SSL to talk to the gateway. Defaults to false.' }),
    ),
    storageMode: Type.Optional(
      Type.String({ protobuf: 7, description: '`ThinProvisioned` (default) or `ThickProvisioned`.' }),
    ),
    storagePool: Type.Optional(
      Type.String({ protobuf: 6, description: 'ScaleIO storage pool of the protection domain.' }),
    ),
    system: Type.String({ protobuf: 2, description: 'Name of the ScaleIO storage system.' }),
    volumeName: Type.Optional(Type.String({ protobuf: 8, description: 'Name of an existing ScaleIO volume.' })),
  },
  { description: 'A ScaleIO volume.' },
);

export const StorageOSVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 3, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    readOnly: Type.Optional(Type.Boolean({ protobuf: 4, description: 'Mount read-only. Defaults to false.' })),
    secretRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LocalObjectReference', {
        protobuf: 5,
        description: 'Secret with the StorageOS API credentials. Defaults to none.',
      }),
    ),
    volumeName: Type.Optional(
      Type.String({ protobuf: 1, description: 'Name of the StorageOS volume, unique in its namespace.' }),
    ),
    volumeNamespace: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          "StorageOS namespace of the volume. Defaults to the pod's namespace; `default` when StorageOS namespaces are not used.",
      }),
    ),
  },
  { description: 'A StorageOS volume.' },
);

export const VsphereVirtualDiskVolumeSource = Type.Object(
  {
    fsType: Type.Optional(
      Type.String({ protobuf: 2, description: 'File system type, e.g. `ext4`. Defaults to `ext4`.' }),
    ),
    storagePolicyID: Type.Optional(
      Type.String({ protobuf: 4, description: 'ID of the storage policy (SPBM) for the disk.' }),
    ),
    storagePolicyName: Type.Optional(
      Type.String({ protobuf: 3, description: 'Name of the storage policy (SPBM) for the disk.' }),
    ),
    volumePath: Type.String({
      protobuf: 1,
      description: 'Path of the virtual disk, e.g. `[datastore] volumes/disk.vmdk`.',
    }),
  },
  { description: 'A vSphere virtual disk.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1VolumePluginDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource': AWSElasticBlockStoreVolumeSource,
  'io.k8s.api.core.v1.AzureDiskVolumeSource': AzureDiskVolumeSource,
  'io.k8s.api.core.v1.AzureFileVolumeSource': AzureFileVolumeSource,
  'io.k8s.api.core.v1.CephFSVolumeSource': CephFSVolumeSource,
  'io.k8s.api.core.v1.CinderVolumeSource': CinderVolumeSource,
  'io.k8s.api.core.v1.FCVolumeSource': FCVolumeSource,
  'io.k8s.api.core.v1.FlexVolumeSource': FlexVolumeSource,
  'io.k8s.api.core.v1.FlockerVolumeSource': FlockerVolumeSource,
  'io.k8s.api.core.v1.GCEPersistentDiskVolumeSource': GCEPersistentDiskVolumeSource,
  'io.k8s.api.core.v1.GitRepoVolumeSource': GitRepoVolumeSource,
  'io.k8s.api.core.v1.GlusterfsVolumeSource': GlusterfsVolumeSource,
  'io.k8s.api.core.v1.ISCSIVolumeSource': ISCSIVolumeSource,
  'io.k8s.api.core.v1.NFSVolumeSource': NFSVolumeSource,
  'io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource': PhotonPersistentDiskVolumeSource,
  'io.k8s.api.core.v1.PortworxVolumeSource': PortworxVolumeSource,
  'io.k8s.api.core.v1.QuobyteVolumeSource': QuobyteVolumeSource,
  'io.k8s.api.core.v1.RBDVolumeSource': RBDVolumeSource,
  'io.k8s.api.core.v1.ScaleIOVolumeSource': ScaleIOVolumeSource,
  'io.k8s.api.core.v1.StorageOSVolumeSource': StorageOSVolumeSource,
  'io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource': VsphereVirtualDiskVolumeSource,
};
