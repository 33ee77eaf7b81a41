/**
 * Field errors as Kubernetes' validation reports them (k8s.io/apimachinery/pkg/util/validation/field): the
 * errors, their field paths in upstream's notation, and Go-style renderings of bad values.
 * A 422 Invalid Status carries one `cause` per error: `{reason: type, message, field}`; the Status message
 * joins them as `<Kind> "<name>" is invalid: <field>: <message>` (several in `[a, b]`).
 */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

export interface FieldError {
  type: FieldErrorType;
  /** Dotted path with indexes and map keys, as upstream prints it: `spec.containers[0].name`, `metadata.labels[app]`. */
  field: string;
  badValue?: unknown;
  detail?: string;
  /** Whether `badValue` is printed (upstream omits it for Required, Forbidden, TooLong...). */
  omitValue?: boolean;
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Renders a bad value the way Go's validation does: strings quoted, numbers and booleans bare, objects as JSON. */
function renderValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** The part after `<field>: `, e.g. `Invalid value: "Foo": a lowercase RFC 1123 subdomain ...`. */
export function fieldErrorBody(e: FieldError): string {
  let s = typeText[e.type];
  const showValue =
    !e.omitValue &&
    e.type !== 'FieldValueRequired' &&
    e.type !== 'FieldValueForbidden' &&
    e.type !== 'FieldValueTooLong' &&
    e.type !== 'FieldValueTooMany' &&
    e.type !== 'InternalError';
  if (showValue) s += `: ${renderValue(e.badValue)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** `<field>: <body>`, as the aggregate Status message lists it. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const fieldErr = {
  required: (field: string, detail?: string): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, badValue: unknown, detail?: string): FieldError => ({
    type: 'FieldValueInvalid',
    field,
    badValue,
    detail,
  }),
  notSupported: (field: string, badValue: unknown, supported: readonly string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    badValue,
    detail: supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : undefined,
  }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  duplicate: (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, badValue }),
  tooLong: (field: string, maxLength: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    detail: `must have at most ${maxLength} bytes`,
  }),
  notFound: (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueNotFound', field, badValue }),
};

/**
 * An Invalid error whose bad value is printed verbatim (already rendered Go-style, e.g. `[]string{}` or a time)
 * instead of JSON. The rendered value travels in the detail so `fieldErrorBody` prints
 * `Invalid value: <rendered>: <detail>`; `badValue` keeps the raw value for structured consumers.
 */
export function invalidRendered(field: string, rendered: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, badValue, omitValue: true, detail: `${rendered}: ${detail}` };
}

/** Any error type with a verbatim-rendered bad value (see invalidRendered). */
export function renderedError(
  type: FieldError['type'],
  field: string,
  rendered: string,
  badValue: unknown,
  detail?: string,
): FieldError {
  return { type, field, badValue, omitValue: true, detail: detail ? `${rendered}: ${detail}` : rendered };
}

/** A NotFound error with a detail. */
export function notFoundWithDetail(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueNotFound', field, badValue, detail };
}

// ---- field paths (upstream's field.Path) ----

/** `a.b` path join (upstream's `Path.Child`). */
export function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** `a[i]` (upstream's `Path.Index`). */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `a[key]` (upstream's `Path.Key`). */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

// ---- Go renderings of bad values ----

/** Go's `%q` for a plain string (close enough to JSON quoting for printable text). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's `%#v` of a `[]string`: `[]string{"a", "b"}`, or `[]string(nil)` when absent. */
export function goStringSlice(v: readonly string[] | null | undefined): string {
  if (v == null) return '[]string(nil)';
  return `[]string{${v.map(goQuote).join(', ')}}`;
}
