import { DeleteData, EditData, ReadData, SpeakData } from '@salon/protocol';
import type { RoomChatPort } from '../channels/room-channel.js';
import { validate } from '../http/validate.js';
import type { SendRate } from '../limits/send-rate.js';
import type { MembershipRepository } from './membership.repository.js';
import type { MessageService } from './message.service.js';
import type { ReadReceiptService } from './read-receipts.service.js';
import type { TypingService } from './typing.service.js';

/**
 * RoomChannel's actions, wired to the chat domain. Membership was checked when the subscription
 * was made and a removed member's subscription ends at once; the message job checks it again
 * inside its transaction. The sender is always the connection's user, never a payload field.
 */
export function roomChat(deps: {
  memberships: MembershipRepository;
  messages: MessageService;
  receipts: ReadReceiptService;
  typing: TypingService;
  /** Messages per person over the cable (RATE_LIMITED, with the wait, past it). */
  sendRate: SendRate;
}): RoomChatPort {
  return {
    isMember: (roomId, userId) => deps.memberships.isMember(roomId, userId),
    roomsOf: (userId) => deps.memberships.roomsOf(userId),
    actions: {
      speak: (roomId, userId, data) => {
        const input = validate(SpeakData, data);
        const refused = deps.sendRate.take(userId);
        if (refused) throw refused;
        deps.messages.enqueue({
          roomId,
          senderId: userId,
          clientId: input.client_id,
          body: input.body,
          replyTo: input.reply_to ?? null,
        });
      },
      typing: async (roomId, userId) => {
        // Typing shows only from people who accepted the room (a request's recipient reads unseen).
        if ((await deps.memberships.state(roomId, userId)) === 'active')
          await deps.typing.typing(roomId, userId);
      },
      read: async (roomId, userId, data) => {
        await deps.receipts.markRead(userId, roomId, validate(ReadData, data).seq);
      },
      edit: async (roomId, userId, data) => {
        const input = validate(EditData, data);
        await deps.messages.edit(userId, roomId, input.message_id, input.body);
      },
      delete: async (roomId, userId, data) => {
        await deps.messages.delete(userId, roomId, validate(DeleteData, data).message_id);
      },
    },
  };
}
