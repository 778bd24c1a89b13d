import { fileURLToPath } from 'node:url';
import type { ConnectInfo } from './connect-info.js';
import type { GeneratorCommand, GeneratorEvent, ServerCommand, ServerEvent } from './ipc.js';
import { PinnedChild } from './pinned-child.js';
import type { Target } from './target.js';

/** The server's core and the generator's: one each on a 2-core machine. */
export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

/** Building a Salon room means creating an account and session per member: allow time. */
const SERVER_START_TIMEOUT_MS = 180_000;
const CONNECT_TIMEOUT_MS = 180_000;

export type ServerChild = PinnedChild<ServerCommand, ServerEvent>;
export type GeneratorChild = PinnedChild<GeneratorCommand, GeneratorEvent>;

export interface TrialProcesses {
  server: ServerChild;
  generator: GeneratorChild;
  /** How long the generator took to open and join every connection, ms. */
  connectMs: number;
  stop(): Promise<void>;
}

/** Starts a fresh server for `clients` members, waits until it listens, returns how to reach it. */
export async function startServer(
  target: Target,
  clients: number,
): Promise<{ server: ServerChild; connect: ConnectInfo }> {
  const server: ServerChild = new PinnedChild({
    core: SERVER_CORE,
    script: target.serverScript,
    name: `server ${target.id}`,
  });
  try {
    server.send({ type: 'start', clients });
    const ready = await server.next('ready', SERVER_START_TIMEOUT_MS);
    return { server, connect: ready.connect };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Starts a fresh generator and has it open and join `clients` connections. */
export async function startGenerator(
  connect: ConnectInfo,
  clients: number,
  concurrency: number,
): Promise<{ generator: GeneratorChild; connectMs: number }> {
  const generator: GeneratorChild = new PinnedChild({
    core: GENERATOR_CORE,
    script: fileURLToPath(new URL('./generator.ts', import.meta.url)),
    name: 'generator',
  });
  try {
    generator.send({ type: 'connect', connect, clients, concurrency });
    const connected = await generator.next('connected', CONNECT_TIMEOUT_MS);
    return { generator, connectMs: connected.elapsed_ms };
  } catch (error) {
    await generator.stop();
    throw error;
  }
}

/** A fresh server and a generator whose clients have all joined its room. */
export async function startTrialProcesses(
  target: Target,
  clients: number,
  concurrency: number,
): Promise<TrialProcesses> {
  const { server, connect } = await startServer(target, clients);
  try {
    const { generator, connectMs } = await startGenerator(connect, clients, concurrency);
    return {
      server,
      generator,
      connectMs,
      async stop() {
        await generator.stop();
        await server.stop();
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
