// Holds the protobuf options of the API schemas (`protobuf`, `goPointer`; see the conventions in
// openapi/schemas/index.ts) against the upstream `generated.proto` files in ../shared/reference/proto: every property
// of a served object definition has the field number of the upstream message of the same name, and the protobuf type
// that follows from our schema is upstream's. The `.proto` files are test data only; nothing else reads them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitions } from '../../../openapi/schemas/index.js';
import { DEFINITIONS_SNAPSHOT } from '../../../openapi/served.js';
import { SHARED_DIR } from '../../helpers/paths.js';

type Schema = Record<string, any>;
type Annotation = number | [number, number];

const PROTO_DIR = join(SHARED_DIR, 'reference', 'proto');
const MISSING = `upstream protobuf definitions not found at ${PROTO_DIR}`;

/** Definitions the codec handles by name: they have no numbered properties. */
const SCALAR_LIKE = new Set(
  [
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
    'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Duration',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.runtime.RawExtension',
  ].filter((name) => name in definitions),
);

/**
 * Fields the served 1.30 schema has and the reference protos (newer) no longer do: in Kubernetes 1.31
 * PodResourceClaim.source (message ClaimSource) was replaced by resourceClaimName (3) and resourceClaimTemplateName
 * (4) inlined into PodResourceClaim, and ClaimSource was removed. Numbers and types as in Kubernetes 1.30.
 */
const V130_ONLY: Record<string, Record<string, { number: number; type: string }>> = {
  'io.k8s.api.core.v1.ClaimSource': {
    resourceClaimName: { number: 1, type: 'string' },
    resourceClaimTemplateName: { number: 2, type: 'string' },
  },
  'io.k8s.api.core.v1.PodResourceClaim': { source: { number: 2, type: 'k8s.io.api.core.v1.ClaimSource' } },
};

const TYPE_META = new Set(['apiVersion', 'kind']);
const SCALAR_TYPES = new Set(['string', 'integer', 'boolean', 'number']);
const PROTO_SCALARS = new Set([
  'string',
  'bytes',
  'bool',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'double',
  'float',
]);

// --- a small parser for the generated.proto files --------------------------------------------------------------------

interface ProtoField {
  name: string;
  number: number;
  /** `string`, `repeated int32`, `map<string, k8s.io.api.core.v1.Foo>`, `k8s.io.api.core.v1.Bar` (names are full). */
  type: string;
}
type ProtoMessage = Map<string, ProtoField>;

function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      out += text.slice(i, end + 1);
      i = end + 1;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      i = text.indexOf('*/', i + 2) + 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

function parseProtoFile(text: string, messages: Map<string, ProtoMessage>): void {
  const src = stripComments(text);
  const pkg = /\bpackage\s+([\w.]+)\s*;/.exec(src)?.[1];
  assert.ok(pkg, 'proto file without a package');
  const qualify = (type: string) =>
    PROTO_SCALARS.has(type) ? type : type.startsWith('.') ? type.slice(1) : `${pkg}.${type}`;
  const fieldRe =
    /^\s*(?:(optional|repeated|required)\s+([\w.]+)|map\s*<\s*([\w.]+)\s*,\s*([\w.]+)\s*>)\s+(\w+)\s*=\s*(\d+)\s*(?:\[[^\]]*\])?\s*$/;
  // Walks the braces so that nested messages (none in the generated files today) get their own scope.
  const walk = (from: number, scope: string): number => {
    const re = /\bmessage\s+(\w+)\s*\{|[{}]|;/g;
    re.lastIndex = from;
    let statementStart = from;
    let m: RegExpExecArray | null;
    while ((m = re.exec(src))) {
      if (m[1] !== undefined) {
        const name = `${scope}.${m[1]}`;
        messages.set(name, new Map());
        re.lastIndex = walk(re.lastIndex, name);
        statementStart = re.lastIndex;
      } else if (m[0] === '{') {
        // a block that is not a message (enum, oneof, service): skip it whole
        let depth = 1;
        let i = re.lastIndex;
        for (; depth > 0 && i < src.length; i++) depth += src[i] === '{' ? 1 : src[i] === '}' ? -1 : 0;
        re.lastIndex = i;
        statementStart = i;
      } else if (m[0] === '}') {
        return re.lastIndex;
      } else {
        const statement = src.slice(statementStart, m.index);
        statementStart = re.lastIndex;
        const message = messages.get(scope);
        const f = fieldRe.exec(statement);
        if (!message || !f) continue;
        const type =
          f[3] !== undefined
            ? `map<${qualify(f[3])}, ${qualify(f[4])}>`
            : `${f[1] === 'repeated' ? 'repeated ' : ''}${qualify(f[2])}`;
        message.set(f[5], { name: f[5], number: Number(f[6]), type });
      }
    }
    return src.length;
  };
  walk(0, pkg);
}

