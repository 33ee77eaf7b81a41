// core/v1 scheduling constraints: affinity, tolerations and topology spread.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

export const Affinity = Type.Object(
  {
    nodeAffinity: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeAffinity', {
        protobuf: 1,
        description: 'Rules about which nodes the pod should run on, based on node labels.',
      }),
    ),
    podAffinity: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodAffinity', {
        protobuf: 2,
        description: 'Rules for placing the pod near other pods, e.g. in the same zone.',
      }),
    ),
    podAntiAffinity: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.PodAntiAffinity', {
        protobuf: 3,
        description: 'Rules for keeping the pod away from other pods, e.g. not on the same node.',
      }),
    ),
  },
  { description: 'Scheduling rules relating a pod to nodes and to other pods.' },
);

export const NodeAffinity = Type.Object(
  {
    preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PreferredSchedulingTerm'), {
        protobuf: 2,
        description:
          'Preferences the scheduler tries to honour: nodes matching more heavily weighted terms score higher. Not re-evaluated after scheduling.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.NodeSelector', {
        protobuf: 1,
        description:
          'Conditions a node must meet for the pod to be scheduled there. Not re-evaluated after scheduling: a node that later stops matching keeps its pods.',
      }),
    ),
  },
  { description: 'Constraints and preferences on the labels of the node a pod is scheduled to.' },
);

export const NodeSelector = Type.Object(
  {
    nodeSelectorTerms: Type.Array(Type.Ref('io.k8s.api.core.v1.NodeSelectorTerm'), {
      protobuf: 1,
      description: 'The terms, ORed together.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  { description: 'A node matches when it matches at least one of the terms.', 'x-kubernetes-map-type': 'atomic' },
);

export const NodeSelectorTerm = Type.Object(
  {
    matchExpressions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NodeSelectorRequirement'), {
        protobuf: 1,
        description: "Conditions on the node's labels.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    matchFields: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.NodeSelectorRequirement'), {
        protobuf: 2,
        description: "Conditions on the node's fields; only `metadata.name` is supported.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  {
    description: 'Conditions on a node, all of which must hold. An empty term matches no node.',
    'x-kubernetes-map-type': 'atomic',
  },
);

export const NodeSelectorRequirement = Type.Object(
  {
    key: Type.String({ protobuf: 1, description: 'The label key or field path the condition is about.' }),
    operator: Type.String({
      protobuf: 2,
      description: 'How the value is compared: `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`.',
    }),
    values: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 3,
        description:
          'Values to compare against. Non-empty for `In` and `NotIn`, empty for `Exists` and `DoesNotExist`, and a single integer for `Gt` and `Lt`.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'One condition on a node label or field.' },
);

export const PreferredSchedulingTerm = Type.Object(
  {
    preference: Type.Ref('io.k8s.api.core.v1.NodeSelectorTerm', {
      protobuf: 2,
      description: 'The node conditions that earn the weight.',
    }),
    weight: Type.Integer({
      protobuf: 1,
      format: 'int32',
      description: 'Weight added to the score of a matching node, from 1 to 100.',
    }),
  },
  { description: 'A weighted node preference.' },
);

export const PodAffinity = Type.Object(
  {
    preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.WeightedPodAffinityTerm'), {
        protobuf: 2,
        description:
          'Weighted preferences; domains whose pods match heavier terms score higher. Not re-evaluated after scheduling.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodAffinityTerm'), {
        protobuf: 1,
        description:
          'Terms that must all be met for the pod to be scheduled to a node. Not re-evaluated after scheduling.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Rules for placing a pod in the same topology domain as other pods.' },
);

export const PodAntiAffinity = Type.Object(
  {
    preferredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.WeightedPodAffinityTerm'), {
        protobuf: 2,
        description:
          'Weighted preferences; domains whose pods match heavier terms score lower. Not re-evaluated after scheduling.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    requiredDuringSchedulingIgnoredDuringExecution: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PodAffinityTerm'), {
        protobuf: 1,
        description:
          'Terms that must all be met (that is, no matching pod in the domain) for the pod to be scheduled to a node. Not re-evaluated after scheduling.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Rules for keeping a pod out of the topology domains of other pods.' },
);

export const PodAffinityTerm = Type.Object(
  {
    labelSelector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 1,
        description: 'Selects the pods this term is about. Absent matches no pods.',
      }),
    ),
    matchLabelKeys: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 5,
        description:
          'Label keys whose values are copied from the incoming pod and added to labelSelector as `In` conditions, e.g. to consider only pods of the same revision.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    mismatchLabelKeys: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 6,
        description:
          'Label keys whose values are copied from the incoming pod and added to labelSelector as `NotIn` conditions.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    namespaceSelector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 4,
        description:
          'Selects namespaces whose pods are considered, in addition to those in namespaces. An empty selector means all namespaces.',
      }),
    ),
    namespaces: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 2,
        description:
          "Namespaces whose pods are considered, in addition to those matched by namespaceSelector. With neither set, the pod's own namespace is used.",
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    topologyKey: Type.String({
      protobuf: 3,
      description:
        'Node label key that defines the topology domain, e.g. `kubernetes.io/hostname` or `topology.kubernetes.io/zone`.',
    }),
  },
  {
    description:
      'A set of pods, identified by labels and namespaces, and the topology key that defines "near": nodes with the same value of that label are in the same domain.',
  },
);

