/**
 * The Deployment controller (upstream pkg/controller/deployment): owns ReplicaSets by selector and controller
 * reference, creates the new ReplicaSet of the current template (named `<deployment>-<pod-template-hash>`, the
 * hash also labelling its pods), and moves replicas from the old ones to it: RollingUpdate within maxSurge and
 * maxUnavailable, or Recreate (every old pod gone first). It scales proportionally while a rollout is under way,
 * stops while paused, rolls back on extensions/v1beta1's `spec.rollbackTo`, keeps revisionHistoryLimit old
 * ReplicaSets, and reports the Available and Progressing conditions (with the progress deadline). Handlers only
 * enqueue `namespace/name` keys; `sync` works.
 */
import { type LabelSelector, isEmptyLabelSelector, labelSelectorFromObject } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import {
  claim,
  CONTROLLER_UID_INDEX,
  controllerOf,
  controllerRefTo,
  controllerUidIndex,
  orphanIndexValue,
  recheckOwner,
} from '../machinery/claim.js';
import { isNotFound } from '../machinery/client.js';
import { cachesSynced, processNextKey, runWorkers } from '../machinery/controller.js';
import { addIndexOnce, objectKey, splitKey } from '../machinery/lister.js';
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
import { computeHash } from '../daemonset/hash.js';
import type { Deployment, DeploymentStatus, Pod, ReplicaSet } from '../replicaset/types.js';
import {
  activeReplicaSets,
  availableReplicas,
  byCreation,
  bySize,
  calculateStatus,
  compareRevisions,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  POD_TEMPLATE_HASH_LABEL,
  proportion,
  REASONS,
  removeCondition,
  replicasOf,
  REVISION_ANNOTATION,
  revisionOf,
  ROLLBACK_TO_ANNOTATION,
  sameStatus,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './util.js';

export const COMPONENT = 'deployment-controller';
/** ReplicaSet and pod index: the uid of the controller, or `orphan/<namespace>`. */
const BY_CONTROLLER_INDEX = CONTROLLER_UID_INDEX;

function eventTarget(d: Deployment): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata };
}

/** The controller reference of a Deployment's ReplicaSets. */
function controllerRef(d: Deployment) {
  return controllerRefTo(d, 'apps/v1', 'Deployment');
}

/** The Deployment controller. Construct it with the context (registers informers, indexes and handlers). */
export class DeploymentController implements Controller, Component {
  readonly name = COMPONENT;
  readonly queue: WorkQueue;
  readonly deployments: Informer<Deployment>;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  readonly client: ApiClient;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly log: Logger;

