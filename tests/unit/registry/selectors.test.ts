import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../server/registry/field-errors.js';
import {
  checkFieldSelectorFields, FieldSelectorError, formatLabelSelector, labelSelectorFromObject, LabelSelector, parseFieldSelector, parseLabelSelector,
  SelectorParseError, validateLabelSelector, type LabelSelectorObject,
} from '../../../server/registry/selectors.js';

const QNAME = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('parseLabelSelector: accepted input', () => {
  const rows: Array<[string, string, string]> = [
    ['equals', 'a=b', 'a=b'],
    ['double equals', 'a==b', 'a==b'],
    ['not equals', 'a!=b', 'a!=b'],
    ['in with sorted values', 'env in (prod,dev)', 'env in (dev,prod)'],
    ['notin', 'env notin (a)', 'env notin (a)'],
    ['exists', 'a', 'a'],
    ['does not exist', '!a', '!a'],
    ['greater than', 'n>5', 'n>5'],
    ['less than', 'n<5', 'n<5'],
    ['comma separated sorted by key', 'z=1,a=2', 'a=2,z=1'],
    ['whitespace tolerant', '  a  =  b ,  c  in ( x , y ) ', 'a=b,c in (x,y)'],
    ['empty value', 'a=', 'a='],
    ['empty set', 'a in ()', 'a in ()'],
    ['empty items', 'x in (foo,,baz)', 'x in (,baz,foo)'],
    ['keywords as values', 'a in (in,notin)', 'a in (in,notin)'],
    ['prefixed key', 'app.kubernetes.io/name=web', 'app.kubernetes.io/name=web'],
    ['empty string is everything', '', ''],
  ];
  for (const [name, input, printed] of rows) it(name, () => assert.equal(parseLabelSelector(input).toString(), printed));
});

