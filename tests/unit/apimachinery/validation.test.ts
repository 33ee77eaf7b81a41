import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isLabelValueValid,
  isQualifiedName,
  isQualifiedNameValid,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  regexError,
} from '../../../apimachinery/validation.js';

const SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QNAME_NAME =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

type Row = [name: string, fn: (s: string) => string[], input: string, expected: string[]];

const rows: Row[] = [
  ['subdomain ok', isDNS1123Subdomain, 'example.com', []],
  ['subdomain uppercase', isDNS1123Subdomain, 'Foo', [SUBDOMAIN]],
  ['subdomain empty', isDNS1123Subdomain, '', [SUBDOMAIN]],
  ['subdomain too long', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
  [
    'subdomain too long and invalid',
    isDNS1123Subdomain,
    'A'.repeat(254),
    ['must be no more than 253 characters', SUBDOMAIN],
  ],
  ['label ok', isDNS1123Label, 'my-name', []],
  ['label with dots', isDNS1123Label, 'a.b', ['must not contain dots']],
  ['label invalid', isDNS1123Label, 'a_b', [LABEL]],
  ['label too long', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  [
    'dns1035 starts with digit',
    isDNS1035Label,
    '1abc',
    [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
  ['qualified ok', isQualifiedName, 'example.com/My.Name', []],
  ['qualified bad name', isQualifiedName, 'a b', [QNAME_NAME]],
  ['qualified empty prefix', isQualifiedName, '/a', ['prefix part must be non-empty']],
  ['qualified empty name', isQualifiedName, 'a/', ['name part must be non-empty', QNAME_NAME]],
  ['qualified bad prefix', isQualifiedName, 'A/b', [`prefix part ${SUBDOMAIN}`]],
  ['qualified long name', isQualifiedName, 'a'.repeat(64), ['name part must be no more than 63 characters']],
  [
    'qualified two slashes',
    isQualifiedName,
    'a/b/c',
    [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  ],
  ['label value empty ok', isValidLabelValue, '', []],
  ['label value bad', isValidLabelValue, 'a b', [LABEL_VALUE]],
  ['label value long', isValidLabelValue, 'a'.repeat(64), ['must be no more than 63 characters']],
  [
    'configmap key bad',
    isConfigMapKey,
    'a/b',
    [
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ],
  ],
  ['configmap key dotdot', isConfigMapKey, '..', ["must not be '..'"]],
  ['configmap key dotdot prefix', isConfigMapKey, '..a', ["must not start with '..'"]],
  ['env var relaxed ok', isEnvVarName, '1-my.VAR', []],
  [
    'env var with =',
    isEnvVarName,
    'A=B',
    ["a valid environment variable name must consist only of printable ASCII characters other than '='"],
  ],
  ['port name ok', isValidPortName, 'http', []],
  [
    'port name bad',
    isValidPortName,
    '-1234567890123456--',
    [
      'must be no more than 15 characters',
      'must contain at least one letter (a-z)',
      'must not contain consecutive hyphens',
      'must not begin or end with a hyphen',
    ],
  ],
  [
    'port name uppercase',
    isValidPortName,
    'HTTP',
    [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ],
  ],
  ['ip ok v4', isValidIP, '10.0.0.1', []],
  ['ip ok v6', isValidIP, '2001:db8::1', []],
  ['ip bad', isValidIP, '10.0.0.256', ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
  ['cidr ok', isValidCIDR, '10.0.0.0/24', []],
  ['cidr bad', isValidCIDR, '10.0.0.0', ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ['cidr bad bits', isValidCIDR, '10.0.0.0/33', ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
];

describe('format checks', () => {
  for (const [name, fn, input, expected] of rows) {
    it(name, () => assert.deepEqual(fn(input), expected));
  }
});

describe('isQualifiedName, remembered', () => {
  it('answers a name it found valid, and one it found invalid, the same the second time and past its bound', () => {
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(isQualifiedName('example.com/My.Name'), []);
      assert.deepEqual(isQualifiedName('a b'), [QNAME_NAME]);
      assert.deepEqual(isQualifiedName('A/b'), [`prefix part ${SUBDOMAIN}`]);
    }
    // more valid names than it keeps: the set starts over, and what it answers does not change
    for (let i = 0; i < 5000; i++) assert.deepEqual(isQualifiedName(`k${i}.example.com/n${i}`), []);
    assert.deepEqual(isQualifiedName('example.com/My.Name'), []);
    assert.deepEqual(isQualifiedName('a/'), ['name part must be non-empty', QNAME_NAME]);
    // the answer is the caller's own array
    const errs = isQualifiedName('example.com/My.Name');
    errs.push('changed');
    assert.deepEqual(isQualifiedName('example.com/My.Name'), []);
  });
});

describe('isQualifiedNameValid and isLabelValueValid', () => {
  it('say whether isQualifiedName and isValidLabelValue find nothing, for any text', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.stringMatching(/^[-A-Za-z0-9_./]{0,70}$/),
      fc.string({ unit: 'binary', maxLength: 70 }),
      fc.constantFrom('a'.repeat(63), 'a'.repeat(64), `${'a'.repeat(62)}\u00e9`, 'x.io/y', 'x/', '-a', 'a-'),
    );
    fc.assert(
      fc.property(text, (v) => {
        assert.equal(isQualifiedNameValid(v), isQualifiedName(v).length === 0);
        assert.equal(isLabelValueValid(v), isValidLabelValue(v).length === 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('message helpers and port numbers', () => {
  const cases: Array<[string, () => unknown, unknown]> = [
    ['regexError without examples', () => regexError('msg', 're'), "msg (regex used for validation is 're')"],
    [
      'regexError joins examples with double space',
      () => regexError('m', 'r', 'a', 'b'),
      "m (e.g. 'a',  or 'b', regex used for validation is 'r')",
    ],
    ['port number 0', () => isValidPortNum(0), ['must be between 1 and 65535, inclusive']],
    ['port number 65535', () => isValidPortNum(65535), []],
  ];
  for (const [name, fn, expected] of cases) it(name, () => assert.deepEqual(fn(), expected));
});
