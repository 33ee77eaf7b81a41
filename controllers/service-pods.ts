/**
 * The pods behind Services: what the endpoints and EndpointSlice controllers share (upstream
 * pkg/controller/util/endpoint and staging/src/k8s.io/endpointslice/util): the resources they use, which pods back
 * a Service, the pod port a Service port leads to, readiness, the services a pod belongs to, and the watch of
 * Services and pods that queues a Service whenever what backs it may have changed (ServicePods).
 */
import type { ControllerContext, Informer, ResourceRef } from './machinery/types.js';
import { RESOURCES } from './machinery/types.js';
import { splitKey } from './machinery/lister.js';
import type { KubeObject } from '../apimachinery/objects.js';
import { rfc3339 } from '../apimachinery/time.js';

export const SERVICES: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  namespaced: true,
};
export const ENDPOINTS: ResourceRef = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  namespaced: true,
};
export const ENDPOINT_SLICES: ResourceRef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  namespaced: true,
};

/** The label of a headless Service's endpoints (v1.IsHeadlessService). */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port?: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string> | null;
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: string[];
    ports?: ServicePort[] | null;
    publishNotReadyAddresses?: boolean;
  };
}

export interface ContainerPort {
  name?: string;
  containerPort?: number;
  protocol?: string;
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    restartPolicy?: string;
    containers?: Array<{ name?: string; ports?: ContainerPort[] }>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: Array<{ ip?: string }>;
    conditions?: Array<{ type?: string; status?: string; lastTransitionTime?: string }>;
  };
}

/**
 * A Service's selector, or undefined when it has none: an empty map is none, as upstream (Go drops an empty
 * `selector` when it stores the Service, so a Service with `selector: {}` reads back without one).
 */
export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/** Whether a label selector given as a map (a Service's) matches the labels. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if ((labels ?? {})[k] !== v) return false;
  return true;
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** ShouldPodBeInEndpoints: not finished, has an IP, and not terminating unless terminating pods are included. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && (pod.status?.podIPs ?? []).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** The pod's IPv4 address, as a single-stack IPv4 Service uses it (podIPs first, podIP otherwise). */
export function podIPv4(pod: Pod): string | undefined {
  const ips = [...(pod.status?.podIPs ?? []).map((p) => p.ip ?? ''), pod.status?.podIP ?? ''].filter(Boolean);
  return ips.find((ip) => !ip.includes(':'));
}

/** FindPort: a numeric targetPort as is; a named one is the container port of that name and the Service port's protocol. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (typeof target !== 'string' || target === '') return undefined;
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return p.containerPort;
    }
  }
  return undefined;
}

/** ShouldSetHostname: the pod names this Service as its subdomain and has a hostname. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return (
    !!pod.spec?.hostname &&
    pod.spec?.subdomain === svc.metadata.name &&
    pod.metadata.namespace === svc.metadata.namespace
  );
}

/** A Service without a cluster IP (headless): its endpoints are labelled as such. */
export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip === undefined || ip === '' || ip === 'None';
}

