/**
 * ConfigMap validation (pkg/apis/core/validation ValidateConfigMap, ValidateConfigMapUpdate): keys of `data` and
 * `binaryData` are config keys and appear in only one of the two, the values together fit in 1 MiB, and an
 * immutable config map keeps its data (and its immutability) for good.
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { fieldErr, type FieldError } from '../../../../apimachinery/field-errors.js';
import { base64DecodedLength } from '../../validation/base64.js';
import { key } from '../../../../apimachinery/field-errors.js';
import { byteLen, isConfigMapKey } from '../../../../apimachinery/validation.js';
import { isObj, sortedKeys, str, type Obj } from '../../validation/helpers.js';
import { FIELD_IMMUTABLE_WHEN_IMMUTABLE, sameStringMap } from '../../validation/data-maps.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../validation/meta.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';

/** The most bytes the values of a ConfigMap or Secret may hold together (upstream's MaxSecretSize, 1 MiB). */
export const MAX_CONFIG_SIZE = 1024 * 1024;

interface ConfigMapLike {
  metadata?: unknown;
  data?: Obj | null;
  binaryData?: Obj | null;
  immutable?: boolean | null;
}

/** ValidateConfigMap: metadata, config keys (no key in both maps) and the total size of the values. */
export function validateConfigMap(obj: KubeObject): FieldError[] {
  const cm = obj as ConfigMapLike;
  const errs = validateObjectMeta(obj.metadata, {
    namespaced: true,
    nameValidator: nameIsDNSSubdomain,
    kubeFinalizers: true,
  });
  const data = isObj(cm.data) ? cm.data : {};
  const binary = isObj(cm.binaryData) ? cm.binaryData : {};
  let total = 0;
  for (const k of sortedKeys(data)) {
    for (const msg of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('data', k), k, msg));
    if (Object.hasOwn(binary, k))
      errs.push(fieldErr.invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += byteLen(str(data[k]));
  }
  for (const k of sortedKeys(binary)) {
    for (const msg of isConfigMapKey(k)) errs.push(fieldErr.invalid(key('binaryData', k), k, msg));
    total += base64DecodedLength(str(binary[k]));
  }
  // The error is about the whole object: upstream's empty root path prints as `[]`.
  if (total > MAX_CONFIG_SIZE) errs.push(fieldErr.tooLong('[]', MAX_CONFIG_SIZE));
  return errs;
}

/** ValidateConfigMapUpdate: once `immutable` is true it stays true and `data`/`binaryData` stay as they are. */
export function validateConfigMapUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const cm = obj as ConfigMapLike;
  const prev = old as ConfigMapLike;
  const errs = validateObjectMetaUpdate(obj.metadata, old.metadata, 'metadata', { kubeFinalizers: true });
  if (prev.immutable === true) {
    if (cm.immutable !== true) errs.push(fieldErr.forbidden('immutable', FIELD_IMMUTABLE_WHEN_IMMUTABLE));
    if (!sameStringMap(cm.data, prev.data)) errs.push(fieldErr.forbidden('data', FIELD_IMMUTABLE_WHEN_IMMUTABLE));
    if (!sameStringMap(cm.binaryData, prev.binaryData))
      errs.push(fieldErr.forbidden('binaryData', FIELD_IMMUTABLE_WHEN_IMMUTABLE));
  }
  return [...errs, ...validateConfigMap(obj)];
}
