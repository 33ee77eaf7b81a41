// coordination.k8s.io/v1 Lease: the node heartbeats of the simulated kubelets live in kube-node-lease.
// Structure follows the Kubernetes API; the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

const microTime = (protobuf: number, description: string) =>
  Type.Optional(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime', { protobuf, description }));

export const Lease = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `coordination.k8s.io/v1`." }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Lease`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata: name, namespace, labels, annotations.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.coordination.v1.LeaseSpec', {
        protobuf: 2,
        description: 'Who holds the lease and until when.',
      }),
    ),
  },
  {
    description:
      'A time-bound claim: kubelets renew one per node in `kube-node-lease` as their heartbeat; components use them for leader election.',
    'x-kubernetes-group-version-kind': [{ group: 'coordination.k8s.io', kind: 'Lease', version: 'v1' }],
  },
);

export const LeaseList = listOf({
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  item: 'io.k8s.api.coordination.v1.Lease',
  description: 'A list of leases.',
});

export const LeaseSpec = Type.Object(
  {
    acquireTime: microTime(3, 'When the current holder took the lease.'),
    holderIdentity: Type.Optional(
      Type.String({
        protobuf: 1,
        goPointer: true,
        description: 'Who holds the lease now (for node leases, the node name).',
      }),
    ),
    leaseDurationSeconds: Type.Optional(
      Type.Integer({
        protobuf: 2,
        goPointer: true,
        format: 'int32',
        description: 'How long others wait after the last renewal before they may take the lease over.',
      }),
    ),
    leaseTransitions: Type.Optional(
      Type.Integer({
        protobuf: 5,
        goPointer: true,
        format: 'int32',
        description: 'How many times the lease changed hands.',
      }),
    ),
    renewTime: microTime(4, 'When the holder last renewed the lease.'),
  },
  { description: 'The holder of a lease and its timing.' },
);

export const coordinationV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.coordination.v1.Lease': Lease,
  'io.k8s.api.coordination.v1.LeaseList': LeaseList,
  'io.k8s.api.coordination.v1.LeaseSpec': LeaseSpec,
};
