/**
 * The server's certificates, as kubeadm lays them out: a self-signed cluster CA and the API server's serving
 * certificate signed by it, in `<data-dir>/pki/` (`ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key`; keys mode
 * 0600). Made on first start and reused afterwards; the serving certificate is made again when the names it must
 * cover changed (another `--host`, new interface addresses, another service range), when it is about to expire or
 * when it was not signed by the CA. New keys are ECDSA P-256 (those of a directory made with RSA keys stay as they
 * are); both certificates are encoded here, and node:crypto makes the keys and signs.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
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

/** A key pair in PEM: the private key as the files hold it, the public key as SubjectPublicKeyInfo. */
type KeyPair = { publicKeyPem: string; pem: string };

/**
 * The kind of key a new CA or serving certificate gets: ECDSA on P-256 (kubeadm's `encryptionAlgorithm:
 * ECDSA-P256`). Its key is made in well under a millisecond; a 2048-bit RSA key took 50-400 ms of CPU, and a first
 * start waited for the CA's. Certificates and keys of a data directory made earlier with RSA keep working: a
 * serving certificate is signed with whatever key the CA has.
 */
const EC_OPTIONS = {
  namedCurve: 'prime256v1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  // "EC PRIVATE KEY", as kubeadm writes ECDSA keys
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
} as const;

/** The RSA keys of CAs made before, and for tests of them. */
const RSA_OPTIONS = {
  modulusLength: RSA_BITS,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
} as const;

/** The key types a certificate here is made with. */
export type KeyType = 'ec' | 'rsa';

function newKeyPair(type: KeyType = 'ec'): KeyPair {
  const keys = type === 'ec' ? generateKeyPairSync('ec', EC_OPTIONS) : generateKeyPairSync('rsa', RSA_OPTIONS);
  return { publicKeyPem: keys.publicKey, pem: keys.privateKey };
}

/** A positive random serial number (RFC 5280: at most 20 octets, non-negative). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes;
}

/** notBefore a little in the past (clocks a little behind still accept it), notAfter `days` on. */
function validity(days: number): Buffer {
  const now = Date.now();
  return DER.seq(DER.time(new Date(now - 5 * 60 * 1000)), DER.time(new Date(now + days * 24 * 3600 * 1000)));
}

/** The signature algorithm of a certificate signed by `key`: SHA-256 with RSA, or ECDSA with SHA-256. */
function signatureAlgorithm(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return DER.seq(DER.oid('1.2.840.113549.1.1.11'), DER.tlv(0x05));
    case 'ec':
      return DER.seq(DER.oid('1.2.840.10045.4.3.2'));
    default:
      throw new Error(`certificates: a CA key must be RSA or EC, got ${key.asymmetricKeyType}`);
  }
}

/** The whole certificate: `tbs` signed by `key` (node:crypto signs; an ECDSA signature is DER, as X.509 wants it). */
function signed(tbs: Buffer, algorithm: Buffer, key: KeyObject): string {
  const signature = sign('sha256', tbs, key);
  return pem('CERTIFICATE', DER.seq(tbs, algorithm, DER.tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))));
}

/** The key identifier of a public key (RFC 5280 4.2.1.2, method 1): SHA-1 of its subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const [, bits] = DER.children(DER.children(spki)[0]!.content);
  if (bits?.tag !== 0x03) throw new Error('certificates: a SubjectPublicKeyInfo without its key bits');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

/** A Name of one commonName (a PrintableString when it can be one, as Go and node-forge write it). */
function commonName(cn: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn);
  const value = printable ? DER.tlv(0x13, Buffer.from(cn, 'latin1')) : DER.tlv(0x0c, Buffer.from(cn, 'utf8'));
  return DER.seq(DER.set(DER.seq(DER.oid('2.5.4.3'), value)));
}

/** A new self-signed CA (CN kubernetes, as kubeadm's): its certificate and key in PEM; an EC key unless asked. */
export function createCA(cn = 'kubernetes', keyType: KeyType = 'ec'): { cert: string; key: string } {
  const keys = newKeyPair(keyType);
  const privateKey = createPrivateKey(keys.pem);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const name = commonName(cn);
  const algorithm = signatureAlgorithm(privateKey);
  // keyUsage: keyCertSign and digitalSignature (bits 5 and 0), and keyEncipherment (bit 2) for an RSA key
  const usage = privateKey.asymmetricKeyType === 'rsa' ? [0x02, 0xa4] : [0x02, 0x84];
  const tbs = DER.seq(
    DER.tlv(0xa0, DER.integer(Buffer.from([2]))), // v3
    DER.integer(serialNumber()),
    algorithm,
    name,
    validity(CA_DAYS),
    name,
    spki,
    DER.tlv(
      0xa3,
      DER.seq(
        DER.extension('2.5.29.19', true, DER.seq(DER.tlv(0x01, Buffer.from([0xff])))), // basicConstraints cA
        DER.extension('2.5.29.15', true, DER.tlv(0x03, Buffer.from(usage))),
        DER.extension('2.5.29.14', false, DER.tlv(0x04, keyIdentifier(spki))), // subjectKeyIdentifier
      ),
    ),
  );
  return { cert: signed(tbs, algorithm, privateKey), key: keys.pem };
}

