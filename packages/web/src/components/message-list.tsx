import { ArrowDown } from 'lucide-react';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { ConversationState } from '../hooks/use-conversation.js';
import { useSeenSeq } from '../hooks/use-seen-seq.js';
import { errorText } from '../lib/error-text.js';
import { eventText } from '../lib/event-text.js';
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
/** How long a short notice ("Message copied.") stays, ms. */
const NOTICE_MS = 2500;

/**
 * The history, oldest first, in a `log`. It opens on the first unread message (under an
 * "Unread messages" divider), or at the bottom; new messages keep it at the bottom when it was
 * there, and otherwise wait behind a "new messages" button with their count. A message counts
 * as read once it was on screen in a visible tab. The messages are one tab stop: arrow keys
 * move between them.
 */
export function MessageList({ room, conversation, state, me, onReply }: Props) {
  const { messages, hasOlder, members } = state;
  const logRef = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const landed = useRef(false);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const previous = useRef<{ first?: string; last?: string }>({});
  const loading = useRef(false);
  const [atBottom, setAtBottom] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Where unread messages began when the conversation was opened (kept while it stays open).
  const [unreadAfter, setUnreadAfter] = useState<number | null>(() =>
    room.unread_count > 0 ? room.last_read_seq : null,
  );

  const markRead = useCallback((seq: number) => conversation.markRead(seq), [conversation]);
  const seen = useSeenSeq(logRef, room.last_read_seq, markRead, messages);

  // Group events ("Ana added Ben") are not something to read: never counted as new.
  const unseen = messages.filter(
    (m) => m.seq > seen && m.sender.id !== me.id && m.kind === 'text',
  ).length;
  // Messages that arrive while scrolled up get a divider too, where they begin.
  useEffect(() => {
    if (unseen > 0 && !atBottom && unreadAfter === null) setUnreadAfter(seen);
  }, [unseen, atBottom, unreadAfter, seen]);

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

  const updatePinned = useCallback(() => {
    const log = logRef.current;
    if (!log) return;
    pinned.current = log.scrollHeight - log.scrollTop - log.clientHeight < PINNED_PX;
    setAtBottom(pinned.current);
  }, []);

  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    const first = messages[0];
    const last = messages[messages.length - 1];
    const prepended = first?.id !== previous.current.first && previous.current.first !== undefined;
    const appended = last?.id !== previous.current.last;
    previous.current = { first: first?.id, last: last?.id };
    if (!landed.current && messages.length > 0) {
      // Opening: on the first unread message, else at the bottom.
      landed.current = true;
      const divider = log.querySelector<HTMLElement>('.unread-divider');
      log.scrollTop = divider ? divider.offsetTop - 8 : log.scrollHeight;
      updatePinned();
    } else if (prepended && anchor.current) {
      log.scrollTop = log.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (pinned.current || (appended && last?.status === 'sending')) {
      log.scrollTop = log.scrollHeight;
      pinned.current = true;
      setAtBottom(true);
    }
  }, [messages, updatePinned]);

  // A first page shorter than the view cannot be scrolled: fetch more until it fills it.
  useEffect(() => {
    const log = logRef.current;
    if (log && hasOlder && log.scrollHeight <= log.clientHeight + LOAD_OLDER_PX) {
      void loadOlder();
    }
  }, [messages, hasOlder, loadOlder]);

  useEffect(() => {
    if (notice === null) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  const onScroll = () => {
    const log = logRef.current;
    if (!log) return;
    updatePinned();
    if (log.scrollTop < LOAD_OLDER_PX && hasOlder) void loadOlder();
  };

  const jumpToNewest = () => {
    const log = logRef.current;
    if (!log) return;
    log.scrollTop = log.scrollHeight;
    updatePinned();
    // The newest message takes the focus when the jump came from the keyboard.
    const items = log.querySelectorAll<HTMLElement>('li.message');
    items[items.length - 1]?.focus({ preventScroll: true });
  };

  // Arrow keys, Home and End move between messages (the roving tab stop follows).
  const onKeyDown = (event: KeyboardEvent<HTMLOListElement>) => {
    const target = event.target as HTMLElement;
    if (!target.matches('li.message')) return;
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>(':scope > li.message')];
    const index = items.indexOf(target);
    let next: HTMLElement | undefined;
    if (event.key === 'ArrowDown') next = items[index + 1];
    else if (event.key === 'ArrowUp') next = items[index - 1];
    else if (event.key === 'Home') next = items[0];
    else if (event.key === 'End') next = items[items.length - 1];
    else return;
    event.preventDefault();
    if (!next) return;
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: 'nearest' });
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

  const activeKey = messages.some((m) => m.id === activeId)
    ? activeId
    : (messages[messages.length - 1]?.id ?? null);
  const firstUnread =
    unreadAfter === null
      ? undefined
      : messages.find((m) => m.seq > unreadAfter && m.sender.id !== me.id && m.kind === 'text');
  const byId = new Map(messages.map((message) => [message.id, message]));
  const items: ReactNode[] = [];
  let prev: ClientMessage | undefined;
  for (const [index, message] of messages.entries()) {
    const newDay = !prev || !sameDay(prev.created_at, message.created_at);
    if (newDay) {
      items.push(
        <li key={`day-${message.id}`} className="day-divider">
          <span>{formatDay(message.created_at)}</span>
        </li>,
      );
    }
    if (message === firstUnread) {
      items.push(
        <li key="unread" className="unread-divider">
          <span>Unread messages</span>
        </li>,
      );
    }
    const event = eventText(message, me.id);
    if (event !== null) {
      // A centred system line: no bubble, no actions, not a tab stop.
      items.push(
        <li key={message.id} className="system-line" data-event={message.event?.type}>
          <span>{event}</span>
        </li>,
      );
      prev = message;
      continue;
    }
    const startsGroup =
      newDay ||
      prev?.kind === 'event' ||
      message === firstUnread ||
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
        tabbable={message.id === activeKey}
        onReply={onReply}
        onFocusItem={setActiveId}
        onNotice={setNotice}
      />,
    );
    prev = message;
  }

  return (
    <div className="log-wrap">
      <div className="log" role="log" aria-label="Messages" ref={logRef} onScroll={onScroll}>
        {/* Always the same height, so that nothing below moves when the last page arrives. */}
        {hasOlder ? (
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
        ) : (
          messages.length > 0 && (
            <div className="older">
              <p className="muted">The beginning of the conversation</p>
            </div>
          )
        )}
        {messages.length === 0 && !hasOlder ? (
          <div className="log-empty">
            <p>No messages yet.</p>
            <p className="muted">Say hello: write below and press Enter.</p>
          </div>
        ) : (
          <ol className="messages" onKeyDown={onKeyDown}>
            {items}
          </ol>
        )}
      </div>
      {!atBottom && (
        <button
          type="button"
          className="jump"
          onClick={jumpToNewest}
          aria-label={
            unseen > 0 ? `${unseen} new message${unseen === 1 ? '' : 's'}` : 'Newest messages'
          }
        >
          {unseen > 0 && <span className="jump-count">{unseen > 99 ? '99+' : unseen}</span>}
          <ArrowDown aria-hidden="true" size={20} />
        </button>
      )}
      <p className="toast" aria-live="polite">
        {notice}
      </p>
    </div>
  );
}

/**
 * A run of messages from one sender in the same minute with the same state shows its time and
 * state once, under the last of them; an edited message always shows that it was edited.
 */
function showMeta(
  message: ClientMessage,
  status: OwnStatus | null,
  next: ClientMessage | undefined,
  nextStatus: OwnStatus | null,
): boolean {
  if (!next || next.sender.id !== message.sender.id || next.kind === 'event') return true;
  if (message.edited_at !== null && message.deleted_at === null) return true;
  if (status && (status.kind === 'sending' || status.kind === 'failed')) return true;
  if (formatTime(next.created_at) !== formatTime(message.created_at)) return true;
  if (!sameDay(next.created_at, message.created_at)) return true;
  return JSON.stringify(status) !== JSON.stringify(nextStatus);
}
