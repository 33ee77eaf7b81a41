/**
 * The ReplicaSet controller (upstream pkg/controller/replicaset): keeps `spec.replicas` active pods matching each
 * ReplicaSet's selector, adopting matching orphans and releasing pods that stopped matching, creating pods in
 * slow-start batches and deleting the least valuable first (ranking.ts), with expectations so that a slow watch
 * never makes it act twice; publishes replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
 * observedGeneration and the ReplicaFailure condition. Handlers only enqueue `namespace/name` keys; `sync` works.
 */
import { semanticEqual } from '../../apimachinery/copy.js';
import { LabelSelector, labelSelectorFromObject } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { isNamespaceTerminating, slowStartBatch } from '../machinery/batch.js';
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
import { ControllerExpectations } from '../machinery/expectations.js';
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
import { isPodAvailable, isPodReady, SLOW_START_INITIAL_BATCH_SIZE } from '../daemonset/util.js';
import { podsToDelete } from './ranking.js';
import type { Pod, PodTemplateSpec, ReplicaSet, ReplicaSetStatus, WorkloadCondition } from './types.js';

export const COMPONENT = 'replicaset-controller';
/** Creations and deletions issued by one sync at most (BurstReplicas). */
export const BURST_REPLICAS = 500;
/** Pod index: the uid of the pod's controller, or `orphan/<namespace>` (shared with the other controllers). */
export const BY_CONTROLLER_INDEX = CONTROLLER_UID_INDEX;

/** FilterActivePods: neither Succeeded, Failed nor being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** The event target of a ReplicaSet (apiVersion and kind of the apps/v1 form). */
function eventTarget(rs: ReplicaSet): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: rs.metadata };
}

/**
 * GetPodFromTemplate: labels, annotations and finalizers of the template, `generateName: <rs>-`, the controller
 * reference, the template's spec (the scheduler binds it).
 */
export function podFromTemplate(rs: ReplicaSet): Pod {
  const t: PodTemplateSpec = rs.spec.template ?? {};
  const tm = t.metadata ?? {};
  const metadata: Pod['metadata'] = { generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace };
  if (tm.labels) metadata.labels = { ...tm.labels };
  if (tm.annotations) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) metadata.finalizers = [...tm.finalizers];
  metadata.ownerReferences = [controllerRefTo(rs, 'apps/v1', 'ReplicaSet')];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(t.spec ?? {}) };
}

