import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyPatch, PatchError, type ApplyPatchOptions } from '../../../server/patch/index.js';
import { goSyntaxError } from '../../../server/patch/go-json.js';

const JSONP = 'application/json-patch+json';
const MERGE = 'application/merge-patch+json';
const SMP = 'application/strategic-merge-patch+json';
const original = { metadata: { name: 'x', labels: { a: '1' } }, spec: { list: [1, 2] } };

function expectError(
  contentType: string,
  body: string,
  code: number,
  message: string,
  opts: ApplyPatchOptions = {},
): void {
  assert.throws(
    () => applyPatch(contentType, original, body, opts),
    (e: unknown) => e instanceof PatchError && e.code === code && e.message === message,
  );
}

describe('applyPatch: dispatch on Content-Type', () => {
  const rows: { name: string; contentType: string; body: string; expected: unknown }[] = [
    {
      name: 'application/json-patch+json',
      contentType: JSONP,
      body: '[{"op":"replace","path":"/spec/list/0","value":9}]',
      expected: { metadata: { name: 'x', labels: { a: '1' } }, spec: { list: [9, 2] } },
    },
    {
      name: 'application/merge-patch+json replaces lists',
      contentType: MERGE,
      body: '{"spec":{"list":[3]}}',
      expected: { metadata: { name: 'x', labels: { a: '1' } }, spec: { list: [3] } },
    },
    {
      name: 'application/strategic-merge-patch+json without schema',
      contentType: SMP,
      body: '{"metadata":{"labels":{"a":null,"b":"2"}}}',
      expected: { metadata: { name: 'x', labels: { b: '2' } }, spec: { list: [1, 2] } },
    },
    {
      name: 'parameters after ; are ignored',
      contentType: `${MERGE}; charset=utf-8`,
      body: '{"metadata":{"name":"y"}}',
      expected: { metadata: { name: 'y', labels: { a: '1' } }, spec: { list: [1, 2] } },
    },
    {
      name: 'a null strategic merge patch changes nothing',
      contentType: SMP,
      body: 'null',
      expected: original,
    },
    {
      name: 'a null JSON patch changes nothing',
      contentType: JSONP,
      body: ' null ',
      expected: original,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const before = structuredClone(original);
      assert.deepStrictEqual(applyPatch(row.contentType, original, row.body), row.expected);
      assert.deepStrictEqual(applyPatch(row.contentType, original, Buffer.from(row.body)), row.expected);
      assert.deepStrictEqual(original, before);
    });
  }
});

describe('applyPatch: unsupported media types are a 415', () => {
  const accepted =
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json';
  for (const contentType of [
    'application/json',
    'application/apply-patch+yaml',
    'Application/Merge-Patch+json',
    '',
    'text/plain; application/merge-patch+json',
  ]) {
    it(JSON.stringify(contentType), () => expectError(contentType, '{}', 415, accepted));
  }
  it('the 415 lists acceptedMediaTypes when given', () => {
    expectError(
      'application/json',
      '{}',
      415,
      'the body of the request was in an unknown format - accepted media types include: a/b, c/d',
      {
        acceptedMediaTypes: ['a/b', 'c/d'],
      },
    );
  });
});

describe('applyPatch: undecodable bodies are a 400 with upstream wording', () => {
  const rows: { name: string; contentType: string; body: string; message: string; opts?: ApplyPatchOptions }[] = [
    { name: 'SMP truncated', contentType: SMP, body: '{"a":', message: 'unexpected end of JSON input' },
    {
      name: 'SMP bad key',
      contentType: SMP,
      body: '{bad}',
      message: "invalid character 'b' looking for beginning of object key string",
    },
    {
      name: 'SMP not an object',
      contentType: SMP,
      body: '[1]',
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    },
    {
      name: 'SMP a string',
      contentType: SMP,
      body: '"x"',
      message: 'json: cannot unmarshal string into Go value of type map[string]interface {}',
    },
    {
      name: 'merge patch trailing garbage',
      contentType: MERGE,
      body: '{"a":1}x',
      message: "error decoding patch: invalid character 'x' after top-level value",
    },
    {
      name: 'merge patch empty body',
      contentType: MERGE,
      body: '',
      message: 'error decoding patch: unexpected end of JSON input',
    },
    {
      name: 'merge patch not an object',
      contentType: MERGE,
      body: '"s"',
      message: 'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}',
    },
    { name: 'merge patch null', contentType: MERGE, body: 'null', message: 'Invalid JSON Patch' },
    {
      name: 'merge patch syntax error, fieldValidation=Ignore',
      contentType: MERGE,
      body: '{',
      message: 'Invalid JSON Patch',
      opts: { fieldValidation: 'Ignore' },
    },
    {
      name: 'merge patch scalar, fieldValidation=Ignore',
      contentType: MERGE,
      body: '1',
      message: 'Invalid JSON Patch',
      opts: { fieldValidation: 'Ignore' },
    },
    {
      name: 'JSON patch an object',
      contentType: JSONP,
      body: '{"op":"add"}',
      message: 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp',
    },
    {
      name: 'JSON patch a number element',
      contentType: JSONP,
      body: '[1]',
      message: 'error decoding patch: json: cannot unmarshal number into Go value of type handlers.jsonPatchOp',
    },
    {
      name: 'JSON patch a non-string op',
      contentType: JSONP,
      body: '[{"op":1,"path":"/a"}]',
      message: 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string',
    },
    {
      name: 'JSON patch an object, fieldValidation=Ignore',
      contentType: JSONP,
      body: '{"op":"add"}',
      message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
      opts: { fieldValidation: 'Ignore' },
    },
    {
      name: 'JSON patch bad syntax',
      contentType: JSONP,
      body: '[{"op":"add",}]',
      message: "error decoding patch: invalid character '}' looking for beginning of object key string",
    },
  ];
  for (const row of rows) it(row.name, () => expectError(row.contentType, row.body, 400, row.message, row.opts));
});

