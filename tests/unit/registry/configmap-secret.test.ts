// ConfigMap and Secret rules (pkg/apis/core/validation ValidateConfigMap(Update), ValidateSecret(Update)), the
// write-only stringData, Go's base64 for []byte fields, and their Table rows.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import { base64DecodedLength, goBase64Decode } from '../../../server/registry/validation/base64.js';
import { configMaps } from '../../../server/registry/resources/configmaps/index.js';
import { configMapPrinter } from '../../../server/registry/resources/configmaps/printer.js';
import {
  validateConfigMap,
  validateConfigMapUpdate,
} from '../../../server/registry/resources/configmaps/validation.js';
import { secrets } from '../../../server/registry/resources/secrets/index.js';
import { secretPrinter } from '../../../server/registry/resources/secrets/printer.js';
import { validateSecret, validateSecretUpdate } from '../../../server/registry/resources/secrets/validation.js';
import type { KubeObject } from '../../../apimachinery/objects.js';
import { ago, NOW, SEC } from '../printers/helpers.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const meta = (name = 'x') => ({
  name,
  namespace: 'default',
  resourceVersion: '5',
  uid: 'u1',
  creationTimestamp: '2024-05-01T11:00:00Z',
});
const cm = (fields: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), ...fields }) as KubeObject;
const secret = (fields: Record<string, unknown>): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', metadata: meta(), type: 'Opaque', ...fields }) as KubeObject;
const messages = (errs: ReturnType<typeof validateSecret>) => errs.map(fieldErrorString);

const KEY_FORMAT =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe("Go's base64 for []byte fields", () => {
  const ok: Array<[string, string]> = [
    ['', ''],
    ['YQ==', 'a'],
    ['YWI=', 'ab'],
    ['YWJj', 'abc'],
    ['YR==', 'a'], // unused bits are not checked (StdEncoding is not Strict)
    ['YW\nJj\r\n', 'abc'], // line breaks are skipped anywhere
    ['YQ=\n=', 'a'],
    ['aGVsbG8gd29ybGQ=', 'hello world'],
  ];
  for (const [input, want] of ok) {
    it(`${JSON.stringify(input)} decodes to ${JSON.stringify(want)}`, () => {
      const r = goBase64Decode(input);
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.bytes.toString('latin1'), want);
    });
  }
  const bad: Array<[string, number]> = [
    ['YQ', 0], // padding is required
    ['YWJjZA', 4],
    ['Y!==', 1],
    ['=', 0],
    ['Y===', 1],
    ['YQ=', 3], // not enough padding
    ['YQ=x', 2],
    ['YQ==YQ==', 4], // nothing may follow the padding
    ['YWJj YQ==', 4],
    ['aGVsbG8-', 7], // URL alphabet is not the standard one
    ['é', 0],
  ];
  for (const [input, at] of bad) {
    it(`${JSON.stringify(input)}: illegal base64 data at input byte ${at}`, () => {
      assert.deepEqual(goBase64Decode(input), { ok: false, error: `illegal base64 data at input byte ${at}` });
    });
  }
  it('round-trips every byte value, and counts decoded bytes from canonical text', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    for (const n of [0, 1, 2, 3, 4, 255, 256]) {
      const text = all.subarray(0, n).toString('base64');
      const r = goBase64Decode(text);
      assert.ok(r.ok);
      assert.deepEqual(r.bytes, all.subarray(0, n));
      assert.equal(base64DecodedLength(text), n);
    }
  });
});

describe('ValidateConfigMap', () => {
  it('accepts text and binary data under distinct config keys', () => {
    assert.deepEqual(
      validateConfigMap(
        cm({ data: { 'app.properties': 'a=b', KEY_1: '' }, binaryData: { 'blob-1': b64('\x00\x01') } }),
      ),
      [],
    );
  });
  it('config keys: format, `.`/`..` and 253 bytes, in data and binaryData', () => {
    const long = 'k'.repeat(254);
    assert.deepEqual(
      messages(validateConfigMap(cm({ data: { 'a b': '1', '..x': '2', [long]: '' }, binaryData: { '.': '' } }))),
      [
        `data[..x]: Invalid value: "..x": must not start with '..'`,
        `data[a b]: Invalid value: "a b": ${KEY_FORMAT}`,
        `data[${long}]: Invalid value: "${long}": must be no more than 253 characters`,
        `binaryData[.]: Invalid value: ".": must not be '.'`,
      ],
    );
  });
  it('a key may not be in both data and binaryData', () => {
    assert.deepEqual(messages(validateConfigMap(cm({ data: { x: '1' }, binaryData: { x: b64('1') } }))), [
      'data[x]: Invalid value: "x": duplicate of key present in binaryData',
    ]);
  });
  it('at most 1 MiB of values, text bytes and decoded binary bytes together; the error is about the whole object', () => {
    const half = 512 * 1024;
    assert.deepEqual(
      validateConfigMap(cm({ data: { a: 'x'.repeat(half) }, binaryData: { b: b64(Buffer.alloc(half)) } })),
      [],
    );
    assert.deepEqual(
      messages(
        validateConfigMap(cm({ data: { a: 'x'.repeat(half), c: 'é' }, binaryData: { b: b64(Buffer.alloc(half)) } })),
      ),
      ['[]: Too long: must have at most 1048576 bytes'],
    );
  });
  it('metadata: name is a DNS subdomain, namespace required', () => {
    const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } } as KubeObject;
    const got = messages(validateConfigMap(bad));
    assert.ok(
      got.some((m) => m.startsWith('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain')),
      got.join('\n'),
    );
    assert.ok(got.includes('metadata.namespace: Required value'), got.join('\n'));
  });
});

