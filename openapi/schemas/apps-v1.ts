// apps/v1 DaemonSet and ControllerRevision.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

/** DaemonSetStatus counters, the same in apps/v1 and extensions/v1beta1, protobuf field numbers included. */
export const daemonSetStatusCounters = {
  collisionCount: Type.Optional(
    Type.Integer({
      protobuf: 9,
      goPointer: true,
      format: 'int32',
      description:
        'Counts hash collisions of the revision names; used to make the name of the next ControllerRevision unique.',
    }),
  ),
  currentNumberScheduled: Type.Integer({
    protobuf: 1,
    format: 'int32',
    description: 'Number of nodes running at least one pod of the daemon set that should run it.',
  }),
  desiredNumberScheduled: Type.Integer({
    protobuf: 3,
    format: 'int32',
    description: 'Number of nodes that should run the pod, including those already running it.',
  }),
  numberAvailable: Type.Optional(
    Type.Integer({
      protobuf: 7,
      format: 'int32',
      description:
        'Number of nodes that should run the pod and have at least one of its pods ready for minReadySeconds.',
    }),
  ),
  numberMisscheduled: Type.Integer({
    protobuf: 2,
    format: 'int32',
    description: 'Number of nodes running the pod that should not run it.',
  }),
  numberReady: Type.Integer({
    protobuf: 4,
    format: 'int32',
    description: 'Number of nodes that should run the pod and have at least one of its pods ready.',
  }),
  numberUnavailable: Type.Optional(
    Type.Integer({
      protobuf: 8,
      format: 'int32',
      description: 'Number of nodes that should run the pod but have no available pod of it.',
    }),
  ),
  observedGeneration: Type.Optional(
    Type.Integer({
      protobuf: 5,
      format: 'int64',
      description: 'The metadata.generation of the daemon set that this status reflects.',
    }),
  ),
  updatedNumberScheduled: Type.Optional(
    Type.Integer({
      protobuf: 6,
      format: 'int32',
      description: 'Number of nodes running a pod from the current template.',
    }),
  ),
};

/** DaemonSetCondition fields, the same in apps/v1 and extensions/v1beta1, protobuf field numbers included. */
export const daemonSetConditionFields = {
  lastTransitionTime: Type.Optional(
    Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
      protobuf: 3,
      description: 'When the condition last changed status.',
    }),
  ),
  message: Type.Optional(Type.String({ protobuf: 5, description: 'A readable explanation of the last transition.' })),
  reason: Type.Optional(Type.String({ protobuf: 4, description: 'A short CamelCase reason for the last transition.' })),
  status: Type.String({ protobuf: 2, description: '`True`, `False` or `Unknown`.' }),
  type: Type.String({ protobuf: 1, description: 'Which condition this is.' }),
};

