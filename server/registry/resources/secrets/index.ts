/**
 * Secrets (core/v1; pkg/registry/core/secret): namespaced, no status, no generation. `data` holds bytes (base64
 * in JSON, `bytes` in protobuf); `stringData` is write-only: the v1 view merges it into `data` on every write
 * (create, update, patch, apply), so it is never stored or returned. `type` defaults to Opaque and never changes;
 * the field selector `type` selects by it (`kubectl get secrets --field-selector type=kubernetes.io/tls`).
 */
import type { KubeObject } from '../../../../apimachinery/objects.js';
import type { ResourceDefinition, ResourceStrategy, ServedVersion } from '../../definition.js';
import { identityVersion } from '../../identity-version.js';
import { isObj, type Obj } from '../../validation/helpers.js';
import { normalizeDataMap, orderFields, setOwn } from '../../validation/data-maps.js';
import { nameIsDNSSubdomain } from '../../validation/names.js';
import { secretPrinter } from './printer.js';
import { SecretType, validateSecret, validateSecretUpdate } from './validation.js';

interface SecretLike {
  type?: string;
  data?: Obj | null;
  stringData?: Obj | null;
}

/** SetDefaults_Secret: an empty type is Opaque. */
function defaultSecret(obj: KubeObject): void {
  const secret = obj as SecretLike;
  if (!secret.type) secret.type = SecretType.Opaque;
}

/**
 * The v1 → internal conversion of a written Secret: every `stringData` entry replaces the `data` entry of the same
 * key (as the UTF-8 bytes of the text), and `stringData` itself is dropped.
 */
export function mergeStringData(obj: KubeObject): void {
  const secret = obj as SecretLike;
  const strings = secret.stringData;
  delete secret.stringData;
  if (isObj(strings) && Object.keys(strings).length > 0) {
    const data: Obj = isObj(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(strings))
      setOwn(data, k, Buffer.from(typeof v === 'string' ? v : '', 'utf8').toString('base64'));
    secret.data = data;
  }
  normalizeDataMap(obj as Obj, 'data');
  if (obj['immutable'] === null) delete obj['immutable'];
  orderFields(obj as Obj, ['immutable', 'data', 'type']);
}

/**
 * Decoding a written Secret: defaulting, then the conversion that merges stringData. Both happen where upstream
 * decodes a body, so managedFields record the `data` keys a stringData entry wrote, never `stringData`.
 */
function decodeSecret(obj: KubeObject): void {
  defaultSecret(obj);
  mergeStringData(obj);
}

const v1Base = identityVersion({ group: '', version: 'v1', kind: 'Secret', default: decodeSecret });

/** core/v1, the only version: the storage form; whatever reaches storage has its stringData merged. */
const v1: ServedVersion = {
  ...v1Base,
  toStorage(obj, ctx) {
    const out = v1Base.toStorage(obj, ctx);
    mergeStringData(out);
    return out;
  },
};

/** The Secret strategy: nothing to clear or bump; PUT without a resourceVersion is accepted, PUT never creates. */
export const secretStrategy: ResourceStrategy = {
  prepareForCreate() {},
  validate: (obj) => validateSecret(obj),
  prepareForUpdate() {},
  validateUpdate: (obj, old) => validateSecretUpdate(obj, old),
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
};

/** Secrets: namespaced, core/v1, stored under `/registry/secrets/<ns>/<name>`. */
export const secrets: ResourceDefinition = {
  group: '',
  plural: 'secrets',
  singular: 'secret',
  kind: 'Secret',
  listKind: 'SecretList',
  namespaced: true,
  etcdPrefix: 'secrets',
  versions: [v1],
  strategy: secretStrategy,
  fieldSelectors: { type: (o) => (o as SecretLike).type ?? '' },
  printer: secretPrinter,
  nameValidator: nameIsDNSSubdomain,
};
