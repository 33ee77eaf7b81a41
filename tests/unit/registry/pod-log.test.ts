/**
 * The API server's side of pods/log, piece by piece: decoding the query with Go's conversions and error texts
 * (strconv.ParseInt, time.Parse(RFC3339)), ValidatePodLogOptions, choosing the container, the kubelet's query, and
 * the kubelet client (a node's kubelet address and port, a kubelet's error answers as Statuses, a kubelet that
 * cannot be reached, the bound on open streams).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeletClient, kubeletErrorStatus } from '../../../server/api/kubelet-client.js';
import { chooseContainer, kubeletLogQuery } from '../../../server/registry/resources/pods/log.js';
import {
  decodePodLogOptions,
  GO_ZERO_TIME_MS,
  goQuote,
  invalidPodLogOptions,
  parseInt64,
  parseRFC3339,
  validatePodLogOptions,
} from '../../../server/registry/resources/pods/log-options.js';
import { StatusError } from '../../../server/registry/status.js';

type Any = Record<string, any>;

function statusOf(fn: () => unknown): Any {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    return err.status;
  }
  assert.fail('no error');
}

describe('pods/log: decoding the query', () => {
  it('takes the first value; booleans as Go reads query parameters', () => {
    const o = decodePodLogOptions({
      container: ['a', 'b'],
      follow: 'true',
      previous: '0',
      timestamps: 'yes',
      insecureSkipTLSVerifyBackend: 'F',
      tailLines: ['3', 'x'],
    });
    assert.deepEqual(o, {
      container: 'a',
      follow: true,
      previous: false,
      timestamps: true,
      insecureSkipTLSVerifyBackend: false,
      tailLines: 3n,
    });
    assert.equal(decodePodLogOptions({ follow: '' }).follow, true);
    assert.equal(decodePodLogOptions({ follow: 'FALSE' }).follow, false);
    assert.equal(decodePodLogOptions({ sinceTime: '' }).sinceTime, GO_ZERO_TIME_MS);
    assert.equal(decodePodLogOptions({ sinceTime: 'null' }).sinceTime, GO_ZERO_TIME_MS);
    assert.equal(decodePodLogOptions({ stream: 'All' }).stream, 'All');
  });

  const ints: Array<[string, bigint | string]> = [
    ['42', 42n],
    ['+7', 7n],
    ['-0', 0n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
  ];
  for (const [text, want] of ints) {
    it(`strconv.ParseInt(${JSON.stringify(text)})`, () => {
      if (typeof want === 'bigint') assert.equal(parseInt64(text), want);
      else assert.throws(() => parseInt64(text), { message: want });
    });
  }

  const L = '"2006-01-02T15:04:05Z07:00"';
  const times: Array<[string, number | string]> = [
    ['2024-01-02T03:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-01-02T03:04:05.987654321Z', Date.UTC(2024, 0, 2, 3, 4, 5, 987)],
    ['2024-01-02T03:04:05+02:00', Date.UTC(2024, 0, 2, 1, 4, 5)],
    ['2024-01-02T03:04:05-00:30', Date.UTC(2024, 0, 2, 3, 34, 5)],
    ['2024-01-02T3:04:05Z', Date.UTC(2024, 0, 2, 3, 4, 5)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', GO_ZERO_TIME_MS],
    ['now', `parsing time "now" as ${L}: cannot parse "now" as "2006"`],
    ['2024/01/02', `parsing time "2024/01/02" as ${L}: cannot parse "/01/02" as "-"`],
    ['2024-1-02T00:00:00Z', `parsing time "2024-1-02T00:00:00Z" as ${L}: cannot parse "1-02T00:00:00Z" as "01"`],
    ['2024-00-02T00:00:00Z', 'parsing time "2024-00-02T00:00:00Z": month out of range'],
    ['2024-01-32T00:00:00Z', 'parsing time "2024-01-32T00:00:00Z": day out of range'],
    ['2024-01-02 03:04:05Z', `parsing time "2024-01-02 03:04:05Z" as ${L}: cannot parse " 03:04:05Z" as "T"`],
    ['2024-01-02T24:00:00Z', 'parsing time "2024-01-02T24:00:00Z": hour out of range'],
    ['2024-01-02T03:60:00Z', 'parsing time "2024-01-02T03:60:00Z": minute out of range'],
    ['2024-01-02T03:04:61Z', 'parsing time "2024-01-02T03:04:61Z": second out of range'],
    ['2024-01-02T03:04:05', `parsing time "2024-01-02T03:04:05" as ${L}: cannot parse "" as "Z07:00"`],
    ['2024-01-02T03:04:05+0200', `parsing time "2024-01-02T03:04:05+0200" as ${L}: cannot parse "+0200" as "Z07:00"`],
    ['2024-01-02T03:04:05+25:00', 'parsing time "2024-01-02T03:04:05+25:00": time zone offset hour out of range'],
    ['2024-01-02T03:04:05Z ', 'parsing time "2024-01-02T03:04:05Z ": extra text: " "'],
    ['"x"', `parsing time "\\"x\\"" as ${L}: cannot parse "\\"x\\"" as "2006"`],
  ];
  for (const [text, want] of times) {
    it(`time.Parse(RFC3339, ${JSON.stringify(text)})`, () => {
      if (typeof want === 'number') assert.equal(parseRFC3339(text), want);
      else assert.throws(() => parseRFC3339(text), { message: want });
    });
  }

  it('a value that does not convert is a 400 BadRequest with the conversion error', () => {
    assert.deepEqual(
      statusOf(() => decodePodLogOptions({ limitBytes: 'lots' })),
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'strconv.ParseInt: parsing "lots": invalid syntax',
        reason: 'BadRequest',
        code: 400,
      },
    );
    assert.equal(goQuote('a\tb"\u0001é'), '"a\\tb\\"\\x01é"');
  });
});

describe('pods/log: validation', () => {
  const errs = (q: Any) => validatePodLogOptions(decodePodLogOptions(q));

  it('accepts what is in range', () => {
    assert.deepEqual(errs({ tailLines: '0', limitBytes: '1', sinceSeconds: '1' }), []);
    assert.deepEqual(errs({ sinceTime: '2024-01-01T00:00:00Z' }), []);
  });

  it('the Invalid Status of PodLogOptions, one cause per error', () => {
    const status = invalidPodLogOptions(
      'web',
      errs({ tailLines: '-2', limitBytes: '0', sinceSeconds: '3', sinceTime: '', stream: 'Stdout' }),
    ).status;
    assert.equal(
      status.message,
      'PodLogOptions "web" is invalid: [tailLines: Invalid value: -2: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0, ' +
        ': Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified, stream: Forbidden: may not be specified]',
    );
    assert.deepEqual(status.details, {
      name: 'web',
      kind: 'PodLogOptions',
      causes: [
        {
          reason: 'FieldValueInvalid',
          message: 'Invalid value: -2: must be greater than or equal to 0',
          field: 'tailLines',
        },
        { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than 0', field: 'limitBytes' },
        {
          reason: 'FieldValueForbidden',
          message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
        },
        { reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified', field: 'stream' },
      ],
    });
    assert.deepEqual([status.code, status.reason], [422, 'Invalid']);
  });
});

describe('pods/log: the container and the kubelet query', () => {
  const pod = (spec: Any) => ({ metadata: { name: 'p' }, spec }) as never;

  it('the only container, or the one named (init and ephemeral ones too)', () => {
    assert.equal(chooseContainer(pod({ containers: [{ name: 'a' }] }), ''), 'a');
    assert.equal(
      chooseContainer(
        pod({ containers: [{ name: 'a' }], initContainers: [{ name: 'i' }], ephemeralContainers: [{ name: 'e' }] }),
        'e',
      ),
      'e',
    );
    assert.equal(chooseContainer(pod({ containers: [{ name: 'a' }, { name: 'b' }] }), 'b'), 'b');
  });

  it("upstream's errors otherwise", () => {
    const spec = {
      initContainers: [{ name: 'i' }],
      containers: [{ name: 'a' }, { name: 'b' }],
      ephemeralContainers: [{ name: 'dbg' }],
    };
    assert.equal(
      statusOf(() => chooseContainer(pod(spec), '')).message,
      'a container name must be specified for pod p, choose one of: [i a b dbg]',
    );
    assert.equal(
      statusOf(() => chooseContainer(pod({ containers: [] }), '')).message,
      'a container name must be specified for pod p',
    );
    assert.deepEqual(
      statusOf(() => chooseContainer(pod(spec), 'z')),
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'container z is not valid for pod p',
        reason: 'BadRequest',
        code: 400,
      },
    );
  });

  it('passes the options on as kube-apiserver does (keys sorted, sinceTime in whole seconds)', () => {
    assert.equal(kubeletLogQuery(decodePodLogOptions({})), '');
    assert.equal(
      kubeletLogQuery(
        decodePodLogOptions({
          timestamps: 'true',
          tailLines: '5',
          follow: '1',
          previous: 'true',
          limitBytes: '10',
          sinceTime: '2024-01-02T03:04:05.9+01:00',
          container: 'c',
          insecureSkipTLSVerifyBackend: 'true',
        }),
      ),
      'follow=true&limitBytes=10&previous=true&sinceTime=2024-01-02T02%3A04%3A05Z&tailLines=5&timestamps=true',
    );
    assert.equal(kubeletLogQuery(decodePodLogOptions({ sinceSeconds: '60', previous: 'false' })), 'sinceSeconds=60');
  });
});

describe('pods/log: reaching the kubelet', () => {
  const node = (status: Any, labels: Any = {}) => ({ metadata: { name: 'n', labels }, status }) as never;
  const client = new KubeletClient();

  it('the first address of a preferred type, on the reported port', () => {
    const addresses = [
      { type: 'InternalIP', address: '10.0.0.1' },
      { type: 'InternalDNS', address: '127.0.0.1' },
      { type: 'Hostname', address: 'n' },
    ];
    assert.deepEqual(
      client.connectionInfo(node({ addresses, daemonEndpoints: { kubeletEndpoint: { Port: 12345 } } })),
      { scheme: 'http', host: '127.0.0.1', port: 12345 },
    );
    assert.deepEqual(client.connectionInfo(node({ addresses: addresses.slice(0, 1) })), {
      scheme: 'http',
      host: '10.0.0.1',
      port: 10250,
    });
    const upstreamOrder = new KubeletClient({
      preferredAddressTypes: ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'],
    });
    assert.equal(upstreamOrder.connectionInfo(node({ addresses })).host, 'n');
    assert.equal(
      upstreamOrder.connectionInfo(
        node({ addresses: [{ type: 'ExternalIP', address: '1.2.3.4' }] }, { 'kubernetes.io/hostname': 'from-label' }),
      ).host,
      'from-label',
    );
  });

  it("a node without a usable address: kube-apiserver's error (a 500 without a reason)", () => {
    const status = statusOf(() => client.connectionInfo(node({ addresses: [{ type: 'ExternalDNS', address: '' }] })));
    assert.deepEqual(status, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'no preferred addresses found; known addresses: [{ExternalDNS }]',
      code: 500,
    });
  });

  const gr = { group: '', resource: 'pods/log' };
  const answers: Array<[number, string, Any]> = [
    [
      400,
      'container "c" in pod "p" is waiting to start: ContainerCreating',
      { message: 'container "c" in pod "p" is waiting to start: ContainerCreating', reason: 'BadRequest', code: 400 },
    ],
    [
      500,
      'boom',
      {
        message: 'Internal error occurred: boom',
        reason: 'InternalError',
        details: { causes: [{ message: 'boom' }] },
        code: 500,
      },
    ],
    [
      404,
      'pod "p" does not exist',
      {
        message: 'the server could not find the requested resource ( pods/log p)',
        reason: 'NotFound',
        details: { name: 'p', kind: 'pods/log' },
        code: 404,
      },
    ],
    [
      422,
      '{"message": "Invalid request."}',
      {
        message: 'the server rejected our request due to an error in our request ( pods/log p)',
        reason: 'Invalid',
        details: { name: 'p', kind: 'pods/log' },
        code: 422,
      },
    ],
    [
      429,
      'slow down',
      {
        message: 'the server has received too many requests and has asked us to try again later ( pods/log p)',
        reason: 'TooManyRequests',
        details: { name: 'p', kind: 'pods/log' },
        code: 429,
      },
    ],
    [
      503,
      'down',
      {
        message: 'an error on the server ("down") has prevented the request from succeeding ( pods/log p)',
        reason: 'InternalError',
        details: { name: 'p', kind: 'pods/log' },
        code: 503,
      },
    ],
    [
      418,
      'teapot',
      {
        message: 'the server responded with the status code 418 but did not return more information ( pods/log p)',
        details: { name: 'p', kind: 'pods/log' },
        code: 418,
      },
    ],
  ];
  for (const [code, body, want] of answers) {
    it(`a kubelet answering ${code} becomes the Status kube-apiserver makes of it`, () => {
      assert.deepEqual(kubeletErrorStatus(code, body, gr, 'p').status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        ...want,
      });
    });
  }

  describe('over HTTP', () => {
    let server: Server;
    let port: number;
    const held: Array<() => void> = [];
    before(async () => {
      server = createServer((req, res) => {
        if (req.url?.startsWith('/bad')) {
          res.writeHead(400, { 'Content-Type': 'text/plain' });
          res.end('x'.repeat(60_000));
          return;
        }
        if (req.url?.startsWith('/silent')) return void held.push(() => res.destroy());
        res.writeHead(200);
        res.write('hello\n');
        held.push(() => res.end());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(async () => {
      for (const h of held) h();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('streams a 2xx answer; streams are bounded; closing one frees its place', async () => {
      const bounded = new KubeletClient({ maxStreams: 1 });
      const s = await bounded.get(
        { scheme: 'http', host: '127.0.0.1', port },
        '/ok',
        gr,
        'p',
        new AbortController().signal,
      );
      assert.equal(s.response.statusCode, 200);
      assert.equal(bounded.openStreams, 1);
      await assert.rejects(
        bounded.get({ scheme: 'http', host: '127.0.0.1', port }, '/ok', gr, 'p', new AbortController().signal),
        (err: StatusError) => err.code === 429 && err.headers['Retry-After'] === '1',
      );
      s.close();
      assert.equal(bounded.openStreams, 0);
    });

    it('reads at most 50,000 bytes of an error body', async () => {
      await assert.rejects(
        client.get({ scheme: 'http', host: '127.0.0.1', port }, '/bad', gr, 'p', new AbortController().signal),
        (err: StatusError) => err.code === 400 && err.message.length === 50_000,
      );
      assert.equal(client.openStreams, 0);
    });

    it("a kubelet that does not answer in time, or at all: Go's client errors as a 500", async () => {
      const quick = new KubeletClient({ connectTimeoutMs: 100 });
      await assert.rejects(
        quick.get({ scheme: 'http', host: '127.0.0.1', port }, '/silent', gr, 'p', new AbortController().signal),
        (err: StatusError) => {
          assert.deepEqual(err.status, {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `Get "http://127.0.0.1:${port}/silent": dial tcp 127.0.0.1:${port}: i/o timeout`,
            code: 500,
          });
          return true;
        },
      );
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const free = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      await assert.rejects(
        client.get(
          { scheme: 'http', host: '127.0.0.1', port: free },
          '/containerLogs/a/b/c',
          gr,
          'p',
          new AbortController().signal,
        ),
        {
          message: `Get "http://127.0.0.1:${free}/containerLogs/a/b/c": dial tcp 127.0.0.1:${free}: connect: connection refused`,
        },
      );
      assert.equal(quick.openStreams + client.openStreams, 0);
    });
  });
});
