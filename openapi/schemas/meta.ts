// Shared API machinery: object and list metadata, status, options, discovery, and the scalar types (Time, Quantity, IntOrString).
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const Quantity = Type.Union([Type.String(), Type.Number()], {
  description:
    'An amount of a resource written as a decimal number with an optional unit suffix: binary (Ki, Mi, Gi, Ti, Pi, Ei), decimal SI (m, k, M, G, T, P, E) or an exponent (e.g. 1e3). Examples: `500m` CPU is half a core, `128Mi` memory is 128 × 2^20 bytes. Plain JSON numbers are also accepted.',
});

export const IntOrString = Type.Union([Type.Integer(), Type.String()], {
  description:
    'A value given either as an integer or as a string, for example a port given by number (`8080`) or by name (`http`), or a count given as a number (`1`) or a percentage (`25%`).',
  format: 'int-or-string',
});

export const RawExtension = Type.Object(
  {},
  {
    description:
      'An embedded object of any kind, kept as the JSON it was sent as. It normally carries its own `apiVersion` and `kind`.',
  },
);

export const Time = Type.String({
  format: 'date-time',
  description:
    'A point in time serialized as an RFC 3339 string in UTC with one-second precision, e.g. `2024-05-01T12:00:00Z`.',
});

export const MicroTime = Type.String({
  format: 'date-time',
  description:
    'A point in time serialized as an RFC 3339 string in UTC with microsecond precision, e.g. `2024-05-01T12:00:00.123456Z`.',
});

export const FieldsV1 = Type.Object(
  {},
  {
    description:
      'The set of fields a manager owns, as a JSON tree. Keys are `.` (the field itself), `f:<name>` (a struct or map field), `k:<json>` (a list item identified by its key fields), `v:<json>` (a list item identified by its value) or `i:<index>` (a list item identified by position).',
  },
);

export const Patch = Type.Object(
  {},
  {
    description:
      'The body of a PATCH request. Its format is chosen by the Content-Type header: JSON Patch, JSON merge patch, strategic merge patch or server-side apply.',
  },
);

export const ObjectMeta = Type.Object(
  {
    annotations: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 12,
        description:
          'Free-form key/value strings for tools and people to attach non-identifying information. Unlike labels they cannot be used in selectors.',
      }),
    ),
    creationTimestamp: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 8,
        description:
          'When the server created the object. Set by the server and read-only; absent for objects that were never stored.',
      }),
    ),
    deletionGracePeriodSeconds: Type.Optional(
      Type.Integer({
        protobuf: 10,
        goPointer: true,
        format: 'int64',
        description:
          'Seconds the object is allowed to shut down gracefully after deletion was requested. Set by the server together with deletionTimestamp; read-only.',
      }),
    ),
    deletionTimestamp: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 9,
        description:
          'When deletion was requested and the object will be removed once its finalizers have run. Set by the server; while it is set the object is terminating and may no longer gain finalizers. Read-only.',
      }),
    ),
    finalizers: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 14,
        description:
          'Names of cleanup steps that must finish before the object is removed from storage. Deletion only marks the object (deletionTimestamp) until this list is empty. Entries must be unique and may be handled in any order.',
        'x-kubernetes-list-type': 'set',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    generateName: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          'A prefix from which the server builds a unique name when `name` is empty: the server appends five random characters. Ignored when `name` is set.',
      }),
    ),
    generation: Type.Optional(
      Type.Integer({
        protobuf: 7,
        format: 'int64',
        description:
          'A counter that the server increments each time the desired state (usually the spec) changes. Read-only.',
      }),
    ),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 11,
        description:
          'Identifying key/value strings used to organize objects and to select them with label selectors, e.g. by controllers and services.',
      }),
    ),
    managedFields: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'), {
        protobuf: 17,
        description:
          'Which field manager owns which fields, as recorded for server-side apply and field ownership. Maintained by the server; clients rarely need to read or write it.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    name: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          "The object's name, unique among objects of the same kind in its namespace (or in the cluster for cluster-scoped kinds). Required on create unless generateName is given; cannot be changed afterwards.",
      }),
    ),
    namespace: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'The namespace the object belongs to. Empty for cluster-scoped objects. Defaults to the namespace of the request URL; cannot be changed.',
      }),
    ),
    ownerReferences: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference'), {
        protobuf: 13,
        description:
          'Objects this object depends on. When every owner is gone the garbage collector deletes this object; at most one entry may be marked as the managing controller.',
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    resourceVersion: Type.Optional(
      Type.String({
        protobuf: 6,
        description:
          'An opaque version string that changes on every write. Send it back on updates for optimistic concurrency, and use it as the starting point for watches. Clients must not interpret it.',
      }),
    ),
    selfLink: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'Deprecated and no longer populated. Formerly the URL path of the object.',
      }),
    ),
    uid: Type.Optional(
      Type.String({
        protobuf: 5,
        description:
          "A server-assigned identifier that is unique across the object's whole lifetime; a deleted and recreated object with the same name gets a new one. Read-only.",
      }),
    ),
  },
  {
    description:
      'Metadata that every persisted object carries: its identity (name, namespace, uid), the labels and annotations users attach to it, and bookkeeping that the server maintains (resourceVersion, generation, timestamps, managed fields).',
  },
);

