import { useId, useRef, useState } from 'react';
import { useClient, useKnownPeople } from '../hooks/use-client.js';
import { useContacts } from '../hooks/use-contacts.js';
import { useSubmit } from '../hooks/use-submit.js';
import { displayName } from '../lib/room-title.js';
import { checkMemberRefs } from '../lib/member-refs.js';
import { isTooLong, LimitedTextField } from './limited-text-field.js';
import { Modal } from './modal.js';
import { MAX_GROUP_NAME_LENGTH } from './room-settings.js';

interface Props {
  onClose: () => void;
  onCreated: (roomId: string) => void;
}

/** A named group with people given by phone number or by name (more can be added later). */
export function NewGroupDialog({ onClose, onCreated }: Props) {
  const client = useClient();
  // People in any shared room (from the server), else only the loaded list's DM partners.
  const { contacts } = useContacts('', true, 50);
  const known = [...useKnownPeople(), ...(contacts ?? [])];
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const problemId = useId();
  // Checked when the form is submitted, read by the submit that follows.
  const refs = useRef<string[]>([]);
  const {
    busy,
    error,
    submit: create,
  } = useSubmit(async () => {
    const room = await client.createGroup(name.trim(), refs.current);
    onCreated(room.id);
  });
  const blocked = busy || name.trim() === '' || isTooLong(name, MAX_GROUP_NAME_LENGTH);

  return (
    <Modal title="New group" onClose={onClose}>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (blocked) return;
          const check = checkMemberRefs(members, known);
          if (!check.ok) {
            setProblem(check.problem);
            return;
          }
          refs.current = [...new Set([...picked, ...check.refs])];
          void create(e);
        }}
      >
        <LimitedTextField
          id="group-name"
          label="Group name"
          value={name}
          onChange={setName}
          max={MAX_GROUP_NAME_LENGTH}
          what="Group names"
          autoFocus
        />
        {contacts && contacts.length > 0 && (
          <fieldset className="choices pick-people">
            <legend>People you talk with</legend>
            {contacts.map((person) => (
              <label key={person.id} className="choice">
                <input
                  type="checkbox"
                  checked={picked.has(person.id)}
                  onChange={(e) => {
                    const next = new Set(picked);
                    if (e.target.checked) next.add(person.id);
                    else next.delete(person.id);
                    setPicked(next);
                  }}
                />
                <span>
                  {displayName(person)}
                  {person.name !== null && <span className="muted"> {person.phone}</span>}
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <label htmlFor="group-members">Members</label>
        <textarea
          id="group-members"
          rows={3}
          value={members}
          onChange={(e) => {
            setMembers(e.target.value);
            setProblem(null);
          }}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? problemId : 'group-members-hint'}
        />
        {problem ? (
          <p className="error" id={problemId} role="alert">
            {problem}
          </p>
        ) : (
          <p className="hint" id="group-members-hint">
            More people: phone numbers in international format (or names of people you talk with),
            separated by commas or one per line.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" aria-disabled={blocked || undefined}>
            {busy ? 'Creating…' : 'Create group'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
