import { Channel, type ActionHandler } from '../cable/channel.js';
import { userStream } from './streams.js';

const NO_ACTIONS: Readonly<Record<string, ActionHandler>> = Object.freeze({});

/**
 * `{"channel": "UserChannel"}`: the signed-in user's private stream: new conversations,
 * membership changes, their own read state from their other devices.
 */
export class UserChannel extends Channel {
  static readonly channelName = 'UserChannel';
  get actions(): Readonly<Record<string, ActionHandler>> {
    return NO_ACTIONS;
  }

  override subscribed(): void {
    this.streamFrom(userStream(this.userId));
  }
}
