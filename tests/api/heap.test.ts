/**
 * The API server process bounds its V8 heap (server/heap.ts): after a burst of creates its young generation is at
 * most two 8 MB semi-spaces (V8's default grows it to two of 16 MB, which stay resident), as `/metrics` reports it;
 * and the V8 flags it sets do not make its code cache (written by the build as a server exits) unusable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { Script } from 'node:vm';
import { Api } from '../helpers/http.js';
import { SERVER_MAIN } from '../helpers/paths.js';
import { startServerProcess } from '../helpers/server.js';

describe('API server heap', () => {
  it('keeps the young generation at two 8 MB semi-spaces through a burst of pod creates', async () => {
    const srv = await startServerProcess();
    after(async () => {
      await srv.stop();
      srv.cleanup();
    });
    const api = new Api(srv.url);
    await api.expect(201, 'POST', '/api/v1/namespaces', { body: { metadata: { name: 'burst' } } });
    let next = 0;
    const body = (i: number) => ({
      metadata: { name: `p-${i}`, labels: { app: 'burst', group: `g-${i % 100}` } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.25', resources: { requests: { cpu: '100m' } } }] },
    });
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < 3000) await api.expect(201, 'POST', '/api/v1/namespaces/burst/pods', { body: body(next++) });
      }),
    );
    const metrics = await api.request('GET', '/metrics');
    assert.equal(metrics.status, 200);
    const line = metrics.text.split('\n').find((l) => l.startsWith('nodejs_heap_space_size_total_bytes{space="new"}'));
    assert.ok(line, 'the young generation is reported');
    const bytes = Number(line.split(' ').pop());
    assert.ok(bytes > 0 && bytes <= 16 * 1024 * 1024, `young generation: ${bytes} bytes`);
  });

  it('leaves a code cache that the next start accepts', (t) => {
    const bundle = join(dirname(SERVER_MAIN), 'main.cjs');
    if (!existsSync(`${bundle}.cache`)) return t.skip('no code cache (the build had no esbuild)');
    // compiled as dist/server/main.js compiles it: V8 rejects a cache made under other flags
    const source = readFileSync(bundle, 'latin1').replace(/^#!.*/, '');
    const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
      filename: bundle,
      cachedData: readFileSync(`${bundle}.cache`),
    });
    assert.equal(script.cachedDataRejected, false);
  });
});
