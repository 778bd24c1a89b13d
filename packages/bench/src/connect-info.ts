/**
 * How the load generator reaches a target and joins its room. A server child sends one of these
 * to the orchestrator once it listens; the generator picks its client by `protocol`.
 */
export type ConnectInfo = PlainConnectInfo | ActionCableConnectInfo | SocketIoConnectInfo;

/** Every connection is a room member as soon as the upgrade completes; frames are payloads. */
export interface PlainConnectInfo {
  protocol: 'plain';
  /** ws://127.0.0.1:PORT/ */
  url: string;
}

/**
 * ActionCable `actioncable-v1-json`: wait for welcome, subscribe to `identifier`, wait for
 * confirm_subscription; deliveries are data frames `{identifier, message: payload}`.
 */
export interface ActionCableConnectInfo {
  protocol: 'action-cable';
  /** ws://127.0.0.1:PORT/cable */
  url: string;
  /** One bearer token per client (client i uses tokens[i % tokens.length]). */
  tokens: string[];
  /** The subscription identifier, a string of JSON, echoed verbatim by the server. */
  identifier: string;
  /**
   * Where a delivery's payload is: the data frame's `message` itself (a broadcast call), or, as
   * JSON, the `body` of the chat message it carries (`{type: 'message', message: {body}}`).
   */
  payloadIn?: 'frame' | 'message-body';
}

/** Socket.IO 4 over WebSocket: joined once the namespace connect is acknowledged. */
export interface SocketIoConnectInfo {
  protocol: 'socket.io';
  /** ws://127.0.0.1:PORT/socket.io/?EIO=4&transport=websocket */
  url: string;
}
