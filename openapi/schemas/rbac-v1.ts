// rbac.authorization.k8s.io/v1: Roles and ClusterRoles (sets of policy rules) and the RoleBindings and
// ClusterRoleBindings that grant them to users, groups and service accounts. The server stores and validates them;
// it does not enforce them (every request is allowed).
// Structure follows the Kubernetes API (protobuf field numbers from k8s.io/api rbac/v1 generated.proto; every scalar
// is a plain Go string, none a pointer); the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

const GROUP = 'rbac.authorization.k8s.io';

const typeMeta = (kind: string) => ({
  apiVersion: Type.Optional(Type.String({ description: `API version of this object's schema: \`${GROUP}/v1\`.` })),
  kind: Type.Optional(Type.String({ description: `Object kind: \`${kind}\`.` })),
});

const objectMeta = (description: string) =>
  Type.Optional(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', { protobuf: 1, description }));

const stringList = (protobuf: number, description: string) =>
  Type.Optional(Type.Array(Type.String(), { protobuf, description, 'x-kubernetes-list-type': 'atomic' }));

const rules = (description: string) =>
  Type.Optional(
    Type.Array(Type.Ref('io.k8s.api.rbac.v1.PolicyRule'), {
      protobuf: 2,
      description,
      'x-kubernetes-list-type': 'atomic',
    }),
  );

const subjects = Type.Optional(
  Type.Array(Type.Ref('io.k8s.api.rbac.v1.Subject'), {
    protobuf: 2,
    description: 'Who is granted the role: users, groups and service accounts.',
    'x-kubernetes-list-type': 'atomic',
  }),
);

export const PolicyRule = Type.Object(
  {
    apiGroups: stringList(
      2,
      'API groups of the resources (`""` is the core group, `*` any group). Used with `resources`.',
    ),
    nonResourceURLs: stringList(
      5,
      'URL paths outside the resource API (`/healthz`, `/metrics`); a trailing `*` matches any suffix. Only in ClusterRoles, and never together with resources.',
    ),
    resourceNames: stringList(4, 'Restricts the rule to these object names; empty means every object.'),
    resources: stringList(3, 'Resources (and `resource/subresource`) the rule covers; `*` covers them all.'),
    verbs: Type.Array(Type.String(), {
      protobuf: 1,
      description:
        'The actions allowed (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`, ...); `*` allows every verb.',
      'x-kubernetes-list-type': 'atomic',
    }),
  },
  {
    description:
      'One permission: verbs allowed on API resources or on non-resource URL paths. It says nothing about who holds it.',
  },
);

export const Role = Type.Object(
  {
    ...typeMeta('Role'),
    metadata: objectMeta('Standard object metadata; a role lives in a namespace.'),
    rules: rules('The permissions the role grants, within its namespace.'),
  },
  {
    description: 'A named set of permissions within one namespace, granted by RoleBindings of that namespace.',
    'x-kubernetes-group-version-kind': [{ group: GROUP, kind: 'Role', version: 'v1' }],
  },
);

export const RoleList = listOf({
  group: GROUP,
  version: 'v1',
  kind: 'Role',
  item: 'io.k8s.api.rbac.v1.Role',
  description: 'A list of roles.',
});

export const AggregationRule = Type.Object(
  {
    clusterRoleSelectors: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'), {
        protobuf: 1,
        description:
          'Label selectors of the cluster roles whose rules are gathered; a cluster role matching any of them contributes.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Which cluster roles a cluster role gathers its rules from.' },
);

export const ClusterRole = Type.Object(
  {
    aggregationRule: Type.Optional(
      Type.Ref('io.k8s.api.rbac.v1.AggregationRule', {
        protobuf: 3,
        description:
          'When set, the rules are maintained by the controller manager as the union of the rules of the selected cluster roles; rules written by hand are replaced.',
      }),
    ),
    ...typeMeta('ClusterRole'),
    metadata: objectMeta('Standard object metadata; cluster roles have no namespace.'),
    rules: rules(
      'The permissions the cluster role grants: cluster-wide through a ClusterRoleBinding, in one namespace through a RoleBinding.',
    ),
  },
  {
    description:
      'A named set of permissions for the whole cluster (including non-resource URLs), granted by ClusterRoleBindings or, per namespace, by RoleBindings.',
    'x-kubernetes-group-version-kind': [{ group: GROUP, kind: 'ClusterRole', version: 'v1' }],
  },
);

export const ClusterRoleList = listOf({
  group: GROUP,
  version: 'v1',
  kind: 'ClusterRole',
  item: 'io.k8s.api.rbac.v1.ClusterRole',
  description: 'A list of cluster roles.',
});

export const RoleRef = Type.Object(
  {
    apiGroup: Type.String({ protobuf: 1, description: 'Group of the referenced role: `rbac.authorization.k8s.io`.' }),
    kind: Type.String({ protobuf: 2, description: 'Kind of the referenced role: `Role` or `ClusterRole`.' }),
    name: Type.String({ protobuf: 3, description: 'Name of the referenced role.' }),
  },
  { description: 'The role a binding grants.', 'x-kubernetes-map-type': 'atomic' },
);

export const Subject = Type.Object(
  {
    apiGroup: Type.Optional(
      Type.String({
        protobuf: 2,
        description:
          "Group of the subject's kind: `rbac.authorization.k8s.io` for users and groups (the default), empty for service accounts.",
      }),
    ),
    kind: Type.String({ protobuf: 1, description: 'What the subject is: `User`, `Group` or `ServiceAccount`.' }),
    name: Type.String({ protobuf: 3, description: 'Name of the user, group or service account.' }),
    namespace: Type.Optional(
      Type.String({ protobuf: 4, description: 'Namespace of a service account; users and groups have none.' }),
    ),
  },
  { description: 'A user, group or service account a binding grants its role to.', 'x-kubernetes-map-type': 'atomic' },
);

export const RoleBinding = Type.Object(
  {
    ...typeMeta('RoleBinding'),
    metadata: objectMeta('Standard object metadata; the binding grants its role in this namespace only.'),
    roleRef: Type.Ref('io.k8s.api.rbac.v1.RoleRef', {
      protobuf: 3,
      description: 'The role granted: a Role of the same namespace or a ClusterRole. Cannot be changed once created.',
    }),
    subjects,
  },
  {
    description: "Grants a Role or ClusterRole to subjects within the binding's namespace.",
    'x-kubernetes-group-version-kind': [{ group: GROUP, kind: 'RoleBinding', version: 'v1' }],
  },
);

export const RoleBindingList = listOf({
  group: GROUP,
  version: 'v1',
  kind: 'RoleBinding',
  item: 'io.k8s.api.rbac.v1.RoleBinding',
  description: 'A list of role bindings.',
});

export const ClusterRoleBinding = Type.Object(
  {
    ...typeMeta('ClusterRoleBinding'),
    metadata: objectMeta('Standard object metadata; cluster role bindings have no namespace.'),
    roleRef: Type.Ref('io.k8s.api.rbac.v1.RoleRef', {
      protobuf: 3,
      description: 'The ClusterRole granted. Cannot be changed once created.',
    }),
    subjects,
  },
  {
    description: 'Grants a ClusterRole to subjects in every namespace and for the cluster-wide resources and URLs.',
    'x-kubernetes-group-version-kind': [{ group: GROUP, kind: 'ClusterRoleBinding', version: 'v1' }],
  },
);

export const ClusterRoleBindingList = listOf({
  group: GROUP,
  version: 'v1',
  kind: 'ClusterRoleBinding',
  item: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  description: 'A list of cluster role bindings.',
});

export const rbacV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.rbac.v1.AggregationRule': AggregationRule,
  'io.k8s.api.rbac.v1.ClusterRole': ClusterRole,
  'io.k8s.api.rbac.v1.ClusterRoleBinding': ClusterRoleBinding,
  'io.k8s.api.rbac.v1.ClusterRoleBindingList': ClusterRoleBindingList,
  'io.k8s.api.rbac.v1.ClusterRoleList': ClusterRoleList,
  'io.k8s.api.rbac.v1.PolicyRule': PolicyRule,
  'io.k8s.api.rbac.v1.Role': Role,
  'io.k8s.api.rbac.v1.RoleBinding': RoleBinding,
  'io.k8s.api.rbac.v1.RoleBindingList': RoleBindingList,
  'io.k8s.api.rbac.v1.RoleList': RoleList,
  'io.k8s.api.rbac.v1.RoleRef': RoleRef,
  'io.k8s.api.rbac.v1.Subject': Subject,
};
