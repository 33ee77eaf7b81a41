/**
 * The request side of field management: the `fieldManager` (and `force`) parameters checked as the apiserver's
 * ValidateCreateOptions / ValidateUpdateOptions / ValidatePatchOptions do, and the server-side apply request
 * (`PATCH` with `application/apply-patch+yaml`): decode, apply through the FieldManager, create when absent.
 */
import { clone } from '../../apimachinery/copy.js';
import { fieldErr, type FieldError, fieldErrorBody, fieldErrorString } from '../../apimachinery/field-errors.js';
import type { KubeObject } from '../../apimachinery/objects.js';
import type { Query } from '../api/request.js';
import { boolParam, first } from '../api/request.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors, StatusError } from '../registry/status.js';
import { fieldManagerFor } from './index.js';
import { managerFromUserAgent, validateFieldManager } from './managed.js';
import { parseYaml, strictWarnings, yamlStrictError } from './yaml.js';

/** The options kind a write's query parameters decode into. */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions';

/** The Content-Type of server-side apply. */
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/** 422 `<Kind>.meta.k8s.io "" is invalid: ...` for invalid write options. */
function optionsInvalid(kind: OptionsKind, errs: FieldError[]): StatusError {
  const list = errs.map(fieldErrorString);
  return new StatusError({
    message: `${kind}.meta.k8s.io "" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`,
    reason: 'Invalid',
    details: {
      group: 'meta.k8s.io',
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
    },
    code: 422,
  });
}

/**
 * The manager of a create, update or patch: the `fieldManager` parameter (at most 128 bytes, printable), else the
 * User-Agent's prefix. For patches `force` is only allowed with apply, which requires `fieldManager`. Throws the
 * 422 the apiserver answers with.
 */
export function requestManager(
  query: Query,
  userAgent: string | undefined,
  kind: OptionsKind,
  patchType?: string,
): string {
  const name = first(query, 'fieldManager') ?? '';
  const errs: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (patchType !== APPLY_PATCH_TYPE) {
      if (query['force'] !== undefined)
        errs.push(fieldErr.forbidden('force', 'may not be specified for non-apply patch'));
    } else if (name === '') {
      errs.push(fieldErr.required('fieldManager', 'is required for apply patch'));
    }
  }
  errs.push(...validateFieldManager(name));
  if (errs.length > 0) throw optionsInvalid(kind, errs);
  return name || managerFromUserAgent(userAgent);
}

/**
 * The object a create (`live` undefined), update or patch stores, with `metadata.managedFields` maintained for
 * `manager`: computed, as upstream, between the live object and the defaulted request object, both in the
 * request's version. `live` is in storage form; `body` (the request's object, view form, the caller's own: a decode or
 * a patch's copy) is defaulted in place, as upstream's decoding defaults it: the store's own defaulting then finds
 * nothing left to set, and no copy of the whole object is made for the field manager.
 */
export function trackWrite(
  handle: ResourceHandle,
  live: KubeObject | undefined,
  body: KubeObject,
  manager: string,
  subresource?: string,
): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const metaIsObject = body.metadata !== null && typeof body.metadata === 'object' && !Array.isArray(body.metadata);
  const meta = metaIsObject ? body.metadata : {};
  // a body whose metadata is no object is the store's to reject: defaulted on a copy, the body left as it came
  const defaulted = metaIsObject ? body : clone(body);
  try {
    if (!defaulted.metadata || typeof defaulted.metadata !== 'object') defaulted.metadata = {};
    handle.view.default(defaulted);
  } catch {
    return body; // the store rejects this body with the same error
  }
  const liveView = live ? handle.view.fromStorage(live) : undefined;
  fieldManagerFor(handle).update(liveView, defaulted, manager, subresource ?? '');
  const { managedFields: _old, ...rest } = meta;
  const entries = defaulted.metadata.managedFields;
  return { ...body, metadata: entries === undefined ? rest : { ...rest, managedFields: entries } } as KubeObject;
}

/** A server-side apply request. */
export interface ApplyRequest {
  handle: ResourceHandle;
  namespace: string | undefined;
  name: string;
  body: unknown;
  query: Query;
  userAgent?: string;
  subresource?: string;
  dryRun: boolean;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
}

/** The outcome of an apply: the stored object (storage form), whether it was created, and warnings to send. */
export interface ApplyOutcome {
  object: KubeObject;
  created: boolean;
  warnings: string[];
}

function decodeApplyBody(body: unknown): { config: Record<string, unknown>; duplicates: string[] } {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  const y = parseYaml(text);
  if (y.error !== undefined) throw errors.badRequest(`error decoding YAML: error converting YAML to JSON: ${y.error}`);
  const v = y.value;
  if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
    const kind = Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
    throw errors.badRequest(
      `error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`,
    );
  }
  return { config: (v ?? {}) as Record<string, unknown>, duplicates: y.duplicates };
}

/**
 * Serves a server-side apply: the object is merged with the applied configuration and stored (or created when
 * it does not exist), with `Apply` ownership for `fieldManager`. Duplicated keys in the body follow
 * `fieldValidation` (`error strict decoding YAML: ...` under Strict).
 */
export async function serverSideApply(r: ApplyRequest): Promise<ApplyOutcome> {
  const manager = requestManager(r.query, r.userAgent, 'PatchOptions', APPLY_PATCH_TYPE);
  const force = boolParam(r.query, 'force') ?? false;
  const { config, duplicates } = decodeApplyBody(r.body);
  const { handle } = r;
  const fm = fieldManagerFor(handle);
  const warnings: string[] = [];
  const strictCheck = () => {
    if (duplicates.length === 0 || r.fieldValidation === 'Ignore') return;
    const err = yamlStrictError(duplicates);
    if (r.fieldValidation === 'Strict') throw errors.badRequest(`error strict decoding YAML: ${err}`);
    warnings.push(...strictWarnings(err).filter((w) => !warnings.includes(w)));
  };
  const update = () =>
    handle.store.update(
      handle.view,
      r.namespace,
      r.name,
      (current) => {
        const live = current ? handle.view.fromStorage(current) : undefined;
        const obj = fm.apply(live, config, manager, force, r.subresource ?? '');
        strictCheck();
        return obj;
      },
      { dryRun: r.dryRun, subresource: r.subresource },
    );
  const create = async () => {
    const obj = fm.apply(undefined, config, manager, force, r.subresource ?? '');
    strictCheck();
    const objName = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '';
    if (objName !== r.name)
      throw errors.badRequest(`the name of the object (${objName}) does not match the name on the URL (${r.name})`);
    return handle.store.create(handle.view, r.namespace, obj, { dryRun: r.dryRun });
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const { object, created } = await update();
      return { object, created, warnings };
    } catch (err) {
      if (
        !(err instanceof StatusError) ||
        err.code !== 404 ||
        err.status.reason !== 'NotFound' ||
        r.subresource ||
        err.status.details?.name !== r.name
      )
        throw err;
    }
    try {
      return { object: await create(), created: true, warnings };
    } catch (err) {
      // Created concurrently by someone else: apply to it.
      if (attempt > 0 || !(err instanceof StatusError) || err.status.reason !== 'AlreadyExists') throw err;
    }
  }
}