describe('PatchError.toStatus: the Status kube-apiserver writes', () => {
  const statusOf = (contentType: string, body: string): unknown => {
    try {
      applyPatch(contentType, original, body);
    } catch (e) {
      if (e instanceof PatchError) return e.toStatus();
      throw e;
    }
    throw new Error('no error');
  };
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure' };
  it('400 BadRequest', () => {
    assert.deepStrictEqual(statusOf(SMP, '{'), {
      ...base,
      message: 'unexpected end of JSON input',
      reason: 'BadRequest',
      code: 400,
    });
  });
  it('422 from a JSON patch that does not apply: generic message and empty details', () => {
    assert.deepStrictEqual(statusOf(JSONP, '[{"op":"test","path":"/metadata/name","value":"y"}]'), {
      ...base,
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
  });
  it('500 without a reason from a strategic merge error', () => {
    const schema = {
      properties: {
        spec: {
          properties: {
            list: {
              type: 'array',
              items: {},
              'x-kubernetes-patch-strategy': 'merge',
              'x-kubernetes-patch-merge-key': 'name',
            },
          },
        },
      },
    };
    let status: unknown;
    try {
      applyPatch(SMP, { spec: { list: [{ name: 'a' }] } }, '{"spec":{"list":[{"id":1}]}}', { schema });
    } catch (e) {
      status = (e as PatchError).toStatus();
    }
    assert.deepStrictEqual(status, {
      ...base,
      message: 'map: map[id:1] does not contain declared merge key: name',
      code: 500,
    });
  });
  it('415 UnsupportedMediaType', () => {
    assert.deepStrictEqual(statusOf('application/json', '{}'), {
      ...base,
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  });
});

describe("Go's JSON syntax error texts", () => {
  const rows: [string, string | Uint8Array, string | undefined][] = [
    ['valid', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', undefined],
    ['empty', '', 'unexpected end of JSON input'],
    ['only spaces', ' \n\t', 'unexpected end of JSON input'],
    ['missing colon', '{"a" 1}', "invalid character '1' after object key"],
    ['missing comma', '{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['list without comma', '[1 2]', "invalid character '2' after array element"],
    ['trailing comma in object', '{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ['trailing comma in list', '[1,]', "invalid character ']' looking for beginning of value"],
    ['single quotes', "{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['bad literal', 'trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['bad null', 'nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['truncated literal', 'fals', 'unexpected end of JSON input'],
    ['minus alone', '-x', "invalid character 'x' in numeric literal"],
    ['bad fraction', '1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['bad exponent', '1ex', "invalid character 'x' in exponent of numeric literal"],
    ['leading zero', '01', "invalid character '1' after top-level value"],
    ['bad escape', '"\\q"', "invalid character 'q' in string escape code"],
    ['bad unicode escape', '"\\u12x4"', "invalid character 'x' in \\u hexadecimal character escape"],
    ['raw newline in string', '"a\nb"', "invalid character '\\n' in string literal"],
    ['unknown start', 'x', "invalid character 'x' looking for beginning of value"],
    [
      'byte order mark',
      Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      "invalid character 'ï' looking for beginning of value",
    ],
  ];
  for (const [name, input, message] of rows) {
    it(name, () => assert.equal(goSyntaxError(typeof input === 'string' ? Buffer.from(input) : input), message));
  }
});
