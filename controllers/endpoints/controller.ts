/**
 * The endpoints controller (upstream pkg/controller/endpoint): keeps one core/v1 Endpoints per Service with a
 * selector, named like the Service, listing the IPs of the pods the selector matches: ready pods in `addresses`, the
 * others in `notReadyAddresses` (all of them in `addresses` with `publishNotReadyAddresses`), each with its node and
 * a reference to the pod, and the ports resolved per pod (a named targetPort is looked up in the pod's containers; a
 * pod without that port is left out of that port). Addresses sharing the same ports share a subset. The Endpoints
 * carry the Service's labels (plus `service.kubernetes.io/headless` for headless Services); at most 1000 addresses are
 * kept, the rest cut off with the `endpoints.kubernetes.io/over-capacity: truncated` annotation. A Service that is
 * gone takes its Endpoints with it; one without selector is left to whoever writes its Endpoints.
 */
import { isAlreadyExists, isConflict, isNotFound } from '../machinery/client.js';
import { isAbortError } from '../machinery/clock.js';
import { runWorkers } from '../machinery/controller.js';
import { splitKey } from '../machinery/lister.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import type { Component, ControllerContext, Controller, Informer, Logger, WorkQueue } from '../machinery/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import {
  ENDPOINTS,
  findPort,
  HEADLESS_LABEL,
  isHeadless,
  isPodReady,
  podIPv4,
  selectorOf,
  ServicePods,
  setTriggerTime,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  type Pod,
  type Service,
} from '../service-pods.js';

export const ENDPOINTS_COMPONENT = 'endpoint-controller';
/** maxCapacity: addresses an Endpoints object keeps. */
export const MAX_ENDPOINTS_CAPACITY = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
/** How long to wait for the informer when the server knows a newer Endpoints than the cache. */
const STALE_RETRY_MS = 200;

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

export interface Endpoints extends KubeObject {
  subsets?: EndpointSubset[];
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}\u0000${p.port}\u0000${p.protocol}\u0000${p.appProtocol ?? ''}`;

/**
 * RepackSubsets: addresses offering the same set of ports go in one subset; addresses sorted by IP (then pod uid),
 * ports by name and number, subsets by their ports. A pod ready for some ports and not others lands in two subsets.
 */
export function repackSubsets(
  entries: Array<{ address: EndpointAddress; ready: boolean; port?: EndpointPort }>,
): EndpointSubset[] {
  const addrKey = (a: EndpointAddress, ready: boolean) =>
    `${ready ? 'r' : 'n'}\u0000${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
  const byAddr = new Map<string, { address: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const e of entries) {
    const k = addrKey(e.address, e.ready);
    let rec = byAddr.get(k);
    if (!rec) byAddr.set(k, (rec = { address: e.address, ready: e.ready, ports: new Map() }));
    if (e.port) rec.ports.set(portKey(e.port), e.port);
  }
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const rec of byAddr.values()) {
    const ports = [...rec.ports.values()].sort(
      (a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol),
    );
    const k = ports.map(portKey).join('\u0001');
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }));
    (rec.ready ? g.ready : g.notReady).push(rec.address);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress) =>
    compareIP(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(byIP);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIP);
      if (g.ports.length) s.ports = g.ports;
      return s;
    });
}

/** Orders IPv4 addresses numerically (strings otherwise). */
function compareIP(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every((n) => !Number.isNaN(n)) && pb.every((n) => !Number.isNaN(n))) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The address of a pod for a Service (podToEndpointAddressForService). */
export function podAddress(pod: Pod, svc: Service, ip: string): EndpointAddress {
  const a: EndpointAddress = { ip };
  if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  return a;
}

/** The subsets a Service's Endpoints should have for these pods. */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const entries: Array<{ address: EndpointAddress; ready: boolean; port?: EndpointPort }> = [];
  const headlessWithoutPorts = (svc.spec?.ports ?? []).length === 0 && svc.spec?.clusterIP === 'None';
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const address = podAddress(pod, svc, ip);
    const ready = tolerateUnready || isPodReady(pod);
    if (headlessWithoutPorts) {
      entries.push({ address, ready });
      continue;
    }
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      if (!ep.name) delete ep.name;
      entries.push({ address, ready, port: ep });
    }
  }
  return repackSubsets(entries);
}

