import { z } from 'zod';
import { WELL_FORMED, visibleLengthWithin, visibleName } from './api.js';

/** Chat: validators of HTTP bodies and channel action data (what the server shows: chat-views.ts). */

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

/**
 * A server-made id (message, user): printable ASCII only. PostgreSQL refuses a NUL in text with
 * an error of its own, so a NUL must be refused here, as bad input, before any query sees it.
 */
export const Id = z
  .string()
  .regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 printable characters without spaces');

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
