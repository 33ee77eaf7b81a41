/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice and the reconciler of k8s.io/endpointslice):
 * for every Service with a selector (ExternalName excepted) it keeps the discovery.k8s.io/v1 EndpointSlices labelled
 * `kubernetes.io/service-name=<service>` and `endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io`,
 * owned by the Service (the garbage collector removes them with it). Each pod that matches the selector and has an
 * IP becomes an endpoint: its address, conditions (ready = serving and not terminating, or always with
 * publishNotReadyAddresses; serving = the pod's Ready condition; terminating = being deleted), node, zone, hostname
 * and a reference to the pod. Endpoints with the same resolved ports share slices of at most 100; existing slices
 * are kept and filled before new ones are made; a Service without endpoints keeps one empty placeholder slice.
 * Writes the informer has not seen yet are remembered, so a sync never works from a stale cache (no duplicates).
 */
import { isConflict, isNotFound } from '../machinery/client.js';
import { isAbortError } from '../machinery/clock.js';
import { runWorkers } from '../machinery/controller.js';
import { splitKey } from '../machinery/lister.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import {
  RESOURCES,
  type Component,
  type Controller,
  type ControllerContext,
  type Informer,
  type Logger,
  type WorkQueue,
} from '../machinery/types.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import {
  addIndexOnce,
  ENDPOINT_SLICES,
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

export const ENDPOINTSLICE_COMPONENT = 'endpointslice-controller';
/** The value of `endpointslice.kubernetes.io/managed-by` on the slices this controller owns. */
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** kube-controller-manager's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const BY_SERVICE_INDEX = 'endpointslice-service';
/** How long to wait for the informer to show this controller's own writes. */
const STALE_RETRY_MS = 200;

export interface SlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
  zone?: string;
}

