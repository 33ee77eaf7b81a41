// The codec against upstream's own definitions: for every served message, a message filled by protobufjs from
// ../shared/reference/proto (every field the project serves, random non-zero values) is decoded by our codec,
// encoded again, and read back by protobufjs unchanged; and what our codec writes, protobufjs reads and writes
// back byte for byte. Skips plainly when ../shared/reference is absent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import protobuf from 'protobufjs';
import { definitionsSnapshot } from '../../../openapi/served.js';
import { decodeMessage, encodeMessage, messageOf, type MessageDesc } from '../../../server/protobuf/codec.js';
import { decodeObject, encodeObject } from '../../../server/protobuf/envelope.js';
import { loadReferenceRoot, protoName } from '../../helpers/reference-proto.js';

const root = loadReferenceRoot();
const MISSING = 'skipped: ../shared/reference/proto is absent (the upstream generated.proto files are the oracle here)';

/** A deterministic pseudo-random sequence, so that a failure can be reproduced. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const SPECIAL_VALUES: Record<string, (r: () => number) => Record<string, unknown>> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': (r) => ({ seconds: 1_000_000_000 + Math.floor(r() * 1e9), nanos: 0 }),
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': (r) => ({
    seconds: 1_000_000_000 + Math.floor(r() * 1e9),
    nanos: 1000 * (1 + Math.floor(r() * 999_999)),
  }),
  'k8s.io.apimachinery.pkg.api.resource.Quantity': (r) => ({
    string: ['500m', '128Mi', '2', '1e3', '0.5'][Math.floor(r() * 5)],
  }),
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': (r) =>
    r() < 0.5 ? { type: 0, intVal: 1 + Math.floor(r() * 1000) } : { type: 1, strVal: `${Math.floor(r() * 100)}%` },
  'k8s.io.apimachinery.pkg.runtime.RawExtension': () => ({
    raw: Buffer.from('{"apiVersion":"v1","kind":"X","spec":{"a":[1,2]}}'),
  }),
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': () => ({ Raw: Buffer.from('{"f:metadata":{"f:labels":{".":{}}}}') }),
};

function scalar(type: string, r: () => number): unknown {
  switch (type) {
    case 'string':
      return `s${Math.floor(r() * 1e6)}`;
    case 'bytes':
      return Buffer.from([1 + Math.floor(r() * 250), 7, 0]);
    case 'int32':
      return (r() < 0.2 ? -1 : 1) * (1 + Math.floor(r() * 2 ** 30));
    case 'int64':
      return (r() < 0.2 ? -1 : 1) * (1 + Math.floor(r() * 2 ** 52));
    case 'bool':
      return true;
    case 'double':
      return 0.5 + r() * 100;
  }
  throw new Error(`unexpected scalar ${type}`);
}

/** A protobufjs message of `type` with every field our codec knows set to a random non-zero value. */
function fill(
  type: protobuf.Type,
  desc: MessageDesc | undefined,
  r: () => number,
  depth: number,
): Record<string, unknown> {
  const special = SPECIAL_VALUES[type.fullName.slice(1)];
  if (special) return special(r);
  const out: Record<string, unknown> = {};
  if (!desc || depth > 12) return out;
  for (const field of type.fieldsArray) {
    const ours = desc.byNo.get(field.id);
    if (!ours) continue; // an upstream field the project does not serve (yet)
    const value = (): unknown => {
      if (field.resolvedType instanceof protobuf.Type) {
        const sub = ours.inline ?? (ours.value.kind === 'message' ? messageOf(ours.value.def) : undefined);
        return fill(field.resolvedType, sub, r, depth + 1);
      }
      return scalar(field.type, r);
    };
    if (field instanceof protobuf.MapField) {
      out[field.name] = { a: value(), b: value() };
    } else if (field.repeated) {
      out[field.name] = [value(), value()];
    } else {
      out[field.name] = value();
    }
  }
  return out;
}

const OBJECT_OPTIONS: protobuf.IConversionOptions = { longs: Number, bytes: String, defaults: false };

/** The served definitions with a protobuf form, with their upstream message (ClaimSource has none any more). */
function servedMessages(): { def: string; type: protobuf.Type }[] {
  const out: { def: string; type: protobuf.Type }[] = [];
  for (const def of Object.keys(definitionsSnapshot())) {
    if (!messageOf(def)) continue;
    const type = root!.lookup(protoName(def));
    if (type instanceof protobuf.Type) out.push({ def, type });
  }
  return out;
}

