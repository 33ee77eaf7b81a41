/**
 * `GET /api/v1/namespaces/<ns>/pods/<name>/log` over HTTP, end to end: an API server in-process, the simulated
 * kubelet run by the real controller manager (HTTP client, informers) serving `/containerLogs` on 127.0.0.1, and
 * nodes reporting where it listens. Every query parameter, every error of kube-apiserver and of the kubelet (texts
 * and codes as upstream's), streaming with `follow` until the pod goes, the client's disconnect closing the
 * kubelet's stream, and the bound on open streams.
 *
 * The kubelet runs at speed 0.05 with slow starts and pulls (each container is ContainerCreating for about 1 s, an
 * image that cannot be pulled is ErrImagePull for 1 s, then in back-off for 3 s), so that every waiting state can be
 * asked about.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubelet, SimulatedKubelet } from '../../controllers/kubelet/index.js';
import { HttpApiClient } from '../../controllers/machinery/client.js';
import type { Logger } from '../../controllers/machinery/types.js';
import { startControllerManager, type RunningControllerManager } from '../../controllers/manager.js';
import { Api, sleep, type Json, assertFailureStatus } from '../helpers/http.js';
import { startInProcess, type InProcessServer } from '../helpers/server.js';

const quiet: Logger = {
  debug() {},
  info() {},
  warn: (o, m) => void (process.env.DEBUG_TESTS && console.log('WARN', m, JSON.stringify(o))),
  error: (o, m) => void (process.env.DEBUG_TESTS && console.log('ERROR', m, JSON.stringify(o))),
  child: () => quiet,
};
const NS = 'logs-test';
const NODE = 'logs-node';
const pods = `/api/v1/namespaces/${NS}/pods`;
const logOf = (pod: string, query = '') => `${pods}/${pod}/log${query ? `?${query}` : ''}`;
/** The API server's bound on open kubelet streams, small to be reached here. */
const MAX_STREAMS = 4;

async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await sleep(20);
  }
}

