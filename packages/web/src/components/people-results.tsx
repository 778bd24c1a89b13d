import { MessageSquare } from 'lucide-react';
import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useContacts } from '../hooks/use-contacts.js';
import { navigate, roomPath } from '../hooks/use-route.js';
import { errorText } from '../lib/error-text.js';
import { initials, displayName } from '../lib/room-title.js';
import type { Contact } from '../sdk.js';

interface Props {
  query: string;
  /** People who already show in the list above (their DM matched): not repeated. */
  shownIds: ReadonlySet<string>;
}

/**
 * Under the search box: people I share a room with (but have no listed DM with) who match, each
 * opening a DM with them.
 */
export function PeopleResults({ query, shownIds }: Props) {
  const client = useClient();
  const headingId = useId();
  const { contacts, error } = useContacts(query);
  const [busy, setBusy] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
  const people = (contacts ?? []).filter((person) => !shownIds.has(person.id));
  async function open(person: Contact) {
    setBusy(true);
    setOpenError(null);
    try {
      const room = await client.openDm({ userId: person.id });
      navigate(roomPath(room.id));
    } catch (err) {
      setOpenError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  if (people.length === 0 && !error) return null;
  return (
    <section aria-labelledby={headingId}>
      <h2 className="list-heading" id={headingId}>
        People
      </h2>
      <ul className="rooms" aria-label="People">
        {people.map((person) => {
          const name = displayName(person);
          return (
            <li key={person.id} className="room person" aria-label={name}>
              <span className="avatar" aria-hidden="true" data-kind="direct">
                {initials(name)}
              </span>
              <span className="room-main">
                <span className="room-title">{name}</span>
                {person.name !== null && <span className="room-preview">{person.phone}</span>}
              </span>
              <button
                type="button"
                className="icon"
                disabled={busy}
                aria-label={`Message ${name}`}
                title={`Message ${name}`}
                onClick={() => void open(person)}
              >
                <MessageSquare aria-hidden="true" size={20} />
              </button>
            </li>
          );
        })}
      </ul>
      {(error ?? openError) && (
        <p className="error" role="alert">
          {error ?? openError}
        </p>
      )}
    </section>
  );
}
