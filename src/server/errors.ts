// The server's one error path (ARCHITECTURE "Style": typed errors mapped to status codes, never SQL
// or a stack to the client). Routes throw the typed errors below; the handler answers
// `{ error: { code, message } }` (validation errors add the fields at fault), and anything else is a
// 500 whose detail goes to the log only.

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DbFault } from '../db/faults.js';
import { mask } from '../domain/masking.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Not there — or not there for this user: out-of-scope objects answer the same, so existence never leaks. */
export class NotFound extends HttpError {
  constructor(message = 'not found') {
    super(404, 'NOT_FOUND', message);
  }
}

export class Unauthorized extends HttpError {
  constructor(message = 'sign in first') {
    super(401, 'UNAUTHORIZED', message);
  }
}

export class Forbidden extends HttpError {
  constructor(message = 'not permitted', code = 'FORBIDDEN') {
    super(403, code, message);
  }
}

/** A request understood and refused by a business rule (the contact policy, a closed task …): the code says which. */
export class Refused extends HttpError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class BadRequest extends HttpError {
  constructor(
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(400, 'BAD_REQUEST', message);
  }
}

/** Input that fails a check beyond the route's schema: answered like a schema's, 400 VALIDATION with the fields. */
export class Invalid extends HttpError {
  constructor(readonly fields: { field: string; message: string }[]) {
    super(400, 'VALIDATION', fields.map((f) => `${f.field}: ${f.message}`).join('; '));
  }
}

export class TooManyRequests extends HttpError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'THROTTLED', message);
  }
}

export const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .describe('An error: a stable code and a message in words');

/** The error responses every route may give, for its schema (and so the OpenAPI document). */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  429: errorBody,
  500: errorBody,
  // DB_UNAVAILABLE: the database's disk is full or its connection was lost (src/db/faults.ts).
  503: errorBody,
} as const;

type ErrorPayload = z.infer<typeof errorBody>;

const ID_NO =
  /(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/g;
const MOBILE = /(?<![0-9])1[3-9][0-9]{9}(?![0-9])/g;
const CARD = /(?<![0-9])[3-6][0-9]{15,18}(?![0-9])/g;

/**
 * An error's words with the personal data a caller typed where an id goes masked as every answer
 * masks it: messages repeat what was sent ("no benefit program 110101199003071234 in your scope",
 * a target file's `"13800000000" is not an org`), and personal data is masked everywhere. ID numbers,
 * mainland mobiles and card numbers; other numbers (limits, ids, amounts) are left as they are.
 */
export function maskTyped(text: string): string {
  return text
    .replace(ID_NO, (m) => mask('id_no', m) ?? '')
    .replace(MOBILE, (m) => mask('phone', m) ?? '')
    .replace(CARD, (m) => mask('account', m) ?? '');
}

const body = (
  code: string,
  message: string,
  fields?: { field: string; message: string }[],
): ErrorPayload => ({
  error: fields
    ? {
        code,
        message: maskTyped(message),
        fields: fields.map((f) => ({ field: maskTyped(f.field), message: maskTyped(f.message) })),
      }
    : { code, message: maskTyped(message) },
});

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

/** Where a validation issue sits: `body.username`, `querystring.limit`, `params.id`. */
function fieldOf(context: string | undefined, item: ValidationItem): string {
  const path = (item.instancePath ?? '').split('/').filter(Boolean).join('.');
  return [context, path].filter(Boolean).join('.') || 'request';
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: Error, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) {
      if (err instanceof TooManyRequests) reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.status >= 500) request.log.error({ err }, 'server error');
      return reply
        .code(err.status)
        .send(
          body(
            err.code,
            err.message,
            err instanceof BadRequest || err instanceof Invalid ? err.fields : undefined,
          ),
        );
    }
    const fe = err as FastifyError;
    if (Array.isArray(fe.validation)) {
      const fields = (fe.validation as ValidationItem[]).map((v) => ({
        field: fieldOf(fe.validationContext, v),
        message: v.message ?? 'invalid',
      }));
      return reply
        .code(400)
        .send(body('VALIDATION', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields));
    }
    // Fastify's own 4xx (malformed JSON, body too large, unsupported media type): its message is about
    // the request as sent, never about the data.
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      const message = fe.code?.startsWith('FST_') ? fe.message : 'bad request';
      return reply.code(fe.statusCode).send(body('BAD_REQUEST', message));
    }
    // The database's disk full or its connection lost (src/db/faults.ts): a 503 in words, the
    // engine's own (file paths, SQL) to the log only.
    if (err instanceof DbFault) {
      request.log.error({ err }, 'database fault');
      return reply
        .code(503)
        .send(
          body(
            'DB_UNAVAILABLE',
            err.kind === 'disk-full'
              ? "the database's disk is full: nothing was saved; try again later"
              : 'the connection to the database was lost: try again',
          ),
        );
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(body('INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((request, reply) => {
    // The path is not echoed: it may carry what the caller typed.
    reply.code(404).send(body('NOT_FOUND', `no such route (${request.method})`));
  });
}

/**
 * Fastify's router errors, before any route is found (a path that does not percent-decode, a path
 * parameter longer than the router's limit): in the API's shape, the path not echoed (fastify's own
 * answer repeats it, and it may carry what the caller typed). Fastify option `frameworkErrors`.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    reply.code(414).send(body('URI_TOO_LONG', 'a part of the path is too long'));
  else if (err.code === 'FST_ERR_BAD_URL')
    reply.code(400).send(body('BAD_REQUEST', 'the path is not a valid URL (a bad percent-encoding)'));
  else {
    request.log.error({ err }, 'router error');
    reply.code(500).send(body('INTERNAL', 'internal error'));
  }
}

/**
 * A request that is not HTTP the server can read (a malformed request line or header, headers over
 * the limit, a smuggling attempt node refuses): answered on the socket in the API's shape, then the
 * connection is closed — as fastify's default does, with its own body. Fastify option
 * `clientErrorHandler`.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'TIMEOUT', 'the request did not arrive in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'the request line and headers are too large']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  const text = JSON.stringify(body(code, message));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  socket.destroy(err);
}
