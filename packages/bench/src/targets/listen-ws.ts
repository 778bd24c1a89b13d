import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Room of the `ws` peers: every connection joins on upgrade and leaves on close. The listen
 * backlog is raised so that the generator's burst of handshakes is not dropped by the kernel.
 */
export async function listenWs(
  onJoin: (ws: WebSocket, request: IncomingMessage) => void,
  onLeave: (ws: WebSocket) => void,
): Promise<string> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    backlog: 4096,
    perMessageDeflate: false,
  });
  wss.on('connection', (ws, request) => {
    onJoin(ws, request);
    ws.on('close', () => onLeave(ws));
    ws.on('error', () => ws.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const address = wss.address();
  if (typeof address !== 'object' || address === null)
    throw new Error('ws server has no TCP address');
  return `ws://127.0.0.1:${String(address.port)}/`;
}
