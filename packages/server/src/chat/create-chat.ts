import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SessionService } from '../auth/session-service.js';
import type { Publisher } from '../broker/broker.js';
import type { CableServer } from '../cable/cable-server.js';
import type { PresenceTracker } from '../cluster/seams.js';
import { InboxChannel } from '../channels/inbox-channel.js';
import { RoomChannel } from '../channels/room-channel.js';
import { UserChannel } from '../channels/user-channel.js';
import type { Db } from '../db/database.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { ActionLimits } from '../limits/action-limits.js';
import type { SendRate } from '../limits/send-rate.js';
import { BlockService } from './block.service.js';
import { chatRoutes } from './chat.routes.js';
import { Consent } from './consent.js';
import { TimelineEvents } from './timeline-events.js';
import { MembershipRepository } from './membership.repository.js';
import { MessageJob, type AfterStore } from './message-job.js';
import { MessageService } from './message.service.js';
import type { MessageStore } from './message.store.js';
import { PresenceService } from './presence.service.js';
import type { RoomOrderLock } from './room-order-lock.js';
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
  /** Where broadcasts and control commands go (the broker). */
  publisher: Publisher;
  sessions: SessionService;
  http: FastifyInstance;
  log: Logger;
  messageStore: MessageStore;
  /** In a cluster: keeps each room's broadcasts in seq order across nodes. */
  roomOrder: RoomOrderLock | undefined;
  limits: ActionLimits;
  /** Messages per person over the cable. */
  sendRate: SendRate;
  /** Connection counts and announced presence (this node's, or the cluster's). */
  presence: PresenceTracker;
  /** SALON_MESSAGE_COMMIT_INTERVAL_MS. */
  messageCommitIntervalMs: number;
  /** Whether the message job stores a batch while announcing the one before (MessageJob). */
  overlapStoreAndAnnounce: boolean;
}) {
  const { db, cable, publisher } = deps;
  const users = new UserRepository(db);
  const memberships = new MembershipRepository(db);
  const presence = new PresenceService(
    cable.registry,
    deps.presence,
    db,
    publisher,
    deps.log.child({ part: 'presence' }),
  );
  const queries = new RoomQueries(db, (userId) => presence.isOnline(userId));
  // Replying to a request or invitation accepted it: the others now see who replied. (The
  // step needs the room service, which records its group events through this job.)
  const acceptedByReply: AfterStore = (req, result) =>
    result.joined ? rooms.announceAccepted(req.roomId, req.senderId) : undefined;
  const messageJob: MessageJob = new MessageJob(
    deps.messageStore,
    publisher,
    deps.log.child({ part: 'messages' }),
    {
      steps: [acceptedByReply],
      commitIntervalMs: deps.messageCommitIntervalMs,
      orderLock: deps.roomOrder,
      overlap: deps.overlapStoreAndAnnounce,
    },
  );
  const rooms: RoomService = new RoomService({
    db,
    users,
    queries,
    consent: new Consent(db),
    notify: publisher,
    timeline: new TimelineEvents(deps.jobs, messageJob),
  });
  const blocks = new BlockService(db, users, rooms);
  const messages = new MessageService(db, deps.jobs, messageJob, rooms, publisher);
  const receipts = new ReadReceiptService(db, rooms, publisher);
  const typing = new TypingService(users, publisher);

  const port = roomChat({ memberships, messages, receipts, typing, sendRate: deps.sendRate });
  cable.channels.set(RoomChannel.channelName, RoomChannel.definition(port));
  cable.channels.set(InboxChannel.channelName, InboxChannel.definition(port));
  cable.channels.set(UserChannel.channelName, UserChannel.definition);
  chatRoutes(deps.http, {
    sessions: deps.sessions,
    rooms,
    queries,
    messages,
    receipts,
    blocks,
    limits: deps.limits,
  });
  return { users, rooms, queries, messages, receipts, typing, presence, blocks };
}
