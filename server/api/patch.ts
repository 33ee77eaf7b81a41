import type { KubeObject } from '../../apimachinery/objects.js';
import { applyPatch, PatchError, type FieldValidation } from '../patch/index.js';
import type { ResourceHandle } from '../registry/registry.js';
import { errors, StatusError } from '../registry/status.js';
import { MAX_BODY_DEPTH, valueTooDeep } from '../../apimachinery/json-depth.js';
import { MAX_REQUEST_BODY_BYTES } from '../plugins/errors.js';
import { schemaFor } from '../schemas.js';

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/**
 * Applies a PATCH body of the given media type to the object in the request's version form; the result is
 * validated and stored like a PUT body. Strategic merge takes merge keys and strategies from the schemas.
 * `fieldValidation` selects how strictly the patch body is decoded (the server default is Warn).
 */
export function patchObject(
  handle: ResourceHandle,
  contentType: string,
  original: KubeObject,
  body: Buffer,
  fieldValidation?: FieldValidation,
  /** The kind patched when it is not the handle's (a subresource's own kind: autoscaling/v1 Scale). */
  kind: { group: string; version: string; kind: string } = {
    group: handle.view.group,
    version: handle.view.version,
    kind: handle.def.kind,
  },
  /** `JSON.stringify(original)`, when known: a merge patch's result is then bounded without serializing it. */
  originalText?: string,
): KubeObject {
  if (!PATCH_TYPES.includes(contentType)) {
    throw new StatusError({
      message: `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  }
  const { schema, resolver } = schemaFor(kind.group, kind.version, kind.kind);
  try {
    const result = applyPatch(contentType, original, body, { schema, resolver, fieldValidation }) as KubeObject;
    return boundedResult(
      result,
      contentType === MERGE_PATCH_TYPE || contentType === STRATEGIC_MERGE_PATCH_TYPE
        ? mergePatchSizeBound(originalText, body)
        : undefined,
    );
  } catch (err) {
    if (err instanceof PatchError) {
      const st = err.toStatus();
      throw new StatusError({ message: st.message, reason: st.reason, details: st.details, code: st.code });
    }
    throw err;
  }
}

const MERGE_PATCH_TYPE = 'application/merge-patch+json';
const STRATEGIC_MERGE_PATCH_TYPE = 'application/strategic-merge-patch+json';

/**
 * At least the UTF-8 bytes of `JSON.stringify` of a merge patch's result (undefined when the original's text is
 * not known). The result is the original with members removed, replaced or added, each added value and name
 * taken from the patch once: its text is at most the original's plus the patch's values as JSON.stringify
 * writes them. That never takes more characters than the patch's own text but for numbers (`1e20` becomes 21
 * digits: at most 6 characters per character written), and a character is at most 3 UTF-8 bytes. A strategic
 * merge patch's result is made the same way: its lists keep or drop the original's items and take each patch
 * item once (merged into the first item with its merge key, or added), and its directives only remove and order.
 */
export function mergePatchSizeBound(originalText: string | undefined, patch: Buffer): number | undefined {
  return originalText === undefined ? undefined : 3 * originalText.length + 6 * patch.length + 16;
}

/**
 * A patch result within the limits of a request body: nested at most MAX_BODY_DEPTH deep (a 422, as upstream's
 * decoding of a patched document it cannot read: `"" is invalid: patch: ...`) and no larger than the request body
 * limit (a 413, as the same object sent with PUT). The body itself is bounded; a patch may still deepen or grow
 * the object it applies to. `sizeBound`, when given, is at least the result's JSON bytes: the result is not
 * serialized to be measured when that is within the limit.
 */
function boundedResult(result: KubeObject, sizeBound?: number): KubeObject {
  if (valueTooDeep(result)) {
    throw new StatusError({
      message: ` "" is invalid: patch: Invalid value: "{...}": exceeded max depth of ${MAX_BODY_DEPTH}`,
      reason: 'Invalid',
      details: {
        causes: [
          {
            reason: 'FieldValueInvalid',
            message: `Invalid value: "{...}": exceeded max depth of ${MAX_BODY_DEPTH}`,
            field: 'patch',
          },
        ],
      },
      code: 422,
    });
  }
  if (
    (sizeBound === undefined || sizeBound > MAX_REQUEST_BODY_BYTES) &&
    Buffer.byteLength(JSON.stringify(result)) > MAX_REQUEST_BODY_BYTES
  ) {
    throw errors.requestEntityTooLarge(`Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
  }
  return result;
}
