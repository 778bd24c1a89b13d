import type { ErrorCode } from './error-codes.js';

/** Chat as the server shows it: rooms, members, messages, and the events broadcast on room and user
 * streams. Types only (no validator), so that clients can import them without zod. */

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
