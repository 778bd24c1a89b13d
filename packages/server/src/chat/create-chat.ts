import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SessionService } from '../auth/session-service.js';
import type { CableServer } from '../cable/cable-server.js';
import { RoomChannel } from '../channels/room-channel.js';
import { UserChannel } from '../channels/user-channel.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { chatRoutes } from './chat.routes.js';
import { MembershipRepository } from './membership.repository.js';
import { MessageJob } from './message-job.js';
import { MessageService } from './message.service.js';
import type { MessageStore } from './message.store.js';
import { PresenceService } from './presence.service.js';
import { ReadReceiptService } from './read-receipts.service.js';
import { roomChat } from './room-chat.js';
import { RoomQueries } from './room.queries.js';
import { RoomService } from './room.service.js';
import { TypingService } from './typing.service.js';
import { UserRepository } from './user.repository.js';

/** Builds the chat domain, registers its channels on the cable and its routes on HTTP. */
export function createChat(deps: {
  db: Db;
  jobs: JobQueue;
  cable: CableServer;
  sessions: SessionService;
  http: FastifyInstance;
  log: Logger;
  messageStore: MessageStore;
}) {
  const { db, cable } = deps;
  const publish = (stream: string, message: object, options?: { durable?: boolean }) =>
    cable.broadcast(stream, message, options);
  const users = new UserRepository(db);
  const memberships = new MembershipRepository(db);
  const presence = new PresenceService(
    cable.registry,
    db,
    publish,
    deps.log.child({ part: 'presence' }),
  );
  const queries = new RoomQueries(db, (userId) => presence.isOnline(userId));
  const rooms = new RoomService(db, users, queries, {
    publish,
    endSubscriptions: (userId, match) => cable.endSubscriptions(userId, match),
  });
  const messageJob = new MessageJob(
    deps.messageStore,
    publish,
    deps.log.child({ part: 'messages' }),
  );
  const messages = new MessageService(db, deps.jobs, messageJob, rooms, publish);
  const receipts = new ReadReceiptService(db, rooms, publish);
  const typing = new TypingService(users, publish);

  const port = roomChat({ memberships, messages, receipts, typing });
  cable.channels.set(
    RoomChannel.channelName,
    (host, id, params) => new RoomChannel(host, id, params, port),
  );
  cable.channels.set(
    UserChannel.channelName,
    (host, id, params) => new UserChannel(host, id, params),
  );
  chatRoutes(deps.http, { sessions: deps.sessions, rooms, queries, messages, receipts });
  return { users, rooms, queries, messages, receipts, typing, presence };
}
