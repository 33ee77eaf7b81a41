/**
 * The garbage collector's dependency graph (upstream's GraphBuilder): every watched object is a node keyed by
 * uid, with its ownerReferences and the set of its dependents. An owner referenced before it is observed (or
 * that does not exist) is a *virtual* node, to be verified against the API. The graph turns informer events
 * into work: dependents of a vanished owner go to attemptToDelete, an owner deleted with the `orphan`
 * finalizer goes to attemptToOrphan, one deleted with `foregroundDeletion` starts deleting its dependents,
 * and an owner waiting for its dependents is looked at again whenever one of them goes or stops blocking.
 */
import type { KubeObject, OwnerReference } from '../../apimachinery/objects.js';

/** The finalizer of Orphan propagation. */
export const FINALIZER_ORPHAN = 'orphan';
/** The finalizer of Foreground propagation. */
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Who an object is: enough to GET it (with the resource found from apiVersion and kind). */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid: string;
}

/** The owners of an object that has none. */
const NO_OWNERS: readonly OwnerReference[] = Object.freeze([]);

/** The dependents of a node that has none (most: pods, leases). */
const NO_DEPENDENTS: readonly GraphNode[] = Object.freeze([]);

/**
 * An object (or a virtual owner) in the graph. Its identity's members are its own (an identity object per node was
 * ~64 bytes more, and one was made on every update of the object).
 */
export class GraphNode {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  readonly uid: string;
  /**
   * The dependents: none, the one (most owners that have any: a Node its Lease), or a set from the second on. An
   * empty set for each of thousands of pods took ~130 bytes each, and so did a set of one for each Node.
   */
  private dependentSet?: GraphNode | Set<GraphNode>;
  owners: readonly OwnerReference[] = NO_OWNERS;
  /** Known only from references; not (yet) observed through an informer. */
  virtual: boolean;
  /** Has a deletionTimestamp. */
  beingDeleted = false;
  /** Has a deletionTimestamp and the foregroundDeletion finalizer: waits for blocking dependents to go. */
  deletingDependents = false;

  constructor(identity: ObjectIdentity, virtual: boolean) {
    this.apiVersion = identity.apiVersion;
    this.kind = identity.kind;
    this.namespace = identity.namespace;
    this.name = identity.name;
    this.uid = identity.uid;
    this.virtual = virtual;
  }

  /** Who the object is (a copy: made only when the collector acts on it). */
  get identity(): ObjectIdentity {
    return { apiVersion: this.apiVersion, kind: this.kind, namespace: this.namespace, name: this.name, uid: this.uid };
  }

  /** The object as observed: its identity's members from it (its uid is the node's). */
  observed(apiVersion: string, kind: string, namespace: string, name: string): void {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
  }

  /** The nodes whose owner references name this one. */
  get dependents(): Iterable<GraphNode> {
    const d = this.dependentSet;
    return d === undefined ? NO_DEPENDENTS : d instanceof GraphNode ? [d] : d;
  }

  addDependent(node: GraphNode): void {
    const d = this.dependentSet;
    if (d === undefined || d === node) this.dependentSet = node;
    else if (d instanceof GraphNode) this.dependentSet = new Set([d, node]);
    else d.add(node);
  }

  removeDependent(node: GraphNode): void {
    const d = this.dependentSet;
    if (d === node) this.dependentSet = undefined;
    else if (d instanceof Set) d.delete(node);
  }

  /** Dependents whose reference to this node has blockOwnerDeletion: true. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) =>
      d.owners.some((r) => r.uid === this.uid && r.blockOwnerDeletion === true),
    );
  }
}

/** Where the graph sends work. */
export interface GraphSink {
  attemptToDelete(uid: string): void;
  attemptToOrphan(uid: string): void;
}

/** Tells whether a kind is namespaced (for the identity of a virtual owner); undefined when unknown. */
export type ScopeLookup = (apiVersion: string, kind: string) => boolean | undefined;

function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(f);
}

