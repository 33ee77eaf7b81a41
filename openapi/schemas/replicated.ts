// ReplicaSet and Deployment, in apps/v1 and in their extensions/v1beta1 shape of Kubernetes 1.15 (one builder for
// both: the versions differ in what is required, in `spec.rollbackTo`, and in the list extensions of conditions),
// and the Scale of their `/scale` subresource as extensions/v1beta1 serves it (autoscaling/v1 Scale is in
// ./autoscaling-v1.ts).
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

type Version = 'apps/v1' | 'extensions/v1beta1';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function pkgOf(v: Version): string {
  return v === 'apps/v1' ? 'io.k8s.api.apps.v1' : 'io.k8s.api.extensions.v1beta1';
}

function topLevel(v: Version, kind: string, what: string, description: string) {
  const pkg = pkgOf(v);
  const [group, version] = v.split('/') as [string, string];
  return Type.Object(
    {
      apiVersion: Type.Optional(Type.String({ description: `API version of this object's schema: \`${v}\`.` })),
      kind: Type.Optional(Type.String({ description: `Object kind: \`${kind}\`.` })),
      metadata: Type.Optional(
        Type.Ref(`${META}.ObjectMeta`, {
          protobuf: 1,
          description:
            'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
        }),
      ),
      spec: Type.Optional(
        Type.Ref(`${pkg}.${kind}Spec`, { protobuf: 2, description: `What the ${what} should run, and how many.` }),
      ),
      status: Type.Optional(
        Type.Ref(`${pkg}.${kind}Status`, {
          protobuf: 3,
          description: `The most recently observed state of the ${what}. Read-only for clients.`,
        }),
      ),
    },
    { description, 'x-kubernetes-group-version-kind': [{ group, kind, version }] },
  );
}

function conditionsOf(v: Version, kind: string, what: string) {
  const listExt = v === 'apps/v1' ? { 'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-list-type': 'map' } : {};
  return Type.Optional(
    Type.Array(Type.Ref(`${pkgOf(v)}.${kind}Condition`), {
      protobuf: 6,
      description: `Current conditions of the ${what}.`,
      ...listExt,
      'x-kubernetes-patch-merge-key': 'type',
      'x-kubernetes-patch-strategy': 'merge',
    }),
  );
}

const int32 = (protobuf: number, description: string, goPointer = false) =>
  Type.Optional(Type.Integer({ protobuf, format: 'int32', description, ...(goPointer ? { goPointer: true } : {}) }));

const conditionBase = {
  message: Type.Optional(Type.String({ protobuf: 5, description: 'A readable explanation of the last transition.' })),
  reason: Type.Optional(Type.String({ protobuf: 4, description: 'A short CamelCase reason for the last transition.' })),
  status: Type.String({ protobuf: 2, description: '`True`, `False` or `Unknown`.' }),
  type: Type.String({ protobuf: 1, description: 'Which condition this is.' }),
};

