/**
 * Container logs of the simulated kubelet: the bounded per-instance buffer, the reader (tail, since, timestamps,
 * limitBytes, follow), the kubelet's decoding of the query and choice of instance (upstream's error texts), the
 * made-up content, the logs following the pod's life (start, restart with a previous instance, deletion, a
 * restarted controller manager), and the HTTP server (`/containerLogs/...`) against a FakeCluster.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedKubelet, type KubeletOptions } from '../../../../controllers/kubelet/kubelet.js';
import { ContainerLog, truncateUtf8 } from '../../../../controllers/kubelet/log-buffer.js';
import { echoes, imageFamily, startLines, stopLines } from '../../../../controllers/kubelet/log-content.js';
import {
  goBool,
  logTarget,
  parseKubeletLogQuery,
  readContainerLog,
  rfc3339Nano,
  type KubeletLogOptions,
} from '../../../../controllers/kubelet/log-read.js';
import { isLoopback } from '../../../../controllers/kubelet/log-server.js';
import { FakeCluster, nodeObj, podObj, RESOURCES } from './fake-cluster.js';

type Any = Record<string, any>;

const T0 = Date.UTC(2024, 0, 1);

async function readAll(
  log: ContainerLog,
  o: Partial<KubeletLogOptions> = {},
  signal = new AbortController().signal,
): Promise<string> {
  let out = '';
  for await (const chunk of readContainerLog(log, { follow: false, previous: false, timestamps: false, ...o }, signal))
    out += chunk.toString();
  return out;
}

function logOf(lines: string[], running = true): ContainerLog {
  const log = new ContainerLog('containerd://abc', running);
  lines.forEach((l, i) => log.append(l, T0 + i * 1000));
  return log;
}

describe('kubelet logs: the buffer of one instance', () => {
  it('keeps the newest lines within the line limit, and reads from a dropped position at the oldest kept', () => {
    const log = new ContainerLog('c', true, { maxLines: 3, maxBytes: 1 << 20, maxLineBytes: 100 });
    for (let i = 0; i < 5; i++) log.append(`line ${i}`, T0 + i);
    assert.deepEqual(
      log.read().map((l) => [l.seq, l.text]),
      [
        [2, 'line 2'],
        [3, 'line 3'],
        [4, 'line 4'],
      ],
    );
    assert.deepEqual(
      log.read(0).map((l) => l.seq),
      [2, 3, 4],
    );
    assert.deepEqual(
      log.read(4).map((l) => l.seq),
      [4],
    );
    assert.deepEqual(log.read(5), []);
    assert.equal(log.end, 5);
  });

  it('keeps within the byte limit (text + newline), always the newest line', () => {
    const log = new ContainerLog('c', true, { maxLines: 100, maxBytes: 10, maxLineBytes: 100 });
    log.append('aaaa', T0); // 5 bytes
    log.append('bbbb', T0); // 10
    assert.equal(log.size.bytes, 10);
    log.append('cc', T0); // 13 → drops aaaa
    assert.deepEqual(
      log.read().map((l) => l.text),
      ['bbbb', 'cc'],
    );
    log.append('x'.repeat(50), T0);
    assert.deepEqual(
      log.read().map((l) => l.text),
      ['x'.repeat(50)],
    );
  });

  it('cuts long lines without splitting a character, and turns newlines into spaces', () => {
    const log = new ContainerLog('c', true, { maxLines: 10, maxBytes: 1000, maxLineBytes: 5 });
    log.append('héllo world', T0);
    log.append('a\nb', T0);
    assert.deepEqual(
      log.read().map((l) => l.text),
      ['héll', 'a b'],
    );
    assert.equal(truncateUtf8('€€', 4), '€');
  });

  it('never goes back in time: a stamp not after the last moves just after it', () => {
    const log = new ContainerLog('c', true);
    log.append('a', T0 + 10, 5);
    log.append('b', T0 + 5);
    log.append('c', T0 + 10, 5);
    assert.deepEqual(
      log.read().map((l) => [l.ms - T0, l.ns]),
      [
        [10, 5],
        [10, 6],
        [10, 7],
      ],
    );
  });

  it('wakes waiters on append, stop and close; a closed log is empty and takes nothing', async () => {
    const log = new ContainerLog('c', true);
    let woke = 0;
    const w1 = log.changed().then(() => woke++);
    log.append('x', T0);
    await w1;
    const w2 = log.changed().then(() => woke++);
    log.stop();
    await w2;
    assert.equal(log.isRunning, false);
    const w3 = log.changed().then(() => woke++);
    log.close();
    await w3;
    assert.equal(woke, 3);
    log.append('late', T0);
    assert.deepEqual(log.read(), []);
    assert.equal(log.isClosed, true);
  });
});

describe('kubelet logs: reading', () => {
  const five = () => logOf(['one', 'two', 'three', 'four', 'five'], false);

  it('everything, the last N lines, none', async () => {
    assert.equal(await readAll(five()), 'one\ntwo\nthree\nfour\nfive\n');
    assert.equal(await readAll(five(), { tailLines: 2 }), 'four\nfive\n');
    assert.equal(await readAll(five(), { tailLines: 10 }), 'one\ntwo\nthree\nfour\nfive\n');
    assert.equal(await readAll(five(), { tailLines: 0 }), '');
  });

  it('since an instant (tail first, then since, as the kubelet does)', async () => {
    assert.equal(await readAll(five(), { sinceMs: T0 + 3000 }), 'four\nfive\n');
    assert.equal(await readAll(five(), { sinceMs: T0 + 2500, tailLines: 4 }), 'four\nfive\n');
    assert.equal(await readAll(five(), { sinceMs: T0 + 10_000 }), '');
  });

  it('timestamps in RFC 3339 with nanoseconds, trailing zeros dropped', async () => {
    const log = new ContainerLog('c', false);
    log.append('a', T0, 0);
    log.append('b', T0 + 1, 500);
    log.append('c', T0 + 1234, 123_456);
    assert.equal(
      await readAll(log, { timestamps: true }),
      '2024-01-01T00:00:00Z a\n2024-01-01T00:00:00.0010005Z b\n2024-01-01T00:00:01.234123456Z c\n',
    );
    assert.equal(rfc3339Nano(T0 + 999, 999_999), '2024-01-01T00:00:00.999999999Z');
  });

  it('stops after limitBytes, even within a line', async () => {
    assert.equal(await readAll(five(), { limitBytes: 6 }), 'one\ntw');
    assert.equal(await readAll(five(), { limitBytes: 4 }), 'one\n');
  });

  it('follows until the instance stops, and ends at once when the log is thrown away', async () => {
    const log = logOf(['start'], true);
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const c of readContainerLog(
        log,
        { follow: true, previous: false, timestamps: false },
        new AbortController().signal,
      ))
        chunks.push(c.toString());
    })();
    await new Promise((r) => setImmediate(r));
    log.append('more', T0 + 5000);
    await new Promise((r) => setImmediate(r));
    log.append('last', T0 + 6000);
    log.stop();
    await reading;
    assert.equal(chunks.join(''), 'start\nmore\nlast\n');

    const other = logOf(['x'], true);
    const done = readAll(other, { follow: true });
    await new Promise((r) => setImmediate(r));
    other.close();
    assert.equal(await done, 'x\n');
  });

  it('follow with tail 0 shows only new lines; an abort ends it; the byte limit ends it', async () => {
    const log = logOf(['old'], true);
    const abort = new AbortController();
    const reading = readAll(log, { follow: true, tailLines: 0 }, abort.signal);
    await new Promise((r) => setImmediate(r));
    log.append('new', T0 + 10_000);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    assert.equal(await reading, 'new\n');
    const limited = readAll(log, { follow: true, limitBytes: 8 });
    await new Promise((r) => setImmediate(r));
    log.append('newer', T0 + 11_000);
    assert.equal(await limited, 'old\nnew\n');
  });
});

describe('kubelet logs: the query and the instance', () => {
  const q = (s: string) => parseKubeletLogQuery(new URLSearchParams(s), T0 + 100_000);

  it('decodes the options, tail as the old name of tailLines, sinceSeconds against the clock', () => {
    assert.deepEqual(q('follow=true&timestamps=1&previous=false'), { follow: true, previous: false, timestamps: true });
    assert.deepEqual(q('tail=3'), { follow: false, previous: false, timestamps: false, tailLines: 3 });
    assert.deepEqual(q('tailLines=3&tail=all'), { follow: false, previous: false, timestamps: false });
    assert.deepEqual(q('sinceSeconds=10&limitBytes=5'), {
      follow: false,
      previous: false,
      timestamps: false,
      limitBytes: 5,
      sinceMs: T0 + 90_000,
    });
    assert.deepEqual(q('sinceTime=2024-01-01T00:01:00Z'), {
      follow: false,
      previous: false,
      timestamps: false,
      sinceMs: T0 + 60_000,
    });
    assert.equal(goBool('F'), false);
    assert.equal(goBool(''), true);
  });

  it('answers what it cannot decode with 400 and what is invalid with 422, in its own words', () => {
    for (const s of ['tailLines=x', 'limitBytes=1.5', 'sinceTime=yesterday'])
      assert.deepEqual(q(s), { code: 400, body: '{"message": "Unable to decode query."}' }, s);
    for (const s of [
      'tailLines=-1',
      'limitBytes=0',
      'sinceSeconds=0',
      'sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z',
      'stream=Nope',
    ]) {
      assert.deepEqual(q(s), { code: 422, body: '{"message": "Invalid request."}' }, s);
    }
    assert.deepEqual(q('stream=Stdout'), {
      code: 400,
      body: 'unable to return the given log stream: "Stdout". Please enable PodLogsQuerySplitStreams feature gate in kubelet',
    });
  });

  const cs = (state: Any, extra: Any = {}) => ({
    containerStatuses: [{ name: 'c', state, lastState: {}, containerID: 'containerd://run', ...extra }],
  });
  const cases: Array<[string, Any, boolean, Any]> = [
    ['running', cs({ running: {} }), false, { containerID: 'containerd://run' }],
    ['terminated', cs({ terminated: { containerID: 'containerd://t' } }), false, { containerID: 'containerd://t' }],
    [
      'terminated without an id: the last one',
      cs({ terminated: {} }, { lastState: { terminated: { containerID: 'containerd://l' } } }),
      false,
      { containerID: 'containerd://l' },
    ],
    ['terminated without any id', cs({ terminated: {} }), false, { error: 'container "c" in pod "p" is terminated' }],
    [
      'waiting after a run: the last one',
      cs(
        { waiting: { reason: 'ContainerCreating' } },
        { lastState: { terminated: { containerID: 'containerd://l' } } },
      ),
      false,
      { containerID: 'containerd://l' },
    ],
    [
      'ContainerCreating',
      cs({ waiting: { reason: 'ContainerCreating' } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: ContainerCreating' },
    ],
    [
      'PodInitializing',
      cs({ waiting: { reason: 'PodInitializing' } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: PodInitializing' },
    ],
    [
      'ErrImagePull',
      cs({ waiting: { reason: 'ErrImagePull' } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: image can\'t be pulled' },
    ],
    [
      'ImagePullBackOff',
      cs({ waiting: { reason: 'ImagePullBackOff' } }),
      false,
      { error: 'container "c" in pod "p" is waiting to start: trying and failing to pull image' },
    ],
    ['no state', cs({}), false, { error: 'container "c" in pod "p" is waiting to start - no logs yet' }],
    ['no status', {}, false, { error: 'container "c" in pod "p" is not available' }],
    [
      'previous',
      cs({ running: {} }, { lastState: { terminated: { containerID: 'containerd://l' } } }),
      true,
      { containerID: 'containerd://l' },
    ],
    [
      'previous without one',
      cs({ running: {} }),
      true,
      { error: 'previous terminated container "c" in pod "p" not found' },
    ],
    [
      'an init container',
      { initContainerStatuses: [{ name: 'c', state: { terminated: { containerID: 'containerd://i' } } }] },
      false,
      { containerID: 'containerd://i' },
    ],
  ];
  for (const [name, status, previous, want] of cases) {
    it(`chooses the instance: ${name}`, () => assert.deepEqual(logTarget('p', status, 'c', previous), want));
  }

  it('binds loopback only', () => {
    assert.deepEqual(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '0.0.0.0', '10.0.0.1'].map(isLoopback), [
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('kubelet logs: what containers write', () => {
  const facts = (image: string, extra: Any = {}) => ({
    name: 'c',
    image,
    containerID: 'containerd://0123456789abcdef',
    ...extra,
  });

  it('every instance says it is simulated, with its image, id and command', () => {
    const lines = startLines(facts('example.com/app:1', { command: ['/app'], args: ['--port', '80'] }), T0);
    assert.deepEqual(
      lines.map((l) => l.text),
      [
        '[kube-emulator] container "c" started (simulated, no process runs): image example.com/app:1, id 0123456789ab, command ["/app" "--port" "80"]',
      ],
    );
    assert.deepEqual(
      stopLines(facts('example.com/app:1'), T0, 'deleted').map((l) => l.text),
      ['[kube-emulator] container "c" stopped: the pod is being deleted (exit code 0)'],
    );
    assert.deepEqual(
      stopLines(facts('x'), T0, 'restarted').map((l) => l.text),
      ['[kube-emulator] container "c" stopped: its definition changed, it will be restarted (exit code 0)'],
    );
  });

  it('well-known images add lines shaped like their own', () => {
    assert.deepEqual(
      [
        'nginx:1.10.0',
        'fluent/fluentd:v0.14.10',
        'k8s.gcr.io/fluentd-elasticsearch:1.20',
        'redis',
        'busybox',
        'registry.k8s.io/pause:3.9',
        'ubuntu',
      ].map(imageFamily),
      ['nginx', 'fluentd', 'fluentd', 'redis', 'busybox', 'pause', undefined],
    );
    const nginx = startLines(facts('nginx:1.10.0'), T0).map((l) => l.text);
    assert.ok(nginx.includes('2024/01/01 00:00:00 [notice] 1#1: nginx/1.10.0'), nginx.join('\n'));
    const fluentd = startLines(facts('fluent/fluentd:v0.14.10'), T0).map((l) => l.text);
    assert.ok(
      fluentd.some((l) => l.endsWith('[info]: starting fluentd-0.14.10 pid=7 ruby="3.2.2"')),
      fluentd.join('\n'),
    );
    assert.ok(startLines(facts('redis:7'), T0).some((l) => l.text.includes('Ready to accept connections')));
    assert.deepEqual(
      stopLines(facts('nginx'), T0, 'deleted').map((l) => l.text)[0],
      '2024/01/01 00:00:00 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down',
    );
  });

  it('a shell image prints what its script echoes', () => {
    assert.deepEqual(echoes(['sh', '-c', 'echo hello; echo "two words" && sleep 3600']), ['hello', 'two words']);
    assert.deepEqual(echoes(['echo', 'a', 'b']), ['a b']);
    assert.deepEqual(echoes(['sh', '-c', 'echo $HOME; echo ok']), ['ok']);
    assert.deepEqual(
      startLines(facts('busybox', { command: ['sh', '-c', 'echo hi; sleep 1'] }), T0)
        .slice(1)
        .map((l) => l.text),
      ['hi'],
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The kubelet: logs following the pods, and its HTTP server.

const running: Array<{ stop: AbortController; done: Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.stop.abort();
    await r.done;
  }
});

function start(
  opts: { nodes?: Any[]; pods?: Any[]; kubelet?: KubeletOptions; cluster?: FakeCluster; serve?: boolean } = {},
) {
  const cluster = opts.cluster ?? new FakeCluster();
  for (const n of opts.nodes ?? []) cluster.seed(RESOURCES.nodes, n as never);
  for (const p of opts.pods ?? []) cluster.seed(RESOURCES.pods, p as never);
  const kubelet = new SimulatedKubelet(cluster.context(1), {
    ...(opts.serve ? { serve: { address: '127.0.0.1', port: 0 } } : {}),
    ...opts.kubelet,
  });
  const stop = new AbortController();
  const done = kubelet.run(stop.signal);
  running.push({ stop, done });
  return { cluster, kubelet, stop, done };
}

const podOf = (c: FakeCluster, name = 'p') => c.object(RESOURCES.pods, 'default', name) as Any;
const texts = (log: ContainerLog | undefined) => (log ? log.read().map((l) => l.text) : undefined);
function instance(
  k: SimulatedKubelet,
  c: FakeCluster,
  container = 'app',
  which: 'current' | 'previous' = 'current',
  name = 'p',
): ContainerLog | undefined {
  const p = podOf(c, name);
  const cs = [...(p.status.containerStatuses ?? []), ...(p.status.initContainerStatuses ?? [])].find(
    (s: Any) => s.name === container,
  );
  const id =
    which === 'current' ? (cs.containerID ?? cs.state.terminated?.containerID) : cs.lastState.terminated?.containerID;
  return k.containerLog(p as never, container, id);
}

describe('kubelet logs: following the pod', () => {
  it('a container that starts gets its start lines, stamped with its start', async () => {
    const { cluster, kubelet } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1', ['nginx:1.27'])] });
    await cluster.tick(3000);
    const log = instance(kubelet, cluster)!;
    assert.equal(log.isRunning, true);
    const lines = log.read();
    assert.match(
      lines[0]!.text,
      /^\[kube-emulator\] container "app" started \(simulated, no process runs\): image docker\.io\/library\/nginx:1\.27, id [0-9a-f]{12}$/,
    );
    const started = Date.parse(podOf(cluster).status.containerStatuses[0].state.running.startedAt);
    assert.equal(Math.floor(lines[0]!.ms / 1000) * 1000, started);
    assert.ok(lines.some((l) => l.text.endsWith('[notice] 1#1: start worker processes')));
  });

  it('a changed image: the old instance ends with its stop line and becomes the previous one', async () => {
    const { cluster, kubelet } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1', ['nginx:1'])] });
    await cluster.tick(3000);
    const first = instance(kubelet, cluster)!;
    const before = podOf(cluster);
    await cluster.update(RESOURCES.pods, 'default', {
      ...before,
      spec: { ...before.spec, containers: [{ name: 'app', image: 'redis:7' }] },
    } as never);
    await cluster.tick(3000);
    const previous = instance(kubelet, cluster, 'app', 'previous')!;
    assert.equal(previous, first);
    assert.equal(previous.isRunning, false);
    assert.equal(
      texts(previous)!.at(-1),
      '[kube-emulator] container "app" stopped: its definition changed, it will be restarted (exit code 0)',
    );
    assert.ok(texts(previous)!.some((l) => l.includes('nginx/1')));
    const current = instance(kubelet, cluster)!;
    assert.ok(current.isRunning);
    assert.match(texts(current)![0]!, /image docker\.io\/library\/redis:7/);
  });

  it('deletion stops the instance (its followers end) and the logs go with the pod', async () => {
    const { cluster, kubelet } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1')] });
    await cluster.tick(3000);
    const log = instance(kubelet, cluster)!;
    const following = readAll(log, { follow: true });
    await cluster.delete(RESOURCES.pods, 'default', 'p', {});
    await cluster.settle();
    assert.equal(log.isRunning, false);
    assert.match(await following, /container "app" stopped: the pod is being deleted \(exit code 0\)\n$/);
    assert.equal(kubelet.logs.podCount, 1);
    await cluster.tick(2000);
    assert.equal(podOf(cluster), undefined);
    assert.equal(kubelet.logs.podCount, 0);
    assert.equal(log.isClosed, true);
  });

  it('init containers have the log of a completed run', async () => {
    const { cluster, kubelet } = start({
      nodes: [nodeObj('n1')],
      pods: [
        podObj('p', 'n1', ['nginx'], {
          spec: { initContainers: [{ name: 'setup', image: 'busybox', command: ['echo', 'ready'] }] },
        }),
      ],
    });
    await cluster.tick(3000);
    assert.deepEqual(texts(instance(kubelet, cluster, 'setup'))!.slice(1), [
      'ready',
      '[kube-emulator] init container "setup" completed (exit code 0)',
    ]);
  });

  it('a restarted controller manager rebuilds the logs of running and previous instances', async () => {
    const { cluster, kubelet, stop, done } = start({ nodes: [nodeObj('n1')], pods: [podObj('p', 'n1', ['nginx:1'])] });
    await cluster.tick(3000);
    const before = podOf(cluster);
    await cluster.update(RESOURCES.pods, 'default', {
      ...before,
      spec: { ...before.spec, containers: [{ name: 'app', image: 'nginx:2' }] },
    } as never);
    await cluster.tick(3000);
    const current = texts(instance(kubelet, cluster));
    const previous = texts(instance(kubelet, cluster, 'app', 'previous'));
    stop.abort();
    await done;
    const again = start({ cluster }).kubelet;
    await cluster.tick(100);
    assert.deepEqual(texts(instance(again, cluster)), current);
    // The previous instance's start and stop are rebuilt from the status, which does not say what image it ran.
    const rebuilt = texts(instance(again, cluster, 'app', 'previous'))!;
    assert.deepEqual(
      [rebuilt[0], rebuilt.at(-1)],
      [previous![0]!.replace('image docker.io/library/nginx:1, ', ''), previous!.at(-1)],
    );
    assert.deepEqual(rebuilt.length, 2);
  });
});

describe('kubelet logs: the HTTP server', () => {
  async function serving(pods: Any[]) {
    const ctx = start({ nodes: [nodeObj('n1')], pods, serve: true });
    for (let i = 0; i < 200 && !ctx.kubelet.serverEndpoint; i++) await new Promise((r) => setTimeout(r, 5));
    const port = ctx.kubelet.serverEndpoint!.port;
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };
    return { ...ctx, port, get };
  }

  it('reports its address and port in every node status (InternalDNS, kubeletEndpoint)', async () => {
    const { cluster, port, get } = await serving([]);
    await cluster.settle();
    const n = cluster.object(RESOURCES.nodes, undefined, 'n1') as Any;
    assert.deepEqual(n.status.daemonEndpoints, { kubeletEndpoint: { Port: port } });
    assert.deepEqual(n.status.addresses, [
      { type: 'InternalIP', address: '10.128.0.2' },
      { type: 'InternalDNS', address: '127.0.0.1' },
      { type: 'Hostname', address: 'n1' },
    ]);
    assert.deepEqual(await get('/healthz'), { status: 200, type: 'text/plain; charset=utf-8', text: 'ok' });
    assert.equal((await get('/containerLogs/default/p')).status, 404);
  });

  it('serves a running container with the query applied', async () => {
    const { cluster, get } = await serving([
      podObj('p', 'n1', ['busybox'], {
        spec: { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo a; echo b; echo c'] }] },
      }),
    ]);
    await cluster.tick(3000);
    const all = await get('/containerLogs/default/p/app');
    assert.equal(all.status, 200);
    assert.equal(all.type, 'text/plain; charset=utf-8');
    assert.match(all.text, /^\[kube-emulator\] container "app" started .*\na\nb\nc\n$/);
    assert.equal((await get('/containerLogs/default/p/app?tailLines=2')).text, 'b\nc\n');
    assert.equal((await get('/containerLogs/default/p/app?tail=1&limitBytes=1')).text, 'c');
    assert.match(
      (await get('/containerLogs/default/p/app?tailLines=1&timestamps=true')).text,
      /^2024-01-01T00:00:0\d\.\d+Z c\n$/,
    );
    assert.equal((await get('/containerLogs/default/p/app?sinceTime=2030-01-01T00:00:00Z')).text, '');
  });

  it("answers with the kubelet's codes and texts", async () => {
    const { cluster, get } = await serving([podObj('p', 'n1'), podObj('bad', 'n1', ['foo:non-existent'])]);
    await cluster.tick(100);
    assert.deepEqual(await get('/containerLogs/default/p/app'), {
      status: 400,
      type: 'text/plain; charset=utf-8',
      text: 'container "app" in pod "p" is waiting to start: ContainerCreating',
    });
    await cluster.tick(3000);
    assert.deepEqual(await get('/containerLogs/default/nope/app'), {
      status: 404,
      type: 'text/plain; charset=utf-8',
      text: 'pod "nope" does not exist',
    });
    assert.deepEqual(await get('/containerLogs/default/p/other'), {
      status: 404,
      type: 'text/plain; charset=utf-8',
      text: 'container "other" not found in pod "p"',
    });
    assert.deepEqual(await get('/containerLogs/default/p/app?previous=true'), {
      status: 400,
      type: 'text/plain; charset=utf-8',
      text: 'previous terminated container "app" in pod "p" not found',
    });
    assert.equal((await get('/containerLogs/default/p/app?tailLines=-1')).status, 422);
    assert.equal((await get('/containerLogs/default/p/app?tailLines=x')).status, 400);
    assert.equal(
      (await get('/containerLogs/default/bad/app')).text,
      'container "app" in pod "bad" is waiting to start: trying and failing to pull image',
    );
    const res = await fetch(`http://127.0.0.1:${(await serving([])).port}/containerLogs/default/p/app`, {
      method: 'POST',
    });
    assert.equal(res.status, 405);
  });

  it("an image that fails to pull: image can't be pulled", async () => {
    const { cluster, get } = await serving([podObj('bad', 'n1', ['foo:non-existent'])]);
    await cluster.tick(1600);
    assert.equal(podOf(cluster, 'bad').status.containerStatuses[0].state.waiting.reason, 'ErrImagePull');
    assert.equal(
      (await get('/containerLogs/default/bad/app')).text,
      'container "app" in pod "bad" is waiting to start: image can\'t be pulled',
    );
  });

  it('a follow stream ends when the pod is deleted; too many streams get 429', async () => {
    const ctx = start({
      nodes: [nodeObj('n1')],
      pods: [podObj('p', 'n1')],
      kubelet: { serve: { address: '127.0.0.1', port: 0, maxStreams: 1 } },
    });
    for (let i = 0; i < 200 && !ctx.kubelet.serverEndpoint; i++) await new Promise((r) => setTimeout(r, 5));
    const base = `http://127.0.0.1:${ctx.kubelet.serverEndpoint!.port}/containerLogs/default/p/app`;
    await ctx.cluster.tick(3000);
    const res = await fetch(`${base}?follow=true`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /container "app" started/);
    const second = await fetch(base);
    assert.deepEqual([second.status, await second.text()], [429, 'too many concurrent log streams, try again later']);
    await ctx.cluster.delete(RESOURCES.pods, 'default', 'p', {});
    await ctx.cluster.settle();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      text += new TextDecoder().decode(r.value);
    }
    assert.match(text, /container "app" stopped: the pod is being deleted \(exit code 0\)\n$/);
    for (let i = 0; i < 100 && ctx.kubelet.logs.podCount && ctx.cluster.object(RESOURCES.pods, 'default', 'p'); i++)
      await ctx.cluster.tick(100);
    assert.equal((await fetch(base)).status, 404);
  });
});
