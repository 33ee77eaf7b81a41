// Table columns of services (pkg/printers/internalversion printService).
import { ageColumn, column, nameColumn } from '../../../printers/columns.js';
import { translateTimestampSince } from '../../../printers/duration.js';
import type { KubeObjectLike, Printer } from '../../../printers/types.js';
import { formatLabels } from '../../../../apimachinery/labels.js';

/** The Service fields the printer reads. */
export interface ServiceRowLike extends KubeObjectLike {
  spec?: {
    type?: string;
    clusterIPs?: string[] | null;
    externalIPs?: string[] | null;
    externalName?: string;
    selector?: Record<string, string> | null;
    ports?: Array<{ port?: number; nodePort?: number; protocol?: string }> | null;
  };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> | null } };
}

/** Load balancer addresses longer than this are cut with `...` outside `-o wide`. */
const LOAD_BALANCER_WIDTH = 16;

/** The load balancer's IPs (or hostnames), deduplicated and sorted, joined with `,`. */
function loadBalancerAddresses(svc: ServiceRowLike, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  const r = [...set].sort().join(',');
  return !wide && r.length > LOAD_BALANCER_WIDTH ? `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...` : r;
}

/** The EXTERNAL-IP cell: external IPs, the load balancer's addresses (`<pending>` until it has one), the external name. */
export function serviceExternalIP(svc: ServiceRowLike, wide: boolean): string {
  const external = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc, wide);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
  }
  return '<unknown>';
}

/** The PORT(S) cell: `80/TCP`, `80:30080/TCP` with a node port, comma-separated. */
export function servicePorts(svc: ServiceRowLike): string {
  return (svc.spec?.ports ?? [])
    .map((p) =>
      p.nodePort && p.nodePort > 0
        ? `${p.port ?? 0}:${p.nodePort}/${p.protocol ?? ''}`
        : `${p.port ?? 0}/${p.protocol ?? ''}`,
    )
    .join(',');
}

/** Services: Name, Type, Cluster-IP, External-IP, Port(s), Age, then wide Selector. */
export const servicePrinter: Printer<ServiceRowLike> = {
  columns: [
    nameColumn(),
    column(
      'Type',
      'string',
      'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
    ),
    column(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
    ),
    column(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.',
    ),
    column(
      'Port(s)',
      'string',
      'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
    ),
    ageColumn(),
    column(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/',
      1,
    ),
  ],
  cells(svc, now) {
    const clusterIPs = svc.spec?.clusterIPs ?? [];
    return [
      svc.metadata?.name ?? '',
      svc.spec?.type ?? '',
      clusterIPs.length > 0 ? clusterIPs[0] : '<none>',
      // kube-apiserver renders every column as for -o wide (the server sends all of them)
      serviceExternalIP(svc, true),
      servicePorts(svc) || '<none>',
      translateTimestampSince(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ];
  },
};
