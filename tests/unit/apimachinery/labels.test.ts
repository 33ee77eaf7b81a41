import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../../../apimachinery/field-errors.js';
import {
  formatLabels,
  formatLabelSelector,
  isEmptyLabelSelector,
  LabelSelector,
  labelSelectorFromObject,
  newRequirement,
  parseLabelSelector,
  SelectorParseError,
  validateLabelSelector,
  type LabelSelectorObject,
} from '../../../apimachinery/labels.js';

const QNAME =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
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
  for (const [name, input, printed] of rows)
    it(name, () => assert.equal(parseLabelSelector(input).toString(), printed));
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
    [
      'non-integer gt',
      'n>x',
      `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
  ];
  for (const [name, input, message] of rows) {
    it(name, () =>
      assert.throws(
        () => parseLabelSelector(input),
        (e: unknown) => e instanceof SelectorParseError && e.message === message,
      ),
    );
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
    [
      'In',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] },
      'env in (dev,prod)',
      { env: 'dev' },
      true,
    ],
    [
      'NotIn',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      'env notin (dev)',
      { env: 'dev' },
      false,
    ],
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
    // Kubernetes 1.26+ (kubernetes/kubernetes#112472) says "label selector operator"; older releases said "pod".
    [
      'bad operator',
      { matchExpressions: [{ key: 'a', operator: 'Foo' }] },
      '"Foo" is not a valid label selector operator',
    ],
    // LabelSelectorAsSelector passes append([]string(nil), values...): Go's nil slice when there are none.
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      'In with values absent',
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    ],
    [
      'bad value',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['a b'] }] },
      `values[0][app]: Invalid value: "a b": ${LABEL_VALUE}`,
    ],
    ['bad key', { matchLabels: { 'a b': 'c' } }, `key: Invalid value: "a b": name part ${QNAME}`],
  ];
  for (const [name, sel, message] of errs) {
    it(`throws: ${name}`, () =>
      assert.throws(
        () => labelSelectorFromObject(sel),
        (e: unknown) => e instanceof SelectorParseError && e.message === message,
      ));
  }
  it('formats invalid selector as <error>', () =>
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), '<error>'));
});

describe('validateLabelSelector', () => {
  const rows: Array<[string, LabelSelectorObject | null, string[]]> = [
    ['nil is valid', null, []],
    ['valid', { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }, []],
    [
      'In without values',
      { matchExpressions: [{ key: 'a', operator: 'In' }] },
      [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
    [
      'Exists with values',
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] },
      [
        "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      ],
    ],
    [
      'bad operator',
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'],
    ],
    [
      'bad key',
      { matchExpressions: [{ key: 'a b', operator: 'Exists' }] },
      [`spec.selector.matchExpressions[0].key: Invalid value: "a b": name part ${QNAME}`],
    ],
    [
      'bad value',
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['a b'] }] },
      [`spec.selector.matchExpressions[0].values[0]: Invalid value: "a b": ${LABEL_VALUE}`],
    ],
    [
      'bad matchLabels value',
      { matchLabels: { a: 'a b' } },
      [`spec.selector.matchLabels: Invalid value: "a b": ${LABEL_VALUE}`],
    ],
  ];
  for (const [name, sel, want] of rows)
    it(name, () => assert.deepEqual(validateLabelSelector(sel, 'spec.selector').map(fieldErrorString), want));
});

describe('labelSelectorFromObject: matching metav1.LabelSelectors (the DaemonSet controller)', () => {
  const labels = { app: 'web', tier: 'front' };
  const rows: Array<[string, LabelSelectorObject | null | undefined, Record<string, string> | undefined, boolean]> = [
    ['null selects nothing', null, labels, false],
    ['undefined selects nothing', undefined, labels, false],
    ['empty selects everything', {}, labels, true],
    ['matchLabels subset', { matchLabels: { app: 'web' } }, labels, true],
    ['matchLabels other value', { matchLabels: { app: 'db' } }, labels, false],
    ['matchLabels on no labels', { matchLabels: { app: 'web' } }, undefined, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels, false],
    [
      'NotIn with the label absent',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      labels,
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels, false],
    [
      'labels and expressions ANDed',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      labels,
      false,
    ],
  ];
  for (const [name, sel, l, want] of rows) it(name, () => assert.equal(labelSelectorFromObject(sel).matches(l), want));

  const bad: Array<[string, LabelSelectorObject]> = [
    ['Gt is no label selector operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }],
  ];
  for (const [name, sel] of bad)
    it(`rejects: ${name}`, () => assert.throws(() => labelSelectorFromObject(sel), SelectorParseError));

  it('isEmptyLabelSelector', () => {
    assert.equal(isEmptyLabelSelector({}), true);
    assert.equal(isEmptyLabelSelector({ matchLabels: {} }), true);
    assert.equal(isEmptyLabelSelector({ matchLabels: { a: 'b' } }), false);
    assert.equal(isEmptyLabelSelector(null), false);
  });
});

describe('formatLabels', () => {
  const cases: Array<[string, Record<string, string> | null | undefined, string]> = [
    ['undefined', undefined, '<none>'],
    ['null', null, '<none>'],
    ['empty', {}, '<none>'],
    ['one pair', { ssd: 'true' }, 'ssd=true'],
    ['sorted by key', { zone: 'a', app: 'x', 'kubernetes.io/os': 'linux' }, 'app=x,kubernetes.io/os=linux,zone=a'],
    ['empty value', { flag: '' }, 'flag='],
  ];
  for (const [name, labels, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(formatLabels(labels), want));
  }
});

describe('formatLabelSelector: Table cells', () => {
  const cases: Array<[string, LabelSelectorObject | null | undefined, string]> = [
    ['missing selector', undefined, '<none>'],
    ['null selector', null, '<none>'],
    ['empty selector', {}, '<none>'],
    ['empty matchLabels and expressions', { matchLabels: {}, matchExpressions: [] }, '<none>'],
    ['matchLabels', { matchLabels: { app: 'fluentd' } }, 'app=fluentd'],
    ['matchLabels sorted', { matchLabels: { tier: 'web', app: 'x' } }, 'app=x,tier=web'],
    [
      'In with values sorted',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] },
      'env in (dev,prod)',
    ],
    [
      'NotIn single value',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] },
      'tier notin (cache)',
    ],
    ['Exists', { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, 'gpu'],
    ['DoesNotExist', { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist', values: [] }] }, '!gpu'],
    [
      'mixed, sorted by key',
      {
        matchLabels: { app: 'x' },
        matchExpressions: [
          { key: 'zone', operator: 'Exists' },
          { key: 'beta', operator: 'DoesNotExist' },
        ],
      },
      'app=x,!beta,zone',
    ],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }, '<error>'],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, '<error>'],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['b'] }] }, '<error>'],
    ['invalid key', { matchLabels: { 'bad key': 'x' } }, '<error>'],
    ['invalid value', { matchLabels: { app: 'no spaces' } }, '<error>'],
  ];
  for (const [name, selector, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(formatLabelSelector(selector), want));
  }
});

describe('newRequirement: node affinity requirements (Gt, Lt) as labels.NewRequirement checks them', () => {
  const labels = { cores: '16', zone: 'a' };
  const ok: Array<[string, Parameters<typeof newRequirement>, Record<string, string> | undefined, boolean]> = [
    ['Gt', ['cores', 'gt', ['8']], labels, true],
    ['Lt', ['cores', 'lt', ['8']], labels, false],
    ['Gt on an absent label', ['memory', 'gt', ['8']], labels, false],
    ['Gt on a non-integer label', ['zone', 'gt', ['8']], labels, false],
    ['In', ['zone', 'in', ['b', 'a']], labels, true],
    ['NotIn with the label absent', ['rack', 'notin', ['r1']], labels, true],
    ['DoesNotExist', ['zone', '!', null], labels, false],
  ];
  for (const [name, args, l, want] of ok)
    it(name, () => assert.equal(LabelSelector.of([newRequirement(...args)]).matches(l), want));

  const bad: Array<[string, Parameters<typeof newRequirement>, string]> = [
    [
      'Gt with two values',
      ['n', 'gt', ['1', '2']],
      `values: Invalid value: []string{"1", "2"}: for 'Gt', 'Lt' operators, exactly one value is required`,
    ],
    [
      'Gt with a non-integer',
      ['n', 'gt', ['x']],
      `values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    // The value must also be a label value: upstream rejects negative bounds.
    ['Lt with a negative bound', ['n', 'lt', ['-1']], `values[0][n]: Invalid value: "-1": ${LABEL_VALUE}`],
    [
      'In with Go nil values',
      ['n', 'in', null],
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    ['a bad key', ['a b', 'exists', null], `key: Invalid value: "a b": name part ${QNAME}`],
  ];
  for (const [name, args, message] of bad) {
    it(`rejects: ${name}`, () =>
      assert.throws(
        () => newRequirement(...args),
        (e: unknown) => e instanceof SelectorParseError && e.message === message,
      ));
  }

  it('a matchLabels value must be a label value too', () =>
    assert.throws(
      () => labelSelectorFromObject({ matchLabels: { app: 'a b' } }),
      (e: unknown) => e instanceof SelectorParseError,
    ));
  it('matchLabels print as k=v', () =>
    assert.equal(labelSelectorFromObject({ matchLabels: { app: 'web' } }).toString(), 'app=web'));
});
