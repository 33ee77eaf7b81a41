import type { KubeObject } from '../../apimachinery/objects.js';
import {
  fieldLabelsOf,
  fieldValuesOf,
  type ResourceDefinition,
  type PropagationPolicy,
} from '../registry/definition.js';
import type { DeleteParams, ObjectFilter } from '../registry/store.js';
import { errors, StatusError } from '../registry/status.js';
import { parseFieldSelector, checkFieldSelectorFields } from '../registry/selectors.js';
import { parseLabelSelector } from '../../apimachinery/labels.js';
import { int64ToNumber, NumError, parseInt64 } from '../../apimachinery/strconv.js';

/** A query string as Fastify parses it: repeated parameters become arrays; the first value counts. */
export type Query = Record<string, string | string[] | undefined>;

export function first(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Boolean query parameters as the apiserver's parameter codec converts them (runtime.Convert_Slice_string_To_bool):
 * absent is undefined; `0` and `false` (any case) are false; any other value, the empty one included, is true.
 */
export function boolParam(q: Query, name: string): boolean | undefined {
  const v = first(q, name);
  if (v === undefined) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/**
 * Integer query parameters as the parameter codec converts them: strconv.ParseInt(v, 10, 64), a failure being a 400
 * with Go's text (`strconv.ParseInt: parsing "abc": invalid syntax`, `... value out of range`). An empty value is
 * a syntax error too, as upstream. The int64 is returned saturated at ±2^53 (see int64ToNumber).
 */
export function intParam(q: Query, name: string): number | undefined {
  const v = first(q, name);
  if (v === undefined) return undefined;
  try {
    return int64ToNumber(parseInt64(v));
  } catch (err) {
    if (err instanceof NumError) throw errors.badRequest(err.message);
    throw err;
  }
}

/** The ListOptions integers (`limit`, `timeoutSeconds`) of a list, watch or deletecollection, checked up front. */
export function listIntParams(q: Query): { limit?: number; timeoutSeconds?: number } {
  return { limit: intParam(q, 'limit'), timeoutSeconds: intParam(q, 'timeoutSeconds') };
}

/** `dryRun=All` (the only value the apiserver knows); anything else is a 400. */
export function dryRunParam(values: unknown): boolean {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  for (const v of list) {
    if (v !== 'All') throw errors.badRequest(`Invalid dryRun value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return list.length > 0;
}

const FIELD_VALIDATION = ['Strict', 'Warn', 'Ignore'];

/** `fieldValidation`: Strict, Warn (the default) or Ignore. */
export function fieldValidationParam(q: Query): 'Strict' | 'Warn' | 'Ignore' {
  const v = first(q, 'fieldValidation');
  if (v === undefined || v === '') return 'Warn';
  if (!FIELD_VALIDATION.includes(v)) {
    throw errors.badRequest(
      `fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`,
    );
  }
  return v as 'Strict' | 'Warn' | 'Ignore';
}

/** The label and field selectors of a list, watch or deletecollection, checked against the resource. */
export function filterFromQuery(def: ResourceDefinition, q: Query): ObjectFilter {
  const labelText = first(q, 'labelSelector') ?? '';
  const fieldText = first(q, 'fieldSelector') ?? '';
  let labels;
  let fields;
  try {
    labels = parseLabelSelector(labelText);
  } catch (err) {
    throw errors.badRequest((err as Error).message);
  }
  try {
    fields = parseFieldSelector(fieldText);
  } catch (err) {
    throw errors.badRequest((err as Error).message);
  }
  if (!fields.empty) {
    try {
      checkFieldSelectorFields(fields, fieldLabelsOf(def), def.kind);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw errors.badRequest((err as Error).message);
    }
  }
  const everything = labels.empty && fields.empty;
  const exact = labels.requirements
    .map((r) => [r.key, labels.requiresExactMatch(r.key)] as const)
    .find((r): r is readonly [string, string] => r[1] !== undefined);
  return {
    everything,
    ...(exact ? { labelEquals: exact } : {}),
    matches(obj: KubeObject): boolean {
      if (!labels.empty && !labels.matches(obj.metadata.labels)) return false;
      if (fields.empty) return true;
      return fields.matches(fieldValuesOf(def, obj));
    },
  };
}

/** DeleteOptions from the body (any kind/apiVersion) merged with the query parameters. */
export function deleteParams(body: unknown, q: Query): DeleteParams {
  const b = (body && typeof body === 'object' ? body : {}) as {
    kind?: string;
    gracePeriodSeconds?: unknown;
    propagationPolicy?: unknown;
    orphanDependents?: unknown;
    preconditions?: { uid?: unknown; resourceVersion?: unknown } | null;
    dryRun?: unknown;
  };
  if (b.kind !== undefined && b.kind !== 'DeleteOptions') {
    throw errors.badRequest(`converting (${String(b.kind)}) to (v1.DeleteOptions): unknown conversion`);
  }
  const queryGrace = intParam(q, 'gracePeriodSeconds'); // a malformed one is a 400 even when the body sets it
  const grace = b.gracePeriodSeconds ?? queryGrace;
  if (
    grace !== undefined &&
    grace !== null &&
    (typeof grace !== 'number' || !Number.isInteger(grace) || Math.abs(grace) >= 2 ** 63)
  ) {
    throw errors.badRequest(
      'json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64',
    );
  }
  const policy = (b.propagationPolicy ?? first(q, 'propagationPolicy')) as string | undefined | null;
  const orphan = b.orphanDependents ?? boolParam(q, 'orphanDependents');
  const errs: string[] = [];
  if (policy !== undefined && policy !== null && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    errs.push(
      `propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  if (policy && orphan !== undefined && orphan !== null) {
    errs.push(
      'propagationPolicy: Invalid value: ' +
        JSON.stringify(policy) +
        ': orphanDependents and deletionPropagation cannot be both set',
    );
  }
  if (errs.length) {
    throw new StatusError({
      message: errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`,
      reason: 'BadRequest',
      code: 400,
    });
  }
  const pre = b.preconditions ?? undefined;
  return {
    gracePeriodSeconds:
      typeof grace === 'number'
        ? Math.max(-Number.MAX_SAFE_INTEGER, Math.min(grace, Number.MAX_SAFE_INTEGER))
        : undefined,
    propagationPolicy: (policy ?? undefined) as PropagationPolicy | undefined,
    orphanDependents: typeof orphan === 'boolean' ? orphan : undefined,
    preconditions: pre
      ? {
          uid: pre.uid ? String(pre.uid) : undefined,
          resourceVersion: pre.resourceVersion ? String(pre.resourceVersion) : undefined,
        }
      : undefined,
    dryRun: dryRunParam(b.dryRun ?? q['dryRun']),
  };
}
