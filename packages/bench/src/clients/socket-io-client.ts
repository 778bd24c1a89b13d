import { WebSocket } from 'ws';
import type { SocketIoConnectInfo } from '../connect-info.js';
import { asPayload, nowMs } from '../payload.js';
import { frameText, socketOptions, type DeliverySink } from './delivery-sink.js';

/**
 * A Socket.IO 4 client over a bare WebSocket (Engine.IO v4 framing, as socket.io-client speaks
 * it), so that the generator pays the same per-frame cost as for the other protocols:
 * `0{open}` → we send `40` (join the main namespace) → `40{sid}` means joined; `2` is a ping
 * answered with `3`; `42["event",payload]` is an event.
 */
export function openSocketIoClient(
  info: SocketIoConnectInfo,
  index: number,
  sink: DeliverySink,
  onEvent?: (event: string, data: unknown, receivedAt: number, text: string) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(info.url, socketOptions(index));
  return new Promise((resolve, reject) => {
    let joined = false;
    ws.on('message', (data) => {
      const receivedAt = nowMs();
      const text = frameText(data);
      if (text.startsWith('42')) {
        const [event, payload] = JSON.parse(text.slice(2)) as [string, unknown];
        if (onEvent) return onEvent(event, payload, receivedAt, text);
        const delivery = asPayload(payload);
        if (delivery) sink.delivery(delivery, receivedAt, Buffer.byteLength(text));
        else sink.other();
      } else if (text === '2') {
        ws.send('3');
      } else if (text.startsWith('0')) {
        ws.send('40');
      } else if (text.startsWith('40') && !joined) {
        joined = true;
        ws.on('close', () => sink.closed());
        resolve(ws);
      } else {
        sink.other();
      }
    });
    ws.on('error', reject);
    ws.once('close', (code) => {
      if (!joined) reject(new Error(`client ${String(index)}: closed with ${String(code)}`));
    });
  });
}
