import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry, ResourceHandle } from '../registry/registry.js';
import { errors } from '../registry/status.js';
import { scaleKindFor } from '../../openapi/kinds.js';
import { PROTOBUF } from '../protobuf/envelope.js';
import { negotiate } from './negotiation.js';
import { sendValue } from './respond.js';
import { SERVER_VERSION } from '../../openapi/version.js';

export { SERVER_VERSION };
import type { VirtualResource } from '../registry/virtual/definition.js';

/** What `/version` reports: a current Kubernetes minor (kubectl's version dispatcher keys on it). */

const COLLECTION_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const NAMESPACE_VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

interface LegacyResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  /** Group and version of a subresource whose kind lives elsewhere (pods/eviction: policy/v1). */
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

function verbsOf(h: ResourceHandle): string[] {
  return h.def.deleteCollection === false ? NAMESPACE_VERBS : COLLECTION_VERBS;
}

/** A subresource of a handle: its name, the kind it takes and answers, and its verbs. */
interface Subresource {
  name: string;
  kind: { group: string; version: string; kind: string };
  verbs: string[];
}

/** The subresources of a handle, by name (as discovery lists them): finalize, eviction, log, status... */
function subresourcesOf(h: ResourceHandle): Subresource[] {
  const own = { group: h.view.group, version: h.view.version, kind: h.def.kind };
  const out: Subresource[] = [];
  if (h.def.finalizeStrategy) out.push({ name: 'finalize', kind: own, verbs: ['update'] });
  if (h.def.statusStrategy) out.push({ name: 'status', kind: own, verbs: STATUS_VERBS });
  for (const sub of h.def.createSubresources ?? []) {
    out.push({ name: sub.name, kind: { group: sub.group, version: sub.version, kind: sub.kind }, verbs: ['create'] });
  }
  for (const sub of h.def.getSubresources ?? []) out.push({ name: sub.name, kind: own, verbs: ['get'] });
  if (h.def.scale) out.push({ name: 'scale', kind: scaleKindFor(h.view.group), verbs: STATUS_VERBS });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The APIResourceList entries of one handle: the resource and its subresources. */
function legacyResources(h: ResourceHandle): LegacyResource[] {
  const main: LegacyResource = {
    name: h.def.plural,
    singularName: h.def.singular,
    namespaced: h.def.namespaced,
    kind: h.def.kind,
    verbs: verbsOf(h),
  };
  if (h.view.shortNames.length) main.shortNames = h.view.shortNames;
  if (h.view.categories.length) main.categories = h.view.categories;
  const out = [main];
  for (const sub of subresourcesOf(h)) {
    const entry: LegacyResource = {
      name: `${h.def.plural}/${sub.name}`,
      singularName: '',
      namespaced: h.def.namespaced,
      kind: sub.kind.kind,
      verbs: sub.verbs,
    };
    // A subresource of another group/version's kind says which (pods/eviction: policy/v1 Eviction); kubectl drain
    // looks for exactly that before it evicts.
    const foreign = sub.kind.group !== h.view.group || sub.kind.version !== h.view.version;
    out.push(
      foreign
        ? {
            name: entry.name,
            singularName: '',
            namespaced: entry.namespaced,
            group: sub.kind.group,
            version: sub.kind.version,
            kind: sub.kind.kind,
            verbs: sub.verbs,
          }
        : entry,
    );
  }
  for (const c of collectionsOf(h))
    out.push({
      name: c.plural,
      singularName: c.singular,
      namespaced: h.def.namespaced,
      kind: c.kind,
      verbs: ['create'],
    });
  return out;
}

/** Create-only collections served beside a resource (core/v1 `bindings`, through pods' binding subresource). */
function collectionsOf(h: ResourceHandle): Array<{ plural: string; singular: string; kind: string }> {
  return (h.def.createSubresources ?? []).flatMap((sub) =>
    sub.collection ? [{ ...sub.collection, kind: sub.kind }] : [],
  );
}

/** The aggregated discovery entries of one handle: its resource, then the create-only collections beside it. */
function aggregatedResources(h: ResourceHandle): Record<string, unknown>[] {
  const scope = h.def.namespaced ? 'Namespaced' : 'Cluster';
  const collections = collectionsOf(h).map((c) => ({
    resource: c.plural,
    responseKind: { group: h.view.group, version: h.view.version, kind: c.kind },
    scope,
    singularResource: c.singular,
    verbs: ['create'],
  }));
  return [aggregatedResource(h), ...collections];
}

function aggregatedResource(h: ResourceHandle) {
  const responseKind = { group: h.view.group, version: h.view.version, kind: h.def.kind };
  const r: Record<string, unknown> = {
    resource: h.def.plural,
    responseKind,
    scope: h.def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: h.def.singular,
    verbs: verbsOf(h),
  };
  if (h.view.shortNames.length) r['shortNames'] = h.view.shortNames;
  if (h.view.categories.length) r['categories'] = h.view.categories;
  const subs = subresourcesOf(h).map((sub) => ({ subresource: sub.name, responseKind: sub.kind, verbs: sub.verbs }));
  if (subs.length) r['subresources'] = subs;
  return r;
}

/** Virtual resources (the self-reviews) take only `create`, have no short names, and are cluster-scoped. */
function legacyVirtual(v: VirtualResource): LegacyResource {
  return { name: v.plural, singularName: v.singular, namespaced: false, kind: v.kind, verbs: ['create'] };
}

function aggregatedVirtual(v: VirtualResource, version: string) {
  return {
    resource: v.plural,
    responseKind: { group: v.group, version, kind: v.kind },
    scope: 'Cluster',
    singularResource: v.singular,
    verbs: ['create'],
  };
}

/**
 * A legacy discovery document in the negotiated encoding: JSON, YAML, or protobuf (APIVersions, APIGroupList,
 * APIGroup and APIResourceList are meta.k8s.io messages), as kube-apiserver serves them.
 */
function sendDiscovery(req: FastifyRequest, reply: FastifyReply, doc: Record<string, unknown>): FastifyReply {
  const format = negotiate(req.headers.accept, { tableAllowed: false });
  // `/api` leaves apiVersion out of its JSON, as upstream does; the protobuf envelope needs it
  return sendValue(reply, 200, format, format.type === 'protobuf' ? { apiVersion: 'v1', ...doc } : doc);
}

/** Which aggregated discovery version the client asked for, if any (decided by Accept, answered by Content-Type). */
function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    const type = part.split(';')[0]!.trim();
    if (type === PROTOBUF && !params.has('as')) return undefined; // legacy documents in protobuf preferred
    if (type !== 'application/json' && type !== '*/*') continue;
    if (params.get('as') === 'APIGroupDiscoveryList' && params.get('g') === 'apidiscovery.k8s.io') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
      continue;
    }
    if (!params.has('as')) return undefined; // plain JSON preferred before any aggregated form
  }
  return undefined;
}

