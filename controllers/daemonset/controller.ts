/**
 * The DaemonSet controller (upstream pkg/controller/daemon): a component of the controller manager that keeps
 * one daemon pod on every eligible node, records ControllerRevisions of the pod template and publishes the
 * DaemonSet status. Informer handlers only enqueue `namespace/name` keys (see handlers.ts); `sync(key)` does the
 * work: history, then placement (`manage`), then the update strategy (`rollingUpdate`, see rollout.ts; OnDelete
 * needs nothing), then history cleanup, then status. Upstream's steps each read every node; here what they found is
 * kept across syncs where it depends only on what the informers report (the daemon pods by node, pod-index.ts; the
 * nodes where placement has nothing to do, settled-nodes.ts; the status counters, status-tally.ts), so that a sync
 * after a few pods changed reads those nodes, not all of them.
 */
import { isEmptyLabelSelector, LabelSelector, labelSelectorFromObject } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { cachesSynced, processNextKey, runWorkers } from '../machinery/controller.js';
import { ControllerExpectations } from '../machinery/expectations.js';
import { RateLimitingQueue } from '../machinery/workqueue.js';
import {
  RESOURCES,
  type ApiClient,
  type Clock,
  type Component,
  type ComponentFactory,
  type Controller,
  type ControllerContext,
  type EventRecorder,
  type Informer,
  type Logger,
  type WorkQueue,
} from '../machinery/types.js';
import { Backoff } from './backoff.js';
import { claim, recheckDaemonSet } from './claim.js';
import { registerHandlers } from './handlers.js';
import { cleanupHistory, constructHistory } from './history.js';
import {
  eventTarget,
  groupByNode,
  type PartialPlan,
  planNodes,
  syncNodes,
  unscheduledPodsWithoutNode,
} from './manage.js';
import type { PerDaemonSet, Rechecked } from './node-changes.js';
import { SettledNodes } from './settled-nodes.js';
import { rollingUpdate, rolloutIsIdle, type RolloutPlan } from './rollout.js';
import { DaemonPodIndex, ownerKey } from './pod-index.js';
import { StatusTallies } from './status-tally.js';
import { computeStatus, storeStatus } from './status.js';
import type { ControllerRevision, DaemonSet, Node, Pod } from './types.js';
import { addIndexOnce, objectKey, splitKey } from '../machinery/lister.js';
import { controllerUidIndex } from '../machinery/claim.js';
import {
  BURST_REPLICAS,
  BY_CONTROLLER_INDEX,
  COMPONENT,
  controllerOf,
  newControllerRef,
  orphanIndexValue,
  REASONS,
} from './util.js';

/** How often the failed-pod back-off forgets old entries (BackoffGCInterval). */
export const BACKOFF_GC_INTERVAL_MS = 60_000;

/** Knobs for tests and the manager; everything defaults to upstream's values. */
export interface DaemonSetControllerOptions {
  queue?: WorkQueue;
  expectations?: ControllerExpectations;
  backoff?: Backoff;
  burstReplicas?: number;
}

/**
 * How long a pod change that can only change the status waits for the changes that follow, per node of the cluster
 * (see enqueueCoalesced). A sync reads every node three times (placement, rolling update, status), while the pods of
 * a DaemonSet that starts change thousands of times a second: at 20,000 nodes those passes were ~18 % of the
 * controller manager's busy CPU. 10 µs a node: 10 ms at 1,000 nodes, 1 s (the most) at 100,000.
 */
export const COALESCE_US_PER_NODE = 10;
/** Below this wait (fewer than 500 nodes) a pod change syncs at once. */
export const COALESCE_MIN_MS = 5;
/** The longest wait. */
export const COALESCE_MAX_MS = 1000;

