// The OpenAPI documents the server publishes, generated from the registry: one Swagger 2.0 document for every
// group-version (`/openapi/v2`) and one OpenAPI 3.0 document per group-version (`/openapi/v3/<prefix>`), shaped like
// kube-apiserver's: the same paths, operation ids, `x-kubernetes-*` extensions, parameters and media types, over the
// project's own schemas (openapi/schemas) and descriptions.
//
// Every operation is described once, neutrally (PathSpec/OperationSpec), then rendered in each dialect, so v2 and v3
// can never disagree about what the server serves.
import { createHash } from 'node:crypto';
import { SERVER_VERSION } from './version.js';
import { openAPIRef, scaleKindFor, type OpenAPIStyle } from './kinds.js';
import { findKindDefinition, servedDefinitions } from './served.js';

type JsonObject = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const STATUS = `${META}.Status`;
const DELETE_OPTIONS = `${META}.DeleteOptions`;
const PATCH = `${META}.Patch`;
/** Definitions every v3 group-version document carries besides those its paths reach (as upstream's do). */
const V3_META_ROOTS = [STATUS, DELETE_OPTIONS, `${META}.WatchEvent`, `${META}.APIResourceList`];

/** The media types a PATCH accepts, in kube-apiserver's order. */
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;

/** What the resource routes render, in kube-apiserver's order: JSON, YAML and Kubernetes protobuf. */
const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
/** Lists also stream watch events, as JSON lines or protobuf frames. */
const PRODUCES_LIST = [
  ...PRODUCES,
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf;stream=watch',
];

// ---------------------------------------------------------------------------------------------------------------
// Parameters

interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
  required?: boolean;
}

/** A query parameter of a subresource read with GET (pods/log's `tailLines`), as its resource documents it. */
export interface QueryParameterDoc {
  name: string;
  type: ParamSpec['type'];
  description: string;
}

/**
 * What the documents say about a subresource read with GET and answered by its own handler (pods/log): the query
 * parameters it takes, what it produces (the first is what it answers by default) and what it answers with.
 */
export interface GetSubresourceDoc {
  description: string;
  query: readonly QueryParameterDoc[];
  produces: readonly string[];
  /** The 200 response's schema, inline (`{ type: 'string' }` for a log). */
  response: Readonly<Record<string, unknown>>;
}

function query(name: string, type: ParamSpec['type'], description: string): ParamSpec {
  return { name, in: 'query', type, description };
}

const Q = {
  pretty: query('pretty', 'string', "When 'true', the response body is indented for reading."),
  dryRun: query(
    'dryRun',
    'string',
    'When set to All, the request is validated and processed but nothing is persisted.',
  ),
  fieldManager: query(
    'fieldManager',
    'string',
    'Name of the actor making the change, recorded in managedFields. Required for apply patches.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'How unknown or duplicate fields in the body are treated: Ignore drops them silently, Warn (the default) drops them and reports each in a Warning header, Strict rejects the request with 400 BadRequest.',
  ),
  force: query(
    'force',
    'boolean',
    'Apply patches only: take over fields owned by other managers instead of failing with a conflict.',
  ),
  allowWatchBookmarks: query(
    'allowWatchBookmarks',
    'boolean',
    'Watch only: the server may send BOOKMARK events carrying the current resourceVersion.',
  ),
  continue: query('continue', 'string', 'The token of the previous page of a paginated list (its metadata.continue).'),
  fieldSelector: query(
    'fieldSelector',
    'string',
    'Restricts the result to objects whose fields match, e.g. metadata.name=web or spec.nodeName=node-1.',
  ),
  labelSelector: query(
    'labelSelector',
    'string',
    'Restricts the result to objects whose labels match, e.g. app=web,tier!=db or env in (a,b).',
  ),
  limit: query(
    'limit',
    'integer',
    'The largest number of items to return; the list carries a continue token when more remain.',
  ),
  resourceVersion: query(
    'resourceVersion',
    'string',
    'The state to read at (with resourceVersionMatch), or the point a watch starts after. Unset means the latest state.',
  ),
  resourceVersionMatch: query(
    'resourceVersionMatch',
    'string',
    'How resourceVersion is interpreted on a list: Exact or NotOlderThan.',
  ),
  sendInitialEvents: query(
    'sendInitialEvents',
    'boolean',
    'Watch only: start with synthetic ADDED events for the current objects, then a BOOKMARK.',
  ),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Ends a list or watch call after this many seconds.'),
  watch: query(
    'watch',
    'boolean',
    'Streams ADDED, MODIFIED and DELETED events, one JSON object per line, instead of returning a list.',
  ),
  gracePeriodSeconds: query(
    'gracePeriodSeconds',
    'integer',
    'Seconds the object gets to terminate before it is removed; 0 removes it at once.',
  ),
  orphanDependents: query(
    'orphanDependents',
    'boolean',
    'Deprecated: use propagationPolicy. When true, dependents are orphaned.',
  ),
  propagationPolicy: query(
    'propagationPolicy',
    'string',
    'What happens to dependents: Orphan, Background or Foreground. Each resource has its default.',
  ),
};