function sendAggregated(reply: FastifyReply, version: 'v2' | 'v2beta1', items: unknown[]) {
  return (
    reply
      .header('Vary', 'Accept')
      .header('content-type', `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`)
      // a Buffer keeps the Content-Type byte for byte (Fastify would append a charset to a JSON string)
      .send(
        Buffer.from(
          JSON.stringify({
            kind: 'APIGroupDiscoveryList',
            apiVersion: `apidiscovery.k8s.io/${version}`,
            metadata: {},
            items,
          }),
        ),
      )
  );
}

/**
 * `/version`, `/api`, `/apis` (legacy and aggregated), per-group and per-group-version documents (with a trailing
 * slash too: see trimApiTrailingSlashes).
 */
export function registerDiscoveryRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/version', async (_req, reply) =>
    reply.type('application/json').send(JSON.stringify(SERVER_VERSION, null, 2)),
  );

  app.get('/api', async (req: FastifyRequest, reply) => {
    const agg = aggregatedVersion(req.headers.accept);
    if (agg) {
      const resources = registry.handlesOf('v1').flatMap(aggregatedResources);
      return sendAggregated(reply, agg, [
        { metadata: { creationTimestamp: null }, versions: [{ version: 'v1', resources, freshness: 'Current' }] },
      ]);
    }
    const host = req.headers.host ?? 'localhost';
    return sendDiscovery(req, reply, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
    });
  });

  app.get('/api/v1', async (req, reply) => sendDiscovery(req, reply, resourceList(registry, 'v1')));

  app.get('/apis', async (req: FastifyRequest, reply) => {
    const agg = aggregatedVersion(req.headers.accept);
    const groups = registry.groups();
    if (agg) {
      const items = groups.map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => ({
          version: v,
          resources: [
            ...registry.handlesOf(`${g.name}/${v}`).flatMap(aggregatedResources),
            ...registry.virtualsOf(`${g.name}/${v}`).map((r) => aggregatedVirtual(r, v)),
          ],
          freshness: 'Current',
        })),
      }));
      return sendAggregated(reply, agg, items);
    }
    return sendDiscovery(req, reply, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) });
  });

  // One route for every group's document and one for every group version's (rather than two routes per group
  // and version: registering them was a tenth of a start); what is not served gets the answer of no route.
  const group = (name: string) => registry.groups().find((g) => g.name === name);
  app.get('/apis/:group', async (req, reply) => {
    const g = group((req.params as { group: string }).group);
    if (!g) throw errors.pathNotFound();
    return sendDiscovery(req, reply, { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) });
  });
  app.get('/apis/:group/:version', async (req, reply) => {
    const { group: name, version } = req.params as { group: string; version: string };
    if (!group(name)?.versions.includes(version)) return reply.callNotFound();
    return sendDiscovery(req, reply, resourceList(registry, `${name}/${version}`));
  });
}

function apiGroup(g: { name: string; versions: string[] }) {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

function resourceList(registry: Registry, groupVersion: string) {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: [
      ...registry.handlesOf(groupVersion).flatMap(legacyResources),
      ...registry.virtualsOf(groupVersion).map(legacyVirtual),
    ],
  };
}
