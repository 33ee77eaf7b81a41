/**
 * The controller manager against a real API server in this process: components are created with the shared
 * context, run only after the caches synced, nodes are ensured, events and informers work over HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../apimachinery/objects.js';
import { HttpApiClient } from '../../../../controllers/machinery/client.js';
import { silentLogger } from '../../../../controllers/machinery/logging.js';
import { NAME_SUFFIX_ALPHABET, nodeManifest, poolId, randomSuffix } from '../../../../controllers/machinery/nodes.js';
import {
  RESOURCES,
  type Component,
  type ComponentFactory,
  type ControllerContext,
} from '../../../../controllers/machinery/types.js';
import { type ControllerManagerOptions, startControllerManager } from '../../../../controllers/manager.js';
import { podManifest } from '../../../helpers/http.js';
import { startInProcess, type InProcessServer } from '../../../helpers/server.js';

/** Polls `check` every 20 ms until it returns a truthy value or `ms` pass. */
async function eventually<T>(check: () => Promise<T> | T, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A seeded generator, so node names are reproducible. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** Resolves when `signal` aborts: a component's run that only waits for the shutdown. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
}

/** A client of `url` that tells `record` of each list and create it sends, in the order it sends them. */
function tracingClient(url: string, record: (verb: 'list' | 'create', resource: string) => void): HttpApiClient {
  const tracing = new HttpApiClient({ server: url });
  const list = tracing.list.bind(tracing);
  const create = tracing.create.bind(tracing);
  tracing.list = ((...args: Parameters<typeof list>) => {
    record('list', args[0].resource);
    return list(...args);
  }) as typeof tracing.list;
  tracing.create = ((...args: Parameters<typeof create>) => {
    record('create', args[0].resource);
    return create(...args);
  }) as typeof tracing.create;
  return tracing;
}

