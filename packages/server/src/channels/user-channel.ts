import { UserChannelParams } from '@salon/protocol';
import {
  Channel,
  defineChannel,
  type ActionHandler,
  type ChannelDefinition,
} from '../cable/channel.js';
import { userStream } from './streams.js';

const NO_ACTIONS: Readonly<Record<string, ActionHandler>> = Object.freeze({});

/**
 * `{"channel": "UserChannel"}`: the signed-in user's private stream: new conversations,
 * membership changes, their own read state from their other devices.
 */
export class UserChannel extends Channel {
  static readonly channelName = 'UserChannel';
  static readonly definition: ChannelDefinition = defineChannel(
    UserChannelParams,
    (host, identifier, params) => new UserChannel(host, identifier, params),
  );

  get actions(): Readonly<Record<string, ActionHandler>> {
    return NO_ACTIONS;
  }

  override subscribed(): void {
    this.streamFrom(userStream(this.userId));
  }
}
