import { z } from 'zod';

/** Validators of what a client sends over the cable (its frames' types: cable-frames.ts). */

// ---------------------------------------------------------------- client → server

const StreamPosition = z.object({
  epoch: z.string().max(64),
  offset: z.number().int().nonnegative(),
});

/**
 * Positions by stream name. zod drops a `__proto__` key without a word (JSON.parse makes it an own
 * key), which would let a malformed position through unseen: such a name is refused instead.
 */
const StreamPositions = z
  .custom<object>((value) => typeof value === 'object' && value !== null, 'Expected an object')
  .refine((value) => !Object.hasOwn(value, '__proto__'), 'Stream names cannot be __proto__')
  .pipe(z.record(z.string().max(256), StreamPosition));

export const HistoryRequest = z.object({
  /** Unix seconds (client clock). */
  since: z.number().nonnegative().optional(),
  streams: StreamPositions.optional(),
});
export type HistoryRequest = z.infer<typeof HistoryRequest>;

const Identifier = z.string().min(1).max(1024);

/** Every command a client may send. Unknown fields are ignored, as the reference servers do. */
export const ClientCommand = z.discriminatedUnion('command', [
  z.object({
    command: z.literal('subscribe'),
    identifier: Identifier,
    history: HistoryRequest.optional(),
  }),
  z.object({ command: z.literal('unsubscribe'), identifier: Identifier }),
  z.object({ command: z.literal('message'), identifier: Identifier, data: z.string().max(65_536) }),
  z.object({ command: z.literal('history'), identifier: Identifier, history: HistoryRequest }),
  z.object({ command: z.literal('pong') }),
  // Ext features Salon accepts without acting on them (typing goes through channel actions).
  z.object({ command: z.literal('whisper'), identifier: Identifier }),
  z.object({ command: z.literal('join'), identifier: Identifier }),
  z.object({ command: z.literal('leave'), identifier: Identifier }),
  z.object({ command: z.literal('presence'), identifier: Identifier }),
]);
export type ClientCommand = z.infer<typeof ClientCommand>;

/** The parsed form of an identifier: a JSON object naming its channel. */
export const ChannelIdentifier = z.looseObject({ channel: z.string().min(1).max(128) });
export type ChannelIdentifier = z.infer<typeof ChannelIdentifier>;

/**
 * The one spelling of an identifier the server accepts: its params as compact JSON with the keys
 * sorted, which is what `@anycable/core` sends (`stringifyParams`) and what `@rails/actioncable`
 * sends when `channel` is written first (`{channel, room}` is already in order). One spelling per
 * subscription means a client cannot hold the same subscription many times over by reordering
 * keys or adding spaces.
 */
export function canonicalIdentifier(params: Readonly<Record<string, unknown>>): string {
  const parts = Object.keys(params)
    .sort()
    .filter((k) => params[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(params[k])}`);
  return `{${parts.join(',')}}`;
}

/** Room ids are UUIDs (any node can make them). */
const RoomId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

/**
 * The identifier params of Salon's channels, exactly: a key a channel does not know makes the
 * identifier invalid (`reject_subscription`).
 */
export const RoomChannelParams = z.strictObject({
  channel: z.literal('RoomChannel'),
  room: RoomId,
});
export const UserChannelParams = z.strictObject({ channel: z.literal('UserChannel') });
export const InboxChannelParams = z.strictObject({ channel: z.literal('InboxChannel') });

/** `data` of a `message` command, once JSON-decoded: the action name plus its arguments. */
export const PerformData = z.looseObject({ action: z.string().min(1).max(128).optional() });
