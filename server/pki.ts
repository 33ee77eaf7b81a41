/**
 * The server's certificates, as kubeadm lays them out: a self-signed cluster CA and the API server's serving
 * certificate signed by it, in `<data-dir>/pki/` (`ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key`; keys mode
 * 0600). Made on first start and reused afterwards; the serving certificate is made again when the names it must
 * cover changed (another `--host`, new interface addresses, another service range), when it is about to expire or
 * when it was not signed by the CA. RSA keys come from node:crypto (fast); node-forge builds and signs the X.509.
 */
import { generateKeyPair, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
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

type KeyPair = { publicKey: Forge.pki.rsa.PublicKey; pem: string };

const RSA_OPTIONS = {
  modulusLength: RSA_BITS,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

function keyPairOf(keys: { publicKey: string; privateKey: string }): KeyPair {
  return { publicKey: forge().pki.publicKeyFromPem(keys.publicKey) as Forge.pki.rsa.PublicKey, pem: keys.privateKey };
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
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, CA_DAYS);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signCertificate(cert, keys.pem);
  return { cert: forge().pki.certificateToPem(cert), key: keys.pem };
}

/** A serving certificate (CN kube-apiserver) for `names`, signed by the CA. */
export function createServingCertificate(
  ca: { cert: string; key: string },
  names: ServingNames,
): { cert: string; key: string } {
  const caCert = forge().pki.certificateFromPem(ca.cert);
  const keys = newKeyPair();
  const cert = forge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
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
