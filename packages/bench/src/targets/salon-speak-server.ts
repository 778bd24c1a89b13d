import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSalon, loadConfig } from '@salon/server';
import { runServerChild } from '../server-child.js';
import { benchSalonSettings } from './bench-salon-settings.js';
import { createSalonRoom } from './salon-room.js';

// Target (d): Salon through its message path. Each trigger is a chat message from the room's
// owner, queued exactly as the `speak` action queues it (after its validation): the message job
// stores it in SQLite (synchronous=FULL, writer thread) and then broadcasts it to the room. The
// payload travels as the message's body; `sent_ts` is stamped before the job, so latency includes
// the durable commit.
let clientIds = 0;

runServerChild(async (clients) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'salon-bench-speak-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const salon = await createSalon(
    // Triggers are queued by the server itself: the per-person send rate does not apply.
    loadConfig(benchSalonSettings(dataDir)),
  );
  const room = await createSalonRoom(salon, clients);
  const port = await salon.listen();
  return {
    connect: {
      protocol: 'action-cable',
      url: `ws://127.0.0.1:${String(port)}/cable`,
      tokens: room.tokens,
      identifier: JSON.stringify({ channel: 'RoomChannel', room: room.roomId }),
      payloadIn: 'message-body',
    },
    broadcast(payload) {
      salon.chat.messages.enqueue({
        roomId: room.roomId,
        senderId: room.ownerId,
        clientId: `bench-${String(process.pid)}-${String(++clientIds)}`,
        body: JSON.stringify(payload),
        replyTo: null,
      });
    },
  };
});