/** The keys (`namespace/name`) of the Services whose selector matches the pod now or before the change. */
export function servicesOfPod(services: Informer<Service>, pod: Pod, old?: Pod): string[] {
  const out: string[] = [];
  for (const svc of services.lister.list(pod.metadata.namespace ?? '')) {
    const sel = selectorOf(svc);
    if (!sel) continue;
    if (selectorMatches(sel, pod.metadata.labels) || (old && selectorMatches(sel, old.metadata.labels)))
      out.push(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }
  return out;
}

/** Whether a pod change can change endpoints: IPs, readiness, labels, deletion, node, hostname, ports, phase. */
export function podEndpointsChanged(old: Pod, cur: Pod): boolean {
  const view = (p: Pod) =>
    JSON.stringify([
      p.metadata.labels ?? {},
      p.metadata.deletionTimestamp ?? null,
      p.status?.podIP ?? '',
      p.status?.podIPs ?? [],
      p.status?.phase ?? '',
      isPodReady(p),
      p.spec?.nodeName ?? '',
      p.spec?.hostname ?? '',
      p.spec?.subdomain ?? '',
      (p.spec?.containers ?? []).map((c) => c.ports ?? []),
    ]);
  return view(old) !== view(cur);
}

export { addIndexOnce } from './machinery/lister.js';

/**
 * The annotation on Endpoints and EndpointSlices saying when the change that led to their last write happened
 * (v1.EndpointsLastChangeTriggerTime), for whoever measures how long changes take to reach the endpoints.
 */
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** A metav1.Time in ms, or undefined when absent or unreadable. */
function timeOf(t: string | null | undefined): number | undefined {
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The time to put in LAST_CHANGE_TRIGGER_TIME, as upstream's TriggerTimeTracker computes it. It remembers, per
 * Service, the trigger times seen at its last sync: each pod's Ready condition lastTransitionTime and the Service's
 * creationTimestamp. A sync's trigger time is the earliest of those that moved since the last sync; for a Service
 * not seen before (a new one, or after a restart), its creationTimestamp. Undefined when nothing moved (the
 * annotation is then removed on the next write). Like upstream, two changes of one object between syncs count once.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, { service: number | undefined; pods: Map<string, number> }>();

  /** The trigger time (ms) of a sync of the Service with these (selected) pods; remembers them for the next one. */
  compute(svc: Service, pods: readonly Pod[]): number | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const last = this.states.get(key);
    let earliest: number | undefined;
    const seen = (t: number) => {
      if (earliest === undefined || t < earliest) earliest = t;
    };
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const t = timeOf(ready?.lastTransitionTime);
      if (t === undefined) continue;
      podTimes.set(pod.metadata.name ?? '', t);
      if (t > (last?.pods.get(pod.metadata.name ?? '') ?? Number.NEGATIVE_INFINITY)) seen(t);
    }
    const created = timeOf(svc.metadata.creationTimestamp);
    if (created !== undefined && created > (last?.service ?? Number.NEGATIVE_INFINITY)) seen(created);
    this.states.set(key, { service: created, pods: podTimes });
    return last ? earliest : created;
  }

  /** Forgets a Service that is gone. */
  forget(key: string): void {
    this.states.delete(key);
  }
}

/** Sets LAST_CHANGE_TRIGGER_TIME in annotations to a trigger time, or removes it when there is none. */
export function setTriggerTime(annotations: Record<string, string>, triggerTime: number | undefined): void {
  if (triggerTime === undefined) delete annotations[LAST_CHANGE_TRIGGER_TIME];
  else annotations[LAST_CHANGE_TRIGGER_TIME] = rfc3339(triggerTime);
}

/**
 * The Services and pods of a controller whose key is a Service (`namespace/name`), with the event handlers both
 * upstream controllers register: a Service added, changed or deleted queues itself; a pod added or deleted queues the
 * Services whose selector matches it, and a pod changed in a way that can change endpoints (podEndpointsChanged)
 * queues those matching it before or after the change. The informers are the shared ones of the context.
 */
export class ServicePods {
  readonly services: Informer<Service>;
  readonly pods: Informer<Pod>;
  /** This controller's trigger times (each controller keeps its own, as upstream). */
  readonly triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext, enqueue: (serviceKey: string) => void) {
    this.services = ctx.informers.informer<Service>(SERVICES);
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    const enqueueService = (svc: KubeObject) => enqueue(`${svc.metadata.namespace}/${svc.metadata.name}`);
    const enqueuePod = (pod: Pod, old?: Pod) => {
      for (const key of servicesOfPod(this.services, pod, old)) enqueue(key);
    };
    this.services.on({ add: enqueueService, update: (_o, n) => enqueueService(n), delete: enqueueService });
    this.pods.on({
      add: (pod) => enqueuePod(pod),
      update: (old, pod) => {
        if (podEndpointsChanged(old, pod)) enqueuePod(pod, old);
      },
      delete: (pod) => enqueuePod(pod),
    });
  }

  /** The Service of a key as the cache has it; undefined once it is gone. */
  service(key: string): Service | undefined {
    const { namespace, name } = splitKey(key);
    return this.services.lister.get(namespace, name);
  }

  /** The pods of the Service's namespace that its selector (selectorOf) matches, sorted by name. */
  podsOf(svc: Service, selector: Record<string, string>): Pod[] {
    return this.pods.lister
      .list(svc.metadata.namespace ?? '')
      .filter((p) => selectorMatches(selector, p.metadata.labels))
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }
}
