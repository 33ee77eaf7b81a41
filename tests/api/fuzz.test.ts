/**
 * Property-based fuzzing of the API (fast-check): random paths, query strings (selectors, resourceVersions, limits,
 * continue tokens, timeouts), headers (Accept, Content-Type) and bodies (malformed JSON, YAML and protobuf, wrong
 * types, huge strings, deep nesting, every patch type with broken documents) against an in-process server.
 *
 * The properties: no 5xx (except those kube-apiserver answers itself, see allowed500),
 * no crash, every error a `Status` (JSON, or protobuf when asked for) whose reason matches its code, and every rejected request leaves the store
 * exactly as it was (a full dump of every object and the revision, compared before and after). Bounded budget:
 * a fixed number of runs per property and a time limit, so the file stays well under a minute on a loaded machine.
 * A failure prints fast-check's seed and shrunk counterexample; `FUZZ_SEED=<seed>` replays it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startInProcess, type InProcessServer } from '../helpers/server.js';
import { Api, podManifest } from '../helpers/http.js';
import { decodeObject, PROTOBUF } from '../../server/protobuf/envelope.js';

const NS = 'fz';
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 12000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** The reasons kube-apiserver gives with each code (metav1.StatusReason). */
const REASONS: Record<number, string[]> = {
  400: ['BadRequest'],
  401: ['Unauthorized'],
  403: ['Forbidden'],
  404: ['NotFound'],
  405: ['MethodNotAllowed'],
  406: ['NotAcceptable'],
  409: ['AlreadyExists', 'Conflict'],
  410: ['Expired', 'Gone'],
  413: ['RequestEntityTooLarge'],
  415: ['UnsupportedMediaType'],
  422: ['Invalid'],
  429: ['TooManyRequests'],
  500: ['InternalError'],
  504: ['Timeout'],
};

/**
 * The 500s kube-apiserver answers itself: strategic merge patches its library cannot apply (a list element without
 * its merge key, mismatched list element types, unknown `$patch` directives) and a server-side apply whose body does
 * not fit the schema ("failed to create typed patch object") are plain Go errors there: a 500 without a reason. A
 * list at a resourceVersion not yet reached is its 504 Timeout ("Too large resource version").
 */
function allowed500(req: FuzzRequest, body: { code?: number; reason?: string; message?: string }): boolean {
  const message = body.message ?? '';
  // a list at a resourceVersion the store has not reached: upstream's 504 after waiting for it
  if (body.code === 504) return body.reason === 'Timeout' && message.includes('Too large resource version');
  if (req.method !== 'PATCH') return false;
  if (req.contentType === 'application/apply-patch+yaml')
    return (body.reason ?? '') === '' && message.startsWith('failed to create typed patch object');
  return (
    req.contentType === 'application/strategic-merge-patch+json' &&
    (body.reason ?? '') === '' &&
    /does not contain declared merge key|list element types are not identical|unknown patch type|expected a |no elements in any of the given slices|is not a map|cannot merge lists without merge key|merging lists cannot yet be specified/.test(
      message,
    )
  );
}

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  accept?: string;
  contentType?: string;
  body?: string | Uint8Array;
}

const deepJson = (depth: number, open = '{"a":', close = '}') => open.repeat(depth) + '1' + close.repeat(depth);

// ---- arbitraries -------------------------------------------------------------------------------------------------

const names = fc.oneof(
  fc.constantFrom('cm', 'p', 's', 'missing', 'a.b', 'UPPER', '-x', 'x'.repeat(300)),
  fc.string({ maxLength: 20 }).map((s) => encodeURIComponent(s) || 'x'),
);
const paths = fc.oneof(
  fc.constantFrom(
    `/api/v1/namespaces/${NS}/configmaps`,
    `/api/v1/namespaces/${NS}/pods`,
    `/api/v1/namespaces/${NS}/secrets`,
    `/apis/apps/v1/namespaces/${NS}/daemonsets`,
    `/api/v1/nodes`,
    `/api/v1/namespaces`,
    `/api/v1/configmaps`,
    `/apis/rbac.authorization.k8s.io/v1/clusterroles`,
  ),
  fc
    .tuple(
      fc.constantFrom(
        `/api/v1/namespaces/${NS}/configmaps/`,
        `/api/v1/namespaces/${NS}/pods/`,
        `/api/v1/namespaces/${NS}/secrets/`,
        `/apis/apps/v1/namespaces/${NS}/daemonsets/`,
        `/api/v1/nodes/`,
        `/api/v1/namespaces/${NS}/pods/p/`,
        `/api/v1/namespaces/`,
        `/api/v1/namespaces/${NS}/`,
        `/apis/`,
      ),
      names,
    )
    .map(([a, b]) => a + b),
);

