import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from '../../../server/printers/duration.js';
import { ago, DAY, HOUR, MIN, NOW, SEC } from './helpers.js';

describe('humanDuration', () => {
  const cases: Array<[string, number, string]> = [
    ['zero', 0, '0s'],
    ['half a second', 500, '0s'],
    ['59 seconds', 59 * SEC, '59s'],
    ['60 seconds stays in seconds', 60 * SEC, '60s'],
    ['119 seconds', 119 * SEC, '119s'],
    ['119.999 seconds truncates', 120 * SEC - 1, '119s'],
    ['2 minutes', 2 * MIN, '2m'],
    ['2 minutes 1 second', 2 * MIN + SEC, '2m1s'],
    ['9 minutes 59 seconds', 9 * MIN + 59 * SEC, '9m59s'],
    ['10 minutes', 10 * MIN, '10m'],
    ['10 minutes 59 seconds drops seconds', 10 * MIN + 59 * SEC, '10m'],
    ['2 hours 59 minutes stays in minutes', 2 * HOUR + 59 * MIN, '179m'],
    ['179 minutes 59 seconds', 180 * MIN - SEC, '179m'],
    ['3 hours', 3 * HOUR, '3h'],
    ['3 hours 1 minute', 3 * HOUR + MIN, '3h1m'],
    ['7 hours 59 minutes', 7 * HOUR + 59 * MIN, '7h59m'],
    ['8 hours', 8 * HOUR, '8h'],
    ['8 hours 30 minutes drops minutes', 8 * HOUR + 30 * MIN, '8h'],
    ['47 hours 59 minutes', 47 * HOUR + 59 * MIN, '47h'],
    ['48 hours', 48 * HOUR, '2d'],
    ['2 days 1 hour', 2 * DAY + HOUR, '2d1h'],
    ['7 days 23 hours', 7 * DAY + 23 * HOUR, '7d23h'],
    ['8 days', 8 * DAY, '8d'],
    ['8 days 5 hours drops hours', 8 * DAY + 5 * HOUR, '8d'],
    ['729 days', 729 * DAY, '729d'],
    ['730 days = 2 years', 730 * DAY, '2y'],
    ['731 days', 731 * DAY, '2y1d'],
    ['8 years minus a day', (8 * 365 - 1) * DAY, '7y364d'],
    ['8 years', 8 * 365 * DAY, '8y'],
    ['10 years 100 days drops days', (10 * 365 + 100) * DAY, '10y'],
    ['-0.5 seconds of skew', -500, '0s'],
    ['-1 second of skew', -SEC, '0s'],
    ['-1.999 seconds of skew', -2 * SEC + 1, '0s'],
    ['-2 seconds', -2 * SEC, '<invalid>'],
    ['an hour in the future', -HOUR, '<invalid>'],
  ];
  for (const [name, ms, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('translateTimestampSince', () => {
  const cases: Array<[string, string | null | undefined, string]> = [
    ['undefined', undefined, '<unknown>'],
    ['null', null, '<unknown>'],
    ['empty string', '', '<unknown>'],
    ['unparseable', 'yesterday-ish', '<unknown>'],
    ["Go's zero time", '0001-01-01T00:00:00Z', '<unknown>'],
    ['now', NOW.toISOString(), '0s'],
    ['65 seconds ago', ago(65 * SEC), '65s'],
    ['microsecond precision', '2024-05-01T11:58:00.123456Z', '119s'],
    ['offset notation', '2024-05-01T13:55:00+02:00', '5m'],
    ['1 second in the future', ago(-SEC), '0s'],
    ['5 seconds in the future', ago(-5 * SEC), '<invalid>'],
    ['3 days ago', ago(3 * DAY), '3d'],
  ];
  for (const [name, ts, want] of cases) {
    it(`${name} → ${want}`, () => assert.equal(translateTimestampSince(ts, NOW), want));
  }
});
