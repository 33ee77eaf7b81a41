/**
 * The simulated kubelet (see kubelet.ts): `kubelet(ctx)` is its component factory.
 */
export { kubelet, SimulatedKubelet, KUBELET_COMPONENT, POD_NODE_INDEX, type KubeletOptions } from './kubelet.js';
export { DEFAULT_TIMINGS, scaledTimings, type KubeletTimings } from './timings.js';
export { NODE_LEASE_NAMESPACE } from './lease.js';
