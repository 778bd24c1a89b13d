import { z } from 'zod';
import { WELL_FORMED, visibleLengthWithin, visibleName } from './api.js';
import type { ErrorCode } from './error-codes.js';

/** Chat: HTTP bodies, channel action data and the events broadcast on room and user streams. */

export const MAX_MESSAGE_LENGTH = 4000;

/** PostgreSQL cannot store U+0000 in text; no one types it, so no database is asked to. */
const NO_NUL: [(s: string) => boolean, string] = [
  (s) => !s.includes('\u0000'),
  'must not contain the NUL character (U+0000)',
];

/**
 * Control characters other than tab and line breaks: no keyboard types them, and a bell, an
 * escape sequence or a C1 control in stored text reaches terminals, logs and notifications.
 * Direction marks and overrides stay allowed in a message: right-to-left writers use them, and the
 * web app shows each body in its own paragraph, where an override cannot reach text outside it
 * (names, which sit inline among other text, refuse them: see `visibleName`).
 */
const NO_CONTROLS: [(s: string) => boolean, string] = [
  // eslint-disable-next-line no-control-regex -- these are the characters refused
  (s) => !/[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(s),
  'must not contain control characters (only tab and line breaks)',
];

/** A message body: 1 to 4,000 characters after trimming, not only whitespace. */
export const MessageBody = z
  .string()
  .max(MAX_MESSAGE_LENGTH * 4)
  .transform((s) => s.normalize('NFC').trim())
  .refine((s) => s.length > 0, 'must not be empty')
  .refine(...NO_NUL)
  .refine(...NO_CONTROLS)
  .refine(...WELL_FORMED)
  .refine(
    (s) => visibleLengthWithin(s, 0, MAX_MESSAGE_LENGTH),
    `must be at most ${String(MAX_MESSAGE_LENGTH)} characters`,
  );

/** A client-made id that makes a retried send safe (same id, same sender, same room: one message). */
export const ClientId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 letters, digits or _.:-');

export const Id = z.string().min(1).max(64);

export const SpeakData = z.object({
  body: MessageBody,
  client_id: ClientId,
  reply_to: Id.nullish(),
});
export type SpeakData = z.infer<typeof SpeakData>;

export const ReadData = z.object({ seq: z.number().int().min(0) });
export const EditData = z.object({ message_id: Id, body: MessageBody });
export const DeleteData = z.object({ message_id: Id });

export const PostMessageBody = z.strictObject({
  body: MessageBody,
  client_id: ClientId,
  reply_to: Id.nullish(),
});
export const EditMessageBody = z.strictObject({ body: MessageBody });
export const ReadBody = z.strictObject({ seq: z.number().int().min(0) });

/** A member reference: a user id, or a phone number (who may not have signed in yet). */
export const MemberRef = z.string().min(1).max(64);

/** A group's name: validated like a person's (no controls, overrides or mark floods), 1–100. */
export const RoomName = visibleName(100);

export const CreateRoomBody = z.strictObject({
  name: RoomName,
  members: z.array(MemberRef).max(500).default([]),
});
export const RenameRoomBody = CreateRoomBody.pick({ name: true }).strict();
export const AddMembersBody = z.strictObject({ members: z.array(MemberRef).min(1).max(500) });
export const CreateDmBody = z.union([
  z.strictObject({ phone: z.string().min(1).max(64) }),
  z.strictObject({ user_id: Id }),
]);

/** Declining a request or invitation; `block` also blocks whoever sent it (one step). */
export const DeclineBody = z.strictObject({ block: z.boolean().default(false) });
export const BlockBody = z.strictObject({ user_id: Id });

/** The conversation list, newest activity first, a page at a time. */
export const RoomsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});

