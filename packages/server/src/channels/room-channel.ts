import { RoomChannelParams } from '@salon/protocol';
import {
  Channel,
  defineChannel,
  type ActionHandler,
  type ChannelDefinition,
  type SubscriptionHost,
} from '../cable/channel.js';
import { roomStream } from './streams.js';

/**
 * What RoomChannel needs from the chat domain. The channel checks who may subscribe and passes
 * actions on; the chat domain validates them, stores and broadcasts.
 */
export interface RoomChatPort {
  isMember(roomId: string, userId: string): Promise<boolean>;
  /** The rooms `userId` is in (the inbox follows them all). */
  roomsOf(userId: string): Promise<string[]>;
  /** The room's actions, by name: called with the room, the connection's user and the data. */
  readonly actions: Readonly<Record<string, RoomAction>>;
}

export type RoomAction = (
  roomId: string,
  userId: string,
  data: Record<string, unknown>,
) => Promise<void> | void;

/** Each port's actions adapted to channel handlers once, shared by all its subscriptions. */
const handlersByPort = new WeakMap<RoomChatPort, Readonly<Record<string, ActionHandler>>>();

function handlersFor(chat: RoomChatPort): Readonly<Record<string, ActionHandler>> {
  let handlers = handlersByPort.get(chat);
  if (!handlers) {
    const entries = Object.entries(chat.actions).map(([name, action]): [string, ActionHandler] => [
      name,
      (data, channel) => {
        if (!(channel instanceof RoomChannel)) throw new Error('room action on another channel');
        return action(channel.roomId, channel.userId, data);
      },
    ]);
    handlers = Object.freeze(Object.fromEntries(entries));
    handlersByPort.set(chat, handlers);
  }
  return handlers;
}

/** `{"channel": "RoomChannel", "room": "<room id>"}`: members only; streams the room. */
export class RoomChannel extends Channel {
  static readonly channelName = 'RoomChannel';
  readonly #chat: RoomChatPort;
  readonly roomId: string;

  constructor(host: SubscriptionHost, identifier: string, roomId: string, chat: RoomChatPort) {
    super(host, identifier, { room: roomId });
    this.#chat = chat;
    this.roomId = roomId;
  }

  static definition(chat: RoomChatPort): ChannelDefinition {
    return defineChannel(
      RoomChannelParams,
      (host, identifier, params) => new RoomChannel(host, identifier, params.room, chat),
    );
  }

  get actions(): Readonly<Record<string, ActionHandler>> {
    return handlersFor(this.#chat);
  }

  override async subscribed(): Promise<void> {
    if (!(await this.#chat.isMember(this.roomId, this.userId))) {
      this.reject();
      return;
    }
    this.streamFrom(roomStream(this.roomId));
  }
}