  constructor(
    private readonly ctx: ControllerContext,
    opts: { queue?: WorkQueue } = {},
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log.child({ controller: COMPONENT });
    this.recorder = ctx.recorder(COMPONENT);
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'deployment', log: this.log });
    this.deployments = ctx.informers.informer<Deployment>(RESOURCES.deployments);
    this.replicaSets = ctx.informers.informer<ReplicaSet>(RESOURCES.replicasets);
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    addIndexOnce(this.replicaSets, BY_CONTROLLER_INDEX, controllerUidIndex);
    addIndexOnce(this.pods, BY_CONTROLLER_INDEX, controllerUidIndex);
    this.registerHandlers();
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await cachesSynced(this.ctx.informers, signal))) return;
    this.log.info({ workers: this.ctx.workers }, 'starting deployment controller');
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
    this.log.info({}, 'shutting down deployment controller');
  }

  /** Takes the next key off the queue and syncs it (tests drive the controller with this). */
  async processNext(signal: AbortSignal): Promise<string | undefined> {
    return processNextKey(this, this.queue, signal, this.log);
  }

  enqueue(d: Deployment): void {
    this.queue.add(objectKey(d));
  }

  private ownerOf(obj: KubeObject): Deployment | undefined {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.lister.get(obj.metadata.namespace, ref.name);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** getDeploymentsForReplicaSet: Deployments of the namespace whose non-empty selector matches the labels. */
  private deploymentsSelecting(obj: KubeObject): Deployment[] {
    const labels = obj.metadata.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.deployments.lister.list(obj.metadata.namespace ?? '').filter((d) => {
      try {
        const sel = labelSelectorFromObject(d.spec.selector);
        return !sel.empty && sel.matches(labels);
      } catch {
        return false;
      }
    });
  }

  private registerHandlers(): void {
    this.deployments.on({
      add: (d) => this.enqueue(d),
      update: (_old, cur) => this.enqueue(cur),
      delete: (d) => this.enqueue(d),
    });
    const rsChanged = (rs: ReplicaSet) => {
      const owner = this.ownerOf(rs);
      if (owner) return this.enqueue(owner);
      if (!controllerOf(rs)) for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
    };
    this.replicaSets.on({
      add: rsChanged,
      update: (oldRS, curRS) => {
        if (oldRS.metadata.resourceVersion === curRS.metadata.resourceVersion) return;
        const oldOwner = this.ownerOf(oldRS);
        if (oldOwner && controllerOf(oldRS)?.uid !== controllerOf(curRS)?.uid) this.enqueue(oldOwner);
        rsChanged(curRS);
      },
      delete: (rs) => {
        const owner = this.ownerOf(rs);
        if (owner) this.enqueue(owner);
      },
    });
    // A Recreate rollout waits for the old pods to be gone.
    this.pods.on({
      delete: (pod) => {
        const rs = this.ownerOfPod(pod);
        if (!rs) return;
        const d = this.ownerOf(rs);
        if (d && !isRollingUpdate(d)) this.enqueue(d);
      },
    });
  }

  private ownerOfPod(pod: Pod): ReplicaSet | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.replicaSets.lister.get(pod.metadata.namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** syncDeployment: one reconciliation of the Deployment under `key`. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.lister.get(namespace, name);
    if (!cached) return;
    let d = structuredClone(cached);
    if (isEmptyLabelSelector(d.spec.selector)) {
      this.recorder.event(
        eventTarget(d),
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0))
        await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata.generation });
      return;
    }
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(d.spec.selector);
    } catch {
      return;
    }
    const rsList = await this.claimReplicaSets(d, selector);
    if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
      await this.syncStatusOnly(d, newRS, oldRSs);
      return;
    }
    d = await this.checkPausedConditions(d);
    if (d.spec.paused) return this.syncScale(d, rsList);
    if (d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION] !== undefined) return this.rollback(d, rsList);
    if (await this.isScalingEvent(d, rsList)) return this.syncScale(d, rsList);
    if (isRollingUpdate(d)) return this.rolloutRolling(d, rsList);
    return this.rolloutRecreate(d, rsList);
  }

  /** getReplicaSetsForDeployment: adopt matching orphans, release what stopped matching. */
  private async claimReplicaSets(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace;
    const candidates = [
      ...this.replicaSets.lister
        .byIndex(BY_CONTROLLER_INDEX, d.metadata.uid!)
        .filter((r) => r.metadata.namespace === ns),
      ...this.replicaSets.lister.byIndex(BY_CONTROLLER_INDEX, orphanIndexValue(ns)),
    ];
    const { claimed, errors } = await claim(
      {
        client: this.client,
        ref: RESOURCES.replicasets,
        owner: d,
        controllerRef: controllerRef(d),
        selector,
        canAdopt: recheckOwner(this.client, RESOURCES.deployments, d),
      },
      candidates,
    );
    if (errors.length > 0) throw errors[0];
    return claimed;
  }

  /** Pods of the Deployment's ReplicaSets (for Recreate), from the cache. */
  private podsOf(rsList: readonly ReplicaSet[]): Pod[] {
    return rsList.flatMap((rs) => this.pods.lister.byIndex(BY_CONTROLLER_INDEX, rs.metadata.uid!));
  }

  /** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
  private async checkPausedConditions(d: Deployment): Promise<Deployment> {
    if (!hasProgressDeadline(d)) return d;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === REASONS.timedOut) return d;
    const paused = !!d.spec.paused;
    const status: DeploymentStatus = structuredClone(d.status ?? {});
    const now = this.clock.now();
    if (paused && cond?.reason !== REASONS.paused)
      setCondition(status, newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', now));
    else if (!paused && cond?.reason === REASONS.paused)
      setCondition(status, newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', now));
    else return d;
    return this.writeStatus(d, status);
  }

  /** isScalingEvent: an active ReplicaSet was sized for another replica count than the Deployment's. */
  private async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicasOf(d)) return true;
    }
    return false;
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when `create` and missing) with its revision
   * and annotations brought up to date, and the old ones.
   */
  private async getAllReplicaSets(
    d: Deployment,
    rsList: ReplicaSet[],
    create: boolean,
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRevision = maxRevision(oldRSs) + 1n;
    const ns = d.metadata.namespace;
    if (existing) {
      const copy = structuredClone(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision);
      const minReadyChanged = (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      let rs = existing;
      if (annotationsChanged || minReadyChanged) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        rs = await this.client.update<ReplicaSet>(RESOURCES.replicasets, ns, copy);
      }
      const rev = rs.metadata.annotations?.[REVISION_ANNOTATION];
      let needsUpdate = false;
      if (rev !== undefined && d.metadata.annotations?.[REVISION_ANNOTATION] !== rev) {
        d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: rev };
        needsUpdate = true;
      }
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      if (hasProgressDeadline(d) && !getCondition(status, 'Progressing')) {
        setCondition(
          status,
          newCondition(
            'Progressing',
            'True',
            REASONS.foundNewRS,
            `Found new replica set "${rs.metadata.name}"`,
            this.clock.now(),
          ),
        );
        needsUpdate = true;
      }
      if (needsUpdate) Object.assign(d, await this.writeStatus(d, status, true));
      return { newRS: rs, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };

    const collisionCount = d.status?.collisionCount;
    const hash = computeHash(d.spec.template, collisionCount);
    const template = structuredClone(d.spec.template);
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const newRS: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        ownerReferences: [controllerRef(d)],
        labels: { ...(template.metadata.labels ?? {}) },
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const allRSs = [...oldRSs, newRS];
    const replicas = newRSNewReplicas(d, allRSs, newRS);
    newRS.spec.replicas = replicas;
    setNewReplicaSetAnnotations(d, newRS, newRevision);
    setReplicasAnnotations(newRS, replicasOf(d), replicasOf(d) + maxSurge(d));
    let created: ReplicaSet;
    try {
      created = await this.client.create<ReplicaSet>(RESOURCES.replicasets, ns, newRS);
    } catch (err) {
      if ((err as { code?: number })?.code !== 409) {
        const status: DeploymentStatus = structuredClone(d.status ?? {});
        if (hasProgressDeadline(d)) {
          const msg = `Failed to create new replica set "${newRS.metadata.name}": ${(err as Error).message}`;
          setCondition(status, newCondition('Progressing', 'False', REASONS.failedCreate, msg, this.clock.now()));
          await this.writeStatus(d, status);
        }
        this.recorder.event(eventTarget(d), 'Warning', REASONS.failedCreate, (err as Error).message);
        throw err;
      }
      // AlreadyExists: ours with the same template is the new one; anything else is a hash collision.
      const other = await this.client.get<ReplicaSet>(RESOURCES.replicasets, ns, newRS.metadata.name!);
      if (controllerOf(other)?.uid === d.metadata.uid && equalIgnoreHash(other.spec.template, d.spec.template))
        return { newRS: other, oldRSs };
      const status: DeploymentStatus = structuredClone(d.status ?? {});
      status.collisionCount = (status.collisionCount ?? 0) + 1;
      await this.writeStatus(d, status);
      throw new Error(`hash collision for ReplicaSet ${newRS.metadata.name}: collisionCount raised`);
    }
    if (replicas > 0)
      this.recorder.event(
        eventTarget(d),
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} to ${replicas} from 0`,
      );
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(newRevision) };
    const status: DeploymentStatus = structuredClone(d.status ?? {});
    if (hasProgressDeadline(d))
      setCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          REASONS.newRSCreated,
          `Created new replica set "${created.metadata.name}"`,
          this.clock.now(),
        ),
      );
    Object.assign(d, await this.writeStatus(d, status, true));
    return { newRS: created, oldRSs };
  }

  /** scaleReplicaSet: sets the size and the replicas annotations, with the ScalingReplicaSet event. */
  private async scaleReplicaSet(rs: ReplicaSet, size: number, d: Deployment, op?: string): Promise<ReplicaSet> {
    const sizeChanged = replicasOf(rs) !== size;
    const copy = structuredClone(rs);
    const annChanged = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (!sizeChanged && !annChanged) return rs;
    copy.spec.replicas = size;
    const updated = await this.client.update<ReplicaSet>(RESOURCES.replicasets, rs.metadata.namespace, copy);
    if (sizeChanged) {
      const verb = op ?? (replicasOf(rs) < size ? 'up' : 'down');
      this.recorder.event(
        eventTarget(d),
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${verb} replica set ${rs.metadata.name} to ${size} from ${replicasOf(rs)}`,
      );
    }
    return updated;
  }

  /** Replaces `rs` in `list` by its updated copy. */
  private static replaced(list: ReplicaSet[], rs: ReplicaSet): ReplicaSet[] {
    return list.map((r) => (r.metadata.uid === rs.metadata.uid ? rs : r));
  }

  /** sync: scaling (and cleanup while paused) without a rollout, then the status. */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    ({ newRS, oldRSs } = await this.scale(d, newRS, oldRSs));
    if (d.spec.paused && d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION] === undefined) await this.cleanup(d, oldRSs);
    await this.syncStatusOnly(d, newRS, oldRSs);
  }

  /** scale: one active ReplicaSet takes the new size; during a rollout, the difference is shared proportionally. */
  private async scale(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
  ): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const one = findActiveOrLatest(newRS, oldRSs);
    if (one) {
      if (replicasOf(one) === replicasOf(d)) return { newRS, oldRSs };
      const scaled = await this.scaleReplicaSet(one, replicasOf(d), d);
      return one === newRS
        ? { newRS: scaled, oldRSs }
        : { newRS, oldRSs: DeploymentController.replaced(oldRSs, scaled) };
    }
    if (isSaturated(d, newRS)) {
      for (const old of activeReplicaSets(oldRSs))
        oldRSs = DeploymentController.replaced(oldRSs, await this.scaleReplicaSet(old, 0, d));
      return { newRS, oldRSs };
    }
    if (!isRollingUpdate(d)) return { newRS, oldRSs };
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    all.sort(bySize(toAdd > 0));
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = proportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.uid!, replicasOf(rs) + p);
        added += p;
      } else sizes.set(rs.metadata.uid!, replicasOf(rs));
    }
    for (const [i, rs] of all.entries()) {
      let size = sizes.get(rs.metadata.uid!)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      const scaled = await this.scaleReplicaSet(rs, size, d, 'proportionally');
      if (rs === newRS) newRS = scaled;
      else oldRSs = DeploymentController.replaced(oldRSs, scaled);
    }
    return { newRS, oldRSs };
  }

  /** rolloutRolling: scale the new ReplicaSet up, then the old ones down, within the limits. */
  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, true);
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])];
    // reconcileNewReplicaSet
    if (newRS && replicasOf(newRS) !== replicasOf(d)) {
      const size = replicasOf(newRS) > replicasOf(d) ? replicasOf(d) : newRSNewReplicas(d, all(), newRS);
      if (size !== replicasOf(newRS)) {
        newRS = await this.scaleReplicaSet(newRS, size, d);
        return this.syncRolloutStatus(d, newRS, oldRSs);
      }
    }
    if (await this.reconcileOldReplicaSets(d, newRS, oldRSs, (next) => (oldRSs = next)))
      return this.syncRolloutStatus(d, newRS, oldRSs);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus(d, newRS, oldRSs);
  }

  /** reconcileOldReplicaSets: scale old ReplicaSets down while minAvailable stays met. True when it did. */
  private async reconcileOldReplicaSets(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
    setOld: (next: ReplicaSet[]) => void,
  ): Promise<boolean> {
    const active = activeReplicaSets(oldRSs);
    if (specReplicas(active) === 0) return false;
    const allPods = specReplicas([...oldRSs, newRS]);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = newRS ? replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let changed = 0;
    // cleanupUnhealthyReplicas: first the old pods that are not available anyway
    for (const rs of [...active].sort(byCreation)) {
      if (changed >= maxScaledDown) break;
      const available = rs.status?.availableReplicas ?? 0;
      if (replicasOf(rs) === available) continue;
      const down = Math.min(maxScaledDown - changed, replicasOf(rs) - available);
      const scaled = await this.scaleReplicaSet(rs, replicasOf(rs) - down, d);
      oldRSs = DeploymentController.replaced(oldRSs, scaled);
      changed += down;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then available ones, down to minAvailable
    const availableCount = availableReplicas([...oldRSs, newRS]);
    if (availableCount > minAvailable) {
      const total = availableCount - minAvailable;
      let done = 0;
      for (const rs of activeReplicaSets(oldRSs).sort(byCreation)) {
        if (done >= total) break;
        const down = Math.min(replicasOf(rs), total - done);
        const scaled = await this.scaleReplicaSet(rs, replicasOf(rs) - down, d);
        oldRSs = DeploymentController.replaced(oldRSs, scaled);
        done += down;
        changed += down;
      }
    }
    setOld(oldRSs);
    return changed > 0;
  }

  /** rolloutRecreate: every old ReplicaSet to 0, wait for their pods to be gone, then the new one to full size. */
  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, false);
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) {
      oldRSs = DeploymentController.replaced(oldRSs, await this.scaleReplicaSet(rs, 0, d));
      scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(d, newRS, oldRSs);
    const oldPodsRunning =
      oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0) ||
      this.podsOf(oldRSs).some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
    if (oldPodsRunning) return this.syncRolloutStatus(d, newRS, oldRSs);
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, true));
    if (newRS && replicasOf(newRS) !== replicasOf(d)) newRS = await this.scaleReplicaSet(newRS, replicasOf(d), d);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanup(d, oldRSs);
    await this.syncRolloutStatus(d, newRS, oldRSs);
  }

  /** rollback (extensions/v1beta1 spec.rollbackTo): the template of the ReplicaSet of that revision (0: the last). */
  private async rollback(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSets(d, rsList, true);
    const raw = d.metadata.annotations?.[ROLLBACK_TO_ANNOTATION] ?? '0';
    let toRevision = /^\d{1,19}$/.test(raw) ? BigInt(raw) : 0n;
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    if (toRevision === 0n) {
      const revisions = [...new Set(all.map(revisionOf))].sort((a, b) => compareRevisions(b, a));
      toRevision = revisions[1] ?? 0n;
      if (toRevision === 0n) {
        this.recorder.event(
          eventTarget(d),
          'Warning',
          'DeploymentRollbackRevisionNotFound',
          'Unable to find last revision.',
        );
        return this.clearRollbackTo(d, undefined);
      }
    }
    const target = all.find((rs) => revisionOf(rs) === toRevision);
    if (!target?.spec.template) {
      this.recorder.event(
        eventTarget(d),
        'Warning',
        'DeploymentRollbackRevisionNotFound',
        'Unable to find the revision to rollback to.',
      );
      return this.clearRollbackTo(d, undefined);
    }
    const template = structuredClone(target.spec.template);
    if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (equalIgnoreHash(template, d.spec.template)) {
      this.recorder.event(
        eventTarget(d),
        'Warning',
        'DeploymentRollbackTemplateUnchanged',
        `The rollback revision contains the same template as current deployment "${d.metadata.name}"`,
      );
      return this.clearRollbackTo(d, undefined);
    }
    this.recorder.event(
      eventTarget(d),
      'Normal',
      'DeploymentRollback',
      `Rolled back deployment "${d.metadata.name}" to revision ${toRevision}`,
    );
    return this.clearRollbackTo(d, template);
  }

  /** Updates the Deployment without the rollback annotation (and with `template` when given). */
  private async clearRollbackTo(d: Deployment, template: Deployment['spec']['template'] | undefined): Promise<void> {
    const copy = structuredClone(this.deployments.lister.get(d.metadata.namespace, d.metadata.name!) ?? d);
    const ann = { ...(copy.metadata.annotations ?? {}) };
    delete ann[ROLLBACK_TO_ANNOTATION];
    copy.metadata.annotations = ann;
    if (template) copy.spec.template = template;
    await this.client.update(RESOURCES.deployments, copy.metadata.namespace, copy);
  }

  /** cleanupDeployment: delete the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanup(d: Deployment, oldRSs: ReplicaSet[]): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - (d.spec.revisionHistoryLimit ?? 0);
    if (diff <= 0) return;
    cleanable.sort((a, b) => compareRevisions(revisionOf(a), revisionOf(b)) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
      )
        continue;
      try {
        await this.client.delete(RESOURCES.replicasets, rs.metadata.namespace, rs.metadata.name!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** syncDeploymentStatus: the counters and Available, written when they changed. */
  private async syncStatusOnly(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const status = calculateStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d, this.clock.now());
    if (!sameStatus(d.status, status)) await this.writeStatus(d, status);
  }

  /** syncRolloutStatus: the counters, Available, Progressing (with the deadline), ReplicaFailure. */
  private async syncRolloutStatus(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const now = this.clock.now();
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const status = calculateStatus(all, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const current = getCondition(d.status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === REASONS.newRSAvailable;
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        setCondition(
          status,
          newCondition('Progressing', 'True', REASONS.newRSAvailable, `${what} has successfully progressed.`, now),
        );
      } else if (deploymentProgressing(d, status)) {
        const cond = newCondition('Progressing', 'True', REASONS.rsUpdated, `${what} is progressing.`, now);
        if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
        status.conditions = [...(status.conditions ?? []), cond];
      } else if (deploymentTimedOut(d, status, now)) {
        setCondition(
          status,
          newCondition('Progressing', 'False', REASONS.timedOut, `${what} has timed out progressing.`, now),
        );
      }
    }
    const failure = all
      .map((rs) => (rs.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True'))
      .find((c) => c !== undefined);
    if (failure)
      setCondition(
        status,
        newCondition('ReplicaFailure', failure.status, failure.reason ?? '', failure.message ?? '', now),
      );
    else removeCondition(status, 'ReplicaFailure');
    if (sameStatus(d.status, status)) {
      this.requeueStuck(d, status, now);
      return;
    }
    await this.writeStatus(d, status);
  }

  /** requeueStuckDeployment: check again when the progress deadline would pass. */
  private requeueStuck(d: Deployment, status: DeploymentStatus, now: number): void {
    const cond = getCondition(status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond || deploymentComplete(d, status) || cond.reason === REASONS.timedOut) return;
    const from = Date.parse(cond.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return;
    const after = from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now;
    this.queue.addAfter(objectKey(d), after < 1000 ? 0 : after + 1000);
  }

  /**
   * PUT /status of the Deployment with `status` (and, when `withAnnotations`, its annotations: the status
   * strategy keeps the spec but takes metadata); one retry on a fresh copy. Returns the written Deployment.
   */
  private async writeStatus(d: Deployment, status: DeploymentStatus, withAnnotations = false): Promise<Deployment> {
    const ns = d.metadata.namespace;
    const body = { ...d, status } as Deployment;
    try {
      const written = await this.client.update<Deployment>(RESOURCES.deployments, ns, body, { subresource: 'status' });
      return written;
    } catch (err) {
      if (isNotFound(err)) return body;
      const fresh = await this.client.get<Deployment>(RESOURCES.deployments, ns, d.metadata.name!);
      if (fresh.metadata.uid !== d.metadata.uid) return body;
      if (withAnnotations)
        fresh.metadata.annotations = { ...(fresh.metadata.annotations ?? {}), ...(d.metadata.annotations ?? {}) };
      return this.client.update<Deployment>(RESOURCES.deployments, ns, { ...fresh, status }, { subresource: 'status' });
    }
  }
}

/** The ComponentFactory of the Deployment controller, for `controllers/components.ts`. */
export const deploymentController: ComponentFactory = (ctx) => new DeploymentController(ctx);
