import type { FastifyError, FastifyInstance } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, isStatusError, StatusError, type StatusBody } from '../registry/status.js';
import { negotiate, type OutputFormat } from '../api/negotiation.js';
import { sendValue } from '../api/respond.js';

/** The request body limit of kube-apiserver (3 MiB). */
export const MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/**
 * The only place error replies are written: a StatusError becomes its Status body; Fastify's own errors
 * (body too large, bad media type, query validation) become the Status the apiserver would send; anything
 * else is a bug, logged with its request and answered with a 500 Status, never a crash.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | StatusError | Error, req, reply) => {
    let status: StatusError;
    if (isStatusError(err)) {
      status = err;
    } else {
      const fe = err as FastifyError;
      if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        status = errors.requestEntityTooLarge(`Request entity too large: limit is ${MAX_REQUEST_BODY_BYTES}`);
      } else if (fe.validation) {
        status = errors.badRequest(fe.message);
      } else if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        status = errors.unsupportedMediaType('application/json, application/yaml, application/vnd.kubernetes.protobuf');
      } else if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
        status = new StatusError({
          message: fe.message,
          reason: fe.statusCode === 404 ? 'NotFound' : 'BadRequest',
          code: fe.statusCode,
        });
      } else {
        req.log.error({ err }, 'unexpected error');
        status = errors.internal(err.message);
      }
    }
    if (reply.sent || reply.raw.headersSent) return;
    sendStatus(req, reply.headers(status.headers), status.code, status.status);
  });
  app.setNotFoundHandler((req, reply) => {
    const status = errors.pathNotFound();
    sendStatus(req, reply, 404, status.status);
  });
}

/** A Status in the encoding the client prefers (protobuf for clients that ask for it first), else JSON. */
function sendStatus(req: FastifyRequest, reply: FastifyReply, code: number, status: StatusBody): void {
  let format: OutputFormat = { type: 'json' };
  try {
    const f = negotiate(req.headers.accept, { tableAllowed: false });
    if (f.type === 'protobuf') format = f;
  } catch {
    // nothing acceptable: the Status goes out as JSON, as kube-apiserver does
  }
  sendValue(reply, code, format, status);
}
