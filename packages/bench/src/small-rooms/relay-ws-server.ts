import { isMessage } from '../ipc.js';
import { listenWs } from '../targets/listen-ws.js';
import type { WebSocket } from 'ws';
import type { RoomsServerEvent } from './small-rooms-ipc.js';

// The floor: a `ws` server that keeps rooms in memory and relays each frame, unparsed, to every
// member of the sender's room. No storage, no validation, no identities.
const send = (event: RoomsServerEvent): void => {
  process.send?.(event);
};
const rooms = new Map<string, Set<WebSocket>>();

process.on('message', (raw: unknown) => {
  // The only command is `start`; a relay needs nothing from it.
  if (!isMessage(raw)) return;
  listenWs(
    (ws, request) => {
      const room = new URL(request.url ?? '/', 'http://x').searchParams.get('room') ?? '';
      let members = rooms.get(room);
      if (!members) rooms.set(room, (members = new Set()));
      members.add(ws);
      const audience = members;
      ws.on('message', (data, isBinary) => {
        for (const member of audience) member.send(data, { binary: isBinary });
      });
      ws.once('close', () => audience.delete(ws));
    },
    () => undefined,
  ).then(
    (url) => send({ type: 'ready', connect: { protocol: 'relay-ws', url } }),
    (err: unknown) => send({ type: 'failed', message: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