export const ListMeta = Type.Object(
  {
    continue: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'Opaque token to pass as the `continue` query parameter to fetch the next page of results. Empty on the last page. Tokens expire once the underlying data has been compacted.',
      }),
    ),
    remainingItemCount: Type.Optional(
      Type.Integer({
        protobuf: 4,
        goPointer: true,
        format: 'int64',
        description:
          'How many more items exist after this page, when the server knows. Absent when the request used a label or field selector; may be approximate.',
      }),
    ),
    resourceVersion: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          'The version of the collection at the moment it was read. Start a watch from this value to see all later changes.',
      }),
    ),
    selfLink: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Deprecated and no longer populated. Formerly the URL path of the list.',
      }),
    ),
  },
  { description: 'Metadata of a list response: its resourceVersion and the state needed to fetch the next page.' },
);

export const OwnerReference = Type.Object(
  {
    apiVersion: Type.String({ protobuf: 5, description: 'API group and version of the owner, e.g. `apps/v1`.' }),
    blockOwnerDeletion: Type.Optional(
      Type.Boolean({
        protobuf: 7,
        goPointer: true,
        description:
          'When true, and the owner is deleted with foreground propagation, the owner is not removed until this dependent is gone. Setting it requires permission to delete the owner.',
      }),
    ),
    controller: Type.Optional(
      Type.Boolean({
        protobuf: 6,
        goPointer: true,
        description: 'Marks the owner that manages this object. At most one owner reference may set it.',
      }),
    ),
    kind: Type.String({ protobuf: 1, description: 'Kind of the owner, e.g. `DaemonSet`.' }),
    name: Type.String({ protobuf: 3, description: 'Name of the owner.' }),
    uid: Type.String({
      protobuf: 4,
      description: 'UID of the owner. The reference only counts while an object with this exact UID exists.',
    }),
  },
  {
    description:
      'Points to an object that owns this one. Owners must be in the same namespace as the dependent, or be cluster-scoped.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const ManagedFieldsEntry = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'API version in which the fields below are expressed; needed because field names can differ between versions.',
      }),
    ),
    fieldsType: Type.Optional(
      Type.String({ protobuf: 6, description: 'Format of the field set. `FieldsV1` is the only format defined.' }),
    ),
    fieldsV1: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1', {
        protobuf: 7,
        description: 'The fields owned by this manager, in the FieldsV1 format.',
      }),
    ),
    manager: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          "Name of the client or controller that manages these fields, usually taken from the request's fieldManager parameter or user agent.",
      }),
    ),
    operation: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          'How the fields came to be owned: `Apply` (server-side apply) or `Update` (create, update or patch).',
      }),
    ),
    subresource: Type.Optional(
      Type.String({
        protobuf: 8,
        description:
          'Name of the subresource (e.g. `status`) through which the fields were written; empty for the main resource.',
      }),
    ),
    time: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 4,
        description: 'When these fields were last changed by this manager.',
      }),
    ),
  },
  {
    description: "One field manager's claim on a set of fields of the object, with the operation that made the claim.",
  },
);

