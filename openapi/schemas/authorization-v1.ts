// authorization.k8s.io/v1 SelfSubjectAccessReview and SelfSubjectRulesReview: questions a client asks about its own
// permissions, answered in the response and never stored.
// Structure follows the Kubernetes API in its 1.30 shape (protobuf field numbers from its generated.proto); the
// descriptions are this project's own.
import Type, { type TSchema } from 'typebox';

const objectMeta = (protobuf: number) =>
  Type.Optional(
    Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
      protobuf,
      description: 'Standard object metadata; a review has no name and is not stored, so it stays empty.',
    }),
  );

const stringList = (protobuf: number, description: string) =>
  Type.Array(Type.String(), { protobuf, description, 'x-kubernetes-list-type': 'atomic' });

export const SelfSubjectAccessReview = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `authorization.k8s.io/v1`." }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `SelfSubjectAccessReview`.' })),
    metadata: objectMeta(1),
    spec: Type.Ref('io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec', {
      protobuf: 2,
      description: 'The action asked about, on a resource or on a non-resource path.',
    }),
    status: Type.Optional(
      Type.Ref('io.k8s.api.authorization.v1.SubjectAccessReviewStatus', {
        protobuf: 3,
        description: 'The answer, written by the server.',
      }),
    ),
  },
  {
    description:
      'Asks whether the caller may perform one action (`kubectl auth can-i`). An empty namespace means every namespace. Create-only; the answer comes back in the response.',
    'x-kubernetes-group-version-kind': [
      { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview', version: 'v1' },
    ],
  },
);

export const SelfSubjectAccessReviewSpec = Type.Object(
  {
    nonResourceAttributes: Type.Optional(
      Type.Ref('io.k8s.api.authorization.v1.NonResourceAttributes', {
        protobuf: 2,
        description: 'The action, when it concerns a URL path outside the resource API (e.g. `/healthz`).',
      }),
    ),
    resourceAttributes: Type.Optional(
      Type.Ref('io.k8s.api.authorization.v1.ResourceAttributes', {
        protobuf: 1,
        description: 'The action, when it concerns an API resource.',
      }),
    ),
  },
  { description: 'The action of a self access review: exactly one of resourceAttributes and nonResourceAttributes.' },
);

export const ResourceAttributes = Type.Object(
  {
    group: Type.Optional(
      Type.String({ protobuf: 3, description: 'API group of the resource: empty for the core group, `*` for any.' }),
    ),
    name: Type.Optional(Type.String({ protobuf: 7, description: 'Name of one object; empty for all of them.' })),
    namespace: Type.Optional(
      Type.String({
        protobuf: 1,
        description: 'Namespace of the action; empty for cluster-scoped resources or for all namespaces.',
      }),
    ),
    resource: Type.Optional(
      Type.String({ protobuf: 5, description: 'Resource (plural name, e.g. `pods`), `*` for any.' }),
    ),
    subresource: Type.Optional(
      Type.String({ protobuf: 6, description: 'Subresource such as `status` or `log`; empty for none.' }),
    ),
    verb: Type.Optional(
      Type.String({
        protobuf: 2,
        description: 'API verb: get, list, watch, create, update, patch, delete, deletecollection..., `*` for any.',
      }),
    ),
    version: Type.Optional(Type.String({ protobuf: 4, description: 'API version of the resource, `*` for any.' })),
  },
  { description: 'An action on API resources, as an authorizer sees a resource request.' },
);

export const NonResourceAttributes = Type.Object(
  {
    path: Type.Optional(Type.String({ protobuf: 1, description: 'URL path of the request, e.g. `/version`.' })),
    verb: Type.Optional(
      Type.String({ protobuf: 2, description: 'HTTP verb in lower case: get, post, put, delete...' }),
    ),
  },
  { description: 'An action on a URL path outside the resource API, as an authorizer sees it.' },
);

export const SubjectAccessReviewStatus = Type.Object(
  {
    allowed: Type.Boolean({ protobuf: 1, description: 'Whether the action is permitted.' }),
    denied: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        description:
          'Whether an authorizer refused the action outright. Both false means no authorizer had an opinion.',
      }),
    ),
    evaluationError: Type.Optional(
      Type.String({ protobuf: 3, description: 'An error met while deciding; the decision may still hold.' }),
    ),
    reason: Type.Optional(
      Type.String({ protobuf: 2, description: 'Why the action is permitted or refused, when an authorizer says.' }),
    ),
  },
  { description: 'The answer to an access review.' },
);

