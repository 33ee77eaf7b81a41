import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareQuantity,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityError,
  roundUpToMilli,
} from '../../../server/registry/validation/quantity.js';

describe('parseQuantity: canonical form', () => {
  const rows: Array<[string, string | number, string, number]> = [
    ['plain integer', '1', '1', 1],
    ['zero', '0', '0', 0],
    ['decimal fraction', '1.5', '1500m', 1.5],
    ['milli', '100m', '100m', 0.1],
    ['milli collapses', '1000m', '1', 1],
    ['kilo', '2000', '2k', 2000],
    ['binary', '1Gi', '1Gi', 2 ** 30],
    ['binary fraction', '1.5Gi', '1536Mi', 1.5 * 2 ** 30],
    ['binary half', '0.5Gi', '512Mi', 2 ** 29],
    ['binary not reducible', '1000Mi', '1000Mi', 1000 * 2 ** 20],
    ['binary small falls back to decimal', '0.5Ki', '512', 512],
    ['exponent', '1e3', '1e3', 1000],
    ['exponent with fraction', '1.5e3', '1500', 1500],
    ['nano rounds up', '0.1n', '1n', 1e-9],
    ['negative', '-1', '-1', -1],
    ['trailing dot', '1.', '1', 1],
    ['leading dot', '.5', '500m', 0.5],
    ['json number', 0.25, '250m', 0.25],
    ['mega', '1M', '1M', 1e6],
  ];
  for (const [name, input, canonical, value] of rows) {
    it(name, () => {
      const q = parseQuantity(input);
      assert.ok(q);
      assert.equal(q.canonical, canonical);
      assert.equal(q.value, value);
    });
  }
});

describe('parseQuantity: rejects like upstream', () => {
  const rows: Array<[string, string, string]> = [
    ['letters', 'abc', QUANTITY_FORMAT_ERROR],
    ['unknown suffix char', '1x', QUANTITY_FORMAT_ERROR],
    ['empty', '', QUANTITY_FORMAT_ERROR],
    ['double dot', '1.5.5', QUANTITY_FORMAT_ERROR],
    ['bad suffix', '12e', QUANTITY_SUFFIX_ERROR],
    ['bad binary suffix', '1Kii', QUANTITY_SUFFIX_ERROR],
  ];
  for (const [name, input, message] of rows) {
    it(name, () => {
      assert.equal(parseQuantity(input), null);
      assert.equal(quantityError(input), message);
    });
  }
  it('format error quotes the regular expression', () =>
    assert.equal(
      QUANTITY_FORMAT_ERROR,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ));
});

describe('quantity helpers', () => {
  const cmp: Array<[string, string, string, number]> = [
    ['equal across formats', '1Gi', '1073741824', 0],
    ['milli vs unit', '500m', '1', -1],
    ['binary vs decimal', '1Ki', '1k', 1],
  ];
  for (const [name, a, b, want] of cmp)
    it(`compare: ${name}`, () => assert.equal(compareQuantity(parseQuantity(a)!, parseQuantity(b)!), want));
  it('roundUpToMilli', () => assert.equal(roundUpToMilli(parseQuantity('1n')!).canonical, '1m'));
  it('roundUpToMilli keeps exact values', () => assert.equal(roundUpToMilli(parseQuantity('1.5')!).canonical, '1500m'));
});
