/**
 * The DaemonSet's use of the shared ControllerRefManager (../machinery/claim.ts): its controller reference and
 * the adoption recheck.
 */
import type { ApiClient, ResourceRef } from '../machinery/types.js';
import {
  claim as claimFor,
  recheckOwner,
  type ClaimOptions as OwnerClaimOptions,
  type ClaimResult,
} from '../machinery/claim.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { DaemonSet } from './types.js';
import { newControllerRef } from './util.js';

/** What a DaemonSet's claim needs (its controller reference follows from it). */
export type ClaimOptions = Omit<OwnerClaimOptions, 'controllerRef' | 'owner'> & { ds: DaemonSet };

/** Claims `candidates` for the DaemonSet `opts.ds` (see the machinery's claim). */
export function claim<T extends KubeObject>(opts: ClaimOptions, candidates: readonly T[]): Promise<ClaimResult<T>> {
  const { ds, ...rest } = opts;
  return claimFor({ ...rest, owner: ds, controllerRef: newControllerRef(ds) }, candidates);
}

/** RecheckDeletionTimestamp for a DaemonSet. */
export function recheckDaemonSet(client: ApiClient, ref: ResourceRef, ds: DaemonSet): () => Promise<void> {
  return recheckOwner(client, ref, ds);
}