/** People one shares a room with, optionally filtered by name or number. */
export const ContactsQuery = z.strictObject({
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const HistoryQuery = z
  .strictObject({
    before: z.coerce.number().int().min(1).optional(),
    after: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => q.before === undefined || q.after === undefined, 'use before or after, not both');

// ---------------------------------------------------------------- views

export interface UserRef {
  id: string;
  name: string | null;
}

/**
 * A group event in the timeline; its message's sender is who did it. People added or removed
 * are named as the room showed them then (a name is null while its person has not accepted the
 * group: an invitation).
 */
export type GroupEventView =
  | { type: 'created'; name: string }
  | { type: 'renamed'; name: string }
  | { type: 'added'; users: UserRef[] }
  | { type: 'removed'; user: UserRef }
  /** The sender accepted an invitation. */
  | { type: 'joined' }
  | { type: 'left' };

export interface MessageView {
  id: string;
  room_id: string;
  seq: number;
  /** `text`: something a person wrote; `event`: a group event (then `body` is null). */
  kind: 'text' | 'event';
  event: GroupEventView | null;
  sender: UserRef;
  /** Null once deleted, and for events. */
  body: string | null;
  client_id: string;
  /** ISO 8601. */
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  reply_to: string | null;
}

export type MemberRole = 'owner' | 'admin' | 'member';

/**
 * A member as others see them. Until a member has accepted the room (`pending`: a request or
 * invitation they have not answered), their name, presence and number are not shown to the
 * others (the person who added them knows the number they typed).
 */
export interface MemberView {
  id: string;
  name: string | null;
  /** Empty while hidden (see above). */
  phone: string;
  status: 'active' | 'pending';
  role: MemberRole;
  joined_at: string;
  last_read_seq: number;
  online: boolean;
  last_seen_at: string | null;
}

/** The other person of a direct room, as the viewer may see them. */
export interface DirectPartner extends UserRef {
  phone: string;
  /** Presence shows only between two people who both accepted their conversation. */
  online: boolean;
  last_seen_at: string | null;
  status: 'active' | 'pending';
}

export interface RoomSummary {
  id: string;
  kind: 'direct' | 'group';
  /** One's own direct room (`POST /api/dms` with one's own number or id): notes to self. */
  note_to_self: boolean;
  /**
   * My place in it: `active`, or waiting for my answer: a message `request` (direct) or a group
   * `invitation`. I may read either; replying to a request accepts it.
   */
  status: 'active' | 'request' | 'invitation';
  /** Who sent the request or invitation; null once active. */
  invited_by: UserRef | null;
  /** Group name; for a direct room, the other person's name. */
  name: string | null;
  last_message: MessageView | null;
  last_seq: number;
  unread_count: number;
  last_read_seq: number;
  /** Direct rooms: the other person. */
  other: DirectPartner | null;
  last_activity_at: string;
  role: MemberRole;
}

export interface RoomDetail extends RoomSummary {
  members: MemberView[];
}

export interface RoomsPage {
  rooms: RoomSummary[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}

export interface ContactView {
  id: string;
  name: string | null;
  phone: string;
}

export interface BlockedUserView extends ContactView {
  /** ISO 8601. */
  blocked_at: string;
}

// ---------------------------------------------------------------- events

/** On `room:<id>` streams. Durable ones are stored first, then broadcast. */
export type RoomEvent =
  | { type: 'message'; message: MessageView }
  | { type: 'message_edited'; message: MessageView }
  | { type: 'message_deleted'; message: MessageView }
  | { type: 'read'; room_id: string; user_id: string; seq: number }
  | { type: 'typing'; room_id: string; user: UserRef; expires_in_ms: number }
  | { type: 'member_added'; room_id: string; member: MemberView }
  | { type: 'member_removed'; room_id: string; user_id: string }
  /** A member changed how the others see them: they accepted, or their name changed. */
  | { type: 'member_updated'; room_id: string; member: MemberView }
  | { type: 'room_renamed'; room_id: string; name: string }
  /** Presence changes of the room's members, gathered over a short window. */
  | { type: 'presence'; room_id: string; users: PresenceChange[] };

export interface PresenceChange {
  user_id: string;
  online: boolean;
  /** ISO 8601; null while online or never seen. */
  last_seen_at: string | null;
}

/** On `user:<id>` streams: what concerns one person across rooms. */
export type UserEvent =
  /** A send repeated with a client_id already stored: the message stored the first time. */
  | { type: 'message_ack'; message: MessageView }
  /** A queued send that could not be stored. */
  | { type: 'message_failed'; room_id: string; client_id: string; code: ErrorCode; message: string }
  | { type: 'room_added'; room: RoomSummary }
  | { type: 'room_removed'; room_id: string }
  | { type: 'read'; room_id: string; user_id: string; seq: number }
  | { type: 'room_renamed'; room_id: string; name: string };
