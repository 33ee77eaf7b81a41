/**
 * Errors raised while applying a PATCH body, carrying the HTTP code and Status reason kube-apiserver
 * answers with (k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
 *
 * - 400 BadRequest: undecodable bodies (`error decoding patch: ...` for JSON/merge patches, the bare decoder
 *   message for strategic merge patches) and the malformed-directive errors of `mergepatch`
 *   (`invalid patch format of retainKeys|primitive list|setElementOrder list`).
 * - 422 Invalid: a JSON patch that does not apply, and `lists of lists are not supported`; both go through
 *   `NewGenericServerResponse(422, ...)`, so the Status message is the generic
 *   `the server rejected our request due to an error in our request` (with `details: {}`), not the cause.
 * - 500 with no reason: every other strategic-merge error (a plain Go error reaching the handler), e.g.
 *   `map: map[image:x] does not contain declared merge key: name`.
 * - 413 RequestEntityTooLarge: more than 10000 JSON patch operations.
 * - 415 UnsupportedMediaType: an unknown patch Content-Type.
 */

/** Status message of every `NewGenericServerResponse(422, ...)` error (the underlying cause is not shown). */
export const GENERIC_INVALID_MESSAGE = 'the server rejected our request due to an error in our request';

/** The `Status` object kube-apiserver writes for a patch error. */
export interface PatchErrorStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason?: string;
  details?: Record<string, never>;
  code: number;
}

/** A patch failure with the HTTP `code`, Status `reason` ('' = no reason, as Go's StatusReasonUnknown) and message. */
export class PatchError extends Error {
  /** HTTP status code the apiserver answers with. */
  readonly code: number;
  /** Status reason (`BadRequest`, `Invalid`, ...); the empty string means the Status carries no reason. */
  readonly reason: string;
  /** Upstream's underlying error text when the Status message is a generic one (422 JSON patch failures). */
  readonly detail?: string;
  /** Whether the Status has an (empty) `details` object, as `NewGenericServerResponse` produces. */
  readonly emptyDetails: boolean;

  constructor(code: number, reason: string, message: string, opts: { detail?: string; emptyDetails?: boolean } = {}) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
    this.reason = reason;
    this.detail = opts.detail;
    this.emptyDetails = opts.emptyDetails ?? false;
  }

  /** The Status body for this error, field for field as kube-apiserver serializes it. */
  toStatus(): PatchErrorStatus {
    // Field order as Go serializes metav1.Status: ..., message, reason, details, code.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.emptyDetails ? { details: {} } : {}),
      code: this.code,
    };
  }
}

/** 400 BadRequest with `message` (errors.NewBadRequest). */
export function badRequest(message: string): PatchError {
  return new PatchError(400, 'BadRequest', message);
}

/** 422 Invalid with the generic message; `detail` keeps upstream's cause for logs and tests. */
export function genericInvalid(detail: string): PatchError {
  return new PatchError(422, 'Invalid', GENERIC_INVALID_MESSAGE, { detail, emptyDetails: true });
}

/** 500 with no reason: a plain Go error returned by the patch code (ErrorToAPIStatus default branch). */
export function internalError(message: string): PatchError {
  return new PatchError(500, '', message);
}

/** 413 RequestEntityTooLarge (errors.NewRequestEntityTooLargeError). */
export function entityTooLarge(message: string): PatchError {
  return new PatchError(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

/** 415 UnsupportedMediaType listing the accepted patch media types (negotiation.NewUnsupportedMediaTypeError). */
export function unsupportedMediaType(accepted: readonly string[]): PatchError {
  return new PatchError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/** Texts of the sentinel errors of k8s.io/apimachinery/pkg/util/mergepatch. */
export const MERGEPATCH = {
  badJSONDoc: 'invalid JSON document',
  noListOfLists: 'lists of lists are not supported',
  badPrimitiveList: 'invalid patch format of primitive list',
  badRetainKeys: 'invalid patch format of retainKeys',
  badSetElementOrder: 'invalid patch format of setElementOrder list',
} as const;
