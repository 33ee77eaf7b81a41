import { yaml } from '../../apimachinery/yaml.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EncodeError } from '../protobuf/codec.js';
import { encodeObject, hasProtobuf, PROTOBUF } from '../protobuf/envelope.js';
import { negotiate, type OutputFormat } from './negotiation.js';

/**
 * Writes an object that carries its apiVersion and kind (a Status, a review, a discovery document) in the
 * negotiated encoding. A kind without a protobuf form is written as JSON, as kube-apiserver falls back.
 */
export function sendValue(reply: FastifyReply, code: number, format: OutputFormat, obj: object): FastifyReply {
  const o = obj as Record<string, unknown>;
  if (format.type === 'protobuf' && hasProtobuf(String(o['apiVersion']), String(o['kind']))) {
    try {
      return reply.code(code).type(PROTOBUF).send(encodeObject(o));
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err; // a value without a protobuf form: JSON below
    }
  }
  if (format.type === 'yaml') return reply.code(code).type('application/yaml').send(yaml().stringify(obj));
  return reply.code(code).type('application/json').send(JSON.stringify(obj));
}

/**
 * Writes an object that is not a stored resource (a Status, a review answered without being stored) in the
 * encoding the Accept header asks for: JSON, YAML or protobuf (a Table is not offered for these; as for any
 * unacceptable Accept, that is a 406).
 */
export function sendObject(reply: FastifyReply, req: FastifyRequest, code: number, obj: object): FastifyReply {
  return sendValue(reply, code, negotiate(req.headers.accept, { tableAllowed: false }), obj);
}
