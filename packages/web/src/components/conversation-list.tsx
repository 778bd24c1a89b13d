import { useRooms } from '../hooks/use-client.js';
import type { UserView } from '../sdk.js';
import { ConversationListItem } from './conversation-list-item.js';

interface Props {
  me: UserView;
  selectedId: string | null;
}

/** DMs and groups, newest activity first, live. */
export function ConversationList({ me, selectedId }: Props) {
  const rooms = useRooms();
  if (rooms.length === 0) {
    return <p className="muted list-empty">No conversations yet.</p>;
  }
  return (
    <ul className="rooms" aria-label="Conversation list">
      {rooms.map((room) => (
        <ConversationListItem key={room.id} room={room} me={me} selected={room.id === selectedId} />
      ))}
    </ul>
  );
}
