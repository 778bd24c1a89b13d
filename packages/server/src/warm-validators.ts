import { ChannelIdentifier, ClientCommand, PerformData, SpeakData } from '@salon/protocol';

/**
 * zod compiles a schema's parser the first time it is used: about 30 ms for SpeakData on a
 * two-core machine, paid by the first message after a start unless it is paid here, before the
 * server listens. One valid sample for each schema a message crosses on its way in: the frame,
 * the channel identifier, the action data and the message itself. Returns the samples that did
 * not parse (none, unless a schema changed under them: then their valid path is not warmed).
 */
export function warmValidators(): string[] {
  const params = { channel: 'RoomChannel', room: 'warm-up' };
  const identifier = JSON.stringify(params);
  const samples: [string, { safeParse(value: unknown): { success: boolean } }, unknown][] = [
    ['subscribe command', ClientCommand, { command: 'subscribe', identifier }],
    ['message command', ClientCommand, { command: 'message', identifier, data: '{}' }],
    ['channel identifier', ChannelIdentifier, params],
    ['action data', PerformData, { action: 'speak' }],
    ['speak', SpeakData, { body: 'warm-up', client_id: 'warm-up', reply_to: null }],
  ];
  return samples.filter(([, schema, value]) => !schema.safeParse(value).success).map(([n]) => n);
}
