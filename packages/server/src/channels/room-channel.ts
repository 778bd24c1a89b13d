import { Channel, type ActionHandler, type SubscriptionHost } from '../cable/channel.js';
import { roomStream } from './streams.js';

/**
 * What RoomChannel needs from the chat domain. The channel checks who may subscribe and passes
 * actions on; the chat domain validates them, stores and broadcasts.
 */
export interface RoomChatPort {
  isMember(roomId: string, userId: string): Promise<boolean>;
  /** Called when a subscription to the room starts and ends (presence bookkeeping). */
  joined?(roomId: string, userId: string): void;
  left?(roomId: string, userId: string): void;
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
        const roomId = channel instanceof RoomChannel ? channel.roomId : undefined;
        if (roomId === undefined) throw new Error('room action on a channel without a room');
        return action(roomId, channel.userId, data);
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
  readonly #roomId: string | undefined;
  #joined = false;

  constructor(
    host: SubscriptionHost,
    identifier: string,
    params: Readonly<Record<string, unknown>>,
    chat: RoomChatPort,
  ) {
    super(host, identifier, params);
    this.#chat = chat;
    const room = params.room;
    this.#roomId =
      typeof room === 'string' && room.length > 0 && room.length <= 64 ? room : undefined;
  }

  get actions(): Readonly<Record<string, ActionHandler>> {
    return handlersFor(this.#chat);
  }

  get roomId(): string | undefined {
    return this.#roomId;
  }

  override async subscribed(): Promise<void> {
    if (this.#roomId === undefined || !(await this.#chat.isMember(this.#roomId, this.userId))) {
      this.reject();
      return;
    }
    this.streamFrom(roomStream(this.#roomId));
    this.#joined = true;
    this.#chat.joined?.(this.#roomId, this.userId);
  }

  override unsubscribed(): void {
    if (this.#roomId !== undefined && this.#joined) {
      this.#joined = false;
      this.#chat.left?.(this.#roomId, this.userId);
    }
  }
}
