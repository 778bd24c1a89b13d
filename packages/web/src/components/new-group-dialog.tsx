import { useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import { parseMemberRefs } from '../lib/member-refs.js';
import { Modal } from './modal.js';

interface Props {
  onClose: () => void;
  onCreated: (roomId: string) => void;
}

/** A named group with the people given by phone number (more can be added later). */
export function NewGroupDialog({ onClose, onCreated }: Props) {
  const client = useClient();
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const {
    busy,
    error,
    submit: create,
  } = useSubmit(async () => {
    const room = await client.createGroup(name.trim(), parseMemberRefs(members));
    onCreated(room.id);
  });

  return (
    <Modal title="New group" onClose={onClose}>
      <form onSubmit={(e) => void create(e)}>
        <label htmlFor="group-name">Group name</label>
        <input
          id="group-name"
          type="text"
          maxLength={100}
          required
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor="group-members">Members</label>
        <textarea
          id="group-members"
          rows={3}
          value={members}
          onChange={(e) => setMembers(e.target.value)}
          aria-describedby="group-members-hint"
        />
        <p className="hint" id="group-members-hint">
          Phone numbers, separated by commas or one per line.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create group'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