/** calculateStatus: the counters over the ReplicaSet's active pods, and the ReplicaFailure condition. */
export function calculateStatus(
  rs: ReplicaSet,
  pods: readonly Pod[],
  manageError: { error: unknown; diff: number } | undefined,
  now: number,
): ReplicaSetStatus {
  const templateLabels = rs.spec.template?.metadata?.labels ?? {};
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const status: ReplicaSetStatus = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const cond: WorkloadCondition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason: manageError.diff < 0 ? 'FailedCreate' : 'FailedDelete',
      message: (manageError.error as Error)?.message ?? String(manageError.error),
    };
    conditions.push(cond);
  } else if (!manageError && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Knobs for tests; everything defaults to upstream's values. */
export interface ReplicaSetControllerOptions {
  queue?: WorkQueue;
  expectations?: ControllerExpectations;
  burstReplicas?: number;
}

/** The ReplicaSet controller. Construct it with the context (registers informers, indexes and handlers). */
export class ReplicaSetController implements Controller, Component {
  readonly name = COMPONENT;
  readonly queue: WorkQueue;
  readonly expectations: ControllerExpectations;
  readonly burstReplicas: number;
  readonly replicaSets: Informer<ReplicaSet>;
  readonly pods: Informer<Pod>;
  readonly client: ApiClient;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  private readonly selectors = new WeakMap<ReplicaSet, LabelSelector>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: ReplicaSetControllerOptions = {},
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.log = ctx.log.child({ controller: COMPONENT });
    this.recorder = ctx.recorder(COMPONENT);
    this.queue = opts.queue ?? new RateLimitingQueue({ clock: ctx.clock, name: 'replicaset', log: this.log });
    this.expectations = opts.expectations ?? new ControllerExpectations(ctx.clock, this.log);
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.replicaSets = ctx.informers.informer<ReplicaSet>(RESOURCES.replicasets);
    this.pods = ctx.informers.informer<Pod>(RESOURCES.pods);
    addIndexOnce(this.pods, BY_CONTROLLER_INDEX, controllerUidIndex);
    this.registerHandlers();
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await cachesSynced(this.ctx.informers, signal))) return;
    this.log.info({ workers: this.ctx.workers }, 'starting replicaset controller');
    await runWorkers(this, this.queue, this.ctx.workers, signal, this.log);
    this.log.info({}, 'shutting down replicaset controller');
  }

  /** Takes the next key off the queue and syncs it (tests drive the controller with this). */
  async processNext(signal: AbortSignal): Promise<string | undefined> {
    return processNextKey(this, this.queue, signal, this.log);
  }

  enqueue(rs: ReplicaSet): void {
    this.queue.add(objectKey(rs));
  }

  /** The ReplicaSet's selector, parsed once per cached object; an unparseable one matches nothing. */
  selectorOf(rs: ReplicaSet): LabelSelector {
    let sel = this.selectors.get(rs);
    if (!sel) {
      try {
        sel = labelSelectorFromObject(rs.spec.selector);
      } catch {
        sel = LabelSelector.nothing();
      }
      this.selectors.set(rs, sel);
    }
    return sel;
  }

  private resolveControllerRef(namespace: string | undefined, obj: KubeObject): ReplicaSet | undefined {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.replicaSets.lister.get(namespace, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** getPodReplicaSets: the ReplicaSets of the pod's namespace whose (non-empty) selector matches it. */
  private replicaSetsSelecting(pod: Pod): ReplicaSet[] {
    const labels = pod.metadata.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.replicaSets.lister.list(pod.metadata.namespace ?? '').filter((rs) => {
      const sel = this.selectorOf(rs);
      return !sel.empty && sel.matches(labels);
    });
  }

  private registerHandlers(): void {
    const deleteRS = (rs: ReplicaSet) => {
      this.expectations.deleteExpectations(objectKey(rs));
      this.queue.add(objectKey(rs));
    };
    this.replicaSets.on({
      add: (rs) => this.enqueue(rs),
      update: (oldRS, curRS) => {
        if (oldRS.metadata.uid !== curRS.metadata.uid) deleteRS(oldRS);
        this.enqueue(curRS);
      },
      delete: deleteRS,
    });
    const deletePod = (pod: Pod) => {
      const rs = this.resolveControllerRef(pod.metadata.namespace, pod);
      if (!rs) return;
      this.expectations.deletionObserved(objectKey(rs));
      this.enqueue(rs);
    };
    this.pods.on({
      add: (pod) => {
        if (pod.metadata.deletionTimestamp) return deletePod(pod);
        if (controllerOf(pod)) {
          const rs = this.resolveControllerRef(pod.metadata.namespace, pod);
          if (!rs) return;
          this.expectations.creationObserved(objectKey(rs));
          this.enqueue(rs);
          return;
        }
        for (const rs of this.replicaSetsSelecting(pod)) this.enqueue(rs);
      },
      update: (oldPod, curPod) => {
        if (oldPod.metadata.resourceVersion === curPod.metadata.resourceVersion) return;
        const labelsChanged = !semanticEqual(oldPod.metadata.labels, curPod.metadata.labels);
        if (curPod.metadata.deletionTimestamp && !oldPod.metadata.deletionTimestamp) {
          deletePod(curPod);
          if (labelsChanged) deletePod(oldPod);
          return;
        }
        const refChanged = !semanticEqual(controllerOf(oldPod), controllerOf(curPod));
        if (refChanged && controllerOf(oldPod)) {
          const rs = this.resolveControllerRef(oldPod.metadata.namespace, oldPod);
          if (rs) this.enqueue(rs);
        }
        if (controllerOf(curPod)) {
          const rs = this.resolveControllerRef(curPod.metadata.namespace, curPod);
          if (!rs) return;
          this.enqueue(rs);
          const minReady = rs.spec.minReadySeconds ?? 0;
          if (!isPodReady(oldPod) && isPodReady(curPod) && minReady > 0)
            this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
          return;
        }
        if (labelsChanged || refChanged) for (const rs of this.replicaSetsSelecting(curPod)) this.enqueue(rs);
      },
      delete: deletePod,
    });
  }

  /** syncReplicaSet: one reconciliation of the ReplicaSet under `key`. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const rs = this.replicaSets.lister.get(namespace, name);
    if (!rs) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromObject(rs.spec.selector);
    } catch (err) {
      this.log.warn({ replicaset: key, err: String(err) }, 'invalid selector');
      return;
    }
    const ns = rs.metadata.namespace;
    const candidates = [
      ...this.pods.lister.byIndex(BY_CONTROLLER_INDEX, rs.metadata.uid!).filter((p) => p.metadata.namespace === ns),
      ...this.pods.lister.byIndex(BY_CONTROLLER_INDEX, orphanIndexValue(ns)),
    ].filter(isPodActive);
    const { claimed, errors } = await claim(
      {
        client: this.client,
        ref: RESOURCES.pods,
        owner: rs,
        controllerRef: controllerRefTo(rs, 'apps/v1', 'ReplicaSet'),
        selector,
        canAdopt: recheckOwner(this.client, RESOURCES.replicasets, rs),
      },
      candidates,
    );
    if (errors.length > 0) throw errors[0];

    let manageError: { error: unknown; diff: number } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) manageError = await this.manageReplicas(claimed, rs, key);
    const status = calculateStatus(rs, claimed, manageError, this.clock.now());
    const updated = await this.storeStatus(rs, status);
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (
      !manageError &&
      minReady > 0 &&
      updated.readyReplicas === (rs.spec.replicas ?? 1) &&
      updated.availableReplicas !== (rs.spec.replicas ?? 1)
    )
      this.queue.addAfter(key, minReady * 1000);
    if (manageError) throw manageError.error;
  }

  /** manageReplicas: creates or deletes pods toward `spec.replicas`, at most BurstReplicas per sync. */
  private async manageReplicas(
    pods: Pod[],
    rs: ReplicaSet,
    key: string,
  ): Promise<{ error: unknown; diff: number } | undefined> {
    const desired = rs.spec.replicas ?? 1;
    const diff = pods.length - desired;
    const target = eventTarget(rs);
    const ns = rs.metadata.namespace;
    if (diff < 0) {
      const count = Math.min(-diff, this.burstReplicas);
      this.expectations.expectCreations(key, count);
      let firstError: unknown;
      const { attempted, failed } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          const created = await this.client.create<Pod>(RESOURCES.pods, ns, podFromTemplate(rs));
          this.recorder.event(target, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
          return true;
        } catch (err) {
          this.expectations.creationObserved(key);
          if (isNamespaceTerminating(err)) return true;
          this.recorder.event(target, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          firstError ??= err;
          return false;
        }
      });
      const skipped = count - attempted;
      if (failed && skipped > 0) this.expectations.lowerExpectations(key, skipped, 0);
      return firstError === undefined ? undefined : { error: firstError, diff };
    }
    if (diff > 0) {
      const count = Math.min(diff, this.burstReplicas);
      const victims = podsToDelete(pods, this.relatedPods(rs), count);
      this.expectations.expectDeletions(key, victims.length);
      let firstError: unknown;
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.client.delete(RESOURCES.pods, ns, pod.metadata.name!);
            this.recorder.event(target, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (err) {
            this.expectations.deletionObserved(key);
            if (isNotFound(err)) return;
            this.recorder.event(target, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
            firstError ??= err;
          }
        }),
      );
      return firstError === undefined ? undefined : { error: firstError, diff };
    }
    return undefined;
  }

  /** getIndirectlyRelatedPods: the active pods of every ReplicaSet with the same controller (or of this one alone). */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs);
    const siblings = owner
      ? this.replicaSets.lister.list(rs.metadata.namespace ?? '').filter((r) => controllerOf(r)?.uid === owner.uid)
      : [rs];
    return siblings.flatMap((r) => this.pods.lister.byIndex(BY_CONTROLLER_INDEX, r.metadata.uid!)).filter(isPodActive);
  }

  /** updateReplicaSetStatus: PUT /status when anything changed (one retry on a fresh copy). */
  private async storeStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    const generation = rs.metadata.generation;
    const cur = rs.status;
    if (
      cur &&
      cur.replicas === status.replicas &&
      (cur.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
      (cur.readyReplicas ?? 0) === status.readyReplicas &&
      (cur.availableReplicas ?? 0) === status.availableReplicas &&
      cur.observedGeneration === generation &&
      semanticEqual(cur.conditions ?? [], status.conditions ?? [])
    )
      return status;
    const next = { ...status, observedGeneration: generation };
    const ns = rs.metadata.namespace;
    try {
      await this.client.update(RESOURCES.replicasets, ns, { ...rs, status: next } as ReplicaSet, {
        subresource: 'status',
      });
    } catch (err) {
      if (isNotFound(err)) return next;
      const fresh = await this.client.get<ReplicaSet>(RESOURCES.replicasets, ns, rs.metadata.name!);
      if (fresh.metadata.uid !== rs.metadata.uid) return next;
      await this.client.update(RESOURCES.replicasets, ns, { ...fresh, status: next } as ReplicaSet, {
        subresource: 'status',
      });
    }
    return next;
  }
}

/** The ComponentFactory of the ReplicaSet controller, for `controllers/components.ts`. */
export const replicaSetController: ComponentFactory = (ctx) => new ReplicaSetController(ctx);