/** The ReplicaSet and Deployment definitions of one version, keyed by definition name. */
export function replicatedDefinitions(v: Version): Record<string, TSchema> {
  const pkg = pkgOf(v);
  const [group, version] = v.split('/') as [string, string];
  const apps = v === 'apps/v1';
  const selectorRef = (description: string) => Type.Ref(`${META}.LabelSelector`, { protobuf: 2, description });
  const templateRef = (description: string) =>
    Type.Ref('io.k8s.api.core.v1.PodTemplateSpec', { protobuf: 3, description });

  const rsSelector = selectorRef(
    apps
      ? "Selects the pods counted as replicas. Must match the template's labels; cannot be changed."
      : "Selects the pods counted as replicas. Defaults to the template's labels when absent.",
  );
  const rsTemplate = templateRef('The pod created whenever a replica is missing.');
  const ReplicaSetSpec = Type.Object(
    {
      minReadySeconds: int32(4, 'Seconds a new pod must be ready before it counts as available. Defaults to 0.'),
      replicas: int32(1, 'How many pods should run. Defaults to 1.', true),
      selector: apps ? rsSelector : Type.Optional(rsSelector),
      template: Type.Optional(rsTemplate),
    },
    { description: `The desired state of a replica set${apps ? '' : ' (extensions/v1beta1)'}.` },
  );
  const ReplicaSetStatus = Type.Object(
    {
      availableReplicas: int32(5, 'Pods of the replica set ready for at least minReadySeconds.'),
      conditions: conditionsOf(v, 'ReplicaSet', 'replica set'),
      fullyLabeledReplicas: int32(2, "Pods whose labels contain all of the template's labels."),
      observedGeneration: Type.Optional(
        Type.Integer({
          protobuf: 3,
          format: 'int64',
          description: 'The metadata.generation of the replica set that this status reflects.',
        }),
      ),
      readyReplicas: int32(4, 'Pods of the replica set with the Ready condition.'),
      replicas: Type.Integer({ protobuf: 1, format: 'int32', description: 'Pods currently owned by the replica set.' }),
    },
    { description: `The observed state of a replica set${apps ? '' : ' (extensions/v1beta1)'}.` },
  );
  const ReplicaSetCondition = Type.Object(
    {
      lastTransitionTime: Type.Optional(
        Type.Ref(`${META}.Time`, { protobuf: 3, description: 'When the condition last changed status.' }),
      ),
      ...conditionBase,
    },
    { description: "One aspect of a replica set's state, such as a failure to create pods (`ReplicaFailure`)." },
  );

  const depSelector = selectorRef(
    apps
      ? "Selects the pods of the deployment's replica sets. Must match the template's labels; cannot be changed."
      : "Selects the pods of the deployment's replica sets. Defaults to the template's labels when absent.",
  );
  const DeploymentSpec = Type.Object(
    {
      minReadySeconds: int32(5, 'Seconds a new pod must be ready before it counts as available. Defaults to 0.'),
      paused: Type.Optional(
        Type.Boolean({ protobuf: 7, description: 'While true, template changes are not rolled out.' }),
      ),
      progressDeadlineSeconds: int32(
        9,
        apps
          ? 'Seconds a rollout may go without progress before the Progressing condition turns False with ProgressDeadlineExceeded. Defaults to 600.'
          : 'Seconds a rollout may go without progress before it is reported as failed. Unset (no deadline) by default in this version.',
        true,
      ),
      replicas: int32(1, 'How many pods should run. Defaults to 1.', true),
      revisionHistoryLimit: int32(
        6,
        apps
          ? 'How many old, scaled-down replica sets to keep for rollbacks. Defaults to 10.'
          : 'How many old, scaled-down replica sets to keep for rollbacks. Unset (keep all) by default in this version.',
        true,
      ),
      ...(apps
        ? {}
        : {
            rollbackTo: Type.Optional(
              Type.Ref(`${pkg}.RollbackConfig`, {
                protobuf: 8,
                description: 'Deprecated: a revision to go back to; cleared by the server once acted upon.',
              }),
            ),
          }),
      selector: apps ? depSelector : Type.Optional(depSelector),
      strategy: Type.Optional(
        Type.Ref(`${pkg}.DeploymentStrategy`, {
          protobuf: 4,
          description: 'How old pods are replaced by new ones when the template changes.',
          'x-kubernetes-patch-strategy': 'retainKeys',
        }),
      ),
      template: templateRef('The pod the newest replica set runs.'),
    },
    { description: `The desired state of a deployment${apps ? '' : ' (extensions/v1beta1)'}.` },
  );
  const DeploymentStatus = Type.Object(
    {
      availableReplicas: int32(4, 'Pods of the deployment ready for at least minReadySeconds.'),
      collisionCount: int32(
        8,
        'Counts hash collisions of the pod-template-hash; used to make the name of the next replica set unique.',
        true,
      ),
      conditions: conditionsOf(v, 'Deployment', 'deployment'),
      observedGeneration: Type.Optional(
        Type.Integer({
          protobuf: 1,
          format: 'int64',
          description: 'The metadata.generation of the deployment that this status reflects.',
        }),
      ),
      readyReplicas: int32(7, 'Pods of the deployment with the Ready condition.'),
      replicas: int32(2, "Pods owned by the deployment's replica sets (not terminated)."),
      unavailableReplicas: int32(5, 'Pods still missing to reach the desired count of available pods.'),
      updatedReplicas: int32(3, 'Pods running the current template.'),
    },
    { description: `The observed state of a deployment${apps ? '' : ' (extensions/v1beta1)'}.` },
  );
  const DeploymentCondition = Type.Object(
    {
      lastTransitionTime: Type.Optional(
        Type.Ref(`${META}.Time`, { protobuf: 7, description: 'When the condition last changed status.' }),
      ),
      lastUpdateTime: Type.Optional(
        Type.Ref(`${META}.Time`, { protobuf: 6, description: 'When the condition was last written.' }),
      ),
      ...conditionBase,
    },
    { description: "One aspect of a deployment's state: `Available`, `Progressing` or `ReplicaFailure`." },
  );
  const DeploymentStrategy = Type.Object(
    {
      rollingUpdate: Type.Optional(
        Type.Ref(`${pkg}.RollingUpdateDeployment`, {
          protobuf: 2,
          description: 'Settings for the `RollingUpdate` strategy.',
        }),
      ),
      type: Type.Optional(
        Type.String({
          protobuf: 1,
          description:
            '`RollingUpdate` (default: replace pods gradually) or `Recreate` (remove every old pod before creating new ones).',
        }),
      ),
    },
    { description: 'How a deployment replaces its pods.' },
  );
  const RollingUpdateDeployment = Type.Object(
    {
      maxSurge: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
          protobuf: 2,
          description: `How many pods, as a number or a percentage of replicas (rounded up), may exist beyond the desired count during a rollout. Defaults to ${apps ? '25%' : '1'}.`,
        }),
      ),
      maxUnavailable: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
          protobuf: 1,
          description: `How many pods, as a number or a percentage of replicas (rounded down), may be unavailable during a rollout. Defaults to ${apps ? '25%' : '1'}.`,
        }),
      ),
    },
    { description: 'Limits for a rolling update of a deployment.' },
  );

  const out: Record<string, TSchema> = {
    [`${pkg}.ReplicaSet`]: topLevel(
      v,
      'ReplicaSet',
      'replica set',
      apps
        ? 'Keeps a number of identical pods running, creating and deleting pods that match its selector. Usually managed by a Deployment.'
        : 'Legacy form of a replica set, served as extensions/v1beta1 up to Kubernetes 1.15. Use apps/v1 instead.',
    ),
    [`${pkg}.ReplicaSetList`]: listOf({
      group,
      version,
      kind: 'ReplicaSet',
      item: `${pkg}.ReplicaSet`,
      description: `A list of replica sets${apps ? '' : ', in the legacy extensions/v1beta1 form'}.`,
    }),
    [`${pkg}.ReplicaSetSpec`]: ReplicaSetSpec,
    [`${pkg}.ReplicaSetStatus`]: ReplicaSetStatus,
    [`${pkg}.ReplicaSetCondition`]: ReplicaSetCondition,
    [`${pkg}.Deployment`]: topLevel(
      v,
      'Deployment',
      'deployment',
      apps
        ? 'Runs a replicated pod through replica sets, rolling out template changes and keeping older revisions for rollbacks.'
        : 'Legacy form of a deployment, served as extensions/v1beta1 up to Kubernetes 1.15. Use apps/v1 instead.',
    ),
    [`${pkg}.DeploymentList`]: listOf({
      group,
      version,
      kind: 'Deployment',
      item: `${pkg}.Deployment`,
      description: `A list of deployments${apps ? '' : ', in the legacy extensions/v1beta1 form'}.`,
    }),
    [`${pkg}.DeploymentSpec`]: DeploymentSpec,
    [`${pkg}.DeploymentStatus`]: DeploymentStatus,
    [`${pkg}.DeploymentCondition`]: DeploymentCondition,
    [`${pkg}.DeploymentStrategy`]: DeploymentStrategy,
    [`${pkg}.RollingUpdateDeployment`]: RollingUpdateDeployment,
  };
  if (!apps) {
    out[`${pkg}.RollbackConfig`] = Type.Object(
      {
        revision: Type.Optional(
          Type.Integer({
            protobuf: 1,
            format: 'int64',
            description: 'The revision to go back to; 0 is the previous one.',
          }),
        ),
      },
      { description: 'A revision of a deployment to roll back to (extensions/v1beta1).' },
    );
    out[`${pkg}.Scale`] = Type.Object(
      {
        apiVersion: Type.Optional(
          Type.String({ description: "API version of this object's schema: `extensions/v1beta1`." }),
        ),
        kind: Type.Optional(Type.String({ description: 'Object kind: `Scale`.' })),
        metadata: Type.Optional(
          Type.Ref(`${META}.ObjectMeta`, {
            protobuf: 1,
            description: 'The name, namespace, uid and resourceVersion of the scaled object.',
          }),
        ),
        spec: Type.Optional(
          Type.Ref(`${pkg}.ScaleSpec`, { protobuf: 2, description: 'The wanted number of replicas.' }),
        ),
        status: Type.Optional(
          Type.Ref(`${pkg}.ScaleStatus`, { protobuf: 3, description: 'The current number of replicas. Read-only.' }),
        ),
      },
      {
        description:
          'The replica count of a deployment or replica set, as its `/scale` subresource served it in extensions/v1beta1.',
        'x-kubernetes-group-version-kind': [{ group: 'extensions', kind: 'Scale', version: 'v1beta1' }],
      },
    );
    out[`${pkg}.ScaleSpec`] = Type.Object(
      { replicas: int32(1, 'The wanted number of replicas.') },
      { description: 'The wanted scale (extensions/v1beta1).' },
    );
    out[`${pkg}.ScaleStatus`] = Type.Object(
      {
        replicas: Type.Integer({ protobuf: 1, format: 'int32', description: 'The number of replicas observed.' }),
        selector: Type.Optional(
          Type.Record(Type.String(), Type.String(), {
            protobuf: 2,
            description: "The equality part of the scaled object's pod selector, as a label map.",
          }),
        ),
        targetSelector: Type.Optional(
          Type.String({ protobuf: 3, description: "The scaled object's pod selector, in label query syntax." }),
        ),
      },
      { description: 'The observed scale (extensions/v1beta1).' },
    );
  }
  return out;
}
