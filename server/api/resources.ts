import { yaml } from '../../apimachinery/yaml.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Storage } from '../../storage/interface.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { CreateSubresource, GetSubresource } from '../registry/definition.js';
import { KubeletClient } from './kubelet-client.js';
import type { Registry, ResourceHandle } from '../registry/registry.js';
import { errors, successStatus } from '../registry/status.js';
import { decodeCreateOnlyBody } from './create-only.js';
import { decodeObjectBody, mediaType, negotiate, type OutputFormat } from './negotiation.js';
import {
  boolParam,
  deleteParams,
  dryRunParam,
  fieldValidationParam,
  filterFromQuery,
  first,
  listIntParams,
  type Query,
} from './request.js';
import {
  cachedObjectJSON,
  listJSON,
  listJSONBody,
  listProtobuf,
  objectJSON,
  objectProtobuf,
  versioned,
} from './serialize.js';
import { sendObject, sendValue } from './respond.js';
import { PROTOBUF } from '../protobuf/envelope.js';
import { EncodeError } from '../protobuf/codec.js';
import { serveWatch } from './watch.js';
import { ResourceRouter } from './resource-router.js';
import { parseResourceVersion } from '../registry/store.js';
import { tableForList, tableForObject, tableWatchRenderer, includeObjectParam } from './table.js';
import { patchObject } from './patch.js';
import { getScale, patchScale, updateScale } from './scale.js';
// field validation and field management (server/api/field-validation.ts, server/fieldmanager/)
import { addWarnings, checkPatchedObject, decodeTypedBody } from './field-validation.js';
import { APPLY_PATCH_TYPE, requestManager, serverSideApply, trackWrite } from '../fieldmanager/request.js';

export interface ResourceRoutesOptions {
  registry: Registry;
  storage: Storage;
  /** Aborted on shutdown: every open watch ends. */
  shutdownSignal: AbortSignal;
  bookmarkIntervalMs: number;
  /** See AppOptions.watchStallTimeoutMs. */
  watchStallTimeoutMs?: number;
  /** How subresources that read from a node (pods/log) reach its kubelet (default: a client with default bounds). */
  kubelets?: KubeletClient;
}

type Req = FastifyRequest<{ Params: { namespace?: string; name?: string }; Querystring: Query }>;

/**
 * Routes for every resource and served version, generated from the registry: collection (list, watch, create,
 * deletecollection), item (get, update, patch, delete), and the status and scale subresources.
 */
