import { useId } from 'react';
import { roomPath } from '../hooks/use-route.js';
import { eventText } from '../lib/event-text.js';
import { formatListTime, presenceText } from '../lib/format-time.js';
import { initials, roomTitle } from '../lib/room-title.js';
import type { RoomSummary, UserView } from '../sdk.js';
import { AppLink } from './app-link.js';

interface Props {
  room: RoomSummary;
  me: UserView;
  now: Date;
  selected: boolean;
}

/**
 * One conversation: avatar, title, presence (DMs), last message, time, unread count. The link is
 * named by the title alone (what it shows); the rest describes it.
 */
export function ConversationListItem({ room, me, now, selected }: Props) {
  const title = roomTitle(room);
  const detailsId = useId();
  const href = roomPath(room.id);
  const online = room.kind === 'direct' && room.other?.online === true;
  const unread = room.unread_count;
  const kindNote = requestNote(room);

  return (
    <li aria-label={title} className={unread > 0 ? 'room unread' : 'room'}>
      <span className="avatar" aria-hidden="true" data-kind={room.kind}>
        {initials(title)}
        {room.kind === 'direct' && !room.note_to_self && (
          <span className={online ? 'presence online' : 'presence'} />
        )}
      </span>
      <span className="room-main">
        {/* The link holds the title only (its name is what it shows); it covers the whole row. */}
        <AppLink
          href={href}
          className="room-title"
          aria-current={selected ? 'page' : undefined}
          aria-describedby={detailsId}
        >
          {title}
        </AppLink>
        <span className="room-preview" aria-hidden="true">
          {kindNote ? <span className="request-tag">{kindNote}</span> : preview(room, me)}
        </span>
      </span>
      <span className="room-meta" aria-hidden="true">
        <time dateTime={room.last_activity_at}>{formatListTime(room.last_activity_at, now)}</time>
        {unread > 0 && <span className="badge">{unread > 99 ? '99+' : unread}</span>}
      </span>
      {/* What a screen reader hears after the name; laid out nowhere, so it cannot widen the row. */}
      <span className="sr-only" id={detailsId}>
        {kindNote ? `${kindNote}. ` : ''}
        {unread > 0 ? `${unread} unread. ` : ''}
        {room.kind === 'direct' && room.status === 'active' && !room.note_to_self
          ? `${presenceText(room.other, now)}. `
          : ''}
        {preview(room, me)}
      </span>
    </li>
  );
}

/** What a request or invitation is, said instead of the preview until it is answered. */
function requestNote(room: RoomSummary): string | null {
  if (room.status === 'request') return 'Message request';
  if (room.status === 'invitation') {
    return room.invited_by?.name ? `${room.invited_by.name} invited you` : 'Group invitation';
  }
  return null;
}

function preview(room: RoomSummary, me: UserView): string {
  const message = room.last_message;
  if (!message) return room.kind === 'group' ? 'Group created' : 'No messages yet';
  const event = eventText(message, me.id);
  if (event !== null) return event;
  const body = message.body ?? 'Message deleted';
  if (message.sender.id === me.id) return `You: ${body}`;
  if (room.kind === 'group') return `${message.sender.name ?? 'Someone'}: ${body}`;
  return body;
}
