import type { FastifyReply, FastifyRequest } from 'fastify';
import YAML from 'yaml';
import { errors } from '../registry/status.js';
import { GoJsonError, parseGoJson } from '../patch/go-json.js';

/** What a response is rendered as, chosen from the Accept header the way kube-apiserver negotiates. */
export type OutputFormat =
  | { type: 'json' }
  | { type: 'yaml' }
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
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      return { type: (type ?? '').toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

const ACCEPTED = 'application/json, application/yaml, application/vnd.kubernetes.protobuf';

/**
 * The first acceptable rendering in the client's order: a meta.k8s.io Table (`as=Table`), JSON, or YAML.
 * Protobuf is skipped (clients that ask for it also accept JSON); nothing acceptable is a 406.
 */
export function negotiate(accept: string | undefined, opts: { tableAllowed: boolean } = { tableAllowed: true }): OutputFormat {
  if (!accept || accept.trim() === '') return { type: 'json' };
  for (const m of parseAccept(accept)) {
    const as = m.params['as'];
    if (as !== undefined) {
      if (
        opts.tableAllowed &&
        as === 'Table' &&
        m.params['g'] === 'meta.k8s.io' &&
        (m.params['v'] === 'v1' || m.params['v'] === 'v1beta1') &&
        (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*')
      ) {
        return { type: 'table', version: m.params['v'] };
      }
      continue; // other transformations (PartialObjectMetadata, ...) are not served: try the next range
    }
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*' || m.type === 'application/json-patch+json') {
      return { type: 'json' };
    }
    if (m.type === 'application/yaml') return { type: 'yaml' };
  }
  throw errors.notAcceptable(`only the following media types are accepted: ${ACCEPTED}`);
}

/** The bare media type of a Content-Type header (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes a create/update body: JSON, or YAML (`application/yaml`), as kube-apiserver accepts both.
 * Malformed input is a 400 with the decoder's message; another media type is a 415.
 */
export function decodeObjectBody(contentType: string | undefined, body: unknown): unknown {
  const type = mediaType(contentType);
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  if (type === 'application/json' || type === '' ) {
    try {
      return parseGoJson(text);
    } catch (err) {
      if (err instanceof GoJsonError) throw errors.badRequest(`couldn't get version/kind; json parse error: ${err.message}`);
      throw err;
    }
  }
  if (type === 'application/yaml') {
    try {
      return YAML.parse(text);
    } catch (err) {
      throw errors.badRequest(`couldn't get version/kind; yaml parse error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw errors.unsupportedMediaType(ACCEPTED);
}

/**
 * Writes an object that is not a stored resource (a Status, a review answered without being stored) in the
 * encoding the Accept header asks for: JSON or YAML (a Table is not offered for these; as for any unacceptable
 * Accept, that is a 406). The one place such responses are encoded.
 */
export function sendObject(reply: FastifyReply, req: FastifyRequest, code: number, obj: object): FastifyReply {
  const format = negotiate(req.headers.accept, { tableAllowed: false });
  if (format.type === 'yaml') return reply.code(code).type('application/yaml').send(YAML.stringify(obj));
  return reply.code(code).type('application/json').send(JSON.stringify(obj));
}