export const WeightedPodAffinityTerm = Type.Object(
  {
    podAffinityTerm: Type.Ref('io.k8s.api.core.v1.PodAffinityTerm', { protobuf: 2, description: 'The term.' }),
    weight: Type.Integer({ protobuf: 1, format: 'int32', description: 'Weight of the term, from 1 to 100.' }),
  },
  { description: 'A pod affinity term with a weight.' },
);

export const Toleration = Type.Object(
  {
    effect: Type.Optional(
      Type.String({
        protobuf: 4,
        description:
          'Taint effect to match: `NoSchedule`, `PreferNoSchedule` or `NoExecute`. Empty matches all effects.',
      }),
    ),
    key: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Taint key to match. Empty matches all keys, which requires operator `Exists`.',
      }),
    ),
    operator: Type.Optional(
      Type.String({
        protobuf: 2,
        description: '`Equal` (default, key and value must match) or `Exists` (any value of the key).',
      }),
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        protobuf: 5,
        goPointer: true,
        format: 'int64',
        description:
          'Only for effect `NoExecute`: how long the pod may stay on the node after the taint appears before it is evicted. Absent means forever; zero or less means evict at once.',
      }),
    ),
    value: Type.Optional(
      Type.String({
        protobuf: 3,
        description: 'Taint value to match with operator `Equal`; must be empty with `Exists`.',
      }),
    ),
  },
  { description: 'Allows a pod onto nodes with a matching taint.' },
);

export const TopologySpreadConstraint = Type.Object(
  {
    labelSelector: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', {
        protobuf: 4,
        description: 'Selects the pods that are counted in each domain.',
      }),
    ),
    matchLabelKeys: Type.Optional(
      Type.Array(Type.String(), {
        protobuf: 8,
        description:
          'Label keys whose values are taken from the incoming pod and combined with labelSelector, so that only pods with the same values are counted (e.g. `pod-template-hash`).',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    maxSkew: Type.Integer({
      protobuf: 1,
      format: 'int32',
      description:
        'Largest allowed difference between the number of matching pods in any domain and in the least populated eligible domain. Must be greater than zero.',
    }),
    minDomains: Type.Optional(
      Type.Integer({
        protobuf: 5,
        goPointer: true,
        format: 'int32',
        description:
          'Minimum number of eligible domains. While fewer exist, the global minimum is taken as 0, so the skew check limits how many pods share one domain. Requires whenUnsatisfiable `DoNotSchedule`.',
      }),
    ),
    nodeAffinityPolicy: Type.Optional(
      Type.String({
        protobuf: 6,
        goPointer: true,
        description:
          "Whether the pod's nodeAffinity and nodeSelector limit the domains counted: `Honor` (default) or `Ignore`.",
      }),
    ),
    nodeTaintsPolicy: Type.Optional(
      Type.String({
        protobuf: 7,
        goPointer: true,
        description: 'Whether nodes with taints the pod does not tolerate are counted: `Honor` or `Ignore` (default).',
      }),
    ),
    topologyKey: Type.String({
      protobuf: 2,
      description: 'Node label key that defines the domains, e.g. `topology.kubernetes.io/zone`.',
    }),
    whenUnsatisfiable: Type.String({
      protobuf: 3,
      description:
        'What to do when the constraint cannot be met: `DoNotSchedule` (leave the pod pending) or `ScheduleAnyway` (prefer nodes that reduce the skew).',
    }),
  },
  { description: 'Limits how unevenly matching pods may be spread across the domains of a topology.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1SchedulingDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Affinity': Affinity,
  'io.k8s.api.core.v1.NodeAffinity': NodeAffinity,
  'io.k8s.api.core.v1.NodeSelector': NodeSelector,
  'io.k8s.api.core.v1.NodeSelectorTerm': NodeSelectorTerm,
  'io.k8s.api.core.v1.NodeSelectorRequirement': NodeSelectorRequirement,
  'io.k8s.api.core.v1.PreferredSchedulingTerm': PreferredSchedulingTerm,
  'io.k8s.api.core.v1.PodAffinity': PodAffinity,
  'io.k8s.api.core.v1.PodAntiAffinity': PodAntiAffinity,
  'io.k8s.api.core.v1.PodAffinityTerm': PodAffinityTerm,
  'io.k8s.api.core.v1.WeightedPodAffinityTerm': WeightedPodAffinityTerm,
  'io.k8s.api.core.v1.Toleration': Toleration,
  'io.k8s.api.core.v1.TopologySpreadConstraint': TopologySpreadConstraint,
};
