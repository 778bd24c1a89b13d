import { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { runServerChild } from '../server-child.js';
import { listenWs } from './listen-ws.js';
import { buildTextFrame } from './text-frame.js';

// Target (b), the tuned floor: JSON encoded and framed once per broadcast, then the same bytes
// written to every member's TCP socket, one write each. Nothing else writes to these sockets
// during a run (no pings, no compression), so bypassing ws's sender cannot interleave frames.
runServerChild(async () => {
  const members = new Map<WebSocket, Socket>();
  const url = await listenWs(
    (ws, request) => {
      if (!(request.socket instanceof Socket)) throw new Error('upgrade without a TCP socket');
      members.set(ws, request.socket);
    },
    (ws) => members.delete(ws),
  );
  return {
    connect: { protocol: 'plain', url },
    broadcast(payload) {
      const frame = buildTextFrame(JSON.stringify(payload));
      for (const socket of members.values()) socket.write(frame);
    },
  };
});