/** A serving certificate (CN kube-apiserver) for `names` with a new EC key, signed by the CA (EC or RSA). */
export function createServingCertificate(
  ca: { cert: string; key: string },
  names: ServingNames,
): { cert: string; key: string } {
  const caKey = createPrivateKey(ca.key);
  const caCert = new X509Certificate(ca.cert);
  const keys = newKeyPair('ec');
  const algorithm = signatureAlgorithm(caKey);
  const usage = [0x07, 0x80]; // keyUsage: digitalSignature (bit 0) only, as an ECDSA key's
  const altNames = [
    ...names.dns.map((n) => DER.tlv(0x82, Buffer.from(n, 'latin1'))), // dNSName
    ...names.ips.map((ip) => DER.tlv(0x87, ipBytes(ip))), // iPAddress
  ];
  const tbs = DER.seq(
    DER.tlv(0xa0, DER.integer(Buffer.from([2]))), // v3
    DER.integer(serialNumber()),
    algorithm,
    subjectOf(caCert.raw), // the issuer: the CA's subject, byte for byte
    validity(SERVING_DAYS),
    commonName('kube-apiserver'),
    createPublicKey(keys.publicKeyPem).export({ type: 'spki', format: 'der' }),
    DER.tlv(
      0xa3,
      DER.seq(
        DER.extension('2.5.29.19', true, DER.seq()), // basicConstraints: not a CA
        DER.extension('2.5.29.15', true, DER.tlv(0x03, Buffer.from(usage))),
        DER.extension('2.5.29.37', false, DER.seq(DER.oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage serverAuth
        // authorityKeyIdentifier: the CA's key identifier
        DER.extension(
          '2.5.29.35',
          false,
          DER.seq(DER.tlv(0x80, keyIdentifier(caCert.publicKey.export({ type: 'spki', format: 'der' })))),
        ),
        DER.extension('2.5.29.17', false, DER.seq(...altNames)), // subjectAltName
      ),
    ),
  );
  return { cert: signed(tbs, algorithm, caKey), key: keys.pem };
}

/** The subject Name of a DER certificate, as its bytes (the issuer of what it signs must be these bytes). */
function subjectOf(certificate: Buffer): Buffer {
  const [whole] = DER.children(certificate);
  const [tbs] = DER.children(whole?.content ?? Buffer.alloc(0));
  const fields = DER.children(tbs?.content ?? Buffer.alloc(0));
  // version [0] (when present), serialNumber, signature, issuer, validity, subject
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (subject?.tag !== 0x30) throw new Error('certificates: a CA certificate without a subject');
  return subject.whole;
}

/** The 4 or 16 bytes of an IP address. */
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const groups = normalizeIP(ip).split(':');
  if (isIP(ip) !== 6 || groups.length !== 8) throw new Error(`certificates: not an IP address: ${ip}`);
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return out;
}

/** The few DER (X.690) encodings and decodings the certificates need. */
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
  /** The elements of DER `bytes`, one after another: tag, content and the whole element (definite lengths only). */
  children(bytes: Buffer): Array<{ tag: number; content: Buffer; whole: Buffer }> {
    const out: Array<{ tag: number; content: Buffer; whole: Buffer }> = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 2 > bytes.length) throw new Error('DER: cut short');
      const tag = bytes[at]!;
      let length = bytes[at + 1]!;
      let head = 2;
      if (length >= 0x80) {
        const n = length & 0x7f;
        if (n === 0 || n > 3 || at + 2 + n > bytes.length) throw new Error('DER: a length this reader does not take');
        length = 0;
        for (let i = 0; i < n; i++) length = length * 256 + bytes[at + 2 + i]!;
        head += n;
      }
      const end = at + head + length;
      if (end > bytes.length) throw new Error('DER: cut short');
      out.push({ tag, content: bytes.subarray(at + head, end), whole: bytes.subarray(at, end) });
      at = end;
    }
    return out;
  },
};

/** PEM with 64-character lines and CRLF (as node-forge wrote them: the files of earlier data directories). */
function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\r\n${lines.join('\r\n')}\r\n-----END ${label}-----\r\n`;
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
