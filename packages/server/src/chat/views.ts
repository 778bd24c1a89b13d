import type { GroupEventView, MessageView } from '@salon/protocol';
import type { MessagesTable } from '../db/schema.js';

/** Row → wire view mappers. Times leave the server as ISO 8601 strings. */

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function messageView(row: MessagesTable, senderName: string | null): MessageView {
  return {
    id: row.id,
    room_id: row.room_id,
    seq: row.seq,
    kind: row.kind,
    event: row.event === null ? null : (JSON.parse(row.event) as GroupEventView),
    sender: { id: row.sender_id, name: senderName },
    body: row.deleted_at === null ? row.body : null,
    client_id: row.client_id,
    created_at: iso(row.created_at),
    edited_at: isoOrNull(row.edited_at),
    deleted_at: isoOrNull(row.deleted_at),
    reply_to: row.reply_to,
  };
}
