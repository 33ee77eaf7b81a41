// The Swagger 2.0 document in the protobuf form kubectl 1.20–1.28 fetch from `/openapi/v2`
// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's `openapi.v2.Document`.
//
// The schema below is written for this project: it declares only the messages and fields our documents use, with
// gnostic's message names, field names and field numbers, so the bytes decode with gnostic's full descriptor. Vendor
// extensions (`x-kubernetes-*`) and free-form values (default, enum, example) travel as `Any.yaml`: YAML text.
import { yaml } from '../apimachinery/yaml.js';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';

/** protobufjs, loaded on first use: only kubectl's protobuf form of `/openapi/v2` needs it (~20 ms of a start). */
const requireCJS = createRequire(import.meta.url);

/** The media type kubectl asks for (`Accept`) to get the protobuf form. */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * The Content-Type kube-apiserver answers the protobuf form with: the same type spelled with `.` for `@`, which is
 * no token character. client-go parses the Content-Type of every response (Go's mime.ParseMediaType) and fails with
 * "mime: unexpected content after media subtype" on the `@` spelling.
 */
export const OPENAPI_V2_PROTOBUF_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** The protobuf schema of `openapi.v2.Document`, reduced to what the server emits; wire-compatible with gnostic's. */
export const OPENAPI_V2_PROTO = `
syntax = "proto3";
package openapi.v2;

message Document {
  string swagger = 1;
  Info info = 2;
  string host = 3;
  string base_path = 4;
  repeated string schemes = 5;
  repeated string consumes = 6;
  repeated string produces = 7;
  Paths paths = 8;
  Definitions definitions = 9;
  repeated SecurityRequirement security = 12;
  SecurityDefinitions security_definitions = 13;
  repeated NamedAny vendor_extension = 16;
}

message Info {
  string title = 1;
  string version = 2;
  string description = 3;
  repeated NamedAny vendor_extension = 7;
}

message Paths {
  repeated NamedAny vendor_extension = 1;
  repeated NamedPathItem path = 2;
}
message NamedPathItem { string name = 1; PathItem value = 2; }

message PathItem {
  string _ref = 1;
  Operation get = 2;
  Operation put = 3;
  Operation post = 4;
  Operation delete = 5;
  Operation options = 6;
  Operation head = 7;
  Operation patch = 8;
  repeated ParametersItem parameters = 9;
  repeated NamedAny vendor_extension = 10;
}

message Operation {
  repeated string tags = 1;
  string summary = 2;
  string description = 3;
  string operation_id = 5;
  repeated string produces = 6;
  repeated string consumes = 7;
  repeated ParametersItem parameters = 8;
  Responses responses = 9;
  repeated string schemes = 10;
  bool deprecated = 11;
  repeated SecurityRequirement security = 12;
  repeated NamedAny vendor_extension = 13;
}

message ParametersItem {
  oneof oneof { Parameter parameter = 1; JsonReference json_reference = 2; }
}
message JsonReference { string _ref = 1; string description = 2; }
message Parameter {
  oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; }
}
message BodyParameter {
  string description = 1;
  string name = 2;
  string in = 3;
  bool required = 4;
  Schema schema = 5;
  repeated NamedAny vendor_extension = 6;
}
message NonBodyParameter {
  oneof oneof {
    HeaderParameterSubSchema header_parameter_sub_schema = 1;
    QueryParameterSubSchema query_parameter_sub_schema = 3;
    PathParameterSubSchema path_parameter_sub_schema = 4;
  }
}
message HeaderParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  string type = 5;
  string format = 6;
  bool unique_items = 19;
  repeated NamedAny vendor_extension = 22;
}
message QueryParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  bool allow_empty_value = 5;
  string type = 6;
  string format = 7;
  bool unique_items = 20;
  repeated NamedAny vendor_extension = 23;
}
message PathParameterSubSchema {
  bool required = 1;
  string in = 2;
  string description = 3;
  string name = 4;
  string type = 5;
  string format = 6;
  bool unique_items = 19;
  repeated NamedAny vendor_extension = 22;
}

message Responses {
  repeated NamedResponseValue response_code = 1;
  repeated NamedAny vendor_extension = 2;
}
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message ResponseValue {
  oneof oneof { Response response = 1; JsonReference json_reference = 2; }
}
message Response {
  string description = 1;
  SchemaItem schema = 2;
  repeated NamedAny vendor_extension = 5;
}
message SchemaItem {
  oneof oneof { Schema schema = 1; }
}

message Definitions { repeated NamedSchema additional_properties = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }

message Schema {
  string _ref = 1;
  string format = 2;
  string title = 3;
  string description = 4;
  Any default = 5;
  double multiple_of = 6;
  double maximum = 7;
  bool exclusive_maximum = 8;
  double minimum = 9;
  bool exclusive_minimum = 10;
  int64 max_length = 11;
  int64 min_length = 12;
  string pattern = 13;
  int64 max_items = 14;
  int64 min_items = 15;
  bool unique_items = 16;
  int64 max_properties = 17;
  int64 min_properties = 18;
  repeated string required = 19;
  repeated Any enum = 20;
  AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22;
  ItemsItem items = 23;
  repeated Schema all_of = 24;
  Properties properties = 25;
  string discriminator = 26;
  bool read_only = 27;
  Any example = 30;
  repeated NamedAny vendor_extension = 31;
}
message AdditionalPropertiesItem {
  oneof oneof { Schema schema = 1; bool boolean = 2; }
}
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }

message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }

message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
message NamedStringArray { string name = 1; StringArray value = 2; }
message StringArray { repeated string value = 1; }
message SecurityDefinitions { repeated NamedSecurityDefinitionsItem additional_properties = 1; }
message NamedSecurityDefinitionsItem { string name = 1; SecurityDefinitionsItem value = 2; }
message SecurityDefinitionsItem {
  oneof oneof { ApiKeySecurity api_key_security = 2; }
}
message ApiKeySecurity {
  string type = 1;
  string name = 2;
  string in = 3;
  string description = 4;
  repeated NamedAny vendor_extension = 5;
}
`;

let documentType: protobuf.Type | undefined;

/** The `openapi.v2.Document` message type (parsed once). */
export function openAPIv2DocumentType(): protobuf.Type {
  documentType ??= (requireCJS('protobufjs') as typeof protobuf)
    .parse(OPENAPI_V2_PROTO, { keepCase: true })
    .root.lookupType('openapi.v2.Document');
  return documentType;
}

type J = Record<string, unknown>;
type Msg = Record<string, unknown>;

function isObject(v: unknown): v is J {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as gnostic's `Any`: its YAML text. */
function anyOf(value: unknown): Msg {
  return { yaml: yaml().stringify(value, { lineWidth: 0 }) };
}

/** The `x-` keys of a JSON object, as `NamedAny` vendor extensions in key order. */
function extensions(obj: J): Msg[] {
  return Object.keys(obj)
    .filter((k) => k.startsWith('x-'))
    .map((k) => ({ name: k, value: anyOf(obj[k]) }));
}

function setIf(out: Msg, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

const SCHEMA_SCALARS: Record<string, string> = {
  format: 'format',
  title: 'title',
  description: 'description',
  multipleOf: 'multiple_of',
  maximum: 'maximum',
  exclusiveMaximum: 'exclusive_maximum',
  minimum: 'minimum',
  exclusiveMinimum: 'exclusive_minimum',
  maxLength: 'max_length',
  minLength: 'min_length',
  pattern: 'pattern',
  maxItems: 'max_items',
  minItems: 'min_items',
  uniqueItems: 'unique_items',
  maxProperties: 'max_properties',
  minProperties: 'min_properties',
  discriminator: 'discriminator',
  readOnly: 'read_only',
};

/** A Swagger 2.0 schema as an `openapi.v2.Schema` message. Throws on a keyword the message cannot carry. */
function schemaMsg(s: J): Msg {
  const out: Msg = {};
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-')) continue;
    if (key in SCHEMA_SCALARS) {
      out[SCHEMA_SCALARS[key]!] = value;
      continue;
    }
    switch (key) {
      case '$ref':
        out._ref = value;
        break;
      case 'type':
        out.type = { value: Array.isArray(value) ? value : [value] };
        break;
      case 'required':
        out.required = value;
        break;
      case 'default':
        out.default = anyOf(value);
        break;
      case 'example':
        out.example = anyOf(value);
        break;
      case 'enum':
        out.enum = (value as unknown[]).map(anyOf);
        break;
      case 'items':
        out.items = { schema: (Array.isArray(value) ? value : [value]).map((v) => schemaMsg(v as J)) };
        break;
      case 'allOf':
        out.all_of = (value as J[]).map(schemaMsg);
        break;
      case 'properties':
        out.properties = {
          additional_properties: Object.entries(value as J).map(([name, v]) => ({ name, value: schemaMsg(v as J) })),
        };
        break;
      case 'additionalProperties':
        out.additional_properties = typeof value === 'boolean' ? { boolean: value } : { schema: schemaMsg(value as J) };
        break;
      default:
        throw new Error(`openapi v2 protobuf: schema keyword ${JSON.stringify(key)} has no gnostic field`);
    }
  }
  const ext = extensions(s);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

function parameterMsg(p: J): Msg {
  if (typeof p.$ref === 'string') return { json_reference: { _ref: p.$ref } };
  if (p.in === 'body') {
    const body: Msg = { name: p.name, in: p.in };
    setIf(body, 'description', p.description);
    setIf(body, 'required', p.required);
    if (isObject(p.schema)) body.schema = schemaMsg(p.schema);
    return { parameter: { body_parameter: body } };
  }
  const sub: Msg = { name: p.name, in: p.in };
  for (const [from, to] of [
    ['required', 'required'],
    ['description', 'description'],
    ['type', 'type'],
    ['format', 'format'],
    ['uniqueItems', 'unique_items'],
  ]) {
    setIf(sub, to!, p[from!]);
  }
  const ext = extensions(p);
  if (ext.length) sub.vendor_extension = ext;
  const which = {
    query: 'query_parameter_sub_schema',
    path: 'path_parameter_sub_schema',
    header: 'header_parameter_sub_schema',
  }[String(p.in)];
  if (!which) throw new Error(`openapi v2 protobuf: parameters in ${JSON.stringify(p.in)} are not supported`);
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

function operationMsg(o: J): Msg {
  const out: Msg = {};
  setIf(out, 'tags', o.tags);
  setIf(out, 'summary', o.summary);
  setIf(out, 'description', o.description);
  setIf(out, 'operation_id', o.operationId);
  setIf(out, 'produces', o.produces);
  setIf(out, 'consumes', o.consumes);
  setIf(out, 'schemes', o.schemes);
  setIf(out, 'deprecated', o.deprecated);
  if (Array.isArray(o.parameters)) out.parameters = (o.parameters as J[]).map(parameterMsg);
  if (isObject(o.responses)) {
    out.responses = {
      response_code: Object.entries(o.responses).map(([name, r]) => {
        const resp = r as J;
        if (typeof resp.$ref === 'string') return { name, value: { json_reference: { _ref: resp.$ref } } };
        const msg: Msg = { description: resp.description ?? '' };
        if (isObject(resp.schema)) msg.schema = { schema: schemaMsg(resp.schema) };
        return { name, value: { response: msg } };
      }),
    };
  }
  const ext = extensions(o);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

function pathItemMsg(p: J): Msg {
  const out: Msg = {};
  for (const m of METHODS) if (isObject(p[m])) out[m] = operationMsg(p[m] as J);
  if (Array.isArray(p.parameters)) out.parameters = (p.parameters as J[]).map(parameterMsg);
  const ext = extensions(p);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

/** A Swagger 2.0 document (JSON form) as the plain `openapi.v2.Document` message object protobufjs encodes. */
export function toGnosticDocument(doc: J): Msg {
  const info = (doc.info ?? {}) as J;
  const out: Msg = {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
  };
  setIf(out, 'host', doc.host);
  setIf(out, 'base_path', doc.basePath);
  setIf(out, 'schemes', doc.schemes);
  setIf(out, 'consumes', doc.consumes);
  setIf(out, 'produces', doc.produces);
  if (isObject(doc.paths)) {
    out.paths = { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMsg(item as J) })) };
  }
  if (isObject(doc.definitions)) {
    out.definitions = {
      additional_properties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schemaMsg(s as J) })),
    };
  }
  if (Array.isArray(doc.security)) {
    out.security = (doc.security as J[]).map((req) => ({
      additional_properties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: scopes } })),
    }));
  }
  if (isObject(doc.securityDefinitions)) {
    out.security_definitions = {
      additional_properties: Object.entries(doc.securityDefinitions).map(([name, d]) => {
        const def = d as J;
        if (def.type !== 'apiKey')
          throw new Error(`openapi v2 protobuf: security scheme type ${JSON.stringify(def.type)} is not supported`);
        return {
          name,
          value: { api_key_security: { type: def.type, name: def.name, in: def.in, description: def.description } },
        };
      }),
    };
  }
  const ext = extensions(doc);
  if (ext.length) out.vendor_extension = ext;
  return out;
}

const encoded = new WeakMap<object, Uint8Array>();

/**
 * The protobuf bytes of a Swagger 2.0 document. The result is cached per document object: documents are built once
 * per server, so the encoding happens once.
 */
export function encodeOpenAPIv2(doc: Record<string, unknown>): Uint8Array {
  let bytes = encoded.get(doc);
  if (!bytes) {
    const type = openAPIv2DocumentType();
    bytes = type.encode(type.fromObject(toGnosticDocument(doc))).finish();
    encoded.set(doc, bytes);
  }
  return bytes;
}

/** The message tree of protobuf bytes (snake_case field names, oneof members as set), for tests and tools. */
export function decodeOpenAPIv2(bytes: Uint8Array): Record<string, unknown> {
  const type = openAPIv2DocumentType();
  return type.toObject(type.decode(bytes), { longs: Number, arrays: false, defaults: false });
}
