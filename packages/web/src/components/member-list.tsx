import { useEffect, useRef, useState } from 'react';
import type { Blocks } from '../hooks/use-blocks.js';
import { displayName } from '../lib/room-title.js';
import type { MemberView, UserView } from '../sdk.js';

interface Props {
  members: readonly MemberView[];
  me: UserView;
  canRemove: boolean;
  disabled: boolean;
  onRemove: (member: MemberView) => void;
  /** Block / Unblock beside everyone else. */
  blocks: Blocks;
}

/**
 * The group's members; admins remove someone after saying yes to "Remove <name>?"; anyone
 * blocks or unblocks another member.
 */
export function MemberList({ members, me, canRemove, disabled, onRemove, blocks }: Props) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const refocus = useRef<string | null>(null);
  // "Cancel" leaves: the focus goes back to that member's Remove button.
  useEffect(() => {
    if (confirming !== null || refocus.current === null) return;
    const id = refocus.current;
    refocus.current = null;
    listRef.current?.querySelector<HTMLElement>(`[data-remove="${CSS.escape(id)}"]`)?.focus();
  }, [confirming]);
  const cancel = (id: string) => {
    refocus.current = id;
    setConfirming(null);
  };
  return (
    <ul className="members" aria-label="Members" ref={listRef}>
      {members.map((member) => {
        const name = displayName(member);
        const self = member.id === me.id;
        return (
          <li key={member.id} aria-label={name}>
            <span className={member.online ? 'presence online' : 'presence'} aria-hidden="true" />
            <span className="member-name">
              {name}
              {self && <span className="muted"> (you)</span>}
              {/* Not yet accepted (or, unknown to the others, declined): the same to them. */}
              {!self && member.status === 'pending' && <span className="muted"> (invited)</span>}
              {member.name !== null && <span className="muted member-phone"> {member.phone}</span>}
            </span>
            {member.role !== 'member' && <span className="role">{member.role}</span>}
            {!self && confirming !== member.id && (
              <button
                type="button"
                className="small"
                disabled={disabled || blocks.blocked === null || blocks.busy !== null}
                aria-label={`${blocks.isBlocked(member.id) ? 'Unblock' : 'Block'} ${name}`}
                onClick={() =>
                  void (blocks.isBlocked(member.id)
                    ? blocks.unblock(member.id)
                    : blocks.block(member))
                }
              >
                {blocks.isBlocked(member.id) ? 'Unblock' : 'Block'}
              </button>
            )}
            {canRemove && !self && confirming !== member.id && (
              <button
                type="button"
                className="small"
                disabled={disabled}
                aria-label={`Remove ${name}`}
                data-remove={member.id}
                onClick={() => setConfirming(member.id)}
              >
                Remove
              </button>
            )}
            {confirming === member.id && (
              <span
                className="row confirm"
                role="group"
                aria-label={`Remove ${name} from the group?`}
                onKeyDown={(event) => {
                  if (event.key === 'Escape') {
                    event.preventDefault();
                    event.stopPropagation();
                    cancel(member.id);
                  }
                }}
              >
                <button
                  type="button"
                  className="small danger"
                  autoFocus
                  disabled={disabled}
                  onClick={() => {
                    setConfirming(null);
                    onRemove(member);
                  }}
                >
                  Yes, remove
                </button>
                <button type="button" className="small" onClick={() => cancel(member.id)}>
                  Cancel
                </button>
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
