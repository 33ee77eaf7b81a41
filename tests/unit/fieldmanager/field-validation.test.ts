import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTyped, timeParseError, warningHeaderValue } from '../../../server/api/field-validation.js';
import { parseStrictJson } from '../../../server/fieldmanager/json.js';
import { typeFor } from '../../../server/fieldmanager/typed.js';
import { parseYaml, strictWarnings, yamlStrictError } from '../../../server/fieldmanager/yaml.js';

const POD = typeFor('', 'v1', 'Pod');
const DS = typeFor('apps', 'v1', 'DaemonSet');
const CR = typeFor('apps', 'v1', 'ControllerRevision');

/** Checks JSON text as a strict (Strict/Warn) decode of a Pod would. */
function check(text: string, type = POD) {
  const parse = parseStrictJson(text);
  return checkTyped(parse.value, type, { strict: true, parse });
}

describe('unknown and duplicate fields (strict decoding)', () => {
  const rows: { name: string; body: string; strict: string[]; value?: unknown; type?: typeof POD }[] = [
    {
      name: 'nested objects',
      body: '{"metadata":{"name":"p","unknownMeta":1},"spec":{"foo":{"bar":1},"nodeName":"n"}}',
      strict: ['unknown field "metadata.unknownMeta"', 'unknown field "spec.foo"'],
      value: { metadata: { name: 'p' }, spec: { nodeName: 'n' } },
    },
    {
      name: 'lists of objects (indexes in the path)',
      body: '{"spec":{"containers":[{"name":"a"},{"name":"b","foo":1,"ports":[{"containerPort":1,"bar":2}]}]}}',
      strict: ['unknown field "spec.containers[1].foo"', 'unknown field "spec.containers[1].ports[0].bar"'],
      value: { spec: { containers: [{ name: 'a' }, { name: 'b', ports: [{ containerPort: 1 }] }] } },
    },
    {
      name: 'maps accept any key; their duplicates are reported',
      body: '{"metadata":{"labels":{"a":"1","anything/goes":"2","a":"3"}}}',
      strict: ['duplicate field "metadata.labels.a"'],
      value: { metadata: { labels: { a: '3', 'anything/goes': '2' } } },
    },
    {
      name: 'an unknown field repeated is reported once',
      body: '{"spec":{"replicas":1,"unknownField":"x","replicas":2,"template":{"spec":{"containers":[]}}}}',
      strict: ['unknown field "spec.replicas"', 'unknown field "spec.unknownField"'],
      type: DS,
    },
    {
      name: 'a repeated struct decodes into the first (fields merge)',
      body: '{"spec":{"nodeName":"n"},"spec":{"hostname":"h"}}',
      strict: ['duplicate field "spec"'],
      value: { spec: { nodeName: 'n', hostname: 'h' } },
    },
    {
      name: 'int-or-string and quantities accept numbers and strings',
      body: '{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":1,"memory":"1Gi"}},"livenessProbe":{"httpGet":{"port":"http"}},"readinessProbe":{"tcpSocket":{"port":8080}}}]}}',
      strict: [],
    },
    {
      name: 'RawExtension takes anything, unchecked inside',
      body: '{"data":{"spec":{"whatever":[1,{"x":true}],"whatever":2}},"revision":1}',
      strict: [],
      value: { data: { spec: { whatever: 2 } }, revision: 1 },
      type: CR,
    },
    {
      name: 'managedFields entries: fieldsV1 is free-form',
      body: '{"metadata":{"managedFields":[{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:x":{}},"bogus":1}]}}',
      strict: ['unknown field "metadata.managedFields[0].bogus"'],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const got = check(row.body, row.type ?? POD);
      assert.equal(got.error, undefined);
      assert.deepEqual(got.strict, row.strict);
      if (row.value !== undefined) assert.deepEqual(got.value, row.value);
    });
  }

  it('conformance: unknown field and duplicate field of a Deployment-like spec', () => {
    const got = check('{"spec":{"revisionHistoryLimit":1,"unknownField":"x","revisionHistoryLimit":2}}', DS);
    assert.deepEqual(got.strict, ['unknown field "spec.unknownField"', 'duplicate field "spec.revisionHistoryLimit"']);
  });

  it('without strict mode unknown fields are dropped silently', () => {
    const got = checkTyped({ spec: { foo: 1, nodeName: 'n' } }, POD, { strict: false });
    assert.deepEqual(got, { value: { spec: { nodeName: 'n' } }, strict: [], error: undefined });
  });

  it('stops counting at 100 errors and reports each once', () => {
    const fields = Array.from({ length: 150 }, (_, i) => `"f${i}":1`).join(',');
    const got = check(`{"spec":{${fields},"f0":2}}`);
    assert.equal(got.strict.length, 100);
  });
});

