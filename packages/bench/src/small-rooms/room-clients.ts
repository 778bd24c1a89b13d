import { WebSocket } from 'ws';
import { frameText, socketOptions } from '../clients/delivery-sink.js';
import { openSocketIoClient } from '../clients/socket-io-client.js';
import { nowMs } from '../payload.js';
import type { RoomsConnect } from './small-rooms-ipc.js';

/** A member's connection, joined to its room. */
export interface RoomClient {
  /** Sends one chat message into the room (the sender is a member and gets it back too). */
  speak(clientId: string, body: string): void;
  close(): void;
}

/** Called for each chat message a member receives, with its client_id and arrival time (ms). */
export type OnMessage = (clientId: string, receivedAt: number) => void;

const JOIN_TIMEOUT_MS = 60_000;

/** Opens member `member` of room `room` (`index` spreads source addresses) and joins it. */
export function openRoomClient(
  connect: RoomsConnect,
  room: number,
  member: number,
  index: number,
  onMessage: OnMessage,
): Promise<RoomClient> {
  switch (connect.protocol) {
    case 'relay-ws':
      return openRelayClient(`${connect.url}?room=${String(room)}`, index, onMessage);
    case 'socket.io':
      return openSocketIoRoomClient(`${connect.url}&room=${String(room)}`, index, onMessage);
    case 'salon': {
      const entry = connect.rooms[room];
      const token = entry?.tokens[member];
      if (!entry || token === undefined)
        throw new Error(`no account for ${String(room)}/${String(member)}`);
      return openSalonClient(connect.url, entry.id, token, index, onMessage);
    }
  }
}

function openRelayClient(url: string, index: number, onMessage: OnMessage): Promise<RoomClient> {
  const ws = new WebSocket(url, socketOptions(index));
  ws.on('message', (data) => {
    const receivedAt = nowMs();
    const { c } = JSON.parse(frameText(data)) as { c: string };
    onMessage(c, receivedAt);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        speak: (clientId, body) => ws.send(JSON.stringify({ c: clientId, body })),
        close: () => ws.terminate(),
      }),
    );
    ws.once('error', reject);
  });
}

async function openSocketIoRoomClient(
  url: string,
  index: number,
  onMessage: OnMessage,
): Promise<RoomClient> {
  const ignore = { delivery: () => undefined, other: () => undefined, closed: () => undefined };
  const ws = await openSocketIoClient(
    { protocol: 'socket.io', url },
    index,
    ignore,
    (event, data, at) => {
      if (event === 'm') onMessage((data as { c: string }).c, at);
    },
  );
  return {
    speak: (clientId, body) => ws.send(`42${JSON.stringify(['m', { c: clientId, body }])}`),
    close: () => ws.terminate(),
  };
}

interface CableFrame {
  type?: string;
  message?: { type?: string; message?: { client_id?: string } };
}

/** ActionCable with a bearer token, subscribed to the room's RoomChannel; messages are `speak`. */
function openSalonClient(
  url: string,
  roomId: string,
  token: string,
  index: number,
  onMessage: OnMessage,
): Promise<RoomClient> {
  const identifier = JSON.stringify({ channel: 'RoomChannel', room: roomId });
  const ws = new WebSocket(url, 'actioncable-v1-json', {
    ...socketOptions(index),
    headers: { Authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`client ${String(index)}: not subscribed in time`));
    }, JOIN_TIMEOUT_MS);
    ws.on('message', (data) => {
      const receivedAt = nowMs();
      const frame = JSON.parse(frameText(data)) as CableFrame;
      if (frame.message?.type === 'message') {
        const clientId = frame.message.message?.client_id;
        if (clientId !== undefined) onMessage(clientId, receivedAt);
      } else if (frame.type === 'welcome') {
        ws.send(JSON.stringify({ command: 'subscribe', identifier }));
      } else if (frame.type === 'confirm_subscription') {
        clearTimeout(timer);
        resolve({
          speak: (clientId, body) =>
            ws.send(
              JSON.stringify({
                command: 'message',
                identifier,
                data: JSON.stringify({ action: 'speak', body, client_id: clientId }),
              }),
            ),
          close: () => ws.terminate(),
        });
      } else if (frame.type === 'reject_subscription' || frame.type === 'disconnect') {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`client ${String(index)}: ${JSON.stringify(frame)}`));
      }
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
