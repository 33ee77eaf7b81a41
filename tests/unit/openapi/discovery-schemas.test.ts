// The discovery.k8s.io/v1 definitions (openapi/schemas/discovery-v1.ts): ../../shared/reference/proto has no copy of
// k8s.io/api/discovery/v1/generated.proto, so its field numbers are written out here as upstream's generated.proto
// declares them (message Endpoint, EndpointConditions, EndpointHints, EndpointPort, EndpointSlice, EndpointSliceList,
// ForZone), with the fields whose Go type is a pointer (discovery/v1 types.go: hostname, nodeName, zone, the three
// conditions and every EndpointPort field). The served documents leave both options out, and the objects the
// EndpointSlice controller writes validate against the schemas.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import Value from 'typebox/value';
import { definitions, toOpenAPIDefinitions } from '../../../openapi/schemas/index.js';
import { decodeObject, encodeObject } from '../../../server/protobuf/envelope.js';

type Schema = Record<string, any>;

const UPSTREAM: Record<string, Record<string, number>> = {
  'io.k8s.api.discovery.v1.EndpointSlice': { metadata: 1, endpoints: 2, ports: 3, addressType: 4 },
  'io.k8s.api.discovery.v1.EndpointSliceList': { metadata: 1, items: 2 },
  'io.k8s.api.discovery.v1.Endpoint': {
    addresses: 1,
    conditions: 2,
    hostname: 3,
    targetRef: 4,
    deprecatedTopology: 5,
    nodeName: 6,
    zone: 7,
    hints: 8,
  },
  'io.k8s.api.discovery.v1.EndpointConditions': { ready: 1, serving: 2, terminating: 3 },
  'io.k8s.api.discovery.v1.EndpointHints': { forZones: 1 },
  'io.k8s.api.discovery.v1.ForZone': { name: 1 },
  'io.k8s.api.discovery.v1.EndpointPort': { name: 1, protocol: 2, port: 3, appProtocol: 4 },
};

const POINTERS: Record<string, string[]> = {
  'io.k8s.api.discovery.v1.Endpoint': ['hostname', 'nodeName', 'zone'],
  'io.k8s.api.discovery.v1.EndpointConditions': ['ready', 'serving', 'terminating'],
  'io.k8s.api.discovery.v1.EndpointPort': ['name', 'protocol', 'port', 'appProtocol'],
};

describe('discovery.k8s.io/v1 schemas', () => {
  for (const [name, fields] of Object.entries(UPSTREAM)) {
    it(`${name}: upstream's protobuf field numbers and Go pointers`, () => {
      const source = definitions[name] as Schema;
      assert.ok(source, `${name} is defined`);
      const numbers: Record<string, number> = {};
      const pointers: string[] = [];
      for (const [prop, schema] of Object.entries(source.properties as Record<string, Schema>)) {
        if (prop === 'apiVersion' || prop === 'kind') {
          assert.equal(schema.protobuf, undefined, `${prop} is type meta, not a field`);
          continue;
        }
        numbers[prop] = schema.protobuf;
        if (schema.goPointer) pointers.push(prop);
      }
      assert.deepEqual(numbers, fields);
      assert.deepEqual(pointers.sort(), [...(POINTERS[name] ?? [])].sort());
    });
  }

  it('the served documents carry neither protobuf nor goPointer', () => {
    for (const style of ['v2', 'v3'] as const) {
      const served = toOpenAPIDefinitions(style) as Record<string, unknown>;
      for (const name of Object.keys(UPSTREAM))
        assert.doesNotMatch(JSON.stringify(served[name]), /"protobuf"|"goPointer"/, `${style} ${name}`);
    }
  });

  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.244.0.2'],
        conditions: { ready: false, serving: true, terminating: true },
        nodeName: 'node-1',
        zone: 'zone-a',
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web', uid: 'u-1' },
      },
    ],
    ports: [{ name: '', protocol: 'TCP', port: 80 }],
  };

  it('validates a slice as the controller writes it, and refuses one without endpoints or address type', () => {
    const check = (v: unknown) => Value.Check(definitions, Type.Ref('io.k8s.api.discovery.v1.EndpointSlice'), v);
    assert.ok(check(slice));
    assert.equal(check({ ...slice, endpoints: undefined }), false);
    assert.equal(check({ ...slice, addressType: undefined }), false);
  });

  it('round-trips through protobuf, keeping false conditions and the empty port name (Go pointers)', () => {
    const back = decodeObject(encodeObject(slice)).object as Schema;
    assert.deepEqual(back.endpoints, slice.endpoints);
    assert.deepEqual(back.ports, slice.ports);
    assert.equal(back.addressType, 'IPv4');
  });
});