describe('parseLabelSelector: upstream error messages', () => {
  const rows: Array<[string, string, string]> = [
    ['in without parentheses (kubectl -l "a in b")', 'a in b', "unable to parse requirement: found 'b' expected: '('"],
    ['missing operator', 'a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['uppercase IN', 'env IN (a)', "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt"],
    ['unclosed set', 'a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['operator in set', 'a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['bare bang', '!', "unable to parse requirement: found '', expected: identifier"],
    ['exact value not identifier', 'a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['trailing token', 'a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['trailing comma', 'a=b,', "found '', expected: identifier after ','"],
    ['leading operator', '=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['does-not-exist with value', '!a=b', "found '=', expected: ',' or 'end of string'"],
    ['invalid key', 'app:web', `unable to parse requirement: <nil>: Invalid value: "app:web": name part ${QNAME}`],
    ['invalid value', 'app=a/b', `unable to parse requirement: values[0][app]: Invalid value: "a/b": ${LABEL_VALUE}`],
    ['non-integer gt', 'n>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
  ];
  for (const [name, input, message] of rows) {
    it(name, () => assert.throws(() => parseLabelSelector(input), (e: unknown) => e instanceof SelectorParseError && e.message === message));
  }
});

describe('LabelSelector.matches', () => {
  const labels = { app: 'web', tier: 'front', n: '10' };
  const rows: Array<[string, string, Record<string, string> | undefined, boolean]> = [
    ['equals match', 'app=web', labels, true],
    ['equals mismatch', 'app=db', labels, false],
    ['not equals absent key matches', 'missing!=x', labels, true],
    ['not equals same value', 'app!=web', labels, false],
    ['in', 'tier in (back,front)', labels, true],
    ['notin absent key matches', 'zone notin (a)', labels, true],
    ['notin present value', 'tier notin (front)', labels, false],
    ['exists', 'app', labels, true],
    ['exists missing', 'zone', labels, false],
    ['does not exist', '!zone', labels, true],
    ['does not exist present', '!app', labels, false],
    ['gt', 'n>9', labels, true],
    ['gt equal', 'n>10', labels, false],
    ['lt', 'n<11', labels, true],
    ['gt on non-integer label', 'app>1', labels, false],
    ['all requirements', 'app=web,tier=back', labels, false],
    ['undefined labels', 'app', undefined, false],
    ['everything matches undefined labels', '', undefined, true],
  ];
  for (const [name, sel, l, want] of rows) it(name, () => assert.equal(parseLabelSelector(sel).matches(l), want));

  it('exposes requirements', () =>
    assert.deepEqual(parseLabelSelector('b in (y,x),a').requirements, [
      { key: 'a', operator: 'exists', values: [] },
      { key: 'b', operator: 'in', values: ['x', 'y'] },
    ]));
  it('empty for everything only', () => {
    assert.equal(parseLabelSelector('').empty, true);
    assert.equal(parseLabelSelector('a').empty, false);
    assert.equal(LabelSelector.nothing().empty, false);
  });
  it('requiresExactMatch', () => {
    assert.equal(parseLabelSelector('a=b,c in (d)').requiresExactMatch('c'), 'd');
    assert.equal(parseLabelSelector('a!=b').requiresExactMatch('a'), undefined);
  });
});

describe('labelSelectorFromObject / formatLabelSelector', () => {
  const rows: Array<[string, LabelSelectorObject | null | undefined, string, Record<string, string>, boolean]> = [
    ['nil matches nothing', null, '<none>', {}, false],
    ['empty matches everything', {}, '<none>', { a: 'b' }, true],
    ['matchLabels', { matchLabels: { app: 'fluentd' } }, 'app=fluentd', { app: 'fluentd' }, true],
    ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, 'env in (dev,prod)', { env: 'dev' }, true],
    ['NotIn', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, 'env notin (dev)', { env: 'dev' }, false],
    ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, 'env', { env: 'x' }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, '!env', { env: 'x' }, false],
    [
      'labels and expressions sorted by key',
      { matchLabels: { z: '1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] },
      'a,z=1',
      { a: '', z: '1' },
      true,
    ],
  ];
  for (const [name, sel, printed, labels, match] of rows) {
    it(name, () => {
      assert.equal(formatLabelSelector(sel), printed);
      assert.equal(labelSelectorFromObject(sel).matches(labels), match);
    });
  }
  const errs: Array<[string, LabelSelectorObject, string]> = [
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '"Foo" is not a valid pod selector operator'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty"],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, 'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist'],
    ['bad value', { matchExpressions: [{ key: 'app', operator: 'In', values: ['a b'] }] }, `values[0][app]: Invalid value: "a b": ${LABEL_VALUE}`],
    ['bad key', { matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": name part ${QNAME}`],
  ];
  for (const [name, sel, message] of errs) {
    it(`throws: ${name}`, () => assert.throws(() => labelSelectorFromObject(sel), (e: unknown) => e instanceof SelectorParseError && e.message === message));
  }
  it('formats invalid selector as <error>', () => assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), '<error>'));
});

describe('validateLabelSelector', () => {
  const rows: Array<[string, LabelSelectorObject | null, string[]]> = [
    ['nil is valid', null, []],
    ['valid', { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }, []],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"]],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] },
      ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
    ],
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator']],
    ['bad key', { matchExpressions: [{ key: 'a b', operator: 'Exists' }] }, [`spec.selector.matchExpressions[0].key: Invalid value: "a b": name part ${QNAME}`]],
    ['bad value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['a b'] }] }, [`spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": ${LABEL_VALUE}`]],
    ['bad matchLabels value', { matchLabels: { a: 'a b' } }, [`spec.selector.matchLabels: Invalid value: "a b": ${LABEL_VALUE}`]],
  ];
  for (const [name, sel, want] of rows) it(name, () => assert.deepEqual(validateLabelSelector(sel, 'spec.selector').map(fieldErrorString), want));
});

describe('parseFieldSelector', () => {
  const ok: Array<[string, string, string, Array<[Record<string, string>, boolean]>]> = [
    ['equals', 'metadata.name=a', 'metadata.name=a', [[{ 'metadata.name': 'a' }, true], [{ 'metadata.name': 'b' }, false]]],
    ['double equals normalised', 'status.phase==Running', 'status.phase=Running', [[{ 'status.phase': 'Running' }, true]]],
    ['not equals', 'spec.nodeName!=', 'spec.nodeName!=', [[{ 'spec.nodeName': 'n1' }, true], [{}, false]]],
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
    it(`rejects: ${name}`, () => assert.throws(() => parseFieldSelector(input), (e: unknown) => e instanceof FieldSelectorError && e.message === message));
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
    ['default conversion kind', 'spec.foo=a', 'ConfigMap', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
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
