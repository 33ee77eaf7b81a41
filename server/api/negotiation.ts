import { parseYaml } from '../fieldmanager/yaml.js';
import { errors } from '../registry/status.js';
import { GoJsonError, parseGoJson } from '../patch/go-json.js';
import { decodeObject, ObjectDecodeError, PROTOBUF } from '../protobuf/envelope.js';
import { ProtoError } from '../protobuf/wire.js';
import { boundedMemo } from '../../apimachinery/bounded-memo.js';

/** What a response is rendered as, chosen from the Accept header the way kube-apiserver negotiates. */
export type OutputFormat =
  | { type: 'json' }
  | { type: 'yaml' }
  | { type: 'protobuf' }
  | { type: 'table'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0)
          params[p.slice(0, eq).trim().toLowerCase()] = p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
      }
      return { type: (type ?? '').toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

const ACCEPTED = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

/**
 * The first acceptable rendering in the client's order: a meta.k8s.io Table (`as=Table`), JSON, YAML or
 * Kubernetes protobuf (where the endpoint can give it: `protobufAllowed`); nothing acceptable is a 406.
 */
export function negotiate(
  accept: string | undefined,
  opts: { tableAllowed?: boolean; protobufAllowed?: boolean } = {},
): OutputFormat {
  const tableAllowed = opts.tableAllowed ?? true;
  const protobufAllowed = opts.protobufAllowed ?? true;
  if (!accept || accept.trim() === '') return JSON_FORMAT;
  // a client sends the same Accept header with every request: its answer is looked up, not parsed again
  return negotiated(`${tableAllowed ? 't' : '-'}${protobufAllowed ? 'p' : '-'}${accept}`);
}

const JSON_FORMAT: OutputFormat = Object.freeze({ type: 'json' });

/** Formats chosen by `<t|-><p|-><Accept header>` (what the endpoint allows, then the header), frozen. */
const negotiated = boundedMemo((key) => Object.freeze(choose(key.slice(2), key[0] === 't', key[1] === 'p')), 256);

/** negotiate's choice (throws the 406 when nothing is acceptable). */
function choose(accept: string, tableAllowed: boolean, protobufAllowed: boolean): OutputFormat {
  for (const m of parseAccept(accept)) {
    const as = m.params['as'];
    if (as !== undefined) {
      if (
        tableAllowed &&
        as === 'Table' &&
        m.params['g'] === 'meta.k8s.io' &&
        (m.params['v'] === 'v1' || m.params['v'] === 'v1beta1') &&
        (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*')
      ) {
        return { type: 'table', version: m.params['v'] };
      }
      continue; // other transformations (PartialObjectMetadata, ...) are not served: try the next range
    }
    if (
      m.type === 'application/json' ||
      m.type === '*/*' ||
      m.type === 'application/*' ||
      m.type === 'application/json-patch+json'
    ) {
      return { type: 'json' };
    }
    if (m.type === 'application/yaml') return { type: 'yaml' };
    if (m.type === PROTOBUF && protobufAllowed) return { type: 'protobuf' };
  }
  throw errors.notAcceptable(`only the following media types are accepted: ${ACCEPTED}`);
}

/** The bare media type of a Content-Type header (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** What a body is decoded as: the kind the endpoint serves, used for missing type meta and in error texts. */
export interface DecodeTarget {
  apiVersion: string;
  kind: string;
}

/**
 * Decodes a create/update body: JSON, YAML (`application/yaml`) or Kubernetes protobuf, as kube-apiserver
 * accepts all three. Malformed input is a 400 with the decoder's message; another media type is a 415.
 */
export function decodeObjectBody(contentType: string | undefined, body: unknown, target?: DecodeTarget): unknown {
  const type = mediaType(contentType);
  if (type === PROTOBUF) return decodeProtobufBody(body, target);
  const text = Buffer.isBuffer(body)
    ? body.toString('utf8')
    : typeof body === 'string'
      ? body
      : body === undefined
        ? ''
        : JSON.stringify(body);
  if (type === 'application/json' || type === '') {
    try {
      return parseGoJson(text);
    } catch (err) {
      if (err instanceof GoJsonError)
        throw errors.badRequest(`couldn't get version/kind; json parse error: ${err.message}`);
      throw err;
    }
  }
  if (type === 'application/yaml') {
    const y = parseYaml(text);
    if (y.error !== undefined) throw errors.badRequest(`couldn't get version/kind; yaml parse error: ${y.error}`);
    return y.value;
  }
  throw errors.unsupportedMediaType(ACCEPTED);
}

/** A protobuf request body as its JSON object (apiVersion and kind from the envelope, or the endpoint's). */
function decodeProtobufBody(body: unknown, target: DecodeTarget | undefined): unknown {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const into = target?.kind ?? 'Object';
  try {
    return decodeObject(bytes, target).object;
  } catch (err) {
    if (!(err instanceof ProtoError)) throw err;
    if (err instanceof ObjectDecodeError) {
      const t = err.typeMeta;
      throw errors.badRequest(
        `${t.kind} in version ${JSON.stringify(versionOf(t.apiVersion))} cannot be handled as a ${into}: ${err.message}`,
      );
    }
    throw errors.badRequest(
      `the object provided is unrecognized (must be of type ${into}): ${err.message} (${summarize(bytes)})`,
    );
  }
}

function versionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** apimachinery's summary of a body that could not be decoded: at most 30 bytes, as text or hex. */
function summarize(data: Buffer): string {
  if (data.length === 0) return '<empty>';
  const head = data.subarray(0, 30);
  const text = data[0] === 0x7b ? head.toString('utf8') : head.toString('hex');
  return data.length > 30 ? `${text} ...` : text;
}