const numbers = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '-1',
    '',
    'abc',
    '1.5',
    '1e3',
    '9223372036854775807',
    '9223372036854775808',
    '-99999999999999999999',
    '99999999999999999999999',
    '18446744073709551615',
    ' 1',
    '+5',
    '0x10',
  ),
  fc.bigInt({ min: -(10n ** 25n), max: 10n ** 25n }).map(String),
  fc.string({ maxLength: 12 }),
);
const continueTokens = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc
    .record({
      v: fc.oneof(fc.constant('meta.k8s.io/v1'), fc.string({ maxLength: 8 }), fc.integer()),
      rv: fc.oneof(fc.integer(), fc.constantFrom(1e99, -1, 0, 1.5, 2 ** 63), fc.string({ maxLength: 4 })),
      start: fc.oneof(fc.constantFrom('cm', '', '../..', '/x', 'a//b'), fc.string({ maxLength: 10 }), fc.integer()),
    })
    .map((t) => Buffer.from(JSON.stringify(t)).toString('base64url')),
  fc.constantFrom(
    Buffer.from('{"v":"meta.k8s.io/v1","rv":1e99,"start":"cm"}').toString('base64url'),
    Buffer.from(deepJson(1001)).toString('base64url'),
    'a===',
    '%%%',
  ),
);
const selectors = fc.oneof(
  fc.constantFrom(
    'a=b',
    'a!=b',
    'a in (b,c)',
    '!a',
    'a,',
    '=',
    'metadata.name=cm',
    'spec.nodeName=',
    'x==y',
    'a notin ()',
  ),
  fc.string({ maxLength: 30 }),
);
const queryParams = fc
  .record(
    {
      labelSelector: selectors,
      fieldSelector: selectors,
      resourceVersion: numbers,
      resourceVersionMatch: fc.constantFrom('Exact', 'NotOlderThan', '', 'bogus'),
      limit: numbers,
      continue: continueTokens,
      timeoutSeconds: numbers,
      watch: fc.constantFrom('true', '1', 'false', '0', '', 'yes'),
      allowWatchBookmarks: fc.constantFrom('true', 'false', 'x'),
      gracePeriodSeconds: numbers,
      propagationPolicy: fc.constantFrom('Orphan', 'Background', 'Foreground', 'bogus'),
      orphanDependents: fc.constantFrom('true', 'false', 'maybe'),
      dryRun: fc.constantFrom('All', 'bogus', ''),
      fieldValidation: fc.constantFrom('Strict', 'Warn', 'Ignore', 'bogus'),
      fieldManager: fc.oneof(fc.constantFrom('m', '', 'x'.repeat(200)), fc.string({ maxLength: 10 })),
      force: fc.constantFrom('true', 'false', ''),
      pretty: fc.constantFrom('true', 'x'),
    },
    { requiredKeys: [] },
  )
  .map((q) => {
    // an open watch stream is checked for its status only, then cancelled
    return new URLSearchParams(q as Record<string, string>).toString();
  });

const accepts = fc.constantFrom(
  undefined,
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=Table;v=v9;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
  'text/html',
  '*/*',
  ',,;;;=',
  'application/json;q=abc',
);
const contentTypes = fc.constantFrom(
  undefined,
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  ';;;',
);

