import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ChatClient, createGroup, history, person } from './chat/chat-client.js';
import { buildCompiledSalon, DIST, startCompiledSalon } from './helpers/compiled-salon.js';

/**
 * What `npm start` ships: the server compiled into packages/server/dist, run by plain `node`
 * (no TypeScript loader in the process or in its writer thread), doing the whole round trip.
 */

beforeAll(buildCompiledSalon, 120_000);

describe('the compiled server', () => {
  test('is ASCII throughout, so that V8 keeps its sources at one byte a character', () => {
    const files = fs.readdirSync(DIST).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = fs.readFileSync(path.join(DIST, file), 'utf8');
      expect({ file, nonAscii: /[\u0080-\uffff]/.exec(text)?.[0] }).toEqual({
        file,
        nonAscii: undefined,
      });
    }
  });

  test('signs someone in, stores and delivers a message on its writer thread, exits 0 on SIGTERM', async () => {
    const salon = await startCompiledSalon({ SALON_MESSAGE_WRITER: 'thread' });

    const ana = await person(salon, 'Ana');
    const ben = await person(salon, 'Ben');
    const room = await createGroup(salon, ana, 'Compiled', [ben.id]);
    const benWs = await ChatClient.connect(salon, ben);
    await benWs.joinRoom(room.id);
    const anaWs = await ChatClient.connect(salon, ana);
    await anaWs.joinRoom(room.id);
    anaWs.speak(room.id, 'hello from dist', 'c-1');
    const delivered = await benWs.message(room.id, 'c-1', 10_000);
    expect(delivered.body).toBe('hello from dist');
    expect((await history(salon, ben, room.id)).map((m) => m.body)).toEqual(['hello from dist']);
    anaWs.close();
    benWs.close();

    salon.child.kill('SIGTERM');
    expect(await salon.exited, salon.output()).toBe(0);
  });
});
