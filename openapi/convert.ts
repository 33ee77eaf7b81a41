// Turns the definitions of ./schemas/ (TypeBox schemas, or the same data read back from JSON) into the
// definitions section of a served OpenAPI document.
import { openAPIRef, type OpenAPIStyle } from './kinds.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Schema options of the TypeBox sources that carry the protobuf layout for the codec (see the conventions in
 * ./schemas/index.ts). They are kept in the JSON snapshot and never served.
 */
const PROTOBUF_KEYS = new Set(['protobuf', 'goPointer']);

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
    if (key.startsWith('~') || value === undefined || PROTOBUF_KEYS.has(key)) continue;
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
 * `definitions` as plain JSON schema objects, ready to be placed under `definitions` of a Swagger 2.0 document
 * (`'v2'`) or under `components.schemas` of an OpenAPI 3 document (`'v3'`). References point into that section,
 * and nothing TypeBox-specific remains. Keys are sorted, as in the Kubernetes documents. Each call returns fresh
 * objects.
 */
export function convertDefinitions(
  definitions: Readonly<Record<string, unknown>>,
  style: OpenAPIStyle,
): Record<string, object> {
  const out: Record<string, object> = {};
  for (const name of Object.keys(definitions).sort()) out[name] = convertSchema(definitions[name], style);
  return out;
}