const typedObjects = fc.oneof(
  fc.record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'v2', 42, null),
    kind: fc.constantFrom('ConfigMap', 'Pod', 'Secret', 'Status', 'List', 7),
    metadata: fc.oneof(
      fc.record({ name: fc.oneof(names, fc.integer(), fc.constant(null)) }, { requiredKeys: [] }),
      fc.constantFrom(null, 'x', 1, [], { labels: 'x' }, { finalizers: [1] }, { annotations: { a: 1 } }),
    ),
    data: fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    spec: fc.oneof(
      fc.constant(podManifest('p').spec),
      fc.record({
        containers: fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.constant([{ name: 'c', image: 'i', resources: { limits: { cpu: '1e999999', memory: '1e-999999' } } }]),
          fc.constant([{ name: 'c', image: 'i', resources: { requests: { cpu: '9'.repeat(3000), memory: '1Ei' } } }]),
        ),
      }),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  }),
  fc.jsonValue({ maxDepth: 4 }),
);
const patchOps = fc.array(
  fc.record(
    {
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus', 1),
      path: fc.oneof(
        fc.constantFrom(
          '/metadata/labels/x',
          '/data',
          '/data/k',
          '/metadata',
          '',
          '/',
          '/-',
          '/spec/containers/-1',
          '/a~1b',
          '/x/99999999999999999999',
        ),
        fc.string({ maxLength: 12 }),
      ),
      from: fc.constantFrom('/data', '/metadata', '/metadata/labels', '/nope', ''),
      value: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: ['op'] },
  ),
  { maxLength: 8 },
);
const bodies = fc.oneof(
  { weight: 3, arbitrary: typedObjects.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: patchOps.map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"metadata":null}',
      '{"metadata":{"name":null}}',
      '{"metadata":{"labels":null,"finalizers":null}}',
      '{"$patch":"replace"}',
      '{"$patch":"bogus"}',
      '{"spec":{"containers":[{"$patch":"delete"}]}}',
      '{"spec":{"containers":[{"image":"x"}]}}',
      '{"spec":{"containers":[1,"a"]}}',
      '{"$setElementOrder/containers":[{"name":1}]}',
      '{"$retainKeys":["x"]}',
      'null',
      '[]',
      '"str"',
      '{',
      '{"a":1,"a":2}',
      '\uFEFF{}',
      `{"data":{"k":"${'x'.repeat(200000)}"}}`,
      deepJson(999),
      deepJson(1001),
      deepJson(20000),
      deepJson(5000, '[', ']'),
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
      `${'- '.repeat(3000)}x`,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  name: cm\ndata: {k: v}\n',
      'key: "unterminated\n',
      '\t- tab indented',
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 200 })
      .map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }) },
);

/** Deleting the namespace would leave it Terminating (no namespace controller runs here): every later create 403s. */
const deletesNamespace = (r: FuzzRequest) =>
  r.method === 'DELETE' && (r.path === '/api/v1/namespaces' || r.path === `/api/v1/namespaces/${NS}`);

const requests: fc.Arbitrary<FuzzRequest> = fc
  .record(
    {
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'GET', 'PATCH'),
      path: paths,
      query: queryParams,
      accept: accepts,
      contentType: contentTypes,
      body: fc.option(bodies, { nil: undefined }),
    },
    { requiredKeys: ['method', 'path', 'query'] },
  )
  .filter((r) => !deletesNamespace(r));

// ---- the properties ----------------------------------------------------------------------------------------------

