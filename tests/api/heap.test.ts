/**
 * The API server process bounds its V8 heap (cli/heap.ts): after a burst of creates its young generation is at
 * most two 8 MB semi-spaces (V8's default grows it to two of 16 MB, which stay resident), as `/metrics` reports it;
 * and the V8 flags it and the controller manager set do not make their code caches (written by the build as each
 * exits) unusable.
 */
import { existsSync, readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { Api } from '../helpers/http.js';
import { REPO_ROOT } from '../helpers/paths.js';
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

  // Both processes set V8 heap flags on themselves (cli/heap.ts) while running, and the build writes each one's code
  // cache as it exits: the flags are back to V8's defaults by then, or V8 would reject the cache at every start.
  for (const [what, dir] of [
    ['the API server', 'server'],
    ['the controller manager', 'controllers'],
  ] as const) {
    it(`leaves a code cache of ${what} that the next start accepts`, (t) => {
      const bundle = join(REPO_ROOT, 'dist', dir, 'main.cjs');
      if (!existsSync(`${bundle}.cache`)) return t.skip('no code cache (the build had no esbuild)');
      // compiled as dist/<dir>/main.js compiles it: V8 rejects a cache made under other flags
      const source = readFileSync(bundle, 'latin1').replace(/^#!.*/, '');
      const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
        filename: bundle,
        cachedData: readFileSync(`${bundle}.cache`),
      });
      assert.equal(script.cachedDataRejected, false);
    });
  }
});
