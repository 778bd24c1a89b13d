import { useState } from 'react';
import { errorText, settle } from '../lib/error-text.js';
import { formatTime } from '../lib/format-time.js';
import type { ClientMessage, Conversation } from '../sdk.js';
import { MessageEditor } from './message-editor.js';
import { MessageText } from './message-text.js';

/** An own message's state: sending, sent, read (DMs; groups: by how many), failed. */
export type OwnStatus =
  { kind: 'sending' } | { kind: 'sent' } | { kind: 'read'; readers?: number } | { kind: 'failed' };

interface Props {
  message: ClientMessage;
  mine: boolean;
  showSender: boolean;
  startsGroup: boolean;
  /** Whether the time and status line is shown (else only read by assistive technology). */
  showMeta: boolean;
  status: OwnStatus | null;
  repliedTo: ClientMessage | null;
  conversation: Conversation;
  onReply: (message: ClientMessage) => void;
}

export function MessageItem({
  message,
  mine,
  showSender,
  startsGroup,
  showMeta,
  status,
  repliedTo,
  conversation,
  onReply,
}: Props) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const [error, setError] = useState<string | null>(null);
  const deleted = message.deleted_at !== null || message.body === null;
  const stored = message.seq > 0;
  const senderName = message.sender.name ?? 'Someone';

  async function remove() {
    setError(null);
    try {
      await conversation.remove(message.id);
      setMode('view');
    } catch (err) {
      setError(errorText(err));
    }
  }

  const className = [
    'message',
    mine ? 'mine' : 'theirs',
    startsGroup ? 'group-start' : '',
    deleted ? 'deleted' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li className={className} data-status={status?.kind} data-seq={message.seq || undefined}>
      {showSender ? (
        <p className="sender">{senderName}</p>
      ) : (
        <span className="sr-only">{mine ? 'You' : senderName}: </span>
      )}
      <div className="bubble">
        {repliedTo && (
          <p className="reply-quote">
            <span className="reply-sender">{repliedTo.sender.name ?? 'Someone'}</span>{' '}
            {repliedTo.body ?? 'Message deleted'}
          </p>
        )}
        {mode === 'edit' && message.body !== null ? (
          <MessageEditor
            initial={message.body}
            onSave={async (body) => {
              await conversation.edit(message.id, body);
              setMode('view');
            }}
            onCancel={() => setMode('view')}
          />
        ) : (
          <p className="body">
            {deleted ? <em>Message deleted</em> : <MessageText text={message.body ?? ''} />}
          </p>
        )}
        <p className={showMeta ? 'meta' : 'meta collapsed'}>
          <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
          {message.edited_at && !deleted && <span> · edited</span>}
          {status && <StatusLabel status={status} />}
        </p>
      </div>
      {status?.kind === 'failed' && (
        <div className="failed" role="alert">
          <span>{message.error?.message ?? 'Not sent.'}</span>
          <button type="button" onClick={() => settle(conversation.retry(message.client_id))}>
            Retry
          </button>
        </div>
      )}
      {stored && !deleted && mode === 'view' && (
        <div className="actions">
          <button type="button" className="small" onClick={() => onReply(message)}>
            Reply
          </button>
          {mine && (
            <>
              <button type="button" className="small" onClick={() => setMode('edit')}>
                Edit
              </button>
              <button type="button" className="small" onClick={() => setMode('confirm-delete')}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
      {mode === 'confirm-delete' && (
        <div className="actions confirm" role="group" aria-label="Delete this message?">
          <span>Delete for everyone?</span>
          <button type="button" className="small danger" onClick={() => void remove()}>
            Yes, delete
          </button>
          <button type="button" className="small" onClick={() => setMode('view')}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}

function StatusLabel({ status }: { status: OwnStatus }) {
  switch (status.kind) {
    case 'sending':
      return <span className="status"> · Sending…</span>;
    case 'sent':
      return <span className="status"> · Sent</span>;
    case 'read':
      return (
        <span className="status read">
          {' · '}
          {status.readers === undefined ? 'Read' : `Read by ${status.readers}`}
        </span>
      );
    case 'failed':
      return <span className="status failed"> · Failed</span>;
  }
}
