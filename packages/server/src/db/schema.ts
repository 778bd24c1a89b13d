import type { Generated, Selectable } from 'kysely';

/**
 * Table types. Times are integer milliseconds since the Unix epoch (the same on SQLite and
 * PostgreSQL `bigint`); ids are random UUID strings so that any node can make them.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  otp_codes: OtpCodesTable;
  rooms: RoomsTable;
  memberships: MembershipsTable;
  messages: MessagesTable;
  blocks: BlocksTable;
}

export interface UsersTable {
  id: string;
  /** E.164, unique. */
  phone: string;
  name: string | null;
  created_at: number;
  /** When their last connection closed; null while never seen. */
  last_seen_at: number | null;
  /** Who may add them to groups directly; others' additions arrive as invitations. */
  group_adds: Generated<GroupAdds>;
  /** When the number last completed a sign-in; null for numbers only ever added by others. */
  signed_in_at: number | null;
}

export type GroupAdds = 'everyone' | 'contacts';

export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the bearer token, hex. The token itself is never stored. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  user_agent: string | null;
}

export interface OtpCodesTable {
  /** E.164: one live code per number; a new code replaces the old one. */
  phone: string;
  /** HMAC-SHA-256(secret, phone:code), hex. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts: Generated<number>;
}

export type RoomKind = 'direct' | 'group';
export type MemberRole = 'owner' | 'admin' | 'member';
/**
 * `pending`: added by someone the person has not accepted (a message request, a group
 * invitation): they may read, others do not see their profile. `declined`: they said no; to them
 * the room is gone, to the others they look pending still, so a sender learns nothing.
 */
export type MemberState = 'active' | 'pending' | 'declined';

export interface RoomsTable {
  id: string;
  kind: RoomKind;
  name: string | null;
  /** Direct rooms only: the two user ids sorted and joined by ':', unique. */
  direct_key: string | null;
  created_by: string;
  created_at: number;
  /** Highest message seq assigned in the room. */
  last_seq: Generated<number>;
  last_activity_at: number;
}

export interface MembershipsTable {
  room_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: number;
  last_read_seq: Generated<number>;
  state: Generated<MemberState>;
  /** When they first accepted the room; their profile shows to its members from then on. */
  accepted_at: number | null;
  invited_by: string | null;
}

export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: number;
}

export interface MessagesTable {
  id: string;
  room_id: string;
  /** 1, 2, 3… per room, no gaps. */
  seq: number;
  sender_id: string;
  client_id: string;
  /** Null once deleted. */
  body: string | null;
  reply_to: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** `text`, or `event`: a group event in the timeline (then `body` is null). */
  kind: MessageKind;
  /** The group event as JSON (GroupEventView), for kind `event`; else null. */
  event: string | null;
}

export type MessageKind = 'text' | 'event';

/** Rows as read (generated columns filled in). */
export type User = Selectable<UsersTable>;
export type Membership = Selectable<MembershipsTable>;
