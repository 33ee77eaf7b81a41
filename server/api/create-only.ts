/**
 * The request side of the create-only endpoints (reviews, pods/eviction): bodies that are answered, never stored.
 * As kube-apiserver's create handler: output negotiated and CreateOptions (dryRun, fieldManager, fieldValidation)
 * checked first, then the body decoded (only through decodeObjectBody), its group/version/kind defaulted from the
 * URL and checked, and its fields checked against the kind's schema (type errors, unknown fields).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findKindDefinition } from '../../openapi/served.js';
import { typeFor, UNTYPED } from '../fieldmanager/typed.js';
import { requestManager } from '../fieldmanager/request.js';
import { errors } from '../registry/status.js';
import { addWarnings, checkTyped } from './field-validation.js';
import { decodeObjectBody, negotiate } from './negotiation.js';
import { dryRunParam, fieldValidationParam, type Query } from './request.js';

type Obj = Record<string, unknown>;

/** The kind an endpoint takes: the one a body without type meta is read as, and the group/versions it accepts. */
export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
  /** Group/versions (`policy/v1`) whose bodies are accepted; the default one among them. */
  accepted: readonly string[];
}

/** A decoded, checked create-only body. */
export interface CreateOnlyBody {
  object: Obj;
  /** The group/version the body is in (defaulted from the URL). */
  group: string;
  version: string;
  /** `dryRun=All`. */
  dryRun: boolean;
}

/** The scheme upstream names in its decoding errors. */
const SCHEME = 'pkg/api/legacyscheme/scheme.go:30';

const gvString = (group: string, version: string) => (group ? `${group}/${version}` : version);

/**
 * The group/version/kind of a decoded body, with what it leaves out taken from the URL's kind (upstream's
 * gvkWithDefaults); throws the 400 kube-apiserver answers for a body of another kind or version.
 */
export function checkBodyKind(body: unknown, expected: ExpectedKind): { group: string; version: string } {
  const unrecognized = (why?: string) =>
    errors.badRequest(`the object provided is unrecognized (must be of type ${expected.kind})${why ? `: ${why}` : ''}`);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unrecognized();
  const b = body as Obj;
  if (
    (b.apiVersion !== undefined && typeof b.apiVersion !== 'string') ||
    (b.kind !== undefined && typeof b.kind !== 'string')
  ) {
    throw unrecognized();
  }
  const apiVersion = (b.apiVersion as string | undefined) ?? '';
  const parts = apiVersion === '' ? [] : apiVersion.split('/');
  if (parts.length > 2) throw unrecognized(`unexpected GroupVersion string: ${apiVersion}`);
  let group = parts.length === 2 ? parts[0]! : '';
  let version = parts.length === 2 ? parts[1]! : (parts[0] ?? '');
  const kind = (b.kind as string | undefined) || expected.kind;
  if (group === '' && version === '') {
    group = expected.group;
    version = expected.version;
  } else if (version === '' && group === expected.group) {
    version = expected.version;
  }
  const gv = gvString(group, version);
  if (kind === expected.kind && expected.accepted.includes(gv)) return { group, version };
  const prefix = `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${expected.kind}: `;
  // A kind the server knows (upstream: one registered in its scheme) decodes; then it is the wrong version of the
  // expected kind, or a kind that cannot be converted into it. Anything else does not decode at all.
  if (findKindDefinition(group, version, kind)) {
    if (kind === expected.kind) {
      throw errors.badRequest(
        `the API version in the data (${gv}) does not match the expected API version (${gvString(expected.group, expected.version)})`,
      );
    }
    const internal = expected.group ? expected.group.split('.')[0]! : 'core';
    throw errors.badRequest(
      `${prefix}converting (${version}.${kind}) to (${internal}.${expected.kind}): unknown conversion`,
    );
  }
  throw errors.badRequest(
    `${prefix}no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(gv)} in scheme ${JSON.stringify(SCHEME)}`,
  );
}

/**
 * Reads the body of a create-only request: negotiates the response (406 first), checks the CreateOptions, decodes
 * the body and checks its kind and fields. Unknown fields follow `fieldValidation` (Strict: 400, Warn: `Warning`
 * headers on `reply`, Ignore: dropped); they are never part of the returned object.
 */
export function decodeCreateOnlyBody(req: FastifyRequest, reply: FastifyReply, expected: ExpectedKind): CreateOnlyBody {
  const query = (req.query ?? {}) as Query;
  negotiate(req.headers.accept, { tableAllowed: false });
  const dryRun = dryRunParam(query['dryRun']);
  const validation = fieldValidationParam(query);
  requestManager(query, req.headers['user-agent'], 'CreateOptions');
  const decoded = decodeObjectBody(req.headers['content-type'], req.body, {
    apiVersion: gvString(expected.group, expected.version),
    kind: expected.kind,
  });
  const { group, version } = checkBodyKind(decoded, expected);
  let object = decoded as Obj;
  const type = typeFor(group, version, expected.kind);
  if (type !== UNTYPED) {
    const strict = validation !== 'Ignore';
    const checked = checkTyped(object, type, { strict });
    const prefix = `${expected.kind} in version ${JSON.stringify(version)} cannot be handled as a ${expected.kind}: `;
    if (checked.error !== undefined) throw errors.badRequest(prefix + checked.error);
    if (validation === 'Strict' && checked.strict.length > 0)
      throw errors.badRequest(`${prefix}strict decoding error: ${checked.strict.join(', ')}`);
    if (strict) addWarnings(reply, checked.strict);
    object = checked.value as Obj;
  }
  return { object, group, version, dryRun };
}