function sameIdentity(a: Omit<ObjectIdentity, 'uid'>, b: Omit<ObjectIdentity, 'uid'>): boolean {
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    a.namespace === b.namespace &&
    a.apiVersion.split('/')[0] === b.apiVersion.split('/')[0]
  );
}

/** The uid graph of owners and dependents, fed by informer events. */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  constructor(
    private readonly sink: GraphSink,
    private readonly namespaced: ScopeLookup,
  ) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** An object was added or changed (as seen by the informer of its resource, apiVersion `apiVersion`). */
  observe(obj: KubeObject, apiVersion: string, kind: string): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    const namespace = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    // The cached object's (frozen, shared by the pods of one owner): never changed, so not copied.
    const owners: readonly OwnerReference[] = obj.metadata.ownerReferences ?? NO_OWNERS;
    let node = this.nodes.get(uid);
    if (!node) {
      node = new GraphNode({ apiVersion, kind, namespace, name, uid }, false);
      node.owners = owners;
      this.nodes.set(uid, node);
      for (const ref of owners) this.addToOwner(node, ref);
    } else {
      if (node.virtual) {
        node.virtual = false;
        // A virtual node guessed from a reference with another identity: its dependents must check again.
        if (!sameIdentity(node, { apiVersion, kind, namespace, name }))
          for (const d of node.dependents) this.sink.attemptToDelete(d.uid);
      }
      node.observed(apiVersion, kind, namespace, name);
      this.updateOwners(node, owners);
    }
    this.transitions(node, obj);
  }

  /** An object was deleted (or found gone by the collector). */
  observeDeleted(uid: string | undefined): void {
    if (!uid) return;
    const node = this.nodes.get(uid);
    if (!node) return;
    this.nodes.delete(uid);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.removeDependent(node);
      if (owner.deletingDependents) this.sink.attemptToDelete(owner.uid);
    }
    for (const d of node.dependents) this.sink.attemptToDelete(d.uid);
  }

  private addToOwner(node: GraphNode, ref: OwnerReference): void {
    let owner = this.nodes.get(ref.uid);
    if (!owner) {
      const namespaced = this.namespaced(ref.apiVersion, ref.kind);
      const namespace = namespaced === false ? '' : node.namespace;
      owner = new GraphNode(
        { apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, uid: ref.uid },
        true,
      );
      this.nodes.set(ref.uid, owner);
      this.sink.attemptToDelete(ref.uid);
    }
    owner.addDependent(node);
    // A dependent that appears while its owner waits for its dependents must go too.
    if (owner.deletingDependents) this.sink.attemptToDelete(node.uid);
  }

  private updateOwners(node: GraphNode, owners: readonly OwnerReference[]): void {
    // The same (frozen) references as before: nothing changed (most updates, as a pod's status).
    if (owners === node.owners) return;
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(owners.map((r) => [r.uid, r]));
    node.owners = owners;
    for (const [uid, ref] of after) if (!before.has(uid)) this.addToOwner(node, ref);
    for (const [uid, old] of before) {
      const owner = this.nodes.get(uid);
      if (!owner) continue;
      const now = after.get(uid);
      if (!now) {
        owner.removeDependent(node);
        if (owner.deletingDependents) this.sink.attemptToDelete(owner.uid);
      } else if (old.blockOwnerDeletion === true && now.blockOwnerDeletion !== true && owner.deletingDependents) {
        // The dependent stopped blocking its owner's foreground deletion.
        this.sink.attemptToDelete(owner.uid);
      }
    }
  }

  private transitions(node: GraphNode, obj: KubeObject): void {
    const deleting = !!obj.metadata.deletionTimestamp;
    node.beingDeleted = deleting;
    if (deleting && hasFinalizer(obj, FINALIZER_ORPHAN)) this.sink.attemptToOrphan(node.uid);
    const foreground = deleting && hasFinalizer(obj, FINALIZER_FOREGROUND);
    if (foreground && !node.deletingDependents) {
      node.deletingDependents = true;
      for (const d of node.dependents) this.sink.attemptToDelete(d.uid);
      this.sink.attemptToDelete(node.uid);
    } else if (!foreground) {
      node.deletingDependents = false;
    }
  }
}
