import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goDurationError, parseGoDuration } from '../../../apimachinery/duration.js';

describe('Go durations', () => {
  const ok: Array<[string, number]> = [
    ['0', 0],
    ['10s', 10e9],
    ['1m30s', 90e9],
    ['1.5h', 5400e9],
    ['300ms', 300e6],
    ['-2us', -2000],
    ['.5s', 5e8],
    ['1h2m3s4ms5us6ns', 3723004005006],
  ];
  for (const [text, ns] of ok) it(`${text} → ${ns} ns`, () => assert.equal(parseGoDuration(text), ns));

  const bad: Array<[string, string]> = [
    ['abc', 'time: invalid duration "abc"'],
    ['10', 'time: missing unit in duration "10"'],
    ['10x', 'time: unknown unit "x" in duration "10x"'],
    ['', 'time: invalid duration ""'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of bad)
    it(`${JSON.stringify(text)} is refused: ${message}`, () => {
      assert.equal(parseGoDuration(text), undefined);
      assert.equal(goDurationError(text), message);
    });
});
