import { type FieldError, fieldErrorBody, fieldErrorString } from '../../apimachinery/field-errors.js';

/** The `metav1.Status` body every error reply carries, shaped exactly like the real apiserver's. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; resourceVersion?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** A resource named as upstream errors name it: `pods`, `daemonsets.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function groupResourceString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

/** An error that the error plugin turns into its Status reply; thrown anywhere in request handling. */
export class StatusError extends Error {
  readonly status: StatusBody;
  /** Extra response headers (Retry-After, ...). */
  readonly headers: Record<string, string>;
  constructor(
    status: Omit<StatusBody, 'kind' | 'apiVersion' | 'metadata' | 'status'> & { metadata?: StatusBody['metadata'] },
    headers: Record<string, string> = {},
  ) {
    super(status.message ?? status.reason ?? 'error');
    this.name = 'StatusError';
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: status.metadata ?? {},
      status: 'Failure',
      ...status,
    } as StatusBody;
    this.headers = headers;
  }
  get code(): number {
    return this.status.code;
  }
}

export function isStatusError(err: unknown): err is StatusError {
  return err instanceof StatusError;
}

function details(gr: GroupResource, name: string | undefined) {
  const d: NonNullable<StatusBody['details']> = {};
  if (name !== undefined) d.name = name;
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  return d;
}

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError({
      message: `${groupResourceString(gr)} "${name}" not found`,
      reason: 'NotFound',
      details: details(gr, name),
      code: 404,
    });
  },
  /** The reply for a path no resource serves. */
  pathNotFound(): StatusError {
    return new StatusError({
      message: 'the server could not find the requested resource',
      reason: 'NotFound',
      details: {},
      code: 404,
    });
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError({
      message: `${groupResourceString(gr)} "${name}" already exists`,
      reason: 'AlreadyExists',
      details: details(gr, name),
      code: 409,
    });
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError({
      message: `Operation cannot be fulfilled on ${groupResourceString(gr)} "${name}": ${why}`,
      reason: 'Conflict',
      details: details(gr, name),
      code: 409,
    });
  },
  /** 422 with one cause per field error; `kind` is the Kind (`Pod`), group as in the request. */
  invalid(group: string, kind: string, name: string, errs: FieldError[]): StatusError {
    const qualified = group ? `${kind}.${group}` : kind;
    const list = errs.map(fieldErrorString);
    const message = `${qualified} "${name}" is invalid: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`;
    const d: NonNullable<StatusBody['details']> = {};
    if (name) d.name = name;
    if (group) d.group = group;
    if (kind) d.kind = kind;
    d.causes = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
    return new StatusError({ message, reason: 'Invalid', details: d, code: 422 });
  },
  badRequest(message: string): StatusError {
    return new StatusError({ message, reason: 'BadRequest', code: 400 });
  },
  forbidden(gr: GroupResource, name: string, why: string): StatusError {
    const subject = name ? `${groupResourceString(gr)} "${name}"` : groupResourceString(gr);
    return new StatusError({
      message: `${subject} is forbidden: ${why}`,
      reason: 'Forbidden',
      details: details(gr, name || undefined),
      code: 403,
    });
  },
  methodNotAllowed(): StatusError {
    return new StatusError({
      message: 'the server does not allow this method on the requested resource',
      reason: 'MethodNotAllowed',
      details: {},
      code: 405,
    });
  },
  notAcceptable(message: string): StatusError {
    return new StatusError({ message, reason: 'NotAcceptable', code: 406 });
  },
  unsupportedMediaType(contentType: string): StatusError {
    return new StatusError({
      message: `the body of the request was in an unknown format - accepted media types include: ${contentType}`,
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  },
  /** 410 for a continue token or watch start older than the retained history. */
  expired(message: string, continueToken?: string): StatusError {
    return new StatusError({
      message,
      reason: 'Expired',
      code: 410,
      metadata: continueToken ? { continue: continueToken } : {},
    });
  },
  gone(message: string): StatusError {
    return new StatusError({ message, reason: 'Gone', code: 410 });
  },
  tooLargeResourceVersion(requested: number, current: number): StatusError {
    return new StatusError(
      {
        message: `Timeout: Too large resource version: ${requested}, current: ${current}`,
        reason: 'Timeout',
        details: {
          causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
          retryAfterSeconds: 1,
        },
        code: 504,
      },
      { 'Retry-After': '1' },
    );
  },
  requestEntityTooLarge(message: string): StatusError {
    return new StatusError({ message, reason: 'RequestEntityTooLarge', code: 413 });
  },
  /** An error that is not a Status (upstream's `ErrorToAPIStatus` fallback): the message, no reason. */
  unknown(message: string, code: number): StatusError {
    return new StatusError({ message, code });
  },
  internal(message: string): StatusError {
    return new StatusError({
      message: `Internal error occurred: ${message}`,
      reason: 'InternalError',
      details: { causes: [{ message }] },
      code: 500,
    });
  },
  serviceUnavailable(message: string): StatusError {
    return new StatusError({ message, reason: 'ServiceUnavailable', code: 503 });
  },
};

/** The Success body a DELETE of a resource that does not return the object replies with. */
export function successStatus(gr: GroupResource, name: string, uid?: string): StatusBody {
  const d: NonNullable<StatusBody['details']> = { name };
  if (gr.group) d.group = gr.group;
  d.kind = gr.resource;
  if (uid) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d, code: 200 };
}
