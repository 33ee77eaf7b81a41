// core/v1 Namespace, Event and object references.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

export const Namespace = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Namespace`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NamespaceSpec', {
        protobuf: 2,
        description: 'Settings of the namespace, mainly its finalizers.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NamespaceStatus', {
        protobuf: 3,
        description: "The namespace's observed state: whether it is active or being deleted.",
      }),
    ),
  },
  {
    description:
      'A named scope for objects. Names of namespaced objects are unique within their namespace, and access control and quotas apply per namespace. Cluster-scoped.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Namespace', version: 'v1' }],
  },
);

export const NamespaceList = listOf({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  item: 'io.k8s.api.core.v1.Namespace',
  description: 'A list of namespaces.',
});

export const NamespaceSpec = Type.Object(
  {
    finalizers: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 1,
        description:
          'Cleanup steps, such as `kubernetes`, that must finish before the namespace is removed. Changed through the `finalize` subresource.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Settings of a namespace.' },
);

export const NamespaceStatus = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NamespaceCondition'), {
        protobuf: 2,
        description: "Conditions describing the progress of the namespace's deletion.",
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    phase: Type.Optional(
      Type.String({
        protobuf: 1,
        description: '`Active` or `Terminating` (deletion requested, contents being removed).',
      }),
    ),
  },
  { description: 'The observed state of a namespace.' },
);

export const NamespaceCondition = Type.Object(
  {
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
      description: 'Which condition this is, e.g. `NamespaceDeletionContentFailure` or `NamespaceFinalizersRemaining`.',
    }),
  },
  { description: "One aspect of a namespace's state, mostly about deletion." },
);

export const Event = Type.Object(
  {
    action: Type.Optional(
      Type.String({ protobuf: 12, description: 'What was done or failed, e.g. `Binding` or `Pulling`.' }),
    ),
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    count: Type.Optional(
      Type.Integer({
        protobuf: 8,
        format: 'int32',
        description: 'How many times the event has occurred, when repeats are folded into one object.',
      }),
    ),
    eventTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', {
        protobuf: 10,
        description: 'When the event first occurred, with microsecond precision.',
      }),
    ),
    firstTimestamp: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 6,
        description: 'When the event was first recorded.',
      }),
    ),
    involvedObject: Type.Ref('io.k8s.api.core.v1.ObjectReference', {
      protobuf: 2,
      description: 'The object the event is about.',
    }),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Event`.' })),
    lastTimestamp: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
        protobuf: 7,
        description: 'When the event was most recently recorded.',
      }),
    ),
    message: Type.Optional(Type.String({ protobuf: 4, description: 'A readable description of what happened.' })),
    metadata: Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
      protobuf: 1,
      description: 'Standard object metadata. Required.',
    }),
    reason: Type.Optional(
      Type.String({ protobuf: 3, description: 'A short CamelCase reason, e.g. `Scheduled`, `Pulled` or `BackOff`.' }),
    ),
    related: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ObjectReference', {
        protobuf: 13,
        description: 'A second object involved, if any.',
      }),
    ),
    reportingComponent: Type.Optional(
      Type.String({ protobuf: 14, description: 'Name of the controller that emitted the event, e.g. `kubelet`.' }),
    ),
    reportingInstance: Type.Optional(
      Type.String({
        protobuf: 15,
        description: "ID of the emitting controller's instance, e.g. the node name for a kubelet.",
      }),
    ),
    series: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.EventSeries', {
        protobuf: 11,
        description: 'Data about a series of repeated events, when the event stands for one.',
      }),
    ),
    source: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.EventSource', {
        protobuf: 5,
        description: 'The component and host that reported the event.',
      }),
    ),
    type: Type.Optional(Type.String({ protobuf: 9, description: '`Normal` or `Warning`; new types may be added.' })),
  },
  {
    description:
      'A report of something that happened to an object, such as a pod being scheduled or an image pull failing. Events are kept for a limited time (one hour by default).',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Event', version: 'v1' }],
  },
);

export const EventList = listOf({
  group: '',
  version: 'v1',
  kind: 'Event',
  item: 'io.k8s.api.core.v1.Event',
  description: 'A list of events.',
});

export const EventSeries = Type.Object(
  {
    count: Type.Optional(
      Type.Integer({
        protobuf: 1,
        format: 'int32',
        description: 'How many times the event has occurred so far in this series.',
      }),
    ),
    lastObservedTime: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', {
        protobuf: 2,
        description: 'When the most recent occurrence was seen.',
      }),
    ),
  },
  { description: 'Summary of an event that keeps recurring.' },
);

export const EventSource = Type.Object(
  {
    component: Type.Optional(
      Type.String({ protobuf: 1, description: 'Component that reported the event, e.g. `kubelet`.' }),
    ),
    host: Type.Optional(Type.String({ protobuf: 2, description: 'Node on which the event was reported.' })),
  },
  { description: 'Where an event came from.' },
);

export const ObjectReference = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ protobuf: 5, description: 'API group and version of the object.' })),
    fieldPath: Type.Optional(
      Type.String({
        protobuf: 7,
        description:
          'When the reference is to part of the object, the path of that part, e.g. `spec.containers{web}` for one container of a pod.',
      }),
    ),
    kind: Type.Optional(Type.String({ protobuf: 1, description: 'Kind of the object.' })),
    name: Type.Optional(Type.String({ protobuf: 3, description: 'Name of the object.' })),
    namespace: Type.Optional(Type.String({ protobuf: 2, description: 'Namespace of the object.' })),
    resourceVersion: Type.Optional(
      Type.String({ protobuf: 6, description: 'resourceVersion of the object that was seen, if it matters.' }),
    ),
    uid: Type.Optional(Type.String({ protobuf: 4, description: 'UID of the object.' })),
  },
  {
    description:
      'Identifies an object, optionally a field within it. Enough to find the object again or to tell it apart from a later one with the same name.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const LocalObjectReference = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Name of the object. Should be non-empty; an empty name is accepted for compatibility.',
      }),
    ),
  },
  { description: 'Refers to an object in the same namespace by name.', 'x-kubernetes-map-type': 'atomic' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1OtherDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Namespace': Namespace,
  'io.k8s.api.core.v1.NamespaceList': NamespaceList,
  'io.k8s.api.core.v1.NamespaceSpec': NamespaceSpec,
  'io.k8s.api.core.v1.NamespaceStatus': NamespaceStatus,
  'io.k8s.api.core.v1.NamespaceCondition': NamespaceCondition,
  'io.k8s.api.core.v1.Event': Event,
  'io.k8s.api.core.v1.EventList': EventList,
  'io.k8s.api.core.v1.EventSeries': EventSeries,
  'io.k8s.api.core.v1.EventSource': EventSource,
  'io.k8s.api.core.v1.ObjectReference': ObjectReference,
  'io.k8s.api.core.v1.LocalObjectReference': LocalObjectReference,
};
