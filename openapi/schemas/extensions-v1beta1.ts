// extensions/v1beta1 DaemonSet, in its Kubernetes 1.15 shape (the last release that served it).
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';
import { daemonSetConditionFields, daemonSetStatusCounters } from './apps-v1.js';

export const DaemonSet = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `extensions/v1beta1`." }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `DaemonSet`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description:
          'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.extensions.v1beta1.DaemonSetSpec', {
        protobuf: 2,
        description: 'The pod to run and how updates are rolled out.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.extensions.v1beta1.DaemonSetStatus', {
        protobuf: 3,
        description: 'The most recently observed state of the daemon set. Read-only for clients.',
      }),
    ),
  },
  {
    description:
      'Legacy form of a daemon set, served as extensions/v1beta1 up to Kubernetes 1.15: runs one copy of a pod on every eligible node. Use apps/v1 instead.',
    'x-kubernetes-group-version-kind': [{ group: 'extensions', kind: 'DaemonSet', version: 'v1beta1' }],
  },
);

export const DaemonSetList = listOf({
  group: 'extensions',
  version: 'v1beta1',
  kind: 'DaemonSet',
  item: 'io.k8s.api.extensions.v1beta1.DaemonSet',
  description: 'A list of daemon sets, in the legacy extensions/v1beta1 form.',
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
    selector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 1,
        description:
          "Selects the pods the daemon set manages. Defaults to the template's labels when absent; must match them when given.",
      }),
    ),
    template: Type.Ref('io.k8s.api.core.v1.PodTemplateSpec', {
      protobuf: 2,
      description: 'The pod to run on each eligible node. Its restartPolicy must be `Always`.',
    }),
    templateGeneration: Type.Optional(
      Type.Integer({
        protobuf: 5,
        format: 'int64',
        description:
          'Deprecated: a counter of template changes, kept in sync by the server and stamped on pods as a label. Read-only.',
      }),
    ),
    updateStrategy: Type.Optional(
      Type.Ref('io.k8s.api.extensions.v1beta1.DaemonSetUpdateStrategy', {
        protobuf: 3,
        description:
          'How existing pods are replaced when the template changes. Defaults to `OnDelete` in this version.',
      }),
    ),
  },
  { description: 'The desired state of a daemon set (extensions/v1beta1).' },
);

export const DaemonSetStatus = Type.Object(
  {
    ...daemonSetStatusCounters,
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.extensions.v1beta1.DaemonSetCondition'), {
        protobuf: 10,
        description: 'Current conditions of the daemon set.',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
  },
  { description: 'The observed state of a daemon set (extensions/v1beta1).' },
);

export const DaemonSetCondition = Type.Object(
  {
    ...daemonSetConditionFields,
  },
  { description: "One aspect of a daemon set's state (extensions/v1beta1)." },
);

export const DaemonSetUpdateStrategy = Type.Object(
  {
    rollingUpdate: Type.Optional(
      Type.Ref('io.k8s.api.extensions.v1beta1.RollingUpdateDaemonSet', {
        protobuf: 2,
        description: 'Settings for the `RollingUpdate` strategy.',
      }),
    ),
    type: Type.Optional(
      Type.String({
        protobuf: 1,
        description:
          '`OnDelete` (default in this version: create a new pod only after the old one is deleted) or `RollingUpdate` (replace pods node by node).',
      }),
    ),
  },
  { description: 'How a daemon set replaces its pods when the template changes (extensions/v1beta1).' },
);

export const RollingUpdateDaemonSet = Type.Object(
  {
    maxUnavailable: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
        protobuf: 1,
        description:
          'How many nodes, as a number or a percentage of desiredNumberScheduled (rounded up), may be without an available pod during the update. Defaults to 1; cannot be 0.',
      }),
    ),
  },
  { description: 'Limits for a rolling update of a daemon set (extensions/v1beta1).' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const extensionsV1beta1Definitions: Record<string, TSchema> = {
  'io.k8s.api.extensions.v1beta1.DaemonSet': DaemonSet,
  'io.k8s.api.extensions.v1beta1.DaemonSetList': DaemonSetList,
  'io.k8s.api.extensions.v1beta1.DaemonSetSpec': DaemonSetSpec,
  'io.k8s.api.extensions.v1beta1.DaemonSetStatus': DaemonSetStatus,
  'io.k8s.api.extensions.v1beta1.DaemonSetCondition': DaemonSetCondition,
  'io.k8s.api.extensions.v1beta1.DaemonSetUpdateStrategy': DaemonSetUpdateStrategy,
  'io.k8s.api.extensions.v1beta1.RollingUpdateDaemonSet': RollingUpdateDaemonSet,
};
