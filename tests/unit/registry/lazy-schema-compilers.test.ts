/** Fastify's schema compilers are loaded on first use (server/app.ts), and still validate and serialize then. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { lazySchemaCompilers } from '../../../server/app.js';

describe('lazySchemaCompilers', () => {
  it('a route that declares schemas gets Ajv validation and fast-json-stringify serialization', async () => {
    const app = Fastify({ schemaController: lazySchemaCompilers() });
    app.get(
      '/q',
      {
        schema: {
          querystring: { type: 'object', properties: { limit: { type: 'integer' } }, required: ['limit'] },
          response: { 200: { type: 'object', properties: { limit: { type: 'integer' } } } },
        },
      },
      async (req) => ({ limit: (req.query as { limit: number }).limit, dropped: true }),
    );
    try {
      const ok = await app.inject({ method: 'GET', url: '/q?limit=5' });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { limit: 5 }, 'coerced by Ajv; undeclared field dropped by the serializer');
      const bad = await app.inject({ method: 'GET', url: '/q?limit=x' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /querystring\/limit must be integer/);
    } finally {
      await app.close();
    }
  });
});