/** The DaemonSet controller. Construct it with the context (registers informers, indexes and handlers). */
export class DaemonSetController implements Controller, Component {
  readonly name = COMPONENT;
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  readonly failedPodsBackoff: Backoff;
  readonly burstReplicas: number;
  readonly daemonSets: Informer<DaemonSet>;
  readonly pods: Informer<Pod>;
  readonly nodes: Informer<Node>;
  readonly revisions: Informer<ControllerRevision>;
  readonly client: ApiClient;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  private readonly selectors = new WeakMap<DaemonSet, LabelSelector>();
  /** The status counters of each DaemonSet, kept as nodes and pods change (status-tally.ts). */
  readonly statusTallies = new StatusTallies();
  /** The nodes where each DaemonSet's placement step has nothing to do (settled-nodes.ts). */
  readonly settledNodes = new SettledNodes();
  /** What the sync keeps per DaemonSet across syncs (node-changes.ts). */
  private readonly keptAcrossSyncs: ReadonlyArray<PerDaemonSet<Rechecked>> = [this.statusTallies, this.settledNodes];
  /** The daemon pods of each DaemonSet by node, kept current by the pod informer. */
  readonly podIndex = new DaemonPodIndex((owner, node) => {
    for (const kept of this.keptAcrossSyncs) kept.groupChanged(owner, node);
  });
  /**
   * Keys whose last full sync had pods to create or delete, or old pods left to roll: a pod change that satisfies
   * their expectations lets the next step start, and is synced at once (see enqueueCoalesced).
   */
  private readonly unfinished = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: DaemonSetControllerOptions = {},
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log.child({ controller: COMPONENT });
    this.recorder = ctx.recorder(COMPONENT);
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'daemonset', log: this.log });
    this.expectations = opts.expectations ?? new ControllerExpectations(ctx.clock, this.log);
    this.failedPodsBackoff = opts.backoff ?? new Backoff(ctx.clock);
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.daemonSets = ctx.informers.informer<DaemonSet>(RESOURCES.daemonsets);
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    this.nodes = ctx.informers.informer<Node>(RESOURCES.nodes);
    this.revisions = ctx.informers.informer<ControllerRevision>(RESOURCES.controllerrevisions);
    addIndexOnce(this.pods, BY_CONTROLLER_INDEX, controllerUidIndex);
    addIndexOnce(this.revisions, BY_CONTROLLER_INDEX, controllerUidIndex);
    // Registered before the handlers that queue syncs (an informer calls its handlers in order).
    this.pods.on({
      add: (pod) => this.podIndex.observe(undefined, pod),
      update: (old, cur) => this.podIndex.observe(old, cur),
      delete: (pod) => this.podIndex.observe(pod, undefined),
    });
    // What the sync keeps per DaemonSet across syncs is told of every node that changes, and forgotten with it.
    const nodeChanged = (node: Node) => {
      for (const kept of this.keptAcrossSyncs) kept.nodeChanged(node.metadata.name!);
    };
    this.nodes.on({
      add: nodeChanged,
      update: (old, cur) => {
        if (old !== cur) nodeChanged(cur);
      },
      delete: nodeChanged,
    });
    const forget = (ds: DaemonSet) => {
      for (const kept of this.keptAcrossSyncs) kept.forget(ownerKey(ds.metadata.namespace, ds.metadata.uid!));
    };
    this.daemonSets.on({
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) forget(old);
      },
      delete: forget,
    });
    registerHandlers(this);
  }

  /** Waits for the caches, then runs the workers and the back-off GC until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await cachesSynced(this.ctx.informers, signal))) return;
    this.log.info({ workers: this.ctx.workers }, 'starting daemon sets controller');
    const gc = this.backoffGC(signal);
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
    await gc;
    this.log.info({}, 'shutting down daemon sets controller');
  }

  /** Takes the next key off the queue and syncs it (tests drive the controller with this). */
  async processNext(signal: AbortSignal): Promise<string | undefined> {
    return processNextKey(this, this.queue, signal, this.log);
  }

  private async backoffGC(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.clock.sleep(BACKOFF_GC_INTERVAL_MS, signal);
      } catch {
        return;
      }
      this.failedPodsBackoff.gc();
    }
  }

  /** Queues the DaemonSet's key. */
  enqueue(ds: DaemonSet): void {
    this.queue.add(objectKey(ds));
  }

  /**
   * Queues the DaemonSet's key for a pod change: at once on a small cluster; on a large one, at once only when the
   * change may let the next step start (the expectations are satisfied and the last sync left pods to create, delete
   * or roll), else within {@link coalescingMs}, together with the changes that follow (what is left to do then is
   * the status).
   */
  enqueueCoalesced(ds: DaemonSet): void {
    const key = objectKey(ds);
    const ms = this.coalescingMs();
    if (ms === 0 || (this.unfinished.has(key) && this.expectations.satisfied(key))) this.queue.add(key);
    else this.queue.addAfter(key, ms);
  }

  /**
   * How long pod changes wait for each other before they sync: {@link COALESCE_US_PER_NODE} per node, from
   * {@link COALESCE_MIN_MS} on (below it, 0) and at most {@link COALESCE_MAX_MS}.
   */
  coalescingMs(): number {
    const ms = (this.nodes.lister.size * COALESCE_US_PER_NODE) / 1000;
    return ms < COALESCE_MIN_MS ? 0 : Math.min(COALESCE_MAX_MS, ms);
  }

  /** Queues the DaemonSet's key after `ms`. */
  enqueueAfter(ds: DaemonSet, ms: number): void {
    this.queue.addAfter(objectKey(ds), Math.max(0, ms));
  }

  /** The DaemonSet's selector, parsed once per cached object; an unparseable one matches nothing. */
  selectorOf(ds: DaemonSet): LabelSelector {
    let sel = this.selectors.get(ds);
    if (!sel) {
      try {
        sel = labelSelectorFromObject(ds.spec.selector);
      } catch {
        sel = LabelSelector.nothing();
      }
      this.selectors.set(ds, sel);
    }
    return sel;
  }

  /** The cached DaemonSet a controller reference points to (same name, kind and uid), if any. */
  resolveControllerRef(
    namespace: string | undefined,
    ref: { kind: string; name: string; uid: string },
  ): DaemonSet | undefined {
    if (ref.kind !== 'DaemonSet') return undefined;
    const ds = this.daemonSets.lister.get(namespace, ref.name);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** DaemonSets of the object's namespace whose (non-empty) selector matches its (non-empty) labels. */
  daemonSetsSelecting(obj: KubeObject): DaemonSet[] {
    const labels = obj.metadata.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.daemonSets.lister.list(obj.metadata.namespace ?? '').filter((ds) => {
      const sel = this.selectorOf(ds);
      return !sel.empty && sel.matches(labels);
    });
  }

  /** Objects of the DaemonSet's namespace it controls or that are orphans (claim candidates). */
  private candidates<T extends KubeObject>(inf: Informer<T>, ds: DaemonSet): T[] {
    const ns = ds.metadata.namespace;
    const owned = inf.lister.byIndex(BY_CONTROLLER_INDEX, ds.metadata.uid!).filter((o) => o.metadata.namespace === ns);
    return [...owned, ...inf.lister.byIndex(BY_CONTROLLER_INDEX, orphanIndexValue(ns))];
  }

  /**
   * The claim of getDaemonPods, on the pods it can change anything for: controlled pods whose labels no longer
   * match (released) and orphans (matching ones adopted). Pods released or adopted earlier in the sync are not
   * claimed again; those that are controlled and match are claimed as they are (the pod index holds them).
   */
  private async claimPods(ds: DaemonSet, sync: SyncState): Promise<void> {
    const ns = ds.metadata.namespace;
    const uid = ds.metadata.uid!;
    const candidates = [
      ...this.podIndex
        .mismatched(ns, uid, sync.selector, sync.selectorKey)
        .filter((p) => !sync.released.has(p.metadata.uid!)),
      ...this.pods.lister
        .byIndex(BY_CONTROLLER_INDEX, orphanIndexValue(ns))
        .filter((p) => !sync.adopted.has(p.metadata.uid!)),
    ];
    if (candidates.length === 0) return;
    const { claimed, errors } = await claim(
      { client: this.client, ref: RESOURCES.pods, ds, selector: sync.selector, canAdopt: sync.canAdopt },
      candidates,
    );
    if (errors.length > 0)
      throw errors.length === 1
        ? errors[0]
        : new AggregateError(errors, `failed to claim pods of DaemonSet ${objectKey(ds)}`);
    const claimedUids = new Set(claimed.map((p) => p.metadata.uid!));
    for (const p of candidates) {
      const owned = controllerOf(p)?.uid === uid;
      if (claimedUids.has(p.metadata.uid!)) {
        if (!owned) sync.adopted.set(p.metadata.uid!, p.metadata.name!);
      } else if (owned) {
        sync.released.add(p.metadata.uid!);
      }
    }
  }

  /** getDaemonPods: the DaemonSet's pods after adopting matching orphans and releasing non-matching pods. */
  async daemonPods(ds: DaemonSet, sync: SyncState): Promise<readonly Pod[]> {
    await this.claimPods(ds, sync);
    const ns = ds.metadata.namespace;
    const out: Pod[] = [];
    for (const p of this.podIndex.owned(ns, ds.metadata.uid!)) {
      if (!sync.released.has(p.metadata.uid!) && sync.selector.matches(p.metadata.labels)) out.push(p);
    }
    for (const [uid, name] of sync.adopted) {
      const p = this.pods.lister.get(ns, name);
      // An adopted pod the watch has not brought back yet: as it is after the adoption.
      if (p?.metadata.uid === uid && !controllerOf(p)) out.push(withController(p, ds));
    }
    return out;
  }

  /**
   * getNodesToDaemonPods: from the pod index as it is, unless this sync adopted or released pods (or terminal
   * pods being deleted are asked for): then from the claimed pods. A new Map; its arrays must not be changed.
   */
  async nodesToDaemonPods(ds: DaemonSet, sync: SyncState, includeDeletedTerminal = false): Promise<Map<string, Pod[]>> {
    await this.claimPods(ds, sync);
    if (!includeDeletedTerminal && asIndexed(sync))
      return this.podIndex.byNode(ds.metadata.namespace, ds.metadata.uid!);
    return groupByNode(await this.daemonPods(ds, sync), includeDeletedTerminal);
  }

  /**
   * nodesToDaemonPods for a step that reads the groups at once, without awaiting anything in between: the pod
   * index's own map, not a copy (5,000 nodes cost a copy per step otherwise).
   */
  private async daemonPodGroups(ds: DaemonSet, sync: SyncState): Promise<ReadonlyMap<string, readonly Pod[]>> {
    await this.claimPods(ds, sync);
    if (asIndexed(sync)) return this.podIndex.groups(ds.metadata.namespace, ds.metadata.uid!);
    return groupByNode(await this.daemonPods(ds, sync));
  }

  /** syncDaemonSet: one reconciliation of the DaemonSet under `key`. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.daemonSets.lister.get(namespace, name);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      this.unfinished.delete(key);
      return;
    }
    // Every node, listed once for this sync when a step needs them all: the indexed steps look at a few nodes, and
    // at 100,000 nodes the list is an array of 800 KB (a large object only a full collection frees) per sync.
    let all: Node[] | undefined;
    const nodes = (): Node[] => (all ??= this.nodes.lister.list());
    if (isEmptyLabelSelector(ds.spec.selector)) {
      this.recorder.event(
        eventTarget(ds),
        'Warning',
        REASONS.selectingAll,
        'This daemon set is selecting all pods. A non-empty selector is required.',
      );
      return;
    }
    // Pods and revisions of a DaemonSet being deleted may already be gone or orphaned: leave it alone.
    if (ds.metadata.deletionTimestamp) return;

    const sync: SyncState = {
      selector: labelSelectorFromObject(ds.spec.selector),
      selectorKey: JSON.stringify(ds.spec.selector),
      canAdopt: recheckDaemonSet(this.client, RESOURCES.daemonsets, ds),
      adopted: new Map(),
      released: new Set(),
    };
    const { old, hash } = await constructHistory(
      {
        client: this.client,
        log: this.log,
        candidates: (d) => this.candidates(this.revisions, d),
        daemonPods: (d) => this.daemonPods(d, sync),
      },
      ds,
      sync.selector,
      sync.canAdopt,
    );

    if (!this.expectations.satisfied(key)) {
      // Creations or deletions are still in flight: only refresh status, without claiming the generation.
      await this.updateStatus(ds, nodes, hash, false, sync);
      return;
    }

    let err: unknown;
    try {
      await this.updateDaemonSet(ds, nodes, hash, key, old, sync);
    } catch (e) {
      err = e;
    }
    try {
      await this.updateStatus(ds, nodes, hash, true, sync);
    } catch (statusErr) {
      if (err === undefined) throw statusErr;
      this.log.warn({ daemonset: key, err: String(statusErr) }, 'failed to update status');
    }
    if (err !== undefined) throw err;
  }

  /** manage, then the update strategy once expectations allow, then history cleanup. */
  private async updateDaemonSet(
    ds: DaemonSet,
    nodes: () => Node[],
    hash: string,
    key: string,
    old: ControllerRevision[],
    sync: SyncState,
  ): Promise<void> {
    let unfinished = await this.manage(ds, nodes, hash, sync);
    if (
      this.expectations.satisfied(key) &&
      ds.spec.updateStrategy?.type === 'RollingUpdate' &&
      !rolloutIsIdle(ds, this.allPodsCurrent(ds, hash, sync))
    ) {
      const plan = await this.rollingUpdate(ds, nodes, hash, sync);
      if (plan.oldPods > 0) unfinished = true;
    }
    if (unfinished) this.unfinished.add(key);
    else this.unfinished.delete(key);
    await cleanupHistory(this.client, ds, old, () => this.daemonPods(ds, sync));
  }

  /**
   * Creates and deletes pods so that every node that should run a daemon pod runs exactly one; true when there was
   * any to create or delete. Throws the create/delete errors, and after deleting failed pods (so the replacements
   * are paced by the queue).
   */
  private async manage(ds: DaemonSet, allNodes: () => Node[], hash: string, sync: SyncState): Promise<boolean> {
    const nodeToDaemonPods = await this.daemonPodGroups(ds, sync);
    // Without pods adopted or released in this sync, the pod index's groups are the claimed ones: only the nodes
    // not known settled are looked at (settled-nodes.ts).
    const owner = ownerKey(ds.metadata.namespace, ds.metadata.uid!);
    let partial: PartialPlan | undefined;
    let nodes: Iterable<Node>;
    if (asIndexed(sync)) {
      nodes = this.settledNodes.toVisit(owner, ds, allNodes, (name) => this.nodes.lister.get(undefined, name));
      partial = {
        settle: (name) => this.settledNodes.settle(owner, name),
        unscheduled: () =>
          this.podIndex.hasUnbound(ds.metadata.namespace, ds.metadata.uid!)
            ? unscheduledPodsWithoutNode(allNodes(), nodeToDaemonPods)
            : [],
        createLimit: this.burstReplicas,
      };
    } else {
      this.settledNodes.forget(owner);
      nodes = allNodes();
    }
    const plan = planNodes(
      {
        recorder: this.recorder,
        backoff: this.failedPodsBackoff,
        clock: this.clock,
        log: this.log,
        enqueueAfter: (d, ms) => this.enqueueAfter(d, ms),
      },
      ds,
      nodes,
      nodeToDaemonPods,
      hash,
      partial,
    );
    const errors = await syncNodes(
      {
        client: this.client,
        recorder: this.recorder,
        expectations: this.expectations,
        log: this.log,
        burstReplicas: this.burstReplicas,
      },
      ds,
      plan.podsToDelete,
      plan.nodesNeedingDaemonPods,
      hash,
    );
    if (errors.length > 0)
      throw errors.length === 1
        ? errors[0]
        : new AggregateError(errors, `errors syncing pods of DaemonSet ${objectKey(ds)}`);
    if (plan.failedPodsObserved > 0)
      throw new Error(`deleted ${plan.failedPodsObserved} failed pods of DaemonSet ${objectKey(ds)}`);
    return plan.nodesNeedingDaemonPods.length > 0 || plan.podsToDelete.length > 0;
  }

  /**
   * Whether every daemon pod not being deleted carries the revision `hash`, from the pod index's counts (so without
   * a pass over the nodes); false when this sync adopted or released pods (the index does not have them as claimed).
   */
  private allPodsCurrent(ds: DaemonSet, hash: string, sync: SyncState): boolean {
    if (!asIndexed(sync) || hash.length === 0) return false;
    return this.podIndex.allOfRevision(ds.metadata.namespace, ds.metadata.uid!, hash);
  }

  // --- rolling update (rollout.ts) ---
  /**
   * The RollingUpdate strategy: one step of replacing out-of-date pods within maxUnavailable / maxSurge (see
   * rollout.ts), from the daemon pods as they are after the placement step.
   */
  protected async rollingUpdate(
    ds: DaemonSet,
    nodes: () => Node[],
    hash: string,
    sync: SyncState,
  ): Promise<RolloutPlan> {
    // planRollingUpdate copies the groups before anything is awaited
    const nodeToDaemonPods = await this.daemonPodGroups(ds, sync);
    return rollingUpdate(
      {
        client: this.client,
        recorder: this.recorder,
        expectations: this.expectations,
        log: this.log,
        burstReplicas: this.burstReplicas,
        now: () => this.clock.now(),
        enqueueAfter: (d, ms) => this.enqueueAfter(d, ms),
      },
      ds,
      nodes(),
      nodeToDaemonPods,
      hash,
    );
  }
  // --- end rolling update ---

  /** Computes and stores the status; re-queues after minReadySeconds while some ready pods are not yet available. */
  private async updateStatus(
    ds: DaemonSet,
    nodes: () => Node[],
    hash: string,
    updateObservedGeneration: boolean,
    sync: SyncState,
  ): Promise<void> {
    const nodeToDaemonPods = await this.daemonPodGroups(ds, sync);
    const counts =
      (asIndexed(sync)
        ? this.statusTallies.counts(ownerKey(ds.metadata.namespace, ds.metadata.uid!), ds, hash, {
            nodes: () => this.nodes.lister.list(),
            node: (name) => this.nodes.lister.get(undefined, name),
            groups: nodeToDaemonPods,
          })
        : undefined) ?? computeStatus(ds, nodes(), nodeToDaemonPods, hash, this.clock.now());
    await storeStatus(this.client, ds, counts, updateObservedGeneration);
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.enqueueAfter(ds, minReady * 1000);
  }
}

