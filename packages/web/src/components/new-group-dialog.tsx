import { useId, useRef, useState } from 'react';
import { useClient, useKnownPeople } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
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
  const known = useKnownPeople();
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
          refs.current = check.refs;
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
            Phone numbers in international format (or names of people you talk with), separated by
            commas or one per line.
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
