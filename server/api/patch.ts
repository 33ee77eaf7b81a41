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
    return boundedResult(applyPatch(contentType, original, body, { schema, resolver, fieldValidation }) as KubeObject);
  } catch (err) {
    if (err instanceof PatchError) {
      const st = err.toStatus();
      throw new StatusError({ message: st.message, reason: st.reason, details: st.details, code: st.code });
    }
    throw err;
  }
}

/**
 * A patch result within the limits of a request body: nested at most MAX_BODY_DEPTH deep (a 422, as upstream's
 * decoding of a patched document it cannot read: `"" is invalid: patch: ...`) and no larger than the request body
 * limit (a 413, as the same object sent with PUT). The body itself is bounded; a patch may still deepen or grow
 * the object it applies to.
 */
function boundedResult(result: KubeObject): KubeObject {
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
  if (Buffer.byteLength(JSON.stringify(result)) > MAX_REQUEST_BODY_BYTES) {
    throw errors.requestEntityTooLarge(`Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
  }
  return result;
}