const LIST_PARAMS = [
  Q.allowWatchBookmarks,
  Q.continue,
  Q.fieldSelector,
  Q.labelSelector,
  Q.limit,
  Q.resourceVersion,
  Q.resourceVersionMatch,
  Q.sendInitialEvents,
  Q.timeoutSeconds,
  Q.watch,
];
const WRITE_PARAMS = [Q.dryRun, Q.fieldManager, Q.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, Q.force];
const DELETE_PARAMS = [Q.dryRun, Q.gracePeriodSeconds, Q.orphanDependents, Q.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [
  Q.continue,
  Q.dryRun,
  Q.fieldSelector,
  Q.gracePeriodSeconds,
  Q.labelSelector,
  Q.limit,
  Q.orphanDependents,
  Q.propagationPolicy,
  Q.resourceVersion,
  Q.resourceVersionMatch,
  Q.sendInitialEvents,
  Q.timeoutSeconds,
];

// ---------------------------------------------------------------------------------------------------------------
// The neutral model of the served paths

/** A schema a body or response refers to: a definition name, or an inline free-form object when the kind has none. */
type SchemaSpec = { ref: string } | { inline: JsonObject };

interface OperationSpec {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  action: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';
  gvk: { group: string; version: string; kind: string };
  tag: string;
  params: ParamSpec[];
  body?: { schema: SchemaSpec; required: boolean; consumes: readonly string[] };
  produces: string[];
  responses: { code: string; description: string; schema?: SchemaSpec }[];
}

interface PathSpec {
  path: string;
  params: ParamSpec[];
  operations: OperationSpec[];
}

function pascal(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** `Core`, `Apps`, `RbacAuthorization` (for rbac.authorization.k8s.io): the group as operation ids spell it. */
function groupWord(group: string): string {
  if (!group) return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map(pascal)
    .join('');
}

const RESPONSE_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '401': 'Unauthorized',
};

function responses(codes: string[], schema: SchemaSpec): OperationSpec['responses'] {
  return [
    ...codes.map((code) => ({ code, description: RESPONSE_TEXT[code]!, schema })),
    { code: '401', description: 'Unauthorized' },
  ];
}

/**
 * What the documents describe, as the server's registry holds it (its Registry is one): every resource through
 * each of its served group versions, and the create-only kinds (reviews). openapi/ never imports the server.
 */
export interface ServedAPI {
  readonly handles: readonly ServedResource[];
  readonly virtuals: readonly ServedCreateOnly[];
}

/** A resource served through one group version. */
export interface ServedResource {
  def: {
    kind: string;
    plural: string;
    namespaced: boolean;
    /** Present when the resource has a status subresource. */
    statusStrategy?: unknown;
    /** Present when the resource has a finalize subresource (namespaces: PUT only). */
    finalizeStrategy?: unknown;
    /** Subresources read with GET and answered by their own handler (pods/log), with what the documents say. */
    getSubresources?: readonly { name: string; openapi: GetSubresourceDoc }[];
    /** True when the resource has a scale subresource (its kind: scaleKindFor). */
    scale?: boolean;
    /**
     * Create-only subresources (pods/eviction) and the kind each takes; `collection` when it is also served as a
     * create-only collection of the parent's group version (pods/binding as `bindings`).
     */
    createSubresources?: readonly {
      name: string;
      group: string;
      version: string;
      kind: string;
      collection?: { plural: string };
    }[];
    /** A DELETE answers with the object (pods) rather than a Status. */
    returnsDeletedObject?: boolean;
    /** `false` when the collection has no DELETE (namespaces). */
    deleteCollection?: boolean;
  };
  view: { group: string; version: string };
}

/** A kind that is only created and answered, never stored (SelfSubjectAccessReview), in each of its versions. */
export interface ServedCreateOnly {
  group: string;
  versions: readonly string[];
  plural: string;
  kind: string;
}

/** The paths of one handle, exactly those server/api/resources.ts routes. */
function pathsOfHandle(h: ServedResource): PathSpec[] {
  const { def, view } = h;
  const kind = def.kind;
  const gvk = { group: view.group, version: view.version, kind };
  const names = findKindDefinition(view.group, view.version, kind);
  const object: SchemaSpec = names
    ? { ref: names.definition }
    : { inline: { type: 'object', description: `A ${kind}.` } };
  const list: SchemaSpec = names?.listDefinition
    ? { ref: names.listDefinition }
    : { inline: { type: 'object', description: `A list of ${kind} objects.` } };
  const status: SchemaSpec = { ref: STATUS };
  const base = view.group ? `/apis/${view.group}/${view.version}` : '/api/v1';
  const ns = def.namespaced ? 'Namespaced' : '';
  const gv = `${groupWord(view.group)}${pascal(view.version)}`;
  const tag = `${view.group ? groupWord(view.group)[0]!.toLowerCase() + groupWord(view.group).slice(1) : 'core'}_${view.version}`;
  // Only the strategic-merge-patch advertisement depends on a complete schema (kubectl ≥1.27 computes apply patches
  // from it); without a definition the other patch types are still served.
  const patchTypes = names
    ? PATCH_MEDIA_TYPES
    : PATCH_MEDIA_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');
  const op = (o: Omit<OperationSpec, 'gvk' | 'tag'>): OperationSpec => ({ ...o, gvk, tag });

  const namespaceParam: ParamSpec = {
    name: 'namespace',
    in: 'path',
    type: 'string',
    required: true,
    description: 'The namespace of the objects.',
  };
  const nameParam: ParamSpec = {
    name: 'name',
    in: 'path',
    type: 'string',
    required: true,
    description: `The name of the ${kind}.`,
  };
  const collectionPath = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const itemPath = `${collectionPath}/{name}`;

  const collectionOps: OperationSpec[] = [
    op({
      method: 'get',
      operationId: `list${gv}${ns}${kind}`,
      action: 'list',
      description: `Lists or watches ${kind} objects.`,
      params: LIST_PARAMS,
      produces: PRODUCES_LIST,
      responses: responses(['200'], list),
    }),
    op({
      method: 'post',
      operationId: `create${gv}${ns}${kind}`,
      action: 'post',
      description: `Creates a ${kind}.`,
      params: WRITE_PARAMS,
      body: { schema: object, required: true, consumes: ['*/*'] },
      produces: PRODUCES,
      responses: responses(['200', '201', '202'], object),
    }),
  ];
  // kube-apiserver offers no deletecollection on namespaces (discovery does not list the verb either).
  if (def.deleteCollection !== false) {
    collectionOps.push(
      op({
        method: 'delete',
        operationId: `delete${gv}Collection${ns}${kind}`,
        action: 'deletecollection',
        description: `Deletes a collection of ${kind} objects.`,
        params: DELETE_COLLECTION_PARAMS,
        body: { schema: { ref: DELETE_OPTIONS }, required: false, consumes: ['*/*'] },
        produces: PRODUCES,
        responses: responses(['200'], status),
      }),
    );
  }
  const deleted = def.returnsDeletedObject ? object : status;
  const itemOps = (sub: '' | 'Status' | 'Scale'): OperationSpec[] => {
    const of = sub ? `${sub.toLowerCase()} of the ${kind}` : `the ${kind}`;
    // The scale subresource reads and writes another kind (autoscaling/v1 Scale).
    const scaleKind = scaleKindFor(view.group);
    const scaleNames = findKindDefinition(scaleKind.group, scaleKind.version, scaleKind.kind);
    const subObject: SchemaSpec =
      sub === 'Scale'
        ? scaleNames
          ? { ref: scaleNames.definition }
          : { inline: { type: 'object', description: 'A Scale.' } }
        : object;
    const op = (o: Omit<OperationSpec, 'gvk' | 'tag'>): OperationSpec => ({
      ...o,
      gvk: sub === 'Scale' ? scaleKind : gvk,
      tag,
    });
    const ops = [
      op({
        method: 'get',
        operationId: `read${gv}${ns}${kind}${sub}`,
        action: 'get',
        description: `Reads ${of}.`,
        params: [],
        produces: PRODUCES,
        responses: responses(['200'], subObject),
      }),
      op({
        method: 'put',
        operationId: `replace${gv}${ns}${kind}${sub}`,
        action: 'put',
        description: `Replaces ${of}.`,
        params: WRITE_PARAMS,
        body: { schema: subObject, required: true, consumes: ['*/*'] },
        produces: PRODUCES,
        responses: responses(['200', '201'], subObject),
      }),
      op({
        method: 'patch',
        operationId: `patch${gv}${ns}${kind}${sub}`,
        action: 'patch',
        description: `Partially updates ${of}.`,
        params: PATCH_PARAMS,
        body: { schema: { ref: PATCH }, required: true, consumes: patchTypes },
        produces: PRODUCES,
        responses: responses(['200', '201'], subObject),
      }),
    ];
    if (!sub) {
      ops.push(
        op({
          method: 'delete',
          operationId: `delete${gv}${ns}${kind}`,
          action: 'delete',
          description: `Deletes the ${kind}.`,
          params: DELETE_PARAMS,
          body: { schema: { ref: DELETE_OPTIONS }, required: false, consumes: ['*/*'] },
          produces: PRODUCES,
          responses: responses(['200', '202'], deleted),
        }),
      );
    }
    return ops;
  };

  const scope = def.namespaced ? [namespaceParam] : [];
  const out: PathSpec[] = [
    { path: collectionPath, params: [...scope, Q.pretty], operations: collectionOps },
    { path: itemPath, params: [nameParam, ...scope, Q.pretty], operations: itemOps('') },
  ];
  if (def.statusStrategy)
    out.push({ path: `${itemPath}/status`, params: [nameParam, ...scope, Q.pretty], operations: itemOps('Status') });
  if (def.finalizeStrategy) {
    // PUT only, the object as body and answer (replaceCoreV1NamespaceFinalize).
    out.push({
      path: `${itemPath}/finalize`,
      params: [nameParam, ...scope, Q.pretty],
      operations: [
        op({
          method: 'put',
          operationId: `replace${gv}${ns}${kind}Finalize`,
          action: 'put',
          description: `Replaces the finalizers of the ${kind}'s spec.`,
          params: WRITE_PARAMS,
          body: { schema: object, required: true, consumes: ['*/*'] },
          produces: PRODUCES,
          responses: responses(['200', '201'], object),
        }),
      ],
    });
  }
  for (const sub of def.getSubresources ?? []) {
    // GET only, answered by the subresource's handler (readCoreV1NamespacedPodLog); its query parameters are
    // common to the path, sorted with the path's own, as kube-apiserver lists them.
    const query = sub.openapi.query.map((p) => ({ ...p, in: 'query' as const }));
    out.push({
      path: `${itemPath}/${sub.name}`,
      params: [...query, nameParam, ...scope, Q.pretty].sort((a, b) => a.name.localeCompare(b.name)),
      operations: [
        op({
          method: 'get',
          operationId: `read${gv}${ns}${kind}${pascal(sub.name)}`,
          action: 'get',
          description: sub.openapi.description,
          params: [],
          produces: [...sub.openapi.produces],
          responses: responses(['200'], { inline: { ...sub.openapi.response } }),
        }),
      ],
    });
  }
  if (def.scale)
    out.push({ path: `${itemPath}/scale`, params: [nameParam, ...scope, Q.pretty], operations: itemOps('Scale') });
  for (const sub of def.createSubresources ?? []) {
    // POST only, with the subresource's own kind as body and answer (createCoreV1NamespacedPodEviction).
    const subKind = { group: sub.group, version: sub.version, kind: sub.kind };
    const subNames = findKindDefinition(sub.group, sub.version, sub.kind);
    const schema: SchemaSpec = subNames
      ? { ref: subNames.definition }
      : { inline: { type: 'object', description: `A ${sub.kind}.` } };
    out.push({
      path: `${itemPath}/${sub.name}`,
      params: [nameParam, ...scope, Q.pretty],
      operations: [
        {
          method: 'post',
          operationId: `create${gv}${ns}${kind}${pascal(sub.name)}`,
          action: 'post',
          description: `Creates the ${sub.name} of the ${kind}.`,
          gvk: subKind,
          tag,
          params: WRITE_PARAMS,
          body: { schema, required: true, consumes: ['*/*'] },
          produces: PRODUCES,
          responses: responses(['200', '201', '202'], schema),
        },
      ],
    });
    if (sub.collection) {
      // The create-only collection beside it (createCoreV1NamespacedBinding): the object's name is in the body.
      out.push({
        path: def.namespaced
          ? `${base}/namespaces/{namespace}/${sub.collection.plural}`
          : `${base}/${sub.collection.plural}`,
        params: [...scope, Q.pretty],
        operations: [
          {
            method: 'post',
            operationId: `create${gv}${ns}${sub.kind}`,
            action: 'post',
            description: `Creates a ${sub.kind}.`,
            gvk: subKind,
            tag,
            params: WRITE_PARAMS,
            body: { schema, required: true, consumes: ['*/*'] },
            produces: PRODUCES,
            responses: responses(['200', '201', '202'], schema),
          },
        ],
      });
    }
  }
  if (def.namespaced) {
    out.push({
      path: `${base}/${def.plural}`,
      params: [...LIST_PARAMS, Q.pretty].sort((a, b) => a.name.localeCompare(b.name)),
      operations: [
        op({
          method: 'get',
          operationId: `list${gv}${kind}ForAllNamespaces`,
          action: 'list',
          description: `Lists or watches ${kind} objects of every namespace.`,
          params: [],
          produces: PRODUCES_LIST,
          responses: responses(['200'], list),
        }),
      ],
    });
  }
  return out;
}

/** The path of a virtual resource in one version: POST only, the kind as body and answer (createAuthorizationV1SelfSubjectAccessReview). */
function pathsOfVirtual(v: ServedCreateOnly, version: string): PathSpec[] {
  const names = findKindDefinition(v.group, version, v.kind);
  const schema: SchemaSpec = names
    ? { ref: names.definition }
    : { inline: { type: 'object', description: `A ${v.kind}.` } };
  const word = groupWord(v.group);
  return [
    {
      path: `/apis/${v.group}/${version}/${v.plural}`,
      params: [Q.pretty],
      operations: [
        {
          method: 'post',
          operationId: `create${word}${pascal(version)}${v.kind}`,
          action: 'post',
          description: `Creates a ${v.kind}: the server answers it; nothing is stored.`,
          gvk: { group: v.group, version, kind: v.kind },
          tag: `${word[0]!.toLowerCase()}${word.slice(1)}_${version}`,
          params: WRITE_PARAMS,
          body: { schema, required: true, consumes: ['*/*'] },
          produces: PRODUCES,
          responses: responses(['200', '201', '202'], schema),
        },
      ],
    },
  ];
}

/** Every served path, by the group-version document it belongs to (`api/v1`, `apis/apps/v1`), in registry order. */
function pathsByGroupVersion(registry: ServedAPI): Map<string, PathSpec[]> {
  const byGV = new Map<string, PathSpec[]>();
  const add = (key: string, specs: PathSpec[]) => byGV.set(key, [...(byGV.get(key) ?? []), ...specs]);
  for (const h of registry.handles)
    add(h.view.group ? `apis/${h.view.group}/${h.view.version}` : `api/${h.view.version}`, pathsOfHandle(h));
  for (const v of registry.virtuals)
    for (const version of v.versions) add(`apis/${v.group}/${version}`, pathsOfVirtual(v, version));
  return byGV;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function schemaJSON(style: OpenAPIStyle, s: SchemaSpec): JsonObject {
  return 'ref' in s ? { $ref: openAPIRef(style, s.ref) } : { ...s.inline };
}

function paramV2(p: ParamSpec): JsonObject {
  const out: JsonObject = { description: p.description, in: p.in, name: p.name };
  if (p.required) out.required = true;
  out.type = p.type;
  out.uniqueItems = true;
  return out;
}

function paramV3(p: ParamSpec): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function operationV2(o: OperationSpec): JsonObject {
  const params: JsonObject[] = [];
  if (o.body) {
    const body: JsonObject = { in: 'body', name: 'body' };
    if (o.body.required) body.required = true;
    body.schema = schemaJSON('v2', o.body.schema);
    params.push(body);
  }
  params.push(...o.params.map(paramV2));
  const out: JsonObject = {
    consumes: o.body ? [...o.body.consumes] : ['*/*'],
    description: o.description,
    operationId: o.operationId,
  };
  if (params.length) out.parameters = params;
  out.produces = [...o.produces];
  out.responses = Object.fromEntries(
    o.responses.map((r) => [
      r.code,
      r.schema ? { description: r.description, schema: schemaJSON('v2', r.schema) } : { description: r.description },
    ]),
  );
  out.tags = [o.tag];
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { ...o.gvk };
  return out;
}

function operationV3(o: OperationSpec): JsonObject {
  const out: JsonObject = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out.parameters = o.params.map(paramV3);
  if (o.body) {
    const schema = schemaJSON('v3', o.body.schema);
    const body: JsonObject = { content: Object.fromEntries([...o.body.consumes].sort().map((t) => [t, { schema }])) };
    if (o.body.required) body.required = true;
    out.requestBody = body;
  }
  out.responses = Object.fromEntries(
    o.responses.map((r) => {
      if (!r.schema) return [r.code, { description: r.description }];
      const schema = schemaJSON('v3', r.schema);
      return [
        r.code,
        { description: r.description, content: Object.fromEntries(o.produces.map((t) => [t, { schema }])) },
      ];
    }),
  );
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = { ...o.gvk };
  return out;
}

function renderPaths(specs: PathSpec[], style: OpenAPIStyle): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  for (const spec of [...specs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const item: JsonObject = {};
    for (const o of [...spec.operations].sort((a, b) => a.method.localeCompare(b.method)))
      item[o.method] = style === 'v2' ? operationV2(o) : operationV3(o);
    item.parameters = spec.params.map(style === 'v2' ? paramV2 : paramV3);
    out[spec.path] = item;
  }
  return out;
}

/** Options of {@link buildOpenAPIv2}. */
export interface OpenAPIOptions {
  /** `info.version`; the server's gitVersion by default (`v1.32.0`). */
  version?: string;
  /** Publish the BearerToken security scheme (as kube-apiserver does); true by default. */
  security?: boolean;
}

const BEARER = {
  description: 'A bearer token in the Authorization header: `Bearer <token>`.',
  in: 'header',
  name: 'authorization',
  type: 'apiKey',
};

/** The Swagger 2.0 document of every served path and every definition, as `GET /openapi/v2` returns it (in JSON). */
export function buildOpenAPIv2(registry: ServedAPI, opts: OpenAPIOptions = {}): JsonObject {
  const doc: JsonObject = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: opts.version ?? SERVER_VERSION.gitVersion },
    paths: renderPaths([...pathsByGroupVersion(registry).values()].flat(), 'v2'),
    definitions: servedDefinitions('v2'),
  };
  if (opts.security ?? true) {
    doc.security = [{ BearerToken: [] }];
    doc.securityDefinitions = { BearerToken: BEARER };
  }
  return doc;
}

