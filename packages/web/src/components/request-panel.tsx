import { useAction } from '../hooks/use-action.js';
import { useClient } from '../hooks/use-client.js';
import { backToList } from '../hooks/use-route.js';
import { roomTitle } from '../lib/room-title.js';
import type { RoomSummary } from '../sdk.js';

interface Props {
  room: RoomSummary;
}

type Answer = 'accept' | 'decline' | 'block';

/**
 * Above the composer until a message request or group invitation is answered: Accept / Delete /
 * Block for a request, Join / Decline / Decline and block for an invitation (replying accepts
 * too). Nothing is told to the sender until one accepts (the panel says so).
 */
export function RequestPanel({ room }: Props) {
  const client = useClient();
  const { busy, error, run } = useAction<Answer>();
  const invitation = room.status === 'invitation';
  const from = room.invited_by?.name ?? (invitation ? 'Someone' : roomTitle(room));

  async function answer(what: Answer) {
    await run(what, async () => {
      if (what === 'accept') {
        await client.accept(room.id);
      } else {
        await client.decline(room.id, { block: what === 'block' });
        backToList();
      }
    });
  }

  const labels = invitation
    ? { accept: 'Join', decline: 'Decline', block: 'Decline and block' }
    : { accept: 'Accept', decline: 'Delete', block: 'Block' };
  return (
    <div
      className="request-panel"
      role="region"
      aria-label={invitation ? 'Group invitation' : 'Message request'}
    >
      <p>
        {invitation ? (
          <>
            <strong>{from}</strong> added you to this group. Join, or write, to take part.
          </>
        ) : (
          <>
            <strong>{from}</strong> wants to send you messages. Accept, or reply, to talk.
          </>
        )}
      </p>
      <p className="muted hint">
        They cannot see that you read this, or your name or online status, until you answer.{' '}
        {invitation ? 'Declining' : 'Deleting'} is never told.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row end">
        <button
          type="button"
          className="danger"
          disabled={busy !== null}
          onClick={() => void answer('block')}
        >
          {labels.block}
        </button>
        <button type="button" disabled={busy !== null} onClick={() => void answer('decline')}>
          {labels.decline}
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy !== null}
          onClick={() => void answer('accept')}
        >
          {busy === 'accept' ? `${labels.accept}ing…` : labels.accept}
        </button>
      </div>
    </div>
  );
}
