import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { requireAuth } from '../auth/request-auth.js';
import type { SessionService } from '../auth/session-service.js';
import { notUtf8 } from '../http/utf8-json.js';
import type { CableServer } from './cable-server.js';
import type { CableTickets } from './tickets.js';

export const POLL_PATH = '/cable/poll';
export const POLL_SEND_PATH = '/cable/poll/send';
export const POLL_ID_HEADER = 'x-salon-poll-id';
export const POLL_CURSOR_HEADER = 'x-salon-poll-cursor';

/**
 * HTTP side of the cable: connect tickets, and long polling (docs/protocol.md, "Long polling").
 * A poll is `POST /cable/poll` whose body holds the client's commands, one JSON frame per line;
 * the answer holds the server's frames the same way. `POST /cable/poll/send` delivers commands
 * at once without disturbing the poll being held (answer 204).
 */
export function cableRoutes(
  app: FastifyInstance,
  deps: { cable: CableServer; sessions: SessionService; tickets: CableTickets },
): void {
  const { cable, tickets } = deps;

  app.post('/api/cable/tickets', { preHandler: requireAuth(deps.sessions) }, (request) => ({
    ticket: tickets.issue(request.auth.session.id, request.auth.user.id),
  }));

  app.register((scope, _opts, done) => {
    // Poll bodies are JSON lines, not one JSON document.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body: Buffer, next) => {
      // As on a WebSocket (close 1007): frames that are not UTF-8 are refused, not patched up.
      if (isUtf8(body)) next(null, body.toString('utf8'));
      else next(notUtf8(), undefined);
    });

    scope.post(POLL_SEND_PATH, (request, reply) => {
      const pollId = headerValue(request.headers[POLL_ID_HEADER]);
      if (pollId !== undefined && cable.pollSend(pollId, commandLines(request.body))) {
        return reply.status(204).send();
      }
      const frame = { type: 'disconnect', reason: 'session_expired', reconnect: true };
      return reply
        .status(410)
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .send(`${JSON.stringify(frame)}\n`);
    });

    scope.post(POLL_PATH, async (request, reply) => {
      const commands = commandLines(request.body);
      void reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('cache-control', 'no-store');

      let pollId = headerValue(request.headers[POLL_ID_HEADER]);
      if (pollId === undefined) {
        const url = new URL(request.url, 'http://localhost');
        const opened = await cable.openPoll(
          url,
          request.headers,
          {
            scheme: request.protocol === 'https' ? 'https' : 'http',
            host: request.headers.host,
          },
          request.ip,
        );
        if (!opened.ok) {
          const frame = {
            type: 'disconnect',
            reason: opened.reason,
            reconnect: opened.reason !== 'unauthorized' && opened.reason !== 'token_expired',
          };
          return reply
            .status(opened.reason === 'server_restart' ? 503 : 401)
            .send(`${JSON.stringify(frame)}\n`);
        }
        pollId = opened.pollId;
      }
      const ack = Number(headerValue(request.headers[POLL_CURSOR_HEADER]) ?? '0');
      const result = await cable.poll(
        pollId,
        Number.isSafeInteger(ack) && ack >= 0 ? ack : 0,
        commands,
      );
      if (!result) {
        const frame = { type: 'disconnect', reason: 'session_expired', reconnect: true };
        return reply.status(410).send(`${JSON.stringify(frame)}\n`);
      }
      void reply.header(POLL_ID_HEADER, pollId).header(POLL_CURSOR_HEADER, String(result.cursor));
      return reply.status(200).send(result.frames.map((f) => `${f}\n`).join(''));
    });
    done();
  });
}

function commandLines(body: unknown): string[] {
  return (typeof body === 'string' ? body : '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function headerValue(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
