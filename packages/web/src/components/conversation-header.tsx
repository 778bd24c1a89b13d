import { ArrowLeft, Info, Settings } from 'lucide-react';
import { useId } from 'react';
import { useNow } from '../hooks/use-now.js';
import { presenceText } from '../lib/format-time.js';
import { roomTitle } from '../lib/room-title.js';
import type { MemberView, RoomSummary } from '../sdk.js';
import { AppLink } from './app-link.js';

interface Props {
  room: RoomSummary;
  members: readonly MemberView[];
  onOpenSettings: () => void;
}

/** Back (narrow screens), the title with presence or member count, and the settings button. */
export function ConversationHeader({ room, members, onOpenSettings }: Props) {
  const titleId = useId();
  const now = useNow();
  const title = roomTitle(room);
  let subtitle: string;
  if (room.note_to_self) {
    subtitle = 'Only you see this';
  } else if (room.status === 'request') {
    subtitle = 'Message request';
  } else if (room.status === 'invitation') {
    subtitle = 'Group invitation';
  } else if (room.kind === 'direct' && room.other?.status === 'pending') {
    // Until they answer, nothing about them shows (not even whether the number has an account).
    subtitle = 'Not accepted yet';
  } else if (room.kind === 'direct') {
    subtitle = presenceText(room.other, now);
  } else {
    const count = members.length;
    subtitle = count > 0 ? `${count} member${count === 1 ? '' : 's'}` : 'Group';
  }
  const settingsName = room.kind === 'group' ? 'Group settings' : 'Details';
  return (
    <header className="conversation-header">
      <AppLink href="/" className="back" aria-label="Back to conversations">
        <ArrowLeft aria-hidden="true" size={24} />
      </AppLink>
      <div className="conversation-title">
        <h2 id={titleId} title={title}>
          {title}
        </h2>
        <p
          className="muted"
          data-online={room.kind === 'direct' ? String(room.other?.online ?? false) : undefined}
        >
          {subtitle}
        </p>
      </div>
      <button
        type="button"
        className="icon"
        onClick={onOpenSettings}
        aria-label={settingsName}
        aria-describedby={titleId}
        title={settingsName}
      >
        {room.kind === 'group' ? (
          <Settings aria-hidden="true" size={22} />
        ) : (
          <Info aria-hidden="true" size={22} />
        )}
      </button>
    </header>
  );
}
