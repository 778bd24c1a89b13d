import fc from 'fast-check';
import { ClientCommand } from '@salon/protocol';
import { describe, expect, test } from 'vitest';

/**
 * The parser side of the protocol, without a server: `ClientCommand` takes any JSON value without
 * throwing, accepts exactly the command shapes, and keeps identifiers and data untouched.
 */

describe('ClientCommand', () => {
  test('never throws, whatever the value', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true }),
        (value) => {
          const parsed = ClientCommand.safeParse(value);
          expect(typeof parsed.success).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('random JSON text, parsed as the connection does, never throws', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        ClientCommand.safeParse(JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  const identifier = fc.string({ minLength: 1, maxLength: 1024, unit: 'grapheme' });

  test('subscribe/unsubscribe/message keep identifier and data byte for byte, extra fields ignored', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('subscribe', 'unsubscribe', 'message'),
        identifier,
        fc.string({ maxLength: 200 }),
        fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        (command, id, data, extra) => {
          const wire = JSON.stringify({ ...extra, command, identifier: id, data });
          const parsed = ClientCommand.safeParse(JSON.parse(wire));
          expect(parsed.success).toBe(true);
          if (!parsed.success) return;
          expect(parsed.data.command).toBe(command);
          expect((parsed.data as { identifier: string }).identifier).toBe(id);
          if (parsed.data.command === 'message') expect(parsed.data.data).toBe(data);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('a non-string identifier or data, or an unknown command, is refused', () => {
    const nonString = fc.jsonValue().filter((v) => typeof v !== 'string');
    fc.assert(
      fc.property(
        fc.constantFrom('subscribe', 'unsubscribe', 'message', 'history'),
        nonString,
        (command, id) => {
          expect(
            ClientCommand.safeParse({ command, identifier: id, data: '{}', history: {} }).success,
          ).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(identifier, nonString, (id, data) => {
        expect(ClientCommand.safeParse({ command: 'message', identifier: id, data }).success).toBe(
          false,
        );
      }),
    );
    const known = new Set([
      'subscribe',
      'unsubscribe',
      'message',
      'history',
      'pong',
      'whisper',
      'join',
      'leave',
      'presence',
    ]);
    fc.assert(
      fc.property(
        fc.string().filter((c) => !known.has(c)),
        identifier,
        (command, id) => {
          expect(ClientCommand.safeParse({ command, identifier: id, data: '{}' }).success).toBe(
            false,
          );
        },
      ),
    );
  });

  test('a stream named __proto__ is refused, not silently dropped', () => {
    const history = JSON.parse('{"streams":{"__proto__":{"epoch":"e","offset":-1}}}') as unknown;
    expect(
      ClientCommand.safeParse({ command: 'history', identifier: '{"channel":"X"}', history })
        .success,
    ).toBe(false);
  });

  test('history positions must be well-formed', () => {
    fc.assert(
      fc.property(
        // `__proto__` is refused as a stream name whatever its position (the test above).
        fc.string({ minLength: 1, maxLength: 50 }).filter((name) => name !== '__proto__'),
        fc.string({ maxLength: 64 }),
        fc.nat(),
        fc.option(fc.nat(), { nil: undefined }),
        (stream, epoch, offset, since) => {
          const ok = ClientCommand.safeParse({
            command: 'history',
            identifier: '{"channel":"X"}',
            history: { since, streams: { [stream]: { epoch, offset } } },
          });
          expect(ok.success).toBe(true);
          const negative = ClientCommand.safeParse({
            command: 'history',
            identifier: '{"channel":"X"}',
            history: { streams: { [stream]: { epoch, offset: -1 - offset } } },
          });
          expect(negative.success).toBe(false);
        },
      ),
    );
  });
});
