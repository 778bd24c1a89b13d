import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useContacts } from '../hooks/use-contacts.js';
import { errorText } from '../lib/error-text.js';
import { looksLikePhone } from '../lib/member-refs.js';
import { displayName } from '../lib/room-title.js';
import { Modal } from './modal.js';

interface Props {
  onClose: () => void;
  onOpened: (roomId: string) => void;
}

const NOT_FOUND =
  'No one you talk with is called that. Pick someone below, or type a phone number in the international format, like +1 415 555 0100.';

/**
 * Starts (or reopens) a one-to-one conversation: with someone picked from the people one shares
 * a room with (found by name or number), or with a phone number.
 */
export function NewDmDialog({ onClose, onOpened }: Props) {
  const client = useClient();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const errorId = useId();
  const peopleId = useId();
  const typedPhone = looksLikePhone(text.trim());
  const { contacts } = useContacts(typedPhone ? '' : text, !typedPhone);
  const people = typedPhone ? [] : (contacts ?? []);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = problem ?? error;

  async function open(ref: { phone: string } | { userId: string }) {
    setBusy(true);
    setError(null);
    try {
      const room = await client.openDm(ref);
      onOpened(room.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="New message" onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const typed = text.trim();
          const exact = people.filter(
            (p) => p.name?.toLocaleLowerCase() === typed.toLocaleLowerCase(),
          );
          const only = people.length === 1 ? people[0] : exact.length === 1 ? exact[0] : undefined;
          if (looksLikePhone(typed)) void open({ phone: typed });
          else if (only) void open({ userId: only.id });
          else setProblem(NOT_FOUND);
        }}
      >
        <label htmlFor="dm-to">Name or phone number</label>
        <input
          id="dm-to"
          type="text"
          autoComplete="off"
          required
          autoFocus
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setProblem(null);
          }}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? errorId : 'dm-to-hint'}
        />
        <p className="hint" id="dm-to-hint">
          Someone you talk with, or any number: they can reply once they sign in to Salon with it.
        </p>
        {shown && (
          <p className="error" id={errorId} role="alert">
            {shown}
          </p>
        )}
        {people.length > 0 && (
          <>
            <h3 id={peopleId}>People you talk with</h3>
            <ul className="members pick" aria-labelledby={peopleId}>
              {people.map((person) => {
                const name = displayName(person);
                return (
                  <li key={person.id}>
                    <button
                      type="button"
                      className="pick-person"
                      disabled={busy}
                      onClick={() => void open({ userId: person.id })}
                    >
                      <span className="member-name">{name}</span>
                      {person.name !== null && (
                        <span className="muted member-phone">{person.phone}</span>
                      )}
                    </button>
                  </li>
                );
              })}
            </ul>
          </>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
            {busy ? 'Opening…' : 'Start conversation'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
