/**
 * How the API server talks to kubelets, as kube-apiserver's kubelet client does: a node's kubelet is reached at the
 * first of the node's `status.addresses` of a preferred type, on `status.daemonEndpoints.kubeletEndpoint.Port`
 * (10250 when the node reports none); a request is a plain GET whose answer is checked (a non-2xx answer becomes
 * the Status kube-apiserver's GenericHttpResponseChecker makes of it) and then streamed to the client.
 *
 * The simulated kubelets all live in the controller-manager process and report its address as an `InternalDNS`
 * address of every node (their InternalIPs are made up), so InternalDNS comes first here; kube-apiserver's default
 * order is Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP (`--kubelet-preferred-address-types`).
 *
 * Bounded: connecting and receiving the answer's headers take at most `connectTimeoutMs`; at most `maxStreams`
 * streams are open at once (more get 429 TooManyRequests); one stream lasts at most `maxStreamMs`; the client's
 * disconnect (or the server's shutdown) closes the kubelet's stream.
 */
import { request, type IncomingMessage } from 'node:http';
import type { KubeObject } from '../../apimachinery/objects.js';
import { StatusError, errors, type GroupResource } from '../registry/status.js';

/** kube-apiserver's default kubelet port. */
export const DEFAULT_KUBELET_PORT = 10250;
/** The address types tried in order for a node's kubelet. */
export const DEFAULT_PREFERRED_ADDRESS_TYPES = [
  'InternalDNS',
  'Hostname',
  'InternalIP',
  'ExternalDNS',
  'ExternalIP',
] as const;
export const NODE_ADDRESS_TYPES = ['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'];

export interface KubeletClientOptions {
  preferredAddressTypes?: readonly string[];
  /** Time to connect and receive the answer's headers (default 5 s). */
  connectTimeoutMs?: number;
  /** Streams open at once (default 500). */
  maxStreams?: number;
  /** How long one stream may stay open (default 4 h). */
  maxStreamMs?: number;
}

/** How much of a kubelet's error body is read (kube-apiserver: 50,000 bytes). */
const MAX_ERROR_BODY = 50_000;

/** Where a node's kubelet is. */
export interface ConnectionInfo {
  scheme: 'http';
  host: string;
  port: number;
}

/** Go's %v of a []NodeAddress: `[{InternalIP 10.0.0.1} {Hostname n1}]`. */
function goAddresses(addresses: { type?: unknown; address?: unknown }[]): string {
  return `[${addresses.map((a) => `{${String(a.type ?? '')} ${String(a.address ?? '')}}`).join(' ')}]`;
}

/** A 500 as kube-apiserver answers an error that is not a Status (reason unknown, the error's text). */
export function plainError(message: string): StatusError {
  return new StatusError({ message, code: 500 });
}

