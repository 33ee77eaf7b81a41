/**
 * Graceful shutdown: SIGTERM in the middle of concurrent writes. The API server stops accepting, answers the writes
 * in flight, ends watches with a clean end of stream, flushes the store and exits 0 within a few seconds. After a
 * restart every write the client saw acknowledged is stored and every write the client saw fail is not: no
 * "failed but stored". `npm start` (the launcher) stops both processes as quickly.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { startCluster } from '../helpers/cluster.js';
import { Api } from '../helpers/http.js';

const LOOPS = 12;

describe('graceful shutdown', () => {
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const s of servers) {
      await s.kill();
      s.cleanup();
    }
  });

  it('SIGTERM during concurrent writes: acknowledged writes are stored, failed ones are not, exit 0 quickly', async () => {
    const first = await startServerProcess();
    servers.push(first);
    const cm = '/api/v1/namespaces/default/configmaps';

    // a watch open at shutdown must end cleanly (end of stream, no reset)
    const watch = await fetch(`${first.url}${cm}?watch=true`);
    const watchEnded = (async () => {
      const reader = watch.body!.getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) return 'clean';
      }
    })().catch((err: Error) => `error: ${err.message}`);

    const acked = new Set<string>();
    const failed = new Set<string>();
    let stop = false;
    let sent = 0;
    const loop = async (l: number) => {
      for (let i = 0; !stop; i++) {
        const name = `w-${l}-${i}`;
        sent++;
        try {
          const res = await fetch(`${first.url}${cm}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ metadata: { name }, data: { i: String(i) } }),
          });
          await res.text();
          if (res.status === 201) acked.add(name);
          else failed.add(name);
        } catch {
          failed.add(name);
          return; // the server is gone for this client
        }
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, l) => loop(l));
    while (acked.size < 300) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    const code = await first.stop();
    const tookMs = Date.now() - t0;
    stop = true;
    await Promise.all(loops);
    assert.equal(code, 0, first.output().slice(-2000));
    assert.ok(tookMs < 4000, `the server took ${tookMs} ms to stop`);
    assert.equal(await watchEnded, 'clean');
    assert.ok(failed.size > 0, 'some writes were refused once the server stopped');

    const second = await startServerProcess({ dataDir: first.dataDir });
    servers.push(second);
    const list = await new Api(second.url).expect(200, 'GET', cm);
    const stored = new Set<string>(list.items.map((o: any) => o.metadata.name));
    const lost = [...acked].filter((n) => !stored.has(n));
    const failedButStored = [...failed].filter((n) => stored.has(n));
    assert.deepEqual(lost, [], 'acknowledged writes lost');
    assert.deepEqual(failedButStored, [], 'writes the client saw fail were stored');
    assert.equal(acked.size + failed.size, sent);
  });

  it('npm start stops the API server and the controller manager on SIGTERM within a few seconds, exit 0', async () => {
    const cluster = await startCluster({ nodes: 1 });
    const managerPid = cluster.controllerManagerPid();
    assert.ok(managerPid, 'the controller manager runs');
    const t0 = Date.now();
    cluster.proc.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => cluster.proc.once('exit', (c) => resolve(c)));
    const tookMs = Date.now() - t0;
    assert.equal(code, 0, cluster.output().slice(-2000));
    assert.ok(tookMs < 8000, `npm start took ${tookMs} ms to stop`);
    assert.throws(() => process.kill(managerPid!, 0), 'the controller manager is gone');
    await cluster.stop();
  });
});
