import { InboxChannelParams } from '@salon/protocol';
import {
  Channel,
  defineChannel,
  type ActionHandler,
  type ChannelDefinition,
  type SubscriptionHost,
} from '../cable/channel.js';
import { AppError } from '../errors.js';
import { roomActionHandlers, type RoomChatPort, type RoomLocator } from './room-channel.js';
import { ROOM_STREAM_PREFIX, roomStream, userStream } from './streams.js';

/**
 * The room an inbox action names in its data. The inbox follows exactly its user's rooms: one it
 * does not follow is, for this user, a room that does not exist.
 */
const fromData: RoomLocator = (data, channel) => {
  const { room, ...args } = data;
  if (typeof room !== 'string' || !channel.streams.has(roomStream(room)))
    throw new AppError('ROOM_NOT_FOUND', 404, 'No such conversation, or you are not in it.');
  return { roomId: room, args };
};

/**
 * `{"channel": "InboxChannel"}`: everything its user should see, over one subscription: their
 * private stream and the stream of every room they are in, kept in step as they join and leave
 * (the server's `follow` / `unfollow` control commands). The room actions (`speak`, `typing`,
 * `read`, `edit`, `delete`) take the room in their data: `{"action": "speak", "room": id, …}`.
 *
 * This is how Salon's SDK connects: a person in ten thousand rooms holds one subscription, not
 * ten thousand. Its frames carry no stream positions and it serves no `history`: a client of it
 * catches up from the REST history by `seq` after a reconnect, which is the ground truth anyway.
 */
export class InboxChannel extends Channel {
  static readonly channelName = 'InboxChannel';
  readonly #chat: RoomChatPort;

  constructor(host: SubscriptionHost, identifier: string, chat: RoomChatPort) {
    super(host, identifier, {});
    this.#chat = chat;
  }

  static definition(chat: RoomChatPort): ChannelDefinition {
    return defineChannel(
      InboxChannelParams,
      (host, identifier) => new InboxChannel(host, identifier, chat),
    );
  }

  get actions(): Readonly<Record<string, ActionHandler>> {
    return roomActionHandlers(this.#chat, fromData);
  }

  override get streamPositions(): boolean {
    return false;
  }

  override async subscribed(): Promise<void> {
    this.streamFrom(userStream(this.userId));
    // A room left while this list was loading stays left: streamFrom skips dropped streams.
    for (const roomId of await this.#chat.roomsOf(this.userId)) this.streamFrom(roomStream(roomId));
  }

  override follow(stream: string): boolean {
    if (!stream.startsWith(ROOM_STREAM_PREFIX)) return false;
    this.resumeStream(stream);
    return true;
  }
}