describe('pods/log', () => {
  let srv: InProcessServer;
  let api: Api;
  let cm: RunningControllerManager;
  let kl: SimulatedKubelet;
  const stop = new AbortController();

  const container = (name: string, image: string, extra: Json = {}) => ({ name, image, ...extra });
  async function createPod(name: string, containers: Json[], extra: Json = {}): Promise<Json> {
    const spec = { nodeName: NODE, containers, terminationGracePeriodSeconds: 1, ...extra };
    return api.expect(201, 'POST', pods, {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels: { app: 'logs' } }, spec },
    });
  }
  const podStatus = async (name: string): Promise<Json> => (await api.get(`${pods}/${name}`)).body;
  const running = (name: string) =>
    eventually(`${name} running`, async () => {
      const p = await podStatus(name);
      return p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((c: Json) => c.state.running)
        ? p
        : undefined;
    });

  before(async () => {
    srv = await startInProcess({ kubelet: { maxStreams: MAX_STREAMS } });
    api = new Api(srv.url);
    await api.createNamespace(NS);
    await api.expect(201, 'POST', '/api/v1/nodes', {
      body: { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } },
    });
    cm = await startControllerManager({
      client: new HttpApiClient({ server: srv.url }),
      log: quiet,
      speed: 0.05,
      workers: 2,
      components: [
        (ctx) =>
          kubelet(ctx, {
            timings: {
              startMinMs: 20_000,
              startMaxMs: 20_000,
              pullFailureMs: 1000,
              errImagePullToBackOffMs: 20_000,
              pullBackOffBaseMs: 60_000,
            },
          }),
      ],
      kubeletServer: { address: '127.0.0.1', port: 0 },
      signal: stop.signal,
    });
    kl = cm.components.find((c) => c instanceof SimulatedKubelet) as SimulatedKubelet;
    await eventually('the node reports its kubelet', async () => {
      const n = (await api.get(`/api/v1/nodes/${NODE}`)).body;
      return (
        n.status?.daemonEndpoints?.kubeletEndpoint?.Port === kl.serverEndpoint?.port &&
        n.status.addresses.some((a: Json) => a.type === 'InternalDNS')
      );
    });
    await Promise.all([
      createPod('one', [container('web', 'nginx:1.27')]),
      createPod(
        'multi',
        [
          container('web', 'nginx'),
          container('side', 'busybox', { command: ['sh', '-c', 'echo first; echo second; echo third; sleep 3600'] }),
        ],
        {
          initContainers: [container('init', 'busybox', { command: ['echo', 'initialized'] })],
        },
      ),
    ]);
    await Promise.all([running('one'), running('multi')]);
  });

  after(async () => {
    stop.abort();
    await cm?.done.catch(() => {});
    await srv?.close();
  });

  it('is in discovery as upstream lists it: pods/log, kind Pod, verb get', async () => {
    const legacy = (await api.expect(200, 'GET', '/api/v1')).resources.find((r: Json) => r.name === 'pods/log');
    assert.deepEqual(legacy, { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
    const agg = await api.expect(200, 'GET', '/api', {
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' },
    });
    const pod = agg.items[0].versions[0].resources.find((r: Json) => r.resource === 'pods');
    assert.deepEqual(
      pod.subresources.map((s: Json) => s.subresource),
      ['binding', 'eviction', 'log', 'status'],
    );
    assert.deepEqual(pod.subresources[2], {
      subresource: 'log',
      responseKind: { group: '', version: 'v1', kind: 'Pod' },
      verbs: ['get'],
    });
  });

  it("streams the only container's log as text/plain", async () => {
    const res = await api.get(logOf('one'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    const lines = res.text.trimEnd().split('\n');
    assert.match(
      lines[0]!,
      /^\[kube-emulator\] container "web" started \(simulated, no process runs\): image docker\.io\/library\/nginx:1\.27, id [0-9a-f]{12}$/,
    );
    assert.ok(
      lines.some((l) => /\[notice\] 1#1: nginx\/1\.27$/.test(l)),
      res.text,
    );
    assert.equal((await api.get(logOf('one', 'container=web'))).text, res.text);
  });

  it('needs a container name when the pod has several, and one the pod has', async () => {
    const none = await api.get(logOf('multi'));
    assert.equal(none.status, 400);
    assertFailureStatus(
      none.body,
      400,
      'BadRequest',
      'a container name must be specified for pod multi, choose one of: [init web side]',
    );
    const wrong = await api.get(logOf('multi', 'container=nope'));
    assertFailureStatus(wrong.body, 400, 'BadRequest', 'container nope is not valid for pod multi');
    assert.match((await api.get(logOf('multi', 'container=side'))).text, /\nfirst\nsecond\nthird\n$/);
    assert.match(
      (await api.get(logOf('multi', 'container=init'))).text,
      /\ninitialized\n\[kube-emulator\] init container "init" completed \(exit code 0\)\n$/,
    );
  });

  it('tailLines, limitBytes, timestamps, sinceSeconds and sinceTime', async () => {
    const side = (q: string) => api.get(logOf('multi', `container=side&${q}`));
    assert.equal((await side('tailLines=2')).text, 'second\nthird\n');
    assert.equal((await side('tailLines=0')).text, '');
    assert.equal((await side('tailLines=1&limitBytes=3')).text, 'thi');
    const stamped = (await side('tailLines=2&timestamps=true')).text;
    assert.match(
      stamped,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z second\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z third\n$/,
    );
    const all = (await side('')).text;
    assert.equal((await side('sinceSeconds=3600')).text, all);
    assert.equal((await side('sinceTime=2000-01-01T00:00:00Z')).text, all);
    assert.equal((await side('sinceTime=2999-01-01T00:00:00%2B01:00')).text, '');
    // sinceTime reaches the kubelet with second precision: the second of the third line's stamp still has it.
    const third = stamped.split('\n')[1]!.split(' ')[0]!;
    assert.match((await side(`sinceTime=${encodeURIComponent(third)}`)).text, /third\n$/);
  });

  it('422 for options that fail validation, as PodLogOptions', async () => {
    const cases: Array<[string, string, Json[]]> = [
      [
        'tailLines=-1',
        'tailLines: Invalid value: -1: must be greater than or equal to 0',
        [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: -1: must be greater than or equal to 0',
            field: 'tailLines',
          },
        ],
      ],
      [
        'limitBytes=0',
        'limitBytes: Invalid value: 0: must be greater than 0',
        [{ reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0', field: 'limitBytes' }],
      ],
      [
        'sinceSeconds=-5',
        'sinceSeconds: Invalid value: -5: must be greater than 0',
        [{ reason: 'FieldValueInvalid', message: 'Invalid value: -5: must be greater than 0', field: 'sinceSeconds' }],
      ],
      [
        'sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z',
        ': Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
        [
          {
            reason: 'FieldValueForbidden',
            message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
          },
        ],
      ],
      [
        'stream=All',
        'stream: Forbidden: may not be specified',
        [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified', field: 'stream' }],
      ],
      [
        'tailLines=-9223372036854775808&limitBytes=-1',
        '[tailLines: Invalid value: -9223372036854775808: must be greater than or equal to 0, limitBytes: Invalid value: -1: must be greater than 0]',
        [
          {
            reason: 'FieldValueInvalid',
            message: 'Invalid value: -9223372036854775808: must be greater than or equal to 0',
            field: 'tailLines',
          },
          { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than 0', field: 'limitBytes' },
        ],
      ],
    ];
    for (const [query, detail, causes] of cases) {
      const res = await api.get(logOf('one', query));
      assert.equal(res.status, 422, query);
      assertFailureStatus(res.body, 422, 'Invalid', `PodLogOptions "one" is invalid: ${detail}`);
      assert.deepEqual(res.body.details, { name: 'one', kind: 'PodLogOptions', causes }, query);
    }
    // Options are validated before the pod is looked for.
    assert.equal((await api.get(logOf('nope', 'tailLines=-1'))).status, 422);
  });

  it("400 for values that do not convert, with Go's errors", async () => {
    const cases: Array<[string, string]> = [
      ['tailLines=ten', 'strconv.ParseInt: parsing "ten": invalid syntax'],
      ['limitBytes=1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
      ['sinceSeconds=', 'strconv.ParseInt: parsing "": invalid syntax'],
      ['tailLines=99999999999999999999', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
      [
        'sinceTime=yesterday',
        'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
      ],
      ['sinceTime=2024-01-01', 'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"'],
      ['sinceTime=2024-13-01T00:00:00Z', 'parsing time "2024-13-01T00:00:00Z": month out of range'],
      ['sinceTime=2023-02-29T00:00:00Z', 'parsing time "2023-02-29T00:00:00Z": day out of range'],
      [
        'sinceTime=2024-01-01T00:00:00',
        'parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"',
      ],
      ['sinceTime=2024-01-01T00:00:00Zjunk', 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"'],
    ];
    for (const [query, message] of cases) {
      const res = await api.get(logOf('one', query));
      assert.equal(res.status, 400, query);
      assertFailureStatus(res.body, 400, 'BadRequest', message);
    }
    // Go's query booleans: anything but 0/f/false is true; a repeated parameter counts once, the first.
    assert.equal(
      (await api.get(logOf('multi', 'container=side&tailLines=1&tailLines=x&timestamps=f'))).text,
      'third\n',
    );
  });

  it('404 for a pod that does not exist; 204 for a pod no node runs yet; 405 for other verbs', async () => {
    const missing = await api.get(logOf('nope'));
    assertFailureStatus(missing.body, 404, 'NotFound', 'pods "nope" not found');
    assert.deepEqual(missing.body.details, { name: 'nope', kind: 'pods' });
    await api.expect(201, 'POST', pods, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'unscheduled' },
        spec: { containers: [container('c', 'nginx')] },
      },
    });
    const pending = await api.get(logOf('unscheduled'));
    assert.deepEqual([pending.status, pending.text], [204, '']);
    // The container is checked first.
    assert.equal(
      (await api.get(logOf('unscheduled', 'container=x'))).body.message,
      'container x is not valid for pod unscheduled',
    );
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await api.request(method, logOf('one'));
      assertFailureStatus(
        res.body,
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    }
  });

  it("a pod bound to a node that does not exist: the node's NotFound", async () => {
    await createPod('ghostly', [container('c', 'nginx')], { nodeName: 'ghost' });
    assertFailureStatus((await api.get(logOf('ghostly'))).body, 404, 'NotFound', 'nodes "ghost" not found');
  });

  it("a container waiting to start is the kubelet's 400: ContainerCreating, image can't be pulled, trying and failing to pull image", async () => {
    await createPod('slow', [container('c', 'nginx')]);
    const creating = await eventually('ContainerCreating', async () => {
      const res = await api.get(logOf('slow'));
      return res.status === 400 ? res : undefined;
    });
    assertFailureStatus(
      creating!.body,
      400,
      'BadRequest',
      'container "c" in pod "slow" is waiting to start: ContainerCreating',
    );

    await createPod('missing', [container('c', 'foo:non-existent')]);
    const seen = new Set<string>();
    await eventually('both pull errors', async () => {
      const res = await api.get(logOf('missing'));
      if (res.status === 400) seen.add(res.body.message);
      return (
        seen.has('container "c" in pod "missing" is waiting to start: image can\'t be pulled') &&
        seen.has('container "c" in pod "missing" is waiting to start: trying and failing to pull image')
      );
    });
    for (const m of seen)
      assert.match(
        m,
        /^container "c" in pod "missing" is waiting to start: (ContainerCreating|image can't be pulled|trying and failing to pull image)$/,
      );
  });

  it('previous: the upstream error without a restart, the old instance after one', async () => {
    await createPod('restarts', [container('app', 'nginx:1.26')]);
    await running('restarts');
    assertFailureStatus(
      (await api.get(logOf('restarts', 'previous=true'))).body,
      400,
      'BadRequest',
      'previous terminated container "app" in pod "restarts" not found',
    );
    const before = (await api.get(logOf('restarts'))).text;
    await api.expect(200, 'PATCH', `${pods}/restarts`, {
      body: { spec: { containers: [{ name: 'app', image: 'redis:7.4' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    await eventually(
      'restarted',
      async () =>
        (await podStatus('restarts')).status?.containerStatuses?.[0]?.restartCount === 1 &&
        (await podStatus('restarts')).status.containerStatuses[0].state.running,
    );
    const previous = (await api.get(logOf('restarts', 'previous=true'))).text;
    assert.ok(previous.startsWith(before), previous);
    assert.match(previous, /container "app" stopped: its definition changed, it will be restarted \(exit code 0\)\n$/);
    assert.match(
      (await api.get(logOf('restarts'))).text,
      /image docker\.io\/library\/redis:7\.4.*\n(.*\n)*.*Ready to accept connections tcp\n$/,
    );
  });

  it('follow streams as lines come and ends when the pod is deleted', async () => {
    await createPod('followed', [container('app', 'nginx')]);
    await running('followed');
    const res = await fetch(`${srv.url}${logOf('followed', 'follow=true')}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    assert.match(text, /container "app" started/, 'the first lines arrive before the stream ends');
    await api.expect(200, 'DELETE', `${pods}/followed`);
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      text += decoder.decode(r.value, { stream: true });
    }
    assert.match(text, /container "app" stopped: the pod is being deleted \(exit code 0\)\n$/);
  });

  it("the client going away closes the kubelet's stream; open streams are bounded (429)", async () => {
    const aborts = Array.from({ length: MAX_STREAMS }, () => new AbortController());
    const responses = await Promise.all(
      aborts.map((a) => fetch(`${srv.url}${logOf('one', 'follow=true')}`, { signal: a.signal })),
    );
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(MAX_STREAMS).fill(200),
    );
    await eventually('the kubelet serves them all', async () => kl.activeLogStreams === MAX_STREAMS);
    const over = await api.get(logOf('one', 'follow=true'));
    assert.equal(over.headers.get('retry-after'), '1');
    assertFailureStatus(
      over.body,
      429,
      'TooManyRequests',
      'Too many requests: too many open streams from kubelets, please try again later',
    );
    for (const a of aborts) a.abort();
    await eventually('the kubelet streams are closed', async () => kl.activeLogStreams === 0);
    const again = await api.get(logOf('one', 'tailLines=1'));
    assert.equal(again.status, 200);
  });
});
