import type { ConnectInfo } from './connect-info.js';
import type { ServerCommand, ServerEvent } from './ipc.js';
import { ParentPort } from './parent-port.js';
import { makePayload, type BenchPayload } from './payload.js';
import { WindowProfiler } from './window-profiler.js';

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
 *
 * With BENCH_PROFILE, the server is profiled from 'ready' on, one window per forced GC (the idle
 * scenario's second window is the connections opening).
 */
export function runServerChild(start: StartServer): void {
  const port = new ParentPort<ServerCommand, ServerEvent>();
  const profiler = WindowProfiler.fromEnv();
  let server: FanoutServer | undefined;
  port.onCommand(async (command) => {
    switch (command.type) {
      case 'start':
        server = await start(command.clients);
        await profiler?.start();
        port.send({ type: 'ready', connect: server.connect });
        return;
      case 'trigger':
        if (!server) throw new Error('trigger before start');
        server.broadcast(makePayload(command.seq, command.intended_ts));
        return;
      case 'gc':
        await profiler?.stop();
        // Twice: the first pass can leave finalizer-held objects for the second.
        globalThis.gc?.();
        globalThis.gc?.();
        await profiler?.start();
        port.send({ type: 'gc-done' });
        return;
    }
  });
}
