/**
 * A shared informer over HTTP against a real API server: a watch cut off while the store is compacted
 * comes back with 410 Expired, and the relist brings the cache (and the handlers) up to date.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { realClock } from '../../../../controllers/machinery/clock.js';
import { HttpApiClient } from '../../../../controllers/machinery/client.js';
import { SharedInformer } from '../../../../controllers/machinery/informer.js';
import { silentLogger } from '../../../../controllers/machinery/logging.js';
import {
  RESOURCES,
  type ApiClient,
  type WatchEvent,
  type WatchOptions,
} from '../../../../controllers/machinery/types.js';
import { podManifest } from '../../../helpers/http.js';
import { startInProcess, type InProcessServer } from '../../../helpers/server.js';

async function eventually(check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The real client, with watches the test can cut and hold back. */
class CuttableClient {
  cut = new AbortController();
  gate: Promise<void> = Promise.resolve();
  readonly watchRVs: string[] = [];
  constructor(readonly inner: HttpApiClient) {}

  asApiClient(): ApiClient {
    const inner = this.inner;
    const self = this;
    return {
      list: inner.list.bind(inner),
      get: inner.get.bind(inner),
      create: inner.create.bind(inner),
      update: inner.update.bind(inner),
      patch: inner.patch.bind(inner),
      delete: inner.delete.bind(inner),
      watch<T extends KubeObject>(ref: typeof RESOURCES.pods, opts: WatchOptions): AsyncIterable<WatchEvent<T>> {
        return (async function* () {
          await self.gate;
          self.watchRVs.push(opts.resourceVersion);
          const signal = AbortSignal.any([opts.signal, self.cut.signal]);
          yield* inner.watch<T>(ref, { ...opts, signal });
        })();
      },
    };
  }
}

describe('SharedInformer over HTTP', () => {
  let server: InProcessServer;
  let http: HttpApiClient;
  const ns = 'informer-http';

  before(async () => {
    server = await startInProcess();
    http = new HttpApiClient({ server: server.url });
    await http.create(RESOURCES.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });
  after(async () => {
    await server.close();
  });

  it('follows changes, and relists after a 410 when its resourceVersion was compacted away', async () => {
    await http.create(RESOURCES.pods, ns, podManifest('keep'));
    await http.create(RESOURCES.pods, ns, podManifest('lost'));
    const cuttable = new CuttableClient(http);
    const informer = new SharedInformer({
      client: cuttable.asApiClient(),
      ref: RESOURCES.pods,
      clock: realClock,
      log: silentLogger,
      backoff: { initialMs: 10, maxMs: 50 },
      shortWatchMs: 0,
    });
    const seen: string[] = [];
    informer.on({
      add: (o) => seen.push(`add ${o.metadata.name}`),
      update: (_, o) => seen.push(`update ${o.metadata.name}`),
      delete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    const abort = new AbortController();
    const done = informer.run(abort.signal);
    try {
      await eventually(() => informer.hasSynced() && cuttable.watchRVs.length === 1);
      await http.create(RESOURCES.pods, ns, podManifest('live'));
      await eventually(() => seen.includes('add live'));

      // Cut the watch and hold the next one back while the store moves on and forgets its history.
      let release!: () => void;
      cuttable.gate = new Promise<void>((r) => (release = r));
      cuttable.cut.abort();
      cuttable.cut = new AbortController();
      const lastRV = informer.resourceVersion;
      await http.delete(RESOURCES.pods, ns, 'lost', { gracePeriodSeconds: 0 });
      await http.patch(RESOURCES.pods, ns, 'keep', 'merge', { metadata: { labels: { changed: 'yes' } } });
      await http.create(RESOURCES.pods, ns, podManifest('new'));
      await server.storage.compact(await server.storage.currentRevision());
      release();

      await eventually(() => seen.includes('delete lost') && seen.includes('add new') && seen.includes('update keep'));
      assert.equal(cuttable.watchRVs[1], lastRV, 'it first re-watched from where it was');
      assert.ok(cuttable.watchRVs.length >= 3, 'then relisted and watched again');
      assert.deepEqual(
        informer.lister
          .list(ns)
          .map((p) => p.metadata.name)
          .sort(),
        ['keep', 'live', 'new'],
      );
      assert.equal(informer.lister.get(ns, 'keep')!.metadata.labels!.changed, 'yes');

      await http.create(RESOURCES.pods, ns, podManifest('after'));
      await eventually(() => seen.includes('add after'));
    } finally {
      abort.abort();
      await done;
    }
  });
});