describe('ValidateConfigMapUpdate', () => {
  const old = cm({ immutable: true, data: { a: '1' }, binaryData: { b: b64('x') } });
  it('metadata may change on an immutable config map', () => {
    assert.deepEqual(
      validateConfigMapUpdate(
        cm({
          immutable: true,
          data: { a: '1' },
          binaryData: { b: b64('x') },
          metadata: { ...meta(), labels: { l: 'v' } },
        }),
        old,
      ),
      [],
    );
  });
  it('data, binaryData and immutable itself may not', () => {
    assert.deepEqual(messages(validateConfigMapUpdate(cm({ data: { a: '2' } }), old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
      'binaryData: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(
      messages(validateConfigMapUpdate(cm({ immutable: false, data: { a: '1' }, binaryData: { b: b64('x') } }), old)),
      ['immutable: Forbidden: field is immutable when `immutable` is set'],
    );
  });
  it('a mutable config map may become immutable, and change its data on the way', () => {
    assert.deepEqual(validateConfigMapUpdate(cm({ immutable: true, data: { a: '2' } }), cm({ data: { a: '1' } })), []);
  });
});

describe('ValidateSecret', () => {
  it('config keys and 1 MiB of decoded values, reported on data', () => {
    assert.deepEqual(messages(validateSecret(secret({ data: { 'a/b': b64('x') } }))), [
      `data[a/b]: Invalid value: "a/b": ${KEY_FORMAT}`,
    ]);
    assert.deepEqual(validateSecret(secret({ data: { a: b64(Buffer.alloc(1024 * 1024)) } })), []);
    assert.deepEqual(messages(validateSecret(secret({ data: { a: b64(Buffer.alloc(1024 * 1024)), b: b64('x') } }))), [
      'data: Too long: must have at most 1048576 bytes',
    ]);
  });
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['Opaque: anything', { type: 'Opaque', data: { anything: b64('x') } }, []],
    ['an unknown type: anything', { type: 'example.com/custom', data: {} }, []],
    [
      'bootstrap tokens: checked by their controllers, not here',
      { type: 'bootstrap.kubernetes.io/token', data: {} },
      [],
    ],
    [
      'service-account-token needs the account name annotation',
      { type: 'kubernetes.io/service-account-token' },
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
    [
      'service-account-token with its annotation',
      {
        type: 'kubernetes.io/service-account-token',
        metadata: { ...meta(), annotations: { 'kubernetes.io/service-account.name': 'default' } },
      },
      [],
    ],
    [
      'tls needs tls.crt and tls.key',
      { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } },
      ['data[tls.key]: Required value'],
    ],
    [
      'tls, both missing',
      { type: 'kubernetes.io/tls' },
      ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
    ],
    ['tls: empty values are present values', { type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, []],
    ['basic-auth: username or password', { type: 'kubernetes.io/basic-auth', data: { password: '' } }, []],
    [
      'basic-auth: neither',
      { type: 'kubernetes.io/basic-auth', data: {} },
      ['data[username]: Required value', 'data[password]: Required value'],
    ],
    [
      'ssh-auth needs a non-empty private key',
      { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } },
      ['data[ssh-privatekey]: Required value'],
    ],
    ['ssh-auth with a key', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': b64('k') } }, []],
    [
      'dockerconfigjson needs .dockerconfigjson',
      { type: 'kubernetes.io/dockerconfigjson', data: {} },
      ['data[.dockerconfigjson]: Required value'],
    ],
    [
      'dockerconfigjson: a JSON object',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } },
      [],
    ],
    [
      'dockerconfigjson: null is a JSON object too (Go)',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('null') } },
      [],
    ],
    [
      'dockerconfigjson: not JSON',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":') } },
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": unexpected end of JSON input'],
    ],
    [
      'dockerconfigjson: not an object',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('["a"]') } },
      [
        'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}',
      ],
    ],
    [
      'dockercfg: not JSON',
      { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('nope') } },
      [
        "data[.dockercfg]: Invalid value: \"<secret contents redacted>\": invalid character 'o' in literal null (expecting 'u')",
      ],
    ],
    [
      'dockerconfigjson: nested deeper than Go decodes (and no deeper than the stack allows)',
      { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('['.repeat(300000)) } },
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": exceeded max depth'],
    ],
    [
      'dockerconfigjson: brackets inside strings are text',
      {
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64(`{"a":"${'['.repeat(20000)}\\\\"}`) },
      },
      [],
    ],
    ['dockercfg needs .dockercfg', { type: 'kubernetes.io/dockercfg' }, ['data[.dockercfg]: Required value']],
  ];
  for (const [name, fields, want] of cases) {
    it(name, () => assert.deepEqual(messages(validateSecret(secret(fields))), want));
  }
});