export const LabelSelector = Type.Object(
  {
    matchExpressions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement'), {
        protobuf: 2,
        description: 'Requirements on labels, all of which must hold.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    matchLabels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 1,
        description:
          'Labels that must be present with exactly these values. Each pair is the same as a matchExpressions entry with operator `In` and a single value.',
      }),
    ),
  },
  {
    description:
      'Selects objects by their labels. Both parts are ANDed together. An empty selector matches everything; an absent selector matches nothing.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const LabelSelectorRequirement = Type.Object(
  {
    key: Type.String({ protobuf: 1, description: 'The label key the condition is about.' }),
    operator: Type.String({
      protobuf: 2,
      description: 'How the label is compared: `In`, `NotIn`, `Exists` or `DoesNotExist`.',
    }),
    values: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 3,
        description:
          'Values to compare against. Must be non-empty for `In` and `NotIn`, and empty for `Exists` and `DoesNotExist`. Replaced as a whole by strategic merge patch.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'One condition on a label: a key, an operator and, depending on the operator, a list of values.' },
);

export const Status = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema: `v1`.' })),
    code: Type.Optional(
      Type.Integer({
        protobuf: 6,
        format: 'int32',
        description: 'The HTTP status code of the response, e.g. 404 or 409. 0 when not set.',
      }),
    ),
    details: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails', {
        protobuf: 5,
        description:
          'More data about the failure, such as the object and fields concerned. Its content depends on `reason`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Status`.' })),
    message: Type.Optional(
      Type.String({ protobuf: 3, description: 'A readable explanation of the outcome, meant for people.' }),
    ),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', {
        protobuf: 1,
        description: 'List-style metadata. Usually empty.',
      }),
    ),
    reason: Type.Optional(
      Type.String({
        protobuf: 4,
        description:
          'A machine-readable, CamelCase explanation of a failure, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`. Empty when no specific reason applies.',
      }),
    ),
    status: Type.Optional(Type.String({ protobuf: 2, description: '`Success` or `Failure`.' })),
  },
  {
    description:
      'The result of an operation that does not return an object, most often the body of an error response. `status` says whether it succeeded; `reason`, `code` and `details` describe a failure.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
);

export const StatusDetails = Type.Object(
  {
    causes: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause'), {
        protobuf: 4,
        description: 'Individual problems that caused the failure, e.g. one entry per invalid field.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    group: Type.Optional(Type.String({ protobuf: 2, description: 'API group of the object concerned, if any.' })),
    kind: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          "Kind of the object concerned, if any. May not match the object's real kind (for example when the failure came from a subresource).",
      }),
    ),
    name: Type.Optional(Type.String({ protobuf: 1, description: 'Name of the object concerned, if any.' })),
    retryAfterSeconds: Type.Optional(
      Type.Integer({
        protobuf: 5,
        format: 'int32',
        description: 'Suggested number of seconds to wait before retrying.',
      }),
    ),
    uid: Type.Optional(Type.String({ protobuf: 6, description: 'UID of the object concerned, if known.' })),
  },
  {
    description:
      'Extra information about a failed operation: which object it concerned and, for validation errors, which fields.',
  },
);

export const StatusCause = Type.Object(
  {
    field: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'Path of the field at fault, in JSON-path-like dotted form with list indices, e.g. `spec.containers[0].image`. May be empty.',
      }),
    ),
    message: Type.Optional(Type.String({ protobuf: 2, description: 'A readable explanation of this cause.' })),
    reason: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'A machine-readable code for this cause, e.g. `FieldValueRequired` or `FieldValueInvalid`.',
      }),
    ),
  },
  { description: 'One cause of a failure, typically a single invalid field.' },
);

