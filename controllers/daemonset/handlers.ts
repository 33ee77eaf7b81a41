/**
 * The DaemonSet controller's informer handlers (upstream add/update/delete of DaemonSets, ControllerRevisions,
 * pods and nodes). They only enqueue keys and count expectations down; all work happens in `sync`.
 */
import { semanticEqual } from '../../apimachinery/copy.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { DaemonSetController } from './controller.js';
import { nodeShouldRunDaemonPod } from './placement.js';
import type { ControllerRevision, DaemonSet, Node, Pod } from './types.js';
import { objectKey } from '../machinery/lister.js';
import { controllerOf, isPodReady } from './util.js';

function sameControllerRef(a: KubeObject, b: KubeObject): boolean {
  return semanticEqual(controllerOf(a), controllerOf(b));
}

/** nodeInSameCondition: the same set of condition types with status True. */
export function nodeInSameCondition(oldNode: Node, curNode: Node): boolean {
  const trueTypes = (n: Node) =>
    new Set((n.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type));
  const a = trueTypes(oldNode);
  const b = trueTypes(curNode);
  return a.size === b.size && [...a].every((t) => b.has(t));
}

/**
 * shouldIgnoreNodeUpdate: the same True conditions and nothing else changed but the resourceVersion and the
 * conditions themselves (heartbeats).
 */
export function shouldIgnoreNodeUpdate(oldNode: Node, curNode: Node): boolean {
  if (!nodeInSameCondition(oldNode, curNode)) return false;
  const strip = (n: Node) => ({
    ...n,
    metadata: { ...n.metadata, resourceVersion: undefined },
    status: { ...(n.status ?? {}), conditions: undefined },
  });
  return semanticEqual(strip(oldNode), strip(curNode));
}

/** Registers the handlers of `c` on its four informers. */
export function registerHandlers(c: DaemonSetController): void {
  const enqueueAll = (list: DaemonSet[]) => {
    for (const ds of list) c.enqueue(ds);
  };

  const deleteDaemonSet = (ds: DaemonSet) => {
    // A DaemonSet re-created under the same name starts with clean expectations.
    c.expectations.deleteExpectations(objectKey(ds));
    c.queue.add(objectKey(ds));
  };
  c.daemonSets.on({
    add: (ds) => c.enqueue(ds),
    update: (oldDs, curDs) => {
      if (oldDs.metadata.uid !== curDs.metadata.uid) deleteDaemonSet(oldDs);
      c.enqueue(curDs);
    },
    delete: deleteDaemonSet,
  });

  const ownerOf = (obj: KubeObject) => {
    const ref = controllerOf(obj);
    return ref ? c.resolveControllerRef(obj.metadata.namespace, ref) : undefined;
  };

  const deleteRevision = (rev: ControllerRevision) => {
    const ds = ownerOf(rev);
    if (ds) c.enqueue(ds);
  };
  c.revisions.on({
    add: (rev) => {
      if (rev.metadata.deletionTimestamp) return deleteRevision(rev);
      if (controllerOf(rev)) return; // a controlled revision appearing needs no sync (upstream only logs it)
      enqueueAll(c.daemonSetsSelecting(rev));
    },
    update: (oldRev, curRev) => {
      if (oldRev.metadata.resourceVersion === curRev.metadata.resourceVersion) return;
      const refChanged = !sameControllerRef(oldRev, curRev);
      if (refChanged && controllerOf(oldRev)) {
        const ds = ownerOf(oldRev);
        if (ds) c.enqueue(ds);
      }
      if (controllerOf(curRev)) {
        const ds = ownerOf(curRev);
        if (ds) c.enqueue(ds);
        return;
      }
      if (refChanged || !semanticEqual(oldRev.metadata.labels, curRev.metadata.labels))
        enqueueAll(c.daemonSetsSelecting(curRev));
    },
    delete: deleteRevision,
  });

  const deletePod = (pod: Pod) => {
    const ds = ownerOf(pod);
    if (!ds) return; // nobody waits for orphans
    c.expectations.deletionObserved(objectKey(ds));
    c.enqueueCoalesced(ds);
  };
  c.pods.on({
    add: (pod) => {
      // After a restart a pod may show up already being deleted: that is no creation to observe.
      if (pod.metadata.deletionTimestamp) return deletePod(pod);
      if (controllerOf(pod)) {
        const ds = ownerOf(pod);
        if (!ds) return;
        c.expectations.creationObserved(objectKey(ds));
        c.enqueueCoalesced(ds);
        return;
      }
      enqueueAll(c.daemonSetsSelecting(pod));
    },
    update: (oldPod, curPod) => {
      if (oldPod.metadata.resourceVersion === curPod.metadata.resourceVersion) return;
      // A graceful deletion started: count it now so the replacement is not held back by the grace period
      // (as upstream, the final removal is counted again; the counts only need to reach zero).
      if (curPod.metadata.deletionTimestamp) return deletePod(curPod);
      const refChanged = !sameControllerRef(oldPod, curPod);
      if (refChanged && controllerOf(oldPod)) {
        const ds = ownerOf(oldPod);
        if (ds) c.enqueue(ds);
      }
      if (controllerOf(curPod)) {
        const ds = ownerOf(curPod);
        if (!ds) return;
        c.enqueueCoalesced(ds);
        const minReady = ds.spec.minReadySeconds ?? 0;
        if (!isPodReady(oldPod) && isPodReady(curPod) && minReady > 0) c.enqueueAfter(ds, minReady * 1000 + 1000);
        return;
      }
      if (refChanged || !semanticEqual(oldPod.metadata.labels, curPod.metadata.labels))
        enqueueAll(c.daemonSetsSelecting(curPod));
    },
    delete: deletePod,
  });

  c.nodes.on({
    add: (node) => {
      for (const ds of c.daemonSets.lister.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) c.enqueue(ds);
    },
    update: (oldNode, curNode) => {
      if (shouldIgnoreNodeUpdate(oldNode, curNode)) return;
      for (const ds of c.daemonSets.lister.list()) {
        const a = nodeShouldRunDaemonPod(oldNode, ds);
        const b = nodeShouldRunDaemonPod(curNode, ds);
        if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) c.enqueue(ds);
      }
    },
    // Not upstream (which waits for the pod GC): a node that disappears changes desiredNumberScheduled.
    delete: (node) => {
      for (const ds of c.daemonSets.lister.list())
        if (c.podIndex.onNode(ds.metadata.namespace, ds.metadata.uid!, node.metadata.name!)) c.enqueue(ds);
    },
  });
}
