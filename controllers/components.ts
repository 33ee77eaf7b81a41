/**
 * Every component the controller manager runs, in start order. Each engineer adds one line for their
 * component's factory (DaemonSet controller, simulated kubelet, garbage collector, ...).
 */
import { clusterRoleAggregation } from './clusterrole-aggregation/controller.js';
import { daemonSetController } from './daemonset/controller.js';
import { deploymentController } from './deployment/controller.js';
import { endpointsController } from './endpoints/controller.js';
import { endpointSliceController } from './endpointslice/controller.js';
import { garbageCollector } from './garbage-collector/index.js';
import { kubelet } from './kubelet/index.js';
import type { ComponentFactory } from './machinery/types.js';
import { podGC } from './podgc.js';
import { rootCAPublisher } from './root-ca-publisher/controller.js';
import { replicaSetController } from './replicaset/controller.js';
import { scheduler } from './scheduler/index.js';
import { serviceAccountsController } from './serviceaccounts/controller.js';

export const components: ComponentFactory[] = [
  daemonSetController,
  replicaSetController,
  deploymentController,
  scheduler,
  kubelet,
  podGC,
  garbageCollector,
  clusterRoleAggregation,
  serviceAccountsController,
  rootCAPublisher,
  endpointsController,
  endpointSliceController,
];
