import { useId, useState } from 'react';
import { useClient } from '../hooks/use-client.js';
import { useSubmit } from '../hooks/use-submit.js';
import type { UserView } from '../sdk.js';
import { isTooLong, LimitedTextField } from './limited-text-field.js';
import { Modal } from './modal.js';
import { BlockedPeople } from './blocked-people.js';
import { GroupAddsSetting } from './group-adds-setting.js';
import { MAX_NAME_LENGTH } from './name-prompt.js';
import { NoteToSelfButton } from './note-to-self-button.js';

interface Props {
  me: UserView;
  onClose: () => void;
  /** Opens a conversation (one's notes to self) and closes the dialog. */
  onOpenRoom: (roomId: string) => void;
}

/**
 * One's own name (changed at any time) and number, notes to self, who may add one to groups,
 * and the people one blocked.
 */
export function ProfileDialog({ me, onClose, onOpenRoom }: Props) {
  const client = useClient();
  const [name, setName] = useState(me.name ?? '');
  const [saved, setSaved] = useState(false);
  const errorId = useId();
  const { busy, error, submit } = useSubmit(async () => {
    await client.updateName(name.trim());
    setSaved(true);
  });
  const unchanged = name.trim() === (me.name ?? '');
  const blocked = busy || name.trim() === '' || unchanged || isTooLong(name, MAX_NAME_LENGTH);

  return (
    <Modal title="Profile" onClose={onClose}>
      <form
        onSubmit={(e) => {
          if (blocked) e.preventDefault();
          else {
            setSaved(false);
            void submit(e);
          }
        }}
        noValidate
      >
        <LimitedTextField
          id="profile-name"
          label="Your name"
          value={name}
          onChange={(value) => {
            setName(value);
            setSaved(false);
          }}
          max={MAX_NAME_LENGTH}
          what="Names"
          autoFocus
          autoComplete="name"
          hint="The name people see in your conversations."
          errorId={error ? errorId : undefined}
        />
        {error && (
          <p id={errorId} className="error" role="alert">
            {error}
          </p>
        )}
        <dl className="details">
          <dt>Phone</dt>
          <dd>{me.phone}</dd>
        </dl>
        <div className="row end">
          <span className="muted saved" aria-live="polite">
            {saved ? 'Saved.' : ''}
          </span>
          <button type="submit" className="primary" aria-disabled={blocked || undefined}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      <NoteToSelfButton me={me} onOpenRoom={onOpenRoom} />
      <GroupAddsSetting me={me} />
      <BlockedPeople />
    </Modal>
  );
}
