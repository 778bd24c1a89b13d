import type { ConnectInfo } from './connect-info.js';
import type { ServerCommand, ServerEvent } from './ipc.js';
import { ParentPort } from './parent-port.js';
import { makePayload, type BenchPayload } from './payload.js';

/** A target server running in this child process, its room already built. */
export interface FanoutServer {
  /** Where and how the generator's clients connect and join the room. */
  readonly connect: ConnectInfo;
  /** Sends `payload` to every member of the room, the way this target broadcasts. */
  broadcast(payload: BenchPayload): void;
}

/** Builds and starts the server for a room of `clients` members; resolves once it listens. */
export type StartServer = (clients: number) => Promise<FanoutServer>;

/**
 * The part every server child shares: answers the orchestrator's commands. A trigger stamps
 * `sent_ts` and broadcasts at once, in the IPC message's own tick.
 */
export function runServerChild(start: StartServer): void {
  const port = new ParentPort<ServerCommand, ServerEvent>();
  let server: FanoutServer | undefined;
  port.onCommand(async (command) => {
    switch (command.type) {
      case 'start':
        server = await start(command.clients);
        port.send({ type: 'ready', connect: server.connect });
        return;
      case 'trigger':
        if (!server) throw new Error('trigger before start');
        server.broadcast(makePayload(command.seq, command.intended_ts));
        return;
      case 'gc':
        // Twice: the first pass can leave finalizer-held objects for the second.
        globalThis.gc?.();
        globalThis.gc?.();
        port.send({ type: 'gc-done' });
        return;
    }
  });
}
