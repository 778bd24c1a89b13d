import type { Logger } from 'pino';
import type { SessionService } from '../auth/session-service.js';
import { MemoryBroker } from '../broker/memory-broker.js';
import { originPolicy } from '../http/origin.js';
import type { LimitStore } from '../limits/limit-store.js';
import type { Config } from '../config.js';
import { CableServer } from './cable-server.js';
import type { Connection } from './connection.js';
import { ConnectionRegistry } from './registry.js';
import { CableTickets } from './tickets.js';

/** Largest frame a client may send, bytes; larger ones close the connection with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Builds the real-time core from the configuration: registry, broker, tickets, cable server. */
export function createCable(
  config: Config,
  deps: { secret: string; sessions: SessionService; log: Logger; limits: LimitStore },
) {
  const registry = new ConnectionRegistry<Connection>();
  // The broker hands this node its deliveries and control commands; the cable server that applies
  // the commands is made below, with the broker.
  const applier: { cable?: CableServer } = {};
  const broker = new MemoryBroker(
    {
      deliver: (stream, message, position) => registry.deliver(stream, message, position),
      control: (command) => applier.cable?.applyControl(command),
    },
    {
      historyLimit: config.cableHistoryLimit,
      historyTtlMs: config.cableHistoryTtlSeconds * 1000,
    },
  );
  const tickets = new CableTickets(deps.secret, config.cableTicketTtlSeconds, deps.limits);
  const cable = new CableServer({
    registry,
    broker,
    sessions: deps.sessions,
    tickets,
    log: deps.log,
    options: {
      maxFrameBytes: MAX_FRAME_BYTES,
      maxBufferedBytes: config.cableMaxBufferedBytes,
      maxConnectionsPerUser: config.cableMaxConnectionsPerUser,
      maxSubscriptionsPerConnection: config.cableMaxSubscriptionsPerConnection,
      maxSubscriptionsPerUser: config.cableMaxSubscriptionsPerUser,
      commandsPerSecond: config.cableCommandsPerSecond,
      commandBurst: config.cableCommandBurst,
      sessionRestoreMs: config.cableSessionRestoreSeconds * 1000,
      pollWaitMs: config.pollWaitSeconds * 1000,
      pollSessionTtlMs: config.pollSessionTtlSeconds * 1000,
      pollMaxQueuedFrames: config.pollMaxQueuedFrames,
      origins: originPolicy(config),
    },
  });
  applier.cable = cable;
  return { registry, broker, tickets, cable };
}
