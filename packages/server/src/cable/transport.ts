import type { PreparedFrame } from './prepared-frame.js';

export type TransportKind = 'websocket' | 'long_polling';

/**
 * What a connection writes through. The rest of the server does not know which transport a
 * connection uses: a long-polling client is an ordinary connection.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Whether the server's 3 s pings go to this transport (long polling gets none: they would end every poll). */
  readonly wantsPings: boolean;
  /** Queues a frame. Never throws; frames written after close are dropped. */
  write(frame: PreparedFrame): void;
  /**
   * The server's heartbeat, every 3 s for transports that want pings: writes the ping frame, and
   * may end a transport whose peer stopped answering.
   */
  beat(ping: PreparedFrame): void;
  /** Sends what is queued (a final disconnect frame included), then closes. */
  close(code: number, reason: string): void;
  /** Called once when the transport has closed, whoever closed it. */
  onClose(listener: () => void): void;
}