function loadProtos(): Map<string, ProtoMessage> | null {
  if (!existsSync(PROTO_DIR)) return null;
  const messages = new Map<string, ProtoMessage>();
  for (const file of readdirSync(PROTO_DIR)
    .filter((f) => f.endsWith('.proto'))
    .sort()) {
    parseProtoFile(readFileSync(join(PROTO_DIR, file), 'utf8'), messages);
  }
  return messages;
}

// --- our side ------------------------------------------------------------------------------------------------------

/** The protobuf message of a definition: `io.k8s.api.core.v1.Pod` → `k8s.io.api.core.v1.Pod`. */
const messageName = (definition: string) => definition.replace(/^io\.k8s\./, 'k8s.io.');

/** The protobuf type that follows from a property schema of ours. */
function protoType(schema: Schema): string {
  if (typeof schema.$ref === 'string') return messageName(schema.$ref);
  switch (schema.type) {
    case 'string':
      return schema.format === 'byte' ? 'bytes' : 'string';
    case 'integer':
      return schema.format === 'int32' || schema.format === 'int64'
        ? schema.format
        : `integer without int32/int64 format`;
    case 'boolean':
      return 'bool';
    case 'number':
      return 'double';
    case 'array':
      return `repeated ${protoType(schema.items)}`;
    case 'object': {
      const patterns = Object.keys(schema.patternProperties ?? {});
      if (patterns.length === 1) return `map<string, ${protoType(schema.patternProperties[patterns[0]])}>`;
      return `object ${JSON.stringify(schema)}`;
    }
    default:
      return `unknown schema ${JSON.stringify(schema)}`;
  }
}

const defs = definitions as Record<string, Schema>;

/**
 * The API packages whose generated.proto is in ../shared/reference/proto. The definitions of other packages
 * (policy, authorization, authentication) are held against upstream's numbers in review-schemas.test.ts.
 */
const REFERENCE_PACKAGES = [
  'io.k8s.api.core.v1.',
  'io.k8s.api.apps.v1.',
  'io.k8s.api.extensions.v1beta1.',
  'io.k8s.api.coordination.v1.',
  'io.k8s.apimachinery.pkg.',
];
const inReference = (name: string) => REFERENCE_PACKAGES.some((p) => name.startsWith(p));
/** Served object definitions with declared properties, the ones the options apply to. */
const objectNames = Object.keys(defs)
  .filter((name) => Object.keys(defs[name].properties ?? {}).length > 0)
  .sort();

function isAnnotation(value: unknown): value is Annotation {
  const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0;
  return positive(value) || (Array.isArray(value) && value.length === 2 && value.every(positive));
}

// --- the checks ----------------------------------------------------------------------------------------------------

