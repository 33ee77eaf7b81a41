// The server's certificates (server/pki.ts): the names the serving certificate covers, its chain to the data
// directory's CA, file modes, reuse on later starts, a new certificate when the names change, and one's own
// certificate; the kubeconfig that carries the CA; the TLS flags. The certificates' fields are read back by
// OpenSSL's command line (`openssl x509 -text`), a decoder independent of the encoder under test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { parseFlags, tlsEnabled, UsageError } from '../../../server/flags.js';
import { writeKubeconfig } from '../../../server/kubeconfig.js';
import {
  certificateNames,
  createCA,
  createServingCertificate,
  ensureServingCertificate,
  loadServingCertificate,
  normalizeIP,
  pkiPaths,
  servingNames,
} from '../../../server/pki.js';
import { tempDir } from '../../helpers/tmp.js';

const IN_CLUSTER = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

describe('serving certificate names', () => {
  it('loopback: localhost, 127.0.0.1, ::1, the in-cluster names and the kubernetes ClusterIP', () => {
    assert.deepEqual(servingNames('127.0.0.1'), {
      dns: [...IN_CLUSTER, 'localhost'].sort(),
      ips: ['0:0:0:0:0:0:0:1', '10.96.0.1', '127.0.0.1'],
    });
  });

  it('a bound address or host name is covered; the ClusterIP follows --service-cluster-ip-range', () => {
    const byIP = servingNames('192.168.7.20', { serviceClusterIPRange: '10.0.0.0/24' });
    assert.ok(byIP.ips.includes('192.168.7.20'));
    assert.ok(byIP.ips.includes('10.0.0.1'));
    assert.ok(!byIP.ips.includes('10.96.0.1'));
    const byName = servingNames('Emu.Example.com');
    assert.ok(byName.dns.includes('emu.example.com'));
  });

  it('bound to 0.0.0.0 or ::: every interface address and the host name', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4' }],
      eth0: [
        { address: '10.1.2.3', family: 'IPv4' },
        { address: 'fe80::1%eth0', family: 'IPv6' },
      ],
    } as never;
    for (const host of ['0.0.0.0', '::']) {
      const names = servingNames(host, { interfaces, hostname: 'buildbox' });
      assert.ok(names.dns.includes('buildbox'), host);
      assert.ok(names.ips.includes('10.1.2.3'), host);
      assert.ok(names.ips.includes('fe80:0:0:0:0:0:0:1'), host);
      assert.ok(!names.ips.includes('0.0.0.0'), host);
    }
  });

  it('IPv6 text is normalized', () => {
    assert.equal(normalizeIP('::1'), '0:0:0:0:0:0:0:1');
    assert.equal(normalizeIP('FD00::0002'), 'fd00:0:0:0:0:0:0:2');
    assert.equal(normalizeIP('::ffff:1.2.3.4'), '0:0:0:0:0:ffff:102:304');
    assert.equal(normalizeIP('10.0.0.1'), '10.0.0.1');
  });
});

