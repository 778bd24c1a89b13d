import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSalon, loadConfig } from '@salon/server';
import { runServerChild } from '../server-child.js';
import { benchSalonSettings } from './bench-salon-settings.js';
import { createSalonRoom } from './salon-room.js';

/** Salon's name for a room's stream (server src/channels/streams.ts `roomStream`). */
const roomStream = (roomId: string): string => `room:${roomId}`;

// Target (c): the real Salon server, built by createSalon on a fresh data dir, with one group
// room whose members are the generator's clients. A trigger goes through cable.broadcast, i.e.
// the broker and the connection registry, exactly as a chat message's broadcast does.
runServerChild(async (clients) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'salon-bench-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig(benchSalonSettings(dataDir));
  const salon = await createSalon(config);
  const room = await createSalonRoom(salon, clients);
  const port = await salon.listen();
  const stream = roomStream(room.roomId);
  return {
    connect: {
      protocol: 'action-cable',
      url: `ws://127.0.0.1:${String(port)}/cable`,
      tokens: room.tokens,
      identifier: JSON.stringify({ channel: 'RoomChannel', room: room.roomId }),
    },
    broadcast(payload) {
      salon.cable.broadcast(stream, payload);
    },
  };
});
