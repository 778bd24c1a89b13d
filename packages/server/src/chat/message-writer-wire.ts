import { newRow } from './message-batch.js';
import type { MessageRequest, WriteResult } from './message.store.js';

/*
 * What crosses between the main thread and the message writer thread. A new message is answered
 * with only what its request does not already say (id, seq, time, the sender's name): the main
 * thread rebuilds the row from the request it sent. Structured clone then copies five fields per
 * message instead of a whole row, on both threads, at every message.
 */

/** A new message as the writer answers it. */
export type StoredReply = readonly [
  id: string,
  seq: number,
  createdAt: number,
  senderName: string | null,
  joined: boolean,
];

/** Repeats and refusals (rare) travel whole. */
export type WireResult = StoredReply | WriteResult;

export interface WriterRequest {
  id: number;
  requests: MessageRequest[];
}
export type WriterReply =
  | { id: number; results: WireResult[] }
  | { id: number; error: string }
  /** Sent once, when the connection is open and the statements are prepared. */
  | { ready: true };

/** On the writer thread: the results as sent back. */
export function toWire(results: readonly WriteResult[]): WireResult[] {
  return results.map((r) =>
    r.ok && !r.duplicate
      ? [r.message.id, r.message.seq, r.message.created_at, r.senderName, r.joined === true]
      : r,
  );
}

/** On the main thread: the results again, rows rebuilt from the requests that were sent. */
export function fromWire(
  requests: readonly MessageRequest[],
  wire: readonly WireResult[],
): WriteResult[] {
  return wire.map((w, i) => {
    if (!Array.isArray(w)) return w as WriteResult;
    const request = requests[i];
    if (request === undefined) throw new Error('message writer answered more results than asked');
    const [id, seq, createdAt, senderName, joined] = w as StoredReply;
    return {
      ok: true,
      message: newRow(request, id, seq, createdAt),
      senderName,
      duplicate: false,
      ...(joined ? { joined: true as const } : {}),
    };
  });
}
