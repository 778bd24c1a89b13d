import type { WebSocket } from 'ws';
import type { ConnectInfo } from '../connect-info.js';
import { openActionCableClient } from './action-cable-client.js';
import type { DeliverySink } from './delivery-sink.js';
import { openPlainClient } from './plain-client.js';
import { openSocketIoClient } from './socket-io-client.js';

/** Opens client `index` and resolves once it is a member of the room. */
export function openClient(
  info: ConnectInfo,
  index: number,
  sink: DeliverySink,
): Promise<WebSocket> {
  switch (info.protocol) {
    case 'plain':
      return openPlainClient(info, index, sink);
    case 'action-cable':
      return openActionCableClient(info, index, sink);
    case 'socket.io':
      return openSocketIoClient(info, index, sink);
  }
}
