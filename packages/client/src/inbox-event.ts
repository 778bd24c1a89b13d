import type { ChannelErrorPayload, RoomEvent, UserEvent } from '@salon/protocol/wire';
import { ERROR_CODES } from '@salon/protocol/wire';
import * as z from 'zod/mini';

/**
 * What arrives on the inbox: room events of every room, the user's own events, action errors.
 * The client checks each one against these schemas before it touches any state: a frame of the
 * wrong shape (a bug, a proxy, a version skew) is dropped instead of corrupting the conversation
 * list or throwing inside the connection's handlers. zod/mini keeps this small in a browser
 * bundle; the server's own, stricter validators stay in @salon/protocol's root entry.
 */
export type InboxEvent = RoomEvent | UserEvent | ChannelErrorPayload;

const id = z.string();
const isoTime = z.string();
const seq = z.number().check(z.int(), z.nonnegative());
const errorCode = z.enum(ERROR_CODES);

const UserRef = z.object({ id, name: z.nullable(z.string()) });

const GroupEventView = z.discriminatedUnion('type', [
  z.object({ type: z.literal('created'), name: z.string() }),
  z.object({ type: z.literal('renamed'), name: z.string() }),
  z.object({ type: z.literal('added'), users: z.array(UserRef) }),
  z.object({ type: z.literal('removed'), user: UserRef }),
  z.object({ type: z.literal('joined') }),
  z.object({ type: z.literal('left') }),
]);

const MessageView = z.object({
  id,
  room_id: id,
  seq,
  kind: z.enum(['text', 'event']),
  event: z.nullable(GroupEventView),
  sender: UserRef,
  body: z.nullable(z.string()),
  client_id: z.string(),
  created_at: isoTime,
  edited_at: z.nullable(isoTime),
  deleted_at: z.nullable(isoTime),
  reply_to: z.nullable(id),
});

const memberRole = z.enum(['owner', 'admin', 'member']);
const acceptance = z.enum(['active', 'pending']);

const MemberView = z.object({
  id,
  name: z.nullable(z.string()),
  phone: z.string(),
  status: acceptance,
  role: memberRole,
  joined_at: isoTime,
  last_read_seq: seq,
  online: z.boolean(),
  last_seen_at: z.nullable(isoTime),
});

const RoomSummary = z.object({
  id,
  kind: z.enum(['direct', 'group']),
  note_to_self: z.boolean(),
  status: z.enum(['active', 'request', 'invitation']),
  invited_by: z.nullable(UserRef),
  name: z.nullable(z.string()),
  last_message: z.nullable(MessageView),
  last_seq: seq,
  unread_count: seq,
  last_read_seq: seq,
  other: z.nullable(
    z.object({
      id,
      name: z.nullable(z.string()),
      phone: z.string(),
      online: z.boolean(),
      last_seen_at: z.nullable(isoTime),
      status: acceptance,
    }),
  ),
  last_activity_at: isoTime,
  role: memberRole,
});

const PresenceChange = z.object({
  user_id: id,
  online: z.boolean(),
  last_seen_at: z.nullable(isoTime),
});

const read = z.object({ type: z.literal('read'), room_id: id, user_id: id, seq });
const roomRenamed = z.object({ type: z.literal('room_renamed'), room_id: id, name: z.string() });

const InboxEventSchema = z.discriminatedUnion('type', [
  // Room events
  z.object({ type: z.literal('message'), message: MessageView }),
  z.object({ type: z.literal('message_edited'), message: MessageView }),
  z.object({ type: z.literal('message_deleted'), message: MessageView }),
  read,
  z.object({
    type: z.literal('typing'),
    room_id: id,
    user: UserRef,
    expires_in_ms: z.number().check(z.nonnegative()),
  }),
  z.object({ type: z.literal('member_added'), room_id: id, member: MemberView }),
  z.object({ type: z.literal('member_removed'), room_id: id, user_id: id }),
  z.object({ type: z.literal('member_updated'), room_id: id, member: MemberView }),
  roomRenamed,
  z.object({ type: z.literal('presence'), room_id: id, users: z.array(PresenceChange) }),
  // User events (`read` and `room_renamed` are shared with rooms, above)
  z.object({ type: z.literal('message_ack'), message: MessageView }),
  z.object({
    type: z.literal('message_failed'),
    room_id: id,
    client_id: z.string(),
    code: errorCode,
    message: z.string(),
  }),
  z.object({ type: z.literal('room_added'), room: RoomSummary }),
  z.object({ type: z.literal('room_removed'), room_id: id }),
  // An action on a room failed
  z.object({
    type: z.literal('error'),
    code: errorCode,
    message: z.string(),
    action: z.optional(z.string()),
    client_id: z.optional(z.string()),
  }),
]);

/** Fails to compile when the schemas above and the protocol's types drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _schemasMatchTypes: Same<z.infer<typeof InboxEventSchema>, InboxEvent> = true;

/** The event, or undefined when `value` is not one of the inbox's events. */
export function parseInboxEvent(value: unknown): InboxEvent | undefined {
  const result = InboxEventSchema.safeParse(value);
  return result.success ? result.data : undefined;
}
