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

/**
 * Where a room action's room comes from: the subscription (RoomChannel) or the action's data
 * (InboxChannel). Throws when the action names no room the channel may act on.
 */
export type RoomLocator = (
  data: Record<string, unknown>,
  channel: Channel,
) => { roomId: string; args: Record<string, unknown> };

/** Each port's actions adapted to channel handlers once per locator, shared by all subscriptions. */
const handlersByPort = new WeakMap<
  RoomChatPort,
  Map<RoomLocator, Readonly<Record<string, ActionHandler>>>
>();

export function roomActionHandlers(
  chat: RoomChatPort,
  locate: RoomLocator,
): Readonly<Record<string, ActionHandler>> {
  let byLocator = handlersByPort.get(chat);
  if (!byLocator) {
    byLocator = new Map();
    handlersByPort.set(chat, byLocator);
  }
  let handlers = byLocator.get(locate);
  if (!handlers) {
    const entries = Object.entries(chat.actions).map(([name, action]): [string, ActionHandler] => [
      name,
      (data, channel) => {
        const { roomId, args } = locate(data, channel);
        return action(roomId, channel.userId, args);
      },
    ]);
    handlers = Object.freeze(Object.fromEntries(entries));
    byLocator.set(locate, handlers);
  }
  return handlers;
}

const fromSubscription: RoomLocator = (data, channel) => {
  if (!(channel instanceof RoomChannel)) throw new Error('room action on another channel');
  return { roomId: channel.roomId, args: data };
};

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
    return roomActionHandlers(this.#chat, fromSubscription);
  }

  override async subscribed(): Promise<void> {
    if (!(await this.#chat.isMember(this.roomId, this.userId))) {
      this.reject();
      return;
    }
    this.streamFrom(roomStream(this.roomId));
  }
}
