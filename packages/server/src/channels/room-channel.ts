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
  actions(roomId: string, userId: string): Readonly<Record<string, ActionHandler>>;
}

/** `{"channel": "RoomChannel", "room": "<room id>"}`: members only; streams the room. */
export class RoomChannel extends Channel {
  static readonly channelName = 'RoomChannel';
  readonly actions: Readonly<Record<string, ActionHandler>>;
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
    this.actions = this.#roomId === undefined ? {} : chat.actions(this.#roomId, this.userId);
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
