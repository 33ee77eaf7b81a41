import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEmptySelector, labelSelectorAsSelector, SelectorError } from '../../../../controllers/daemonset/selector.js';
import type { LabelSelector } from '../../../../controllers/daemonset/types.js';

describe('labelSelectorAsSelector', () => {
  const labels = { app: 'web', tier: 'front' };
  const rows: Array<[string, LabelSelector | null | undefined, Record<string, string> | undefined, boolean]> = [
    ['null selects nothing', null, labels, false],
    ['undefined selects nothing', undefined, labels, false],
    ['empty selects everything', {}, labels, true],
    ['matchLabels subset', { matchLabels: { app: 'web' } }, labels, true],
    ['matchLabels other value', { matchLabels: { app: 'db' } }, labels, false],
    ['matchLabels on no labels', { matchLabels: { app: 'web' } }, undefined, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels, false],
    ['NotIn with the label absent', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels, true],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels, false],
    ['labels and expressions ANDed', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels, false],
  ];
  for (const [name, sel, l, want] of rows) it(name, () => assert.equal(labelSelectorAsSelector(sel).matches(l), want));

  const bad: Array<[string, LabelSelector]> = [
    ['Gt is no label selector operator', { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }],
  ];
  for (const [name, sel] of bad) it(`rejects: ${name}`, () => assert.throws(() => labelSelectorAsSelector(sel), SelectorError));

  it('isEmptySelector', () => {
    assert.equal(isEmptySelector({}), true);
    assert.equal(isEmptySelector({ matchLabels: {} }), true);
    assert.equal(isEmptySelector({ matchLabels: { a: 'b' } }), false);
    assert.equal(isEmptySelector(null), false);
  });
});
