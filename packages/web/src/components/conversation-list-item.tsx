import { useId } from 'react';
import { roomPath } from '../hooks/use-route.js';
import { formatListTime } from '../lib/format-time.js';
import { initials, roomTitle } from '../lib/room-title.js';
import type { RoomSummary, UserView } from '../sdk.js';
import { AppLink } from './app-link.js';

interface Props {
  room: RoomSummary;
  me: UserView;
  selected: boolean;
}

/** One conversation: avatar, title, presence (DMs), last message, time, unread count. */
export function ConversationListItem({ room, me, selected }: Props) {
  const title = roomTitle(room);
  const detailsId = useId();
  const href = roomPath(room.id);
  const online = room.kind === 'direct' && room.other?.online === true;
  const unread = room.unread_count;

  return (
    <li aria-label={title} className={unread > 0 ? 'room unread' : 'room'}>
      <AppLink
        href={href}
        aria-current={selected ? 'page' : undefined}
        aria-describedby={detailsId}
      >
        <span className="avatar" aria-hidden="true" data-kind={room.kind}>
          {initials(title)}
          {room.kind === 'direct' && <span className={online ? 'presence online' : 'presence'} />}
        </span>
        <span className="room-main">
          <span className="room-title">{title}</span>
          <span className="room-preview" id={detailsId}>
            {room.kind === 'direct' && <span className="sr-only">{online ? 'Online. ' : ''}</span>}
            {preview(room, me)}
            {unread > 0 && <span className="sr-only">. {unread} unread</span>}
          </span>
        </span>
        <span className="room-meta">
          <time dateTime={room.last_activity_at}>{formatListTime(room.last_activity_at)}</time>
          {unread > 0 && (
            <span className="badge" aria-hidden="true">
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </span>
      </AppLink>
    </li>
  );
}

function preview(room: RoomSummary, me: UserView): string {
  const message = room.last_message;
  if (!message) return room.kind === 'group' ? 'Group created' : 'No messages yet';
  const body = message.body ?? 'Message deleted';
  if (message.sender.id === me.id) return `You: ${body}`;
  if (room.kind === 'group') return `${message.sender.name ?? 'Someone'}: ${body}`;
  return body;
}
