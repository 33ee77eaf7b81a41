// core/v1 ServiceAccount: the identity pods run as, and what `kubectl create token` asks a token for.
// Structure follows the Kubernetes API (protobuf field numbers from k8s.io/api core/v1 generated.proto); the
// descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

export const ServiceAccount = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    automountServiceAccountToken: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        goPointer: true,
        description:
          'Whether pods running as this account get a token volume mounted at /var/run/secrets/kubernetes.io/serviceaccount; a pod can decide otherwise for itself. Mounted when unset.',
      }),
    ),
    imagePullSecrets: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.LocalObjectReference'), {
        protobuf: 3,
        description:
          'Secrets of this namespace the kubelet may use to pull the images of pods that run as this account; a pod that names none gets these when it is created.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `ServiceAccount`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata: name, namespace, labels, annotations.',
      }),
    ),
    secrets: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ObjectReference'), {
        protobuf: 2,
        description:
          'Secrets of this namespace that pods running as this account may use; only enforced when the account carries the annotation `kubernetes.io/enforce-mountable-secrets: "true"`. Only the names are kept. Not the place to look for tokens: request one with the TokenRequest API (`serviceaccounts/<name>/token`).',
        'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'name',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
  },
  {
    description:
      'An identity for processes that run in pods: a name in a namespace that the API server authenticates (as `system:serviceaccount:<namespace>:<name>`), with the secrets its pods may use. Every active namespace has one named `default`.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'ServiceAccount', version: 'v1' }],
  },
);

export const ServiceAccountList = listOf({
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  item: 'io.k8s.api.core.v1.ServiceAccount',
  description: 'A list of service accounts.',
});

export const coreV1ServiceAccountDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.ServiceAccount': ServiceAccount,
  'io.k8s.api.core.v1.ServiceAccountList': ServiceAccountList,
};
