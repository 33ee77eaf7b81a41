import { type FieldError, fieldErrorString, renderedError } from '../../apimachinery/field-errors.js';
import { storageKey, storagePrefix } from '../../apimachinery/keys.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { ListResult, Storage } from '../../storage/interface.js';
import { isStorageError, StorageError } from '../../storage/errors.js';
import { checkPreconditions as checkStoredPreconditions } from '../../storage/preconditions.js';
import type {
  FinishWrite,
  PropagationPolicy,
  RequestContext,
  ResourceDefinition,
  ResourceStrategy,
  ServedVersion,
  ServerServices,
} from './definition.js';
import { generateName, newUID, normalizeMeta, orderTopLevel } from './meta.js';
import { errors, StatusError, type GroupResource } from './status.js';
import { validateGenericObjectMeta, validateObjectMetaUpdate } from './validation/meta.js';
import { storageServices } from './services.js';
import { clone, semanticEqual } from '../../apimachinery/copy.js';
import { goQuote, int64ToNumber, NumError, parseUint64 } from '../../apimachinery/strconv.js';
import { cannotUnmarshal, cannotUnmarshalField, GoJsonError, parseGoJson } from '../patch/go-json.js';
import { rfc3339 } from '../../apimachinery/time.js';

/** What a list or watch filters by, already parsed and checked against the resource's field labels. */
export interface ObjectFilter {
  matches(obj: KubeObject): boolean;
  /** True when the filter keeps everything (remainingItemCount is only reported then). */
  readonly everything: boolean;
  /** A label value every kept object has (a label selector's `name=value`), for the store's label index. */
  readonly labelEquals?: readonly [string, string];
}

