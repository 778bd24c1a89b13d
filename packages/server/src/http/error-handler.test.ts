import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, test } from 'vitest';
import { AppError } from '../errors.js';
import { installErrorHandler } from './error-handler.js';

/** The mapping from thrown errors to Salon's error bodies, through Fastify's inject (no socket). */

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server whose one route throws `err`. */
function throwing(err: unknown): FastifyInstance {
  app = Fastify();
  installErrorHandler(app);
  app.get('/boom', () => {
    throw err;
  });
  return app;
}

function fastifyError(code: string, statusCode: number): Error {
  return Object.assign(new Error(code), { code, statusCode });
}

describe('installErrorHandler', () => {
  test('an AppError keeps its code, status, details and Retry-After', async () => {
    const res = await throwing(
      new AppError('RATE_LIMITED', 429, 'Slow down.', {
        retryAfterSeconds: 2.2,
        details: [{ path: 'x', message: 'y' }],
      }),
    ).inject('/boom');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'Slow down.',
        details: [{ path: 'x', message: 'y' }],
      },
    });
  });

  test.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'BODY_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 400, 'BAD_REQUEST'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'BAD_REQUEST'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, 'INVALID_JSON'],
    ['FST_ERR_SOMETHING_ELSE', 408, 408, 'BAD_REQUEST'],
  ])('Fastify %s (%i) → %i %s', async (code, status, expectedStatus, expectedCode) => {
    const res = await throwing(fastifyError(code, status)).inject('/boom');
    expect(res.statusCode).toBe(expectedStatus);
    expect(res.json<{ error: { code: string } }>().error.code).toBe(expectedCode);
  });

  test('anything else is a 500 INTERNAL that does not leak the error', async () => {
    const res = await throwing(new Error('secret detail: db password')).inject('/boom');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL', message: 'Something went wrong on the server.' },
    });
    expect(res.body).not.toContain('secret');
  });

  test('an unknown route is a 404 NOT_FOUND naming the method and path, not the query', async () => {
    const res = await throwing(new Error('x')).inject('/nope?token=abc');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /nope.' },
    });
  });
});
