/**
 * Which resources the garbage collector watches, and how it finds the owner an ownerReference names: the
 * server's preferred group versions from discovery (`/api/v1`, `/apis`, `/apis/<group>/<version>`), keeping
 * resources that support delete, list and watch (upstream's GetDeletableResources), without subresources.
 * Events are ignored (upstream's default GC ignored resources), and the `extensions` group is resolved but not
 * watched: its DaemonSets are the apps/v1 objects seen through another door.
 */
import { RESOURCES, type ResourceRef } from '../machinery/types.js';

/** GETs a discovery document (`/api/v1`, `/apis`, ...) and resolves with its JSON. */
export type DiscoveryFetcher = (path: string) => Promise<unknown>;

/** Groups whose resources are resolved for ownerReferences but not watched (views of other groups). */
export const UNWATCHED_GROUPS: readonly string[] = ['extensions'];
/** `<group>/<resource>` never watched (kube-controller-manager's default GC ignored resources). */
export const IGNORED_RESOURCES: readonly string[] = ['/events', 'events.k8s.io/events'];

/** The result of discovery. */
export interface DeletableResources {
  /** Resources to watch and collect. */
  monitored: ResourceRef[];
  /** Resource of an ownerReference by `<group>/<kind>` (every served group, watched or not). */
  byGroupKind: Map<string, ResourceRef>;
}

interface APIResource {
  name?: string;
  namespaced?: boolean;
  kind?: string;
  verbs?: string[];
}
interface APIGroup {
  name?: string;
  preferredVersion?: { version?: string };
  versions?: Array<{ version?: string }>;
}

const REQUIRED_VERBS = ['delete', 'list', 'watch'];

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The key of byGroupKind for an ownerReference's apiVersion and kind. */
export function groupKindKey(apiVersion: string, kind: string): string {
  return `${groupOf(apiVersion)}/${kind}`;
}

function refsOf(group: string, version: string, list: unknown): ResourceRef[] {
  const resources = ((list as { resources?: APIResource[] })?.resources ?? []) as APIResource[];
  const out: ResourceRef[] = [];
  for (const r of resources) {
    if (!r.name || r.name.includes('/') || !r.kind) continue;
    if (!REQUIRED_VERBS.every((v) => r.verbs?.includes(v))) continue;
    out.push({ group, version, resource: r.name, kind: r.kind, namespaced: !!r.namespaced });
  }
  return out;
}

/** Sorts discovered resources into watched ones and the owner lookup table. */
export function classifyResources(refs: ResourceRef[]): DeletableResources {
  const monitored: ResourceRef[] = [];
  const byGroupKind = new Map<string, ResourceRef>();
  for (const ref of refs) {
    const gk = `${ref.group}/${ref.kind}`;
    if (!byGroupKind.has(gk)) byGroupKind.set(gk, ref);
    if (UNWATCHED_GROUPS.includes(ref.group) || IGNORED_RESOURCES.includes(`${ref.group}/${ref.resource}`)) continue;
    monitored.push(ref);
  }
  return { monitored, byGroupKind };
}

/** Discovers the deletable resources of the server's preferred versions. Rejects when a document cannot be read. */
export async function discoverDeletableResources(fetch: DiscoveryFetcher): Promise<DeletableResources> {
  const refs = refsOf('', 'v1', await fetch('/api/v1'));
  const groups = (((await fetch('/apis')) as { groups?: APIGroup[] })?.groups ?? []) as APIGroup[];
  for (const g of groups) {
    const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
    if (!g.name || !version) continue;
    refs.push(...refsOf(g.name, version, await fetch(`/apis/${g.name}/${version}`)));
  }
  return classifyResources(refs);
}

/** The well-known resources, for a client that cannot read discovery documents. */
export function wellKnownResources(): DeletableResources {
  const extensionsDaemonSets: ResourceRef = {
    group: 'extensions',
    version: 'v1beta1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    namespaced: true,
  };
  return classifyResources([...Object.values(RESOURCES), extensionsDaemonSets]);
}

/**
 * A discovery fetcher from the client when it has one: a `getJSON(path)` method (or `discover(path)`).
 * Undefined otherwise.
 */
export function fetcherOf(client: unknown): DiscoveryFetcher | undefined {
  const c = client as { getJSON?: (path: string) => Promise<unknown>; discover?: (path: string) => Promise<unknown> };
  if (typeof c?.getJSON === 'function') return (path) => c.getJSON!(path);
  if (typeof c?.discover === 'function') return (path) => c.discover!(path);
  return undefined;
}
