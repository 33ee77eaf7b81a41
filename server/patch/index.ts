/**
 * PATCH bodies of the three classic patch types, applied as kube-apiserver applies them
 * (k8s.io/apiserver/pkg/endpoints/handlers/patch.go): decoding errors, patch semantics and the HTTP codes
 * of failures. Server-side apply (`application/apply-patch+yaml`) is not handled here.
 */

import { badRequest, PatchError, unsupportedMediaType } from './errors.js';
import { cannotUnmarshal, cannotUnmarshalField, GoJsonError, parseGoJson } from './go-json.js';
import { jsonPatch } from './json-patch.js';
import { jsonMergePatch } from './merge-patch.js';
import { SchemaResolver, type SchemaNode } from './schema.js';
import { strategicMergePatch } from './strategic-merge.js';

export { GENERIC_INVALID_MESSAGE, PatchError, type PatchErrorStatus } from './errors.js';
export { jsonPatch, MAX_JSON_PATCH_OPERATIONS, type JsonPatchOperation } from './json-patch.js';
export { jsonMergePatch } from './merge-patch.js';
export { SchemaResolver, type PatchMeta, type SchemaNode } from './schema.js';
export { strategicMergePatch } from './strategic-merge.js';

export const JSON_PATCH_TYPE = 'application/json-patch+json';
export const MERGE_PATCH_TYPE = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

/** The patch media types `applyPatch` implements, in the order kube-apiserver lists them. */
export const SUPPORTED_PATCH_TYPES: readonly string[] = [JSON_PATCH_TYPE, MERGE_PATCH_TYPE, STRATEGIC_MERGE_PATCH_TYPE];

/** The `fieldValidation` query parameter; only the wording of decoding errors depends on it here. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Options of `applyPatch`. */
export interface ApplyPatchOptions {
  /** Schema of the object's kind, for strategic merge patches (patch strategies and merge keys). */
  schema?: SchemaNode;
  /** Resolves `$ref`s of `schema`; without one, references are unknown (maps merge, lists are replaced). */
  resolver?: SchemaResolver;
  /**
   * The request's `fieldValidation` (the server default is `Warn`). With `Strict` and `Warn` the body is
   * decoded strictly first (`error decoding patch: ...` errors); with `Ignore` only by the patch library.
   */
  fieldValidation?: FieldValidation;
  /** Media types named in the 415 message for an unknown Content-Type; defaults to SUPPORTED_PATCH_TYPES. */
  acceptedMediaTypes?: readonly string[];
}

const NO_DEFINITIONS = new SchemaResolver({});

/** The patch type of a Content-Type header: the part before `;`, compared as is (like kube-apiserver). */
export function patchMediaType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return semi > 0 ? contentType.slice(0, semi) : contentType;
}

/**
 * Applies the PATCH body `patchBody` of media type `contentType` to `original` and returns the new object;
 * `original` is not modified. Throws a PatchError (with `code`, `reason` and `toStatus()`) on failure:
 * 415 for an unknown media type, 400 for an undecodable body, and the codes of the individual patchers.
 */
export function applyPatch(
  contentType: string,
  original: object,
  patchBody: string | Uint8Array,
  opts: ApplyPatchOptions = {},
): object {
  const strict = (opts.fieldValidation ?? 'Warn') !== 'Ignore';
  switch (patchMediaType(contentType)) {
    case JSON_PATCH_TYPE:
      return jsonPatch(original, decodeJsonPatch(patchBody, strict)) as object;
    case MERGE_PATCH_TYPE:
      return jsonMergePatch(original, decodeMergePatch(patchBody, strict)) as object;
    case STRATEGIC_MERGE_PATCH_TYPE:
      return strategicMergePatch(
        original,
        decodeStrategicMergePatch(patchBody),
        opts.schema,
        opts.resolver ?? NO_DEFINITIONS,
      ) as object;
    default:
      throw unsupportedMediaType(opts.acceptedMediaTypes ?? SUPPORTED_PATCH_TYPES);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses the body; a syntax error becomes a 400 with Go's message, behind `prefix`. */
function parseBody(body: string | Uint8Array, prefix: string): unknown {
  try {
    return parseGoJson(body);
  } catch (e) {
    if (e instanceof GoJsonError) throw badRequest(prefix + e.message);
    throw e;
  }
}

/** SMP body: a JSON object (or null, a no-op); errors are 400s with the bare decoder message. */
function decodeStrategicMergePatch(body: string | Uint8Array): unknown {
  const v = parseBody(body, '');
  if (v !== null && !isMap(v)) throw badRequest(cannotUnmarshal(v, 'map[string]interface {}'));
  return v;
}

/** Merge patch body: a JSON object; `null` and (non-strict) non-JSON bodies are `Invalid JSON Patch`. */
function decodeMergePatch(body: string | Uint8Array, strict: boolean): unknown {
  if (strict) {
    const v = parseBody(body, 'error decoding patch: ');
    if (v !== null && !isMap(v))
      throw badRequest(`error decoding patch: ${cannotUnmarshal(v, 'map[string]interface {}')}`);
    if (v === null) throw badRequest('Invalid JSON Patch');
    return v;
  }
  let v: unknown;
  try {
    v = parseGoJson(body);
  } catch {
    throw badRequest('Invalid JSON Patch');
  }
  if (isMap(v)) return v;
  if (Array.isArray(v)) {
    // evanphx returns the array itself, which the typed decoding then rejects.
    throw new PatchError(
      422,
      'Invalid',
      ` "" is invalid: patch: Invalid value: ${JSON.stringify(JSON.stringify(v))}: ${cannotUnmarshal(v, 'map[string]interface {}')}`,
    );
  }
  throw badRequest('Invalid JSON Patch');
}

/** JSON patch body: a JSON array of operation objects whose `op`, `path` and `from` are strings. */
function decodeJsonPatch(body: string | Uint8Array, strict: boolean): unknown[] {
  const prefix = strict ? 'error decoding patch: ' : '';
  const v = parseBody(body, prefix);
  if (v === null) return [];
  if (!Array.isArray(v))
    throw badRequest(prefix + cannotUnmarshal(v, strict ? '[]handlers.jsonPatchOp' : 'jsonpatch.Patch'));
  for (const op of v) {
    if (op === null) continue;
    if (!isMap(op))
      throw badRequest(prefix + cannotUnmarshal(op, strict ? 'handlers.jsonPatchOp' : 'jsonpatch.Operation'));
    if (!strict) continue;
    for (const [k, x] of Object.entries(op)) {
      if ((k === 'op' || k === 'path' || k === 'from') && x !== null && typeof x !== 'string') {
        throw badRequest(prefix + cannotUnmarshalField(x, 'jsonPatchOp', k, 'string'));
      }
    }
  }
  return v;
}
