/**
 * The server's certificates, as kubeadm lays them out: a self-signed cluster CA and the API server's serving
 * certificate signed by it, in `<data-dir>/pki/` (`ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key`; keys mode
 * 0600). Made on first start and reused afterwards; the serving certificate is made again when the names it must
 * cover changed (another `--host`, new interface addresses, another service range), when it is about to expire or
 * when it was not signed by the CA. RSA keys come from node:crypto (fast); the CA's certificate is encoded here, node-forge builds the serving one
 * (node:crypto signs both).
 */
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type Forge from 'node-forge';
import { DEFAULT_SERVICE_CIDR, firstAddress, parseServiceCIDR } from './registry/resources/services/allocator.js';

/** The names kube-apiserver's serving certificate carries for in-cluster clients (kubeadm's apiserver cert). */
export const IN_CLUSTER_DNS_NAMES: readonly string[] = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];

/** CA lifetime (kubeadm: 10 years) and serving certificate lifetime (kubeadm: 1 year). */
const CA_DAYS = 3650;
const SERVING_DAYS = 365;
/** A serving certificate this close to its end is made again at start. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const RSA_BITS = 2048;

/** The DNS names and IP addresses a serving certificate covers. */
export interface ServingNames {
  dns: string[];
  ips: string[];
}

/** The PEM material the server listens with and hands to clients. */
export interface ServingTLS {
  key: string;
  cert: string;
  /** The CA clients verify the server with (written into the kubeconfig), if known. */
  ca?: string;
}

/** Paths inside `<data-dir>/pki`. */
export function pkiPaths(dataDir: string) {
  const dir = resolve(dataDir, 'pki');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'apiserver.crt'),
    key: join(dir, 'apiserver.key'),
  };
}

const isWildcard = (host: string) => host === '0.0.0.0' || host === '::' || host === '[::]';

/** An IP literal without brackets or IPv6 zone (`fe80::1%eth0` → `fe80::1`). */
function bareIP(address: string): string {
  return address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
}

/**
 * The names a serving certificate for a server bound to `host` must cover: localhost and the loopback addresses,
 * the bound host (or, bound to a wildcard address, every interface address and the machine's host name), the
 * in-cluster names of the `kubernetes` Service and its ClusterIP (the first address of the service range).
 */
export function servingNames(
  host: string,
  opts: {
    serviceClusterIPRange?: string;
    interfaces?: ReturnType<typeof networkInterfaces>;
    hostname?: string;
  } = {},
): ServingNames {
  const dns = new Set<string>();
  const ips = new Set<string>();
  const add = (name: string) => {
    const bare = bareIP(name);
    if (isIP(bare)) ips.add(normalizeIP(bare));
    else if (name) dns.add(name.toLowerCase());
  };
  for (const n of ['localhost', '127.0.0.1', '::1']) add(n);
  if (isWildcard(host)) {
    for (const addrs of Object.values(opts.interfaces ?? networkInterfaces()))
      for (const a of addrs ?? []) add(a.address);
    add(opts.hostname ?? hostname());
  } else {
    add(host);
  }
  for (const n of IN_CLUSTER_DNS_NAMES) dns.add(n);
  ips.add(firstAddress(parseServiceCIDR(opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR)));
  return { dns: [...dns].sort(), ips: [...ips].sort() };
}

