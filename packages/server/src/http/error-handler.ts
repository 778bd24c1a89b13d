import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionLost } from '../db/postgres-errors.js';
import { isSqliteStorageFault } from '../db/sqlite-errors.js';
import { AppError } from '../errors.js';

/**
 * Turns every failure into `{"error": {"code", "message"}}`. Fastify's own errors (bad JSON, body
 * too large, wrong content type) get Salon codes so clients see one vocabulary.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    const appError = err instanceof AppError ? err : fromFastifyError(err);
    if (appError.statusCode >= 500) {
      request.log.error({ err }, 'request failed');
    }
    if (appError.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(appError.retryAfterSeconds))));
    }
    return reply.status(appError.statusCode).send(appError.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const err = new AppError(
      'NOT_FOUND',
      404,
      `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    );
    return reply.status(404).send(err.toBody());
  });
}

function fromFastifyError(err: FastifyError): AppError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('BODY_TOO_LARGE', 413, 'The request body is too large.', { cause: err });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, 'Send the body as application/json.', {
        cause: err,
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('BAD_REQUEST', 400, 'The body does not match its Content-Length.', {
        cause: err,
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('BAD_REQUEST', 400, 'A JSON object body is required.', { cause: err });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('INVALID_JSON', 400, 'The body is not valid JSON.', { cause: err });
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return new AppError('INVALID_JSON', 400, 'The body is not valid JSON.', { cause: err });
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new AppError('BAD_REQUEST', err.statusCode, err.message, { cause: err });
  }
  if (isConnectionLost(err)) {
    // The database is gone for now (a restart, a network cut): nothing was half-done (each change
    // is one transaction), so the client may simply try again.
    return new AppError(
      'STORE_UNAVAILABLE',
      503,
      'The database cannot be reached right now. Try again in a moment.',
      { cause: err, retryAfterSeconds: 1 },
    );
  }
  if (isSqliteStorageFault(err)) {
    // SQLite could not write (disk full, I/O error): the transaction was rolled back, and the
    // same request may succeed once space is freed.
    return new AppError(
      'STORE_UNAVAILABLE',
      503,
      'The server cannot write to its storage right now. Try again in a moment.',
      { cause: err, retryAfterSeconds: 1 },
    );
  }
  return new AppError('INTERNAL', 500, 'Something went wrong on the server.', { cause: err });
}

/**
 * Errors Fastify raises before any route runs (a URL that does not decode, a constraint that
 * failed), in Salon's shape.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const appError =
    error.code === 'FST_ERR_BAD_URL'
      ? new AppError('BAD_REQUEST', 400, 'The URL is malformed.', { cause: error })
      : fromFastifyError(error);
  void reply.status(appError.statusCode).send(appError.toBody());
}
