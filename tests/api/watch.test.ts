/**
 * Watch semantics over HTTP, modelled on upstream's API machinery conformance (test/e2e/apimachinery/watch.go)
 * and on what kubectl needs (headers at once, never closed without timeoutSeconds). Plain fetch, streaming
 * bodies read line by line.
 */
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useInProcessServer } from '../helpers/server.js';
import { podManifest, sleep, type Json } from '../helpers/http.js';
import { WatchStream, rvOf, type WatchEvent } from '../helpers/watch.js';

const BOOKMARK_MS = 250;

/** An HTTP/1.1 GET of `path` asking for JSON, as written on a connection. */
const httpGet = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n`;

/**
 * The watch response in `raw` from `from`: its head says 200 and chunked, and every chunk is `<size in lowercase
 * hex>\r\n<size bytes of whole lines>\r\n` until `0\r\n\r\n`. Its lines, its chunks, and where it ends.
 */
function chunkedWatch(raw: Buffer, from: number): { lines: string[]; chunks: number; end: number } {
  const headEnd = raw.indexOf('\r\n\r\n', from);
  const head = raw.subarray(from, headEnd).toString('latin1');
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, /\r\nTransfer-Encoding: chunked(\r\n|$)/i);
  let at = headEnd + 4;
  const lines: string[] = [];
  let chunks = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const sizeText = raw.subarray(at, eol).toString('latin1');
    assert.match(sizeText, /^[0-9a-f]+$/, `chunk size ${JSON.stringify(sizeText)}`);
    const size = Number.parseInt(sizeText, 16);
    at = eol + 2;
    if (size === 0) {
      assert.equal(raw.subarray(at, at + 2).toString('latin1'), '\r\n');
      return { lines, chunks, end: at + 2 };
    }
    const data = raw.subarray(at, at + size).toString('utf8');
    assert.equal(raw.subarray(at + size, at + size + 2).toString('latin1'), '\r\n');
    assert.ok(data.endsWith('\n'), 'a chunk holds whole lines');
    lines.push(...data.slice(0, -1).split('\n'));
    chunks++;
    at += size + 2;
  }
}

describe('watch', () => {
  const { api, server } = useInProcessServer({ bookmarkIntervalMs: BOOKMARK_MS });
  const open: WatchStream[] = [];

  afterEach(() => {
    for (const w of open.splice(0)) w.close();
  });

  async function watch(path: string, headers?: Record<string, string>): Promise<WatchStream> {
    const w = await WatchStream.open(server().url + path, { headers });
    open.push(w);
    assert.equal(w.status, 200, `watch ${path} answered ${w.status}`);
    return w;
  }
  const pods = (ns: string) => `/api/v1/namespaces/${ns}/pods`;
  const create = (ns: string, body: Json) => api.expect(201, 'POST', pods(ns), { body });
  /** PUT of `obj` (as returned by the last write) with its annotations changed: a conditional update. */
  async function mutate(ns: string, obj: Json, value: string, labels?: Record<string, string>): Promise<Json> {
    const next = structuredClone(obj);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), mutation: value };
    if (labels) next.metadata.labels = labels;
    return api.expect(200, 'PUT', `${pods(ns)}/${obj.metadata.name}`, { body: next });
  }
  const remove = (ns: string, name: string) => api.expect(200, 'DELETE', `${pods(ns)}/${name}`);
  const listRV = async (path: string) => (await api.expect(200, 'GET', path)).metadata.resourceVersion as string;
  /** A connection of its own to the server, and all it has received so far. */
  async function rawConnection(): Promise<{ socket: net.Socket; received: () => Buffer }> {
    const { port } = new URL(server().url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    let raw = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      raw = Buffer.concat([raw, c]);
    });
    return { socket, received: () => raw };
  }

  function assertEvent(ev: WatchEvent, type: string, expected: Json): void {
    assert.equal(
      ev.type,
      type,
      `expected ${type} of ${expected.metadata.name}, got ${ev.type} ${ev.object?.metadata?.name}`,
    );
    assert.equal(ev.object.kind, 'Pod');
    assert.equal(ev.object.apiVersion, 'v1');
    assert.equal(ev.object.metadata.name, expected.metadata.name);
    assert.equal(ev.object.metadata.uid, expected.metadata.uid);
    assert.equal(ev.object.metadata.resourceVersion, expected.metadata.resourceVersion);
    assert.deepEqual(ev.object, expected, 'the event carries the object the write returned');
  }

  // First in the file: Node prints this warning once per AbortSignal, so a later test would miss it.
  it('many concurrent watches raise no process warning (MaxListenersExceededWarning)', async () => {
    const ns = 'watch-many';
    await api.createNamespace(ns);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const streams: WatchStream[] = [];
    try {
      for (let i = 0; i < 25; i++) streams.push(await watch(`${pods(ns)}?watch=true`));
      const p = await create(ns, podManifest('seen-by-all'));
      for (const w of streams) assertEvent(await w.next(), 'ADDED', p);
      await sleep(50); // warnings are emitted on the next tick
    } finally {
      for (const w of streams) w.close();
      process.off('warning', onWarning);
    }
    assert.deepEqual(
      warnings.map((w) => `${w.name}: ${w.message}`),
      [],
    );
  });

  it('sendInitialEvents (WatchList, as helm 4 and newer client-go watch): the current objects, a bookmark ending them, then changes', async () => {
    const ns = 'watchlist';
    await api.createNamespace(ns);
    await create(ns, podManifest('wl-1'));
    await create(ns, podManifest('wl-2'));
    const rv = (await api.expect(200, 'GET', pods(ns))).metadata.resourceVersion;
    const w = await watch(
      `${pods(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=${rv}`,
    );
    const initial = [await w.next(), await w.next()];
    assert.deepEqual(initial.map((e) => `${e.type} ${e.object.metadata.name}`).sort(), ['ADDED wl-1', 'ADDED wl-2']);
    const end = await w.next();
    assert.equal(end.type, 'BOOKMARK');
    assert.deepEqual(end.object.metadata.annotations, { 'k8s.io/initial-events-end': 'true' });
    assert.ok(Number(end.object.metadata.resourceVersion) >= Number(rv));
    await create(ns, podManifest('wl-3'));
    const later = await w.next();
    assert.equal(`${later.type} ${later.object.metadata.name}`, 'ADDED wl-3');
  });

  it('starts from a specific resourceVersion: only later changes (watch.go: specific resource version)', async () => {
    const ns = 'watch-from-rv';
    await api.createNamespace(ns);
    const created = await create(
      ns,
      podManifest('e2e-watch-test-resource-version', { labels: { 'watch-this-pod': 'from-rv' } }),
    );
    const first = await mutate(ns, created, '1');
    const second = await mutate(ns, first, '2');
    const deleted = await remove(ns, created.metadata.name);
    assert.ok(Number(second.metadata.resourceVersion) > Number(first.metadata.resourceVersion));

    const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
    const mod = await w.next();
    assertEvent(mod, 'MODIFIED', second);
    assert.equal(mod.object.metadata.annotations.mutation, '2');
    const del = await w.next();
    assert.equal(del.type, 'DELETED');
    assert.equal(del.object.metadata.name, created.metadata.name);
    assert.equal(del.object.metadata.uid, created.metadata.uid);
    assert.ok(rvOf(del) > Number(second.metadata.resourceVersion), 'DELETED carries the revision of the deletion');
    assert.equal(deleted.metadata.name, created.metadata.name);
    assert.deepEqual(await w.drainFor(300), [], 'nothing else');
  });

  it('restarts from the last resourceVersion seen by a previous watch (watch.go: restart)', async () => {
    const ns = 'watch-restart';
    await api.createNamespace(ns);
    const sel = 'labelSelector=' + encodeURIComponent('watch-this-pod=restart');
    const w1 = await watch(`${pods(ns)}?watch=true&${sel}`);
    const created = await create(
      ns,
      podManifest('e2e-watch-test-watch-closed', { labels: { 'watch-this-pod': 'restart' } }),
    );
    const first = await mutate(ns, created, '1');
    assertEvent(await w1.next(), 'ADDED', created);
    const lastSeen = await w1.next();
    assertEvent(lastSeen, 'MODIFIED', first);
    w1.close();

    const second = await mutate(ns, first, '2');
    const w2 = await watch(`${pods(ns)}?watch=true&${sel}&resourceVersion=${lastSeen.object.metadata.resourceVersion}`);
    await remove(ns, created.metadata.name);
    assertEvent(await w2.next(), 'MODIFIED', second);
    const del = await w2.next();
    assert.equal(del.type, 'DELETED');
    assert.equal(del.object.metadata.uid, created.metadata.uid);
  });

  it('an object leaving a label selector is DELETED; coming back is ADDED (watch.go: stops meeting the selector)', async () => {
    const ns = 'watch-selector';
    await api.createNamespace(ns);
    const w = await watch(`${pods(ns)}?watch=true&labelSelector=${encodeURIComponent('watch-this-pod=label-changed')}`);
    const created = await create(
      ns,
      podManifest('e2e-watch-test-label-changed', { labels: { 'watch-this-pod': 'label-changed' } }),
    );
    const m1 = await mutate(ns, created, '1');
    const away = await mutate(ns, m1, '1', { 'watch-this-pod': 'wrong-value' });
    const hidden = await mutate(ns, away, '2');
    const back = await mutate(ns, hidden, '2', { 'watch-this-pod': 'label-changed' });
    const m3 = await mutate(ns, back, '3');
    await remove(ns, created.metadata.name);

    assertEvent(await w.next(), 'ADDED', created);
    assertEvent(await w.next(), 'MODIFIED', m1);
    const left = await w.next();
    assert.equal(left.type, 'DELETED');
    assert.equal(left.object.metadata.name, created.metadata.name);
    assert.equal(
      left.object.metadata.resourceVersion,
      away.metadata.resourceVersion,
      'DELETED at the revision of the label change',
    );
    assert.equal(
      left.object.metadata.labels['watch-this-pod'],
      'label-changed',
      'the last state that matched (upstream cacher sends prevObject)',
    );
    const restored = await w.next();
    assertEvent(restored, 'ADDED', back);
    assert.equal(
      restored.object.metadata.annotations.mutation,
      '2',
      'the modification made while unselected is in the restored object',
    );
    assertEvent(await w.next(), 'MODIFIED', m3);
    const del = await w.next();
    assert.equal(del.type, 'DELETED');
    assert.equal(del.object.metadata.uid, created.metadata.uid);
    assert.deepEqual(await w.drainFor(300), []);
  });

  it('watches that do not match see nothing (watch.go: add, update, delete on multiple watchers)', async () => {
    const ns = 'watch-multi';
    await api.createNamespace(ns);
    const q = (s: string) => `${pods(ns)}?watch=true&labelSelector=${encodeURIComponent(s)}`;
    const wA = await watch(q('watch-this-pod in (multiple-watchers-A)'));
    const wB = await watch(q('watch-this-pod in (multiple-watchers-B)'));
    const wAB = await watch(q('watch-this-pod in (multiple-watchers-A,multiple-watchers-B)'));
    const a = await create(
      ns,
      podManifest('e2e-watch-test-configmap-a', { labels: { 'watch-this-pod': 'multiple-watchers-A' } }),
    );
    const a1 = await mutate(ns, a, '1');
    const a2 = await mutate(ns, a1, '2');
    await remove(ns, 'e2e-watch-test-configmap-a');
    const b = await create(
      ns,
      podManifest('e2e-watch-test-configmap-b', { labels: { 'watch-this-pod': 'multiple-watchers-B' } }),
    );
    await remove(ns, 'e2e-watch-test-configmap-b');

    for (const w of [wA, wAB]) {
      assertEvent(await w.next(), 'ADDED', a);
      assertEvent(await w.next(), 'MODIFIED', a1);
      assertEvent(await w.next(), 'MODIFIED', a2);
      assert.equal((await w.next()).type, 'DELETED');
    }
    for (const w of [wB, wAB]) {
      assertEvent(await w.next(), 'ADDED', b);
      const del = await w.next();
      assert.equal(del.type, 'DELETED');
      assert.equal(del.object.metadata.name, 'e2e-watch-test-configmap-b');
    }
    assert.deepEqual(await wA.drainFor(300), [], 'A sees nothing of B');
    assert.deepEqual(
      wB.received.filter((e) => e.object.metadata.name !== 'e2e-watch-test-configmap-b'),
      [],
      'B sees nothing of A',
    );
  });

  it('concurrent watches from the same revisions see the same sequence (watch.go: same order)', async () => {
    const ns = 'watch-concurrent';
    await api.createNamespace(ns);
    const startRV = await listRV(pods(ns));
    const WATCHES = 10;
    const OPS = 120;
    // rv is the revision the write's response carried (unknown for deletions: the DELETE reply's RV is not asserted here)
    const writes: Array<{ type: string; rv?: number; name: string }> = [];

    const writer = (async () => {
      const live = new Map<string, Json>();
      for (let i = 0; i < OPS; i++) {
        const names = [...live.keys()];
        const op = names.length === 0 || i === OPS - 1 ? 0 : i % 3;
        if (op === 0) {
          const obj = await create(ns, podManifest(`cw-${i}`));
          live.set(obj.metadata.name, obj);
          writes.push({ type: 'ADDED', rv: Number(obj.metadata.resourceVersion), name: obj.metadata.name });
        } else if (op === 1) {
          const name = names[i % names.length]!;
          // PUT without resourceVersion: an unconditional update, as upstream's writer does
          const body = structuredClone(live.get(name)!);
          delete body.metadata.resourceVersion;
          body.metadata.annotations = { mutation: String(i) };
          const obj = await api.expect(200, 'PUT', `${pods(ns)}/${name}`, { body });
          live.set(name, obj);
          writes.push({ type: 'MODIFIED', rv: Number(obj.metadata.resourceVersion), name });
        } else {
          const name = names[0]!;
          await remove(ns, name);
          live.delete(name);
          writes.push({ type: 'DELETED', name });
        }
        await sleep(2);
      }
    })();

    // Each watch starts from the revision of the first event the previous one delivered.
    const watches: Array<{ from: number; w: WatchStream; seen: WatchEvent[] }> = [];
    let from = Number(startRV);
    for (let i = 0; i < WATCHES; i++) {
      const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${from}`);
      const firstEv = await w.next(30000);
      watches.push({ from, w, seen: [firstEv] });
      from = rvOf(firstEv);
    }
    await writer;
    const lastRV = writes[writes.length - 1]!.rv!; // the last write is a create
    for (const entry of watches) {
      while (rvOf(entry.seen[entry.seen.length - 1]!) < lastRV) entry.seen.push(await entry.w.next(30000));
      entry.w.close();
    }

    const show = (e: WatchEvent) => `${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`;
    const reference = watches[0]!.seen;
    // the first watch (from the list's revision) sees every write, in order, with the revisions the writes returned
    assert.deepEqual(
      reference.map((e) => `${e.type} ${e.object.metadata.name}`),
      writes.map((x) => `${x.type} ${x.name}`),
    );
    for (const [i, x] of writes.entries())
      if (x.rv !== undefined) assert.equal(rvOf(reference[i]!), x.rv, `event ${i}`);
    for (let i = 1; i < reference.length; i++)
      assert.ok(rvOf(reference[i]!) > rvOf(reference[i - 1]!), 'revisions increase');
    for (const [i, entry] of watches.entries()) {
      assert.deepEqual(
        entry.seen.map(show),
        reference.filter((e) => rvOf(e) > entry.from).map(show),
        `watch ${i} (from ${entry.from})`,
      );
    }
  });

  for (const rvParam of ['', '&resourceVersion=0']) {
    it(`${rvParam ? 'resourceVersion=0' : 'no resourceVersion'}: synthetic ADDED for existing objects, then live changes`, async () => {
      const ns = rvParam ? 'watch-rv-zero' : 'watch-rv-absent';
      await api.createNamespace(ns);
      const p1 = await create(ns, podManifest('existing-1'));
      const p2 = await create(ns, podManifest('existing-2'));
      const p2b = await mutate(ns, p2, 'x');
      const w = await watch(`${pods(ns)}?watch=true${rvParam}`);
      const initial = await w.take(2);
      assert.deepEqual(
        initial.map((e) => e.type),
        ['ADDED', 'ADDED'],
      );
      const byName = new Map(initial.map((e) => [e.object.metadata.name, e.object]));
      assert.deepEqual(byName.get('existing-1'), p1);
      assert.deepEqual(byName.get('existing-2'), p2b, 'the current state, not the history');
      const p3 = await create(ns, podManifest('live-3'));
      assertEvent(await w.next(), 'ADDED', p3);
      const p1b = await mutate(ns, p1, 'y');
      assertEvent(await w.next(), 'MODIFIED', p1b);
    });
  }

  it('field selectors: spec.nodeName and metadata.name', async () => {
    const ns = 'watch-fields';
    await api.createNamespace(ns);
    const rv = await listRV(pods(ns));
    const byNode = await watch(
      `${pods(ns)}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('spec.nodeName=n1')}`,
    );
    const byName = await watch(
      `${pods(ns)}?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('metadata.name=x')}`,
    );
    const onN2 = await create(ns, podManifest('on-n2', { nodeName: 'n2' }));
    const onN1 = await create(ns, podManifest('on-n1', { nodeName: 'n1' }));
    const y = await create(ns, podManifest('y'));
    const x = await create(ns, podManifest('x'));
    await mutate(ns, y, '1');
    await mutate(ns, onN2, '1');
    const x1 = await mutate(ns, x, '1');
    await remove(ns, 'x');
    await api.expect(200, 'DELETE', `${pods(ns)}/on-n1?gracePeriodSeconds=0`);

    assertEvent(await byNode.next(), 'ADDED', onN1);
    const gone = await byNode.next();
    assert.equal(gone.type, 'DELETED');
    assert.equal(gone.object.metadata.name, 'on-n1');
    assert.deepEqual(await byNode.drainFor(300), []);

    assertEvent(await byName.next(), 'ADDED', x);
    assertEvent(await byName.next(), 'MODIFIED', x1);
    const del = await byName.next();
    assert.equal(del.type, 'DELETED');
    assert.equal(del.object.metadata.name, 'x');
    assert.deepEqual(await byName.drainFor(300), []);
  });

  it('field selector metadata.name on a cluster-scoped watch (namespaces)', async () => {
    const rv = await listRV('/api/v1/namespaces');
    const w = await watch(
      `/api/v1/namespaces?watch=true&resourceVersion=${rv}&fieldSelector=${encodeURIComponent('metadata.name=watch-ns-target')}`,
    );
    await api.createNamespace('watch-ns-other');
    const target = await api.createNamespace('watch-ns-target');
    const ev = await w.next();
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.kind, 'Namespace');
    assert.equal(ev.object.metadata.uid, target.metadata.uid);
    assert.deepEqual(await w.drainFor(300), []);
  });

  it('finalizers: DELETE is a MODIFIED (deletionTimestamp); removing the last finalizer is a DELETED, with no write before it', async () => {
    // kube-apiserver's Store.Update sees the emptied finalizers of an object being deleted and deletes the
    // stored object instead of writing the update (errEmptiedFinalizers → deleteWithoutFinalizers).
    const ns = 'watch-finalizers';
    await api.createNamespace(ns);
    const body = podManifest('held');
    body.metadata.finalizers = ['example.com/hold'];
    const created = await create(ns, body);
    const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
    const marked = await api.expect(200, 'DELETE', `${pods(ns)}/held`);
    const mod = await w.next();
    assertEvent(mod, 'MODIFIED', marked);
    assert.ok(mod.object.metadata.deletionTimestamp);
    const release = structuredClone(marked);
    release.metadata.finalizers = [];
    await api.expect(200, 'PUT', `${pods(ns)}/held`, { body: release });
    const ev = await w.next();
    assert.equal(
      ev.type,
      'DELETED',
      `expected DELETED, got ${ev.type} (finalizers ${JSON.stringify(ev.object.metadata.finalizers)})`,
    );
    assert.equal(ev.object.metadata.uid, created.metadata.uid);
    assert.deepEqual(await w.drainFor(300), []);
  });

  it('timeoutSeconds=1 ends the stream', async () => {
    const ns = 'watch-timeout';
    await api.createNamespace(ns);
    const started = Date.now();
    const w = await watch(`${pods(ns)}?watch=true&timeoutSeconds=1`);
    const rest = await w.untilEnd(20000);
    assert.deepEqual(rest, []);
    assert.ok(Date.now() - started >= 900, 'not before the timeout');
  });

  it('the body is HTTP/1.1 chunks of whole lines ending with the last chunk, and the connection is kept for the next request', async () => {
    const ns = 'watch-chunks';
    await api.createNamespace(ns);
    for (let i = 0; i < 3; i++) await create(ns, podManifest(`before-${i}`));
    const conn = await rawConnection();
    const ask = (path: string) => conn.socket.write(httpGet(path));
    try {
      ask(`${pods(ns)}?watch=true&timeoutSeconds=2`);
      // events while the watch is open: the initial ADDED lines come first, these follow in later chunks
      await sleep(300);
      for (let i = 0; i < 3; i++) await create(ns, podManifest(`during-${i}`));
      const deadline = Date.now() + 20_000;
      while (!conn.received().includes('\r\n0\r\n\r\n') && Date.now() < deadline) await sleep(50);
      const { lines, chunks, end: at } = chunkedWatch(conn.received(), 0);
      assert.ok(chunks >= 2, `the initial events and the later ones in ${chunks} chunks`);
      assert.deepEqual(
        lines.map((l) => `${JSON.parse(l).type} ${JSON.parse(l).object.metadata.name}`),
        [0, 1, 2].map((i) => `ADDED before-${i}`).concat([0, 1, 2].map((i) => `ADDED during-${i}`)),
      );
      // the same connection serves the next request
      const next = () => conn.received().subarray(at);
      ask(`${pods(ns)}/before-0`);
      while (!next().includes('"before-0"') && Date.now() < deadline) await sleep(50);
      assert.match(next().toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      conn.socket.destroy();
    }
  });

  it('a watch pipelined behind another on one connection: its events wait for that one to end, then follow it', async () => {
    const ns = 'watch-pipelined';
    await api.createNamespace(ns);
    await create(ns, podManifest('before'));
    const conn = await rawConnection();
    const names = (lines: string[]) => lines.map((l) => `${JSON.parse(l).type} ${JSON.parse(l).object.metadata.name}`);
    try {
      // Both in one write. The second watch's response has no socket until the first ends (after 1 s): what it
      // writes meanwhile waits in the response, what it writes after goes to the socket.
      conn.socket.write(
        httpGet(`${pods(ns)}?watch=true&timeoutSeconds=1`) + httpGet(`${pods(ns)}?watch=true&timeoutSeconds=3`),
      );
      await sleep(300);
      await create(ns, podManifest('during-first'));
      await sleep(1500);
      await create(ns, podManifest('after-first'));
      const deadline = Date.now() + 20_000;
      const ends = () => conn.received().toString('latin1').split('\r\n0\r\n\r\n').length - 1;
      while (ends() < 2 && Date.now() < deadline) await sleep(50);
      const raw = conn.received();
      const first = chunkedWatch(raw, 0);
      assert.deepEqual(names(first.lines), ['ADDED before', 'ADDED during-first']);
      const second = chunkedWatch(raw, first.end);
      assert.deepEqual(names(second.lines), ['ADDED before', 'ADDED during-first', 'ADDED after-first']);
      assert.equal(second.end, raw.length, 'nothing after the last chunk');
    } finally {
      conn.socket.destroy();
    }
  });

  it('allowWatchBookmarks=true: a BOOKMARK at or after the last event; none without it', async () => {
    const ns = 'watch-bookmarks';
    await api.createNamespace(ns);
    const rv = await listRV(pods(ns));
    const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    const plain = await watch(`${pods(ns)}?watch=true&resourceVersion=${rv}`);
    const p = await create(ns, podManifest('bookmarked'));
    const added = await w.next();
    assertEvent(added, 'ADDED', p);
    const bm = await w.nextMatching((e) => e.type === 'BOOKMARK', 20000);
    assert.equal(bm.object.kind, 'Pod');
    assert.equal(bm.object.apiVersion, 'v1');
    assert.match(bm.object.metadata.resourceVersion, /^\d+$/);
    assert.ok(rvOf(bm) >= rvOf(added), `bookmark RV ${rvOf(bm)} >= ${rvOf(added)}`);
    assertEvent(await plain.next(), 'ADDED', p);
    const extra = await plain.drainFor(BOOKMARK_MS * 4);
    assert.deepEqual(
      extra.filter((e) => e.type === 'BOOKMARK'),
      [],
      'no bookmarks unless asked for',
    );
  });

  it('headers (200, application/json) arrive before any event', async () => {
    const ns = 'watch-empty';
    await api.createNamespace(ns);
    const rv = await listRV(pods(ns));
    // Nothing will ever be sent on this watch; fetch resolves only if the server flushes the headers.
    const w = await WatchStream.open(`${server().url}${pods(ns)}?watch=true&resourceVersion=${rv}`, {
      headersTimeoutMs: 15000,
    });
    open.push(w);
    assert.equal(w.status, 200);
    assert.match(w.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(w.headers.get('transfer-encoding'), 'chunked');
    assert.deepEqual(await w.drainFor(200), []);
    w.close();
  });

  it('a watch without timeoutSeconds stays open when idle', async () => {
    const ns = 'watch-idle';
    await api.createNamespace(ns);
    const rv = await listRV(pods(ns));
    const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${rv}`);
    assert.deepEqual(await w.drainFor(2000), []);
    assert.equal(w.isEnded, false, 'the server did not close the watch');
    const p = await create(ns, podManifest('after-idle'));
    assertEvent(await w.next(), 'ADDED', p);
  });

  it('a Table watch sends one-row Tables', async () => {
    const ns = 'watch-table';
    await api.createNamespace(ns);
    const rv = await listRV(pods(ns));
    const w = await watch(`${pods(ns)}?watch=true&resourceVersion=${rv}`, {
      Accept:
        'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    await create(ns, podManifest('tabled'));
    const ev = await w.next();
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.kind, 'Table');
    assert.equal(ev.object.rows.length, 1);
    assert.equal(ev.object.rows[0].cells[0], 'tabled');
  });

  it('an unknown field label is a 400 before any stream starts', async () => {
    const field = await api.get(`${pods('default')}?watch=true&fieldSelector=${encodeURIComponent('spec.foo=x')}`);
    assert.equal(field.status, 400);
    assert.equal(field.body.kind, 'Status');
    assert.equal(field.body.reason, 'BadRequest');
    assert.match(field.body.message, /field label not supported: spec\.foo/);
  });

  it('a malformed resourceVersion is refused before any stream starts (not 200 + an ERROR event)', async () => {
    // kube-apiserver parses the resourceVersion in the storage's Watch(), before serveWatch writes its 200,
    // so the client gets an error Status reply, as the list path here already does (400).
    const bad = await api
      .get(`${pods('default')}?watch=true&resourceVersion=abc`, { timeoutMs: 5000 })
      .catch((err: Error) => ({ status: -1, body: String(err), text: '' }));
    assert.notEqual(
      bad.status,
      200,
      `a watch with resourceVersion=abc was served as a stream: ${bad.text.slice(0, 300)}`,
    );
    assert.equal(bad.body.kind, 'Status');
    assert.equal(bad.body.status, 'Failure');
    assert.equal(bad.body.code, bad.status);
  });
});

describe('watch from a compacted revision', () => {
  const { api, server } = useInProcessServer();

  it('yields an ERROR event with a 410 Expired Status and ends', async () => {
    const ns = 'compacted';
    await api.createNamespace(ns);
    const old = await api.expect(201, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podManifest('old') });
    for (let i = 0; i < 3; i++)
      await api.expect(201, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: podManifest(`newer-${i}`) });
    await server().storage.compact(server().storage.currentRevision());
    const oldRV = Number(old.metadata.resourceVersion);
    assert.ok(oldRV < server().storage.compactedRevision());

    const w = await WatchStream.open(
      `${server().url}/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${oldRV}`,
    );
    try {
      assert.equal(w.status, 200, 'the error comes as a watch event');
      const ev = await w.next();
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.kind, 'Status');
      assert.equal(ev.object.apiVersion, 'v1');
      assert.equal(ev.object.status, 'Failure');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      assert.match(ev.object.message, new RegExp(`too old resource version: ${oldRV}`));
      assert.deepEqual(await w.untilEnd(20000), [], 'the stream ends after the error');
    } finally {
      w.close();
    }

    // the current revision still works
    const rv = server().storage.currentRevision();
    const live = await WatchStream.open(
      `${server().url}/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}`,
    );
    try {
      assert.equal(live.status, 200);
      const p = await api.expect(201, 'POST', `/api/v1/namespaces/${ns}/pods`, {
        body: podManifest('after-compaction'),
      });
      const ev = await live.next();
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.metadata.resourceVersion, p.metadata.resourceVersion);
    } finally {
      live.close();
    }
  });
});

describe('watch against the byte-bounded watch cache window', () => {
  const { api, server } = useInProcessServer({ storageOptions: { maxHistoryBytes: 1024 * 1024 } });

  it('below the window: 410 Expired; inside it: exactly the later events', async () => {
    const base = '/api/v1/namespaces/default/configmaps';
    const first = await api.expect(201, 'POST', base, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' } },
    });
    const rvs: number[] = [];
    for (let i = 0; i < 12; i++) {
      // 200 KB each: the 1 MiB window holds about five of them.
      const patched = await api.expect(200, 'PATCH', `${base}/big`, {
        body: { metadata: { annotations: { blob: `${i}:`.padEnd(200 * 1024, 'x') } } },
        contentType: 'application/merge-patch+json',
      });
      rvs.push(Number(patched.metadata.resourceVersion));
    }
    const oldRV = Number(first.metadata.resourceVersion);
    assert.ok(oldRV < server().storage.compactedRevision(), 'the first versions left the window');
    const gone = await WatchStream.open(`${server().url}${base}?watch=true&resourceVersion=${oldRV}`);
    try {
      const ev = await gone.next();
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
    } finally {
      gone.close();
    }
    const from = rvs[rvs.length - 3]!;
    const resumed = await WatchStream.open(`${server().url}${base}?watch=true&resourceVersion=${from}`);
    try {
      const seen = [rvOf(await resumed.next()), rvOf(await resumed.next())];
      assert.deepEqual(seen, rvs.slice(-2));
      const next = await api.expect(200, 'PATCH', `${base}/big`, {
        body: { metadata: { annotations: { blob: 'small' } } },
        contentType: 'application/merge-patch+json',
      });
      const live = await resumed.next();
      assert.equal(live.type, 'MODIFIED');
      assert.equal(rvOf(live), Number(next.metadata.resourceVersion));
    } finally {
      resumed.close();
    }
  });
});
