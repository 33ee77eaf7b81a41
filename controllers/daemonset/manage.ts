/**
 * Placement of daemon pods (upstream manage, podsShouldBeOnNode, syncNodes, CreatePodTemplate): per node,
 * create the missing pod, delete pods that may no longer run there, failed or succeeded pods, and the excess
 * (keeping the oldest); then issue the creates in slow-start batches and the deletes, at most BurstReplicas of
 * each per sync, with expectations set beforehand so a slow watch never causes duplicates.
 */
import { isNamespaceTerminating, slowStartBatch } from '../machinery/batch.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { ControllerExpectations } from '../machinery/expectations.js';
import { isNotFound } from '../machinery/client.js';
import { RESOURCES, type ApiClient, type Clock, type EventRecorder, type Logger } from '../machinery/types.js';
import type { Backoff } from './backoff.js';
import { addDaemonTolerations, nodeShouldRunDaemonPod } from './placement.js';
import type { DaemonSet, Node, Pod, PodTemplateSpec } from './types.js';
import { objectKey } from '../machinery/lister.js';
import {
  allowsSurge,
  BURST_REPLICAS,
  compareDaemonPods,
  CONTROLLER_REVISION_HASH_LABEL,
  DS_API_VERSION,
  DS_KIND,
  isPodAvailable,
  isPodReady,
  newControllerRef,
  POD_TEMPLATE_GENERATION_LABEL,
  REASONS,
  SLOW_START_INITIAL_BATCH_SIZE,
  targetNodeName,
  templateGenerationOf,
} from './util.js';

/** The DaemonSet as the object events are about (the recorder needs apiVersion and kind). */
export function eventTarget(ds: DaemonSet): KubeObject {
  return { apiVersion: DS_API_VERSION, kind: DS_KIND, metadata: ds.metadata };
}

/** Whether a pod is Failed or Succeeded (podutil.IsPodTerminal). */
export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/**
 * Groups daemon pods by target node (getNodesToDaemonPods). Pods without a target node are skipped; terminal
 * pods already being deleted are skipped unless `includeDeletedTerminal` (nothing is left to do with them).
 */
export function groupByNode(pods: readonly Pod[], includeDeletedTerminal = false): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const pod of pods) {
    if (!includeDeletedTerminal && pod.metadata.deletionTimestamp && isPodTerminal(pod)) continue;
    const node = targetNodeName(pod);
    if (node === undefined) continue;
    const list = out.get(node);
    if (list) list.push(pod);
    else out.set(node, [pod]);
  }
  return out;
}

/** What podsShouldBeOnNode needs besides its arguments. */
export interface PlanDeps {
  recorder: EventRecorder;
  backoff: Backoff;
  clock: Clock;
  log: Logger;
  /** Re-queues the DaemonSet after `ms` (a failed pod whose deletion is in back-off). */
  enqueueAfter(ds: DaemonSet, ms: number): void;
}

/** The plan for one node, or all nodes. */
export interface NodePlan {
  nodesNeedingDaemonPods: string[];
  podsToDelete: string[];
  /** Failed pods marked for deletion (the sync then fails, so the replacement is paced by the queue's back-off). */
  failedPodsObserved: number;
}

/** The plan of a node where nothing is to be done (shared; never changed). */
const NOTHING_TO_DO: NodePlan = Object.freeze({
  nodesNeedingDaemonPods: Object.freeze([]) as unknown as string[],
  podsToDelete: Object.freeze([]) as unknown as string[],
  failedPodsObserved: 0,
});

