import { SendHorizontal, X } from 'lucide-react';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type SubmitEvent } from 'react';
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

/** A phone's keyboard should not jump up the moment a conversation opens; a desktop's focus may. */
function focusOnOpen(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(hover: hover)').matches;
}

/**
 * Enter sends, Shift+Enter makes a new line; typing is reported (the SDK throttles it). Choosing
 * Reply brings the focus here, so nothing typed is lost; Escape cancels the reply.
 */
export function Composer({ conversation, replyTo, onCancelReply, onSent }: Props) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const fieldId = useId();
  const replyId = useId();
  const tooLong = body.length > MAX_LENGTH;
  const replyToId = replyTo?.id;

  useEffect(() => {
    if (replyToId !== undefined) inputRef.current?.focus();
  }, [replyToId]);

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

  const cancelReply = () => {
    onCancelReply();
    inputRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      cancelReply();
    }
  };

  return (
    <form className="composer" onSubmit={send}>
      {replyTo && (
        <div className="replying" id={replyId}>
          <span>
            Replying to <strong>{replyTo.sender.name ?? 'Someone'}</strong>: {replyTo.body ?? ''}
          </span>
          <button
            type="button"
            className="icon small"
            aria-label="Cancel reply"
            title="Cancel reply (Escape)"
            onClick={cancelReply}
          >
            <X aria-hidden="true" size={18} />
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
          placeholder="Write a message…"
          autoFocus={focusOnOpen()}
          aria-describedby={replyTo ? replyId : undefined}
          aria-invalid={tooLong || undefined}
          onChange={(e) => {
            setBody(e.target.value);
            if (e.target.value.trim() !== '') conversation.typing();
          }}
          onKeyDown={onKeyDown}
          enterKeyHint="send"
        />
        <button
          type="submit"
          className="primary icon-round"
          aria-label="Send"
          title="Send"
          disabled={body.trim() === '' || tooLong}
        >
          <SendHorizontal aria-hidden="true" size={20} />
        </button>
      </div>
    </form>
  );
}