/** One text per address: IPv4 as is, IPv6 as eight lowercase hex groups without leading zeros or `::`. */
export function normalizeIP(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  let text = ip.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const o = v4.slice(1, 5).map(Number);
    text = `${text.slice(0, v4.index)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':');
}

/** The names a certificate covers (its subjectAltName extension), in the form of `servingNames`. */
export function certificateNames(pem: string): ServingNames {
  const x = new X509Certificate(pem);
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (x.subjectAltName ?? '').split(/,\s*/)) {
    const m = /^(DNS|IP Address):(.*)$/.exec(entry.trim());
    if (!m) continue;
    if (m[1] === 'DNS') dns.push(m[2]!.toLowerCase());
    else ips.push(normalizeIP(m[2]!));
  }
  return { dns: dns.sort(), ips: ips.sort() };
}

function sameNames(a: ServingNames, b: ServingNames): boolean {
  return a.dns.join(',') === b.dns.join(',') && a.ips.join(',') === b.ips.join(',');
}

const requireCJS = createRequire(import.meta.url);
let forgeModule: typeof Forge | undefined;

/** node-forge, loaded on first use: only making certificates needs it, and loading it takes ~90 ms of a start. */
function forge(): typeof Forge {
  forgeModule ??= requireCJS('node-forge') as typeof Forge;
  return forgeModule;
}

type KeyPair = { publicKeyPem: string; pem: string };

const RSA_OPTIONS = {
  modulusLength: RSA_BITS,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

function keyPairOf(keys: { publicKey: string; privateKey: string }): KeyPair {
  return { publicKeyPem: keys.publicKey, pem: keys.privateKey };
}

function newKeyPair(): KeyPair {
  return keyPairOf(generateKeyPairSync('rsa', RSA_OPTIONS));
}

/** A new key pair made on libuv's thread pool, leaving the main thread free (a 2048-bit RSA key takes ~100 ms). */
async function newKeyPairInBackground(): Promise<KeyPair> {
  return keyPairOf(await promisify(generateKeyPair)('rsa', RSA_OPTIONS));
}

/** Signs a certificate with SHA-256/RSA by node:crypto (forge's own RSA is many times slower). */
function signCertificate(cert: Forge.pki.Certificate, keyPem: string): void {
  const oid = forge().pki.oids['sha256WithRSAEncryption']!;
  cert.siginfo.algorithmOid = oid;
  cert.signatureOid = oid;
  // getTBSCertificate exists in node-forge but is missing from its type definitions.
  const pki = forge().pki as unknown as { getTBSCertificate(c: Forge.pki.Certificate): Forge.asn1.Asn1 };
  const tbs = forge().asn1.toDer(pki.getTBSCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), keyPem).toString('binary');
}

/** A positive random serial number (RFC 5280: at most 20 octets, non-negative). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

function validity(cert: Forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60 * 1000); // clocks a little behind still accept it
  cert.validity.notAfter = new Date(now + days * 24 * 3600 * 1000);
}

/** A new self-signed CA (CN kubernetes, as kubeadm's): its certificate and key in PEM. */
export function createCA(commonName = 'kubernetes'): { cert: string; key: string } {
  return caWithKeys(newKeyPair(), commonName);
}

function caWithKeys(keys: KeyPair, commonName = 'kubernetes'): { cert: string; key: string } {
  // Encoded here rather than by node-forge: a first start makes the CA, and loading forge would cost it ~55 ms of
  // CPU. The same certificate forge makes (tests/unit/security/pki.test.ts reads it back with node-forge).
  const publicKey = createPublicKey(keys.publicKeyPem);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const rsaPublicKey = publicKey.export({ type: 'pkcs1', format: 'der' });
  const name = DER.seq(DER.set(DER.seq(DER.oid('2.5.4.3'), DER.tlv(0x13, Buffer.from(commonName, 'latin1')))));
  const sha256WithRSA = DER.seq(DER.oid('1.2.840.113549.1.1.11'), DER.tlv(0x05));
  const now = Date.now();
  const tbs = DER.seq(
    DER.tlv(0xa0, DER.integer(Buffer.from([2]))), // v3
    DER.integer(Buffer.from(serialNumber(), 'hex')),
    sha256WithRSA,
    name,
    DER.seq(DER.time(new Date(now - 5 * 60 * 1000)), DER.time(new Date(now + CA_DAYS * 24 * 3600 * 1000))),
    name,
    spki,
    DER.tlv(
      0xa3,
      DER.seq(
        DER.extension('2.5.29.19', true, DER.seq(DER.tlv(0x01, Buffer.from([0xff])))), // basicConstraints cA
        // keyUsage: digitalSignature, keyEncipherment, keyCertSign (bits 0, 2, 5; two unused bits)
        DER.extension('2.5.29.15', true, DER.tlv(0x03, Buffer.from([0x02, 0xa4]))),
        DER.extension('2.5.29.14', false, DER.tlv(0x04, createHash('sha1').update(rsaPublicKey).digest())),
      ),
    ),
  );
  const signature = sign('sha256', tbs, keys.pem);
  const cert = DER.seq(tbs, sha256WithRSA, DER.tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return { cert: pem('CERTIFICATE', cert), key: keys.pem };
}

/** The few DER (X.690) encodings the CA certificate needs. */
const DER = {
  tlv(tag: number, ...content: Buffer[]): Buffer {
    const body = Buffer.concat(content);
    const n = body.length;
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : undefined;
    if (!length) throw new Error('DER: content too long');
    return Buffer.concat([Buffer.from([tag, ...length]), body]);
  },
  seq: (...content: Buffer[]) => DER.tlv(0x30, ...content),
  set: (...content: Buffer[]) => DER.tlv(0x31, ...content),
  /** A non-negative INTEGER from its big-endian bytes. */
  integer(bytes: Buffer): Buffer {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0 && bytes[i + 1]! < 0x80) i++;
    const v = bytes.subarray(i);
    return DER.tlv(0x02, v[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
  },
  oid(dotted: string): Buffer {
    const [a, b, ...rest] = dotted.split('.').map(Number);
    const out = [40 * a! + b!];
    for (const v of rest) {
      const bytes = [v & 0x7f];
      for (let x = v >> 7; x > 0; x >>= 7) bytes.unshift((x & 0x7f) | 0x80);
      out.push(...bytes);
    }
    return DER.tlv(0x06, Buffer.from(out));
  },
  /** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280, 4.1.2.5). */
  time(d: Date): Buffer {
    const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    return d.getUTCFullYear() < 2050
      ? DER.tlv(0x17, Buffer.from(digits.slice(2), 'latin1'))
      : DER.tlv(0x18, Buffer.from(digits, 'latin1'));
  },
  extension(oid: string, critical: boolean, value: Buffer): Buffer {
    return DER.seq(DER.oid(oid), ...(critical ? [DER.tlv(0x01, Buffer.from([0xff]))] : []), DER.tlv(0x04, value));
  },
};

/** PEM as node-forge writes it (64-character lines, CRLF). */
function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\r\n${lines.join('\r\n')}\r\n-----END ${label}-----\r\n`;
}

