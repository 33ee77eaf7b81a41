/**
 * Every component the controller manager runs, in start order. Each engineer adds one line for their
 * component's factory (DaemonSet controller, simulated kubelet, garbage collector, ...).
 */
import { daemonSetController } from './daemonset/controller.js';
import { garbageCollector } from './garbage-collector/index.js';
import { kubelet } from './kubelet/index.js';
import type { ComponentFactory } from './machinery/types.js';
import { podGC } from './podgc.js';
import { serviceAccountsController } from './serviceaccounts/controller.js';

export const components: ComponentFactory[] = [
  daemonSetController,
  kubelet,
  podGC,
  garbageCollector,
  serviceAccountsController,
];
