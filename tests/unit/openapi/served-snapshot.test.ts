/**
 * The server publishes and validates with the JSON snapshot of the TypeBox definitions that `npm run build` writes
 * (openapi/served.ts), so that it never loads TypeBox at start. The snapshot must say exactly what the sources say.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toOpenAPIDefinitions } from '../../../openapi/schemas/index.js';
import { convertDefinitions } from '../../../openapi/convert.js';
import { definitionsSnapshot, servedDefinitions } from '../../../openapi/served.js';

describe('served definitions snapshot', () => {
  for (const style of ['v2', 'v3'] as const) {
    it(`${style}: the snapshot gives the definitions of the TypeBox sources (else run \`npm run build\`)`, () => {
      assert.deepEqual(servedDefinitions(style), toOpenAPIDefinitions(style));
    });
  }

  for (const style of ['v2', 'v3'] as const) {
    it(`${style}: the definitions converted at build time are the snapshot's converted now, key for key in order`, () => {
      const now = convertDefinitions(definitionsSnapshot(), style);
      assert.equal(JSON.stringify(servedDefinitions(style)), JSON.stringify(now));
    });
  }

  it('each call returns fresh objects', () => {
    const a = servedDefinitions('v2') as Record<string, { properties?: object }>;
    const b = servedDefinitions('v2') as Record<string, { properties?: object }>;
    assert.notEqual(a['io.k8s.api.core.v1.Pod'], b['io.k8s.api.core.v1.Pod']);
  });
});
