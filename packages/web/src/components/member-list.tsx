import { displayName } from '../lib/room-title.js';
import type { MemberView, UserView } from '../sdk.js';

interface Props {
  members: readonly MemberView[];
  me: UserView;
  canRemove: boolean;
  disabled: boolean;
  onRemove: (member: MemberView) => void;
}

export function MemberList({ members, me, canRemove, disabled, onRemove }: Props) {
  return (
    <ul className="members" aria-label="Members">
      {members.map((member) => {
        const name = displayName(member);
        const self = member.id === me.id;
        return (
          <li key={member.id} aria-label={name}>
            <span className={member.online ? 'presence online' : 'presence'} aria-hidden="true" />
            <span className="member-name">
              {name}
              {self && <span className="muted"> (you)</span>}
              {member.name !== null && <span className="muted member-phone"> {member.phone}</span>}
            </span>
            {member.role !== 'member' && <span className="role">{member.role}</span>}
            {canRemove && !self && (
              <button
                type="button"
                className="small"
                disabled={disabled}
                aria-label={`Remove ${name}`}
                onClick={() => onRemove(member)}
              >
                Remove
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}