describe('type errors: Go encoding/json messages', () => {
  const rows: { name: string; body: string; error: string; type?: typeof POD }[] = [
    {
      name: 'string for a list',
      body: '{"spec":{"containers":"x"}}',
      error: 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
    },
    {
      name: 'string for a struct',
      body: '{"spec":"x"}',
      error: 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec',
    },
    {
      name: 'number for a string in a list item',
      body: '{"spec":{"containers":[{"name":5}]}}',
      error: 'json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string',
    },
    {
      name: 'map value of the wrong type',
      body: '{"metadata":{"labels":{"a":1}}}',
      error: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    },
    {
      name: 'fraction for an int32',
      body: '{"spec":{"containers":[{"name":"c","ports":[{"containerPort":80.5}]}]}}',
      error:
        'json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    },
    {
      name: 'int32 overflow',
      body: '{"spec":{"containers":[{"name":"c","ports":[{"containerPort":3000000000}]}]}}',
      error:
        'json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    },
    {
      name: 'named string type',
      body: '{"spec":{"restartPolicy":true}}',
      error: 'json: cannot unmarshal bool into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy',
    },
    {
      name: 'bool for an int-or-string',
      body: '{"spec":{"containers":[{"name":"c","livenessProbe":{"httpGet":{"port":true}}}]}}',
      error:
        'json: cannot unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port of type int32',
    },
    {
      name: 'bad quantity',
      body: '{"spec":{"containers":[{"name":"c","resources":{"limits":{"memory":"lots"}}}]}}',
      error: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    },
    {
      name: 'bad time',
      body: '{"metadata":{"creationTimestamp":"yesterday"}}',
      error: 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    },
    {
      name: 'number for a time',
      body: '{"metadata":{"creationTimestamp":5}}',
      error: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string',
    },
    {
      name: 'the first error wins',
      body: '{"spec":{"nodeName":1,"hostname":2}}',
      error: 'json: cannot unmarshal number into Go struct field PodSpec.spec.nodeName of type string',
    },
  ];
  for (const row of rows) it(row.name, () => assert.equal(check(row.body, row.type ?? POD).error, row.error));

  it('null is accepted everywhere (a zero value)', () => {
    assert.equal(check('{"metadata":{"labels":null},"spec":{"containers":null,"priority":null}}').error, undefined);
  });
});

describe('time parsing like Go time.Parse(RFC3339)', () => {
  const rows: [string, string | undefined][] = [
    ['2024-01-02T03:04:05Z', undefined],
    ['2024-01-02T03:04:05.123456+02:00', undefined],
    ['2024-13-02T03:04:05Z', 'parsing time "2024-13-02T03:04:05Z": month out of range'],
    ['2024-02-30T03:04:05Z', 'parsing time "2024-02-30T03:04:05Z": day out of range'],
    [
      '2024-01-02 03:04:05Z',
      'parsing time "2024-01-02 03:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 03:04:05Z" as "T"',
    ],
    [
      '2024-01-02T03:04:05',
      'parsing time "2024-01-02T03:04:05" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"',
    ],
    ['2024-01-02T03:04:05Zjunk', 'parsing time "2024-01-02T03:04:05Zjunk": extra text: "junk"'],
    ['2024-01-0', 'parsing time "2024-01-0" as "2006-01-02T15:04:05Z07:00": cannot parse "0" as "02"'],
    [
      '2024-\u06612-02T03:04:05Z', // a digit of another script is not a digit
      'parsing time "2024-\u06612-02T03:04:05Z" as "2006-01-02T15:04:05Z07:00": cannot parse "\u06612-02T03:04:05Z" as "01"',
    ],
  ];
  for (const [input, want] of rows) it(input, () => assert.equal(timeParseError(input), want));
  it('answers the same when asked again (valid times are remembered)', () => {
    for (let round = 0; round < 2; round++) for (const [input, want] of rows) assert.equal(timeParseError(input), want);
  });
});

describe('YAML bodies and warnings', () => {
  it('reports repeated keys with their lines, as go-yaml does', () => {
    const y = parseYaml('a: 1\nb:\n  c: 2\n  c: 3\n');
    assert.deepEqual(y.value, { a: 1, b: { c: 3 } });
    assert.deepEqual(y.duplicates, ['line 4: key "c" already set in map']);
    const err = yamlStrictError(y.duplicates);
    assert.equal(err, 'error converting YAML to JSON: yaml: unmarshal errors:\n  line 4: key "c" already set in map');
    assert.deepEqual(strictWarnings(err), ['line 4: key "c" already set in map']);
  });

  it('reads YAML 1.1 booleans like go-yaml v2', () => {
    assert.deepEqual(parseYaml('a: yes\nb: "yes"\n').value, { a: true, b: 'yes' });
  });

  it('syntax errors are returned, not thrown', () => {
    assert.match(parseYaml('a: [1\n').error ?? '', /^yaml: line \d+: /);
  });

  it('Warning header values quote the text like the apiserver', () => {
    assert.equal(warningHeaderValue('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
    assert.equal(warningHeaderValue('a\\b'), '299 - "a\\\\b"');
  });
});

describe('checkTyped copies only what it changes', () => {
  it('gives back the decoded value itself when nothing is dropped, repeated or rewritten', () => {
    const text =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"1","2":"b"}},"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80}]}]}}';
    const parse = parseStrictJson(text);
    const checked = checkTyped(parse.value, POD, { strict: true, parse });
    assert.equal(checked.value, parse.value);
    assert.equal(JSON.stringify(checked.value), JSON.stringify(JSON.parse(text)));
  });

  it('copies the paths above an unknown field, a repeated key or a rewritten value, and leaves the input as it was', () => {
    for (const text of [
      '{"metadata":{"name":"p","labels":{"a":"1"}},"spec":{"containers":[{"name":"c","bogus":1}],"nodeName":"n"}}',
      '{"metadata":{"name":"p","name":"q"},"spec":{"nodeName":"n"}}',
    ]) {
      const parse = parseStrictJson(text);
      const before = JSON.stringify(parse.value);
      const checked = checkTyped(parse.value, POD, { strict: true, parse });
      assert.notEqual(checked.value, parse.value);
      assert.equal(JSON.stringify(parse.value), before);
      const v = checked.value as any;
      const input = parse.value as any;
      assert.equal(v.spec.containers?.[0]?.bogus, undefined);
      // what did not change below a copied node is shared, not copied
      if (input.metadata.labels) assert.equal(v.metadata.labels, input.metadata.labels);
    }
    const secret = typeFor('', 'v1', 'Secret');
    const parse = parseStrictJson('{"data":{"k":"YWJj"}}');
    assert.equal(checkTyped(parse.value, secret, { strict: true, parse }).value, parse.value);
  });
});
