import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { ConversationState } from '../hooks/use-conversation.js';
import { errorText } from '../lib/error-text.js';
import { formatDay, formatTime, sameDay } from '../lib/format-time.js';
import type { ClientMessage, Conversation, RoomSummary, UserView } from '../sdk.js';
import { MessageItem, type OwnStatus } from './message-item.js';

interface Props {
  room: RoomSummary;
  conversation: Conversation;
  state: ConversationState;
  me: UserView;
  onReply: (message: ClientMessage) => void;
}

/** Within this gap (ms), consecutive messages of one sender form one group. */
const GROUP_GAP_MS = 5 * 60 * 1000;
/** Closer than this (px) to the top, older messages load; to the bottom, new ones keep it pinned. */
const LOAD_OLDER_PX = 240;
const PINNED_PX = 80;

/**
 * The history, oldest first, in a `log`: scrolling near the top loads older pages (keeping what
 * is on screen in place), and new messages keep the view at the bottom when it was there.
 */
export function MessageList({ room, conversation, state, me, onReply }: Props) {
  const { messages, hasOlder, members } = state;
  const logRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const previous = useRef<{ first?: string; last?: string }>({});
  const loading = useRef(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);

  const loadOlder = useCallback(async () => {
    const log = logRef.current;
    if (!log || loading.current || !conversation.hasOlder) return;
    loading.current = true;
    setLoadingOlder(true);
    setOlderError(null);
    anchor.current = { height: log.scrollHeight, top: log.scrollTop };
    try {
      await conversation.loadOlder();
    } catch (err) {
      anchor.current = null;
      setOlderError(errorText(err));
    } finally {
      loading.current = false;
      setLoadingOlder(false);
    }
  }, [conversation]);

  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    const first = messages[0];
    const last = messages[messages.length - 1];
    const prepended = first?.id !== previous.current.first && previous.current.first !== undefined;
    const appended = last?.id !== previous.current.last;
    previous.current = { first: first?.id, last: last?.id };
    if (prepended && anchor.current) {
      log.scrollTop = log.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (pinned.current || (appended && last?.status === 'sending')) {
      log.scrollTop = log.scrollHeight;
      pinned.current = true;
    }
  }, [messages]);

  // A first page shorter than the view cannot be scrolled: fetch more until it fills it.
  useEffect(() => {
    const log = logRef.current;
    if (log && hasOlder && log.scrollHeight <= log.clientHeight + LOAD_OLDER_PX) {
      void loadOlder();
    }
  }, [messages, hasOlder, loadOlder]);

  const onScroll = () => {
    const log = logRef.current;
    if (!log) return;
    pinned.current = log.scrollHeight - log.scrollTop - log.clientHeight < PINNED_PX;
    if (log.scrollTop < LOAD_OLDER_PX && hasOlder) void loadOlder();
  };

  const otherId =
    room.kind === 'direct'
      ? (room.other?.id ?? members.find((member) => member.id !== me.id)?.id ?? null)
      : null;
  const ownStatus = (message: ClientMessage): OwnStatus => {
    if (message.status !== 'sent') return { kind: message.status };
    if (otherId !== null) {
      return { kind: conversation.readUpTo(otherId) >= message.seq ? 'read' : 'sent' };
    }
    const readers = members.filter(
      (member) => member.id !== me.id && conversation.readUpTo(member.id) >= message.seq,
    ).length;
    return readers > 0 ? { kind: 'read', readers } : { kind: 'sent' };
  };

  const byId = new Map(messages.map((message) => [message.id, message]));
  const items: ReactNode[] = [];
  let prev: ClientMessage | undefined;
  for (const [index, message] of messages.entries()) {
    const newDay = !prev || !sameDay(prev.created_at, message.created_at);
    if (newDay) {
      items.push(
        <li key={`day-${message.id}`} className="day-divider" role="separator">
          <span>{formatDay(message.created_at)}</span>
        </li>,
      );
    }
    const startsGroup =
      newDay ||
      prev?.sender.id !== message.sender.id ||
      Date.parse(message.created_at) - Date.parse(prev.created_at) > GROUP_GAP_MS;
    const mine = message.sender.id === me.id;
    const status = mine ? ownStatus(message) : null;
    const next = messages[index + 1];
    items.push(
      <MessageItem
        key={`${message.sender.id}:${message.client_id || message.id}`}
        message={message}
        mine={mine}
        showSender={startsGroup && !mine && room.kind === 'group'}
        startsGroup={startsGroup}
        showMeta={showMeta(
          message,
          status,
          next,
          next && next.sender.id === me.id ? ownStatus(next) : null,
        )}
        status={status}
        repliedTo={message.reply_to ? (byId.get(message.reply_to) ?? null) : null}
        conversation={conversation}
        onReply={onReply}
      />,
    );
    prev = message;
  }

  return (
    <div
      className="log"
      role="log"
      aria-label="Messages"
      ref={logRef}
      onScroll={onScroll}
      tabIndex={0}
    >
      {hasOlder && (
        <div className="older">
          <button
            type="button"
            className="link"
            disabled={loadingOlder}
            onClick={() => void loadOlder()}
          >
            {loadingOlder ? 'Loading older messages…' : 'Load older messages'}
          </button>
          {olderError && (
            <p className="error" role="alert">
              {olderError}
            </p>
          )}
        </div>
      )}
      {messages.length === 0 && !hasOlder ? (
        <p className="muted log-empty">No messages yet. Say hello!</p>
      ) : (
        <ol className="messages">{items}</ol>
      )}
    </div>
  );
}

/**
 * A run of messages from one sender in the same minute with the same state shows its time and
 * state once, under the last of them.
 */
function showMeta(
  message: ClientMessage,
  status: OwnStatus | null,
  next: ClientMessage | undefined,
  nextStatus: OwnStatus | null,
): boolean {
  if (!next || next.sender.id !== message.sender.id) return true;
  if (status && (status.kind === 'sending' || status.kind === 'failed')) return true;
  if (formatTime(next.created_at) !== formatTime(message.created_at)) return true;
  if (!sameDay(next.created_at, message.created_at)) return true;
  return JSON.stringify(status) !== JSON.stringify(nextStatus);
}
