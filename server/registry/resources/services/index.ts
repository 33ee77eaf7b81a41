/**
 * Services (core/v1; pkg/registry/core/service): a stable virtual IP (allocated from the service CIDR, see
 * ./allocator.ts) and ports in front of the pods a selector picks; NodePort and LoadBalancer Services also get node
 * ports; headless Services (`clusterIP: None`) and ExternalName Services get no IP. Namespaced, with a status
 * subresource; the DNS-1035 label names of upstream; `svc`, in the `all` category; field selectors on spec.clusterIP
 * and spec.type. Deleting a Service frees what it held and removes its Endpoints.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { nameIsDNS1035Label } from '../../validation/names.js';
import { ServiceAllocators } from './allocator.js';
import { servicePrinter } from './printer.js';
import { defaultService, serviceStrategy, type ServiceSpecLike } from './strategy.js';

export { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR, ServiceAllocators } from './allocator.js';

/** What the Service registry is configured with: kube-apiserver's --service-cluster-ip-range and --service-node-port-range. */
export interface ServiceNetworkOptions {
  serviceClusterIPRange?: string;
  serviceNodePortRange?: string;
}

const specOf = (o: KubeObject) => (o.spec ?? {}) as ServiceSpecLike;

/** The Services resource over its own allocators (one per API server). */
export function servicesResource(
  opts: ServiceNetworkOptions = {},
  alloc = new ServiceAllocators({ serviceCIDR: opts.serviceClusterIPRange, nodePortRange: opts.serviceNodePortRange }),
): ResourceDefinition & { allocators: ServiceAllocators } {
  const { strategy, statusStrategy } = serviceStrategy(alloc);
  return {
    group: '',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    listKind: 'ServiceList',
    namespaced: true,
    etcdPrefix: 'services/specs',
    versions: [
      identityVersion({
        group: '',
        version: 'v1',
        kind: 'Service',
        shortNames: ['svc'],
        categories: ['all'],
        default: defaultService,
      }),
    ],
    strategy,
    statusStrategy,
    fieldSelectors: {
      'spec.clusterIP': (o) => specOf(o).clusterIP ?? '',
      'spec.type': (o) => specOf(o).type ?? '',
    },
    printer: servicePrinter,
    // as kube-apiserver: a DELETE answers with the Service
    returnsDeletedObject: true,
    nameValidator: nameIsDNS1035Label,
    allocators: alloc,
  };
}
