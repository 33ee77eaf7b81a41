// core/v1 Service and Endpoints, and the meta/v1 Condition a Service's status lists.
// Structure (names, types, formats, required fields, patch and list extensions) and protobuf field numbers follow the
// Kubernetes API; the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

const str = (protobuf: number, description: string, extra: Record<string, unknown> = {}) =>
  Type.Optional(Type.String({ protobuf, description, ...extra }));
const int32 = (protobuf: number, description: string, extra: Record<string, unknown> = {}) =>
  Type.Optional(Type.Integer({ protobuf, format: 'int32', description, ...extra }));
const atomicStrings = (protobuf: number, description: string) =>
  Type.Optional(Type.Array(Type.String(), { protobuf, description, 'x-kubernetes-list-type': 'atomic' }));

export const Service = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Service`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata: name (a DNS-1035 label), namespace, labels, annotations.',
      }),
    ),
    spec: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ServiceSpec', {
        protobuf: 2,
        description: 'How the service is exposed: its type, ports, the pods it selects and its virtual IPs.',
      }),
    ),
    status: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ServiceStatus', {
        protobuf: 3,
        description: 'What was observed about the service: its load balancer, if any, and conditions. Read-only.',
      }),
    ),
  },
  {
    description:
      'A stable name and virtual address for a set of pods chosen by a label selector (or for an external name). Clients connect to the service; traffic reaches the ready pods behind it.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Service', version: 'v1' }],
  },
);

export const ServiceList = listOf({
  group: '',
  version: 'v1',
  kind: 'Service',
  item: 'io.k8s.api.core.v1.Service',
  description: 'A list of services.',
});

export const ServiceSpec = Type.Object(
  {
    allocateLoadBalancerNodePorts: Type.Optional(
      Type.Boolean({
        protobuf: 20,
        goPointer: true,
        description: 'For `LoadBalancer` services: whether node ports are allocated as well (default true).',
      }),
    ),
    clusterIP: str(
      3,
      'The primary virtual IP of the service, allocated from the service CIDR unless given. `None` makes a headless service. Cannot change except when switching to or from `ExternalName`.',
    ),
    clusterIPs: atomicStrings(
      18,
      'Every virtual IP of the service (one per IP family), the first equal to `clusterIP`. Allocated when not given.',
    ),
    externalIPs: atomicStrings(
      5,
      'Further addresses, not managed by the cluster, at which nodes also accept traffic for the service.',
    ),
    externalName: str(10, 'For `ExternalName` services: the DNS name the service is an alias (CNAME) of.'),
    externalTrafficPolicy: str(
      11,
      'For services reachable from outside (`NodePort`, `LoadBalancer`, external IPs): `Cluster` spreads traffic over every endpoint, `Local` keeps it on the receiving node.',
    ),
    healthCheckNodePort: int32(
      12,
      'For `LoadBalancer` services with `externalTrafficPolicy: Local`: the node port that answers health checks. Allocated when not given.',
    ),
    internalTrafficPolicy: str(
      22,
      'How traffic from inside the cluster is routed: `Cluster` (any endpoint, the default) or `Local` (endpoints on the same node only).',
      { goPointer: true },
    ),
    ipFamilies: atomicStrings(
      19,
      'The IP families (`IPv4`, `IPv6`) of the virtual IPs, in the order of `clusterIPs`. Defaulted from the cluster.',
    ),
    ipFamilyPolicy: str(
      17,
      '`SingleStack`, `PreferDualStack` or `RequireDualStack`: how many IP families the service gets. Defaults to `SingleStack`.',
      { goPointer: true },
    ),
    loadBalancerClass: str(
      21,
      'For `LoadBalancer` services: which load balancer implementation handles it. Cannot change.',
      {
        goPointer: true,
      },
    ),
    loadBalancerIP: str(8, 'Deprecated: a load balancer address requested from the provider.'),
    loadBalancerSourceRanges: atomicStrings(
      9,
      'For `LoadBalancer` services: the client CIDRs the load balancer admits.',
    ),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.ServicePort'), {
        protobuf: 1,
        description: 'The ports the service exposes and where each one leads on the pods.',
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'port',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    publishNotReadyAddresses: Type.Optional(
      Type.Boolean({ protobuf: 13, description: 'Whether endpoints list pods whether or not they are ready.' }),
    ),
    selector: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        protobuf: 2,
        description:
          'Labels of the pods that back the service; their addresses become its endpoints. Without a selector, endpoints are managed by someone else.',
        'x-kubernetes-map-type': 'atomic',
      }),
    ),
    sessionAffinity: str(7, '`None` (the default) or `ClientIP`: whether a client keeps reaching the same endpoint.'),
    sessionAffinityConfig: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.SessionAffinityConfig', {
        protobuf: 14,
        description: 'Settings of `ClientIP` session affinity.',
      }),
    ),
    trafficDistribution: str(23, 'A preference for how traffic is spread over endpoints, e.g. `PreferClose`.', {
      goPointer: true,
    }),
    type: str(
      4,
      '`ClusterIP` (the default: a virtual IP inside the cluster), `NodePort` (also a port on every node), `LoadBalancer` (also an external load balancer) or `ExternalName` (a DNS alias).',
    ),
  },
  { description: 'The desired shape of a service.' },
);

export const ServicePort = Type.Object(
  {
    appProtocol: str(6, 'The application protocol spoken on this port, as a hint to implementations.', {
      goPointer: true,
    }),
    name: str(1, 'Name of the port; required, and unique, when the service has more than one.'),
    nodePort: int32(
      5,
      'For `NodePort` and `LoadBalancer` services: the port opened on every node. Allocated when not given.',
    ),
    port: Type.Integer({ protobuf: 3, format: 'int32', description: 'The port the service listens on.' }),
    protocol: str(2, '`TCP` (the default), `UDP` or `SCTP`.'),
    targetPort: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', {
        protobuf: 4,
        description: "The pods' port traffic goes to: a number, or the name of a container port. Defaults to `port`.",
      }),
    ),
  },
  { description: 'One port of a service.' },
);

export const ServiceStatus = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Condition'), {
        protobuf: 2,
        description: 'Conditions of the service.',
        'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'type',
        'x-kubernetes-patch-strategy': 'merge',
      }),
    ),
    loadBalancer: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.LoadBalancerStatus', {
        protobuf: 1,
        description: 'The load balancer of the service, once one exists.',
      }),
    ),
  },
  { description: 'The observed state of a service.' },
);

export const LoadBalancerStatus = Type.Object(
  {
    ingress: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.LoadBalancerIngress'), {
        protobuf: 1,
        description: 'The addresses at which the load balancer receives traffic.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'The state of a load balancer.' },
);

export const LoadBalancerIngress = Type.Object(
  {
    hostname: str(2, 'A DNS name of the load balancer.'),
    ip: str(1, 'An IP address of the load balancer.'),
    ipMode: str(3, '`VIP` or `Proxy`: how traffic to `ip` reaches the nodes.', { goPointer: true }),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.PortStatus'), {
        protobuf: 4,
        description: 'Per-port state of this load balancer address.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'One address of a load balancer.' },
);

export const PortStatus = Type.Object(
  {
    error: str(3, 'Why the port could not be set up, as a CamelCase reason, if it failed.', { goPointer: true }),
    port: Type.Integer({ protobuf: 1, format: 'int32', description: 'The port number.' }),
    protocol: Type.String({ protobuf: 2, description: '`TCP`, `UDP` or `SCTP`.' }),
  },
  { description: 'The state of one port of a load balancer.' },
);

export const SessionAffinityConfig = Type.Object(
  {
    clientIP: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ClientIPConfig', { protobuf: 1, description: 'Settings of affinity by client IP.' }),
    ),
  },
  { description: 'Settings of session affinity.' },
);

export const ClientIPConfig = Type.Object(
  {
    timeoutSeconds: int32(1, 'How long a client sticks to an endpoint, in seconds (1 to 86400; default 10800).', {
      goPointer: true,
    }),
  },
  { description: 'Settings of session affinity by client IP.' },
);

export const Endpoints = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Endpoints`.' })),
    metadata: Type.Optional(
      Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
        protobuf: 1,
        description: 'Standard object metadata; the name is the name of the service it belongs to.',
      }),
    ),
    subsets: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EndpointSubset'), {
        protobuf: 2,
        description: 'Groups of addresses that share the same ports. Together they are every endpoint of the service.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  {
    description:
      'The addresses and ports behind a service, kept by the endpoints controller for services with a selector. Superseded by EndpointSlices.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Endpoints', version: 'v1' }],
  },
);

