/**
 * Crash durability through the HTTP API: every write the server acknowledged survives a SIGKILL that lands
 * while other writes are in flight, and revisions keep growing after the restart.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { Api, podManifest, type Json } from '../helpers/http.js';

const NS = 'durable';
const CREATES = 200;
const UPDATED_PODS = 4;
const UPDATES_PER_POD = 40;

describe('durability across SIGKILL', () => {
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const s of servers.reverse()) {
      await s.kill();
      s.cleanup();
    }
  });

  it('every acknowledged create and update is there after a restart, and new writes get larger revisions', async (t) => {
    const first = await startServerProcess();
    servers.push(first);
    const api = new Api(first.url);
    await api.createNamespace(NS);
    const base = `/api/v1/namespaces/${NS}/pods`;
    const targets: Json[] = [];
    for (let i = 0; i < UPDATED_PODS; i++)
      targets.push(await api.expect(201, 'POST', base, { body: podManifest(`counter-${i}`) }));

    const createdAcks = new Map<string, { uid: string; rv: number }>();
    const updateAcks: Array<{ name: string; n: number; rv: number }> = [];
    let maxSeenRV = Math.max(...targets.map((t) => Number(t.metadata.resourceVersion)));
    let failed = 0;
    let acked = 0;
    let onAck: () => void = () => {};
    const enoughAcks = new Promise<void>((resolve) => {
      onAck = () => {
        acked++;
        if (acked >= 80) resolve();
      };
    });

    // 25 writers create 8 pods each, one request at a time, while 4 others keep updating: whenever the kill
    // lands, about 29 requests are in flight.
    const CREATE_WORKERS = 25;
    const creates = Array.from({ length: CREATE_WORKERS }, async (_, w) => {
      for (let i = w; i < CREATES; i += CREATE_WORKERS) {
        const name = `d-${String(i).padStart(3, '0')}`;
        let res;
        try {
          res = await api.post(base, podManifest(name), { timeoutMs: 60000 });
        } catch {
          failed++; // in flight when the server died
          return;
        }
        if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${res.text}`);
        const rv = Number(res.body.metadata.resourceVersion);
        createdAcks.set(name, { uid: res.body.metadata.uid, rv });
        maxSeenRV = Math.max(maxSeenRV, rv);
        onAck();
      }
    });
    const updates = targets.map(async (t) => {
      for (let n = 1; n <= UPDATES_PER_POD; n++) {
        const body = structuredClone(t);
        delete body.metadata.resourceVersion; // unconditional: pods allow it
        body.metadata.annotations = { n: String(n) };
        let res;
        try {
          res = await api.put(`${base}/${t.metadata.name}`, body, { timeoutMs: 60000 });
        } catch {
          failed++;
          return;
        }
        if (res.status !== 200) throw new Error(`update ${t.metadata.name}: ${res.status} ${res.text}`);
        const rv = Number(res.body.metadata.resourceVersion);
        updateAcks.push({ name: t.metadata.name, n, rv });
        maxSeenRV = Math.max(maxSeenRV, rv);
        onAck();
      }
    });

    await enoughAcks;
    await first.kill();
    await Promise.all([...creates, ...updates]);
    const ackedAtKill = createdAcks.size + updateAcks.length;
    assert.ok(ackedAtKill >= 80);
    t.diagnostic(
      `acknowledged creates ${createdAcks.size}, updates ${updateAcks.length}; requests cut off by the kill: ${failed}`,
    );

    const second = await startServerProcess({ dataDir: first.dataDir });
    servers.push(second);
    const api2 = new Api(second.url);
    const list = await api2.expect(200, 'GET', base);
    const byName = new Map<string, Json>(list.items.map((p: Json) => [p.metadata.name, p]));
    assert.ok(
      Number(list.metadata.resourceVersion) >= maxSeenRV,
      `list RV ${list.metadata.resourceVersion} >= ${maxSeenRV}`,
    );

    const lost: string[] = [];
    for (const [name, ack] of createdAcks) {
      const p = byName.get(name);
      if (!p) {
        lost.push(name);
        continue;
      }
      assert.equal(p.metadata.uid, ack.uid, `${name} is the object that was acknowledged`);
      assert.ok(
        Number(p.metadata.resourceVersion) >= ack.rv,
        `${name}: RV ${p.metadata.resourceVersion} >= acknowledged ${ack.rv}`,
      );
    }
    assert.deepEqual(lost, [], 'acknowledged creates lost');

    for (const t of targets) {
      const name = t.metadata.name;
      const acks = updateAcks.filter((u) => u.name === name);
      const p = byName.get(name);
      assert.ok(p, `${name} exists`);
      if (acks.length === 0) continue;
      const last = acks.reduce((a, b) => (b.rv > a.rv ? b : a));
      assert.ok(
        Number(p.metadata.resourceVersion) >= last.rv,
        `${name}: RV ${p.metadata.resourceVersion} >= acknowledged ${last.rv}`,
      );
      assert.ok(
        Number(p.metadata.annotations?.n ?? 0) >= last.n,
        `${name}: update ${last.n} survived (have ${p.metadata.annotations?.n})`,
      );
    }

    const fresh = await api2.expect(201, 'POST', base, { body: podManifest('after-restart') });
    assert.ok(
      Number(fresh.metadata.resourceVersion) > maxSeenRV,
      `new RV ${fresh.metadata.resourceVersion} > ${maxSeenRV}`,
    );
    const maxStored = Math.max(...list.items.map((p: Json) => Number(p.metadata.resourceVersion)));
    assert.ok(
      Number(fresh.metadata.resourceVersion) > maxStored,
      `new RV ${fresh.metadata.resourceVersion} > every stored RV (${maxStored})`,
    );
    assert.ok(Number(fresh.metadata.resourceVersion) > Number(list.metadata.resourceVersion));
    const ns = await api2.expect(200, 'GET', `/api/v1/namespaces/${NS}`);
    assert.equal(ns.status.phase, 'Active');
  });
});
