// The gnostic protobuf form of the Swagger 2.0 document (openapi/protobuf.ts): decoding what was encoded gives back
// the whole JSON document, vendor extensions travel as YAML, and the wire layout uses gnostic's field numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import YAML from 'yaml';
import { buildOpenAPIv2 } from '../../../openapi/document.js';
import { decodeOpenAPIv2, encodeOpenAPIv2, toGnosticDocument } from '../../../openapi/protobuf.js';
import { defaultResources } from '../../../server/registry/resources/index.js';
import { Registry } from '../../../server/registry/registry.js';
import type { Storage } from '../../../storage/interface.js';

type Obj = Record<string, any>;

// Building documents only reads definitions: the stores are never used, so no storage is opened.
const registry = new Registry({} as Storage, defaultResources());
const doc = buildOpenAPIv2(registry) as Obj;
const bytes = encodeOpenAPIv2(doc);
const decoded = decodeOpenAPIv2(bytes) as Obj;

// --- gnostic message → Swagger JSON, written independently of the encoder -----------------------------------------

function extensionsOf(msg: Obj, field = 'vendor_extension'): Obj {
  return Object.fromEntries((msg[field] ?? []).map((e: Obj) => [e.name, YAML.parse(e.value.yaml)]));
}

const SCALARS: Record<string, string> = {
  format: 'format',
  title: 'title',
  description: 'description',
  multiple_of: 'multipleOf',
  maximum: 'maximum',
  exclusive_maximum: 'exclusiveMaximum',
  minimum: 'minimum',
  exclusive_minimum: 'exclusiveMinimum',
  max_length: 'maxLength',
  min_length: 'minLength',
  pattern: 'pattern',
  max_items: 'maxItems',
  min_items: 'minItems',
  unique_items: 'uniqueItems',
  max_properties: 'maxProperties',
  min_properties: 'minProperties',
  discriminator: 'discriminator',
  read_only: 'readOnly',
  required: 'required',
};

function schemaJSON(m: Obj): Obj {
  const out: Obj = {};
  if (m._ref) out.$ref = m._ref;
  for (const [from, to] of Object.entries(SCALARS)) if (m[from] !== undefined) out[to] = m[from];
  if (m.type) out.type = m.type.value.length === 1 ? m.type.value[0] : m.type.value;
  if (m.default) out.default = YAML.parse(m.default.yaml);
  if (m.example) out.example = YAML.parse(m.example.yaml);
  if (m.enum) out.enum = m.enum.map((a: Obj) => YAML.parse(a.yaml));
  if (m.items) out.items = schemaJSON(m.items.schema[0]);
  if (m.all_of) out.allOf = m.all_of.map(schemaJSON);
  if (m.properties)
    out.properties = Object.fromEntries(
      m.properties.additional_properties.map((p: Obj) => [p.name, schemaJSON(p.value)]),
    );
  if (m.additional_properties) {
    out.additionalProperties = m.additional_properties.schema
      ? schemaJSON(m.additional_properties.schema)
      : m.additional_properties.boolean;
  }
  return { ...out, ...extensionsOf(m) };
}

function parameterJSON(m: Obj): Obj {
  if (m.json_reference) return { $ref: m.json_reference._ref };
  const p = m.parameter;
  if (p.body_parameter) {
    const b = p.body_parameter;
    return {
      in: b.in,
      name: b.name,
      ...(b.required ? { required: true } : {}),
      ...(b.description ? { description: b.description } : {}),
      schema: schemaJSON(b.schema),
    };
  }
  const nb = p.non_body_parameter;
  const sub = nb.query_parameter_sub_schema ?? nb.path_parameter_sub_schema ?? nb.header_parameter_sub_schema;
  const out: Obj = { in: sub.in, name: sub.name, description: sub.description, type: sub.type };
  if (sub.required) out.required = true;
  if (sub.unique_items) out.uniqueItems = true;
  return out;
}

function operationJSON(m: Obj): Obj {
  const out: Obj = {
    tags: m.tags,
    description: m.description,
    operationId: m.operation_id,
    produces: m.produces,
    consumes: m.consumes,
  };
  if (m.parameters) out.parameters = m.parameters.map(parameterJSON);
  out.responses = Object.fromEntries(
    m.responses.response_code.map((r: Obj) => {
      const resp = r.value.response;
      return [
        r.name,
        resp.schema
          ? { description: resp.description, schema: schemaJSON(resp.schema.schema) }
          : { description: resp.description },
      ];
    }),
  );
  return { ...out, ...extensionsOf(m) };
}

