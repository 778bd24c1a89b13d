import { runServerChild } from '../server-child.js';
import { listenSocketIo } from './listen-socket-io.js';

// Target (e), Socket.IO 4 as its users run it for chat: every connection joins a room, and a
// broadcast is `io.to(room).emit(...)` (the adapter encodes the packet once for the room).
const ROOM = 'bench';

runServerChild(async () => {
  const { io, url } = await listenSocketIo();
  io.on('connection', (socket) => {
    void socket.join(ROOM);
  });
  return {
    connect: { protocol: 'socket.io', url },
    broadcast(payload) {
      io.to(ROOM).emit('bench', payload);
    },
  };
});