export const DeleteOptions = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema, e.g. `v1`.' })),
    dryRun: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 5,
        description:
          'When present, the request is validated and processed but nothing is persisted. The only accepted value is `All`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    gracePeriodSeconds: Type.Optional(
      Type.Integer({
        protobuf: 1,
        goPointer: true,
        format: 'int64',
        description:
          "Seconds the object gets to terminate gracefully before it is removed; 0 means immediately. When unset the kind's default applies.",
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `DeleteOptions`.' })),
    orphanDependents: Type.Optional(
      Type.Boolean({
        protobuf: 3,
        goPointer: true,
        description:
          'Deprecated: use propagationPolicy. When true, dependents are orphaned instead of deleted. Cannot be combined with propagationPolicy.',
      }),
    ),
    preconditions: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions', {
        protobuf: 2,
        description: 'Conditions the object must meet, checked before deletion.',
      }),
    ),
    propagationPolicy: Type.Optional(
      Type.String({
        protobuf: 4,
        goPointer: true,
        description:
          'What happens to dependents: `Orphan` leaves them, `Background` deletes them after the owner, `Foreground` deletes them before the owner is removed. Defaults depend on the kind.',
      }),
    ),
  },
  {
    description: 'Options for a DELETE request, sent as the request body (or as query parameters).',
    'x-kubernetes-group-version-kind': [
      { group: '', kind: 'DeleteOptions', version: 'v1' },
      { group: 'apps', kind: 'DeleteOptions', version: 'v1' },
      { group: 'extensions', kind: 'DeleteOptions', version: 'v1beta1' },
    ],
  },
);

export const Preconditions = Type.Object(
  {
    resourceVersion: Type.Optional(
      Type.String({ protobuf: 2, goPointer: true, description: 'The resourceVersion the object must currently have.' }),
    ),
    uid: Type.Optional(
      Type.String({ protobuf: 1, goPointer: true, description: 'The UID the object must currently have.' }),
    ),
  },
  { description: 'Conditions that must hold for an operation to go ahead; otherwise it fails with a conflict.' },
);

export const WatchEvent = Type.Object(
  {
    object: Type.Ref('io.k8s.apimachinery.pkg.runtime.RawExtension', {
      protobuf: 2,
      description:
        "The object the event is about. For `ADDED`, `MODIFIED` and `DELETED` it is the object's state after the change (for deletions, the last state); for `BOOKMARK` only its resourceVersion is meaningful; for `ERROR` it is a Status.",
    }),
    type: Type.String({
      protobuf: 1,
      description: 'Kind of change: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.',
    }),
  },
  {
    description: 'One change notification in a watch stream.',
    'x-kubernetes-group-version-kind': [
      { group: '', kind: 'WatchEvent', version: 'v1' },
      { group: 'apps', kind: 'WatchEvent', version: 'v1' },
      { group: 'extensions', kind: 'WatchEvent', version: 'v1beta1' },
    ],
  },
);

export const APIVersions = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema: `v1`.' })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `APIVersions`.' })),
    serverAddressByClientCIDRs: Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR'), {
      protobuf: 2,
      description:
        "Server addresses to use depending on the client's network. Clients pick the entry whose CIDR contains their address.",
      'x-kubernetes-list-type': 'atomic',
    }),
    versions: Type.Array(Type.String(), {
      protobuf: 1,
      description: 'The versions available under /api, e.g. `v1`.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description: 'The API versions served under the legacy `/api` path, returned by GET /api.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIVersions', version: 'v1' }],
  },
);

export const APIGroupList = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema: `v1`.' })),
    groups: Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup'), {
      protobuf: 1,
      description: 'The served API groups.',
      'x-kubernetes-list-type': 'atomic',
    }),
    kind: Type.Optional(Type.String({ description: 'Object kind: `APIGroupList`.' })),
  },
  {
    description: 'The API groups served under `/apis`, returned by GET /apis.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIGroupList', version: 'v1' }],
  },
);

export const APIGroup = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema: `v1`.' })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `APIGroup`.' })),
    name: Type.String({ protobuf: 1, description: 'Name of the group, e.g. `apps`.' }),
    preferredVersion: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery', {
        protobuf: 3,
        description: 'The version clients should use when they have no preference.',
      }),
    ),
    serverAddressByClientCIDRs: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR'), {
        protobuf: 4,
        description:
          "Server addresses to use depending on the client's network. Optional; clients that find no match use the address they already talk to.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    versions: Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery'), {
      protobuf: 2,
      description: 'All versions of this group that the server serves.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description: 'One API group with the versions the server offers for it.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIGroup', version: 'v1' }],
  },
);

