import { WebSocket } from 'ws';
import type { PlainConnectInfo } from '../connect-info.js';
import { asPayload, nowMs } from '../payload.js';
import { frameText, socketOptions, type DeliverySink } from './delivery-sink.js';

/** Joins a `ws` peer's room: the upgrade itself is the join; every frame is a payload. */
export function openPlainClient(
  info: PlainConnectInfo,
  index: number,
  sink: DeliverySink,
): Promise<WebSocket> {
  const ws = new WebSocket(info.url, socketOptions(index));
  return new Promise((resolve, reject) => {
    ws.on('message', (data) => {
      const receivedAt = nowMs();
      const text = frameText(data);
      const payload = asPayload(JSON.parse(text));
      if (payload) sink.delivery(payload, receivedAt, Buffer.byteLength(text));
      else sink.other();
    });
    ws.once('open', () => {
      ws.on('close', () => sink.closed());
      resolve(ws);
    });
    ws.on('error', reject);
  });
}
