/**
 * The simulated kubelet: one component that plays every Node. It registers nodes (default labels, a pod
 * CIDR), posts their status and heartbeats (Lease every 10 s, node status every 5 minutes, in real time), and runs the
 * pods bound to them through Pending, ContainerCreating and Running (or ErrImagePull / ImagePullBackOff),
 * restarts containers whose image changed, and finishes graceful deletion. Three queues, each with workers of its
 * own: pods (key `<namespace>/<name>`; timed transitions re-queue their key with addAfter), Lease renewals and node
 * status syncs (both keyed by the node's name). Thousands of heartbeats (a Lease every 10 s; a node status every 5
 * minutes, 333 PUTs a second at 100,000 nodes) never hold up a pod's start: when the server falls behind, they wait,
 * not the pods.
 * Writes happen only when something changed; status goes through PUT `/status` with the resourceVersion read.
 * Each container instance keeps a bounded log (log-store.ts), served over HTTP as a kubelet serves
 * `/containerLogs/...` (log-server.ts) by one server for every node, which the nodes report in their status.
 */
import type { KubeObject } from '../../apimachinery/objects.js';
import { isConflict, isNotFound } from '../machinery/client.js';
import { runWorkers } from '../machinery/controller.js';
import { cachedString } from '../machinery/informer.js';
import { addIndexOnce } from '../machinery/lister.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import {
  RESOURCES,
  type ApiClient,
  type Clock,
  type Component,
  type Controller,
  type ControllerContext,
  type Informer,
  type Logger,
  type NodeRegistration,
  type WorkQueue,
} from '../machinery/types.js';
import { nodeManifest } from '../machinery/nodes.js';
import {
  allocatePodIP,
  IndexAllocator,
  MAX_PODS,
  maxPodsIn,
  NODE_IP_COUNT,
  nodeIPAt,
  POD_CIDR_COUNT,
  podCIDRAt,
} from './ids.js';
import { LeaseRenewer } from './lease.js';
import type { ContainerLog, LogLimits } from './log-buffer.js';
import { KubeletLogServer, type KubeletLogBackend, type KubeletServerOptions } from './log-server.js';
import { PodLogStore } from './log-store.js';
import {
  internalIPOf,
  lastHeartbeat,
  planNodeStatus,
  registrationPatch,
  type KubeletEndpoint,
  type Node,
} from './node-status.js';
import {
  advancePod,
  defaultPullFails,
  newPodRecord,
  type Pod,
  type PodRecord,
  type RuntimeEnv,
} from './pod-runtime.js';
import { desiredPodStatus, recordFromStatus, statusChanged, waitingPodStatus } from './pod-status.js';
import { scaledTimings, type KubeletTimings } from './timings.js';

/** The component name, the event source component and the name in logs. */
export const KUBELET_COMPONENT = 'kubelet';
/**
 * The fewest concurrent syncs of the simulated kubelet: it plays every node, and each real node has a kubelet
 * of its own, so a controller's two workers would make a thousand nodes wait in one line (a sync is a round
 * trip to the API server: a worker spends it waiting, not computing).
 */
export const KUBELET_MIN_WORKERS = 64;
/** Concurrent Lease renewals (a renewal is one round trip; 8 renew some hundreds a second). */
export const LEASE_WORKERS = 8;
/**
 * How long a due Lease renewal waits while the process is busy before it looks again. The simulated kubelets share
 * one process and one server with the controllers: a thousand first Leases written while a DaemonSet's pods are
 * created and started would make those wait (a fifth of the requests of a 1,000-node DaemonSet's start). So a due
 * renewal gives way to a burst of the components' requests, 10 s at most (LeaseRenewer.mayWait: the Lease is never
 * more than half expired for it), and a busy stretch longer than that renews every 20 s instead of 10.
 */
export const LEASE_BUSY_RETRY_MS = 200;
/**
 * Concurrent node status syncs. Most syncs write nothing (the status is current and its heartbeat not due); the
 * writes are a registration's status or a heartbeat, one per node every 5 minutes, which 4 workers keep up with
 * while the server has room and which wait, not the pods, when it has none.
 */
