import http from 'node:http';
import { Server } from 'socket.io';

/**
 * A Socket.IO 4 server as the benchmarks run it: WebSocket only, no compression, no client
 * bundle served, a listen backlog for the generator's burst of handshakes. Resolves once it
 * listens, with the WebSocket URL (Engine.IO v4) clients connect to.
 */
export async function listenSocketIo(): Promise<{ io: Server; url: string }> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve);
  });
  const address = httpServer.address();
  if (typeof address !== 'object' || address === null) throw new Error('no TCP address');
  return { io, url: `ws://127.0.0.1:${String(address.port)}/socket.io/?EIO=4&transport=websocket` };
}
