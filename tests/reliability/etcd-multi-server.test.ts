/**
 * Several API servers on one etcd (`--storage etcd`, same prefix), as separate processes:
 * - a write through one is seen by a watch on the other, and a list through the other right after it shows it
 *   (consistent reads: the list waits until that server's cache has reached etcd's current revision);
 * - 8 concurrent writers (create, update, delete of ConfigMaps) spread over both servers; one server is SIGKILLed
 *   mid-way and its writers move to the survivor: every acknowledged write is present afterwards (with the
 *   content and resourceVersion it was acknowledged with, or a later one), and a watch on the survivor, opened
 *   before the writes, saw every event exactly once and in revision order, matching what etcd committed;
 * - Services created through both servers at once never share a cluster IP or a node port.
 *
 * Knobs: RELIABILITY_ETCD_WRITES (writes per writer, default 30).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type EtcdProcess, etcdMissing, startEtcd } from '../helpers/etcd.js';
import { Api, type Json } from '../helpers/http.js';
import { envInt } from '../helpers/knobs.js';
import { type ServerProcess, startServerProcess } from '../helpers/server.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';

const WRITERS = 8;
const WRITES = envInt('RELIABILITY_ETCD_WRITES', 30);
const NS = 'multi';
const T = { timeout: 120_000 };

const configMap = (name: string, value: string, rv?: string): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: rv ? { name, namespace: NS, resourceVersion: rv } : { name, namespace: NS },
  data: { value },
});

/**
 * One etcd and two API server processes on it (with `extraArgs`), for the suite that calls this at its top: started
 * in `before`, killed in `after`. The returned object's fields are filled once `before` has run.
 */
function twoServersOnEtcd(extraArgs: string[]): { etcd?: EtcdProcess; servers: ServerProcess[]; apis: Api[] } {
  const state: { etcd?: EtcdProcess; servers: ServerProcess[]; apis: Api[] } = { servers: [], apis: [] };
  before(async () => {
    state.etcd = await startEtcd();
    const args = ['--storage', 'etcd', '--etcd-servers', state.etcd.url, ...extraArgs];
    state.servers = [await startServerProcess({ args }), await startServerProcess({ args })];
    state.apis = state.servers.map((s) => new Api(s.url));
    await state.apis[0]!.createNamespace(NS);
  });
  after(async () => {
    for (const s of state.servers) {
      await s.kill();
      s.cleanup();
    }
    await state.etcd?.stop();
  });
  return state;
}

