import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyServerOptions } from 'fastify';
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
  // CONNECT is never routed by Node's HTTP server: without a listener it drops the connection. kube-apiserver
  // serves no CONNECT route, so the method is not allowed; the connection is closed after the answer.
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    app.log.debug({ method: req.method }, 'CONNECT refused');
    answerRaw(socket, errors.methodNotAllowed());
  });
}

/**
 * Errors Fastify's router raises before any route or hook runs (a URL that does not decode, a path parameter over
 * `maxParamLength`): the Status the apiserver answers. Go's HTTP server refuses an undecodable path with 400.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, req, reply) => {
  const status =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new StatusError({ message: 'the request URI is too long', reason: 'RequestURITooLong', code: 414 })
      : errors.badRequest(`invalid request path: ${err.code === 'FST_ERR_BAD_URL' ? 'malformed escape' : err.message}`);
  sendStatus(req, reply, status.code, status.status);
};

/**
 * What a request Node's HTTP parser refused (or a connection that timed out) gets: a Status with the code Go's HTTP
 * server would answer (431 for headers over the limit, 505 for an unknown protocol version, 405 for a method that
 * is not a token Node knows, 408 for a request not received in time, 400 otherwise), then the connection closes.
 * The raw bytes are never logged: they may carry credentials.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = clientErrorStatus(err);
  this.log.debug({ code: err.code, status: status.code }, 'malformed request refused');
  // A response already under way on this connection cannot be followed by another: just close it.
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (pending?.headersSent || !socket.writable) {
    socket.destroy();
    return;
  }
  answerRaw(socket, status);
}

function clientErrorStatus(err: NodeJS.ErrnoException): StatusError {
  const reason = (err as { reason?: unknown }).reason;
  const why = typeof reason === 'string' && reason.length < 200 ? reason : 'malformed HTTP request';
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new StatusError({
        message: 'Request Header Fields Too Large',
        reason: 'RequestHeaderFieldsTooLarge',
        code: 431,
      });
    case 'HPE_INVALID_METHOD':
      // a well-formed request line with a method Node does not know (`FOO /path HTTP/1.1`); anything else is garbage
      return REQUEST_LINE.test(firstLine(err))
        ? errors.methodNotAllowed()
        : errors.badRequest('Bad Request: malformed HTTP request');
    case 'HPE_INVALID_VERSION':
      return new StatusError({
        message: 'HTTP Version Not Supported: unsupported protocol version',
        reason: 'HTTPVersionNotSupported',
        code: 505,
      });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new StatusError({
        message: 'the request was not received within the allotted time',
        reason: 'Timeout',
        code: 408,
      });
    default:
      return errors.badRequest(`Bad Request: ${why}`);
  }
}

/** `METHOD target HTTP/x.y`, the method an RFC 9110 token. */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/\d\.\d\r?$/;

/** The first line of the bytes the parser refused (at most 200 of them are looked at). */
function firstLine(err: NodeJS.ErrnoException): string {
  const raw = (err as { rawPacket?: unknown }).rawPacket;
  if (!Buffer.isBuffer(raw)) return '';
  const head = raw.subarray(0, 200).toString('latin1');
  const nl = head.indexOf('\n');
  return nl < 0 ? head : head.slice(0, nl);
}

/** Writes a Status as a complete HTTP/1.1 response on a raw socket and closes it. */
function answerRaw(socket: Duplex, status: StatusError): void {
  const body = JSON.stringify(status.status);
  const phrase = STATUS_PHRASES[status.code] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status.code} ${phrase}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // a client that keeps sending is not waited for
  setTimeout(() => socket.destroy(), 1000).unref();
}

const STATUS_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};

/** Answers a request with the Status of `err` (and its headers), unless a reply is already under way. */
export function replyWithStatus(req: FastifyRequest, reply: FastifyReply, err: StatusError): void {
  if (reply.sent || reply.raw.headersSent) return;
  sendStatus(req, reply.headers(err.headers), err.code, err.status);
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
