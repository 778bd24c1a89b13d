import { Search } from 'lucide-react';
import { useId, useRef, useState } from 'react';
import { useClient, useRooms } from '../hooks/use-client.js';
import { useNow } from '../hooks/use-now.js';
import { roomTitle } from '../lib/room-title.js';
import type { RoomSummary, UserView } from '../sdk.js';
import { ConversationListItem } from './conversation-list-item.js';
import { LoadMoreRooms } from './load-more-rooms.js';
import { PeopleResults } from './people-results.js';

interface Props {
  me: UserView;
  selectedId: string | null;
}

/**
 * DMs and groups, newest activity first, live; message requests and group invitations wait in a
 * "Requests" section above them until answered. A search box narrows both by name or number.
 */
export function ConversationList({ me, selectedId }: Props) {
  const client = useClient();
  const rooms = useRooms();
  const scroller = useRef<HTMLDivElement>(null);
  const now = useNow();
  const [query, setQuery] = useState('');
  const searchId = useId();
  const requestsId = useId();
  if (rooms.length === 0) {
    return (
      <div className="list-empty">
        <p>No conversations yet.</p>
        <p className="muted">
          Start one with <strong>New message</strong> and a phone number, or bring several people
          together with <strong>New group</strong>.
        </p>
      </div>
    );
  }
  const shown = query.trim() === '' ? rooms : rooms.filter((room) => matches(room, query));
  const requests = shown.filter((room) => room.status !== 'active');
  const active = shown.filter((room) => room.status === 'active');
  const item = (room: RoomSummary) => (
    <ConversationListItem
      key={room.id}
      room={room}
      me={me}
      now={now}
      selected={room.id === selectedId}
    />
  );
  return (
    <>
      <div className="search" role="search">
        <label htmlFor={searchId} className="sr-only">
          Search conversations
        </label>
        <Search aria-hidden="true" size={16} className="search-icon" />
        <input
          id={searchId}
          type="search"
          placeholder="Search"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>
      <div className="list-scroll" ref={scroller} tabIndex={-1} data-list-focus>
        {requests.length > 0 && (
          <section aria-labelledby={requestsId}>
            <h2 className="list-heading" id={requestsId}>
              Requests <span className="badge">{requests.length}</span>
            </h2>
            <ul className="rooms" aria-label="Requests">
              {requests.map(item)}
            </ul>
          </section>
        )}
        {shown.length === 0 ? (
          <p className="muted list-empty">No conversation matches “{query.trim()}”.</p>
        ) : (
          active.length > 0 && (
            <ul className="rooms" aria-label="Conversation list">
              {active.map(item)}
            </ul>
          )
        )}
        {query.trim() !== '' && (
          <PeopleResults
            query={query}
            shownIds={new Set(shown.flatMap((room) => (room.other ? [room.other.id] : [])))}
          />
        )}
        {client.hasMoreRooms && <LoadMoreRooms scroller={scroller} loaded={rooms.length} />}
      </div>
    </>
  );
}

function matches(room: RoomSummary, query: string): boolean {
  const q = query.trim().toLocaleLowerCase();
  const phone = room.other?.phone.replace(/\s/g, '') ?? '';
  return (
    roomTitle(room).toLocaleLowerCase().includes(q) ||
    (phone !== '' && phone.includes(q.replace(/\s/g, '')))
  );
}
