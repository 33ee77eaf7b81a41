/**
 * Secret validation (pkg/apis/core/validation ValidateSecret, ValidateSecretUpdate): config keys, at most 1 MiB of
 * values, the keys each well-known type requires, and on update an unchanged `type` and, once immutable, unchanged
 * `data` and `immutable`. Values are checked as bytes (decoded from their canonical base64).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { GoJsonError, cannotUnmarshal, parseGoJson } from '../../../patch/go-json.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { base64DecodedLength } from '../../validation/base64.js';
import { key } from '../../../../apimachinery/field-errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../../../apimachinery/json-depth.js';
import { isConfigMapKey } from '../../../../apimachinery/validation.js';
import { isObj, sortedKeys, str, type Obj } from '../../validation/helpers.js';
import { FIELD_IMMUTABLE_WHEN_IMMUTABLE, sameStringMap } from '../../validation/data-maps.js';
import { FIELD_IMMUTABLE, validateObjectMeta, validateObjectMetaUpdate } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { MAX_CONFIG_SIZE } from '../configmaps/validation.js';

/** The well-known secret types and the keys and annotations they use (k8s.io/api/core/v1 constants). */
export const SecretType = {
  Opaque: 'Opaque',
  ServiceAccountToken: 'kubernetes.io/service-account-token',
  Dockercfg: 'kubernetes.io/dockercfg',
  DockerConfigJson: 'kubernetes.io/dockerconfigjson',
  BasicAuth: 'kubernetes.io/basic-auth',
  SSHAuth: 'kubernetes.io/ssh-auth',
  TLS: 'kubernetes.io/tls',
  BootstrapToken: 'bootstrap.kubernetes.io/token',
} as const;

const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const DOCKERCFG_KEY = '.dockercfg';
const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
const BASIC_AUTH_USERNAME_KEY = 'username';
const BASIC_AUTH_PASSWORD_KEY = 'password';
const SSH_AUTH_PRIVATE_KEY = 'ssh-privatekey';
const TLS_CERT_KEY = 'tls.crt';
const TLS_PRIVATE_KEY_KEY = 'tls.key';

/** What upstream shows instead of a secret value in an error. */
const REDACTED = '<secret contents redacted>';

interface SecretLike {
  metadata?: { annotations?: Record<string, string> | null };
  data?: Obj | null;
  immutable?: boolean | null;
  type?: string;
}

/** Go's json.Unmarshal into map[string]interface{}: its error text, or undefined when the bytes decode. */
function jsonObjectError(base64: string): string | undefined {
  const bytes = Buffer.from(base64, 'base64');
  // (also keeps the recursive syntax-error scan below within the stack)
  if (jsonTooDeep(bytes, MAX_JSON_DEPTH)) return 'exceeded max depth';
  let v: unknown;
  try {
    v = parseGoJson(bytes);
  } catch (err) {
    if (err instanceof GoJsonError) return err.message;
    throw err;
  }
  if (v === null || isObj(v)) return undefined;
  return cannotUnmarshal(v, 'map[string]interface {}');
}

/** ValidateSecret: metadata, config keys, the size of the values, and the requirements of the secret's type. */
export function validateSecret(obj: KubeObject): FieldError[] {
  const secret = obj as SecretLike;
  const errs = validateObjectMeta(obj.metadata, {
    namespaced: true,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  const data: Obj = isObj(secret.data) ? secret.data : {};
  let total = 0;
  for (const k of sortedKeys(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('data', k), k, msg));
    total += base64DecodedLength(str(data[k]));
  }
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErr.tooLong('data', MAX_CONFIG_SIZE));

  const has = (k: string) => Object.hasOwn(data, k);
  switch (secret.type ?? '') {
    case SecretType.ServiceAccountToken:
      // Only the account's name is required: a controller adds the uid and the token later.
      if (!str(secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION])) {
        errs.push(fieldErr.required(key('metadata.annotations', SERVICE_ACCOUNT_NAME_ANNOTATION), ''));
      }
      break;
    case SecretType.Dockercfg:
    case SecretType.DockerConfigJson: {
      const k = secret.type === SecretType.Dockercfg ? DOCKERCFG_KEY : DOCKER_CONFIG_JSON_KEY;
      if (!has(k)) {
        errs.push(fieldErr.required(key('data', k), ''));
        break;
      }
      const problem = jsonObjectError(str(data[k]));
      if (problem !== undefined) errs.push(fieldErr.invalid(key('data', k), REDACTED, problem));
      break;
    }
    case SecretType.BasicAuth:
      // Either may be empty, but one of the two must be there.
      if (!has(BASIC_AUTH_USERNAME_KEY) && !has(BASIC_AUTH_PASSWORD_KEY)) {
        errs.push(fieldErr.required(key('data', BASIC_AUTH_USERNAME_KEY), ''));
        errs.push(fieldErr.required(key('data', BASIC_AUTH_PASSWORD_KEY), ''));
      }
      break;
    case SecretType.SSHAuth:
      if (base64DecodedLength(str(data[SSH_AUTH_PRIVATE_KEY])) === 0)
        errs.push(fieldErr.required(key('data', SSH_AUTH_PRIVATE_KEY), ''));
      break;
    case SecretType.TLS:
      if (!has(TLS_CERT_KEY)) errs.push(fieldErr.required(key('data', TLS_CERT_KEY), ''));
      if (!has(TLS_PRIVATE_KEY_KEY)) errs.push(fieldErr.required(key('data', TLS_PRIVATE_KEY_KEY), ''));
      break;
    default:
      // Opaque, bootstrap tokens (checked by their controllers, not the apiserver) and any other type: no rules.
      break;
  }
  return errs;
}

/** ValidateSecretUpdate: `type` never changes; once `immutable` is true it stays true and `data` stays as it is. */
export function validateSecretUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const secret = obj as SecretLike;
  const prev = old as SecretLike;
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', { kubeFinalizers: true });
  if ((secret.type ?? '') !== (prev.type ?? ''))
    errs.push(fieldErr.invalid('type', secret.type ?? '', FIELD_IMMUTABLE));
  if (prev.immutable === true) {
    if (secret.immutable !== true) errs.push(fieldErr.forbidden('immutable', FIELD_IMMUTABLE_WHEN_IMMUTABLE));
    // stringData was merged into data before validation, so data is all there is to compare.
    if (!sameStringMap(secret.data, prev.data)) errs.push(fieldErr.forbidden('data', FIELD_IMMUTABLE_WHEN_IMMUTABLE));
  }
  return [...errs, ...validateSecret(obj)];
}