export const DaemonSet = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `apps/v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `DaemonSet`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.apps.v1.DaemonSetSpec', {
        protobuf: 2,
        description: 'The pod to run and how updates are rolled out.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.apps.v1.DaemonSetStatus', {
        protobuf: 3,
        description: 'The most recently observed state of the daemon set. Read-only for clients.',
      }),
    ),
  },
  {
    description:
      'Runs one copy of a pod on every node, or every node that matches a selector, and keeps it so as nodes join and leave. Used for node agents such as log collectors and network plugins.',
    'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'DaemonSet', version: 'v1' }],
  },
);

export const DaemonSetList = listOf({
  group: 'apps',
  version: 'v1',
  kind: 'DaemonSet',
  item: 'io.k8s.api.apps.v1.DaemonSet',
  description: 'A list of daemon sets.',
});

export const DaemonSetSpec = Type.Object(
  {
    minReadySeconds: Type.Optional(
      Type.Integer({
        protobuf: 4,
        format: 'int32',
        description:
          'Seconds a new pod must be ready, with no container crashing, before it counts as available. Defaults to 0.',
      }),
    ),
    revisionHistoryLimit: Type.Optional(
      Type.Integer({
        protobuf: 6,
        goPointer: true,
        format: 'int32',
        description: 'How many old ControllerRevisions to keep for rollbacks. Defaults to 10.',
      }),
    ),
    selector: Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
      protobuf: 1,
      description: "Selects the pods the daemon set manages. Must match the template's labels. Cannot be changed.",
    }),
    template: Type.Ref('io.k8s.api.core.v1.PodTemplateSpec', {
      protobuf: 2,
      description: 'The pod to run on each eligible node. Its restartPolicy must be `Always`.',
    }),
    updateStrategy: Type.Optional(
      Type.Ref('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', {
        protobuf: 3,
        description: 'How existing pods are replaced when the template changes.',
      }),
    ),
  },
  { description: 'The desired state of a daemon set.' },
);

export const DaemonSetStatus = Type.Object(
  {
    ...daemonSetStatusCounters,
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.apps.v1.DaemonSetCondition'), {
        protobuf: 10,
        description: 'Current conditions of the daemon set.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
  },
  { description: 'The observed state of a daemon set.' },
);

export const DaemonSetCondition = Type.Object(
  {
    ...daemonSetConditionFields,
  },
  { description: "One aspect of a daemon set's state." },
);

export const DaemonSetUpdateStrategy = Type.Object(
  {
    rollingUpdate: Type.Optional(
      Type.Ref('io.k8s.api.apps.v1.RollingUpdateDaemonSet', {
        protobuf: 2,
        description: 'Settings for the `RollingUpdate` strategy.',
      }),
    ),
    type: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          '`RollingUpdate` (default: replace pods node by node) or `OnDelete` (create a new pod only after the old one is deleted by someone else).',
      }),
    ),
  },
  { description: 'How a daemon set replaces its pods when the template changes.' },
);

export const RollingUpdateDaemonSet = Type.Object(
  {
    maxSurge: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
        protobuf: 2,
        description:
          'How many nodes, as a number or a percentage of desiredNumberScheduled (rounded up), may run a new pod next to the old one during the update. Defaults to 0; cannot be 0 when maxUnavailable is 0.',
      }),
    ),
    maxUnavailable: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
        protobuf: 1,
        description:
          'How many nodes, as a number or a percentage of desiredNumberScheduled (rounded up), may be without an available pod during the update. Defaults to 1; cannot be 0 when maxSurge is 0.',
      }),
    ),
  },
  { description: 'Limits for a rolling update of a daemon set.' },
);

export const ControllerRevision = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `apps/v1`." })),
    data: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.runtime.RawExtension', {
        protobuf: 2,
        description: 'The recorded state, usually a patch containing the pod template.',
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `ControllerRevision`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    revision: Type.Integer({
      protobuf: 3,
      format: 'int64',
      description: 'The revision number, increasing with each change.',
    }),
  },
  {
    description:
      "An immutable snapshot of a controller's state at one revision, such as a daemon set's pod template. Controllers use these to roll back and to track which pods belong to which revision.",
    'x-kubernetes-group-version-kind': [{ group: 'apps', kind: 'ControllerRevision', version: 'v1' }],
  },
);

export const ControllerRevisionList = listOf({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  item: 'io.k8s.api.apps.v1.ControllerRevision',
  description: 'A list of controller revisions.',
});

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const appsV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.apps.v1.DaemonSet': DaemonSet,
  'io.k8s.api.apps.v1.DaemonSetList': DaemonSetList,
  'io.k8s.api.apps.v1.DaemonSetSpec': DaemonSetSpec,
  'io.k8s.api.apps.v1.DaemonSetStatus': DaemonSetStatus,
  'io.k8s.api.apps.v1.DaemonSetCondition': DaemonSetCondition,
  'io.k8s.api.apps.v1.DaemonSetUpdateStrategy': DaemonSetUpdateStrategy,
  'io.k8s.api.apps.v1.RollingUpdateDaemonSet': RollingUpdateDaemonSet,
  'io.k8s.api.apps.v1.ControllerRevision': ControllerRevision,
  'io.k8s.api.apps.v1.ControllerRevisionList': ControllerRevisionList,
};