function documentJSON(m: Obj): Obj {
  const paths = Object.fromEntries(
    m.paths.path.map((p: Obj) => {
      const item: Obj = {};
      for (const method of ['get', 'put', 'post', 'delete', 'patch'])
        if (p.value[method]) item[method] = operationJSON(p.value[method]);
      if (p.value.parameters) item.parameters = p.value.parameters.map(parameterJSON);
      return [p.name, item];
    }),
  );
  const definitions = Object.fromEntries(
    m.definitions.additional_properties.map((d: Obj) => [d.name, schemaJSON(d.value)]),
  );
  const security = m.security.map((s: Obj) =>
    Object.fromEntries(s.additional_properties.map((a: Obj) => [a.name, a.value.value ?? []])),
  );
  const securityDefinitions = Object.fromEntries(
    m.security_definitions.additional_properties.map((d: Obj) => {
      const k = d.value.api_key_security;
      return [d.name, { type: k.type, name: k.name, in: k.in, description: k.description }];
    }),
  );
  return { swagger: m.swagger, info: m.info, paths, definitions, security, securityDefinitions };
}

describe('OpenAPI v2 protobuf (gnostic openapi.v2.Document)', () => {
  it('decodes to the same document it was encoded from', () => {
    assert.deepEqual(documentJSON(decoded), doc);
  });

  it('keeps key fields: swagger, info, paths, operations, definitions', () => {
    assert.equal(decoded.swagger, '2.0');
    assert.deepEqual(decoded.info, { title: 'Kubernetes', version: 'v1.32.0' });
    assert.deepEqual(
      decoded.paths.path.map((p: Obj) => p.name),
      Object.keys(doc.paths),
    );
    assert.equal(decoded.definitions.additional_properties.length, Object.keys(doc.definitions).length);
    const item = decoded.paths.path.find((p: Obj) => p.name === '/api/v1/namespaces/{namespace}/pods/{name}').value;
    assert.equal(item.patch.operation_id, 'patchCoreV1NamespacedPod');
    assert.deepEqual(item.patch.consumes, doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.consumes);
  });

  it('PATCH operations carry what kubectl 1.27/1.28 check: the GVK extension and the fieldValidation query parameter', () => {
    // As kubectl's supportsQueryParamV2: a patch operation whose GVK matches, with a non-body query parameter named fieldValidation.
    const patches = decoded.paths.path.filter((p: Obj) => p.value.patch).map((p: Obj) => p.value.patch);
    assert.ok(patches.length > 0);
    for (const op of patches) {
      const gvk = op.vendor_extension.find((e: Obj) => e.name === 'x-kubernetes-group-version-kind');
      const parsed = YAML.parse(gvk.value.yaml);
      assert.deepEqual(Object.keys(parsed).sort(), ['group', 'kind', 'version']);
      const names = op.parameters.map((p: Obj) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name);
      assert.ok(names.includes('fieldValidation'), op.operation_id);
    }
  });

  it('vendor extensions are NamedAny values holding YAML text that parses back to the JSON value', () => {
    const pod = decoded.definitions.additional_properties.find((d: Obj) => d.name === 'io.k8s.api.core.v1.Pod').value;
    const gvk = pod.vendor_extension.find((e: Obj) => e.name === 'x-kubernetes-group-version-kind');
    assert.equal(gvk.value.yaml, '- group: ""\n  kind: Pod\n  version: v1\n');
    let checked = 0;
    for (const d of decoded.definitions.additional_properties as Obj[]) {
      const json = doc.definitions[d.name];
      for (const e of d.value.vendor_extension ?? []) {
        assert.deepEqual(YAML.parse(e.value.yaml), json[e.name], `${d.name} ${e.name}`);
        checked++;
      }
    }
    assert.ok(checked >= 20);
    const spec = decoded.definitions.additional_properties.find(
      (d: Obj) => d.name === 'io.k8s.api.core.v1.PodSpec',
    ).value;
    const containers = spec.properties.additional_properties.find((p: Obj) => p.name === 'containers').value;
    assert.deepEqual(extensionsOf(containers), {
      'x-kubernetes-list-map-keys': ['name'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
  });

  it('uses gnostic field numbers on the wire', () => {
    // Top level: swagger = 1, info = 2, paths = 8, definitions = 9, security = 12, security_definitions = 13.
    const reader = protobuf.Reader.create(bytes);
    const fields: number[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      fields.push(tag >>> 3);
      reader.skipType(tag & 7);
    }
    assert.deepEqual(fields, [1, 2, 8, 9, 12, 13]);
    // The first field is the string "2.0" (tag 0x0a, length 3).
    assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 0x03, 0x32, 0x2e, 0x30]);
  });

  it('encodes once per document object', () => {
    assert.equal(encodeOpenAPIv2(doc), bytes);
    const other = buildOpenAPIv2(registry);
    const again = encodeOpenAPIv2(other);
    assert.notEqual(again, bytes);
    assert.deepEqual(Buffer.from(again), Buffer.from(bytes));
  });

  it('refuses a schema keyword the message cannot carry instead of dropping it', () => {
    assert.throws(
      () => toGnosticDocument({ swagger: '2.0', info: {}, definitions: { X: { oneOf: [{ type: 'string' }] } } }),
      /oneOf/,
    );
  });
});
