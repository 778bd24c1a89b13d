import { ChevronDown, Copy, Pencil, Reply, Trash2 } from 'lucide-react';
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useMessageGestures } from '../hooks/use-message-gestures.js';
import { errorText, settle } from '../lib/error-text.js';
import { formatTime } from '../lib/format-time.js';
import type { ClientMessage, Conversation } from '../sdk.js';
import { MessageEditor } from './message-editor.js';
import { MessageMenu, type MenuAction } from './message-menu.js';
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
  /** The one message in the tab order (arrow keys move between messages). */
  tabbable: boolean;
  onReply: (message: ClientMessage) => void;
  onFocusItem: (id: string) => void;
  /** Says something short to everyone (e.g. "Copied"). */
  onNotice: (text: string) => void;
}

/**
 * One message. Its actions (reply, copy, edit, delete) are in a menu opened by the visible
 * "Message actions" button, a long press, a right click, or Enter on the focused message; a
 * swipe to the right replies. Focus never falls back to the page: after an edit, a delete or
 * Escape it returns to the message.
 */
export function MessageItem({
  message,
  mine,
  showSender,
  startsGroup,
  showMeta,
  status,
  repliedTo,
  conversation,
  tabbable,
  onReply,
  onFocusItem,
  onNotice,
}: Props) {
  const [mode, setMode] = useState<'view' | 'edit' | 'confirm-delete'>('view');
  const [menuAnchor, setMenuAnchor] = useState<HTMLElement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const itemRef = useRef<HTMLLIElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  const deleted = message.deleted_at !== null || message.body === null;
  const stored = message.seq > 0;
  const actionable = stored && !deleted;
  const senderName = message.sender.name ?? 'Someone';

  // After leaving the editor or the delete question, the focus goes back to the message. A layout
  // effect: it runs in the same task as the render that removed the focused control, so the
  // focus is never on the page in between (a screen reader would announce it).
  useLayoutEffect(() => {
    if (mode === 'view' && refocus.current) {
      refocus.current = false;
      itemRef.current?.focus();
    }
  }, [mode]);

  // Deleted meanwhile (here, by its broadcast arriving before the answer, or on another
  // device): there is nothing left to edit or confirm.
  useLayoutEffect(() => {
    if (!deleted) return;
    if (menuAnchor) {
      setMenuAnchor(null);
      itemRef.current?.focus();
    }
    if (mode !== 'view') {
      refocus.current = true;
      setMode('view');
    }
  }, [deleted, mode, menuAnchor]);

  const backToView = () => {
    refocus.current = true;
    setMode('view');
  };

  const openMenu = (anchor: HTMLElement | null) => {
    if (actionable && mode === 'view') setMenuAnchor(anchor ?? itemRef.current);
  };
  const gestures = useMessageGestures({
    enabled: actionable && mode === 'view',
    onLongPress: () => openMenu(buttonRef.current),
    onSwipeRight: () => onReply(message),
  });

  async function remove() {
    setError(null);
    try {
      await conversation.remove(message.id);
      backToView();
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function copy() {
    try {
      await navigator.clipboard.writeText(message.body ?? '');
      onNotice('Message copied.');
    } catch {
      onNotice('Could not copy the message.');
    }
  }

  const actions: MenuAction[] = [
    {
      label: 'Reply',
      icon: <Reply aria-hidden="true" size={18} />,
      onSelect: () => onReply(message),
      movesFocus: true,
    },
    { label: 'Copy', icon: <Copy aria-hidden="true" size={18} />, onSelect: () => void copy() },
  ];
  if (mine) {
    actions.push(
      {
        label: 'Edit',
        icon: <Pencil aria-hidden="true" size={18} />,
        onSelect: () => setMode('edit'),
        movesFocus: true,
      },
      {
        label: 'Delete',
        icon: <Trash2 aria-hidden="true" size={18} />,
        onSelect: () => setMode('confirm-delete'),
        danger: true,
        movesFocus: true,
      },
    );
  }

  const onKeyDown = (event: KeyboardEvent<HTMLLIElement>) => {
    if (event.target !== event.currentTarget) return;
    const menuKey =
      event.key === 'Enter' ||
      event.key === ' ' ||
      event.key === 'ContextMenu' ||
      (event.key === 'F10' && event.shiftKey);
    if (menuKey && actionable) {
      event.preventDefault();
      openMenu(buttonRef.current);
    }
  };

  const className = [
    'message',
    mine ? 'mine' : 'theirs',
    startsGroup ? 'group-start' : '',
    deleted ? 'deleted' : '',
  ]
    .filter(Boolean)
    .join(' ');

  return (
    <li
      ref={itemRef}
      className={className}
      data-status={status?.kind}
      data-seq={message.seq || undefined}
      data-message-id={message.id}
      tabIndex={tabbable ? 0 : -1}
      onFocus={(event) => {
        if (event.target === event.currentTarget) onFocusItem(message.id);
      }}
      onKeyDown={onKeyDown}
    >
      {showSender ? (
        <p className="sender">{senderName}</p>
      ) : (
        <span className="sr-only">{mine ? 'You' : senderName}: </span>
      )}
      <div
        className="message-row"
        {...gestures.handlers}
        onContextMenu={(event) => {
          if (!actionable || mode !== 'view') return;
          event.preventDefault();
          if (!menuAnchor) openMenu(buttonRef.current);
        }}
      >
        <div className="bubble" style={gestures.style}>
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
                backToView();
              }}
              onCancel={backToView}
            />
          ) : (
            <p className="body">
              {deleted ? (
                <em>Message deleted</em>
              ) : (
                <MessageText text={message.body ?? ''} tabbable={tabbable} />
              )}
            </p>
          )}
          <p className={showMeta ? 'meta' : 'meta collapsed'}>
            <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
            {message.edited_at && !deleted && <span className="edited"> · edited</span>}
            {status && <StatusLabel status={status} />}
          </p>
        </div>
        {actionable && (
          <button
            ref={buttonRef}
            type="button"
            className="icon actions-button"
            aria-label="Message actions"
            aria-haspopup="menu"
            aria-expanded={menuAnchor !== null}
            tabIndex={tabbable ? 0 : -1}
            onClick={(event) => (menuAnchor ? setMenuAnchor(null) : openMenu(event.currentTarget))}
          >
            <ChevronDown aria-hidden="true" size={18} />
          </button>
        )}
      </div>
      {status?.kind === 'failed' && (
        <div className="failed" role="alert">
          <span>{message.error?.message ?? 'Not sent.'}</span>
          <button type="button" onClick={() => settle(conversation.retry(message.client_id))}>
            Retry
          </button>
        </div>
      )}
      {mode === 'confirm-delete' && (
        <div
          className="confirm"
          role="group"
          aria-label="Delete this message?"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              backToView();
            }
          }}
        >
          <span>Delete for everyone?</span>
          <button type="button" className="small danger" autoFocus onClick={() => void remove()}>
            Yes, delete
          </button>
          <button type="button" className="small" onClick={backToView}>
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {menuAnchor && (
        <MessageMenu
          anchor={menuAnchor}
          actions={actions.map((action) => ({
            ...action,
            onSelect: () => {
              setMenuAnchor(null);
              if (!action.movesFocus) (buttonRef.current ?? itemRef.current)?.focus();
              action.onSelect();
            },
          }))}
          onClose={(restoreFocus) => {
            setMenuAnchor(null);
            if (restoreFocus) (buttonRef.current ?? itemRef.current)?.focus();
          }}
        />
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
