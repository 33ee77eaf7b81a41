/**
 * The API server's service account token signer (kube-apiserver's --service-account-signing-key-file and
 * --service-account-issuer; pkg/serviceaccount/jwt.go): compact JWS tokens signed with one key, ES256 for an EC P-256
 * key (what this server generates) or RS256 for an RSA key (kubeadm's `sa.key`), the header naming the key by its
 * `kid` (the unpadded base64url SHA-256 of the public key's PKIX DER form, as upstream derives it).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The issuer kubeadm configures (`--service-account-issuer`); also the default API audience. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The longest token this server looks at (a signed token of ours is well under 2 KiB). */
const MAX_TOKEN_LENGTH = 16 * 1024;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** JSON with the keys of every object sorted, as Go writes a map (go-jose serializes claims through one). */
export function sortedJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => sortedJSON(v === undefined ? null : v)).join(',')}]`;
  if (isObj(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJSON(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * The `iss` claim of what looks like a compact JWS (three dot-separated parts, a JSON payload), read without
 * verifying anything: how the API server decides whether a bearer token is one of its service account tokens.
 */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return isObj(payload) && typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

/** A token split into its parts, the header and payload decoded but nothing verified. */
export interface ParsedToken {
  header: Obj;
  payload: Obj;
  signingInput: string;
  signature: Buffer;
}

/** Splits a compact JWS; undefined when it is not one (three base64url parts, JSON objects in the first two). */
export function parseToken(token: string): ParsedToken | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (!isObj(header) || !isObj(payload)) return undefined;
    return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Signs service account tokens with one key and checks the signatures of the tokens it is shown. */
export class TokenSigner {
  readonly issuer: string;
  /** The API server's audiences (`--api-audiences`, by default the issuer): tokens must name one of them. */
  readonly audiences: readonly string[];
  readonly keyId: string;
  readonly algorithm: 'ES256' | 'RS256';
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(privateKey: KeyObject, opts: { issuer?: string; audiences?: readonly string[] } = {}) {
    const type = privateKey.asymmetricKeyType;
    if (type === 'ec') {
      if (privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new Error(
          `service account signing key: only EC keys on P-256 are supported, got ${privateKey.asymmetricKeyDetails?.namedCurve}`,
        );
      }
      this.algorithm = 'ES256';
    } else if (type === 'rsa') {
      this.algorithm = 'RS256';
    } else {
      throw new Error(`service account signing key: an EC (P-256) or RSA private key is needed, got ${type}`);
    }
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.keyId = createHash('sha256')
      .update(this.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64url');
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.audiences = Object.freeze([...(opts.audiences ?? [this.issuer])]);
  }

  /** A signer with a new key held only in memory (tokens die with the server). */
  static ephemeral(opts?: { issuer?: string }): TokenSigner {
    return new TokenSigner(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, opts);
  }

  /**
   * The signer of a data directory: the PEM private key in `path`, created (EC P-256, mode 0600) when the file does
   * not exist, so that tokens stay valid across restarts.
   */
  static fromKeyFile(path: string, opts?: { issuer?: string }): TokenSigner {
    if (!existsSync(path)) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    return new TokenSigner(createPrivateKey(readFileSync(path)), opts);
  }

  /** A compact JWS of `claims` (keys sorted), its header naming the algorithm and key. */
  sign(claims: Obj): string {
    const input = `${b64url(sortedJSON({ alg: this.algorithm, kid: this.keyId }))}.${b64url(sortedJSON(claims))}`;
    const signature =
      this.algorithm === 'ES256'
        ? sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(input), this.privateKey);
    return `${input}.${b64url(signature)}`;
  }

  /**
   * Whether the token carries a signature of our key (its header must name our key's algorithm; the `kid` is not
   * looked at, as upstream checks a token against its public keys whatever the header names).
   */
  verifySignature(token: ParsedToken): boolean {
    if (token.header.alg !== this.algorithm) return false;
    try {
      return this.algorithm === 'ES256'
        ? verify(
            'sha256',
            Buffer.from(token.signingInput),
            { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
            token.signature,
          )
        : verify('sha256', Buffer.from(token.signingInput), this.publicKey, token.signature);
    } catch {
      return false;
    }
  }
}