/** Go's net/http client error text for a failed request (`Get "<url>": dial tcp <host>: connect: connection refused`). */
function goRequestError(url: string, err: NodeJS.ErrnoException, host: string): string {
  const target = `Get ${JSON.stringify(url)}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `${target}: dial tcp ${host}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${target}: dial tcp: lookup ${host.replace(/:\d+$/, '')}: no such host`;
    case 'ETIMEDOUT':
      return `${target}: dial tcp ${host}: i/o timeout`;
    case 'ECONNRESET':
      return `${target}: read tcp ${host}: read: connection reset by peer`;
    case 'EHOSTUNREACH':
      return `${target}: dial tcp ${host}: connect: no route to host`;
    default:
      return `${target}: ${err.message}`;
  }
}

/** An open stream from a kubelet, and how to close it. */
export interface KubeletStream {
  response: IncomingMessage;
  /** Ends the stream (idempotent); also releases its place among the open streams. */
  close(): void;
}

export class KubeletClient {
  readonly preferredAddressTypes: readonly string[];
  private readonly connectTimeoutMs: number;
  private readonly maxStreams: number;
  readonly maxStreamMs: number;
  private open = 0;

  constructor(opts: KubeletClientOptions = {}) {
    this.preferredAddressTypes = opts.preferredAddressTypes ?? DEFAULT_PREFERRED_ADDRESS_TYPES;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.maxStreams = opts.maxStreams ?? 500;
    this.maxStreamMs = opts.maxStreamMs ?? 4 * 60 * 60 * 1000;
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.open;
  }

  /** Where the node's kubelet listens (GetPreferredNodeAddress and the reported port). */
  connectionInfo(node: KubeObject): ConnectionInfo {
    const status = (node.status ?? {}) as {
      addresses?: { type?: unknown; address?: unknown }[];
      daemonEndpoints?: { kubeletEndpoint?: { Port?: unknown } };
    };
    const addresses = Array.isArray(status.addresses) ? status.addresses : [];
    let host: string | undefined;
    for (const type of this.preferredAddressTypes) {
      const a = addresses.find((x) => x?.type === type && typeof x.address === 'string' && x.address);
      if (a) {
        host = a.address as string;
        break;
      }
      // A node without addresses is reached by its hostname label (kube-apiserver does the same for Hostname).
      if (type === 'Hostname') {
        const label = node.metadata.labels?.['kubernetes.io/hostname'];
        if (label) {
          host = label;
          break;
        }
      }
    }
    if (!host) throw plainError(`no preferred addresses found; known addresses: ${goAddresses(addresses)}`);
    const reported = Number(status.daemonEndpoints?.kubeletEndpoint?.Port);
    const port = Number.isInteger(reported) && reported > 0 && reported <= 65535 ? reported : DEFAULT_KUBELET_PORT;
    return { scheme: 'http', host, port };
  }

  /**
   * GETs `path` from the kubelet and resolves once it answered 2xx. A non-2xx answer is turned into the Status
   * kube-apiserver would send for `gr`/`name`; failing to reach the kubelet in time is a 500 with Go's error text.
   */
  async get(
    info: ConnectionInfo,
    path: string,
    gr: GroupResource,
    name: string,
    signal: AbortSignal,
  ): Promise<KubeletStream> {
    if (this.open >= this.maxStreams) {
      throw new StatusError(
        {
          message: 'Too many requests: too many open streams from kubelets, please try again later',
          reason: 'TooManyRequests',
          details: { retryAfterSeconds: 1 },
          code: 429,
        },
        { 'Retry-After': '1' },
      );
    }
    const hostPort = info.host.includes(':') ? `[${info.host}]:${info.port}` : `${info.host}:${info.port}`;
    const url = `${info.scheme}://${hostPort}${path}`;
    this.open++;
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.open--;
      }
    };
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const lifetime = setTimeout(() => abort.abort(), this.maxStreamMs);
    lifetime.unref();
    const cleanup = () => {
      clearTimeout(lifetime);
      signal.removeEventListener('abort', onAbort);
      release();
    };
    let response: IncomingMessage;
    try {
      response = await new Promise<IncomingMessage>((resolve, reject) => {
        let timedOut = false;
        const req = request(url, { method: 'GET', signal: abort.signal, headers: { Accept: '*/*' } }, resolve);
        const timer = setTimeout(() => {
          timedOut = true;
          req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' }));
        }, this.connectTimeoutMs);
        req.on('response', () => clearTimeout(timer));
        req.on('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          if (abort.signal.aborted && !timedOut) reject(errors.badRequest('the request was cancelled'));
          else
            reject(
              plainError(goRequestError(url, timedOut ? Object.assign(err, { code: 'ETIMEDOUT' }) : err, hostPort)),
            );
        });
        req.end();
      });
    } catch (err) {
      cleanup();
      throw err;
    }
    const code = response.statusCode ?? 0;
    if (code < 200 || code > 206) {
      try {
        const body = await readLimited(response, MAX_ERROR_BODY, this.connectTimeoutMs);
        throw kubeletErrorStatus(code, body, gr, name);
      } finally {
        response.destroy();
        cleanup();
      }
    }
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      response.destroy();
      abort.abort();
      cleanup();
    };
    response.once('close', close);
    response.once('error', close);
    return { response, close };
  }
}

/** At most `max` bytes of a response body, as text (within `timeoutMs`). */
function readLimited(res: IncomingMessage, max: number, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(finish, timeoutMs);
    res.on('data', (c: Buffer) => {
      if (size >= max) return;
      const part = c.subarray(0, max - size);
      chunks.push(part);
      size += part.length;
      if (size >= max) finish();
    });
    res.once('end', finish);
    res.once('error', finish);
    res.once('close', finish);
  });
}

/**
 * The Status for a kubelet's non-2xx answer (GenericHttpResponseChecker): 400 is a BadRequest with the kubelet's
 * text, 500 an InternalError with it, anything else the generic response of its code, naming the resource.
 */
export function kubeletErrorStatus(code: number, body: string, gr: GroupResource, name: string): StatusError {
  if (code === 400) return errors.badRequest(body);
  if (code === 500) return errors.internal(body);
  let reason: string | undefined;
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 404:
      reason = 'NotFound';
      message = 'the server could not find the requested resource';
      break;
    case 401:
      reason = 'Unauthorized';
      message = 'the server has asked for the client to provide credentials';
      break;
    case 403:
      reason = 'Forbidden';
      message = body;
      break;
    case 405:
      reason = 'MethodNotAllowed';
      message = 'the server does not allow this method on the requested resource';
      break;
    case 409:
      reason = 'Conflict';
      message = 'the server reported a conflict';
      break;
    case 422:
      reason = 'Invalid';
      message = 'the server rejected our request due to an error in our request';
      break;
    case 429:
      reason = 'TooManyRequests';
      message = 'the server has received too many requests and has asked us to try again later';
      break;
    case 504:
      reason = 'Timeout';
      message =
        'the server was unable to return a response in the time allotted, but may still be processing the request';
      break;
    default:
      if (code >= 500) {
        reason = 'InternalError';
        message = `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`;
      }
  }
  // The verb is empty here, hence the two spaces: `... ( pods/log web)`, exactly as kube-apiserver prints it.
  const resource = gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
  message = `${message} ( ${resource} ${name})`;
  const details: NonNullable<StatusError['status']['details']> = { name };
  if (gr.group) details.group = gr.group;
  details.kind = gr.resource;
  return new StatusError(reason ? { message, reason, details, code } : { message, details, code });
}
