// The API schemas this server publishes, as TypeBox schemas keyed by their upstream OpenAPI definition names.
//
// Conventions of the TypeBox source (the served documents are produced from it by toOpenAPIDefinitions):
// - a reference to another definition is `Type.Ref('<definition name>')`, resolved against `definitions`
//   (e.g. `Value.Check(definitions, Type.Ref('io.k8s.api.core.v1.Pod'), pod)`);
// - a map is `Type.Record(Type.String(), V)` (served as `additionalProperties: V`);
// - an object without declared properties (FieldsV1, RawExtension, Patch) is free-form;
// - IntOrString and Quantity are unions of their JSON types (served as `type: string` in v2, `oneOf` in v3);
// - Kubernetes extensions (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`, `x-kubernetes-list-type`,
//   `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`, `x-kubernetes-group-version-kind`, `x-kubernetes-unions`)
//   sit on the schema they apply to, exactly as in the upstream documents.
import type { TSchema } from 'typebox';
import { appsV1Definitions } from './apps-v1.js';
import { coordinationV1Definitions } from './coordination-v1.js';
import { coreV1ContainerDefinitions } from './core-v1-container.js';
import { coreV1NodeDefinitions } from './core-v1-node.js';
import { coreV1OtherDefinitions } from './core-v1-other.js';
import { coreV1PodDefinitions } from './core-v1-pod.js';
import { coreV1SchedulingDefinitions } from './core-v1-scheduling.js';
import { coreV1SecurityDefinitions } from './core-v1-security.js';
import { coreV1VolumePluginDefinitions } from './core-v1-volume-plugins.js';
import { coreV1VolumeDefinitions } from './core-v1-volumes.js';
import { extensionsV1beta1Definitions } from './extensions-v1beta1.js';
import { metaDefinitions } from './meta.js';

/** Every served definition, keyed by its OpenAPI definition name (e.g. `io.k8s.api.core.v1.Pod`). */
export const definitions: Record<string, TSchema> = {
  ...metaDefinitions,
  ...coreV1PodDefinitions,
  ...coreV1ContainerDefinitions,
  ...coreV1SecurityDefinitions,
  ...coreV1SchedulingDefinitions,
  ...coreV1VolumeDefinitions,
  ...coreV1VolumePluginDefinitions,
  ...coreV1NodeDefinitions,
  ...coreV1OtherDefinitions,
  ...appsV1Definitions,
  ...extensionsV1beta1Definitions,
  ...coordinationV1Definitions,
};

/** A kind the server serves, with the names of the definitions of the object and of its list. */
export interface KindDefinition {
  /** API group; `''` for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Definition name of the object, a key of {@link definitions}. */
  definition: string;
  /** Definition name of the list, a key of {@link definitions}. */
  listDefinition: string;
}

function kindDefinition(group: string, version: string, kind: string, prefix: string): KindDefinition {
  return { group, version, kind, definition: `${prefix}.${kind}`, listDefinition: `${prefix}.${kind}List` };
}

/** The served kinds. */
export const kindDefinitions: readonly KindDefinition[] = [
  kindDefinition('', 'v1', 'Pod', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Node', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Namespace', 'io.k8s.api.core.v1'),
  kindDefinition('', 'v1', 'Event', 'io.k8s.api.core.v1'),
  kindDefinition('apps', 'v1', 'DaemonSet', 'io.k8s.api.apps.v1'),
  kindDefinition('apps', 'v1', 'ControllerRevision', 'io.k8s.api.apps.v1'),
  kindDefinition('extensions', 'v1beta1', 'DaemonSet', 'io.k8s.api.extensions.v1beta1'),
  kindDefinition('coordination.k8s.io', 'v1', 'Lease', 'io.k8s.api.coordination.v1'),
];

/** The kind entry for a group/version/kind, if it is served. */
export function findKindDefinition(group: string, version: string, kind: string): KindDefinition | undefined {
  return kindDefinitions.find((k) => k.group === group && k.version === version && k.kind === kind);
}