export interface EndpointSlice extends KubeObject {
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

interface Node extends KubeObject {}

const json = (v: unknown) => JSON.stringify(v ?? null);
const endpointKey = (e: SliceEndpoint) => `${e.targetRef?.uid ?? ''}/${e.addresses.join(',')}`;
const portsKey = (ports: SlicePort[] | null | undefined) => json(ports ?? []);

/** podToEndpoint: one pod as an endpoint of a Service. */
export function podToEndpoint(pod: Pod, svc: Service, ip: string, node: Node | undefined): SliceEndpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: SliceEndpoint = {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  return ep;
}

/** getEndpointPorts: the Service's ports as this pod serves them (ports it cannot resolve are left out). */
export function endpointPorts(svc: Service, pod: Pod): SlicePort[] {
  const out: SlicePort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', protocol: sp.protocol ?? 'TCP', port };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** The labels of a Service's slices: the Service's own, the headless marker, and the two reserved labels. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== HEADLESS_LABEL) labels[k] = v;
  }
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

/** The generateName of a Service's slices: `<service>-`, or `endpointslice-` when that would be too long. */
export function slicePrefix(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return prefix.length <= 58 ? prefix : 'endpointslice-';
}

/** A plan of writes for one Service. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/**
 * The reconciler: given the desired endpoints grouped by their ports and the existing slices, the slices to create,
 * update and delete. Endpoints stay in the slice they are in; new ones fill existing slices with room first.
 */
export function planSlices(
  svc: Service,
  desired: Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>,
  existing: EndpointSlice[],
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const labels = sliceLabels(svc);
  const owner = {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata.name ?? '',
    uid: svc.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const metaOK = (s: EndpointSlice) =>
    json(s.metadata.labels ?? {}) === json(labels) && json(s.metadata.ownerReferences ?? []) === json([owner]);
  const withMeta = (s: EndpointSlice): EndpointSlice => ({
    ...s,
    metadata: { ...structuredClone(s.metadata), labels: { ...labels }, ownerReferences: [{ ...owner }] },
  });
  const sorted = [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const total = [...desired.values()].reduce((n, g) => n + g.endpoints.length, 0);

  if (total === 0) {
    // one placeholder slice (no ports, no endpoints) stands for a Service without endpoints
    const keep = sorted.find((s) => s.addressType === 'IPv4');
    for (const s of sorted) if (s !== keep) plan.delete.push(s);
    if (!keep) {
      plan.create.push(newSlice(svc, labels, owner, [], []));
    } else if ((keep.endpoints ?? []).length !== 0 || (keep.ports ?? []).length !== 0 || !metaOK(keep)) {
      const s = withMeta(keep);
      s.endpoints = [];
      delete s.ports;
      plan.update.push(s);
    }
    return plan;
  }

  const placed = new Set<string>();
  const open: Map<string, EndpointSlice[]> = new Map();
  for (const s of sorted) {
    const group = desired.get(portsKey(s.ports));
    if (s.addressType !== 'IPv4' || !group) {
      plan.delete.push(s);
      continue;
    }
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const kept: SliceEndpoint[] = [];
    for (const e of s.endpoints ?? []) {
      const k = endpointKey(e);
      const d = want.get(k);
      if (d && !placed.has(k) && kept.length < MAX_ENDPOINTS_PER_SLICE) {
        kept.push(d);
        placed.add(k);
      }
    }
    const next = withMeta(s);
    next.endpoints = kept;
    const list = open.get(portsKey(s.ports)) ?? [];
    list.push(next);
    open.set(portsKey(s.ports), list);
  }
  for (const [key, group] of desired) {
    const slices = open.get(key) ?? [];
    const rest = group.endpoints.filter((e) => !placed.has(endpointKey(e)));
    for (const s of slices) {
      while (rest.length > 0 && s.endpoints!.length < MAX_ENDPOINTS_PER_SLICE) s.endpoints!.push(rest.shift()!);
    }
    while (rest.length > 0)
      plan.create.push(newSlice(svc, labels, owner, group.ports, rest.splice(0, MAX_ENDPOINTS_PER_SLICE)));
    for (const s of slices) {
      const before = existing.find((x) => x.metadata.name === s.metadata.name)!;
      if (s.endpoints!.length === 0) plan.delete.push(before);
      else if (json(before.endpoints ?? []) !== json(s.endpoints) || !metaOK(before)) plan.update.push(s);
    }
  }
  return plan;
}

function newSlice(
  svc: Service,
  labels: Record<string, string>,
  owner: Record<string, unknown>,
  ports: SlicePort[],
  endpoints: SliceEndpoint[],
): EndpointSlice {
  const s: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata.name ?? ''),
      namespace: svc.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [owner as never],
    },
    addressType: 'IPv4',
    endpoints,
  };
  if (ports.length) s.ports = ports;
  return s;
}

/** Writes made by this controller that the informer has not shown yet, per Service: slice name → RV, or deleted. */
class SliceTracker {
  private readonly pending = new Map<string, Map<string, string | 'deleted'>>();

  expect(service: string, slice: string, rv: string | 'deleted'): void {
    let m = this.pending.get(service);
    if (!m) this.pending.set(service, (m = new Map()));
    m.set(slice, rv);
  }

  /** Whether the informer has caught up with every write made for the Service (forgetting those it has). */
  caughtUp(service: string, get: (name: string) => EndpointSlice | undefined): boolean {
    const m = this.pending.get(service);
    if (!m) return true;
    for (const [name, rv] of m) {
      const cur = get(name);
      const seen = rv === 'deleted' ? !cur : !!cur && Number(cur.metadata.resourceVersion ?? 0) >= Number(rv);
      if (seen) m.delete(name);
    }
    if (m.size === 0) this.pending.delete(service);
    return m.size === 0;
  }

  forget(service: string): void {
    this.pending.delete(service);
  }
}

