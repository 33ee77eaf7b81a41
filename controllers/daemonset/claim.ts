/**
 * Controller references (upstream ControllerRefManager): which pods / ControllerRevisions a DaemonSet owns.
 * Objects controlled by the DaemonSet (uid match) whose labels still match its selector are kept; those whose
 * labels stopped matching are released (the controller reference patched away); orphans that match are adopted
 * (a controller reference patched in) after a live GET has confirmed that the DaemonSet still exists with the
 * same uid and is not being deleted. Both patches carry `metadata.uid` of the object as a precondition.
 */
import type { LabelSelector } from '../../apimachinery/labels.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import { isNotFound } from '../machinery/client.js';
import type { ApiClient, ResourceRef } from '../machinery/types.js';
import type { DaemonSet } from './types.js';
import { controllerOf, newControllerRef } from './util.js';

/** Whether an error is a 422 Invalid answer (a release of an object that changed identity). */
function isInvalid(err: unknown): boolean {
  return (err as { code?: number })?.code === 422;
}

/**
 * RecheckDeletionTimestamp: a check, run at most once per sync and only when something is to be adopted, that
 * GETs the DaemonSet from the server (not the cache) and throws unless it is the same object and not deleted.
 */
export function recheckDaemonSet(client: ApiClient, ref: ResourceRef, ds: DaemonSet): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => {
    result ??= (async () => {
      const fresh = await client.get<DaemonSet>(ref, ds.metadata.namespace, ds.metadata.name!);
      if (fresh.metadata.uid !== ds.metadata.uid) {
        throw new Error(
          `original DaemonSet ${ds.metadata.namespace}/${ds.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${ds.metadata.uid}`,
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

/** What `claim` needs: the API, the resource of the candidates, the owner, its selector and the adoption check. */
export interface ClaimOptions {
  client: ApiClient;
  ref: ResourceRef;
  ds: DaemonSet;
  selector: LabelSelector;
  canAdopt: () => Promise<void>;
}

/** The result of a claim: the objects the DaemonSet owns now, and the errors of failed adoptions/releases. */
export interface ClaimResult<T extends KubeObject> {
  claimed: T[];
  errors: unknown[];
}

/** The strategic merge patch adding the DaemonSet as controller of `obj`. */
export function adoptPatch(ds: DaemonSet, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [newControllerRef(ds)], uid: obj.metadata.uid } };
}

/** The strategic merge patch removing the DaemonSet's owner reference from `obj`. */
export function releasePatch(ds: DaemonSet, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ds.metadata.uid }], uid: obj.metadata.uid } };
}

/**
 * Claims `candidates` (objects of the DaemonSet's namespace: the ones it controls and orphans) for `ds`.
 * Objects controlled by someone else are ignored; objects being deleted are never adopted. Adopted objects are
 * returned as they are in the cache (still without the owner reference the patch gave them). NotFound answers mean the object
 * is gone and are not errors.
 */
export async function claim<T extends KubeObject>(
  opts: ClaimOptions,
  candidates: readonly T[],
): Promise<ClaimResult<T>> {
  const { client, ref, ds, selector } = opts;
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
      await client.patch(ref, namespace, obj.metadata.name!, 'strategic', adoptPatch(ds, obj));
      claimed.push(obj);
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  return { claimed, errors };
}