export type OpenAPIStyle = 'v2' | 'v3';

/** The JSON reference to a definition in a served document: `#/definitions/<name>` (v2) or `#/components/schemas/<name>` (v3). */
export function openAPIRef(style: OpenAPIStyle, name: string): string {
  return style === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The key TypeBox gives `Type.Record(Type.String(), V)`. */
const ANY_KEY_PATTERN = '^.*$';
const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of plain data with keys sorted, leaving out TypeBox's internal `~` keys and symbol keys. */
function plain(value: unknown): Json {
  if (Array.isArray(value)) return value.map(plain);
  if (!isObject(value)) return value as Json;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    if (key.startsWith('~') || value[key] === undefined) continue;
    out[key] = plain(value[key]);
  }
  return out;
}

function convertSchema(schema: unknown, style: OpenAPIStyle): JsonObject {
  if (!isObject(schema)) throw new TypeError(`not a schema: ${JSON.stringify(schema)}`);
  const out: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key];
    if (key.startsWith('~') || value === undefined) continue;
    switch (key) {
      case '$ref':
        out.$ref = String(value).startsWith('#') ? String(value) : openAPIRef(style, String(value));
        break;
      case 'properties': {
        const props: JsonObject = {};
        for (const name of Object.keys(value as object).sort()) {
          props[name] = convertSchema((value as Record<string, unknown>)[name], style);
        }
        if (Object.keys(props).length > 0) out.properties = props;
        break;
      }
      case 'required':
        if (Array.isArray(value) && value.length > 0) out.required = plain(value);
        break;
      case 'items':
        out.items = convertSchema(value, style);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : convertSchema(value, style);
        break;
      case 'patternProperties': {
        const patterns = value as Record<string, unknown>;
        const keys = Object.keys(patterns);
        if (keys.length === 1 && keys[0] === ANY_KEY_PATTERN) {
          out.additionalProperties = convertSchema(patterns[ANY_KEY_PATTERN], style);
        } else {
          const converted: JsonObject = {};
          for (const k of keys) converted[k] = convertSchema(patterns[k], style);
          out.patternProperties = converted;
        }
        break;
      }
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        out[key] = (value as unknown[]).map((s) => convertSchema(s, style));
        break;
      default:
        out[key] = plain(value);
    }
  }

  // A choice between scalar JSON types (IntOrString, Quantity): Swagger 2.0 cannot express it and Kubernetes
  // publishes such values as strings there; OpenAPI 3 lists the alternatives with oneOf.
  const choice = out.anyOf;
  if (
    Array.isArray(choice) &&
    choice.every((s) => isObject(s) && Object.keys(s).length === 1 && SCALAR_TYPES.has(String(s.type)))
  ) {
    delete out.anyOf;
    if (style === 'v2') out.type = 'string';
    else out.oneOf = choice;
  }

  // OpenAPI 3.0 ignores the siblings of a $ref, so Kubernetes wraps a described reference as allOf: [{$ref}].
  if (style === 'v3' && typeof out.$ref === 'string' && Object.keys(out).length > 1) {
    const { $ref, ...rest } = out;
    return plain({ ...rest, allOf: [{ $ref }] }) as JsonObject;
  }
  return plain(out) as JsonObject;
}

/**
 * The served definitions as plain JSON schema objects, ready to be placed under `definitions` of a Swagger 2.0
 * document (`'v2'`) or under `components.schemas` of an OpenAPI 3 document (`'v3'`). References point into that
 * section, and nothing TypeBox-specific remains. Keys are sorted, as in the Kubernetes documents. Each call returns
 * fresh objects.
 */
export function toOpenAPIDefinitions(style: OpenAPIStyle): Record<string, object> {
  const out: Record<string, object> = {};
  for (const name of Object.keys(definitions).sort()) out[name] = convertSchema(definitions[name], style);
  return out;
}