describe('startControllerManager', () => {
  let server: InProcessServer;
  let client: HttpApiClient;

  before(async () => {
    server = await startInProcess();
    client = new HttpApiClient({ server: server.url });
  });
  after(async () => {
    await server.close();
  });

  /** A controller manager of one component over `tracing`, at speed 1 with one worker, seeded by this server's URL. */
  const startTraced = (
    tracing: HttpApiClient,
    factory: ComponentFactory,
    opts: Pick<ControllerManagerOptions, 'nodes' | 'random' | 'signal'>,
  ) =>
    startControllerManager({
      client: tracing,
      log: silentLogger,
      speed: 1,
      workers: 1,
      components: [factory],
      clusterSeed: server.url,
      ...opts,
    });

  it('creates components with the context, syncs, ensures nodes, then runs the components until aborted', async () => {
    await client.create(RESOURCES.pods, 'default', podManifest('existing'));
    const seen: string[] = [];
    let context: ControllerContext | undefined;
    let stopped = false;
    const factory: ComponentFactory = (ctx) => {
      context = ctx;
      const pods = ctx.informers.informer(RESOURCES.pods);
      pods.on({ add: (p) => seen.push(`add ${p.metadata.name}`) });
      return {
        name: 'probe',
        async run(signal) {
          seen.push(`run synced=${pods.hasSynced()} cached=${pods.lister.list('default').length}`);
          await untilAborted(signal);
          stopped = true;
        },
      };
    };
    const abort = new AbortController();
    const cm = await startControllerManager({
      client,
      log: silentLogger,
      speed: 0.5,
      workers: 3,
      components: [factory],
      nodes: 3,
      clusterSeed: server.url,
      random: seeded(1),
      signal: abort.signal,
    });
    assert.equal(context!.speed, 0.5);
    assert.equal(context!.workers, 3);
    assert.equal(context!.recorder('x'), context!.recorder('x'), 'one recorder per component');
    assert.notEqual(context!.recorder('x'), context!.recorder('x', 'node-1'));
    assert.deepEqual(seen, ['add existing', 'run synced=true cached=1']);

    assert.equal(cm.createdNodes.length, 3);
    const nodes = (await client.list(RESOURCES.nodes)).items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), [...cm.createdNodes].sort());
    const pool = poolId([], server.url);
    for (const n of nodes) {
      assert.match(n.metadata.name!, new RegExp(`^k0-default-pool-${pool}-[${NAME_SUFFIX_ALPHABET}]{4}$`));
      assert.deepEqual(n.metadata.labels, {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.metadata.name,
        'kubernetes.io/os': 'linux',
      });
    }

    // the informer keeps following the server over HTTP
    await client.create(RESOURCES.pods, 'default', podManifest('later'));
    await eventually(() => seen.includes('add later'));

    // events through the context's recorder land on the server
    context!.recorder('probe').event(nodes[0]!, 'Normal', 'Testing', 'hello');
    const ev = await eventually(
      async () =>
        (await client.list(RESOURCES.events, { namespace: 'default', fieldSelector: 'reason=Testing' })).items[0],
    );
    assert.equal((ev as KubeObject & { source: { component: string } }).source.component, 'probe');

    abort.abort();
    await cm.done;
    assert.equal(stopped, true);
  });

  it('gives components a background client apart from their own, busy while their requests are many', async () => {
    let open!: () => void;
    let gate: Promise<void> | undefined = new Promise<void>((r) => (open = r));
    class Gated extends HttpApiClient {
      override async get<T extends KubeObject = KubeObject>(...args: Parameters<HttpApiClient['get']>): Promise<T> {
        if (gate) await gate;
        return super.get<T>(...args);
      }
    }
    let context: ControllerContext | undefined;
    const abort = new AbortController();
    const cm = await startControllerManager({
      client: new Gated({ server: server.url }),
      log: silentLogger,
      speed: 1,
      workers: 1,
      components: [
        (ctx) => {
          context = ctx;
          return { name: 'probe', run: untilAborted };
        },
      ],
      signal: abort.signal,
    });
    const bg = context!.background!;
    const get = (c: typeof bg.client) => c.get(RESOURCES.namespaces, undefined, 'default').catch(() => undefined);
    assert.equal(bg.busy(), false);
    const background = Array.from({ length: 10 }, () => get(bg.client));
    assert.equal(bg.busy(), false, "the background client's requests are not the components'");
    const foreground = Array.from({ length: 8 }, () => get(context!.client));
    assert.equal(bg.busy(), true, "8 of the components' requests in flight");
    open();
    gate = undefined;
    await Promise.all([...background, ...foreground]);
    assert.equal(bg.busy(), true, 'busy a while after they end');
    await eventually(() => !bg.busy(), 2_000);
    abort.abort();
    await cm.done;
  });

  it('keeps the pool of existing nodes and only adds what is missing', async () => {
    const before = (await client.list(RESOURCES.nodes)).items.map((n) => n.metadata.name!);
    const run = async (nodes: number) => {
      const abort = new AbortController();
      const cm = await startControllerManager({
        client,
        log: silentLogger,
        speed: 1,
        workers: 1,
        components: [],
        nodes,
        clusterSeed: 'another-url',
        random: seeded(2),
        signal: abort.signal,
      });
      abort.abort();
      await cm.done;
      return cm.createdNodes;
    };
    assert.deepEqual(await run(3), [], 'three exist already');
    const added = await run(5);
    assert.equal(added.length, 2);
    const pool = poolId(before, 'ignored');
    for (const name of added) assert.ok(name.startsWith(`k0-default-pool-${pool}-`), `${name} joins the existing pool`);
  });

  it('holds event writes back while it registers the nodes', async () => {
    const order: string[] = [];
    const tracing = tracingClient(server.url, (verb, resource) => {
      if (verb === 'create') order.push(resource);
    });
    const factory: ComponentFactory = (ctx) => ({
      name: 'registrar',
      async nodeRegistration() {
        return {
          existing: () => {},
          manifest: (name: string) => nodeManifest(name),
          created: (node: KubeObject) =>
            ctx.recorder('kubelet', node.metadata.name).event(node, 'Normal', 'NodeReady', 'ready'),
          failed: () => {},
        };
      },
      run: untilAborted,
    });
    const existing = (await client.list(RESOURCES.nodes)).items.length;
    const abort = new AbortController();
    const cm = await startTraced(tracing, factory, { nodes: existing + 40, random: seeded(3), signal: abort.signal });
    assert.equal(cm.createdNodes.length, 40);
    await eventually(() => order.filter((r) => r === 'events').length === 40);
    assert.deepEqual(order, [...Array(40).fill('nodes'), ...Array(40).fill('events')]);
    abort.abort();
    await cm.done;
  });

  it("sends the nodes' creates before the informers' lists, so that the server answers them first", async () => {
    const order: string[] = [];
    const tracing = tracingClient(server.url, (verb, resource) => order.push(`${verb} ${resource}`));
    const factory: ComponentFactory = (ctx) => {
      ctx.informers.informer(RESOURCES.pods);
      return {
        name: 'probe',
        run: untilAborted,
      };
    };
    const existing = (await client.list(RESOURCES.nodes)).items.length;
    const abort = new AbortController();
    const cm = await startTraced(tracing, factory, { nodes: existing + 3, random: seeded(4), signal: abort.signal });
    try {
      assert.equal(cm.createdNodes.length, 3);
      assert.deepEqual(order.slice(0, 5), ['list nodes', 'create nodes', 'create nodes', 'create nodes', 'list pods']);
    } finally {
      abort.abort();
      await cm.done;
    }

    // without nodes to register, the informers start at once
    order.length = 0;
    const again = new AbortController();
    const none = await startTraced(tracing, factory, { nodes: 0, signal: again.signal });
    try {
      assert.deepEqual(order, ['list pods']);
    } finally {
      again.abort();
      await none.done;
    }
  });

  it('stops everything and rejects done when a component fails', async () => {
    let otherSawAbort = false;
    const failing: ComponentFactory = () => ({ name: 'failing', run: async () => Promise.reject(new Error('boom')) });
    const other: ComponentFactory = (): Component => ({
      name: 'other',
      run: (signal) =>
        new Promise<void>((r) => signal.addEventListener('abort', () => ((otherSawAbort = true), r()), { once: true })),
    });
    const cm = await startControllerManager({
      client,
      log: silentLogger,
      speed: 1,
      workers: 1,
      components: [other, failing],
      signal: new AbortController().signal,
    });
    await assert.rejects(cm.done, /boom/);
    assert.equal(otherSawAbort, true);
  });

  it('validates its options; a factory error fails the start', async () => {
    const base = { client, log: silentLogger, components: [], signal: new AbortController().signal };
    await assert.rejects(startControllerManager({ ...base, speed: 0, workers: 1 }), /speed/);
    await assert.rejects(startControllerManager({ ...base, speed: 1, workers: 1.5 }), /workers/);
    await assert.rejects(startControllerManager({ ...base, speed: 1, workers: 1, nodes: -1 }), /nodes/);
    const bad: ComponentFactory = () => {
      throw new Error('cannot build');
    };
    await assert.rejects(startControllerManager({ ...base, speed: 1, workers: 1, components: [bad] }), /cannot build/);
  });
});

describe('node names', () => {
  it('takes the pool id of an existing pool node, else a hash of the seed', () => {
    assert.equal(poolId(['other', 'k0-default-pool-35609c18-z7tb'], 'x'), '35609c18');
    assert.match(poolId(['worker-1'], 'http://127.0.0.1:8080'), /^[0-9a-f]{8}$/);
    assert.equal(poolId([], 'same'), poolId([], 'same'));
    assert.notEqual(poolId([], 'a'), poolId([], 'b'));
  });
  it('suffixes from the upstream alphabet', () => {
    assert.equal(
      randomSuffix(() => 0),
      'bbbb',
    );
    assert.equal(
      randomSuffix(() => 0.9999),
      '9999',
    );
    assert.equal(nodeManifest('n').metadata.labels!['kubernetes.io/hostname'], 'n');
  });
});
