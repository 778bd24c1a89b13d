import { useState, type SubmitEvent } from 'react';
import { useClient } from '../hooks/use-client.js';
import { navigate } from '../hooks/use-route.js';
import { errorText } from '../lib/error-text.js';
import { formatLastSeen } from '../lib/format-time.js';
import { parseMemberRefs } from '../lib/member-refs.js';
import { roomTitle } from '../lib/room-title.js';
import type { MemberView, RoomSummary, UserView } from '../sdk.js';
import { MemberList } from './member-list.js';
import { Modal } from './modal.js';

interface Props {
  room: RoomSummary;
  members: readonly MemberView[];
  me: UserView;
  onClose: () => void;
}

/** A group's name and members (rename, add, remove, leave); a DM's other person. */
export function RoomSettings({ room, members, me, onClose }: Props) {
  if (room.kind === 'direct') {
    const other = room.other;
    return (
      <Modal title="Details" onClose={onClose}>
        <dl className="details">
          <dt>Name</dt>
          <dd>{other?.name ?? 'Not set yet'}</dd>
          <dt>Phone</dt>
          <dd>{other?.phone ?? '—'}</dd>
          <dt>Status</dt>
          <dd>{other?.online ? 'Online' : formatLastSeen(other?.last_seen_at ?? null)}</dd>
        </dl>
      </Modal>
    );
  }
  return <GroupSettings room={room} members={members} me={me} onClose={onClose} />;
}

function GroupSettings({ room, members, me, onClose }: Props) {
  const client = useClient();
  const [name, setName] = useState(roomTitle(room));
  const [refs, setRefs] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const canManage = room.role === 'owner' || room.role === 'admin';

  async function run(what: string, action: () => Promise<unknown>) {
    setBusy(what);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    } finally {
      setBusy(null);
    }
  }

  const rename = (event: SubmitEvent) => {
    event.preventDefault();
    void run('rename', () => client.rename(room.id, name.trim()));
  };
  const add = (event: SubmitEvent) => {
    event.preventDefault();
    void run('add', () => client.addMembers(room.id, parseMemberRefs(refs))).then((ok) => {
      if (ok) setRefs('');
    });
  };
  const remove = (member: MemberView) =>
    void run('remove', () => client.removeMember(room.id, member.id));
  const leave = () =>
    void run('leave', () => client.leave(room.id)).then((ok) => {
      if (ok) {
        onClose();
        navigate('/', { replace: true });
      }
    });

  return (
    <Modal title="Group settings" onClose={onClose}>
      <form className="row-form" onSubmit={rename}>
        <label htmlFor="rename-group">Group name</label>
        <div className="row">
          <input
            id="rename-group"
            type="text"
            maxLength={100}
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button
            type="submit"
            disabled={busy !== null || name.trim() === '' || name.trim() === room.name}
          >
            Rename
          </button>
        </div>
      </form>

      <h3>Members</h3>
      <MemberList
        members={members}
        me={me}
        canRemove={canManage}
        disabled={busy !== null}
        onRemove={remove}
      />

      <form className="row-form" onSubmit={add}>
        <label htmlFor="add-members">Add members</label>
        <div className="row">
          <input
            id="add-members"
            type="text"
            inputMode="tel"
            value={refs}
            onChange={(e) => setRefs(e.target.value)}
            aria-describedby="add-members-hint"
          />
          <button type="submit" disabled={busy !== null || refs.trim() === ''}>
            Add
          </button>
        </div>
        <p className="hint" id="add-members-hint">
          Phone numbers, separated by commas.
        </p>
      </form>

      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="danger-zone">
        {confirmLeave ? (
          <div className="row" role="group" aria-label="Leave this group?">
            <span>Leave “{roomTitle(room)}”?</span>
            <button type="button" className="danger" disabled={busy !== null} onClick={leave}>
              Yes, leave
            </button>
            <button type="button" onClick={() => setConfirmLeave(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmLeave(true)}>
            Leave group
          </button>
        )}
      </div>
    </Modal>
  );
}
