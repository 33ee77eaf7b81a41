// policy/v1 Eviction (and its policy/v1beta1 twin, which older kubectl sends): the body of a POST to a pod's
// `eviction` subresource. There are no PodDisruptionBudgets here, so these are the only policy kinds.
// Structure follows the Kubernetes API (protobuf field numbers from its generated.proto); the descriptions are this
// project's own.
import Type, { type TSchema } from 'typebox';

function eviction(version: 'v1' | 'v1beta1') {
  return Type.Object(
    {
      apiVersion: Type.Optional(
        Type.String({ description: `API version of this object's schema: \`policy/${version}\`.` }),
      ),
      deleteOptions: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
          protobuf: 2,
          description:
            'How the pod is deleted: grace period, preconditions, dry run, propagation. As for a DELETE of the pod.',
        }),
      ),
      kind: Type.Optional(Type.String({ description: 'Object kind: `Eviction`.' })),
      metadata: Type.Optional(
        Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
          protobuf: 1,
          description:
            "Names the pod to evict: its name must be the one in the URL; its namespace, when set, the URL's.",
        }),
      ),
    },
    {
      description:
        'A request to evict a pod: POSTed to `/api/v1/namespaces/<namespace>/pods/<name>/eviction`, it deletes the pod gracefully unless a disruption budget forbids it. Nothing is stored.',
      'x-kubernetes-group-version-kind': [{ group: 'policy', kind: 'Eviction', version }],
    },
  );
}

export const Eviction = eviction('v1');
/** The policy/v1beta1 form (served until Kubernetes 1.25), same fields; kubectl 1.20 sends this shape. */
export const EvictionV1beta1 = eviction('v1beta1');

export const policyV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.policy.v1.Eviction': Eviction,
  'io.k8s.api.policy.v1beta1.Eviction': EvictionV1beta1,
};
