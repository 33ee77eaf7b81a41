// core/v1 ConfigMap and Secret: configuration and credentials that pods and controllers read by name.
// Structure (names, types, formats, required fields, patch and list extensions) follows the Kubernetes API;
// the descriptions are this project's own.
import Type, { type TSchema } from 'typebox';
import { listOf } from './list.js';

const objectMeta = (protobuf: number) =>
  Type.Optional(
    Type.Ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', {
      protobuf,
      description:
        'Standard object metadata: name, namespace, labels, annotations, owners and server-maintained fields.',
    }),
  );

/** A map of text values by key. */
const textMap = (protobuf: number, description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.String(), { protobuf, description }));

/** A map of byte values by key: base64 strings in JSON, `bytes` in protobuf. */
const bytesMap = (protobuf: number, description: string) =>
  Type.Optional(Type.Record(Type.String(), Type.String({ format: 'byte' }), { protobuf, description }));

export const ConfigMap = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    binaryData: bytesMap(
      3,
      'Values that are arbitrary bytes (not necessarily UTF-8), base64-encoded in JSON. Keys are made of letters, digits, `-`, `_` and `.`, and may not also appear in `data`.',
    ),
    data: textMap(
      2,
      'Text values by key. Keys are made of letters, digits, `-`, `_` and `.`, and may not also appear in `binaryData`; a value that is not valid UTF-8 belongs in `binaryData`.',
    ),
    immutable: Type.Optional(
      Type.Boolean({
        protobuf: 4,
        goPointer: true,
        description:
          'When true, `data` and `binaryData` can no longer change and `immutable` cannot be unset; only metadata may still be updated. Unset by default.',
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `ConfigMap`.' })),
    metadata: objectMeta(1),
  },
  {
    description:
      'Configuration for pods to read as environment variables, command arguments or files in a volume. All values together may take at most 1 MiB.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
  },
);

export const ConfigMapList = listOf({
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  item: 'io.k8s.api.core.v1.ConfigMap',
  description: 'A list of config maps.',
});

export const Secret = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: "API version of this object's schema: `v1`." })),
    data: bytesMap(
      2,
      'The secret values by key, each base64-encoded in JSON and arbitrary bytes. Keys are made of letters, digits, `-`, `_` and `.`; the values together may take at most 1 MiB.',
    ),
    immutable: Type.Optional(
      Type.Boolean({
        protobuf: 5,
        goPointer: true,
        description:
          'When true, `data` can no longer change and `immutable` cannot be unset; only metadata may still be updated. Unset by default.',
      }),
    ),
    kind: Type.Optional(Type.String({ description: 'Object kind: `Secret`.' })),
    metadata: objectMeta(1),
    stringData: textMap(
      4,
      'A convenience for writing: plain-text values that the server copies into `data` (encoded) on create and update, replacing values of the same key. Never stored and never returned.',
    ),
    type: Type.Optional(
      Type.String({
        protobuf: 3,
        description:
          'What the secret holds, which decides the keys it must have: `Opaque` (the default, anything), `kubernetes.io/tls` (`tls.crt`, `tls.key`), `kubernetes.io/dockerconfigjson`, `kubernetes.io/basic-auth`, `kubernetes.io/ssh-auth`, `kubernetes.io/service-account-token`, and others. Cannot change after creation.',
      }),
    ),
  },
  {
    description:
      'Sensitive data such as passwords, tokens or keys, kept apart from pod definitions. The values together may take at most 1 MiB.',
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Secret', version: 'v1' }],
  },
);

export const SecretList = listOf({
  group: '',
  version: 'v1',
  kind: 'Secret',
  item: 'io.k8s.api.core.v1.Secret',
  description: 'A list of secrets.',
});

/** The definitions of this file, keyed by their OpenAPI definition name. */
export const coreV1ConfigDefinitions: Record<string, TSchema> = {
  'io.k8s.api.core.v1.ConfigMap': ConfigMap,
  'io.k8s.api.core.v1.ConfigMapList': ConfigMapList,
  'io.k8s.api.core.v1.Secret': Secret,
  'io.k8s.api.core.v1.SecretList': SecretList,
};