describe('API fuzzing', () => {
  let server: InProcessServer;
  let api: Api;
  const dump = async () => {
    const listed = await server.storage.list('/registry/');
    return { revision: listed.revision, items: JSON.stringify(listed.items) };
  };

  /** (Re)creates what the fuzzed requests aim at, so that accepted deletes do not leave nothing to fuzz. */
  async function seed(): Promise<void> {
    const ensure = async (path: string, body: unknown) => {
      const res = await api.request('POST', path, { body });
      assert.ok([201, 409].includes(res.status), `${path}: ${res.status} ${res.text.slice(0, 200)}`);
    };
    await ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await ensure(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', labels: { a: 'b' }, finalizers: ['example.com/f'] },
      data: { k: 'v' },
    });
    await ensure(`/api/v1/namespaces/${NS}/pods`, podManifest('p'));
    await ensure(`/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      stringData: { a: 'b' },
    });
  }

  before(async () => {
    server = await startInProcess();
    api = new Api(server.url);
    await seed();
  });
  after(async () => server?.close());

  /** Sends one request; checks the reply and, when it is an error, that the store did not change. */
  async function check(req: FuzzRequest): Promise<void> {
    const before = await dump();
    const headers: Record<string, string> = {};
    if (req.accept !== undefined) headers.accept = req.accept;
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    const res = await fetch(`${server.url}${req.path}${req.query ? `?${req.query}` : ''}`, {
      method: req.method,
      headers,
      body:
        req.method === 'GET' || req.method === 'DELETE' ? (req.method === 'DELETE' ? req.body : undefined) : req.body,
      signal: AbortSignal.timeout(20000),
    });
    const what = `${req.method} ${req.path}?${req.query} [${req.contentType}] → ${res.status}`;
    const type = res.headers.get('content-type') ?? '';
    const streaming = res.status === 200 && /watch=(true|1|yes|)(&|$)/.test(req.query);
    if (streaming) {
      await res.body?.cancel();
    } else if (res.status >= 400) {
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString('utf8');
      // a Status in the encoding the client accepts: protobuf when it asked for it, JSON otherwise
      let status: { kind?: string; code?: number; reason?: string; message?: string };
      if (type.startsWith(PROTOBUF)) status = decodeObject(bytes).object as typeof status;
      else {
        assert.match(type, /json/, `${what}: error reply is neither JSON nor protobuf: ${text.slice(0, 200)}`);
        status = JSON.parse(text) as typeof status;
      }
      assert.equal(status.kind, 'Status', `${what}: ${text.slice(0, 300)}`);
      assert.equal(status.code, res.status, `${what}: ${JSON.stringify(status).slice(0, 300)}`);
      if (res.status >= 500) {
        assert.ok(allowed500(req, status), `${what}: ${text.slice(0, 500)}`);
      } else {
        const reasons = REASONS[res.status];
        assert.ok(reasons?.includes(status.reason ?? ''), `${what}: reason ${status.reason}: ${text.slice(0, 300)}`);
      }
      // a rejected request changed nothing
      assert.deepEqual(await dump(), before, `${what}: the store changed: ${text.slice(0, 300)}`);
    } else {
      await res.arrayBuffer();
    }
  }

  const run = async (name: string, arb: fc.Arbitrary<FuzzRequest>, runs = RUNS) => {
    const out = await fc.check(
      fc.asyncProperty(arb, async (req) => {
        await check(req);
      }),
      {
        numRuns: runs,
        interruptAfterTimeLimit: TIME_LIMIT_MS,
        markInterruptAsFailure: false,
        seed: SEED,
        endOnFailure: true,
      },
    );
    if (out.failed) {
      const example = JSON.stringify(out.counterexample, (_k, v) =>
        typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}…(${v.length} chars)` : v,
      );
      const error = String((out.errorInstance as Error | undefined)?.message ?? out.errorInstance).slice(0, 1500);
      assert.fail(`${name}: seed ${out.seed}\n${error}\ncounterexample: ${example}`);
    }
    await seed();
    assert.equal((await api.get('/readyz')).status, 200, 'the server stopped serving');
  };

  it('random requests: paths, queries, headers and bodies', async () => {
    await run('requests', requests);
  });

  it('every patch type with broken documents', async () => {
    await run(
      'patches',
      fc.record({
        method: fc.constant('PATCH'),
        path: fc.constantFrom(
          `/api/v1/namespaces/${NS}/configmaps/cm`,
          `/api/v1/namespaces/${NS}/pods/p`,
          `/api/v1/namespaces/${NS}/pods/p/status`,
          `/api/v1/namespaces/${NS}/secrets/s`,
        ),
        query: fc.constantFrom(
          '',
          'fieldManager=f',
          'fieldValidation=Strict',
          'fieldValidation=Ignore&force=true',
          'dryRun=All',
        ),
        accept: fc.constant(undefined),
        contentType: fc.constantFrom(
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
          'application/apply-patch+yaml',
        ),
        body: bodies,
      }),
    );
  });

  it('list and watch query strings', async () => {
    await run(
      'queries',
      fc.record({
        method: fc.constantFrom('GET', 'DELETE'),
        path: fc.constantFrom(`/api/v1/namespaces/${NS}/configmaps`, `/api/v1/namespaces/${NS}/pods`, '/api/v1/pods'),
        query: queryParams,
        accept: accepts,
      }),
    );
  });
});
