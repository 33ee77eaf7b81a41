// The resources the server serves: one folder each (definition, strategy, versions, printer), enabled by one line
// here. Their order is the core group's discovery order; groups are ordered by Registry.groups().
import type { ResourceDefinition } from '../definition.js';
import type { VirtualResource } from '../virtual/definition.js';
import { selfSubjectAccessReviews } from '../virtual/selfsubjectaccessreviews.js';
import { selfSubjectReviews } from '../virtual/selfsubjectreviews.js';
import { selfSubjectRulesReviews } from '../virtual/selfsubjectrulesreviews.js';
import { configMaps } from './configmaps/index.js';
import { clusterRoleBindings } from './clusterrolebindings/index.js';
import { clusterRoles } from './clusterroles/index.js';
import { controllerRevisions } from './controllerrevisions/index.js';
import { daemonSets } from './daemonsets/index.js';
import { deployments } from './deployments/index.js';
import { endpoints } from './endpoints/index.js';
import { endpointSlices } from './endpointslices/index.js';
import { events } from './events/index.js';
import { leases } from './leases/index.js';
import { namespaces } from './namespaces/index.js';
import { nodes } from './nodes/index.js';
import { pods } from './pods/index.js';
import { replicaSets } from './replicasets/index.js';
import { secrets } from './secrets/index.js';
import { roleBindings } from './rolebindings/index.js';
import { roles } from './roles/index.js';
import { serviceAccounts } from './serviceaccounts/index.js';
import { servicesResource, type ServiceNetworkOptions } from './services/index.js';

/** What resources take from the server's flags (the Service network: --service-cluster-ip-range, ...). */
export type ResourceOptions = ServiceNetworkOptions;

/** Every resource the server stores (a new set per server: Services carry their allocators). */
export function defaultResources(opts: ResourceOptions = {}): ResourceDefinition[] {
  return [
    namespaces,
    nodes,
    pods,
    events,
    configMaps,
    secrets,
    serviceAccounts,
    servicesResource(opts),
    endpoints,
    daemonSets,
    deployments,
    replicaSets,
    controllerRevisions,
    leases,
    clusterRoleBindings,
    clusterRoles,
    roleBindings,
    roles,
    endpointSlices,
  ];
}

/** The resources that are created and answered, never stored: the self-reviews. */
export function defaultVirtualResources(): VirtualResource[] {
  return [selfSubjectReviews, selfSubjectAccessReviews, selfSubjectRulesReviews];
}