export const GroupVersionForDiscovery = Type.Object(
  {
    groupVersion: Type.String({ protobuf: 1, description: 'The group and version joined by a slash, e.g. `apps/v1`.' }),
    version: Type.String({
      protobuf: 2,
      description: 'The version alone, e.g. `v1`. Saves clients from splitting groupVersion.',
    }),
  },
  { description: 'A version of an API group, as listed in discovery.' },
);

export const ServerAddressByClientCIDR = Type.Object(
  {
    clientCIDR: Type.String({
      protobuf: 1,
      description: 'The client network, in CIDR notation, this entry applies to.',
    }),
    serverAddress: Type.String({
      protobuf: 2,
      description: 'Address of the server for clients in that network: host name or IP, optionally with a port.',
    }),
  },
  { description: 'Tells clients on a given network which address reaches the server.' },
);

export const APIResourceList = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'API version of this schema: `v1`.' })),
    groupVersion: Type.String({
      protobuf: 1,
      description: 'The group version the resources belong to, e.g. `v1` or `apps/v1`.',
    }),
    kind: Type.Optional(Type.String({ description: 'Object kind: `APIResourceList`.' })),
    resources: Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.APIResource'), {
      protobuf: 2,
      description: 'The resources and subresources in this group version.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description: 'The resources served in one group version, returned by GET /api/v1 or /apis/<group>/<version>.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'APIResourceList', version: 'v1' }],
  },
);

export const APIResource = Type.Object(
  {
    categories: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 7,
        description: 'Groups of resources this one belongs to, used by `kubectl get <category>` (e.g. `all`).',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    group: Type.Optional(
      Type.String({
        protobuf: 8,
        description:
          "Group of the resource's kind when it differs from the containing group version, as for some subresources. Empty otherwise.",
      }),
    ),
    kind: Type.String({
      protobuf: 3,
      description: 'Kind of the objects served, e.g. `Pod`. For subresources, the kind of the subresource object.',
    }),
    name: Type.String({
      protobuf: 1,
      description: 'Plural resource name used in URLs, e.g. `pods`; subresources are written `pods/status`.',
    }),
    namespaced: Type.Boolean({ protobuf: 2, description: 'Whether the resource lives inside namespaces.' }),
    shortNames: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 5,
        description: 'Abbreviations clients accept for the resource, e.g. `po` for pods.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    singularName: Type.String({
      protobuf: 6,
      description: 'Singular lowercase name, e.g. `pod`. kubectl uses it for output and lookup.',
    }),
    storageVersionHash: Type.Optional(
      Type.String({
        protobuf: 10,
        description:
          'Opaque hash of the version in which the server stores this resource; changes when the storage version does. Not meant to be interpreted by clients.',
      }),
    ),
    verbs: Type.Array(Type.String(), {
      protobuf: [4, 1],
      description:
        'Operations the resource supports, from `get`, `list`, `watch`, `create`, `update`, `patch`, `delete` and `deletecollection`.',
    }),
    version: Type.Optional(
      Type.String({
        protobuf: 9,
        description:
          "Version of the resource's kind when it differs from the containing group version. Empty otherwise.",
      }),
    ),
  },
  { description: 'One resource or subresource served in a group version, with what clients may do with it.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const metaDefinitions: Record<string, TSchema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': Quantity,
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': IntOrString,
  'io.k8s.apimachinery.pkg.runtime.RawExtension': RawExtension,
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': Time,
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': MicroTime,
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': FieldsV1,
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': Patch,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': ObjectMeta,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': ListMeta,
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': OwnerReference,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': ManagedFieldsEntry,
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': LabelSelector,
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': LabelSelectorRequirement,
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': Status,
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails': StatusDetails,
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': StatusCause,
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': DeleteOptions,
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': Preconditions,
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': WatchEvent,
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions': APIVersions,
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList': APIGroupList,
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup': APIGroup,
  'io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery': GroupVersionForDiscovery,
  'io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR': ServerAddressByClientCIDR,
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList': APIResourceList,
  'io.k8s.apimachinery.pkg.apis.meta.v1.APIResource': APIResource,
};