export const NODE_STATUS_WORKERS = 4;
/** The pod index by `spec.nodeName` (shared with the pod GC). */
export const POD_NODE_INDEX = 'spec.nodeName';

/** Knobs for tests and the manager. */
export interface KubeletOptions {
  /** Timings before `speed` (defaults: DEFAULT_TIMINGS). */
  timings?: Partial<KubeletTimings>;
  /** Which images fail to pull (default: tag `non-existent`). */
  pullFails?: (image: string) => boolean;
  queue?: WorkQueue;
  /** Concurrent syncs (default: the context's workers, at least KUBELET_MIN_WORKERS). */
  workers?: number;
  /** Serve container logs (default: as the context's kubeletServer says; absent there, no server). */
  serve?: KubeletServerOptions;
  /** What one container instance's log holds (default: DEFAULT_LOG_LIMITS). */
  logLimits?: LogLimits;
}

/** The `spec.nodeName` index function. */
export function podNodeName(pod: KubeObject): string[] {
  const n = (pod as Pod).spec?.nodeName;
  return n ? [n] : [];
}

/** What the kubelet keeps of a pod it runs: the runtime's record, and what it wrote of the pod's status. */
interface KubeletPodRecord extends PodRecord {
  nodeName: string;
  /** Since when (ms) a changed status waits to be written with the next transition (see statusBatchMs). */
  statusDueSince?: number;
  /**
   * The last status write, until the informer shows it: the resourceVersion it was based on, and what the server
   * answered (its resourceVersion and status). A pod the informer still shows at `basedOn` is updated from this, not
   * from the stale copy (which would only conflict).
   */
  written?: { basedOn: string; resourceVersion: string; status: Pod['status'] };
}

/**
 * The kubelet's record of the runtime's: every member set in one literal, so all records share one shape and keep
 * their members in the object (members added to a made object go to a second array; a spread copy got a hidden
 * class of its own in V8).
 */
function kubeletRecord(r: PodRecord, nodeName: string): KubeletPodRecord {
  return {
    uid: r.uid,
    seenAt: r.seenAt,
    sandboxAt: r.sandboxAt,
    podIP: r.podIP,
    containers: r.containers,
    killingAt: r.killingAt,
    hadRunning: r.hadRunning,
    nodeName,
    statusDueSince: undefined,
    written: undefined,
  };
}

interface NodeState {
  registered: boolean;
  images: Set<string>;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/** The simulated kubelet of every node. Construct with the context (registers informers and handlers). */
export class SimulatedKubelet implements Component, Controller, KubeletLogBackend {
  readonly name = KUBELET_COMPONENT;
  readonly queue: WorkQueue;
  /** Lease renewals, keyed by node name. */
  readonly leaseQueue: WorkQueue;
  /** Node status syncs, keyed by node name. */
  readonly nodeQueue: WorkQueue;
  readonly timings: KubeletTimings;
  readonly nodes: Informer<Node>;
  readonly pods: Informer<Pod>;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leases: LeaseRenewer;
  private readonly records = new Map<string, KubeletPodRecord>();
  private readonly nodeStates = new Map<string, NodeState>();
  private readonly nodeIPs = new IndexAllocator(nodeIPAt, NODE_IP_COUNT);
  private readonly podCIDRs = new IndexAllocator(podCIDRAt, POD_CIDR_COUNT);
  private readonly pullFails: (image: string) => boolean;
  private readonly workers: number;
  /** Container logs of the pods this kubelet runs. */
  readonly logs: PodLogStore;
  private readonly serveOptions?: KubeletServerOptions;
  private server?: KubeletLogServer;
  private serverStarted?: Promise<void>;
  /** Where the log server listens, once it does (reported in every node's status). */
  private endpoint?: KubeletEndpoint;

