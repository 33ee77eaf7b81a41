import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkFieldSelectorFields,
  FieldSelectorError,
  parseFieldSelector,
} from '../../../server/registry/selectors.js';

describe('parseFieldSelector', () => {
  const ok: Array<[string, string, string, Array<[Record<string, string>, boolean]>]> = [
    [
      'equals',
      'metadata.name=a',
      'metadata.name=a',
      [
        [{ 'metadata.name': 'a' }, true],
        [{ 'metadata.name': 'b' }, false],
      ],
    ],
    [
      'double equals normalised',
      'status.phase==Running',
      'status.phase=Running',
      [[{ 'status.phase': 'Running' }, true]],
    ],
    [
      'not equals',
      'spec.nodeName!=',
      'spec.nodeName!=',
      [
        [{ 'spec.nodeName': 'n1' }, true],
        [{}, false],
      ],
    ],
    ['sorted terms', 'b=1,a=2', 'a=2,b=1', [[{ a: '2', b: '1' }, true]]],
    ['escaped comma', 'a=x\\,y', 'a=x\\,y', [[{ a: 'x,y' }, true]]],
    ['escaped equals and backslash', 'a=x\\=y\\\\', 'a=x\\=y\\\\', [[{ a: 'x=y\\' }, true]]],
    ['missing field is empty string', 'a=', 'a=', [[{}, true]]],
    ['empty', '', '', [[{}, true]]],
  ];
  for (const [name, input, printed, checks] of ok) {
    it(name, () => {
      const sel = parseFieldSelector(input);
      assert.equal(sel.toString(), printed);
      for (const [fields, want] of checks) assert.equal(sel.matches(fields), want);
    });
  }
  const bad: Array<[string, string, string]> = [
    ['no operator', 'field,', "invalid selector: 'field,'; can't understand 'field'"],
    ['unescaped equals', 'a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['bad escape', 'a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['trailing backslash', 'a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects: ${name}`, () =>
      assert.throws(
        () => parseFieldSelector(input),
        (e: unknown) => e instanceof FieldSelectorError && e.message === message,
      ));
  }
  it('exposes requirements', () =>
    assert.deepEqual(parseFieldSelector('x!=1,y=2').requirements, [
      { field: 'x', operator: '!=', value: '1' },
      { field: 'y', operator: '=', value: '2' },
    ]));
});

describe('checkFieldSelectorFields', () => {
  const allowed = ['metadata.name', 'metadata.namespace', 'spec.nodeName'];
  const rows: Array<[string, string, string | null | undefined, string | null]> = [
    ['supported labels', 'spec.nodeName=a,metadata.name=b', 'Pod', null],
    ['pod unknown label', 'spec.foo=a', 'Pod', 'field label not supported: spec.foo'],
    ['custom resource unknown label', 'spec.foo=a', undefined, 'field label not supported: spec.foo'],
    [
      'default conversion kind',
      'spec.foo=a',
      'ConfigMap',
      '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
    ['first unsupported in sorted order', 'z=1,b=2', 'Pod', 'field label not supported: b'],
  ];
  for (const [name, input, kind, message] of rows) {
    it(name, () => {
      const run = () => checkFieldSelectorFields(parseFieldSelector(input), allowed, kind);
      if (message === null) assert.doesNotThrow(run);
      else assert.throws(run, (e: unknown) => e instanceof FieldSelectorError && e.message === message);
    });
  }
});
