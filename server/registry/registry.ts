import type { Storage } from '../../storage/interface.js';
import { isStorageError } from '../../storage/errors.js';
import type { ResourceDefinition, ServedVersion } from './definition.js';
import { GenericStore } from './store.js';

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
 * The resources the server knows, each backed by one GenericStore over the shared Storage, and their views
 * by group/version. Groups are listed in registration order (apps before extensions, as DESIGN.md asks).
 */
export class Registry {
  readonly storage: Storage;
  readonly handles: ResourceHandle[] = [];
  private readonly byDef = new Map<ResourceDefinition, GenericStore>();
  private readonly byPath = new Map<string, ResourceHandle>();

  constructor(storage: Storage, defs: ResourceDefinition[]) {
    this.storage = storage;
    for (const def of defs) {
      const store = new GenericStore(def, storage, (ns) => this.namespacePhase(ns));
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

  /** The named API groups (core excluded) with their versions, in registration order. */
  groups(): ServedGroup[] {
    const out: ServedGroup[] = [];
    for (const h of this.handles) {
      if (!h.view.group) continue;
      let g = out.find((x) => x.name === h.view.group);
      if (!g) out.push((g = { name: h.view.group, versions: [] }));
      if (!g.versions.includes(h.view.version)) g.versions.push(h.view.version);
    }
    return out;
  }

  /** The handles of one group/version, in registration order. */
  handlesOf(groupVersion: string): ResourceHandle[] {
    return this.handles.filter((h) => h.view.groupVersion === groupVersion);
  }

  /** Whether a namespace exists and accepts new content (namespace lifecycle admission). */
  async namespacePhase(namespace: string): Promise<'Active' | 'Terminating' | undefined> {
    try {
      const ns = await this.storage.get(`/registry/namespaces/${namespace}`);
      const phase = (ns.status as { phase?: string } | undefined)?.phase;
      return ns.metadata.deletionTimestamp || phase === 'Terminating' ? 'Terminating' : 'Active';
    } catch (err) {
      if (isStorageError(err, 'KeyNotFound')) return undefined;
      throw err;
    }
  }
}
