import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiate } from '../../../server/api/negotiation.js';

const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const PROTOBUF_FIRST = 'application/vnd.kubernetes.protobuf,application/json';

describe('negotiate', () => {
  it('answers a header the same every time, by what the endpoint allows', () => {
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(negotiate(TABLE), { type: 'table', version: 'v1' });
      assert.deepEqual(negotiate(TABLE, { tableAllowed: false }), { type: 'json' });
      assert.deepEqual(negotiate(PROTOBUF_FIRST), { type: 'protobuf' });
      assert.deepEqual(negotiate(PROTOBUF_FIRST, { protobufAllowed: false }), { type: 'json' });
      assert.deepEqual(negotiate('application/yaml'), { type: 'yaml' });
      assert.deepEqual(negotiate(undefined), { type: 'json' });
      assert.deepEqual(negotiate('  '), { type: 'json' });
    }
  });

  it('refuses a header with nothing acceptable every time (406), however often it comes', () => {
    for (let round = 0; round < 3; round++)
      assert.throws(
        () => negotiate('text/html'),
        (err: { status?: { code?: number } }) => err.status?.code === 406,
      );
  });

  it('keeps answering right past the number of headers it remembers', () => {
    for (let i = 0; i < 600; i++) {
      const header = `application/json;q=0.${i % 10},application/yaml;x=${i}`;
      assert.deepEqual(negotiate(header), { type: 'json' });
    }
    assert.deepEqual(negotiate(TABLE), { type: 'table', version: 'v1' });
  });
});