/** `GET /openapi/v3`: where each group-version document is, with its content hash. */
export interface OpenAPIv3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** The OpenAPI v3 documents of a registry: the index and one document per group-version prefix. */
export interface OpenAPIv3Set {
  index: OpenAPIv3Index;
  /** Keyed by prefix: `api/v1`, `apis/apps/v1`, `apis/extensions/v1beta1`. */
  docs: Map<string, JsonObject>;
  /** The content hash of each document (the `hash` of its serverRelativeURL), keyed like `docs`. */
  hashes: Map<string, string>;
}

/** The stable content hash kube-apiserver uses for OpenAPI documents: SHA-512, upper-case hex. */
export function contentHash(data: string | Uint8Array): string {
  return createHash('sha512').update(data).digest('hex').toUpperCase();
}

/** Every `$ref` target (definition name) under a value. */
function refsOf(value: unknown, out: Set<string>, prefix: string): void {
  if (Array.isArray(value)) {
    for (const v of value) refsOf(v, out, prefix);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) out.add(v.slice(prefix.length));
      else refsOf(v, out, prefix);
    }
  }
}

/** The definitions `roots` reach, transitively. */
function closure(roots: Iterable<string>, all: Record<string, object>, prefix: string): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !all[name]) continue;
    seen.add(name);
    const next = new Set<string>();
    refsOf(all[name], next, prefix);
    queue.push(...next);
  }
  return [...seen].sort();
}

