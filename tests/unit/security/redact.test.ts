// Secrets never reach a log line (apimachinery/redact.ts): bearer credentials, JWTs and known tokens are scrubbed
// from every line pino writes, and credential-bearing fields are censored by path, in both processes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACTED, redactingPinoOptions, redactSecrets } from '../../../apimachinery/redact.js';

const JWT =
  'eyJhbGciOiJFUzI1NiIsImtpZCI6ImFiYyJ9.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMuZGVmYXVsdC5zdmMifQ.c2lnbmF0dXJlLWJ5dGVz';

describe('redactSecrets', () => {
  it('scrubs bearer and basic credentials, JWTs and known secrets; leaves the rest', () => {
    assert.equal(redactSecrets('Authorization: Bearer abc.def-123'), `Authorization: Bearer ${REDACTED}`);
    assert.equal(redactSecrets('"authorization":"bearer s3cret"'), `"authorization":"bearer ${REDACTED}"`);
    assert.equal(redactSecrets('Basic dXNlcjpwdw=='), `Basic ${REDACTED}`);
    assert.equal(redactSecrets(`token ${JWT} refused`), `token ${REDACTED} refused`);
    assert.equal(redactSecrets('x=hunter2hunter2;', ['hunter2hunter2']), `x=${REDACTED};`);
    assert.equal(redactSecrets('GET /api/v1/namespaces 200'), 'GET /api/v1/namespaces 200');
  });
});

describe('a pino logger with redactingPinoOptions', () => {
  function capture(secrets: string[] = []) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino(redactingPinoOptions({ level: 'trace' }, secrets), sink);
    return { log, text: () => lines.join('') };
  }

  it('never writes a token or the raw bytes of a request, at any level', () => {
    const { log, text } = capture(['the-admin-token']);
    const raw = Buffer.from('GET / HTTP/1.1\r\nAuthorization: Bearer the-admin-token\r\n\r\n');
    const err = Object.assign(new Error('Parse Error'), { rawPacket: raw, code: 'HPE_INVALID_HEADER_TOKEN' });
    log.trace({ err }, 'client error');
    log.debug({ req: { headers: { authorization: 'Bearer the-admin-token', cookie: 'a=b' } } }, 'incoming');
    log.info({ reason: `jwt ${JWT} expired` }, 'service account token refused');
    log.warn({ token: 'anything' }, 'token field');
    log.error({}, 'message with the-admin-token inside');
    const out = text();
    assert.equal(out.includes('the-admin-token'), false);
    assert.equal(out.includes(raw.join(',')), false, 'the raw packet as bytes');
    assert.equal(out.includes(JWT.split('.')[1]!), false);
    assert.equal(out.includes('anything'), false);
    assert.equal(out.includes('a=b'), false);
    assert.match(out, /HPE_INVALID_HEADER_TOKEN/, 'the rest of the error is kept');
    assert.equal(out.trim().split('\n').length, 5, 'every line still written');
    for (const line of out.trim().split('\n')) JSON.parse(line);
  });
});
