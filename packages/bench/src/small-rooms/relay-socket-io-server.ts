import { isMessage } from '../ipc.js';
import { listenSocketIo } from '../targets/listen-socket-io.js';
import type { RoomsServerEvent } from './small-rooms-ipc.js';

// Socket.IO 4 as a chat relay is usually written: the handshake names the room, the socket joins
// it, and each `m` event is emitted to the room (`io.to(room).emit`). No storage.
const send = (event: RoomsServerEvent): void => {
  process.send?.(event);
};

async function start(): Promise<string> {
  const { io, url } = await listenSocketIo();
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room ?? '');
    void socket.join(room);
    socket.on('m', (message: unknown) => {
      io.to(room).emit('m', message);
    });
  });
  return url;
}

process.on('message', (raw: unknown) => {
  // The only command is `start`; a relay needs nothing from it.
  if (!isMessage(raw)) return;
  start().then(
    (url) => send({ type: 'ready', connect: { protocol: 'socket.io', url } }),
    (err: unknown) => send({ type: 'failed', message: String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
