import { useId } from 'react';
import { useBlocks } from '../hooks/use-blocks.js';
import { displayName } from '../lib/room-title.js';

/** The people I blocked, each with "Unblock". */
export function BlockedPeople() {
  const { blocked, error, busy, unblock } = useBlocks();
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>Blocked people</h3>
      {blocked === null && !error && <p className="muted">Loading…</p>}
      {blocked?.length === 0 && <p className="muted">You have not blocked anyone.</p>}
      {blocked && blocked.length > 0 && (
        <ul className="members" aria-label="Blocked people">
          {blocked.map((person) => {
            const name = displayName(person);
            return (
              <li key={person.id} aria-label={name}>
                <span className="member-name">
                  {name}
                  {person.name !== null && person.phone !== '' && (
                    <span className="muted member-phone"> {person.phone}</span>
                  )}
                </span>
                <button
                  type="button"
                  className="small"
                  disabled={busy !== null}
                  aria-label={`Unblock ${name}`}
                  onClick={() => void unblock(person.id)}
                >
                  Unblock
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
