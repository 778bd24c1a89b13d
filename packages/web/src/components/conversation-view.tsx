import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useClient, useRooms } from '../hooks/use-client.js';
import { useConversation, useConversationState } from '../hooks/use-conversation.js';
import { errorText } from '../lib/error-text.js';
import { roomTitle } from '../lib/room-title.js';
import type { ClientMessage, Conversation, RoomDetail, RoomSummary, UserView } from '../sdk.js';
import { AppLink } from './app-link.js';
import { Composer } from './composer.js';
import { ConversationHeader } from './conversation-header.js';
import { MessageList } from './message-list.js';
import { RequestPanel } from './request-panel.js';
import { TypingLine } from './typing-line.js';

/** The settings dialog loads when first opened: a conversation shows without it. */
const RoomSettings = lazy(() =>
  import('./room-settings.js').then((m) => ({ default: m.RoomSettings })),
);

interface Props {
  roomId: string;
  me: UserView;
}

/** One open conversation: header, history, typing line and composer. */
export function ConversationView({ roomId, me }: Props) {
  const client = useClient();
  const rooms = useRooms();
  const summary = rooms.find((room) => room.id === roomId);
  const [detail, setDetail] = useState<RoomDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const wasListed = useRef(false);
  if (summary) wasListed.current = true;
  const gone = !summary && wasListed.current;

  // Removed and then added back while this view stayed open: the SDK dropped the old
  // conversation (its feed is gone), so open a fresh one rather than show a dead history.
  const [membership, setMembership] = useState(0);
  const wasGone = useRef(false);
  useEffect(() => {
    if (gone) {
      wasGone.current = true;
    } else if (summary && wasGone.current) {
      wasGone.current = false;
      setMembership((n) => n + 1);
    }
  }, [gone, summary]);

  // A room just created or opened by link may not be in the list yet: ask for it once.
  useEffect(() => {
    if (summary) return;
    let cancelled = false;
    client.roomDetail(roomId).then(
      (room) => {
        if (!cancelled) setDetail(room);
      },
      (err: unknown) => {
        if (!cancelled) setLoadError(errorText(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [client, roomId, summary]);

  const conversation = useConversation(roomId, membership);
  const room = summary ?? detail;

  if (gone) {
    return <Gone text="You are no longer in this conversation." />;
  }
  if (!room || !conversation) {
    return loadError ? <Gone text={loadError} /> : <p className="muted pane-loading">Loading…</p>;
  }
  return <OpenConversation room={room} conversation={conversation} me={me} />;
}

function Gone({ text }: { text: string }) {
  return (
    <div className="empty-pane">
      <p role="alert">{text}</p>
      <AppLink href="/">Back to conversations</AppLink>
    </div>
  );
}

interface OpenProps {
  room: RoomSummary;
  conversation: Conversation;
  me: UserView;
}

/** Read marks follow what was on screen: MessageList tells the conversation what was seen. */
function OpenConversation({ room, conversation, me }: OpenProps) {
  const state = useConversationState(conversation);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [replyTo, setReplyTo] = useState<ClientMessage | null>(null);

  return (
    <section className="conversation" aria-label={roomTitle(room)}>
      <ConversationHeader
        room={room}
        members={state.members}
        onOpenSettings={() => setSettingsOpen(true)}
      />
      <MessageList
        room={room}
        conversation={conversation}
        state={state}
        me={me}
        onReply={setReplyTo}
      />
      <TypingLine users={state.typingUsers} />
      {/* Until answered, the answers sit above the composer: a reply accepts too (the server
          then sends the room back as active, and the panel goes). */}
      {room.status !== 'active' && <RequestPanel room={room} />}
      <Composer
        key={room.id}
        conversation={conversation}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSent={() => setReplyTo(null)}
      />
      {settingsOpen && (
        <Suspense fallback={null}>
          <RoomSettings
            room={room}
            members={state.members}
            me={me}
            onClose={() => setSettingsOpen(false)}
          />
        </Suspense>
      )}
    </section>
  );
}