  constructor(
    private readonly ctx: ControllerContext,
    opts: KubeletOptions = {},
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log.child({ component: KUBELET_COMPONENT });
    this.timings = scaledTimings(ctx.speed, opts.timings);
    this.pullFails = opts.pullFails ?? defaultPullFails;
    this.workers = opts.workers ?? Math.max(ctx.workers, KUBELET_MIN_WORKERS);
    this.logs = new PodLogStore(opts.logLimits);
    this.serveOptions = opts.serve ?? ctx.kubeletServer;
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: KUBELET_COMPONENT, log: this.log });
    this.leaseQueue = new RateLimitingQueue({ clock: ctx.clock, name: `${KUBELET_COMPONENT}-lease`, log: this.log });
    this.nodeQueue = new RateLimitingQueue({ clock: ctx.clock, name: `${KUBELET_COMPONENT}-node`, log: this.log });
    this.leases = new LeaseRenewer(ctx.background?.client ?? ctx.client, this.timings);
    this.nodes = ctx.informers.informer<Node>(RESOURCES.nodes);
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    addIndexOnce(this.pods, POD_NODE_INDEX, podNodeName);
    this.nodes.on({
      add: (n) => this.nodeChanged(n, true),
      update: (_old, n) => this.nodeChanged(n, false),
      delete: (n) => this.nodeChanged(n, true),
    });
    this.pods.on({
      add: (p) => this.podChanged(p),
      update: (_old, p) => this.podChanged(p),
      delete: (p) => this.podChanged(p),
    });
  }

  /** Starts the log server (when serving), waits for the caches, then syncs keys until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.startServer(signal);
      await this.ctx.informers.waitForSync(signal);
      const leases = {
        name: `${KUBELET_COMPONENT}-lease`,
        sync: (name: string, signal?: AbortSignal) => this.syncLease(name, signal),
      };
      const nodes = { name: `${KUBELET_COMPONENT}-node`, sync: (name: string) => this.syncNode(name) };
      await Promise.all([
        runWorkers(this, this.queue, this.workers, signal, this.log),
        runWorkers(leases, this.leaseQueue, LEASE_WORKERS, signal, this.log),
        runWorkers(nodes, this.nodeQueue, NODE_STATUS_WORKERS, signal, this.log),
      ]);
    } finally {
      await this.server?.close();
      for (const key of this.logs.keys()) this.logs.drop(key);
    }
  }

  /** Starts the log server once (when serving): before the nodes are registered, which report where it listens. */
  private startServer(signal: AbortSignal): Promise<void> {
    this.serverStarted ??= (async () => {
      if (!this.serveOptions || signal.aborted) return;
      const server = new KubeletLogServer(this, this.serveOptions);
      const port = await server.start();
      this.server = server;
      this.endpoint = { address: this.serveOptions.address, port };
      this.log.info({ address: this.serveOptions.address, port }, 'kubelet server listening');
    })();
    return this.serverStarted;
  }

  /**
   * How the node pool registers a node, as a kubelet does: its first POST carries the default labels, a pod CIDR
   * and the whole status (capacity, allocatable, addresses, nodeInfo, the kubelet endpoint, conditions with Ready
   * True), so a node costs no status update nor pod CIDR patch after its create; NodeReady is recorded on the
   * answer. Starts the log server first (its address and port are in the status).
   */
  async nodeRegistration(signal: AbortSignal): Promise<NodeRegistration> {
    await this.startServer(signal);
    return {
      existing: (nodes) => {
        for (const n of nodes) this.claimKnown(n as Node);
      },
      manifest: (name) => {
        const podCIDR = this.podCIDRs.allocate(name);
        const node: Node = { ...nodeManifest(name), spec: { podCIDR, podCIDRs: [podCIDR] } };
        // a node whose pod CIDR holds fewer IPs than MAX_PODS says so in its capacity, as a kubelet started with
        // --max-pods to match does
        const maxPods = maxPodsIn(podCIDR);
        if (maxPods < MAX_PODS) node.status = { capacity: { pods: String(maxPods) } };
        node.status = planNodeStatus(node, this.nodeIPs.allocate(name), this.clock.now(), true, this.endpoint).status;
        return node;
      },
      created: (node) => {
        const name = node.metadata.name ?? '';
        const state = this.nodeStates.get(name);
        if (state) state.registered = true;
        else this.nodeStates.set(name, { registered: true, images: new Set() });
        this.ctx
          .recorder(KUBELET_COMPONENT, name)
          .event(node, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
      },
      failed: (name) => {
        if (this.nodes.lister.get(undefined, name)) return; // another node of that name: its values stay claimed
        this.nodeIPs.release(name);
        this.podCIDRs.release(name);
      },
    };
  }

  /** Where the log server listens (undefined when not serving). */
  get serverEndpoint(): KubeletEndpoint | undefined {
    return this.endpoint;
  }

  /** Log reads the server is answering now. */
  get activeLogStreams(): number {
    return this.server?.activeStreams ?? 0;
  }

  // KubeletLogBackend: what the log server asks.

  /** A pod bound to a node this kubelet runs. */
  pod(namespace: string, name: string): Pod | undefined {
    const pod = this.pods.lister.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    return pod && nodeName && this.nodes.lister.get(undefined, nodeName) ? pod : undefined;
  }

  /** The status this kubelet holds for the pod: from its record; before the pod started, containers waiting. */
  podStatus(pod: Pod): Record<string, any> {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const rec = this.records.get(key);
    const now = this.clock.now();
    if (rec && rec.uid === pod.metadata.uid && rec.sandboxAt !== undefined)
      return desiredPodStatus(pod, rec, { hostIP: '' }, now) ?? {};
    if (!rec && Array.isArray(pod.status?.containerStatuses)) return pod.status;
    return waitingPodStatus(pod);
  }

  containerLog(pod: Pod, container: string, containerID: string): ContainerLog | undefined {
    return this.logs.find(`${pod.metadata.namespace}/${pod.metadata.name}`, pod.metadata.uid, container, containerID);
  }

  now(): number {
    return this.clock.now();
  }

  private nodeChanged(node: Node, withPods: boolean): void {
    const name = node.metadata.name ?? '';
    this.claimKnown(node);
    this.nodeQueue.add(name);
    if (!withPods) return;
    this.leases.seen(name, this.clock.now());
    this.leaseQueue.add(name);
    for (const p of this.pods.lister.byIndex(POD_NODE_INDEX, name)) this.podChanged(p);
  }

  private podChanged(pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (pod.spec?.nodeName || this.records.has(key)) this.queue.add(key);
  }

  /** One pod, by its key `<namespace>/<name>` (what the kubelet's queue holds). */
  sync(key: string): Promise<void> {
    return this.syncPod(key);
  }

  /**
   * Claims the InternalIP and pod CIDR a node already has, as soon as the informer shows it (before any sync), so
   * that a value allocated for another node never collides with it.
   */
  private claimKnown(n: Node): void {
    const name = n.metadata.name ?? '';
    const ip = internalIPOf(n);
    if (ip && this.nodeIPs.get(name) === undefined) this.nodeIPs.claim(name, ip);
    const cidr = n.spec?.podCIDR;
    if (cidr && this.podCIDRs.get(name) === undefined) this.podCIDRs.claim(name, cidr);
  }

  /** The node's InternalIP: the one its status reports, else one allocated for it. */
  private internalIP(node: Node): string {
    const name = node.metadata.name ?? '';
    const ip = internalIPOf(node);
    if (ip) {
      this.nodeIPs.claim(name, ip);
      return ip;
    }
    return this.nodeIPs.allocate(name);
  }

  /** The node's pod CIDR: its spec's, else one allocated for it (patched on registration). */
  private podCIDR(node: Node): string {
    const name = node.metadata.name ?? '';
    const cidr = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
    if (cidr) {
      this.podCIDRs.claim(name, cidr);
      return cidr;
    }
    return this.podCIDRs.allocate(name);
  }

  private async syncNode(name: string): Promise<void> {
    const node = this.nodes.lister.get(undefined, name);
    if (!node) {
      this.nodeStates.delete(name);
      this.nodeIPs.release(name);
      this.podCIDRs.release(name);
      this.leases.forget(name);
      return;
    }
    let state = this.nodeStates.get(name);
    if (!state) this.nodeStates.set(name, (state = { registered: false, images: new Set() }));
    const podCIDR = this.podCIDR(node);
    const ip = this.internalIP(node);
    let current: Node = node;
    if (!state.registered) {
      const patch = registrationPatch(node, podCIDR);
      if (patch) current = await this.client.patch<Node>(RESOURCES.nodes, undefined, name, 'merge', patch);
      state.registered = true;
    }
    for (let attempt = 0; ; attempt++) {
      const now = this.clock.now();
      const heartbeatDue = (lastHeartbeat(current) ?? -Infinity) + this.timings.nodeStatusReportMs <= now;
      const plan = planNodeStatus(current, ip, now, heartbeatDue, this.endpoint);
      if (!plan.status) break;
      try {
        current = await this.client.update<Node>(
          RESOURCES.nodes,
          undefined,
          { ...current, status: plan.status },
          { subresource: 'status' },
        );
        if (plan.becameReady)
          this.ctx
            .recorder(KUBELET_COMPONENT, name)
            .event(current, 'Normal', 'NodeReady', `Node ${name} status is now: NodeReady`);
        break;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 4) throw err;
        current = await this.client.get<Node>(RESOURCES.nodes, undefined, name);
      }
    }
    const beat = lastHeartbeat(current) ?? this.clock.now();
    this.nodeQueue.addAfter(name, Math.max(1, beat + this.timings.nodeStatusReportMs - this.clock.now()));
  }

  private async syncLease(name: string, signal?: AbortSignal): Promise<void> {
    const node = this.nodes.lister.get(undefined, name);
    if (!node) {
      this.leases.forget(name);
      return;
    }
    const now = this.clock.now();
    const due = this.leases.dueIn(name, now);
    if (due === 0) {
      // Waits here, not in the queue: a thousand waiting nodes are a thousand keys still queued, not timers.
      let at = now;
      while (this.busy() && this.leases.mayWait(name, at)) {
        await this.clock.sleep(LEASE_BUSY_RETRY_MS, signal);
        at = this.clock.now();
      }
      const current = at === now ? node : this.nodes.lister.get(undefined, name);
      if (!current) {
        this.leases.forget(name);
        return;
      }
      await this.leases.renew(current, at);
    }
    this.leaseQueue.addAfter(name, due || this.timings.leaseRenewMs);
  }

  /**
   * Whether the components' requests keep the process busy now (the context's `background`; the Lease renewals are
   * not among them): the pods' creates and status writes and the controllers' syncs go first, a due renewal waits
   * (within what {@link LeaseRenewer.mayWait} allows).
   */
  private busy(): boolean {
    return this.ctx.background?.busy() ?? false;
  }

  private env(nodeName: string): RuntimeEnv {
    let state = this.nodeStates.get(nodeName);
    if (!state) this.nodeStates.set(nodeName, (state = { registered: false, images: new Set() }));
    const images = state.images;
    return {
      timings: this.timings,
      speed: this.ctx.speed,
      hasImage: (image) => images.has(image),
      markPulled: (image) => void images.add(image),
      pullFails: this.pullFails,
    };
  }

  /**
   * A free pod IP in the node's CIDR: not reported by a pod bound to the node, nor held by the record of one (its
   * status may not be written yet). Only the node's pods are looked at; a deleted pod's IP is free again.
   */
  private podIP(node: Node, key: string): string | undefined {
    const name = node.metadata.name ?? '';
    const used = new Set<string>();
    for (const p of this.pods.lister.byIndex(POD_NODE_INDEX, name)) {
      const ip = (p.status as { podIP?: string } | undefined)?.podIP;
      if (ip) used.add(ip);
      const k = `${p.metadata.namespace}/${p.metadata.name}`;
      const r = k === key ? undefined : this.records.get(k);
      if (r?.podIP && r.nodeName === name) used.add(r.podIP);
    }
    return allocatePodIP(this.podCIDR(node), used);
  }

  private async syncPod(key: string): Promise<void> {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const pod = this.pods.lister.get(namespace, name);
    const nodeName = pod?.spec?.nodeName;
    const node = nodeName ? this.nodes.lister.get(undefined, nodeName) : undefined;
    if (!pod || !node || !nodeName) {
      this.records.delete(key);
      this.logs.drop(key);
      return;
    }
    const uid = pod.metadata.uid ?? '';
    if (TERMINAL.has(pod.status?.phase ?? '')) {
      // Terminal pods are left as they are; one being deleted has nothing left to stop.
      this.records.delete(key);
      if (pod.metadata.deletionTimestamp) await this.forceDelete(namespace, name, uid);
      return;
    }
    const now = this.clock.now();
    let rec = this.records.get(key);
    if (rec && rec.uid !== uid) rec = undefined;
    if (!rec) {
      rec = kubeletRecord(recordFromStatus(pod, now, this.timings) ?? newPodRecord(pod, now), nodeName);
      this.records.set(key, rec);
    }
    const step = advancePod(rec, pod, now, this.env(nodeName));
    this.logs.reconcile(key, pod, rec, now);
    if (step.events.length) {
      const recorder = this.ctx.recorder(KUBELET_COMPONENT, nodeName);
      for (const e of step.events) recorder.event(pod, e.type, e.reason, e.message);
    }
    if (step.deleteNow) {
      await this.forceDelete(namespace, name, uid);
      this.records.delete(key);
      this.logs.drop(key);
      return;
    }
    const hostIP = internalIPOf(node) ?? this.internalIP(node);
    if (rec.sandboxAt !== undefined && !rec.podIP && rec.containers.some((c) => c.state.kind !== 'creating')) {
      const ip = pod.spec?.hostNetwork ? hostIP : this.podIP(node, key);
      // the string the pod's cached copy will hold too, once the informer shows the status with it
      rec.podIP = ip === undefined ? undefined : cachedString(ip);
    }
    await this.writePodStatus(pod, rec, hostIP, step.wakeAt);
    if (step.wakeAt !== undefined) this.queue.addAfter(key, Math.max(1, step.wakeAt - this.clock.now()));
  }

  /**
   * PUT /status when the wanted status differs; after a conflict, reads the pod again and retries. Like the
   * kubelet's status manager, which writes a pod's latest status, not each one it went through: a change is held
   * back while the pod's next transition (`wakeAt`) falls within statusBatchMs of when the change was first due,
   * and is then written together with it (at `--speed 0.1` a pod goes from Pending to Running in one write; at
   * speed 1 ContainerCreating lasts a second or two and is written). Never held back: a pod being deleted.
   */
  private async writePodStatus(pod: Pod, rec: KubeletPodRecord, hostIP: string, wakeAt?: number): Promise<void> {
    let current = pod;
    const w = rec.written;
    if (w && w.basedOn === pod.metadata.resourceVersion)
      current = { ...pod, metadata: { ...pod.metadata, resourceVersion: w.resourceVersion }, status: w.status };
    else rec.written = undefined;
    for (let attempt = 0; ; attempt++) {
      const now = this.clock.now();
      const desired = desiredPodStatus(current, rec, { hostIP }, now);
      if (!desired || !statusChanged(current, desired)) {
        rec.statusDueSince = undefined;
        return;
      }
      if (wakeAt !== undefined && !current.metadata.deletionTimestamp) {
        rec.statusDueSince ??= now;
        if (wakeAt <= rec.statusDueSince + this.timings.statusBatchMs) return;
      }
      try {
        const written = await this.client.update<Pod>(
          RESOURCES.pods,
          current.metadata.namespace,
          { ...current, status: desired },
          { subresource: 'status' },
        );
        rec.statusDueSince = undefined;
        rec.written = {
          basedOn: pod.metadata.resourceVersion ?? '',
          resourceVersion: written.metadata.resourceVersion ?? '',
          status: written.status,
        };
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err) || attempt >= 4) throw err;
        rec.written = undefined;
        current = await this.client.get<Pod>(RESOURCES.pods, pod.metadata.namespace, pod.metadata.name ?? '');
        if (current.metadata.uid !== rec.uid || current.metadata.deletionTimestamp) return;
      }
    }
  }

  /** Finishes a pod's deletion: DELETE with grace period 0 and the pod's uid as precondition. */
  private async forceDelete(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.client.delete(RESOURCES.pods, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}

/** The simulated kubelet as a component factory (`kubelet(ctx)`); options are for tests. */
export function kubelet(ctx: ControllerContext, opts: KubeletOptions = {}): Component {
  return new SimulatedKubelet(ctx, opts);
}