/** The failed-pod back-off key: DaemonSet uid, observed generation and node (failedPodsBackoffKey). */
export function failedPodsBackoffKey(ds: DaemonSet, nodeName: string): string {
  return `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

/**
 * podsShouldBeOnNode. Should run but has no pod → create. May continue running → delete failed pods (paced
 * per node by the back-off, with a FailedDaemonPod warning) and succeeded pods, then, without surge, all but
 * the oldest running pod; with surge, keep the oldest pod of the current hash and the oldest older one while
 * the new one is not yet available. May not continue → delete every pod not already being deleted.
 * A pod being deleted counts as present: nothing is created on its node until it is gone.
 */
export function podsShouldBeOnNode(
  deps: PlanDeps,
  node: Node,
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  ds: DaemonSet,
  hash: string,
): NodePlan {
  const nodeName = node.metadata.name!;
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const daemonPods = nodeToDaemonPods.get(nodeName);
  // The common case, one running pod where it may stay, needs nothing (what the general case below concludes).
  if (shouldContinueRunning && daemonPods?.length === 1) {
    const only = daemonPods[0]!;
    const phase = only.status?.phase;
    if (!only.metadata.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') return NOTHING_TO_DO;
  }
  if (!daemonPods) {
    // No pod: one to create where the DaemonSet should run, else nothing to do (nothing to delete either).
    return shouldRun ? { nodesNeedingDaemonPods: [nodeName], podsToDelete: [], failedPodsObserved: 0 } : NOTHING_TO_DO;
  }
  const plan: NodePlan = { nodesNeedingDaemonPods: [], podsToDelete: [], failedPodsObserved: 0 };
  const ns = ds.metadata.namespace;

  if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of daemonPods) {
      if (pod.metadata.deletionTimestamp) continue;
      if (pod.status?.phase === 'Failed') {
        const key = failedPodsBackoffKey(ds, nodeName);
        const now = deps.clock.now();
        if (deps.backoff.isInBackOffSinceUpdate(key, now)) {
          deps.enqueueAfter(ds, deps.backoff.get(key));
          continue;
        }
        deps.backoff.next(key, now);
        deps.recorder.event(
          eventTarget(ds),
          'Warning',
          REASONS.failedDaemonPod,
          `Found failed daemon pod ${ns}/${pod.metadata.name} on node ${nodeName}, will try to kill it`,
        );
        plan.podsToDelete.push(pod.metadata.name!);
        plan.failedPodsObserved++;
      } else if (pod.status?.phase === 'Succeeded') {
        deps.recorder.event(
          eventTarget(ds),
          'Normal',
          REASONS.succeededDaemonPod,
          `Found succeeded daemon pod ${ns}/${pod.metadata.name} on node ${nodeName}, will try to delete it`,
        );
        plan.podsToDelete.push(pod.metadata.name!);
      } else {
        running.push(pod);
      }
    }
    running.sort(compareDaemonPods);
    if (!allowsSurge(ds)) {
      for (const pod of running.slice(1)) plan.podsToDelete.push(pod.metadata.name!);
      return plan;
    }
    if (running.length <= 1) {
      if (running.length === 0 && shouldRun) plan.nodesNeedingDaemonPods.push(nodeName);
      return plan;
    }
    // Surge: keep the oldest current-hash pod, and the oldest older pod only while it is ready and the new one
    // is not yet available.
    let oldestNew: Pod | undefined;
    let oldestOld: Pod | undefined;
    for (const pod of running) {
      const isNew = pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else plan.podsToDelete.push(pod.metadata.name!);
    }
    if (oldestNew && oldestOld) {
      if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, deps.clock.now())) {
        plan.podsToDelete.push(oldestOld.metadata.name!);
      }
    }
    return plan;
  }
  for (const pod of daemonPods) {
    if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod.metadata.name!);
  }
  return plan;
}

/** Pods without `spec.nodeName` whose target node does not exist (they can never be scheduled): delete them. */
export function unscheduledPodsWithoutNode(
  nodes: Iterable<Node>,
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
): string[] {
  // Only pods without spec.nodeName are concerned: the node names are looked at when there are some.
  let names: Set<string | undefined> | undefined;
  const out: string[] = [];
  for (const [node, pods] of nodeToDaemonPods) {
    if (pods.every((pod) => !!pod.spec?.nodeName)) continue;
    if (!names) {
      names = new Set();
      for (const n of nodes) names.add(n.metadata.name);
    }
    if (names.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.push(pod.metadata.name!);
  }
  return out;
}

/** What a plan over only some of the nodes needs (see planNodes). */
export interface PartialPlan {
  /** Told of each node where there is nothing to do. */
  settle(nodeName: string): void;
  /** The pods without `spec.nodeName` whose target node does not exist (unscheduledPodsWithoutNode over all nodes). */
  unscheduled(): string[];
  /**
   * Nodes needing a pod that the plan names at most (the creates one sync makes, BurstReplicas): past them, a node
   * without daemon pods is passed over unread (it stays unsettled, for a later sync), and only nodes with daemon
   * pods (which may have some to delete) are looked at. Which pods the sync creates does not change: the first ones.
   */
  createLimit?: number;
}

/**
 * The plan over every node (upstream manage, before syncNodes); with `partial`, over `nodes` alone (those not
 * known to have nothing to do), telling `partial` of each that has nothing to do.
 */
export function planNodes(
  deps: PlanDeps,
  ds: DaemonSet,
  nodes: Iterable<Node>,
  nodeToDaemonPods: ReadonlyMap<string, readonly Pod[]>,
  hash: string,
  partial?: PartialPlan,
): NodePlan {
  const plan: NodePlan = { nodesNeedingDaemonPods: [], podsToDelete: [], failedPodsObserved: 0 };
  const limit = partial?.createLimit ?? Number.POSITIVE_INFINITY;
  for (const node of nodes) {
    if (plan.nodesNeedingDaemonPods.length >= limit && !nodeToDaemonPods.has(node.metadata.name!)) continue;
    const p = podsShouldBeOnNode(deps, node, nodeToDaemonPods, ds, hash);
    if (p === NOTHING_TO_DO) {
      partial?.settle(node.metadata.name!);
      continue;
    }
    plan.nodesNeedingDaemonPods.push(...p.nodesNeedingDaemonPods);
    plan.podsToDelete.push(...p.podsToDelete);
    plan.failedPodsObserved += p.failedPodsObserved;
  }
  plan.podsToDelete.push(...(partial ? partial.unscheduled() : unscheduledPodsWithoutNode(nodes, nodeToDaemonPods)));
  return plan;
}

/**
 * CreatePodTemplate: the DaemonSet's template with the default daemon tolerations and the labels
 * `pod-template-generation` (when the DaemonSet has a templateGeneration) and `controller-revision-hash`.
 */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template) as PodTemplateSpec;
  t.spec = addDaemonTolerations(t.spec ?? {});
  const labels = { ...(t.metadata?.labels ?? {}) };
  const generation = templateGenerationOf(ds);
  if (generation !== undefined) labels[POD_TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) labels[CONTROLLER_REVISION_HASH_LABEL] = hash;
  t.metadata = { ...(t.metadata ?? {}), labels };
  return t;
}

/**
 * The pod to create on `nodeName` from a daemon pod template (GetPodFromTemplate): labels, annotations and
 * finalizers of the template, `generateName: <ds>-`, the controller reference, the template spec bound to the
 * node (this emulator has no scheduler, so `spec.nodeName` is set directly).
 */
export function newDaemonPod(ds: DaemonSet, template: PodTemplateSpec, nodeName: string): Pod {
  const tm = template.metadata ?? {};
  const metadata: Pod['metadata'] = { generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace };
  if (tm.labels) metadata.labels = { ...tm.labels };
  if (tm.annotations) metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) metadata.finalizers = [...tm.finalizers];
  metadata.ownerReferences = [newControllerRef(ds)];
  const spec = structuredClone(template.spec ?? {});
  spec.nodeName = nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** What syncNodes needs. */
export interface SyncNodesDeps {
  client: ApiClient;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  log: Logger;
  burstReplicas?: number;
}

/**
 * syncNodes: sets the expectations (creates and deletes, each capped at BurstReplicas), creates the pods in
 * slow-start batches (skipped creates lowered from the expectations), deletes the pods, recording
 * SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete events. Returns the errors.
 */
export async function syncNodes(
  deps: SyncNodesDeps,
  ds: DaemonSet,
  podsToDelete: readonly string[],
  nodesNeedingDaemonPods: readonly string[],
  hash: string,
): Promise<unknown[]> {
  const burst = deps.burstReplicas ?? BURST_REPLICAS;
  const key = objectKey(ds);
  const ns = ds.metadata.namespace;
  const createDiff = Math.min(nodesNeedingDaemonPods.length, burst);
  const deleteDiff = Math.min(podsToDelete.length, burst);
  deps.expectations.setExpectations(key, createDiff, deleteDiff);
  const errors: unknown[] = [];
  const target = eventTarget(ds);

  if (createDiff > 0) {
    const template = daemonPodTemplate(ds, hash);
    const { attempted, failed } = await slowStartBatch(createDiff, SLOW_START_INITIAL_BATCH_SIZE, async (i) => {
      try {
        const created = await deps.client.create<Pod>(
          RESOURCES.pods,
          ns,
          newDaemonPod(ds, template, nodesNeedingDaemonPods[i]!),
        );
        deps.recorder.event(target, 'Normal', REASONS.successfulCreate, `Created pod: ${created.metadata.name}`);
        return true;
      } catch (err) {
        deps.expectations.creationObserved(key);
        if (isNamespaceTerminating(err)) return true; // everything else would fail the same way; nothing to report
        deps.recorder.event(target, 'Warning', REASONS.failedCreate, `Error creating: ${(err as Error).message}`);
        errors.push(err);
        return false;
      }
    });
    const skipped = createDiff - attempted;
    if (failed && skipped > 0) {
      deps.log.debug({ daemonset: key, skipped }, 'slow-start failure: skipping pod creations');
      deps.expectations.lowerExpectations(key, skipped, 0);
    }
  }

  await Promise.all(
    podsToDelete.slice(0, deleteDiff).map(async (name) => {
      try {
        await deps.client.delete(RESOURCES.pods, ns, name);
        deps.recorder.event(target, 'Normal', REASONS.successfulDelete, `Deleted pod: ${name}`);
      } catch (err) {
        deps.expectations.deletionObserved(key);
        if (isNotFound(err)) return;
        deps.recorder.event(target, 'Warning', REASONS.failedDelete, `Error deleting: ${(err as Error).message}`);
        errors.push(err);
      }
    }),
  );
  return errors;
}

export { isNamespaceTerminating, slowStartBatch } from '../machinery/batch.js';