export const SelfSubjectRulesReview = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `authorization.k8s.io/v1`." }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `SelfSubjectRulesReview`.' })),
    metadata: objectMeta(1),
    spec: Type.Ref('io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec', {
      protobuf: 2,
      description: 'The namespace whose rules are listed.',
    }),
    status: Type.Optional(
      Type.Ref('io.k8s.api.authorization.v1.SubjectRulesReviewStatus', {
        protobuf: 3,
        description: 'The rules, written by the server.',
      }),
    ),
  },
  {
    description:
      'Lists what the caller may do in a namespace (`kubectl auth can-i --list`). Meant for showing or hiding actions in user interfaces, not for making authorization decisions. Create-only.',
    'x-kubernetes-group-version-kind': [
      { group: 'authorization.k8s.io', kind: 'SelfSubjectRulesReview', version: 'v1' },
    ],
  },
);

export const SelfSubjectRulesReviewSpec = Type.Object(
  {
    namespace: Type.Optional(
      Type.String({ protobuf: 1, description: 'The namespace to list the rules of; required.' }),
    ),
  },
  { description: 'What a rules review asks about.' },
);

export const SubjectRulesReviewStatus = Type.Object(
  {
    evaluationError: Type.Optional(
      Type.String({
        protobuf: 4,
        description: 'An error met while listing the rules; the lists may then be incomplete.',
      }),
    ),
    incomplete: Type.Boolean({
      protobuf: 3,
      description: 'True when an authorizer could not enumerate its rules, so more may be permitted than listed.',
    }),
    nonResourceRules: Type.Array(Type.Ref('io.k8s.api.authorization.v1.NonResourceRule'), {
      protobuf: 2,
      description: 'Permitted actions on URL paths outside the resource API. Unordered; may repeat.',
      'x-kubernetes-list-type': 'atomic',
    }),
    resourceRules: Type.Array(Type.Ref('io.k8s.api.authorization.v1.ResourceRule'), {
      protobuf: 1,
      description: 'Permitted actions on API resources. Unordered; may repeat.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description:
      'The answer to a rules review. Rules only add permissions, so every listed rule holds even when incomplete.',
  },
);

export const ResourceRule = Type.Object(
  {
    apiGroups: Type.Optional(stringList(2, 'API groups the rule covers, `*` for all.')),
    resourceNames: Type.Optional(stringList(4, 'Object names the rule is limited to; empty for all objects.')),
    resources: Type.Optional(
      stringList(3, 'Resources the rule covers, `*` for all; `*/status` names a subresource of every resource.'),
    ),
    verbs: stringList(1, 'Permitted API verbs, `*` for all.'),
  },
  { description: 'Actions permitted on API resources.' },
);

export const NonResourceRule = Type.Object(
  {
    nonResourceURLs: Type.Optional(
      stringList(2, 'URL paths the rule covers; a trailing `*` matches every path below, `*` alone matches all.'),
    ),
    verbs: stringList(1, 'Permitted HTTP verbs in lower case, `*` for all.'),
  },
  { description: 'Actions permitted on URL paths outside the resource API.' },
);

export const authorizationV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.authorization.v1.NonResourceAttributes': NonResourceAttributes,
  'io.k8s.api.authorization.v1.NonResourceRule': NonResourceRule,
  'io.k8s.api.authorization.v1.ResourceAttributes': ResourceAttributes,
  'io.k8s.api.authorization.v1.ResourceRule': ResourceRule,
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview': SelfSubjectAccessReview,
  'io.k8s.api.authorization.v1.SelfSubjectAccessReviewSpec': SelfSubjectAccessReviewSpec,
  'io.k8s.api.authorization.v1.SelfSubjectRulesReview': SelfSubjectRulesReview,
  'io.k8s.api.authorization.v1.SelfSubjectRulesReviewSpec': SelfSubjectRulesReviewSpec,
  'io.k8s.api.authorization.v1.SubjectAccessReviewStatus': SubjectAccessReviewStatus,
  'io.k8s.api.authorization.v1.SubjectRulesReviewStatus': SubjectRulesReviewStatus,
};