export const EndpointsList = listOf({
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  item: 'io.k8s.api.core.v1.Endpoints',
  description: 'A list of endpoints objects.',
});

export const EndpointSubset = Type.Object(
  {
    addresses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EndpointAddress'), {
        protobuf: 1,
        description: 'Addresses ready to receive traffic on these ports.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    notReadyAddresses: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EndpointAddress'), {
        protobuf: 2,
        description: 'Addresses that exist but are not ready (starting, failing their readiness checks).',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
    ports: Type.Optional(
      Type.Array(Type.Ref('io.k8s.api.core.v1.EndpointPort'), {
        protobuf: 3,
        description: 'The ports every address of this subset serves.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'A set of addresses with the ports they all serve.' },
);

export const EndpointAddress = Type.Object(
  {
    hostname: str(3, 'The hostname of this endpoint, if it has one.'),
    ip: Type.String({
      protobuf: 1,
      description: 'The IP address of the endpoint (not loopback, link-local or unspecified).',
    }),
    nodeName: str(4, 'The node the endpoint runs on.', { goPointer: true }),
    targetRef: Type.Optional(
      Type.Ref('io.k8s.api.core.v1.ObjectReference', {
        protobuf: 2,
        description: 'The object, usually a pod, behind this address.',
      }),
    ),
  },
  { description: 'One address of an endpoint.', 'x-kubernetes-map-type': 'atomic' },
);

export const CoreEndpointPort = Type.Object(
  {
    appProtocol: str(4, 'The application protocol spoken on this port, as a hint to implementations.', {
      goPointer: true,
    }),
    name: str(1, 'The name of the service port this port belongs to; required when there are several.'),
    port: Type.Integer({ protobuf: 2, format: 'int32', description: 'The port number on the endpoints.' }),
    protocol: str(3, '`TCP` (the default), `UDP` or `SCTP`.'),
  },
  { description: 'One port of a set of endpoints.', 'x-kubernetes-map-type': 'atomic' },
);

export const Condition = Type.Object(
  {
    lastTransitionTime: Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time', {
      protobuf: 4,
      description: 'When the condition last changed status.',
    }),
    message: Type.String({ protobuf: 6, description: 'A readable account of the last transition; may be empty.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        protobuf: 3,
        format: 'int64',
        description: 'The metadata.generation the condition was computed from.',
      }),
    ),
    reason: Type.String({ protobuf: 5, description: 'A CamelCase word saying why the condition last changed.' }),
    status: Type.String({ protobuf: 2, description: '`True`, `False` or `Unknown`.' }),
    type: Type.String({
      protobuf: 1,
      description: 'Which condition this is, in CamelCase (or a domain-prefixed name).',
    }),
  },
  { description: 'One aspect of the state of an object, in the common shape of conditions.' },
);

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1ServiceDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.Service': Service,
  'io.k8s.api.core.v1.ServiceList': ServiceList,
  'io.k8s.api.core.v1.ServiceSpec': ServiceSpec,
  'io.k8s.api.core.v1.ServicePort': ServicePort,
  'io.k8s.api.core.v1.ServiceStatus': ServiceStatus,
  'io.k8s.api.core.v1.LoadBalancerStatus': LoadBalancerStatus,
  'io.k8s.api.core.v1.LoadBalancerIngress': LoadBalancerIngress,
  'io.k8s.api.core.v1.PortStatus': PortStatus,
  'io.k8s.api.core.v1.SessionAffinityConfig': SessionAffinityConfig,
  'io.k8s.api.core.v1.ClientIPConfig': ClientIPConfig,
  'io.k8s.api.core.v1.Endpoints': Endpoints,
  'io.k8s.api.core.v1.EndpointsList': EndpointsList,
  'io.k8s.api.core.v1.EndpointSubset': EndpointSubset,
  'io.k8s.api.core.v1.EndpointAddress': EndpointAddress,
  'io.k8s.api.core.v1.EndpointPort': CoreEndpointPort,
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': Condition,
};
