/**
 * Large JSON list bodies are written in chunks from reused chunk buffers (server/api/serialize.ts, ListBodyStream):
 * concurrent LISTs, a client that reads slowly or goes away mid-body, lists of different sizes after one another and
 * items larger than a chunk must each get exactly their own bytes, with the headers of a whole body. (A loopback
 * socket buffers tens of MB, so when a chunk is filled again is checked by tests/unit/server/list-body-stream.test.ts.)
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { useInProcessServer } from '../helpers/server.js';
import { podManifest, type Json } from '../helpers/http.js';

const NS = 'list-body';
const PODS = 300;
/** About 8 KB a pod: the list is about 2.7 MB, above the size from which bodies are pooled. */
const filler = (i: number, round: number) => `${round}:${i}:`.padEnd(8000, String.fromCharCode(97 + (i % 26)));
const names = Array.from({ length: PODS }, (_, i) => `p-${String(i).padStart(4, '0')}`);

describe('large list bodies', () => {
  const { api, server } = useInProcessServer({ namespaces: [NS] });
  const base = `/api/v1/namespaces/${NS}/pods`;

  before(async () => {
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < PODS; i += 8)
        await api.expect(201, 'POST', base, {
          body: podManifest(names[i]!, {
            labels: { half: String(i % 2) },
            annotations: { filler: filler(i, 0) },
          }),
        });
    });
    await Promise.all(workers);
  });

  /** Checks a list body: every expected pod once, in order, each with the filler of `round` (by index). */
  function check(list: Json, expected: number[], rounds: Map<number, number>): void {
    assert.equal(list.kind, 'PodList');
    assert.deepEqual(
      list.items.map((p: Json) => p.metadata.name),
      expected.map((i) => names[i]),
    );
    for (const [k, p] of (list.items as Json[]).entries()) {
      const i = expected[k]!;
      assert.equal(p.metadata.annotations.filler, filler(i, rounds.get(i) ?? 0), `${p.metadata.name}'s annotation`);
    }
  }

  const all = names.map((_, i) => i);
  const rounds = new Map<number, number>();

  it('concurrent LISTs each get their own complete body', async () => {
    const lists = await Promise.all(Array.from({ length: 6 }, () => api.expect(200, 'GET', base)));
    for (const list of lists) check(list, all, rounds);
  });

  it('a LIST read slowly keeps its bytes while other LISTs are served', async () => {
    const url = new URL(server().url);
    const chunks: Buffer[] = [];
    let resume!: () => void;
    const slow = new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: base }, (res) => {
        res.once('data', (c: Buffer) => {
          chunks.push(c);
          res.pause();
          resume = () => {
            res.on('data', (more: Buffer) => chunks.push(more));
            res.resume();
          };
          started();
        });
        res.once('end', () => resolve(Buffer.concat(chunks)));
        res.once('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    let started!: () => void;
    await new Promise<void>((r) => (started = r));
    for (let k = 0; k < 3; k++) check(await api.expect(200, 'GET', base), all, rounds);
    resume();
    check(JSON.parse((await slow).toString()) as Json, all, rounds);
  });

  it('a LIST whose client leaves mid-body does not disturb the next ones', async () => {
    const url = new URL(server().url);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: base }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
      req.end();
    });
    for (let round = 1; round <= 3; round++) {
      // Each list differs from the one before (a changed pod), and the selective ones are smaller than the whole.
      const i = round * 7;
      rounds.set(i, round);
      await api.expect(200, 'PATCH', `${base}/${names[i]}`, {
        body: { metadata: { annotations: { filler: filler(i, round) } } },
        contentType: 'application/merge-patch+json',
      });
      check(await api.expect(200, 'GET', base), all, rounds);
      const odd = await api.expect(200, 'GET', `${base}?labelSelector=half%3D1`);
      check(
        odd,
        all.filter((n) => n % 2 === 1),
        rounds,
      );
    }
  });

  it('items larger than a chunk, among small ones, and the headers of a whole body', async () => {
    const cms = '/api/v1/namespaces/list-body/configmaps';
    const sizes = [300_000, 10, 262_000, 450_000, 5, 200_000, 200_000, 1];
    for (const [i, n] of sizes.entries())
      await api.expect(201, 'POST', cms, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}` }, data: { d: 'é'.repeat(n) } },
      });
    const res = await fetch(`${server().url}${cms}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('transfer-encoding'), null);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), body.length);
    const list = JSON.parse(body.toString()) as Json;
    const byName = new Map((list.items as Json[]).map((c) => [c.metadata.name, c]));
    for (const [i, n] of sizes.entries()) {
      const one = await api.expect(200, 'GET', `${cms}/big-${i}`);
      assert.deepEqual(byName.get(`big-${i}`), one);
      assert.equal(one.data.d.length, n);
    }
  });
});
