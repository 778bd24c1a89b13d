import { useId, useState, type SubmitEvent } from 'react';
import { useClient, useKnownPeople } from '../hooks/use-client.js';
import { useAction } from '../hooks/use-action.js';
import { useNow } from '../hooks/use-now.js';
import { backToList } from '../hooks/use-route.js';
import { presenceText } from '../lib/format-time.js';
import { checkMemberRefs } from '../lib/member-refs.js';
import { displayName, roomTitle } from '../lib/room-title.js';
import { useBlocks } from '../hooks/use-blocks.js';
import { useContacts } from '../hooks/use-contacts.js';
import type { MemberView, RoomSummary, UserView } from '../sdk.js';
import { isTooLong, LimitedTextField } from './limited-text-field.js';
import { MemberList } from './member-list.js';
import { Modal } from './modal.js';

interface Props {
  room: RoomSummary;
  members: readonly MemberView[];
  me: UserView;
  onClose: () => void;
}

/** The server's limit on a group's name, in visible characters. */
export const MAX_GROUP_NAME_LENGTH = 100;

/** A group's name and members (rename, add, remove, leave); a DM's other person. */
export function RoomSettings({ room, members, me, onClose }: Props) {
  if (room.kind === 'direct') return <DirectDetails room={room} onClose={onClose} />;
  return <GroupSettings room={room} members={members} me={me} onClose={onClose} />;
}

/** A DM's other person, and "Block" (which leaves the conversation; they are not told). */
function DirectDetails({ room, onClose }: Pick<Props, 'room' | 'onClose'>) {
  const now = useNow();
  const blocks = useBlocks();
  const [confirm, setConfirm] = useState(false);
  const other = room.other;
  const name = other ? displayName(other) : roomTitle(room);
  const block = () => {
    if (!other) return;
    void blocks.block(other).then((ok) => {
      if (ok) {
        onClose();
        backToList();
      }
    });
  };
  if (room.note_to_self) {
    return (
      <Modal title="Details" onClose={onClose}>
        <p>Your notes to self: only you see what you write here.</p>
      </Modal>
    );
  }
  return (
    <Modal title="Details" onClose={onClose}>
      <dl className="details">
        <dt>Name</dt>
        <dd>
          {other?.name ?? (other?.status === 'pending' ? 'Shown once they accept' : 'Not set yet')}
        </dd>
        <dt>Phone</dt>
        <dd>{other?.phone || '—'}</dd>
        <dt>Status</dt>
        <dd>
          {other?.status === 'pending' || room.status !== 'active'
            ? 'Not shown until you both accepted'
            : presenceText(other, now)}
        </dd>
      </dl>
      {blocks.error && (
        <p className="error" role="alert">
          {blocks.error}
        </p>
      )}
      {other && (
        <div className="danger-zone">
          {confirm ? (
            <div
              className="row"
              role="group"
              aria-label={`Block ${name}?`}
              onKeyDown={(event) => {
                if (event.key === 'Escape') {
                  event.preventDefault();
                  setConfirm(false);
                }
              }}
            >
              <span>
                Block {name}? They will not be told, and can no longer reach you. This conversation
                is left.
              </span>
              <button
                type="button"
                className="danger"
                autoFocus
                disabled={blocks.busy !== null}
                onClick={block}
              >
                Yes, block
              </button>
              <button type="button" onClick={() => setConfirm(false)}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirm(true)}>
              Block {name}
            </button>
          )}
        </div>
      )}
    </Modal>
  );
}

/**
 * Owners and admins rename, add and remove; every member sees the members and can leave. What
 * is typed under "Add members" is checked before any request.
 */
function GroupSettings({ room, members, me, onClose }: Props) {
  const client = useClient();
  const blocks = useBlocks();
  const { contacts } = useContacts('', true, 50);
  const known = [...useKnownPeople(), ...members, ...(contacts ?? [])];
  const [name, setName] = useState(roomTitle(room));
  const [refs, setRefs] = useState('');
  const [refsProblem, setRefsProblem] = useState<string | null>(null);
  const { busy, error, run } = useAction<string>();
  const [confirmLeave, setConfirmLeave] = useState(false);
  const refsProblemId = useId();
  const canManage = room.role === 'owner' || room.role === 'admin';

  const rename = (event: SubmitEvent) => {
    event.preventDefault();
    if (busy !== null || isTooLong(name, MAX_GROUP_NAME_LENGTH)) return;
    void run('rename', () => client.rename(room.id, name.trim()));
  };
  const add = (event: SubmitEvent) => {
    event.preventDefault();
    const check = checkMemberRefs(refs, known);
    if (!check.ok) {
      setRefsProblem(check.problem);
      return;
    }
    setRefsProblem(null);
    void run('add', () => client.addMembers(room.id, check.refs)).then((ok) => {
      if (ok) setRefs('');
    });
  };
  const remove = (member: MemberView) =>
    void run('remove', () => client.removeMember(room.id, member.id));
  const leave = () =>
    void run('leave', () => client.leave(room.id)).then((ok) => {
      if (ok) {
        onClose();
        backToList();
      }
    });

  return (
    <Modal title="Group settings" onClose={onClose}>
      {canManage ? (
        <form className="row-form" onSubmit={rename} noValidate>
          <LimitedTextField
            id="rename-group"
            label="Group name"
            value={name}
            onChange={setName}
            max={MAX_GROUP_NAME_LENGTH}
            what="Group names"
          />
          <div className="row end">
            <button
              type="submit"
              disabled={busy !== null || name.trim() === '' || name.trim() === room.name}
            >
              Rename
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">Only the group’s owner and admins can rename it or add people.</p>
      )}

      <h3>Members</h3>
      <MemberList
        members={members}
        me={me}
        canRemove={canManage}
        disabled={busy !== null}
        onRemove={remove}
        blocks={blocks}
      />
      {blocks.error && (
        <p className="error" role="alert">
          {blocks.error}
        </p>
      )}

      {canManage && (
        <form className="row-form" onSubmit={add} noValidate>
          <label htmlFor="add-members">Add members</label>
          <div className="row">
            <input
              id="add-members"
              type="text"
              value={refs}
              onChange={(e) => {
                setRefs(e.target.value);
                setRefsProblem(null);
              }}
              aria-invalid={refsProblem ? true : undefined}
              aria-describedby={refsProblem ? refsProblemId : 'add-members-hint'}
            />
            <button type="submit" disabled={busy !== null || refs.trim() === ''}>
              Add
            </button>
          </div>
          {refsProblem ? (
            <p className="error" id={refsProblemId} role="alert">
              {refsProblem}
            </p>
          ) : (
            <p className="hint" id="add-members-hint">
              Phone numbers in international format, or names of people you talk with, separated by
              commas.
            </p>
          )}
        </form>
      )}

      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}

      <div className="danger-zone">
        {confirmLeave ? (
          <div
            className="row"
            role="group"
            aria-label="Leave this group?"
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                setConfirmLeave(false);
              }
            }}
          >
            <span>Leave “{roomTitle(room)}”?</span>
            <button
              type="button"
              className="danger"
              autoFocus
              disabled={busy !== null}
              onClick={leave}
            >
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