describe('protobuf options of the API schemas', () => {
  it('every property has a field number, except apiVersion and kind', () => {
    const missing: string[] = [];
    for (const name of objectNames) {
      for (const [prop, schema] of Object.entries(defs[name].properties as Record<string, Schema>)) {
        if (!isAnnotation(schema.protobuf) && !TYPE_META.has(prop)) missing.push(`${name}.${prop}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('the options are well-formed: a positive number or [outer, inner]; goPointer only as true on numbered scalars', () => {
    const problems: string[] = [];
    for (const name of objectNames) {
      for (const [prop, schema] of Object.entries(defs[name].properties as Record<string, Schema>)) {
        if (schema.protobuf !== undefined && !isAnnotation(schema.protobuf)) {
          problems.push(`${name}.${prop}: protobuf ${JSON.stringify(schema.protobuf)}`);
        }
        if (schema.goPointer === undefined) continue;
        if (schema.goPointer !== true) problems.push(`${name}.${prop}: goPointer ${JSON.stringify(schema.goPointer)}`);
        if (!SCALAR_TYPES.has(schema.type)) problems.push(`${name}.${prop}: goPointer on a ${schema.type ?? '$ref'}`);
        if (schema.protobuf === undefined) problems.push(`${name}.${prop}: goPointer without a field number`);
      }
    }
    // Nothing else carries them: not the definitions themselves, not items or map values.
    for (const name of Object.keys(defs)) {
      const visit = (s: Schema, path: string, isProperty: boolean) => {
        if (!isProperty && (s.protobuf !== undefined || s.goPointer !== undefined))
          problems.push(`${path}: not a property`);
        for (const [prop, sub] of Object.entries((s.properties ?? {}) as Record<string, Schema>))
          visit(sub, `${path}.${prop}`, true);
        if (s.items) visit(s.items, `${path}[]`, false);
        for (const sub of Object.values((s.patternProperties ?? {}) as Record<string, Schema>))
          visit(sub, `${path}{}`, false);
      };
      visit(defs[name], name, false);
    }
    assert.deepEqual(problems, []);
  });

  it('field numbers are unique within each definition, and no number is both a field and a nested message', () => {
    const problems: string[] = [];
    for (const name of objectNames) {
      const seen = new Map<string, string>();
      const plain = new Set<number>();
      const outer = new Set<number>();
      for (const [prop, schema] of Object.entries(defs[name].properties as Record<string, Schema>)) {
        if (!isAnnotation(schema.protobuf)) continue;
        const key = JSON.stringify(schema.protobuf);
        if (seen.has(key)) problems.push(`${name}: ${key} on both ${seen.get(key)} and ${prop}`);
        seen.set(key, prop);
        if (Array.isArray(schema.protobuf)) outer.add(schema.protobuf[0]);
        else plain.add(schema.protobuf);
      }
      for (const n of plain) if (outer.has(n)) problems.push(`${name}: ${n} is a field and a nested message`);
    }
    assert.deepEqual(problems, []);
  });

  it('goPointer marks the fields that are pointers in the upstream Go types (spot checks both ways)', () => {
    const prop = (def: string, p: string) => (defs[def].properties as Record<string, Schema>)[p];
    const pointer = [
      ['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'gracePeriodSeconds'],
      ['io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference', 'controller'],
      ['io.k8s.api.core.v1.PodSpec', 'automountServiceAccountToken'],
      ['io.k8s.api.core.v1.PodSpec', 'enableServiceLinks'],
      ['io.k8s.api.core.v1.PodSpec', 'terminationGracePeriodSeconds'],
      ['io.k8s.api.core.v1.SecurityContext', 'runAsUser'],
      ['io.k8s.api.core.v1.Toleration', 'tolerationSeconds'],
      ['io.k8s.api.apps.v1.DaemonSetSpec', 'revisionHistoryLimit'],
      ['io.k8s.api.coordination.v1.LeaseSpec', 'leaseDurationSeconds'],
    ];
    const plain = [
      ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'generation'],
      ['io.k8s.api.core.v1.PodSpec', 'hostNetwork'],
      ['io.k8s.api.core.v1.Container', 'stdin'],
      ['io.k8s.api.core.v1.ContainerStatus', 'restartCount'],
      ['io.k8s.api.core.v1.Probe', 'periodSeconds'],
      ['io.k8s.api.apps.v1.DaemonSetSpec', 'minReadySeconds'],
      ['io.k8s.api.apps.v1.DaemonSetStatus', 'numberReady'],
    ];
    for (const [def, p] of pointer) assert.equal(prop(def, p).goPointer, true, `${def}.${p}`);
    for (const [def, p] of plain) assert.equal(prop(def, p).goPointer, undefined, `${def}.${p}`);
  });

  it('the JSON snapshot the codec reads keeps the options (else run `npm run build`)', () => {
    const snapshot = JSON.parse(readFileSync(DEFINITIONS_SNAPSHOT, 'utf8')) as Record<string, Schema>;
    const problems: string[] = [];
    for (const name of objectNames) {
      for (const [prop, schema] of Object.entries(defs[name].properties as Record<string, Schema>)) {
        const theirs = snapshot[name]?.properties?.[prop] ?? {};
        for (const key of ['protobuf', 'goPointer']) {
          if (JSON.stringify(theirs[key]) !== JSON.stringify(schema[key])) problems.push(`${name}.${prop}.${key}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('protobuf options: against the upstream generated.proto files', () => {
  const protos = loadProtos();
  if (!protos) {
    it('compares with the upstream protobuf definitions', (t) => {
      t.skip(MISSING);
    });
    return;
  }
  const messages = protos;

  it('parses the reference files', () => {
    assert.ok(messages.size > 100, `${messages.size} messages`);
    assert.deepEqual(messages.get('k8s.io.api.core.v1.PodSpec')?.get('containers'), {
      name: 'containers',
      number: 2,
      type: 'repeated k8s.io.api.core.v1.Container',
    });
    assert.equal(
      messages.get('k8s.io.api.core.v1.ResourceRequirements')?.get('limits')?.type,
      'map<string, k8s.io.apimachinery.pkg.api.resource.Quantity>',
    );
  });

  it('every served definition but the scalar-like ones has an upstream message', () => {
    const missing = Object.keys(defs)
      .filter((name) => inReference(name) && !SCALAR_LIKE.has(name) && !messages.has(messageName(name)))
      // ClaimSource is served in its Kubernetes 1.30 shape; upstream removed the message in 1.31 (see V130_ONLY).
      .filter((name) => name !== 'io.k8s.api.core.v1.ClaimSource');
    assert.deepEqual(missing, []);
  });

  it('the scalar-like definitions have no numbered properties', () => {
    for (const name of SCALAR_LIKE) assert.deepEqual(Object.keys(defs[name].properties ?? {}), [], name);
  });

  it('the 1.30-only fields are gone upstream and their numbers are not reused', () => {
    assert.equal(messages.has('k8s.io.api.core.v1.ClaimSource'), false);
    const claim = messages.get('k8s.io.api.core.v1.PodResourceClaim');
    assert.ok(claim);
    assert.equal(claim.has('source'), false);
    assert.ok(![...claim.values()].some((f) => f.number === 2), 'PodResourceClaim field 2 is reused upstream');
  });

  for (const name of objectNames.filter(inReference)) {
    it(name, () => {
      const problems: string[] = [];
      const message = messages.get(messageName(name));
      const old = V130_ONLY[name] ?? {};
      const properties = defs[name].properties as Record<string, Schema>;
      if (!message && Object.keys(old).length === 0) assert.fail(`no upstream message ${messageName(name)}`);
      for (const [prop, schema] of Object.entries(properties)) {
        const ours = schema.protobuf as Annotation | undefined;
        const expected = (what: string, actual: unknown, upstream: unknown) => {
          if (JSON.stringify(actual) !== JSON.stringify(upstream)) {
            problems.push(`${prop}: ${what} ${JSON.stringify(actual)}, upstream ${JSON.stringify(upstream)}`);
          }
        };
        if (old[prop]) {
          expected('number', ours, old[prop].number);
          expected('type', protoType(schema), old[prop].type);
          continue;
        }
        assert.ok(message);
        if (ours === undefined) {
          // Only TypeMeta's apiVersion and kind, which upstream leaves to the envelope.
          if (!TYPE_META.has(prop) || message.has(prop))
            problems.push(`${prop}: no field number, upstream ${message.get(prop)?.number}`);
          continue;
        }
        if (!Array.isArray(ours)) {
          const field = message.get(prop);
          if (!field) {
            problems.push(`${prop}: upstream has no field ${prop}`);
            continue;
          }
          expected('number', ours, field.number);
          expected('type', protoType(schema), field.type);
          continue;
        }
        // [outer, inner]: a field of a nested message, either of an inlined Go struct (the nested field has the
        // property's name, the outer field is no property of ours) or of a one-field wrapper message (the outer field
        // has the property's name).
        const [outerNumber] = ours;
        const outer = [...message.values()].find((f) => f.number === outerNumber);
        const nested = outer ? messages.get(outer.type) : undefined;
        if (!outer || !nested) {
          problems.push(
            `${prop}: upstream field ${outerNumber} is ${outer ? `a ${outer.type}` : 'missing'}, not a message`,
          );
          continue;
        }
        let inner: ProtoField | undefined;
        if (outer.name === prop) {
          if (nested.size !== 1) problems.push(`${prop}: wrapper ${outer.type} has ${nested.size} fields`);
          inner = [...nested.values()][0];
        } else {
          if (outer.name in properties)
            problems.push(`${prop}: nested in ${outer.name}, which is a property of its own`);
          inner = nested.get(prop);
        }
        if (!inner) {
          problems.push(`${prop}: upstream ${outer.type} has no field ${prop}`);
          continue;
        }
        expected('number', ours, [outer.number, inner.number]);
        expected('type', protoType(schema), inner.type);
      }
      assert.deepEqual(problems, []);
    });
  }
});