describe('certificates in the data directory', () => {
  it('the CA certificate: self-signed v3, an ECDSA P-256 key, CA:TRUE, key usages, key identifier, 10 years', () => {
    const { cert, key } = createCA('my-cluster');
    assert.match(
      cert,
      /^-----BEGIN CERTIFICATE-----\r\n([A-Za-z0-9+/=]{64}\r\n)+[A-Za-z0-9+/=]{1,64}\r\n-----END CERTIFICATE-----\r\n$/,
    );
    assert.match(key, /^-----BEGIN EC PRIVATE KEY-----\n/, 'the key as kubeadm writes an ECDSA key');
    const x = new X509Certificate(cert);
    assert.equal(x.subject, 'CN=my-cluster');
    assert.equal(x.issuer, 'CN=my-cluster');
    assert.equal(x.ca, true);
    assert.equal(x.publicKey.asymmetricKeyType, 'ec');
    assert.equal(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(x.verify(x.publicKey), 'self-signed');
    assert.ok(x.checkPrivateKey(createPrivateKey(key)), "the key is the certificate's");
    const years = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / (365 * 24 * 3600 * 1000);
    assert.ok(years > 9.9 && years < 10.1, `valid for 10 years (${years})`);
    assert.ok(Date.parse(x.validFrom) < Date.now(), 'valid from a little before now');
    const text = opensslText(cert);
    assert.match(text, /Version: 3 \(0x2\)/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign\n/);
    assert.equal(extension(text, 'X509v3 Subject Key Identifier'), hexId(keyIdentifierOf(x.publicKey)));
    assert.deepEqual(extensionNames(text), ['Basic Constraints', 'Key Usage', 'Subject Key Identifier']);
  });

  it('a CA with an RSA key (as data directories made before have): key encipherment too, SHA-256 with RSA', () => {
    const { cert, key } = createCA('kubernetes', 'rsa');
    const x = new X509Certificate(cert);
    assert.equal(x.publicKey.asymmetricKeyType, 'rsa');
    assert.ok(x.verify(x.publicKey) && x.checkPrivateKey(createPrivateKey(key)));
    const text = opensslText(cert);
    assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
    assert.equal(extension(text, 'X509v3 Subject Key Identifier'), hexId(keyIdentifierOf(x.publicKey)));
  });

  it('a serving certificate: an ECDSA key, serverAuth, the CA as its authority, its names; under an RSA CA too', () => {
    for (const caKey of ['ec', 'rsa'] as const) {
      const ca = createCA('kubernetes', caKey);
      const names = { dns: ['kubernetes', 'localhost'], ips: ['10.96.0.1', '127.0.0.1', '0:0:0:0:0:0:0:1'] };
      const serving = createServingCertificate(ca, names);
      const x = new X509Certificate(serving.cert);
      const issuer = new X509Certificate(ca.cert);
      assert.equal(x.subject, 'CN=kube-apiserver');
      assert.equal(x.ca, false);
      assert.ok(x.checkIssued(issuer) && x.verify(issuer.publicKey), `signed by the ${caKey} CA`);
      assert.ok(x.checkPrivateKey(createPrivateKey(serving.key)));
      assert.equal(x.publicKey.asymmetricKeyType, 'ec');
      assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1']);
      assert.equal(
        x.subjectAltName,
        'DNS:kubernetes, DNS:localhost, IP Address:10.96.0.1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
      );
      const text = opensslText(serving.cert);
      assert.match(
        text,
        caKey === 'ec' ? /Signature Algorithm: ecdsa-with-SHA256/ : /Signature Algorithm: sha256WithRSAEncryption/,
      );
      assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE\n/);
      assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
      assert.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
      assert.equal(
        extension(text, 'X509v3 Authority Key Identifier').replace(/^keyid:/, ''),
        hexId(keyIdentifierOf(issuer.publicKey)),
      );
      assert.match(
        text,
        /X509v3 Subject Alternative Name:\s+DNS:kubernetes, DNS:localhost, IP Address:10\.96\.0\.1, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1\n/,
      );
    }
  });

  it('a data directory whose CA has an RSA key keeps it; its serving certificate is made by it', () => {
    const dir = tempDir();
    try {
      const p = pkiPaths(dir.path);
      mkdirSync(p.dir, { recursive: true });
      const ca = createCA('kubernetes', 'rsa');
      writeFileSync(p.caCert, ca.cert);
      writeFileSync(p.caKey, ca.key, { mode: 0o600 });
      const tls = ensureServingCertificate(dir.path, servingNames('127.0.0.1'));
      assert.equal(tls.ca, ca.cert);
      assert.ok(new X509Certificate(tls.cert).checkIssued(new X509Certificate(ca.cert)));
      assert.ok(new X509Certificate(tls.cert).verify(new X509Certificate(ca.cert).publicKey));
    } finally {
      dir.remove();
    }
  });

  it('a CA and a serving certificate it signed, with every name as a subjectAltName; keys 0600', () => {
    const dir = tempDir();
    try {
      const names = servingNames('0.0.0.0');
      const tls = ensureServingCertificate(dir.path, names);
      const p = pkiPaths(dir.path);
      assert.equal(readFileSync(p.caCert, 'utf8'), tls.ca);
      assert.equal(readFileSync(p.cert, 'utf8'), tls.cert);
      for (const key of [p.caKey, p.key]) assert.equal(statSync(key).mode & 0o777, 0o600);
      const ca = new X509Certificate(tls.ca);
      const cert = new X509Certificate(tls.cert);
      assert.equal(ca.ca, true);
      assert.equal(cert.ca, false);
      assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'signed by the CA');
      assert.deepEqual(certificateNames(tls.cert), names);
      for (const n of [...IN_CLUSTER, 'localhost']) assert.equal(cert.checkHost(n), n);
      for (const ip of ['127.0.0.1', '::1', '10.96.0.1']) assert.equal(cert.checkIP(ip), ip);
      assert.ok(Date.parse(cert.validTo) - Date.now() > 300 * 24 * 3600 * 1000, 'valid for about a year');
    } finally {
      dir.remove();
    }
  });

  it('reused on a later start; made again (same CA) when the names change', () => {
    const dir = tempDir();
    try {
      const first = ensureServingCertificate(dir.path, servingNames('127.0.0.1'));
      const again = ensureServingCertificate(dir.path, servingNames('127.0.0.1'));
      assert.equal(again.cert, first.cert);
      assert.equal(again.key, first.key);
      const moved = ensureServingCertificate(dir.path, servingNames('192.168.7.20'));
      assert.notEqual(moved.cert, first.cert);
      assert.equal(moved.ca, first.ca, 'the CA stays: kubeconfigs and pods keep trusting the server');
      assert.equal(new X509Certificate(moved.cert).checkIP('192.168.7.20'), '192.168.7.20');
      // A certificate the CA did not sign is replaced as well.
      const stranger = createServingCertificate(createCA(), servingNames('192.168.7.20'));
      writeFileSync(pkiPaths(dir.path).cert, stranger.cert);
      const fixed = ensureServingCertificate(dir.path, servingNames('192.168.7.20'));
      assert.notEqual(fixed.cert, stranger.cert);
      assert.ok(new X509Certificate(fixed.cert).checkIssued(new X509Certificate(fixed.ca)));
    } finally {
      dir.remove();
    }
  });

  it("one's own certificate: the self-signed root of its chain is the CA clients get", () => {
    const dir = tempDir();
    try {
      const ca = createCA('my-ca');
      const own = createServingCertificate(ca, { dns: ['emu.example.com'], ips: [] });
      const chain = join(dir.path, 'chain.pem');
      const key = join(dir.path, 'key.pem');
      writeFileSync(chain, own.cert + ca.cert);
      writeFileSync(key, own.key);
      assert.equal(loadServingCertificate(chain, key).ca?.trim(), ca.cert.trim());
      const leafOnly = join(dir.path, 'leaf.pem');
      writeFileSync(leafOnly, own.cert);
      assert.equal(loadServingCertificate(leafOnly, key).ca, undefined, 'system roots then');
      writeFileSync(leafOnly, 'not a certificate');
      assert.throws(() => loadServingCertificate(leafOnly, key), /no PEM certificate/);
    } finally {
      dir.remove();
    }
  });
});

