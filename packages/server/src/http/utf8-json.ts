import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/** The refusal of a request body whose bytes are not UTF-8. */
export const notUtf8 = (): AppError =>
  new AppError('INVALID_JSON', 400, 'The body is not valid UTF-8 text.');

/**
 * Reads JSON bodies as Fastify does (a `__proto__` or `constructor.prototype` key is refused), but
 * only once their bytes are checked to be UTF-8, as JSON must be (RFC 8259). Decoding them as they
 * come would turn each bad byte into U+FFFD, and store that in a name or a message without a word.
 */
export function installUtf8JsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request, body: Buffer, done) => {
      if (!isUtf8(body)) {
        done(notUtf8(), undefined);
        return;
      }
      void parseJson(request, body.toString('utf8'), done);
    },
  );
}
