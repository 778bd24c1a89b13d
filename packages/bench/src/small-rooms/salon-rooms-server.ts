import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSalon, loadConfig, type Salon } from '@salon/server';
import { isMessage } from '../ipc.js';
import { benchSalonSettings } from '../targets/bench-salon-settings.js';
import { createSalonRooms } from '../targets/salon-room.js';
import { WindowProfiler } from '../window-profiler.js';
import type { RoomsServerCommand, RoomsServerEvent } from './small-rooms-ipc.js';

// Salon as it ships on one machine: SQLite at synchronous=FULL with its writer thread, each
// message through `speak` → message job → durable commit → broadcast to the room's stream.
// Every limit and check runs with its default settings but the per-address gates: the
// generator's 5,000 people connect from four loopback addresses at once.
const send = (event: RoomsServerEvent): void => {
  process.send?.(event);
};
const dataDir = mkdtempSync(path.join(tmpdir(), 'salon-bench-rooms-'));
let salon: Salon | undefined;
// BENCH_PROFILE: one profile from listening to the end (connections, warm-up and measurement).
const profiler = WindowProfiler.fromEnv();

async function start(rooms: number, members: number): Promise<RoomsServerEvent> {
  salon = await createSalon(loadConfig({ ...process.env, ...benchSalonSettings(dataDir) }));
  const built = await createSalonRooms(salon, rooms, members);
  const port = await salon.listen();
  await profiler?.start();
  return {
    type: 'ready',
    connect: {
      protocol: 'salon',
      url: `ws://127.0.0.1:${String(port)}/cable`,
      rooms: built.map((room) => ({ id: room.roomId, tokens: room.tokens })),
    },
  };
}

process.on('message', (raw: unknown) => {
  if (!isMessage(raw)) return;
  const command = raw as RoomsServerCommand;
  start(command.rooms, command.members).then(send, (err: unknown) =>
    send({ type: 'failed', message: String(err) }),
  );
});
process.on('disconnect', () => {
  const profiled = profiler?.stop() ?? Promise.resolve();
  void profiled
    .then(() => salon?.close())
    .finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
});