export function registerResourceRoutes(app: FastifyInstance, opts: ResourceRoutesOptions): ResourceRouter {
  const routes = new ResourceRouter();
  for (const handle of opts.registry.handles) {
    const { def, view } = handle;
    const base = view.group ? `/apis/${view.group}/${view.version}` : '/api/v1';
    const collections = def.namespaced
      ? [`${base}/namespaces/:namespace/${def.plural}`, `${base}/${def.plural}`]
      : [`${base}/${def.plural}`];
    const item = def.namespaced ? `${base}/namespaces/:namespace/${def.plural}/:name` : `${base}/${def.plural}/:name`;
    const r = new ResourceRoutes(handle, opts);

    for (const [i, path] of collections.entries()) {
      const allNamespaces = def.namespaced && i === 1;
      routes.on('GET', path, (req: Req, reply) => r.list(req, reply));
      if (allNamespaces) {
        routes.on(['POST', 'PUT', 'PATCH', 'DELETE'], path, async () => r.notAllowed());
        continue;
      }
      routes.on('POST', path, (req: Req, reply) => r.create(req, reply));
      if (def.deleteCollection === false) routes.on('DELETE', path, async () => r.notAllowed());
      else routes.on('DELETE', path, (req: Req, reply) => r.deleteCollection(req, reply));
      routes.on(['PUT', 'PATCH'], path, async () => r.notAllowed());
    }
    routes.on('GET', item, (req: Req, reply) => r.get(req, reply));
    routes.on('PUT', item, (req: Req, reply) => r.update(req, reply));
    routes.on('PATCH', item, (req: Req, reply) => r.patch(req, reply));
    routes.on('DELETE', item, (req: Req, reply) => r.delete(req, reply));
    routes.on('POST', item, async () => r.notAllowed());
    if (def.finalizeStrategy) {
      routes.on('PUT', `${item}/finalize`, (req: Req, reply) => r.update(req, reply, 'finalize'));
    }
    if (def.statusStrategy) {
      routes.on('GET', `${item}/status`, (req: Req, reply) => r.get(req, reply));
      routes.on('PUT', `${item}/status`, (req: Req, reply) => r.update(req, reply, 'status'));
      routes.on('PATCH', `${item}/status`, (req: Req, reply) => r.patch(req, reply, 'status'));
      routes.on(['POST', 'DELETE'], `${item}/status`, async () => r.notAllowed());
    }
    if (def.scale) {
      routes.on('GET', `${item}/scale`, (req: Req, reply) => getScale(handle, req, reply, r.namespaceOf(req)));
      routes.on('PUT', `${item}/scale`, (req: Req, reply) => updateScale(handle, req, reply, r.namespaceOf(req)));
      routes.on('PATCH', `${item}/scale`, (req: Req, reply) => patchScale(handle, req, reply, r.namespaceOf(req)));
      routes.on(['POST', 'DELETE'], `${item}/scale`, async () => r.notAllowed());
    }
    for (const sub of def.createSubresources ?? []) {
      routes.on('POST', `${item}/${sub.name}`, (req: Req, reply) => r.createSubresource(sub, req, reply));
      routes.on(['GET', 'PUT', 'PATCH', 'DELETE'], `${item}/${sub.name}`, async () => r.notAllowed());
      if (sub.collection) {
        const url = def.namespaced
          ? `${base}/namespaces/:namespace/${sub.collection.plural}`
          : `${base}/${sub.collection.plural}`;
        routes.on('POST', url, (req: Req, reply) => r.createSubresource(sub, req, reply, true));
        routes.on(['GET', 'PUT', 'PATCH', 'DELETE'], url, async () => r.notAllowed());
      }
    }
    for (const sub of def.getSubresources ?? []) {
      routes.on('GET', `${item}/${sub.name}`, (req: Req, reply) => r.getSubresource(sub, req, reply));
      routes.on(['POST', 'PUT', 'PATCH', 'DELETE'], `${item}/${sub.name}`, async () => r.notAllowed());
    }
  }
  routes.register(app);
  return routes;
}

/** The verbs of one handle; each method parses, calls the store, and renders. */
class ResourceRoutes {
  constructor(
    private readonly handle: ResourceHandle,
    private readonly opts: ResourceRoutesOptions,
  ) {}

  notAllowed(): never {
    throw errors.methodNotAllowed();
  }

  private ns(req: Req): string | undefined {
    return this.handle.def.namespaced ? req.params.namespace : undefined;
  }

  /** The namespace of a request's path (undefined for cluster-scoped resources). */
  namespaceOf(req: Req): string | undefined {
    return this.ns(req);
  }

  private send(reply: FastifyReply, code: number, format: OutputFormat, obj: KubeObject, req: Req): FastifyReply {
    if (format.type === 'table') {
      return reply
        .code(code)
        .type('application/json')
        .send(JSON.stringify(tableForObject(this.handle, obj, format.version, includeObjectParam(req.query))));
    }
    if (format.type === 'yaml')
      return reply
        .code(code)
        .type('application/yaml')
        .send(yaml().stringify(versioned(this.handle, obj)));
    if (format.type === 'protobuf') {
      const body = orJSON(() => objectProtobuf(this.handle, obj));
      if (body) return reply.code(code).type(PROTOBUF).send(body);
    }
    return reply.code(code).type('application/json').send(objectJSON(this.handle, obj));
  }

