import type { WebSocket } from 'ws';
import { runServerChild } from '../server-child.js';
import { listenWs } from './listen-ws.js';

// Target (a), the floor: JSON encoded once per broadcast, then ws.send(string) to each member,
// which frames the string again for every socket.
runServerChild(async () => {
  const members = new Set<WebSocket>();
  const url = await listenWs(
    (ws) => members.add(ws),
    (ws) => members.delete(ws),
  );
  return {
    connect: { protocol: 'plain', url },
    broadcast(payload) {
      const text = JSON.stringify(payload);
      for (const ws of members) ws.send(text);
    },
  };
});
