// The server's certificates (server/pki.ts): the names the serving certificate covers, its chain to the data
// directory's CA, file modes, reuse on later starts, a new certificate when the names change, and one's own
// certificate; the kubeconfig that carries the CA; the TLS flags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
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
  it('the CA certificate (encoded without node-forge): self-signed v3, CA:TRUE, key usages, key identifier, 10 years', () => {
    const { cert, key } = createCA('my-cluster');
    assert.match(
      cert,
      /^-----BEGIN CERTIFICATE-----\r\n([A-Za-z0-9+/=]{64}\r\n)+[A-Za-z0-9+/=]{1,64}\r\n-----END CERTIFICATE-----\r\n$/,
    );
    const x = new X509Certificate(cert);
    assert.equal(x.subject, 'CN=my-cluster');
    assert.equal(x.issuer, 'CN=my-cluster');
    assert.equal(x.ca, true);
    assert.ok(x.verify(x.publicKey), 'self-signed');
    assert.ok(x.checkPrivateKey(createPrivateKey(key)), "the key is the certificate's");
    const years = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / (365 * 24 * 3600 * 1000);
    assert.ok(years > 9.9 && years < 10.1, `valid for 10 years (${years})`);
    assert.ok(Date.parse(x.validFrom) < Date.now(), 'valid from a little before now');
    const parsed = forge.pki.certificateFromPem(cert);
    assert.equal(parsed.version, 2);
    assert.ok(parsed.verify(parsed));
    assert.deepEqual(
      parsed.extensions.map((e) => [e.name, Boolean(e.critical)]),
      [
        ['basicConstraints', true],
        ['keyUsage', true],
        ['subjectKeyIdentifier', false],
      ],
    );
    const ext = (name: string) => parsed.getExtension(name) as Record<string, unknown>;
    assert.equal(ext('basicConstraints')['cA'], true);
    for (const usage of ['keyCertSign', 'digitalSignature', 'keyEncipherment'])
      assert.equal(ext('keyUsage')[usage], true);
    for (const usage of ['nonRepudiation', 'dataEncipherment', 'keyAgreement', 'cRLSign'])
      assert.equal(ext('keyUsage')[usage], false);
    assert.equal(ext('subjectKeyIdentifier')['subjectKeyIdentifier'], parsed.generateSubjectKeyIdentifier().toHex());
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
