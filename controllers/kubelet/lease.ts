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
import { cachedString } from '../machinery/informer.js';
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
 * The Leases kept whole share their repeated strings (a Lease names its node three times; namespace, API version and
 * timestamps repeat across Leases) and are frozen: a renewal copies what it changes.
 */
const leaseSharing = new ValueSharing({ members: [] });

/** The members of a Lease's metadata that a Lease as the renewer writes it has (the server sets all but two). */
const PLAIN_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'ownerReferences']);
/** The members of its spec. */
const PLAIN_SPEC = new Set(['holderIdentity', 'leaseDurationSeconds', 'renewTime']);

/**
 * Whether `lease` (the server's answer, without managedFields) is what a renewal writes for `node` and nothing more:
 * held and owned by the node alone, no labels, annotations, finalizers, transitions nor other members.
 */
function isPlain(lease: Lease, node: Node, t: KubeletTimings): boolean {
  const name = node.metadata.name;
  const m = lease.metadata;
  const refs = m.ownerReferences;
  const ref = refs?.[0] as Record<string, unknown> | undefined;
  const own = nodeOwnerRef(node);
  return (
    lease.apiVersion === 'coordination.k8s.io/v1' &&
    lease.kind === 'Lease' &&
    Object.keys(lease).every((k) => k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'spec') &&
    m.name === name &&
    m.namespace === NODE_LEASE_NAMESPACE &&
    Object.keys(m).every((k) => PLAIN_METADATA.has(k)) &&
    refs?.length === 1 &&
    ref !== undefined &&
    Object.keys(ref).length === 4 &&
    ref.apiVersion === own.apiVersion &&
    ref.kind === own.kind &&
    ref.name === own.name &&
    ref.uid === own.uid &&
    lease.spec !== undefined &&
    Object.keys(lease.spec).every((k) => PLAIN_SPEC.has(k)) &&
    lease.spec.holderIdentity === name &&
    lease.spec.leaseDurationSeconds === t.leaseDurationSeconds
  );
}

/**
 * What the renewer keeps of the Lease it last wrote for a node. A plain Lease (see {@link isPlain}: every node's
 * until someone else writes to it) is kept as its identity and version, and made again from them and the node for
 * the next renewal: ~300 bytes a node with its map entry, against ~970 for the Lease kept whole (frozen, without
 * managedFields; tests/unit/controllers/kubelet/lease-resource.test.ts measures both), ~65 MB less at 100,000 nodes.
 * Any other is kept whole.
 */
class Written {
  constructor(
    readonly renewedAt: number,
    readonly whole: Lease | undefined,
    readonly uid: string | undefined,
    readonly resourceVersion: string | undefined,
    readonly creationTimestamp: string | null | undefined,
  ) {}

  static of(lease: Lease, node: Node, renewedAt: number, t: KubeletTimings): Written {
    const kept = withoutManagedFields(lease);
    if (!isPlain(kept, node, t))
      return new Written(renewedAt, leaseSharing.freeze(kept), undefined, undefined, undefined);
    const m = kept.metadata;
    const created = m.creationTimestamp;
    return new Written(
      renewedAt,
      undefined,
      // the string the Lease's cached copy holds too (the garbage collector's informer watches Leases)
      m.uid === undefined ? undefined : cachedString(m.uid),
      m.resourceVersion,
      typeof created === 'string' ? leaseSharing.string(created) : created,
    );
  }

  /** The Lease last written (for `node`, which a plain Lease names as its holder and owner). */
  lease(node: Node): Lease {
    if (this.whole) return this.whole;
    const name = node.metadata.name ?? '';
    const metadata: Lease['metadata'] = { name, namespace: NODE_LEASE_NAMESPACE };
    if (this.uid !== undefined) metadata.uid = this.uid;
    if (this.resourceVersion !== undefined) metadata.resourceVersion = this.resourceVersion;
    if (this.creationTimestamp !== undefined) metadata.creationTimestamp = this.creationTimestamp;
    metadata.ownerReferences = [nodeOwnerRef(node)];
    return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: { holderIdentity: name } };
  }
}

/** Renews the Leases of the simulated nodes; one `renew` per node and renewal interval. */
export class LeaseRenewer {
  private readonly last = new Map<string, Written>();
  /** When each node whose Lease this renewer has not written yet was first seen (its first Lease was due then). */
  private readonly firstDue = new Map<string, number>();

  constructor(
    private readonly client: ApiClient,
    private readonly timings: KubeletTimings,
  ) {}

  /** How long until the node's Lease is due (0 when it is due now or was never written). */
  dueIn(nodeName: string, now: number): number {
    const l = this.last.get(nodeName);
    return l ? Math.max(0, l.renewedAt + this.timings.leaseRenewMs - now) : 0;
  }

  /** The node was seen at `now`: its first Lease is due from then, unless this renewer has written one. */
  seen(nodeName: string, now: number): void {
    if (!this.last.has(nodeName) && !this.firstDue.has(nodeName)) this.firstDue.set(nodeName, now);
  }

  /**
   * Whether the node's due renewal may still wait, at `now`, for the process to be less busy: until half the lease's
   * duration has gone by since the last renewal (for a node's first Lease: the renewal interval less than that after
   * the node was {@link seen}), so that whoever reads the Lease never finds it more than half expired for the wait.
   * With the kubelet's 10 s and 40 s, a renewal waits 10 s at most.
   */
  mayWait(nodeName: string, now: number): boolean {
    const slack = this.timings.leaseDurationSeconds * 500 - this.timings.leaseRenewMs;
    if (!(slack > 0)) return false;
    const l = this.last.get(nodeName);
    const dueAt = l ? l.renewedAt + this.timings.leaseRenewMs : (this.firstDue.get(nodeName) ?? now);
    return now < dueAt + slack;
  }

  /** Forgets a node (deleted): its Lease is the garbage collector's to remove. */
  forget(nodeName: string): void {
    this.last.delete(nodeName);
    this.firstDue.delete(nodeName);
  }

  /**
   * Writes the node's Lease renewed at `now`: an update of the last one written, else a create (a node this
   * renewer never wrote for is most often new: no read first); after a conflict, AlreadyExists or NotFound it
   * reads the Lease and tries again (three attempts in all).
   */
  async renew(node: Node, now: number): Promise<void> {
    const name = node.metadata.name ?? '';
    for (let attempt = 0; attempt < 3; attempt++) {
      let current = this.last.get(name)?.lease(node);
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
        this.last.set(name, Written.of(written, node, now, this.timings));
        this.firstDue.delete(name);
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
