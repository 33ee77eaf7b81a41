import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuantity, quantityError } from '../../../server/registry/validation/quantity.js';

describe('parseQuantity and quantityError agree', () => {
  const inputs: (string | number)[] = [
    '0',
    '00',
    '+0',
    '-0',
    '1',
    '+1',
    '-1.5',
    '.5',
    '1.',
    '5e',
    '1e-3',
    '1E3',
    '1e+3',
    '2Ki',
    '1Kii',
    '1ki',
    '3k',
    '3K',
    '1x',
    '',
    '.',
    '-',
    '1..5',
    '100m',
    '64Mi',
    '1.5Gi',
    '0.1n',
    '9223372036854775807Ei',
    'e3',
    'Mi',
    ' 1',
    0,
    1.25,
    -2,
    1e21,
  ];
  for (const input of inputs) {
    it(JSON.stringify(input), () => {
      const q = parseQuantity(input);
      const err = quantityError(input);
      assert.equal(q === null, err !== null, `parsed ${JSON.stringify(q?.canonical)} with error ${err}`);
    });
  }

  it('values that are neither strings nor numbers do not parse', () => {
    assert.equal(parseQuantity(null as unknown as string), null);
    assert.equal(parseQuantity({} as unknown as string), null);
  });
});
