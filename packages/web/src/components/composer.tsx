import { useId, useRef, useState, type SubmitEvent, type KeyboardEvent } from 'react';
import { errorText } from '../lib/error-text.js';
import type { ClientMessage, Conversation } from '../sdk.js';

interface Props {
  conversation: Conversation;
  replyTo: ClientMessage | null;
  onCancelReply: () => void;
  onSent: () => void;
}

/** The server's limit on a message, in visible characters. */
const MAX_LENGTH = 4000;

/** Enter sends, Shift+Enter makes a new line; typing is reported (the SDK throttles it). */
export function Composer({ conversation, replyTo, onCancelReply, onSent }: Props) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();
  const replyId = useId();
  const tooLong = body.length > MAX_LENGTH;

  function send(event?: SubmitEvent) {
    event?.preventDefault();
    const text = body.trim();
    if (text === '' || tooLong) return;
    setError(null);
    try {
      conversation.send(text, replyTo ? { replyTo: replyTo.id } : undefined);
      setBody('');
      onSent();
    } catch (err) {
      setError(errorText(err));
    }
    inputRef.current?.focus();
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && replyTo) {
      onCancelReply();
    }
  };

  return (
    <form className="composer" onSubmit={send}>
      {replyTo && (
        <div className="replying" id={replyId}>
          <span>
            Replying to <strong>{replyTo.sender.name ?? 'Someone'}</strong>: {replyTo.body ?? ''}
          </span>
          <button type="button" className="small" onClick={onCancelReply}>
            Cancel reply
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {tooLong && (
        <p className="error" role="alert">
          Messages can be at most {MAX_LENGTH.toLocaleString()} characters (
          {body.length.toLocaleString()} now).
        </p>
      )}
      <div className="composer-row">
        <label htmlFor={fieldId} className="sr-only">
          Message
        </label>
        <textarea
          id={fieldId}
          ref={inputRef}
          rows={1}
          value={body}
          autoFocus
          aria-describedby={replyTo ? replyId : undefined}
          aria-invalid={tooLong || undefined}
          onChange={(e) => {
            setBody(e.target.value);
            if (e.target.value.trim() !== '') conversation.typing();
          }}
          onKeyDown={onKeyDown}
          enterKeyHint="send"
        />
        <button type="submit" className="primary" disabled={body.trim() === '' || tooLong}>
          Send
        </button>
      </div>
    </form>
  );
}