/**
 * The OpenAPI 3.0 document of each served group-version (its paths and the schemas they reach, plus the meta types)
 * and the index pointing at them, as `GET /openapi/v3` and `GET /openapi/v3/<prefix>` return them.
 */
export function buildOpenAPIv3(registry: ServedAPI, opts: OpenAPIOptions = {}): OpenAPIv3Set {
  const all = servedDefinitions('v3');
  const prefix = openAPIRef('v3', '');
  const docs = new Map<string, JsonObject>();
  const hashes = new Map<string, string>();
  const index: OpenAPIv3Index = { paths: {} };
  for (const [key, specs] of pathsByGroupVersion(registry)) {
    const paths = renderPaths(specs, 'v3');
    const roots = new Set<string>(V3_META_ROOTS);
    refsOf(paths, roots, prefix);
    const schemas: Record<string, object> = {};
    for (const name of closure(roots, all, prefix)) schemas[name] = all[name]!;
    const components: JsonObject = { schemas };
    const doc: JsonObject = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: opts.version ?? SERVER_VERSION.gitVersion },
      paths,
      components,
    };
    if (opts.security ?? true) {
      components.securitySchemes = {
        BearerToken: { type: BEARER.type, description: BEARER.description, name: BEARER.name, in: BEARER.in },
      };
      doc.security = [{ BearerToken: [] }];
    }
    const hash = contentHash(JSON.stringify(doc));
    docs.set(key, doc);
    hashes.set(key, hash);
    index.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { index, docs, hashes };
}
