import { ChannelIdentifier, ClientCommand, PerformData, SpeakData } from '@salon/protocol';

/**
 * zod compiles a schema's parser the first time it is used: about 30 ms for SpeakData on a
 * two-core machine, paid by the first message after a start unless it is paid here, before the
 * server listens. One valid sample for each schema a message crosses on its way in: the frame,
 * the channel identifier, the action data and the message itself.
 */
export function warmValidators(): void {
  const params = { channel: 'RoomChannel', room: 'warm-up' };
  const identifier = JSON.stringify(params);
  ClientCommand.safeParse({ command: 'subscribe', identifier });
  ClientCommand.safeParse({ command: 'message', identifier, data: '{"action":"speak"}' });
  ChannelIdentifier.safeParse(params);
  PerformData.safeParse({ action: 'speak' });
  SpeakData.safeParse({ body: 'warm-up', client_id: 'warm-up', reply_to: null });
}