/** State shared by the steps of one sync. */
export interface SyncState {
  selector: LabelSelector;
  /** The selector as JSON (the pod index keeps the pods it does not match for one selector at a time). */
  selectorKey: string;
  /** The adoption check (a live GET of the DaemonSet), made at most once per sync. */
  canAdopt: () => Promise<void>;
  /** Pods adopted in this sync (uid to name): later steps treat them as owned without patching again. */
  adopted: Map<string, string>;
  /** Uids of pods released in this sync: later steps skip them. */
  released: Set<string>;
}

/**
 * Whether the sync adopted and released no pod so far: the pod index then holds the DaemonSet's pods as the claim
 * left them, and the steps may read its groups and counts (and what is kept from them) as they are.
 */
function asIndexed(sync: SyncState): boolean {
  return sync.adopted.size === 0 && sync.released.size === 0;
}

/** A cached orphan as it is after its adoption (the watch may not have delivered the patched pod yet). */
function withController(pod: Pod, ds: DaemonSet): Pod {
  return {
    ...pod,
    metadata: { ...pod.metadata, ownerReferences: [...(pod.metadata.ownerReferences ?? []), newControllerRef(ds)] },
  };
}

/** The ComponentFactory of the DaemonSet controller, for `controllers/components.ts`. */
export const daemonSetController: ComponentFactory = (ctx) => new DaemonSetController(ctx);