export interface ListParams {
  filter: ObjectFilter;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListOutcome {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface DeleteParams {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

export interface DeleteOutcome {
  /** The object as last seen: removed (RV of the deletion) or marked for deletion. */
  object: KubeObject;
  /** True when removed from storage now; false when it waits for finalizers or its grace period. */
  deleted: boolean;
}

/** How the store learns whether a namespace accepts new objects (the namespace lifecycle admission). */
export type NamespaceLookup = (namespace: string) => Promise<'Active' | 'Terminating' | undefined>;

/** Upper bound on retries of a generated name that collides. */
const GENERATE_NAME_ATTEMPTS = 8;
/** How long a list with a future resourceVersion waits for the store to catch up before 504 (upstream: 3 s). */
const FUTURE_RV_WAIT_MS = 3000;

const CONTINUE_VERSION = 'meta.k8s.io/v1';

/**
 * Every verb written once, for every resource: create, get, list, update, patch, delete, deleteCollection,
 * driven by the resource's strategies (kube-apiserver's generic registry Store).
 */
export class GenericStore {
  readonly def: ResourceDefinition;
  readonly gr: GroupResource;
  private readonly storage: Storage;
  private readonly namespaceLookup: NamespaceLookup;
  /** What the server lends the resource's admission and subresources: reads of other resources, the token signer. */
  readonly services: ServerServices;

  constructor(def: ResourceDefinition, storage: Storage, namespaceLookup: NamespaceLookup, services?: ServerServices) {
    this.def = def;
    this.storage = storage;
    this.namespaceLookup = namespaceLookup;
    this.gr = { group: def.group, resource: def.plural };
    this.services = services ?? storageServices(storage);
  }

  /** `/registry/<resource>/<namespace>/<name>`; cluster-scoped without the namespace. */
  key(namespace: string | undefined, name: string): string {
    return storageKey(this.def.etcdPrefix, this.def.namespaced ? namespace : undefined, name);
  }

  /** The key prefix of a namespace's objects, or of all of them. */
  prefix(namespace?: string): string {
    return storagePrefix(this.def.etcdPrefix, this.def.namespaced ? namespace : undefined);
  }

  /** Error naming for a view: requests through extensions/v1beta1 say `daemonsets.extensions`. */
  grFor(view: ServedVersion): GroupResource {
    return { group: view.group, resource: this.def.plural };
  }

  async get(view: ServedVersion, namespace: string | undefined, name: string): Promise<KubeObject> {
    try {
      return await this.storage.get(this.key(namespace, name));
    } catch (err) {
      throw this.translate(err, view, name);
    }
  }

  async list(view: ServedVersion, namespace: string | undefined, params: ListParams): Promise<ListOutcome> {
    const prefix = this.prefix(namespace);
    const filter = params.filter.everything ? undefined : (o: KubeObject) => params.filter.matches(o);
    const limit = params.limit && params.limit > 0 ? params.limit : undefined;
    let revision: number | undefined;
    let startAfter: string | undefined;
    if (params.continueToken) {
      const token = decodeContinue(params.continueToken, prefix);
      if (token.rv > 0) revision = token.rv;
      startAfter = token.startAfter;
    } else if (params.resourceVersion && params.resourceVersion !== '0') {
      const rv = parseResourceVersion(params.resourceVersion);
      if (params.resourceVersionMatch === 'Exact') {
        revision = rv;
      } else {
        await this.waitForRevision(rv);
      }
    }
    let result: ListResult;
    try {
      const labelEquals = params.filter.labelEquals;
      result = await this.storage.list(prefix, { revision, startAfter, limit, filter, labelEquals });
    } catch (err) {
      if (isStorageError(err, 'Expired') && params.continueToken && startAfter !== undefined) {
        // The consistent snapshot is gone; offer a token that continues from the same key at the latest revision.
        throw errors.expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          encodeContinue(-1, startAfter, prefix),
        );
      }
      if (isStorageError(err, 'Expired')) {
        throw errors.expired(
          `too old resource version: ${revision} (${err.currentRevision ?? this.storage.compactedRevision()})`,
        );
      }
      if (isStorageError(err, 'TooLargeResourceVersion')) {
        throw errors.tooLargeResourceVersion(revision ?? 0, this.storage.currentRevision());
      }
      throw this.translate(err, view, '');
    }
    const out: ListOutcome = { items: result.items, resourceVersion: String(result.revision) };
    if (result.nextKey !== undefined) {
      out.continueToken = encodeContinue(result.revision, result.nextKey, prefix);
      if (result.remainingItemCount !== undefined) out.remainingItemCount = result.remainingItemCount;
    }
    return out;
  }

  /** Waits (briefly) until the store has reached `rv`; a list at a future resourceVersion is a 504 otherwise. */
  private async waitForRevision(rv: number): Promise<void> {
    if (!(await this.storage.waitForRevision(rv, FUTURE_RV_WAIT_MS))) {
      throw errors.tooLargeResourceVersion(rv, this.storage.currentRevision());
    }
  }

  /**
   * POST: the body is in `view`'s form; returns the stored (storage-form) object. With `owned` the caller hands
   * the body over (a fresh object nothing else holds or reads again), and it is changed in place instead of copied.
   */
  async create(
    view: ServedVersion,
    namespace: string | undefined,
    body: KubeObject,
    opts: { dryRun: boolean; owned?: boolean },
  ): Promise<KubeObject> {
    const ctx = this.context(view, namespace, opts.dryRun);
    this.checkTypeMeta(view, body);
    const obj = this.prepareNew(view, namespace, opts.owned ? body : clone(body), ctx);
    if (this.def.namespaced) await this.admitNamespace(obj.metadata.namespace!, obj.metadata.name ?? '');
    for (const plugin of this.def.admission ?? []) {
      if (!this.services.disabledAdmissionPlugins.has(plugin.name))
        await plugin.admit(obj, { ...ctx, read: this.services.read });
    }
    const base = obj.metadata.generateName && !obj.metadata.name ? obj.metadata.generateName : undefined;
    if (base !== undefined) obj.metadata = normalizeMeta({ ...obj.metadata, name: generateName(base) });
    const finish = await this.def.strategy.beginCreate?.(obj, ctx, this.storage);
    let stored = false;
    try {
      for (let attempt = 0; ; attempt++) {
        if (base !== undefined && attempt > 0)
          obj.metadata = normalizeMeta({ ...obj.metadata, name: generateName(base) });
        const name = obj.metadata.name!;
        this.validateCreate(view, obj, ctx);
        if (opts.dryRun) {
          await this.ensureAbsent(view, namespace, name);
          return obj;
        }
        try {
          const created = await this.storage.create(this.key(obj.metadata.namespace, name), obj);
          stored = true;
          return created;
        } catch (err) {
          if (isStorageError(err, 'KeyExists') && base !== undefined && attempt < GENERATE_NAME_ATTEMPTS) continue;
          throw this.translate(err, view, name);
        }
      }
    } finally {
      finish?.(stored);
    }
  }

  private async ensureAbsent(view: ServedVersion, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.storage.get(this.key(namespace, name));
    } catch (err) {
      if (isStorageError(err, 'KeyNotFound')) return;
      throw err;
    }
    throw errors.alreadyExists(this.grFor(view), name);
  }

  /** Turns a request body (changed in place) into a new storage-form object with the system fields set (BeforeCreate). */
  private prepareNew(
    view: ServedVersion,
    namespace: string | undefined,
    input: KubeObject,
    ctx: RequestContext,
  ): KubeObject {
    if (!input.metadata || typeof input.metadata !== 'object') input.metadata = {};
    if (this.def.namespaced) {
      if (input.metadata.namespace && namespace && input.metadata.namespace !== namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      input.metadata.namespace = namespace ?? input.metadata.namespace;
    } else {
      delete input.metadata.namespace;
    }
    view.default(input);
    const obj = view.toStorage(input, ctx);
    const meta = obj.metadata;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    meta.uid = newUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    this.strategy(undefined).prepareForCreate(obj, ctx);
    obj.metadata = normalizeMeta(obj.metadata);
    return orderTopLevel(obj);
  }

  private validateCreate(view: ServedVersion, obj: KubeObject, ctx: RequestContext): void {
    // The kind's own validation (metadata included) first, then the generic checks, as BeforeCreate does.
    let errs: FieldError[] = this.def.strategy.validate(obj, ctx);
    if (errs.length === 0) errs = validateGenericObjectMeta(obj.metadata, this.def.namespaced);
    if (errs.length)
      throw errors.invalid(view.group, this.def.kind, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
  }

  private async admitNamespace(namespace: string, name: string): Promise<void> {
    const phase = await this.namespaceLookup(namespace);
    if (phase === undefined) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    if (phase === 'Terminating') {
      throw errors.forbidden(
        this.gr,
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  /**
   * PUT (and the final step of PATCH): `build(current)` returns the new object in the view's form; the
   * resourceVersion it carries is checked for conflicts. `subresource` 'status' uses the status strategy. With
   * `owned` each call of `build` returns a fresh object nothing else holds or reads again (a patch result), and it
   * is changed in place instead of copied.
   */
  async update(
    view: ServedVersion,
    namespace: string | undefined,
    name: string,
    build: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    opts: { dryRun: boolean; subresource?: string; createIfMissing?: boolean; owned?: boolean },
  ): Promise<{ object: KubeObject; created: boolean }> {
    const ctx = this.context(view, namespace, opts.dryRun);
    const strategy = this.strategy(opts.subresource);
    const key = this.key(namespace, name);
    let current: KubeObject | undefined;
    try {
      current = await this.storage.get(key);
    } catch (err) {
      if (!isStorageError(err, 'KeyNotFound')) throw this.translate(err, view, name);
    }
    if (!current) {
      if (!(opts.createIfMissing && strategy.allowCreateOnUpdate && !opts.subresource))
        throw errors.notFound(this.grFor(view), name);
      const body = await build(undefined);
      return { object: await this.create(view, namespace, body, { dryRun: opts.dryRun }), created: true };
    }
    let finish: FinishWrite | undefined;
    const tryUpdate = async (cur: KubeObject): Promise<KubeObject> => {
      const built = await build(cur);
      const body = opts.owned ? built : clone(built);
      this.checkTypeMeta(view, body);
      if (!body.metadata || typeof body.metadata !== 'object') body.metadata = {};
      const meta = body.metadata;
      if (meta.name !== undefined && meta.name !== name) {
        throw errors.badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      if (this.def.namespaced && meta.namespace && meta.namespace !== namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.name = name;
      if (this.def.namespaced) meta.namespace = namespace;
      else delete meta.namespace;
      const rv = meta.resourceVersion;
      if (!rv) {
        if (!strategy.allowUnconditionalUpdate) {
          throw errors.invalid(view.group, this.def.kind, name, [
            renderedError('FieldValueInvalid', 'metadata.resourceVersion', '0x0', 0, 'must be specified for an update'),
          ]);
        }
      } else if (rv !== cur.metadata.resourceVersion) {
        throw errors.conflict(
          this.grFor(view),
          name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      view.default(body);
      let obj = view.toStorage(body, ctx);
      const old = cur;
      const om = old.metadata;
      const nm = obj.metadata;
      // BeforeUpdate: system fields an update cannot change.
      nm.generation = om.generation;
      if (!nm.uid) nm.uid = om.uid;
      if (om.creationTimestamp) nm.creationTimestamp = om.creationTimestamp;
      if (om.deletionTimestamp) nm.deletionTimestamp = om.deletionTimestamp;
      else delete nm.deletionTimestamp;
      if (om.deletionGracePeriodSeconds !== undefined) nm.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
      else delete nm.deletionGracePeriodSeconds;
      nm.resourceVersion = om.resourceVersion;
      if (strategy.beginUpdate) {
        finish?.(false); // a retried write starts over
        finish = undefined;
        finish = await strategy.beginUpdate(obj, old, ctx, this.storage);
      }
      strategy.prepareForUpdate(obj, old, ctx);
      obj.metadata = normalizeMeta(obj.metadata);
      obj = orderTopLevel(obj);
      const errs = dedupe([
        ...validateObjectMetaUpdate(obj.metadata, old.metadata),
        ...validateGenericObjectMeta(obj.metadata, this.def.namespaced),
        ...strategy.validateUpdate(obj, old, ctx),
        ...(view.validateUpdate && !opts.subresource ? view.validateUpdate(obj, old) : []),
      ]);
      if (errs.length) throw errors.invalid(view.group, this.def.kind, name, errs);
      if (semanticEqual(obj, old)) return old; // a no-op update writes nothing
      const fin = obj.metadata.finalizers ?? [];
      const pending = this.def.strategy.pendingFinalizers?.(obj) ?? [];
      if (
        obj.metadata.deletionTimestamp &&
        fin.length === 0 &&
        pending.length === 0 &&
        (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0
      ) {
        // The last finalizer of an object being deleted is gone: the object is removed instead of written.
        throw new DeleteInstead(old);
      }
      return obj;
    };
    for (;;) {
      let deleteNow: DeleteInstead;
      try {
        if (opts.dryRun) {
          const object = await tryUpdate(current);
          finish?.(false);
          return { object, created: false };
        }
        const object = await this.storage.guaranteedUpdate(key, tryUpdate);
        finish?.(true);
        return { object, created: false };
      } catch (err) {
        finish?.(false);
        finish = undefined;
        if (!(err instanceof DeleteInstead)) throw this.translate(err, view, name);
        deleteNow = err;
      }
      if (opts.dryRun) return { object: deleteNow.current, created: false };
      const { uid, resourceVersion } = deleteNow.current.metadata;
      try {
        const gone = await this.storage.delete(key, { preconditions: { uid, resourceVersion } });
        await this.def.strategy.afterDelete?.(gone, this.storage);
        return { object: gone, created: false };
      } catch (err) {
        if (isStorageError(err, 'Conflict')) continue; // written meanwhile: decide again on the new state
        throw this.translate(err, view, name);
      }
    }
  }

  /**
   * A write that bypasses the strategies, as kube-apiserver's subresources that call the store's
   * `Storage.GuaranteedUpdate` directly do (pods/binding): `mutate` gets a mutable copy of the current object and
   * changes it, or throws to abort (its error propagates unchanged). Preconditions are checked against the state
   * the change applies to; storage errors become the Status of an update. With `dryRun` nothing is written.
   */
  async guaranteedUpdate(
    view: ServedVersion,
    namespace: string | undefined,
    name: string,
    mutate: (obj: KubeObject) => void,
    opts: { dryRun: boolean; preconditions?: DeleteParams['preconditions'] },
  ): Promise<KubeObject> {
    const key = this.key(namespace, name);
    const apply = (cur: KubeObject): KubeObject => {
      const obj = clone(cur);
      mutate(obj);
      obj.metadata = normalizeMeta(obj.metadata);
      return orderTopLevel(obj);
    };
    try {
      if (!opts.dryRun) return await this.storage.guaranteedUpdate(key, apply, { preconditions: opts.preconditions });
      const current = await this.storage.get(key);
      checkStoredPreconditions(key, current, opts.preconditions);
      return apply(current);
    } catch (err) {
      throw this.translate(err, view, name);
    }
  }

  /** DELETE: graceful deletion, finalizers and the propagation policy's finalizer, or removal now. */
  async delete(
    view: ServedVersion,
    namespace: string | undefined,
    name: string,
    params: DeleteParams,
  ): Promise<DeleteOutcome> {
    const key = this.key(namespace, name);
    const current = await this.get(view, namespace, name);
    this.checkPreconditionsEarly(current, params.preconditions);
    this.def.strategy.beforeDelete?.(current, this.grFor(view));
    const policy = propagation(params, view);
    const grace = this.def.strategy.gracePeriod?.(current, params.gracePeriodSeconds);
    const now = new Date();
    const wantFinalizers = deletionFinalizers(current.metadata.finalizers, policy, params);
    const graceful = grace !== undefined && grace > 0;
    const alreadyDeleting = !!current.metadata.deletionTimestamp;
    const finalizersChange = !sameSet(wantFinalizers, current.metadata.finalizers ?? []);
    // Without finalizers and without a grace period to wait for, the object goes now.
    const blocking = this.def.strategy.pendingFinalizers?.(current) ?? [];
    if (wantFinalizers.size === 0 && blocking.length === 0 && !graceful) {
      if (params.dryRun) return { object: current, deleted: true };
      try {
        const gone = await this.storage.delete(key, {
          preconditions: { uid: current.metadata.uid, resourceVersion: params.preconditions?.resourceVersion },
        });
        await this.def.strategy.afterDelete?.(gone, this.storage);
        return { object: gone, deleted: true };
      } catch (err) {
        throw this.translate(err, view, name);
      }
    }
    const cutShort = grace === 0 && (current.metadata.deletionGracePeriodSeconds ?? 0) > 0;
    if (alreadyDeleting && !finalizersChange && !cutShort && !(graceful && shortens(current, grace!, now))) {
      return { object: current, deleted: false };
    }
    const mark = (cur: KubeObject): KubeObject => {
      this.checkPreconditions(view, cur, params.preconditions);
      // Only the metadata changes (and a strategy's prepareForDelete replaces what it sets): the rest is the stored
      // object's own, frozen, which the store copies when it writes; a deep copy of a pod cost ~6 % of a DELETE.
      const obj: KubeObject = { ...cur, metadata: { ...cur.metadata } };
      const meta = obj.metadata;
      meta.finalizers = [...deletionFinalizers(meta.finalizers, policy, params)];
      if (graceful) {
        const deadline = new Date(now.getTime() + grace! * 1000);
        if (!meta.deletionTimestamp || shortens(cur, grace!, now)) {
          meta.deletionTimestamp = rfc3339(deadline);
          meta.deletionGracePeriodSeconds = grace;
        }
      } else if (!meta.deletionTimestamp || (grace === 0 && (meta.deletionGracePeriodSeconds ?? 0) > 0)) {
        // not yet deleting, or a graceful deletion cut short by gracePeriodSeconds=0
        meta.deletionTimestamp = rfc3339(now);
        meta.deletionGracePeriodSeconds = 0;
      }
      if (meta.generation !== undefined && !cur.metadata.deletionTimestamp) meta.generation = meta.generation + 1;
      this.def.strategy.prepareForDelete?.(obj);
      obj.metadata = normalizeMeta(meta);
      return obj;
    };
    if (params.dryRun) return { object: mark(current), deleted: false };
    try {
      const marked = await this.storage.guaranteedUpdate(key, mark);
      return { object: marked, deleted: false };
    } catch (err) {
      throw this.translate(err, view, name);
    }
  }

  /**
   * The preconditions checked on the object as read, before anything is written (upstream's BeforeDelete): its
   * Conflict names the kind (`Operation cannot be fulfilled on Pod "web": the UID in the precondition ...`).
   */
  private checkPreconditionsEarly(obj: KubeObject, pre: DeleteParams['preconditions']): void {
    if (!pre) return;
    const gr = { group: this.def.group, resource: this.def.kind };
    const name = obj.metadata.name ?? '';
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw errors.conflict(
        gr,
        name,
        `the UID in the precondition (${pre.uid}) does not match the UID in record (${obj.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw errors.conflict(
        gr,
        name,
        `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion ?? ''}). The object might have been modified`,
      );
    }
  }

  /** The preconditions as storage checks them when it writes (an object changed since it was read). */
  private checkPreconditions(view: ServedVersion, obj: KubeObject, pre: DeleteParams['preconditions']): void {
    if (!pre) return;
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw errors.conflict(
        this.grFor(view),
        obj.metadata.name ?? '',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw errors.conflict(
        this.grFor(view),
        obj.metadata.name ?? '',
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`,
      );
    }
  }

  /** DELETE on a collection: every matching object, each with the same options; returns what was deleted. */
  async deleteCollection(
    view: ServedVersion,
    namespace: string | undefined,
    filter: ObjectFilter,
    params: DeleteParams,
  ): Promise<KubeObject[]> {
    const listed = await this.list(view, namespace, { filter });
    const out: KubeObject[] = [];
    for (const item of listed.items) {
      try {
        const res = await this.delete(view, item.metadata.namespace, item.metadata.name!, params);
        out.push(res.object);
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return out;
  }

  private strategy(subresource: string | undefined): ResourceStrategy {
    if (subresource === 'finalize') {
      if (!this.def.finalizeStrategy) throw errors.pathNotFound();
      return this.def.finalizeStrategy;
    }
    if (subresource === 'status') {
      if (!this.def.statusStrategy) throw errors.pathNotFound();
      return this.def.statusStrategy;
    }
    return this.def.strategy;
  }

  private context(view: ServedVersion, namespace: string | undefined, dryRun: boolean): RequestContext {
    return { view, namespace, now: new Date(), dryRun };
  }

  /** A body naming another kind or group/version than the URL is refused, as the apiserver's decoder does. */
  private checkTypeMeta(view: ServedVersion, body: KubeObject): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw errors.badRequest(`the object provided is unrecognized (must be of type ${this.def.kind})`);
    }
    if (body.kind !== undefined && body.kind !== '' && body.kind !== this.def.kind) {
      throw errors.badRequest(
        `${String(body.kind)} in version "${view.version}" cannot be handled as a ${this.def.kind}: the object provided is unrecognized (must be of type ${this.def.kind})`,
      );
    }
    if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== view.groupVersion) {
      throw errors.badRequest(
        `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${view.groupVersion})`,
      );
    }
  }

  /** Storage errors → the Status the apiserver answers with. */
  translate(err: unknown, view: ServedVersion, name: string): Error {
    if (!(err instanceof StorageError)) return err as Error;
    const gr = this.grFor(view);
    switch (err.code) {
      case 'KeyNotFound':
        return errors.notFound(gr, name);
      case 'KeyExists':
        return errors.alreadyExists(gr, name);
      case 'Conflict':
        return errors.conflict(gr, name, err.message);
      case 'Expired':
        return errors.expired(err.message);
      case 'TooLargeResourceVersion':
        return errors.tooLargeResourceVersion(0, err.currentRevision ?? 0);
      case 'RequestTooLarge':
        // etcd's "request is too large" reaches kube-apiserver's client as a plain error: a 500 without a reason.
        return errors.unknown(err.message, 500);
      default:
        return errors.internal(err.message);
    }
  }
}

/** Thrown out of an update whose result is an object with nothing left to wait for: it is deleted instead. */
class DeleteInstead extends Error {
  constructor(readonly current: KubeObject) {
    super('delete instead of update');
  }
}

/** Drops repeated errors (same field, type and text), as upstream's aggregate does. */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type} ${fieldErrorString(e)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * The finalizers an object keeps once deleted with `policy`: Orphan adds `orphan`, Foreground adds
 * `foregroundDeletion` (the garbage collector acts on them); an explicit Background drops both.
 */
function deletionFinalizers(
  existing: string[] | undefined,
  policy: PropagationPolicy,
  params: DeleteParams,
): Set<string> {
  const fin = new Set(existing ?? []);
  if (policy === 'Orphan') {
    fin.add('orphan');
    fin.delete('foregroundDeletion');
  } else if (policy === 'Foreground') {
    fin.add('foregroundDeletion');
    fin.delete('orphan');
  } else if (params.propagationPolicy === 'Background' || params.orphanDependents === false) {
    fin.delete('orphan');
    fin.delete('foregroundDeletion');
  }
  return fin;
}

function propagation(params: DeleteParams, view: ServedVersion): PropagationPolicy {
  if (params.propagationPolicy) return params.propagationPolicy;
  if (params.orphanDependents === true) return 'Orphan';
  if (params.orphanDependents === false) return 'Background';
  return view.defaultPropagationPolicy;
}

function sameSet(a: Set<string>, b: string[]): boolean {
  return a.size === new Set(b).size && b.every((x) => a.has(x));
}

function shortens(cur: KubeObject, grace: number, now: Date): boolean {
  const ts = cur.metadata.deletionTimestamp;
  if (!ts) return true;
  return now.getTime() + grace * 1000 < Date.parse(ts);
}

/**
 * Parses a client-supplied resourceVersion as upstream's versioner does (strconv.ParseUint, base 10, 64 bits), in
 * time bounded by its length. A malformed one is a 400 with upstream's field error text (kube-apiserver itself
 * answers this with a 500, kubernetes/kubernetes#139485; a client error is a 4xx here). Values past 2^53 are
 * saturated: they are in the future of any store this process will ever hold.
 */
export function parseResourceVersion(rv: string): number {
  try {
    return int64ToNumber(parseUint64(rv));
  } catch (err) {
    if (err instanceof NumError) {
      throw errors.badRequest(`resourceVersion: Invalid value: ${goQuote(rv)}: ${err.message}`);
    }
    throw err;
  }
}

/** Continue tokens carry the revision of the first page and the last key, relative to the listed prefix. */
export function encodeContinue(revision: number, lastKey: string, prefix: string): string {
  const start = lastKey.startsWith(prefix) ? lastKey.slice(prefix.length) : lastKey;
  return Buffer.from(JSON.stringify({ v: CONTINUE_VERSION, rv: revision, start })).toString('base64url');
}

export function decodeContinue(token: string, prefix: string): { rv: number; startAfter: string } {
  const invalid = (why: string) => errors.badRequest(`invalid continue token: ${why}`);
  const GENERIC = 'continue key is not valid';
  // base64.RawURLEncoding: the URL alphabet, no padding.
  const bad = token.search(/[^A-Za-z0-9_-]/);
  if (bad >= 0 || token.length % 4 === 1) {
    throw invalid(`${GENERIC}: illegal base64 data at input byte ${bad >= 0 ? bad : token.length - 1}`);
  }
  const bytes = Buffer.from(token, 'base64url');
  let parsed: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    parsed = parseGoJson(bytes) as typeof parsed;
  } catch (err) {
    if (err instanceof GoJsonError) throw invalid(`${GENERIC}: ${err.message}`);
    throw err;
  }
  if (parsed === null) parsed = {}; // Go decodes null into the zero token
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`${GENERIC}: ${cannotUnmarshal(parsed, 'storage.continueToken')}`);
  }
  const field = (name: string, goType: string, v: unknown) =>
    invalid(`${GENERIC}: ${cannotUnmarshalField(v, 'continueToken', name, goType)}`);
  if (parsed.v !== undefined && parsed.v !== null && typeof parsed.v !== 'string') throw field('v', 'string', parsed.v);
  if (parsed.start !== undefined && parsed.start !== null && typeof parsed.start !== 'string')
    throw field('start', 'string', parsed.start);
  const rv = parsed.rv ?? 0;
  if (typeof rv !== 'number' || !Number.isInteger(rv) || Math.abs(rv) >= 2 ** 63) {
    // Go names the number as written: `cannot unmarshal number 1e99 into ... of type int64`.
    const written = /"rv"\s*:\s*(-?[0-9][0-9.eE+-]*)/.exec(bytes.toString('utf8'))?.[1];
    const what = typeof rv === 'number' ? `number${written ? ` ${written}` : ''}` : undefined;
    throw invalid(
      `${GENERIC}: ${what ? `json: cannot unmarshal ${what} into Go struct field continueToken.rv of type int64` : cannotUnmarshalField(rv, 'continueToken', 'rv', 'int64')}`,
    );
  }
  if (parsed.v !== CONTINUE_VERSION) {
    throw invalid(`${GENERIC}: server does not recognize this encoded version ${String(parsed.v ?? '')}`);
  }
  if (rv === 0) throw invalid(`${GENERIC}: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  const start = (parsed.start ?? '') as string;
  if (start === '') throw invalid(`${GENERIC}: encoded start key empty (version meta.k8s.io/v1)`);
  if (start.includes('/..') || start.startsWith('..') || start.includes('//') || start.includes('/./')) {
    throw invalid(`${GENERIC}: ${start}`);
  }
  return { rv: int64ToNumber(BigInt(rv)), startAfter: prefix + start };
}
