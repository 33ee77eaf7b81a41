/**
 * Controller references (upstream ControllerRefManager): which objects (pods, ControllerRevisions, ReplicaSets)
 * an owner (a DaemonSet, a ReplicaSet, a Deployment) controls. Objects controlled by the owner (uid match) whose labels still match its selector are kept; those whose
 * labels stopped matching are released (the controller reference patched away); orphans that match are adopted
 * (a controller reference patched in) after a live GET has confirmed that the DaemonSet still exists with the
 * same uid and is not being deleted. Both patches carry `metadata.uid` of the object as a precondition.
 */
import type { LabelSelector } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { KubeObject as Owner, OwnerReference } from '../../apimachinery/objects.js';
import { isNotFound } from './client.js';
import type { ApiClient, ResourceRef } from './types.js';

/** The controller owner reference of an object (metav1.GetControllerOf), if any. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/**
 * The index every owner-claiming controller (DaemonSet, ReplicaSet, Deployment) puts on shared informers: the
 * controller reference's uid, or `orphan/<namespace>` for objects without a controller (computed once per
 * change, however many controllers read it).
 */
export const CONTROLLER_UID_INDEX = 'controller-uid';
/** The CONTROLLER_UID_INDEX value of objects without a controller in `namespace`. */
export function orphanIndexValue(namespace: string | undefined): string {
  return `orphan/${namespace ?? ''}`;
}
/** The CONTROLLER_UID_INDEX function. */
export function controllerUidIndex(obj: KubeObject): string[] {
  const ref = controllerOf(obj);
  return [ref ? ref.uid : orphanIndexValue(obj.metadata.namespace)];
}

/** The controller reference an owner's objects carry (metav1.NewControllerRef). */
export function controllerRefTo(owner: Owner, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether an error is a 422 Invalid answer (a release of an object that changed identity). */
function isInvalid(err: unknown): boolean {
  return (err as { code?: number })?.code === 422;
}

/**
 * RecheckDeletionTimestamp: a check, run at most once per sync and only when something is to be adopted, that
 * GETs the owner from the server (not the cache) and throws unless it is the same object and not deleted.
 */
export function recheckOwner(client: ApiClient, ref: ResourceRef, ds: Owner): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= (async () => {
      const fresh = await client.get<Owner>(ref, ds.metadata.namespace, ds.metadata.name!);
      if (fresh.metadata.uid !== ds.metadata.uid) {
        throw new Error(
          `original ${ref.kind} ${ds.metadata.namespace}/${ds.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`,
        );
      }
      if (fresh.metadata.deletionTimestamp) {
        throw new Error(
          `${ds.metadata.namespace}/${ds.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`,
        );
      }
    })();
    return result;
  };
}

/** What `claim` needs: the API, the resource of the candidates, the owner and its reference, its selector and the adoption check. */
export interface ClaimOptions {
  client: ApiClient;
  ref: ResourceRef;
  owner: Owner;
  /** The controller reference adoption writes (controllerRefTo). */
  controllerRef: OwnerReference;
  selector: LabelSelector;
  canAdopt: () => Promise<void>;
}

/** The result of a claim: the objects the owner controls now, and the errors of failed adoptions/releases. */
export interface ClaimResult<T extends KubeObject> {
  claimed: T[];
  errors: unknown[];
}

/** The strategic merge patch adding `controllerRef` as controller of `obj`. */
export function adoptPatch(controllerRef: OwnerReference, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [controllerRef], uid: obj.metadata.uid } };
}

/** The strategic merge patch removing the owner's reference from `obj`. */
export function releasePatch(ds: Owner, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata.uid }], uid: obj.metadata.uid } };
}

/**
 * Claims `candidates` (objects of the owner's namespace: the ones it controls and orphans) for `ds`.
 * Objects controlled by someone else are ignored; objects being deleted are never adopted. Adopted objects are
 * returned as they are in the cache (still without the owner reference the patch gave them). NotFound answers mean the object
 * is gone and are not errors.
 */
export async function claim<T extends KubeObject>(
  opts: ClaimOptions,
  candidates: readonly T[],
): Promise<ClaimResult<T>> {
  const { client, ref, owner: ds, selector } = opts;
  const uid = ds.metadata.uid;
  const claimed: T[] = [];
  const errors: unknown[] = [];
  const namespace = ds.metadata.namespace;
  for (const obj of candidates) {
    const owner = controllerOf(obj);
    if (owner) {
      if (owner.uid !== uid) continue;
      if (selector.matches(obj.metadata.labels)) {
        claimed.push(obj);
        continue;
      }
      if (ds.metadata.deletionTimestamp) continue; // never release while the owner is being deleted
      try {
        await client.patch(ref, namespace, obj.metadata.name!, 'strategic', releasePatch(ds, obj));
      } catch (err) {
        if (!isNotFound(err) && !isInvalid(err)) errors.push(err);
      }
      continue;
    }
    // An orphan.
    if (ds.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) continue;
    if (obj.metadata.namespace !== namespace || !selector.matches(obj.metadata.labels)) continue;
    try {
      await opts.canAdopt();
      await client.patch(ref, namespace, obj.metadata.name!, 'strategic', adoptPatch(opts.controllerRef, obj));
      claimed.push(obj);
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  return { claimed, errors };
}