  private sendList(
    reply: FastifyReply,
    format: OutputFormat,
    items: KubeObject[],
    meta: Parameters<typeof listJSON>[2],
  ): FastifyReply {
    if (format.type === 'yaml')
      return reply
        .type('application/yaml')
        .send(yaml().stringify(JSON.parse(listJSON(this.handle, items, meta).toString())));
    if (format.type === 'protobuf') {
      const body = orJSON(() => listProtobuf(this.handle, items, meta));
      if (body) return reply.type(PROTOBUF).send(body);
    }
    const body = listJSONBody(this.handle, items, meta);
    if (Buffer.isBuffer(body)) return reply.type('application/json').send(body);
    return reply.type('application/json').header('content-length', body.size).send(body);
  }

  /** What a request body is decoded as when it does not say (protobuf envelopes may leave type meta out). */
  private target() {
    return { apiVersion: this.handle.view.groupVersion, kind: this.handle.def.kind };
  }

  async get(req: Req, reply: FastifyReply) {
    const format = negotiate(req.headers.accept);
    const obj = await this.handle.store.get(this.handle.view, this.ns(req), req.params.name!);
    return this.send(reply, 200, format, obj, req);
  }

  async list(req: Req, reply: FastifyReply) {
    const q = req.query;
    const format = negotiate(req.headers.accept);
    const filter = filterFromQuery(this.handle.def, q);
    const namespace = this.ns(req);
    const { limit, timeoutSeconds } = listIntParams(q);
    if (boolParam(q, 'watch')) {
      const rv = first(q, 'resourceVersion');
      if (rv) parseResourceVersion(rv); // a malformed one is a 400 before the stream starts
      const table =
        format.type === 'table' ? tableWatchRenderer(this.handle, format.version, includeObjectParam(q)) : undefined;
      const allowBookmarks = boolParam(q, 'allowWatchBookmarks') ?? false;
      const sendInitialEvents = boolParam(q, 'sendInitialEvents') ?? false;
      reply.hijack();
      await serveWatch(reply.raw, {
        handle: this.handle,
        storage: this.opts.storage,
        namespace,
        filter,
        resourceVersion: rv,
        timeoutSeconds,
        allowBookmarks,
        sendInitialEvents,
        bookmarkIntervalMs: this.opts.bookmarkIntervalMs,
        stallTimeoutMs: this.opts.watchStallTimeoutMs,
        table,
        protobuf: format.type === 'protobuf',
        serverSignal: this.opts.shutdownSignal,
      });
      return reply;
    }
    const match = first(q, 'resourceVersionMatch');
    const rv = first(q, 'resourceVersion');
    if (match !== undefined && match !== '' && !['Exact', 'NotOlderThan'].includes(match)) {
      throw errors.badRequest(
        `resourceVersionMatch: Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"`,
      );
    }
    if (match && !rv)
      throw errors.badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      );
    if (first(q, 'continue') && rv && rv !== '0') {
      throw errors.badRequest(
        'resourceVersion: Forbidden: specifying resource version is not allowed when using continue',
      );
    }
    const result = await this.handle.store.list(this.handle.view, namespace, {
      filter,
      limit,
      continueToken: first(q, 'continue'),
      resourceVersion: rv,
      resourceVersionMatch: match,
    });
    const meta = {
      resourceVersion: result.resourceVersion,
      continue: result.continueToken,
      remainingItemCount: result.remainingItemCount,
    };
    if (format.type === 'table') {
      return reply
        .type('application/json')
        .send(JSON.stringify(tableForList(this.handle, result.items, meta, format.version, includeObjectParam(q))));
    }
    return this.sendList(reply, format, result.items, meta);
  }

  async create(req: Req, reply: FastifyReply) {
    const format = negotiate(req.headers.accept);
    const dryRun = dryRunParam(req.query['dryRun']);
    const validation = fieldValidationParam(req.query);
    const manager = requestManager(req.query, req.headers['user-agent'], 'CreateOptions');
    const { object: decoded, warnings } = decodeTypedBody(
      this.handle,
      req.headers['content-type'],
      req.body,
      validation,
      this.target(),
    );
    addWarnings(reply, warnings);
    // The decoded body (a copy made by the typed decoding) and what trackWrite made of it are this request's own.
    const body = trackWrite(this.handle, undefined, decoded, manager);
    const created = await this.handle.store.create(this.handle.view, this.ns(req), body, { dryRun, owned: true });
    return this.send(reply, 201, format, created, req);
  }

  async update(req: Req, reply: FastifyReply, subresource?: string) {
    const format = negotiate(req.headers.accept);
    const dryRun = dryRunParam(req.query['dryRun']);
    const validation = fieldValidationParam(req.query);
    const manager = requestManager(req.query, req.headers['user-agent'], 'UpdateOptions');
    const { object: body, warnings } = decodeTypedBody(
      this.handle,
      req.headers['content-type'],
      req.body,
      validation,
      this.target(),
    );
    addWarnings(reply, warnings);
    // The decoded body is this request's own: the first attempt hands it to the store to change in place; a write
    // retried on a conflict decodes the request again (what the first attempt stored may have changed the body).
    let decoded: KubeObject | undefined = body;
    const build = (current: KubeObject | undefined) => {
      const own =
        decoded ??
        decodeTypedBody(this.handle, req.headers['content-type'], req.body, validation, this.target()).object;
      decoded = undefined;
      return trackWrite(this.handle, current, own, manager, subresource);
    };
    const { object, created } = await this.handle.store.update(
      this.handle.view,
      this.ns(req),
      req.params.name!,
      build,
      {
        dryRun,
        subresource,
        createIfMissing: true,
        owned: true,
      },
    );
    return this.send(reply, created ? 201 : 200, format, object, req);
  }

  async patch(req: Req, reply: FastifyReply, subresource?: string) {
    const format = negotiate(req.headers.accept);
    const dryRun = dryRunParam(req.query['dryRun']);
    const validation = fieldValidationParam(req.query);
    const contentType = mediaType(req.headers['content-type']);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
    if (contentType === APPLY_PATCH_TYPE) {
      const ns = this.ns(req);
      const applied = await serverSideApply({
        handle: this.handle,
        namespace: ns,
        name: req.params.name!,
        body: raw,
        query: req.query,
        userAgent: req.headers['user-agent'],
        subresource,
        dryRun,
        fieldValidation: validation,
      });
      addWarnings(reply, applied.warnings);
      return this.send(reply, applied.created ? 201 : 200, format, applied.object, req);
    }
    const manager = requestManager(req.query, req.headers['user-agent'], 'PatchOptions', contentType);
    const warnings: string[] = [];
    const { object } = await this.handle.store.update(
      this.handle.view,
      this.ns(req),
      req.params.name!,
      (current) => {
        if (!current) throw errors.notFound(this.handle.store.grFor(this.handle.view), req.params.name!);
        // Every patch type copies the document it patches: the shared stored object is never changed.
        const patched = patchObject(
          this.handle,
          contentType,
          versioned(this.handle, current),
          raw,
          validation,
          undefined,
          cachedObjectJSON(this.handle, current),
        );
        // As upstream's checkName: a patch that removes the name (`{"metadata":null}`) is a 400, not a rename.
        const patchedName = patched.metadata?.name;
        if (typeof patchedName !== 'string' || patchedName === '') {
          throw errors.badRequest(
            `the name of the object (${req.params.name!} based on URL) was undeterminable: name must be provided`,
          );
        }
        // A patch keeps the resourceVersion it was computed against unless it names one itself.
        if (patched.metadata && patched.metadata.resourceVersion === undefined)
          patched.metadata.resourceVersion = current.metadata.resourceVersion;
        // field validation + managedFields of the patched object
        const checked = checkPatchedObject(this.handle, contentType, raw, patched, validation);
        for (const w of checked.warnings) if (!warnings.includes(w)) warnings.push(w);
        return trackWrite(this.handle, current, checked.object, manager, subresource);
      },
      // each call patches a copy of its own (the patch's result and what trackWrite made of it): not copied again
      { dryRun, subresource, owned: true },
    );
    addWarnings(reply, warnings);
    return this.send(reply, 200, format, object, req);
  }

  async delete(req: Req, reply: FastifyReply) {
    const format = negotiate(req.headers.accept);
    const params = deleteParams(deleteOptionsBody(req), req.query);
    const name = req.params.name!;
    const outcome = await this.handle.store.delete(this.handle.view, this.ns(req), name, params);
    if (!outcome.deleted || this.handle.def.returnsDeletedObject) {
      return this.send(reply, 200, format, outcome.object, req);
    }
    return sendValue(
      reply,
      200,
      format,
      successStatus(this.handle.store.grFor(this.handle.view), name, outcome.object.metadata.uid),
    );
  }

  /** POST to a create-only subresource (pods/eviction): its own kind in the body, answered with 201 and no storing. */
  async createSubresource(sub: CreateSubresource, req: Req, reply: FastifyReply, fromCollection = false) {
    const accepted = sub.acceptedVersions;
    const { object, dryRun } = decodeCreateOnlyBody(req, reply, {
      group: sub.group,
      version: sub.version,
      kind: sub.kind,
      accepted,
    });
    const name = fromCollection ? '' : req.params.name!;
    const result = await sub.create({
      store: this.handle.store,
      view: this.handle.view,
      namespace: this.ns(req),
      name,
      fromCollection,
      body: object,
      dryRun,
    });
    // As kube-apiserver's create handler: a Status without a code carries the response's (201).
    if (result.kind === 'Status' && result.code === undefined) result.code = 201;
    return sendObject(reply, req, 201, result);
  }

  /** GET of a subresource with its own handler (pods/log), which writes the reply itself. */
  async getSubresource(sub: GetSubresource, req: Req, reply: FastifyReply) {
    const { store, view } = this.handle;
    const { registry, shutdownSignal } = this.opts;
    const kubelets = (this.opts.kubelets ??= new KubeletClient());
    await sub.get({
      store,
      view,
      namespace: this.ns(req),
      name: req.params.name!,
      query: req.query,
      registry,
      kubelets,
      shutdownSignal,
      request: req,
      reply,
    });
    return reply;
  }

  async deleteCollection(req: Req, reply: FastifyReply) {
    const format = negotiate(req.headers.accept);
    const params = deleteParams(deleteOptionsBody(req), req.query);
    listIntParams(req.query); // the ListOptions of a deletecollection convert as a list's: malformed is a 400
    const filter = filterFromQuery(this.handle.def, req.query);
    const deleted = await this.handle.store.deleteCollection(this.handle.view, this.ns(req), filter, params);
    return this.sendList(reply, format, deleted, {});
  }
}

/**
 * A protobuf rendering, or undefined when a stored value has no protobuf form (a field of an unexpected JSON
 * type): the client then gets JSON, which every protobuf client also accepts, rather than an error.
 */
function orJSON(render: () => Buffer): Buffer | undefined {
  try {
    return render();
  } catch (err) {
    if (err instanceof EncodeError) return undefined;
    throw err;
  }
}

/** The DeleteOptions a DELETE may carry in its body (absent or empty: none), in any encoding. */
export function deleteOptionsBody(req: FastifyRequest): unknown {
  if (req.body === undefined || (Buffer.isBuffer(req.body) && req.body.length === 0)) return undefined;
  return decodeObjectBody(req.headers['content-type'] ?? 'application/json', req.body, {
    apiVersion: 'meta.k8s.io/v1',
    kind: 'DeleteOptions',
  });
}
