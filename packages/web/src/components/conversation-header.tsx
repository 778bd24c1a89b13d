import { useId } from 'react';
import { formatLastSeen } from '../lib/format-time.js';
import { roomTitle } from '../lib/room-title.js';
import type { MemberView, RoomSummary } from '../sdk.js';
import { AppLink } from './app-link.js';

interface Props {
  room: RoomSummary;
  members: readonly MemberView[];
  onOpenSettings: () => void;
}

export function ConversationHeader({ room, members, onOpenSettings }: Props) {
  const titleId = useId();
  const title = roomTitle(room);
  let subtitle: string;
  if (room.kind === 'direct') {
    subtitle = room.other?.online ? 'Online' : formatLastSeen(room.other?.last_seen_at ?? null);
  } else {
    const count = members.length;
    subtitle = count > 0 ? `${count} member${count === 1 ? '' : 's'}` : 'Group';
  }
  return (
    <header className="conversation-header">
      <AppLink href="/" className="back" aria-label="Back to conversations">
        <span aria-hidden="true">‹</span>
      </AppLink>
      <div className="conversation-title">
        <h2 id={titleId}>{title}</h2>
        <p
          className="muted"
          data-online={room.kind === 'direct' ? String(room.other?.online ?? false) : undefined}
        >
          {subtitle}
        </p>
      </div>
      <button type="button" onClick={onOpenSettings} aria-describedby={titleId}>
        {room.kind === 'group' ? 'Group settings' : 'Details'}
      </button>
    </header>
  );
}
