/**
 * The bounded parsers every client-supplied number and nesting goes through: Go's strconv.ParseInt/ParseUint
 * (texts and ranges), resource.Quantity with huge exponents and many digits (constant time), and the nesting
 * checks of JSON and YAML bodies. Time bounds are generous (a loaded CI machine); unbounded code took seconds to hours.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { int64ToNumber, NumError, parseInt64, parseUint64 } from '../../../apimachinery/strconv.js';
import {
  addQuantity,
  compareQuantity,
  isMultipleOf,
  milliValue,
  parseQuantity,
  QUANTITY_NUMERIC_ERROR,
  QUANTITY_SUFFIX_ERROR,
  quantityError,
  quantityUnits,
  roundUpToMilli,
} from '../../../apimachinery/quantity.js';
import { jsonDepthError, MAX_BODY_DEPTH, valueTooDeep, yamlTooDeep } from '../../../apimachinery/json-depth.js';

/** Runs `fn` and fails when it takes longer than `ms`. */
function fast<T>(ms: number, fn: () => T): T {
  const t = performance.now();
  const out = fn();
  const took = performance.now() - t;
  assert.ok(took < ms, `took ${took.toFixed(1)} ms (bound ${ms} ms)`);
  return out;
}

describe('strconv.ParseInt / ParseUint', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['-1', -1n],
    ['+7', 7n],
    ['0009', 9n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ];
  for (const [s, n] of ok) it(`ParseInt(${s})`, () => assert.equal(parseInt64(s), n));
  const bad: Array<[string, string]> = [
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['-', 'strconv.ParseInt: parsing "-": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
    ['-99999999999999999999', 'strconv.ParseInt: parsing "-99999999999999999999": value out of range'],
  ];
  for (const [s, msg] of bad) {
    it(`ParseInt(${JSON.stringify(s)}) fails`, () => assert.throws(() => parseInt64(s), { message: msg }));
  }
  it('ParseUint: range and sign', () => {
    assert.equal(parseUint64('18446744073709551615'), 18446744073709551615n);
    assert.throws(() => parseUint64('18446744073709551616'), /value out of range/);
    assert.throws(() => parseUint64('-1'), { message: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  });
  it('a million digits costs one scan', () => {
    const huge = '9'.repeat(1_000_000);
    const err = fast(1000, () => {
      try {
        parseInt64(huge);
      } catch (e) {
        return e;
      }
    });
    assert.ok(err instanceof NumError && err.reason === 'value out of range');
  });
  it('int64ToNumber saturates at 2^53', () => {
    assert.equal(int64ToNumber(2n ** 62n), Number.MAX_SAFE_INTEGER);
    assert.equal(int64ToNumber(-(2n ** 62n)), -Number.MAX_SAFE_INTEGER);
    assert.equal(int64ToNumber(42n), 42);
  });
});

describe('resource.Quantity: bounded', () => {
  it('huge exponents parse, print and compare in constant time', () => {
    for (const s of ['1e100000', '1e999999', '1e2147483647', '1e-999999', '123.456e-2000000000']) {
      const q = fast(300, () => parseQuantity(s));
      assert.ok(q, s);
      fast(300, () => compareQuantity(q, parseQuantity('1')!));
      fast(300, () => milliValue(q));
      fast(300, () => roundUpToMilli(q));
      fast(300, () => addQuantity(q, parseQuantity('1m')!));
    }
  });
  it('canonical forms of huge values are upstream’s', () => {
    assert.equal(parseQuantity('1e100000')!.canonical, '10e99999'); // exponents print as multiples of 3
    assert.equal(parseQuantity('10e999999')!.canonical, '10e999999');
    assert.equal(parseQuantity('1e999')!.canonical, '1e999');
    assert.equal(parseQuantity('1e-999999')!.canonical, '1e-9'); // rounded up to one nano unit
    assert.equal(parseQuantity('1000000000000000000000000000000E')!.canonical, '1e48');
  });
  it('integer conversions saturate at int64', () => {
    assert.equal(milliValue(parseQuantity('1e100000')!), 9223372036854775807n);
    assert.equal(quantityUnits(parseQuantity('-1e30')!), -9223372036854775808n);
    assert.equal(milliValue(parseQuantity('1.5')!), 1500n);
    assert.equal(quantityUnits(parseQuantity('1.5')!), 2n);
  });
  it('comparisons across magnitudes', () => {
    assert.equal(compareQuantity(parseQuantity('1e100000')!, parseQuantity('1e99999')!), 1);
    assert.equal(compareQuantity(parseQuantity('-1e100000')!, parseQuantity('1')!), -1);
    assert.equal(compareQuantity(parseQuantity('1e3')!, parseQuantity('1k')!), 0);
    assert.equal(compareQuantity(parseQuantity('1.5Gi')!, parseQuantity('1536Mi')!), 0);
  });
  it('sums far apart keep the larger term; near ones are exact', () => {
    assert.equal(addQuantity(parseQuantity('1e100000')!, parseQuantity('1m')!).canonical, '10e99999');
    assert.equal(addQuantity(parseQuantity('1')!, parseQuantity('500m')!).canonical, '1500m');
  });
  it('binary suffixes cap at 2^63-1', () => {
    assert.equal(parseQuantity(`${'9'.repeat(900)}Ei`)!.canonical, '9223372036854775807');
  });
  it('hugepage multiples', () => {
    assert.ok(isMultipleOf(parseQuantity('4Mi')!, parseQuantity('2Mi')!));
    assert.ok(!isMultipleOf(parseQuantity('3Mi')!, parseQuantity('2Mi')!));
    assert.ok(!isMultipleOf(parseQuantity('1e100000')!, parseQuantity('2Mi')!));
  });
  it('too many digits, and exponents beyond int32, are refused fast', () => {
    assert.equal(
      fast(300, () => quantityError('1'.repeat(5000))),
      QUANTITY_NUMERIC_ERROR,
    );
    assert.equal(quantityError('1e2147483648'), QUANTITY_SUFFIX_ERROR);
    assert.equal(quantityError(`1e${'9'.repeat(100000)}`), QUANTITY_SUFFIX_ERROR);
    // leading and trailing zeros are not significant digits
    assert.equal(parseQuantity(`${'0'.repeat(5000)}1${'0'.repeat(5000)}`)!.canonical, '100e4998');
  });
});

describe('nesting bounds', () => {
  const deepJson = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
  it("JSON: Go's text past the bound, brackets in strings ignored", () => {
    assert.equal(jsonDepthError(deepJson(MAX_BODY_DEPTH)), undefined);
    assert.equal(jsonDepthError(deepJson(MAX_BODY_DEPTH + 1)), "invalid character '{' exceeded max depth");
    assert.equal(jsonDepthError(`"${'['.repeat(5000)}"`), undefined);
  });
  it('JSON: bytes and text alike, whether the brackets are few (counted) or many (scanned)', () => {
    const deep = deepJson(MAX_BODY_DEPTH + 1);
    const wide = `[${'[],'.repeat(5000)}[]]`; // 5,001 brackets, nested two deep
    for (const input of [deep, Buffer.from(deep), new Uint8Array(Buffer.from(deep))]) {
      assert.equal(jsonDepthError(input), "invalid character '{' exceeded max depth");
    }
    for (const input of [wide, Buffer.from(wide), `{"a":${deepJson(20)}}`])
      assert.equal(jsonDepthError(input), undefined);
    assert.equal(jsonDepthError(deepJson(3), 2), "invalid character '{' exceeded max depth");
    assert.equal(jsonDepthError(deepJson(2), 2), undefined);
    // a view into a larger buffer is read within its bounds
    const framed = Buffer.from(`${'{'.repeat(10)}{"a":1}${'}'.repeat(10)}`);
    assert.equal(jsonDepthError(new Uint8Array(framed.buffer, framed.byteOffset + 10, 7), 1), undefined);
  });
  it('YAML: flow, block and compact nesting', () => {
    assert.ok(yamlTooDeep('- '.repeat(MAX_BODY_DEPTH + 1) + 'x'));
    assert.ok(yamlTooDeep(deepJson(MAX_BODY_DEPTH + 1)));
    let block = '';
    for (let i = 0; i <= MAX_BODY_DEPTH; i++) block += `${' '.repeat(i)}a:\n`;
    assert.ok(yamlTooDeep(block));
    assert.ok(!yamlTooDeep('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: "[[[["\n'));
    assert.ok(fast(2000, () => !yamlTooDeep('a: b\n'.repeat(200000))));
  });
  it('decoded values, iteratively', () => {
    let v: unknown = 1;
    for (let i = 0; i < 20000; i++) v = { a: v };
    assert.ok(valueTooDeep(v));
    assert.ok(!valueTooDeep({ a: [{ b: 1 }] }));
  });
});