describe('kubeconfig and flags', () => {
  it('https: certificate-authority-data and no skipping; http: insecure-skip-tls-verify', () => {
    const dir = tempDir();
    try {
      const ca = createCA().cert;
      const secure = YAML.parse(readFileSync(writeKubeconfig(dir.path, 'https://127.0.0.1:1', 't', ca), 'utf8'));
      assert.deepEqual(secure.clusters[0].cluster, {
        server: 'https://127.0.0.1:1',
        'certificate-authority-data': Buffer.from(ca).toString('base64'),
      });
      assert.deepEqual(secure.users[0].user, { token: 't' });
      const plain = YAML.parse(readFileSync(writeKubeconfig(dir.path, 'http://127.0.0.1:1'), 'utf8'));
      assert.deepEqual(plain.clusters[0].cluster, { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true });
    } finally {
      dir.remove();
    }
  });

  it('TLS is on beyond loopback or with a certificate, off on loopback unless asked; never off beyond loopback', () => {
    const on = (argv: string[]) => tlsEnabled(parseFlags(argv, 'server'));
    assert.equal(on([]), false);
    assert.equal(on(['--host', '::1']), false);
    assert.equal(on(['--tls']), true);
    assert.equal(on(['--tls=true', '--host', 'localhost']), true);
    assert.equal(on(['--host', '0.0.0.0']), true);
    assert.equal(on(['--host', '10.0.0.5']), true);
    assert.equal(on(['--tls-cert-file', 'c', '--tls-private-key-file', 'k']), true);
    assert.throws(() => parseFlags(['--host', '0.0.0.0', '--tls=false'], 'server'), UsageError);
    assert.throws(() => parseFlags(['--tls-cert-file', 'c'], 'server'), /go together/);
    assert.throws(
      () => parseFlags(['--tls=false', '--tls-cert-file', 'c', '--tls-private-key-file', 'k'], 'server'),
      UsageError,
    );
    assert.throws(() => parseFlags(['--tls=maybe'], 'server'), UsageError);
  });
});

/** `openssl x509 -noout -text` of a PEM certificate. */
function opensslText(pem: string): string {
  try {
    return execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
  } catch (err) {
    throw new Error(
      `openssl could not read the certificate (is it installed? apt-get install openssl): ${(err as Error).message}`,
    );
  }
}

/** The value line under an extension's heading in openssl's text. */
function extension(text: string, heading: string): string {
  const m = new RegExp(`${heading}:[^\\n]*\\n\\s*([^\\n]+)`).exec(text);
  assert.ok(m, `${heading} in the certificate`);
  return m[1]!.trim();
}

/** The names of the X509v3 extensions openssl lists, in order. */
function extensionNames(text: string): string[] {
  return [...text.matchAll(/X509v3 ([A-Za-z ]+):/g)].map((m) => m[1]!).filter((n) => n !== 'extensions');
}

/** SHA-1 of a public key's subjectPublicKey bits (RFC 5280 4.2.1.2, method 1), found from the key's own forms. */
function keyIdentifierOf(key: KeyObject): Buffer {
  if (key.asymmetricKeyType === 'rsa')
    return createHash('sha1')
      .update(key.export({ type: 'pkcs1', format: 'der' }))
      .digest();
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

/** openssl's way of writing a key identifier: upper-case hex bytes joined by colons. */
function hexId(id: Buffer): string {
  return [...id].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}