describe('several API servers on one etcd', { skip: etcdMissing }, () => {
  const env = twoServersOnEtcd(['--etcd-prefix', '/shared']);

  it('a write through one server reaches a watch on the other, and a list there right after', T, async () => {
    const [a, b] = env.apis as [Api, Api];
    const list = await a.expect(200, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
    const watch = await WatchStream.open(
      `${env.servers[0]!.url}/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}`,
    );
    try {
      for (let i = 0; i < 5; i++) {
        const created = await b.expect(201, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
          body: configMap(`cross-${i}`, 'v'),
        });
        const listed = await a.expect(200, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
        assert.ok(
          listed.items.some((c: Json) => c.metadata.name === `cross-${i}`),
          'a list through A right after a write through B shows it',
        );
        assert.ok(Number(listed.metadata.resourceVersion) >= rvOf(created));
        const ev = await watch.next();
        assert.equal(ev.type, 'ADDED');
        assert.equal(ev.object.metadata.name, `cross-${i}`);
        assert.equal(ev.object.metadata.resourceVersion, created.metadata.resourceVersion);
      }
    } finally {
      watch.close();
    }
  });

  it(
    '8 writers over both servers, one SIGKILLed mid-way: acknowledged writes kept, the survivor’s watch exact',
    T,
    async () => {
      const survivor = env.apis[1]!;
      const start = await survivor.expect(200, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
      const watch = await WatchStream.open(
        `${env.servers[1]!.url}/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${start.metadata.resourceVersion}`,
      );
      /** Per object name: the last acknowledged state (value and resourceVersion), or null once deleted. */
      const acked = new Map<string, { value: string; rv: number } | null>();
      let killed = false;
      let acks = 0;
      const killAfter = Math.floor((WRITERS * WRITES) / 3);
      const killing = (async () => {
        while (acks < killAfter) await new Promise((r) => setTimeout(r, 10));
        killed = true;
        await env.servers[0]!.kill();
      })();
      const writer = async (w: number) => {
        // Even writers start on the server that dies; after the kill everybody uses the survivor.
        const api = () => (w % 2 === 0 && !killed ? env.apis[0]! : survivor);
        const names = [`w${w}-a`, `w${w}-b`];
        for (let i = 0; i < WRITES; i++) {
          const name = names[i % 2]!;
          const known = acked.get(name);
          const value = `${w}-${i}`;
          try {
            if (known === undefined || known === null) {
              const res = await api().request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
                body: configMap(name, value),
              });
              if (res.status === 201) acked.set(name, { value, rv: rvOf(res.body) });
              else if (res.status === 409) acked.delete(name); // created by a write whose answer was lost
            } else if (i % 5 === 4) {
              const res = await api().request('DELETE', `/api/v1/namespaces/${NS}/configmaps/${name}`);
              if (res.status === 200) acked.set(name, null);
            } else {
              const res = await api().request('PUT', `/api/v1/namespaces/${NS}/configmaps/${name}`, {
                body: configMap(name, value, String(known.rv)),
              });
              if (res.status === 200) acked.set(name, { value, rv: rvOf(res.body) });
            }
            acks++;
          } catch {
            // The server died under this request: its outcome is unknown; re-read through the survivor.
            const res = await survivor.request('GET', `/api/v1/namespaces/${NS}/configmaps/${name}`);
            if (res.status === 200) acked.set(name, { value: res.body.data.value, rv: rvOf(res.body) });
            else acked.set(name, null);
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      await killing;
      assert.ok(killed, 'the server was killed mid-way');

      // A marker written last: the watch is read up to it.
      const marker = await survivor.expect(201, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
        body: configMap('zz-marker', 'end'),
      });
      const final = await survivor.expect(200, 'GET', `/api/v1/namespaces/${NS}/configmaps`);
      const stored = new Map<string, Json>(final.items.map((c: Json) => [c.metadata.name, c]));
      for (const [name, state] of acked) {
        const got = stored.get(name);
        if (state === null) assert.equal(got, undefined, `${name} was deleted`);
        else {
          assert.ok(got, `${name} is present`);
          assert.equal(got.data.value, state.value, `${name} holds its last acknowledged write`);
          assert.equal(rvOf(got), state.rv);
        }
      }

      // The watch: every event once, revisions strictly increasing, replaying to exactly the final state.
      const finalRv = Number(final.metadata.resourceVersion);
      const events: WatchEvent[] = [];
      while (events.length === 0 || rvOf(events[events.length - 1]!) < rvOf(marker)) {
        events.push(await watch.next(20_000));
      }
      watch.close();
      const revisions = events.map(rvOf);
      for (let i = 1; i < revisions.length; i++) {
        assert.ok(revisions[i]! > revisions[i - 1]!, `revision order: ${revisions[i - 1]} then ${revisions[i]}`);
      }
      assert.ok(revisions[revisions.length - 1]! <= finalRv);
      const replayed = new Map<string, Json>(start.items.map((c: Json) => [c.metadata.name, c]));
      for (const ev of events) {
        const name = ev.object.metadata.name as string;
        if (ev.type === 'ADDED') assert.ok(!replayed.has(name), `ADDED ${name} twice`);
        if (ev.type === 'MODIFIED' || ev.type === 'DELETED') assert.ok(replayed.has(name), `${ev.type} ${name} unseen`);
        if (ev.type === 'DELETED') replayed.delete(name);
        else replayed.set(name, ev.object);
      }
      assert.deepEqual([...replayed.keys()].sort(), [...stored.keys()].sort(), 'the watch replays to the stored state');
      for (const [name, obj] of replayed)
        assert.equal(obj.metadata.resourceVersion, stored.get(name).metadata.resourceVersion);
    },
  );
});

describe('Service allocation across API servers on one etcd', { skip: etcdMissing }, () => {
  const SERVICES = 16;
  // Small ranges (30 addresses, 20 ports): without cross-server claims, two servers would pick the same ones.
  const env = twoServersOnEtcd([
    ...['--service-cluster-ip-range', '10.0.0.0/27', '--service-node-port-range', '30000-30019'],
  ]);

  const createAll = () =>
    Promise.all(
      Array.from({ length: SERVICES }, (_, i) =>
        env.apis[i % 2]!.expect(201, 'POST', `/api/v1/namespaces/${NS}/services`, {
          body: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `svc-${i}` },
            spec: { type: 'NodePort', selector: { app: `a${i}` }, ports: [{ port: 80 }] },
          },
        }),
      ),
    );
  const assertDistinct = (created: Json[]) => {
    const ips = created.map((s) => s.spec.clusterIP);
    const ports = created.map((s) => s.spec.ports[0].nodePort);
    assert.equal(new Set(ips).size, SERVICES, `cluster IPs handed out twice: ${ips.sort()}`);
    assert.equal(new Set(ports).size, SERVICES, `node ports handed out twice: ${ports.sort()}`);
  };

  it('concurrent creates through both servers never share a cluster IP or a node port', T, async () => {
    assertDistinct(await createAll());
    // Deleting (through the other server than the creator) frees them for both.
    await Promise.all(
      Array.from({ length: SERVICES }, (_, i) =>
        env.apis[(i + 1) % 2]!.expect(200, 'DELETE', `/api/v1/namespaces/${NS}/services/svc-${i}`),
      ),
    );
    assertDistinct(await createAll());
  });

  it('an IP and a node port freed through the other server can be asked for by name at once', T, async () => {
    const svc = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: {
        type: 'NodePort',
        clusterIP: '10.0.0.29',
        selector: { app: name },
        ports: [{ port: 80, nodePort: 30019 }],
      },
    });
    const [a, b] = env.apis as [Api, Api];
    // The small ranges free again (the previous case leaves its Services).
    await Promise.all(
      Array.from({ length: SERVICES }, (_, i) => env.apis[i % 2]!.delete(`/api/v1/namespaces/${NS}/services/svc-${i}`)),
    );
    await a.expect(201, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-1') });
    // Taken: refused through either server, as upstream words it.
    for (const api of [a, b]) {
      const refused = await api.expect(422, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-2') });
      assert.match(refused.message, /already allocated/);
    }
    // Freed through b: a (which saw the first Service's IP as its own, then b's refusal) hands it out again.
    await b.expect(200, 'DELETE', `/api/v1/namespaces/${NS}/services/fixed-1`);
    const again = await a.expect(201, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-2') });
    assert.equal(again.spec.clusterIP, '10.0.0.29');
    assert.equal(again.spec.ports[0].nodePort, 30019);
    await a.expect(200, 'DELETE', `/api/v1/namespaces/${NS}/services/fixed-2`);
    // And the other way round: created through a, freed through a, asked for through b.
    await a.expect(201, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-3') });
    await b.expect(422, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-4') });
    await a.expect(200, 'DELETE', `/api/v1/namespaces/${NS}/services/fixed-3`);
    await b.expect(201, 'POST', `/api/v1/namespaces/${NS}/services`, { body: svc('fixed-4') });
  });
});
