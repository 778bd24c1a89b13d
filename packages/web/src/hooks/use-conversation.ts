import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ClientMessage, Conversation, MemberView, UserRef } from '../sdk.js';
import { useClient } from './use-client.js';

/**
 * Opens the live conversation of `roomId` while the calling component is mounted; a new
 * `generation` opens it afresh (after the SDK dropped it, e.g. on removal from the room).
 */
export function useConversation(roomId: string, generation = 0): Conversation | null {
  const client = useClient();
  const [open, setOpen] = useState<{
    roomId: string;
    generation: number;
    conversation: Conversation;
  } | null>(null);
  useEffect(() => {
    const conversation = client.conversation(roomId);
    setOpen({ roomId, generation, conversation });
    return () => conversation.close();
  }, [client, roomId, generation]);
  return open?.roomId === roomId && open.generation === generation ? open.conversation : null;
}

export interface ConversationState {
  messages: readonly ClientMessage[];
  hasOlder: boolean;
  typingUsers: readonly UserRef[];
  members: readonly MemberView[];
  /** Bumped on every change, for what is read through methods (`readUpTo`). */
  version: number;
}

/** A conversation's snapshots, re-rendering on each change. */
export function useConversationState(conversation: Conversation): ConversationState {
  const version = useRef(0);
  const subscribe = useCallback(
    (onChange: () => void) =>
      conversation.onChange(() => {
        version.current += 1;
        onChange();
      }),
    [conversation],
  );
  return {
    messages: useSyncExternalStore(subscribe, () => conversation.messages),
    hasOlder: useSyncExternalStore(subscribe, () => conversation.hasOlder),
    typingUsers: useSyncExternalStore(subscribe, () => conversation.typingUsers),
    members: useSyncExternalStore(subscribe, () => conversation.members),
    version: useSyncExternalStore(subscribe, () => version.current),
  };
}
