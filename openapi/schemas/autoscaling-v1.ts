// autoscaling/v1 Scale: the body of the `/scale` subresource of apps/v1 Deployments and ReplicaSets.
// Structure (names, types, formats, required fields) follows the Kubernetes API; the descriptions are this
// project's own.
import Type, { type TSchema } from 'typebox';

export const Scale = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `autoscaling/v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Scale`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'The name, namespace, uid and resourceVersion of the scaled object.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.autoscaling.v1.ScaleSpec', { protobuf: 2, description: 'The wanted number of replicas.' }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.autoscaling.v1.ScaleStatus', {
        protobuf: 3,
        description: 'The current number of replicas and their selector. Read-only.',
      }),
    ),
  },
  {
    description:
      'The replica count of a scalable object (a deployment, a replica set), read and written through its `/scale` subresource.',
    'x-kubernetes-group-version-kind': [{ group: 'autoscaling', kind: 'Scale', version: 'v1' }],
  },
);

export const ScaleSpec = Type.Object(
  {
    replicas: Type.Optional(
      Type.Integer({ protobuf: 1, format: 'int32', description: 'The wanted number of replicas.' }),
    ),
  },
  { description: 'The wanted scale of an object.' },
);

export const ScaleStatus = Type.Object(
  {
    replicas: Type.Integer({ protobuf: 1, format: 'int32', description: 'The number of replicas observed.' }),
    selector: Type.Optional(
      Type.String({ protobuf: 2, description: "The scaled object's pod selector, in label query syntax." }),
    ),
  },
  { description: 'The observed scale of an object.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const autoscalingV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.autoscaling.v1.Scale': Scale,
  'io.k8s.api.autoscaling.v1.ScaleSpec': ScaleSpec,
  'io.k8s.api.autoscaling.v1.ScaleStatus': ScaleStatus,
};