/** Keeps at most MAX_ENDPOINTS_CAPACITY addresses, ready ones first; true when some were cut. */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  let total = 0;
  for (const s of subsets) total += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  if (total <= MAX_ENDPOINTS_CAPACITY) return false;
  let room = MAX_ENDPOINTS_CAPACITY;
  for (const s of subsets) {
    const keep = Math.min(room, s.addresses?.length ?? 0);
    if (s.addresses) s.addresses = s.addresses.slice(0, keep);
    room -= keep;
  }
  for (const s of subsets) {
    const keep = Math.min(room, s.notReadyAddresses?.length ?? 0);
    if (s.notReadyAddresses) s.notReadyAddresses = s.notReadyAddresses.slice(0, keep);
    room -= keep;
  }
  for (const s of subsets) {
    if (s.addresses?.length === 0) delete s.addresses;
    if (s.notReadyAddresses?.length === 0) delete s.notReadyAddresses;
  }
  const kept = subsets.filter((s) => s.addresses || s.notReadyAddresses);
  subsets.splice(0, subsets.length, ...kept);
  return true;
}

const json = (v: unknown) => JSON.stringify(v ?? null);

export class EndpointsController implements Component, Controller {
  readonly name = ENDPOINTS_COMPONENT;
  readonly queue: WorkQueue;
  /** The Services and their pods, watched (shared with the EndpointSlice controller's code: ../service-pods.ts). */
  readonly watched: ServicePods;
  readonly endpoints: Informer<Endpoints>;
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: { queue?: WorkQueue } = {},
  ) {
    this.log = ctx.log.child({ controller: ENDPOINTS_COMPONENT });
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'endpoint', log: this.log });
    this.watched = new ServicePods(ctx, (key) => this.queue.add(key));
    this.endpoints = ctx.informers.informer<Endpoints>(ENDPOINTS);
    // An Endpoints deleted (or changed) by someone else is put back.
    this.endpoints.on({ update: (_o, ep) => this.enqueueIfService(ep), delete: (ep) => this.enqueueIfService(ep) });
  }

  private enqueueIfService(ep: KubeObject): void {
    const key = `${ep.metadata.namespace}/${ep.metadata.name}`;
    if (this.watched.service(key)) this.queue.add(key);
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted && isAbortError(err)) return;
      throw err;
    }
    // Endpoints whose Service is gone (deleted while the controller was down) are removed.
    for (const ep of this.endpoints.lister.list()) {
      if (
        !this.watched.service(`${ep.metadata.namespace}/${ep.metadata.name}`) &&
        ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] !== 'true'
      ) {
        this.queue.add(`${ep.metadata.namespace}/${ep.metadata.name}`);
      }
    }
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** syncService: the Endpoints of one Service made to match its pods. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.watched.service(key);
    if (!svc) {
      // The Service is gone: so are its Endpoints (unless the API server keeps them, as for `kubernetes`).
      this.watched.triggerTimes.forget(key);
      const ep = this.endpoints.lister.get(namespace, name);
      if (!ep || ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'] === 'true') return;
      try {
        await this.ctx.client.delete(ENDPOINTS, namespace, name, { preconditions: { uid: ep.metadata.uid } });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      return;
    }
    const selector = selectorOf(svc);
    if (!selector) return;
    const pods = this.watched.podsOf(svc, selector);
    const triggerTime = this.watched.triggerTimes.compute(svc, pods);
    const subsets = desiredSubsets(svc, pods);
    const truncated = truncateSubsets(subsets);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const current = this.endpoints.lister.get(namespace, name);
    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (
      current &&
      json(current.subsets ?? []) === json(subsets) &&
      json(current.metadata.labels ?? {}) === json(labels) &&
      json(current.metadata.annotations ?? {}) === json(annotations)
    ) {
      return;
    }
    const body: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current ? structuredClone(current.metadata) : { name, namespace }), labels },
    };
    if (subsets.length) body.subsets = subsets;
    // When the change behind this write happened, set only when the Endpoints are written (as upstream).
    setTriggerTime(annotations, triggerTime);
    if (Object.keys(annotations).length) body.metadata.annotations = annotations;
    else delete body.metadata.annotations;
    try {
      if (current) await this.ctx.client.update(ENDPOINTS, namespace, body);
      else await this.ctx.client.create(ENDPOINTS, namespace, body);
    } catch (err) {
      // A cache behind the server: look again once the informer has caught up.
      if (isAlreadyExists(err) || isConflict(err)) {
        this.queue.addAfter(key, STALE_RETRY_MS);
        return;
      }
      if (isNotFound(err) && !current) return; // the namespace is going away
      throw err;
    }
  }
}

export function endpointsController(ctx: ControllerContext): Component {
  return new EndpointsController(ctx);
}
