import { Channel, type ActionHandler } from '../cable/channel.js';
import { userStream } from './streams.js';

/**
 * `{"channel": "UserChannel"}`: the signed-in user's private stream: new conversations,
 * membership changes, their own read state from their other devices.
 */
export class UserChannel extends Channel {
  static readonly channelName = 'UserChannel';
  readonly actions: Readonly<Record<string, ActionHandler>> = {};

  override subscribed(): void {
    this.streamFrom(userStream(this.userId));
  }
}
