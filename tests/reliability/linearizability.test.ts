/**
 * Linearizable writes and reads: concurrent clients increment a few shared counters (ConfigMaps) by
 * read-modify-write with a resourceVersion precondition (PUT, merge, strategic merge and JSON patches, server-side
 * apply: each carries metadata.resourceVersion), read them
 * (GET and list) and, after every success, retry the write they just made with its now stale precondition. The
 * history of every counter (invocation and answer times, values, resourceVersions) must show no lost update, no
 * stale read, a 409 for every stale precondition and only for those, and must be linearizable (Wing & Gong
 * search).
 *
 * Knobs: RELIABILITY_CLIENTS (default 8), RELIABILITY_INCREMENTS (successful increments per client, default 25),
 * RELIABILITY_COUNTERS (default 3).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServerProcess, type ServerProcess } from '../helpers/server.js';
import { Api, type Json } from '../helpers/http.js';
import {
  checkCounterHistory,
  checkLinearizable,
  now,
  objectRegisterModel,
  type CounterOp,
  type ObjectInput,
  type ObjectOutput,
  type ObjectState,
} from '../helpers/linearizability.js';
import { envInt } from '../helpers/knobs.js';

const CLIENTS = envInt('RELIABILITY_CLIENTS', 8);
const INCREMENTS = envInt('RELIABILITY_INCREMENTS', 25);
const COUNTERS = envInt('RELIABILITY_COUNTERS', 3);
const NS = 'linearizable';
/** The ways of writing with a resourceVersion precondition: the object's metadata.resourceVersion in each. */
const WAYS = [
  'PUT',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
  'apply',
] as const;

describe('read-modify-write with resourceVersion preconditions is linearizable', () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ timeoutMs: 60_000 });
  });
  after(async () => {
    await server?.kill();
    server?.cleanup();
  });

  it(`${CLIENTS} clients × ${INCREMENTS} increments on ${COUNTERS} counters: no lost update, no stale read, 409 exactly when stale`, async (t) => {
    const api = new Api(server.url);
    await api.createNamespace(NS);
    const base = `/api/v1/namespaces/${NS}/configmaps`;
    const names = Array.from({ length: COUNTERS }, (_, i) => `counter-${i}`);
    const init = new Map<string, ObjectState>();
    for (const name of names) {
      const cm = await api.expect(201, 'POST', base, {
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value: '0' } },
      });
      init.set(name, { rv: cm.metadata.resourceVersion, value: 0 });
    }
    const history: CounterOp[] = [];
    const stateOf = (obj: Json): ObjectState => ({ rv: obj.metadata.resourceVersion, value: Number(obj.data.value) });
    /** Runs one operation and records it; network errors are recorded as unknown outcomes and rethrown. */
    async function record(
      client: number,
      key: string,
      input: ObjectInput,
      run: () => Promise<ObjectOutput>,
    ): Promise<ObjectOutput> {
      const op: CounterOp = { client, key, input, output: undefined, invoke: now(), complete: undefined };
      history.push(op);
      const output = await run();
      op.complete = now();
      op.output = output;
      return output;
    }
    const answer = (res: { status: number; body: Json; text: string }, what: string): ObjectOutput => {
      if (res.status === 200) return stateOf(res.body);
      if (res.status === 409) {
        assert.equal(res.body.reason, 'Conflict', `${what}: a 409 is a Conflict Status`);
        return { conflict: true };
      }
      throw new Error(`${what}: unexpected ${res.status}: ${res.text.slice(0, 500)}`);
    };
    /** A conditional write of `value` over `rv`, in one of the WAYS. */
    const write = (client: number, name: string, rv: string, value: number, how: number) =>
      record(client, name, { f: 'cas', expectRV: rv, value }, async () => {
        const path = `${base}/${name}`;
        const object = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, resourceVersion: rv },
          data: { value: String(value) },
        };
        const patch = { metadata: { resourceVersion: rv }, data: { value: String(value) } };
        const jsonPatch = [
          { op: 'replace', path: '/metadata/resourceVersion', value: rv },
          { op: 'replace', path: '/data/value', value: String(value) },
        ];
        const way = WAYS[how]!;
        const res =
          way === 'PUT'
            ? await api.put(path, object)
            : way === 'apply'
              ? await api.request('PATCH', `${path}?fieldManager=counter&force=true`, {
                  raw: JSON.stringify(object),
                  contentType: 'application/apply-patch+yaml',
                })
              : await api.patch(path, way === 'application/json-patch+json' ? jsonPatch : patch, way);
        return answer(res, `${way} ${name}`);
      });
    const readOne = (client: number, name: string) =>
      record(client, name, { f: 'read' }, async () => answer(await api.get(`${base}/${name}`), `GET ${name}`));
    /** A list read: one read operation per counter, all with the list's times. */
    async function readList(client: number): Promise<void> {
      const invoke = now();
      const res = await api.get(base);
      const complete = now();
      assert.equal(res.status, 200);
      for (const item of res.body.items as Json[])
        history.push({
          client,
          key: item.metadata.name,
          input: { f: 'read' },
          output: stateOf(item),
          invoke,
          complete,
        });
    }

    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let done = 0; done < INCREMENTS; ) {
        const name = names[random(names.length)]!;
        if (random(5) === 0) await readList(client);
        const got = await readOne(client, name);
        assert.ok('rv' in got);
        const out = await write(client, name, got.rv, got.value + 1, random(WAYS.length));
        if ('rv' in out) {
          done++;
          // the precondition just consumed is stale now: the same write again must be refused
          const again = await write(client, name, got.rv, got.value + 1, random(WAYS.length));
          assert.ok(
            'conflict' in again,
            `client ${client}: a write on the stale rv ${got.rv} of ${name} was not refused`,
          );
        }
      }
    });
    await Promise.all(clients);

    let totalConflicts = 0;
    for (const name of names) {
      const final = stateOf(await api.expect(200, 'GET', `${base}/${name}`));
      const ops = history.filter((o) => o.key === name);
      const report = checkCounterHistory(ops, init.get(name)!, final);
      assert.deepEqual(report.problems, [], `${name}: ${report.problems.slice(0, 10).join('\n')}`);
      totalConflicts += report.conflicts;
      const verdict = checkLinearizable(ops, objectRegisterModel(init.get(name)!));
      assert.ok(verdict.ok, `${name}: ${verdict.ok ? '' : verdict.reason}`);
      t.diagnostic(
        `${name}: ${report.acknowledged} increments, ${report.conflicts} conflicts, ${report.reads} reads; final ${final.value}@${final.rv}`,
      );
    }
    const finals = await Promise.all(names.map(async (n) => Number((await api.get(`${base}/${n}`)).body.data.value)));
    assert.equal(
      finals.reduce((a, b) => a + b, 0),
      CLIENTS * INCREMENTS,
      'every acknowledged increment is counted exactly once',
    );
    assert.ok(totalConflicts >= CLIENTS * INCREMENTS, 'every stale retry was refused (and races added more)');
  });
});
