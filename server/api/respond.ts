import type { FastifyReply } from 'fastify';
import YAML from 'yaml';
import { EncodeError } from '../protobuf/codec.js';
import { encodeObject, hasProtobuf, PROTOBUF } from '../protobuf/envelope.js';
import type { OutputFormat } from './negotiation.js';

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
  if (format.type === 'yaml') return reply.code(code).type('application/yaml').send(YAML.stringify(obj));
  return reply.code(code).type('application/json').send(JSON.stringify(obj));
}
