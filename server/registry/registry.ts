import { storageKey } from '../../apimachinery/keys.js';
import type { Storage } from '../../storage/interface.js';
import { isStorageError } from '../../storage/errors.js';
import type { ResourceDefinition, ServedVersion, ServerServices } from './definition.js';
import type { TokenSigner } from '../serviceaccount/jwt.js';
import { storageServices } from './services.js';
import { GenericStore } from './store.js';
import type { VirtualResource } from './virtual/definition.js';

/** One resource as served through one group/version: what a route needs. */
export interface ResourceHandle {
  def: ResourceDefinition;
  view: ServedVersion;
  store: GenericStore;
}

/** A served API group with its versions, in the order discovery lists them. */
export interface ServedGroup {
  name: string;
  versions: string[];
}

/**
 * The order of API groups in discovery, as kube-apiserver ranks them (kube-aggregator's group priorities), with
 * `extensions` right after `apps` so that `ds` resolves to apps/v1 (DESIGN.md). Groups not listed come after these,
 * in registration order.
 */
export const GROUP_ORDER: readonly string[] = [
  'apiregistration.k8s.io',
  'apps',
  'extensions',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

/**
 * The resources the server knows, each backed by one GenericStore over the shared Storage, and their views
 * by group/version; and the virtual resources (created and answered, never stored).
 */
export class Registry {
  readonly storage: Storage;
  readonly handles: ResourceHandle[] = [];
  readonly virtuals: readonly VirtualResource[];
  /** Reads across resources and the service account token signer, shared by every store. */
  readonly services: ServerServices;
  private readonly byDef = new Map<ResourceDefinition, GenericStore>();
  private readonly byPath = new Map<string, ResourceHandle>();

  constructor(
    storage: Storage,
    defs: ResourceDefinition[],
    virtuals: readonly VirtualResource[] = [],
    opts: { tokenSigner?: TokenSigner; disabledAdmissionPlugins?: Iterable<string> } = {},
  ) {
    this.storage = storage;
    this.virtuals = virtuals;
    this.services = storageServices(storage, {
      ...opts,
      prefixOf: (resource) => defs.find((d) => d.group === '' && d.plural === resource)?.etcdPrefix,
    });
    for (const def of defs) {
      const store = new GenericStore(def, storage, (ns) => this.namespacePhase(ns), this.services);
      this.byDef.set(def, store);
      for (const view of def.versions) {
        const handle = { def, view, store };
        this.handles.push(handle);
        this.byPath.set(`${view.groupVersion}/${def.plural}`, handle);
      }
    }
  }

  /** The handle serving `plural` at `groupVersion` (`v1`, `apps/v1`). */
  find(groupVersion: string, plural: string): ResourceHandle | undefined {
    return this.byPath.get(`${groupVersion}/${plural}`);
  }

  storeOf(def: ResourceDefinition): GenericStore {
    const s = this.byDef.get(def);
    if (!s) throw new Error(`resource ${def.plural} is not registered`);
    return s;
  }

  /**
   * The named API groups (core excluded) with their versions, preferred first, in discovery order (GROUP_ORDER).
   * A group comes from the views of stored resources, from virtual resources, or from the bodies of create-only
   * subresources: `policy` serves no resource here, but pods/eviction takes policy/v1 and policy/v1beta1 Evictions,
   * and kubectl 1.20 only evicts when /apis lists the policy group (otherwise it deletes the pods).
   */
  groups(): ServedGroup[] {
    const out: ServedGroup[] = [];
    const add = (group: string, version: string) => {
      if (!group) return;
      let g = out.find((x) => x.name === group);
      if (!g) out.push((g = { name: group, versions: [] }));
      if (!g.versions.includes(version)) g.versions.push(version);
    };
    for (const h of this.handles) {
      add(h.view.group, h.view.version);
      for (const sub of h.def.createSubresources ?? []) {
        for (const gv of sub.acceptedVersions) {
          const slash = gv.indexOf('/');
          if (slash > 0) add(gv.slice(0, slash), gv.slice(slash + 1));
        }
      }
    }
    for (const v of this.virtuals) for (const version of v.versions) add(v.group, version);
    const rank = (name: string) => {
      const i = GROUP_ORDER.indexOf(name);
      return i < 0 ? GROUP_ORDER.length : i;
    };
    return out
      .map((g, i) => ({ g, i }))
      .sort((a, b) => rank(a.g.name) - rank(b.g.name) || a.i - b.i)
      .map(({ g }) => g);
  }

  /** The handles of one group/version, in registration order. */
  handlesOf(groupVersion: string): ResourceHandle[] {
    return this.handles.filter((h) => h.view.groupVersion === groupVersion);
  }

  /** The virtual resources served at one group/version, in registration order. */
  virtualsOf(groupVersion: string): VirtualResource[] {
    return this.virtuals.filter((v) => v.versions.some((version) => `${v.group}/${version}` === groupVersion));
  }

  /** Whether a namespace exists and accepts new content (namespace lifecycle admission). */
  async namespacePhase(namespace: string): Promise<'Active' | 'Terminating' | undefined> {
    try {
      const ns = await this.storage.get(storageKey('namespaces', undefined, namespace));
      const phase = (ns.status as { phase?: string } | undefined)?.phase;
      return ns.metadata.deletionTimestamp || phase === 'Terminating' ? 'Terminating' : 'Active';
    } catch (err) {
      if (isStorageError(err, 'KeyNotFound')) return undefined;
      throw err;
    }
  }
}
