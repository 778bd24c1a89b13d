import {
  AddMembersBody,
  BlockBody,
  ContactsQuery,
  CreateDmBody,
  CreateRoomBody,
  DeclineBody,
  EditMessageBody,
  HistoryQuery,
  PostMessageBody,
  ReadBody,
  RenameRoomBody,
  RoomsQuery,
} from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireAuth } from '../auth/request-auth.js';
import type { SessionService } from '../auth/session-service.js';
import { validate } from '../http/validate.js';
import type { ActionLimits } from '../limits/action-limits.js';
import type { BlockService } from './block.service.js';
import type { MessageService } from './message.service.js';
import type { ReadReceiptService } from './read-receipts.service.js';
import type { RoomQueries } from './room.queries.js';
import type { RoomService } from './room.service.js';

export interface ChatRoutesDeps {
  sessions: SessionService;
  rooms: RoomService;
  queries: RoomQueries;
  messages: MessageService;
  receipts: ReadReceiptService;
  blocks: BlockService;
  limits: ActionLimits;
}

const RoomParams = z.object({ id: z.string().min(1).max(64) });
const MemberParams = RoomParams.extend({ user_id: z.string().min(1).max(64) });
const MessageParams = RoomParams.extend({ message_id: z.string().min(1).max(64) });
const UserParams = z.object({ user_id: z.string().min(1).max(64) });

/** Rooms, members and messages over HTTP (README "HTTP API"). Every route needs a session. */
export function chatRoutes(app: FastifyInstance, deps: ChatRoutesDeps): void {
  const { rooms, queries, messages, receipts, blocks, limits } = deps;

  app.register((scope, _opts, done) => {
    scope.addHook('preHandler', requireAuth(deps.sessions));
    const me = (req: { auth: { user: { id: string } } }) => req.auth.user.id;

    scope.get('/api/rooms', async (req) => {
      const q = validate(RoomsQuery, req.query ?? {});
      return queries.page(me(req), q);
    });

    scope.post('/api/rooms', async (req, reply) => {
      const body = validate(CreateRoomBody, req.body);
      await limits.charge(me(req), 'group');
      await limits.charge(me(req), 'member_add', body.members.length);
      return reply
        .status(201)
        .send({ room: await rooms.createGroup(me(req), body.name, body.members) });
    });

    scope.post('/api/dms', async (req, reply) => {
      const body = validate(CreateDmBody, req.body);
      await limits.charge(me(req), 'dm');
      const ref = 'phone' in body ? body.phone : body.user_id;
      const { room, created } = await rooms.openDirect(me(req), ref);
      return reply.status(created ? 201 : 200).send({ room });
    });

    scope.get('/api/rooms/:id', async (req) => {
      const { id } = validate(RoomParams, req.params);
      return { room: await queries.detail(me(req), id) };
    });

    scope.patch('/api/rooms/:id', async (req) => {
      const { id } = validate(RoomParams, req.params);
      const body = validate(RenameRoomBody, req.body);
      return { room: await rooms.rename(me(req), id, body.name) };
    });

    scope.get('/api/rooms/:id/members', async (req) => {
      const { id } = validate(RoomParams, req.params);
      await rooms.membership(id, me(req));
      return { members: await queries.members(id, me(req)) };
    });

    scope.post('/api/rooms/:id/accept', async (req) => {
      const { id } = validate(RoomParams, req.params);
      return { room: await rooms.accept(me(req), id) };
    });

    scope.post('/api/rooms/:id/decline', async (req, reply) => {
      const { id } = validate(RoomParams, req.params);
      const body = validate(DeclineBody, req.body ?? {});
      const sender = await rooms.decline(me(req), id);
      if (body.block && sender !== null) await blocks.block(me(req), sender);
      return reply.status(204).send();
    });

    scope.post('/api/rooms/:id/members', async (req) => {
      const { id } = validate(RoomParams, req.params);
      const body = validate(AddMembersBody, req.body);
      await limits.charge(me(req), 'member_add', body.members.length);
      return { room: await rooms.addMembers(me(req), id, body.members) };
    });

    scope.delete('/api/rooms/:id/members/:user_id', async (req, reply) => {
      const { id, user_id } = validate(MemberParams, req.params);
      await rooms.removeMember(me(req), id, user_id === 'me' ? me(req) : user_id);
      return reply.status(204).send();
    });

    scope.get('/api/rooms/:id/messages', async (req) => {
      const { id } = validate(RoomParams, req.params);
      const q = validate(HistoryQuery, req.query ?? {});
      return { messages: await messages.history(me(req), id, q) };
    });

    scope.post('/api/rooms/:id/messages', async (req, reply) => {
      const { id } = validate(RoomParams, req.params);
      const body = validate(PostMessageBody, req.body);
      await limits.charge(me(req), 'http_send');
      const result = await messages.send({
        roomId: id,
        senderId: me(req),
        clientId: body.client_id,
        body: body.body,
        replyTo: body.reply_to ?? null,
      });
      return reply.status(result.duplicate ? 200 : 201).send({ message: result.message });
    });

    scope.patch('/api/rooms/:id/messages/:message_id', async (req) => {
      const { id, message_id } = validate(MessageParams, req.params);
      const body = validate(EditMessageBody, req.body);
      return { message: await messages.edit(me(req), id, message_id, body.body) };
    });

    scope.delete('/api/rooms/:id/messages/:message_id', async (req) => {
      const { id, message_id } = validate(MessageParams, req.params);
      return { message: await messages.delete(me(req), id, message_id) };
    });

    scope.post('/api/rooms/:id/read', async (req) => {
      const { id } = validate(RoomParams, req.params);
      const body = validate(ReadBody, req.body);
      return { last_read_seq: await receipts.markRead(me(req), id, body.seq) };
    });

    scope.get('/api/contacts', async (req) => {
      const q = validate(ContactsQuery, req.query ?? {});
      return { contacts: await queries.contacts(me(req), q.q, q.limit) };
    });

    scope.get('/api/blocks', async (req) => ({ blocked: await blocks.blocked(me(req)) }));

    scope.post('/api/blocks', async (req, reply) => {
      const body = validate(BlockBody, req.body);
      await blocks.block(me(req), body.user_id);
      return reply.status(204).send();
    });

    scope.delete('/api/blocks/:user_id', async (req, reply) => {
      const { user_id } = validate(UserParams, req.params);
      await blocks.unblock(me(req), user_id);
      return reply.status(204).send();
    });

    done();
  });
}
