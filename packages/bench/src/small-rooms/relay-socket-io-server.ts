import http from 'node:http';
import { Server } from 'socket.io';
import { isMessage } from '../ipc.js';
import type { RoomsServerEvent } from './small-rooms-ipc.js';

// Socket.IO 4 as a chat relay is usually written: the handshake names the room, the socket joins
// it, and each `m` event is emitted to the room (`io.to(room).emit`). No storage.
const send = (event: RoomsServerEvent): void => {
  process.send?.(event);
};

async function start(): Promise<string> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
  });
  io.on('connection', (socket) => {
    const room = String(socket.handshake.query.room ?? '');
    void socket.join(room);
    socket.on('m', (message: unknown) => {
      io.to(room).emit('m', message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
  });
  const address = httpServer.address();
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address');
  return `ws://127.0.0.1:${String(address.port)}/socket.io/?EIO=4&transport=websocket`;
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
