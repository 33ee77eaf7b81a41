// discovery.k8s.io/v1 EndpointSlice: the endpoints of a service, in slices of at most 100 endpoints each here.
// Structure (names, types, formats, required fields, list extensions) and protobuf field numbers follow the Kubernetes
// API (k8s.io/api/discovery/v1); the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

export const EndpointSlice = Type.Object(
  {
    addressType: Type.String({
      protobuf: 4,
      description: 'The kind of every address in the slice: `IPv4`, `IPv6` or `FQDN`. Cannot change.',
    }),
    apiVersion: Type.Optional(
      Type.String({ description: "API version of this object's schema: `discovery.k8s.io/v1`." }),
    ),
    endpoints: Type.Array(Type.Ref('io.k8s.api.discovery.v1.Endpoint'), {
      protobuf: 2,
      description: 'The endpoints in this slice (at most 1000).',
      'x-kubernetes-list-type': 'atomic',
    }),
    kind: Type.Optional(Type.String({ description: 'Object kind: `EndpointSlice`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata; `kubernetes.io/service-name` names the service the slice belongs to.',
      }),
    ),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.discovery.v1.EndpointPort'), {
        protobuf: 3,
        description:
          'The ports every endpoint of the slice serves (at most 100); a port without a number stands for all ports.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  {
    description: 'A part of the endpoints of a service; a service has as many slices as its endpoints need.',
    'x-kubernetes-group-version-kind': [{ group: 'discovery.k8s.io', kind: 'EndpointSlice', version: 'v1' }],
  },
);

export const EndpointSliceList = listOf({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  item: 'io.k8s.api.discovery.v1.EndpointSlice',
  description: 'A list of endpoint slices.',
});

export const Endpoint = Type.Object(
  {
    addresses: Type.Array(Type.String(), {
      protobuf: 1,
      description:
        "The addresses of this endpoint (1 to 100), of the slice's address type; consumers may use only the first.",
      'x-kubernetes-list-type': 'set',
    }),
    conditions: Type.Optional(
      Type.Ref('io.k8s.api.discovery.v1.EndpointConditions', {
        protobuf: 2,
        description: 'Whether the endpoint is ready, serving, terminating.',
      }),
    ),
    deprecatedTopology: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 5,
        description: 'Topology labels carried over from v1beta1; not writable through v1 (use `nodeName` and `zone`).',
      }),
    ),
    hints: Type.Optional(
      Type.Ref('io.k8s.api.discovery.v1.EndpointHints', {
        protobuf: 8,
        description: 'Hints on which consumers should use this endpoint.',
      }),
    ),
    hostname: Type.Optional(
      Type.String({
        protobuf: 3,
        goPointer: true,
        description: 'A hostname for the endpoint (a DNS-1123 label), e.g. for DNS records.',
      }),
    ),
    nodeName: Type.Optional(
      Type.String({ protobuf: 6, goPointer: true, description: 'The node the endpoint runs on.' }),
    ),
    targetRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ObjectReference', {
        protobuf: 4,
        description: 'The object, usually a pod, behind this endpoint.',
      }),
    ),
    zone: Type.Optional(Type.String({ protobuf: 7, goPointer: true, description: 'The zone the endpoint runs in.' })),
  },
  { description: 'One backend of a service.' },
);

export const EndpointConditions = Type.Object(
  {
    ready: Type.Optional(
      Type.Boolean({
        protobuf: 1,
        goPointer: true,
        description: 'Ready to receive traffic (false while terminating, unless not-ready addresses are published).',
      }),
    ),
    serving: Type.Optional(
      Type.Boolean({ protobuf: 2, goPointer: true, description: 'Like `ready`, but regardless of termination.' }),
    ),
    terminating: Type.Optional(
      Type.Boolean({ protobuf: 3, goPointer: true, description: 'Whether the endpoint is being shut down.' }),
    ),
  },
  { description: 'The state of an endpoint; an unset condition is unknown.' },
);

export const EndpointHints = Type.Object(
  {
    forZones: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.discovery.v1.ForZone'), {
        protobuf: 1,
        description: 'The zones whose clients should use this endpoint (topology aware routing).',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'Hints on how an endpoint should be consumed.' },
);

export const ForZone = Type.Object(
  { name: Type.String({ protobuf: 1, description: 'The name of the zone.' }) },
  { description: 'A zone that should consume an endpoint.' },
);

export const EndpointPort = Type.Object(
  {
    appProtocol: Type.Optional(
      Type.String({
        protobuf: 4,
        goPointer: true,
        description: 'The application protocol spoken on this port, as a hint to implementations.',
      }),
    ),
    name: Type.Optional(
      Type.String({
        protobuf: 1,
        goPointer: true,
        description:
          'The name of the service port this port belongs to (a DNS-1123 label, or empty); unique in the slice.',
      }),
    ),
    port: Type.Optional(
      Type.Integer({
        protobuf: 3,
        goPointer: true,
        format: 'int32',
        description: 'The port number on the endpoints; unset means every port.',
      }),
    ),
    protocol: Type.Optional(
      Type.String({ protobuf: 2, goPointer: true, description: '`TCP` (the default), `UDP` or `SCTP`.' }),
    ),
  },
  { description: 'One port of an endpoint slice.', 'x-kubernetes-map-type': 'atomic' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const discoveryV1Definitions: Record<string, TSchema> = {
  'io.k8s.api.discovery.v1.EndpointSlice': EndpointSlice,
  'io.k8s.api.discovery.v1.EndpointSliceList': EndpointSliceList,
  'io.k8s.api.discovery.v1.Endpoint': Endpoint,
  'io.k8s.api.discovery.v1.EndpointConditions': EndpointConditions,
  'io.k8s.api.discovery.v1.EndpointHints': EndpointHints,
  'io.k8s.api.discovery.v1.ForZone': ForZone,
  'io.k8s.api.discovery.v1.EndpointPort': EndpointPort,
};