test('every served message: protobufjs → our decoder → our encoder → protobufjs loses nothing', {
  skip: root ? false : MISSING,
}, () => {
  const messages = servedMessages();
  assert.ok(messages.length > 150, `only ${messages.length} served messages found`);
  for (const [i, { def, type }] of messages.entries()) {
    for (let seed = 0; seed < 3; seed++) {
      const original = type.fromObject(fill(type, messageOf(def), rng(i * 7919 + seed), 0));
      const upstreamBytes = type.encode(original).finish();
      const json = decodeMessage(def, upstreamBytes);
      const ourBytes = encodeMessage(def, json);
      const back = type.toObject(type.decode(ourBytes), OBJECT_OPTIONS);
      assert.deepEqual(
        back,
        type.toObject(original, OBJECT_OPTIONS),
        `${def} (seed ${seed}) changed through our codec`,
      );
      // our bytes are what upstream's own encoder writes for the same message
      assert.deepEqual(
        Buffer.from(type.encode(type.decode(ourBytes)).finish()),
        Buffer.from(ourBytes),
        `${def}: protobufjs re-encodes our bytes differently`,
      );
    }
  }
});

test('a Pod as kubectl would send it: envelope, special types and zero values', {
  skip: root ? false : MISSING,
}, () => {
  const Pod = root!.lookupType('k8s.io.api.core.v1.Pod');
  const Unknown = root!.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'default',
      labels: { app: 'web', tier: 'front' },
      creationTimestamp: '2024-05-01T12:00:00Z',
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2024-05-01T12:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': {} } },
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { limits: { cpu: '500m', memory: '128Mi' } },
          livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
          readinessProbe: { tcpSocket: { port: 8080 } },
          env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'a' } } }],
        },
      ],
      volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
      hostNetwork: true,
    },
    status: {
      phase: 'Running',
      startTime: '2024-05-01T12:00:01Z',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T12:00:02Z' }],
    },
  };
  const bytes = encodeObject(pod);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x6b, 0x38, 0x73, 0x00]);
  const unknown = Unknown.toObject(Unknown.decode(bytes.subarray(4)), OBJECT_OPTIONS) as {
    typeMeta: unknown;
    raw: string;
  };
  assert.deepEqual(unknown.typeMeta, { apiVersion: 'v1', kind: 'Pod' });
  const upstream = Pod.toObject(Pod.decode(Buffer.from(unknown.raw, 'base64')), OBJECT_OPTIONS) as any;
  assert.deepEqual(upstream.metadata.creationTimestamp, { seconds: 1714564800, nanos: 0 });
  assert.deepEqual(upstream.spec.containers[0].resources.limits.cpu, { string: '500m' });
  assert.deepEqual(upstream.spec.containers[0].livenessProbe.handler.httpGet.port, { type: 1, strVal: 'http' });
  assert.deepEqual(upstream.spec.containers[0].readinessProbe.handler.tcpSocket.port, { type: 0, intVal: 8080 });
  assert.equal(upstream.spec.containers[0].env[0].valueFrom.configMapKeyRef.localObjectReference.name, 'cm');
  assert.equal(upstream.spec.volumes[0].volumeSource.emptyDir.sizeLimit.string, '1Gi');
  assert.equal(
    Buffer.from(upstream.metadata.managedFields[0].fieldsV1.Raw, 'base64').toString(),
    '{"f:metadata":{"f:labels":{}}}',
  );
  assert.deepEqual(decodeObject(bytes).object, pod);

  // What Go writes for a Pod built in code: every non-pointer scalar, zero or not, and empty Times.
  const fromGo = Pod.encode(
    Pod.fromObject({
      metadata: {
        name: 'x',
        generateName: '',
        namespace: '',
        uid: '',
        resourceVersion: '',
        generation: 0,
        creationTimestamp: {},
      },
      spec: {
        containers: [{ name: 'c', image: 'i', stdin: false, tty: false }],
        hostNetwork: false,
        terminationGracePeriodSeconds: 0,
        restartPolicy: '',
      },
      status: {},
    }),
  ).finish();
  const envelope = Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    Unknown.encode({ typeMeta: { apiVersion: 'v1', kind: 'Pod' }, raw: fromGo }).finish(),
  ]);
  assert.deepEqual(decodeObject(envelope).object, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x', creationTimestamp: null },
    // terminationGracePeriodSeconds is a pointer in Go: an explicit 0 means "now"
    spec: { containers: [{ name: 'c', image: 'i' }], terminationGracePeriodSeconds: 0 },
    status: {},
  });
});
