/**
 * Node heartbeats through Leases (KEP-0009): one Lease per node in `kube-node-lease`, held by the node, owned
 * by the Node object (so the garbage collector removes it with the node), renewed every 10 s (real time, whatever the speed).
 * Like the kubelet, the renewer keeps the last Lease it wrote and updates from it; it reads the Lease again
 * only after a conflict. Unlike the kubelet (which reads first), it creates a Lease it never wrote without
 * reading it: a thousand new nodes cost a thousand requests fewer. The Lease kept has no managedFields (two thirds of
 * its size): an update without them keeps the stored ones, so the next renewal writes what it would with them.
 */
import { type KubeObject, type OwnerReference, withoutManagedFields } from '../../apimachinery/objects.js';
import { ValueSharing } from '../../apimachinery/shared-values.js';
import { rfc3339Micro } from '../../apimachinery/time.js';
import { ApiError, isNotFound } from '../machinery/client.js';
import { RESOURCES, type ApiClient } from '../machinery/types.js';
import type { Node } from './node-status.js';
import type { KubeletTimings } from './timings.js';

/** The namespace of node Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** A coordination.k8s.io/v1 Lease. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
    leaseTransitions?: number;
    [key: string]: unknown;
  };
}

/** The owner reference of a node's Lease. */
export function nodeOwnerRef(node: Node): OwnerReference {
  return { apiVersion: 'v1', kind: 'Node', name: node.metadata.name ?? '', uid: node.metadata.uid ?? '' };
}

/** The Lease `existing` (or a new one) renewed at `now` by `node`. */
export function renewedLease(node: Node, existing: Lease | undefined, now: number, t: KubeletTimings): Lease {
  const name = node.metadata.name ?? '';
  const owner = nodeOwnerRef(node);
  const base: Lease = existing
    ? { ...existing, metadata: { ...existing.metadata } }
    : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: NODE_LEASE_NAMESPACE } };
  const refs = (base.metadata.ownerReferences ?? []).filter((r) => !(r.kind === 'Node' && r.apiVersion === 'v1'));
  base.metadata.ownerReferences = [owner, ...refs];
  base.spec = {
    ...(existing?.spec ?? {}),
    holderIdentity: name,
    leaseDurationSeconds: t.leaseDurationSeconds,
    renewTime: rfc3339Micro(now),
  };
  return base;
}

/**
 * The Leases kept share their repeated strings (a Lease names its node three times; namespace, API version and
 * timestamps repeat across Leases) and are frozen: a renewal copies what it changes.
 */
const leaseSharing = new ValueSharing({ members: [] });

/** Renews the Leases of the simulated nodes; one `renew` per node and renewal interval. */
export class LeaseRenewer {
  private readonly last = new Map<string, { lease: Lease; renewedAt: number }>();

  constructor(
    private readonly client: ApiClient,
    private readonly timings: KubeletTimings,
  ) {}

  /** How long until the node's Lease is due (0 when it is due now or was never written). */
  dueIn(nodeName: string, now: number): number {
    const l = this.last.get(nodeName);
    return l ? Math.max(0, l.renewedAt + this.timings.leaseRenewMs - now) : 0;
  }

  /** Forgets a node (deleted): its Lease is the garbage collector's to remove. */
  forget(nodeName: string): void {
    this.last.delete(nodeName);
  }

  /**
   * Writes the node's Lease renewed at `now`: an update of the last one written, else a create (a node this
   * renewer never wrote for is most often new: no read first); after a conflict, AlreadyExists or NotFound it
   * reads the Lease and tries again (three attempts in all).
   */
  async renew(node: Node, now: number): Promise<void> {
    const name = node.metadata.name ?? '';
    for (let attempt = 0; attempt < 3; attempt++) {
      let current = this.last.get(name)?.lease;
      if (!current && attempt > 0) {
        try {
          current = await this.client.get<Lease>(RESOURCES.leases, NODE_LEASE_NAMESPACE, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      try {
        const written = current
          ? await this.client.update<Lease>(
              RESOURCES.leases,
              NODE_LEASE_NAMESPACE,
              renewedLease(node, current, now, this.timings),
            )
          : await this.client.create<Lease>(
              RESOURCES.leases,
              NODE_LEASE_NAMESPACE,
              renewedLease(node, undefined, now, this.timings),
            );
        this.last.set(name, { lease: leaseSharing.freeze(withoutManagedFields(written)), renewedAt: now });
        return;
      } catch (err) {
        // 409: someone else wrote it, or it was created meanwhile; 404: deleted since. Read it again.
        this.last.delete(name);
        if (!(err instanceof ApiError && err.code === 409) && !isNotFound(err)) throw err;
      }
    }
    throw new Error(`lease ${NODE_LEASE_NAMESPACE}/${name}: not written after 3 attempts`);
  }
}
