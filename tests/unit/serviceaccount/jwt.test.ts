// The service account token signer (server/serviceaccount/jwt.ts): compact JWS with ES256 (generated keys) or RS256
// (an RSA key file, as kubeadm's sa.key), the header naming the key by upstream's kid, sorted JSON, and signatures
// that must be our key's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_ISSUER,
  parseToken,
  sortedJSON,
  TokenSigner,
  unverifiedIssuer,
} from '../../../server/serviceaccount/jwt.js';
import { tempDir } from '../../helpers/tmp.js';

const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString('utf8'));

describe('TokenSigner', () => {
  it('signs ES256 with a generated key: header alg and kid (base64url SHA-256 of the PKIX public key), sorted claims', () => {
    const signer = TokenSigner.ephemeral();
    const token = signer.sign({
      sub: 's',
      aud: ['a'],
      'kubernetes.io': { serviceaccount: { uid: 'u', name: 'n' }, namespace: 'ns' },
    });
    assert.equal(token.split('.').length, 3);
    assert.deepEqual(part(token, 0), { alg: 'ES256', kid: signer.keyId });
    assert.equal(Buffer.from(token.split('.')[0]!, 'base64url').toString(), `{"alg":"ES256","kid":"${signer.keyId}"}`);
    assert.equal(
      Buffer.from(token.split('.')[1]!, 'base64url').toString(),
      '{"aud":["a"],"kubernetes.io":{"namespace":"ns","serviceaccount":{"name":"n","uid":"u"}},"sub":"s"}',
    );
    assert.equal(Buffer.from(token.split('.')[2]!, 'base64url').length, 64, 'a raw r||s ECDSA signature');
    assert.ok(signer.verifySignature(parseToken(token)!));
    assert.equal(signer.issuer, DEFAULT_ISSUER);
    assert.deepEqual(signer.audiences, [DEFAULT_ISSUER]);
  });

  it('keeps its key in a file (mode 0600) and reads it back: tokens stay valid across restarts', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'sa.key');
      const first = TokenSigner.fromKeyFile(file);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.match(readFileSync(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
      const token = first.sign({ iss: DEFAULT_ISSUER });
      const second = TokenSigner.fromKeyFile(file);
      assert.equal(second.keyId, first.keyId);
      assert.ok(second.verifySignature(parseToken(token)!));
      assert.equal(TokenSigner.ephemeral().verifySignature(parseToken(token)!), false, 'another key');
    } finally {
      dir.remove();
    }
  });

  it('signs RS256 with an RSA key file (kubeadm sa.key)', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'sa.key');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(file, privateKey.export({ type: 'pkcs1', format: 'pem' }));
      const signer = TokenSigner.fromKeyFile(file);
      assert.equal(signer.algorithm, 'RS256');
      const kid = createHash('sha256')
        .update(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))
        .digest('base64url');
      assert.equal(signer.keyId, kid);
      const token = signer.sign({ a: 1 });
      assert.deepEqual(part(token, 0), { alg: 'RS256', kid });
      assert.ok(signer.verifySignature(parseToken(token)!));
    } finally {
      dir.remove();
    }
  });

  it('refuses keys it cannot sign with', () => {
    assert.throws(() => new TokenSigner(generateKeyPairSync('ed25519').privateKey), /EC \(P-256\) or RSA/);
    assert.throws(() => new TokenSigner(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey), /P-256/);
  });

  it('a changed payload, a stripped signature or another algorithm in the header do not verify', () => {
    const signer = TokenSigner.ephemeral();
    const [h, p, s] = signer.sign({ sub: 'a' }).split('.') as [string, string, string];
    const forged = Buffer.from('{"sub":"b"}').toString('base64url');
    assert.equal(signer.verifySignature(parseToken(`${h}.${forged}.${s}`)!), false);
    assert.equal(signer.verifySignature(parseToken(`${h}.${p}.`)!), false);
    const none = Buffer.from('{"alg":"none"}').toString('base64url');
    assert.equal(signer.verifySignature(parseToken(`${none}.${p}.${s}`)!), false);
    const hs = Buffer.from(`{"alg":"HS256","kid":"${signer.keyId}"}`).toString('base64url');
    assert.equal(signer.verifySignature(parseToken(`${hs}.${p}.${s}`)!), false);
  });

  it('parseToken and unverifiedIssuer take only compact JWS with JSON objects', () => {
    const json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    assert.equal(parseToken('abc'), undefined);
    assert.equal(parseToken('a.b.c.d'), undefined);
    assert.equal(parseToken(`${json('x')}.${json({})}.`), undefined);
    assert.equal(parseToken(`${json({})}.${json({})}.a+b`), undefined);
    assert.deepEqual(parseToken(`${json({ alg: 'ES256' })}.${json({ iss: 'i' })}.`)?.payload, { iss: 'i' });
    assert.equal(unverifiedIssuer(`junk.${json({ iss: 'i' })}.sig`), 'i');
    assert.equal(unverifiedIssuer(`junk.${json({ iss: 1 })}.sig`), undefined);
    assert.equal(unverifiedIssuer(`junk.notjson.sig`), undefined);
    assert.equal(unverifiedIssuer(`${'a'.repeat(20000)}.${json({ iss: 'i' })}.s`), undefined, 'bounded');
  });

  it('sortedJSON sorts keys at every depth, keeps array order and drops undefined members', () => {
    assert.equal(
      sortedJSON({ b: 1, a: [{ d: 1, c: 2 }, 'x'], c: undefined, e: null }),
      '{"a":[{"c":2,"d":1},"x"],"b":1,"e":null}',
    );
  });
});