/** A serving certificate (CN kube-apiserver) for `names`, signed by the CA. */
export function createServingCertificate(
  ca: { cert: string; key: string },
  names: ServingNames,
): { cert: string; key: string } {
  const caCert = forge().pki.certificateFromPem(ca.cert);
  const keys = newKeyPair();
  const cert = forge().pki.createCertificate();
  cert.publicKey = forge().pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serialNumber();
  validity(cert, SERVING_DAYS);
  cert.setSubject([{ name: 'commonName', value: 'kube-apiserver' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    {
      name: 'subjectAltName',
      altNames: [...names.dns.map((value) => ({ type: 2, value })), ...names.ips.map((ip) => ({ type: 7, ip }))],
    },
  ]);
  signCertificate(cert, ca.key);
  return { cert: forge().pki.certificateToPem(cert), key: keys.pem };
}

/** Writes a file atomically (temp file, then rename); keys get mode 0600. */
function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** The CA of the data directory, made on first use (`<data-dir>/pki/ca.crt` and `ca.key`). */
export function ensureCA(dataDir: string): { cert: string; key: string } {
  const p = pkiPaths(dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  if (existsSync(p.caCert) && existsSync(p.caKey))
    return { cert: readFileSync(p.caCert, 'utf8'), key: readFileSync(p.caKey, 'utf8') };
  return writeCA(p, createCA());
}

/**
 * Makes the data directory's CA when it has none, with the key generated off the main thread, so a first start
 * builds the rest of the server meanwhile; {@link ensureCA} then reads it.
 */
export async function prepareCA(dataDir: string): Promise<void> {
  const p = pkiPaths(dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  if (existsSync(p.caCert) && existsSync(p.caKey)) return;
  const ca = caWithKeys(await newKeyPairInBackground());
  if (!(existsSync(p.caCert) && existsSync(p.caKey))) writeCA(p, ca);
}

function writeCA(p: ReturnType<typeof pkiPaths>, ca: { cert: string; key: string }): { cert: string; key: string } {
  writeAtomic(p.caKey, ca.key, 0o600);
  writeAtomic(p.caCert, ca.cert, 0o644);
  return ca;
}

/** Whether the stored serving certificate can be used again: the same names, signed by the CA, not near its end. */
function reusable(certPem: string, caPem: string, names: ServingNames): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    return sameNames(certificateNames(certPem), names);
  } catch {
    return false;
  }
}

/**
 * The generated TLS material of a server: the data directory's CA and a serving certificate for `names`, reused
 * when it still fits, made (again) otherwise.
 */
export function ensureServingCertificate(dataDir: string, names: ServingNames): ServingTLS & { ca: string } {
  const ca = ensureCA(dataDir);
  const p = pkiPaths(dataDir);
  if (existsSync(p.cert) && existsSync(p.key)) {
    const cert = readFileSync(p.cert, 'utf8');
    if (reusable(cert, ca.cert, names)) return { cert, key: readFileSync(p.key, 'utf8'), ca: ca.cert };
  }
  const serving = createServingCertificate(ca, names);
  writeAtomic(p.key, serving.key, 0o600);
  writeAtomic(p.cert, serving.cert, 0o644);
  return { ...serving, ca: ca.cert };
}

/**
 * One's own certificate and key (`--tls-cert-file`, `--tls-private-key-file`). The CA written into the kubeconfig
 * is the self-signed root at the end of the certificate file's chain when it has one (or the certificate itself when
 * self-signed); otherwise none, and clients verify it with their system's roots.
 */
export function loadServingCertificate(certFile: string, keyFile: string): ServingTLS {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  const blocks = cert.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error(`${certFile}: no PEM certificate in it`);
  let ca: string | undefined;
  for (const block of blocks) {
    const x = new X509Certificate(block);
    if (x.subject === x.issuer && x.verify(x.publicKey)) ca = `${block}\n`;
  }
  return ca ? { cert, key, ca } : { cert, key };
}
