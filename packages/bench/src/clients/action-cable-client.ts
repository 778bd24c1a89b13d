import { WebSocket } from 'ws';
import type { ActionCableConnectInfo } from '../connect-info.js';
import { asPayload, nowMs } from '../payload.js';
import { frameText, socketOptions, type DeliverySink } from './delivery-sink.js';

const SUBPROTOCOL = 'actioncable-v1-json';
/** From upgrade to confirm_subscription, in ms. */
const JOIN_TIMEOUT_MS = 30_000;

/** The bench payload inside a data frame's `message`, where `info.payloadIn` says it is. */
function payloadIn(info: ActionCableConnectInfo): (message: unknown) => unknown {
  if (info.payloadIn !== 'message-body') return (message) => message;
  return (message) => {
    const body = (message as { type?: unknown; message?: { body?: unknown } } | undefined)?.message
      ?.body;
    return typeof body === 'string' ? (JSON.parse(body) as unknown) : undefined;
  };
}

interface CableFrame {
  type?: unknown;
  identifier?: unknown;
  message?: unknown;
  reason?: unknown;
}

/**
 * Joins a room over ActionCable (PROTOCOL.md 1.2-1.4): bearer token on the upgrade, subscribe
 * after welcome, joined at confirm_subscription. Deliveries are `{identifier, message}` data
 * frames whose identifier is ours byte for byte.
 */
export function openActionCableClient(
  info: ActionCableConnectInfo,
  index: number,
  sink: DeliverySink,
): Promise<WebSocket> {
  const token = info.tokens[index % info.tokens.length];
  if (token === undefined) return Promise.reject(new Error('no tokens to connect with'));
  const payloadOf = payloadIn(info);
  const ws = new WebSocket(info.url, SUBPROTOCOL, {
    ...socketOptions(index),
    headers: { Authorization: `Bearer ${token}` },
  });
  return new Promise((resolve, reject) => {
    let joined = false;
    const fail = (reason: string): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(`client ${String(index)}: ${reason}`));
    };
    const timer = setTimeout(() => fail('not subscribed in time'), JOIN_TIMEOUT_MS);

    ws.on('message', (data) => {
      const receivedAt = nowMs();
      const text = frameText(data);
      const frame = JSON.parse(text) as CableFrame;
      if (joined) {
        const payload =
          frame.identifier === info.identifier ? asPayload(payloadOf(frame.message)) : undefined;
        if (payload) sink.delivery(payload, receivedAt, Buffer.byteLength(text));
        else sink.other();
        return;
      }
      if (frame.type === 'welcome') {
        ws.send(JSON.stringify({ command: 'subscribe', identifier: info.identifier }));
      } else if (frame.type === 'confirm_subscription' && frame.identifier === info.identifier) {
        joined = true;
        clearTimeout(timer);
        ws.on('close', () => sink.closed());
        resolve(ws);
      } else if (frame.type === 'reject_subscription' || frame.type === 'disconnect') {
        fail(`${frame.type} ${JSON.stringify(frame.reason ?? '')}`);
      }
    });
    ws.once('open', () => {
      if (ws.protocol !== SUBPROTOCOL) fail(`server chose subprotocol "${ws.protocol}"`);
    });
    ws.on('error', (error) => fail(error.message));
    ws.once('close', (code) => {
      if (!joined) fail(`closed with ${String(code)} before joining`);
    });
  });
}
