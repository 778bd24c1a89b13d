import type { Logger } from 'pino';
import type { SessionService } from '../auth/session-service.js';
import type { NodeBackend } from '../cluster/node-backend.js';
import { clientAddress } from '../http/client-address.js';
import { originPolicy } from '../http/origin.js';
import type { Config } from '../config.js';
import { CableServer } from './cable-server.js';
import type { Connection } from './connection.js';
import { IpAdmission } from './ip-admission.js';
import { ConnectionRegistry } from './registry.js';
import { CableTickets } from './tickets.js';

/** Largest frame a client may send, bytes; larger ones close the connection with 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;

/**
 * Builds the real-time core from the configuration and the node's backend (memory or Redis):
 * registry, broker, presence counts, tickets, cable server.
 */
export async function createCable(
  config: Config,
  deps: { secret: string; sessions: SessionService; log: Logger; backend: NodeBackend },
) {
  const registry = new ConnectionRegistry<Connection>();
  // The broker hands this node its deliveries and control commands; the cable server that applies
  // the commands is made below, with the broker.
  const applier: { cable?: CableServer } = {};
  const broker = await deps.backend.broker({
    deliver: (stream, message, position) => registry.deliver(stream, message, position),
    control: (command) => applier.cable?.applyControl(command),
  });
  const presence = await deps.backend.presence(registry);
  const tickets = new CableTickets(deps.secret, config.cableTicketTtlSeconds, deps.backend.limits);
  const cable = new CableServer({
    registry,
    broker,
    sessions: deps.sessions,
    tickets,
    restore: deps.backend.restore,
    presence,
    health: deps.backend.health,
    ipAdmission: new IpAdmission(deps.backend.limits, {
      maxOpenPerIp: config.cableMaxConnectionsPerIp,
      connectsPerSecond: config.cableConnectsPerIpPerSecond,
    }),
    clientAddress: clientAddress(config.trustProxy),
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
      pollIdPrefix: deps.backend.nodeName === '' ? '' : `${deps.backend.nodeName}.`,
    },
  });
  applier.cable = cable;
  return { registry, broker, presence, tickets, cable };
}