export class EndpointSliceController implements Component, Controller {
  readonly name = ENDPOINTSLICE_COMPONENT;
  readonly queue: WorkQueue;
  /** The Services and their pods, watched (shared with the endpoints controller's code: ../service-pods.ts). */
  readonly watched: ServicePods;
  readonly nodes: Informer<Node>;
  readonly slices: Informer<EndpointSlice>;
  private readonly tracker = new SliceTracker();
  private readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: { queue?: WorkQueue } = {},
  ) {
    this.log = ctx.log.child({ controller: ENDPOINTSLICE_COMPONENT });
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'endpoint_slice', log: this.log });
    this.watched = new ServicePods(ctx, (key) => this.queue.add(key));
    this.nodes = ctx.informers.informer<Node>(RESOURCES.nodes);
    this.slices = ctx.informers.informer<EndpointSlice>(ENDPOINT_SLICES);
    addIndexOnce(this.slices, BY_SERVICE_INDEX, (s) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME ? [`${s.metadata.namespace}/${svc}`] : [];
    });
    const enqueueSlice = (s: EndpointSlice) => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME)
        this.queue.add(`${s.metadata.namespace}/${svc}`);
    };
    this.slices.on({ add: enqueueSlice, update: (_o, s) => enqueueSlice(s), delete: enqueueSlice });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.informers.waitForSync(signal);
    } catch (err) {
      if (signal.aborted && isAbortError(err)) return;
      throw err;
    }
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
  }

  /** syncService: the Service's slices made to match its pods. */
  async sync(key: string): Promise<void> {
    const { namespace } = splitKey(key);
    const svc = this.watched.service(key);
    if (!svc) {
      // its slices are owned by it: the garbage collector removes them
      this.tracker.forget(key);
      this.watched.triggerTimes.forget(key);
      return;
    }
    const selector = selectorOf(svc);
    if (svc.spec?.type === 'ExternalName' || !selector) return;
    const existing = this.slices.lister.byIndex(BY_SERVICE_INDEX, key);
    if (!this.tracker.caughtUp(key, (n) => this.slices.lister.get(namespace, n))) {
      this.queue.addAfter(key, STALE_RETRY_MS);
      return;
    }
    const desired = new Map<string, { ports: SlicePort[]; endpoints: SliceEndpoint[] }>();
    const pods = this.watched.podsOf(svc, selector);
    const triggerTime = this.watched.triggerTimes.compute(svc, pods);
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ip = podIPv4(pod);
      if (!ip) continue;
      const ports = endpointPorts(svc, pod);
      const k = portsKey(ports);
      let group = desired.get(k);
      if (!group) desired.set(k, (group = { ports, endpoints: [] }));
      group.endpoints.push(
        podToEndpoint(
          pod,
          svc,
          ip,
          pod.spec?.nodeName ? this.nodes.lister.get(undefined, pod.spec.nodeName) : undefined,
        ),
      );
    }
    const plan = planSlices(svc, desired, existing);
    // Every slice written says when the change behind the write happened (upstream's finalize).
    for (const s of [...plan.create, ...plan.update]) {
      const annotations = { ...(s.metadata.annotations ?? {}) };
      setTriggerTime(annotations, triggerTime);
      if (Object.keys(annotations).length) s.metadata.annotations = annotations;
      else delete s.metadata.annotations;
    }
    const client = this.ctx.client;
    try {
      for (const s of plan.create) {
        const created = await client.create(ENDPOINT_SLICES, namespace, s);
        this.tracker.expect(key, created.metadata.name ?? '', created.metadata.resourceVersion ?? '0');
      }
      for (const s of plan.update) {
        const updated = await client.update(ENDPOINT_SLICES, namespace, s);
        this.tracker.expect(key, updated.metadata.name ?? '', updated.metadata.resourceVersion ?? '0');
      }
      for (const s of plan.delete) {
        try {
          await client.delete(ENDPOINT_SLICES, namespace, s.metadata.name ?? '', {
            preconditions: { uid: s.metadata.uid },
          });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
        this.tracker.expect(key, s.metadata.name ?? '', 'deleted');
      }
    } catch (err) {
      if (isConflict(err)) {
        this.queue.addAfter(key, STALE_RETRY_MS);
        return;
      }
      if (isNotFound(err) && plan.create.length > 0) return; // the namespace is going away
      throw err;
    }
  }
}

export function endpointSliceController(ctx: ControllerContext): Component {
  return new EndpointSliceController(ctx);
}
