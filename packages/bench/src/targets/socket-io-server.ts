import http from 'node:http';
import { Server } from 'socket.io';
import { runServerChild } from '../server-child.js';

// Target (e), Socket.IO 4 as its users run it for chat: every connection joins a room, and a
// broadcast is `io.to(room).emit(...)` (the adapter encodes the packet once for the room).
// WebSocket only, no compression, like the other targets.
const ROOM = 'bench';

runServerChild(async () => {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
  });
  io.on('connection', (socket) => {
    void socket.join(ROOM);
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
  });
  const address = httpServer.address();
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address');
  return {
    connect: {
      protocol: 'socket.io',
      url: `ws://127.0.0.1:${String(address.port)}/socket.io/?EIO=4&transport=websocket`,
    },
    broadcast(payload) {
      io.to(ROOM).emit('bench', payload);
    },
  };
});
