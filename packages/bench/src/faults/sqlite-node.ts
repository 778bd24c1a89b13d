import path from 'node:path';
import type { TwilioFake } from '../../../server/test/helpers/twilio-fake.js';
import { freePort } from '../free-port.js';
import { newSecret, nodeEnv } from './load.js';
import { SalonProcess } from './salon-process.js';

/**
 * One Salon node on SQLite in `dir` (its data directory, holding `salon.db`), texting through
 * the fake SMS provider, started: what the single-node scenarios run. `env` adds settings.
 */
export async function startSqliteNode(
  dir: string,
  sms: TwilioFake,
  env: Record<string, string> = {},
): Promise<{ node: SalonProcess; dbFile: string }> {
  const dbFile = path.join(dir, 'salon.db');
  const node = new SalonProcess({
    port: await freePort(),
    env: {
      ...nodeEnv(sms, newSecret()),
      SALON_DATA_DIR: dir,
      SALON_DATABASE_URL: `sqlite:${dbFile}`,
      ...env,
    },
  });
  await node.start();
  return { node, dbFile };
}