describe('ValidateSecretUpdate', () => {
  it('type never changes', () => {
    assert.deepEqual(
      messages(
        validateSecretUpdate(
          secret({ type: 'kubernetes.io/basic-auth', data: { username: '' } }),
          secret({ data: { username: '' } }),
        ),
      ),
      ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'],
    );
  });
  it('an immutable secret keeps its data and its immutability', () => {
    const old = secret({ immutable: true, data: { a: b64('1') } });
    assert.deepEqual(
      validateSecretUpdate(
        secret({ immutable: true, data: { a: b64('1') }, metadata: { ...meta(), labels: { x: 'y' } } }),
        old,
      ),
      [],
    );
    assert.deepEqual(messages(validateSecretUpdate(secret({ data: { a: b64('2') } }), old)), [
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });
});

describe('the v1 views', () => {
  const view = secrets.versions[0]!;
  const ctx = { view, now: NOW, dryRun: false };
  it('a Secret without a type is Opaque', () => {
    const s = { metadata: { name: 'x' } } as KubeObject;
    view.default(s);
    assert.equal(s['type'], 'Opaque');
  });
  it('stringData is merged into data (replacing equal keys) and dropped; data keys sorted, Go field order', () => {
    const s = {
      stringData: { b: 'héllo', a: 'new' },
      type: 'Opaque',
      data: { a: b64('old'), c: b64('c') },
      metadata: { name: 'x' },
    } as KubeObject;
    view.default(s);
    const stored = view.toStorage(s, ctx);
    assert.deepEqual(stored, {
      metadata: { name: 'x' },
      data: { a: b64('new'), b: b64('héllo'), c: b64('c') },
      type: 'Opaque',
      apiVersion: 'v1',
      kind: 'Secret',
    });
    assert.deepEqual(Object.keys(stored), ['metadata', 'apiVersion', 'kind', 'data', 'type']);
  });
  it('empty maps and null values are stored as reading them back from etcd gives them', () => {
    const s = { metadata: { name: 'x' }, data: {}, stringData: {}, immutable: null } as unknown as KubeObject;
    view.default(s);
    assert.deepEqual(view.toStorage(s, ctx), {
      metadata: { name: 'x' },
      type: 'Opaque',
      apiVersion: 'v1',
      kind: 'Secret',
    });
    const c = { metadata: { name: 'x' }, binaryData: {}, data: { b: null, a: 'x' } } as unknown as KubeObject;
    configMaps.strategy.prepareForCreate(c, { ...ctx, view: configMaps.versions[0]! });
    assert.deepEqual(c, { metadata: { name: 'x' }, data: { a: 'x', b: '' } });
  });
  it('field selector `type` on secrets; none beyond metadata on config maps', () => {
    assert.deepEqual(Object.keys(secrets.fieldSelectors ?? {}), ['type']);
    assert.equal(secrets.fieldSelectors!['type']!(secret({ type: 'kubernetes.io/tls' })), 'kubernetes.io/tls');
    assert.equal(configMaps.fieldSelectors, undefined);
  });
});

describe('Table rows', () => {
  it('config maps: NAME, DATA (keys of data and binaryData), AGE', () => {
    assert.deepEqual(
      configMapPrinter.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Data', 'string'],
        ['Age', 'string'],
      ],
    );
    const row = configMapPrinter.cells(
      { metadata: { name: 'game', creationTimestamp: ago(75 * SEC) }, data: { a: '1', b: '2' }, binaryData: { c: '' } },
      NOW,
    );
    assert.deepEqual(row, ['game', 3, '75s']);
  });
  it('secrets: NAME, TYPE, DATA (keys of data), AGE', () => {
    assert.deepEqual(
      secretPrinter.columns.map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Type', 'string'],
        ['Data', 'string'],
        ['Age', 'string'],
      ],
    );
    const row = secretPrinter.cells(
      {
        metadata: { name: 'tls', creationTimestamp: ago(3 * SEC) },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': '', 'tls.key': '' },
      },
      NOW,
    );
    assert.deepEqual(row, ['tls', 'kubernetes.io/tls', 2, '3s']);
  });
});
